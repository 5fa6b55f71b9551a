import {
  crossoverK,
  modelCoverage,
  modelPassCurves,
  tableKs,
  workedShare,
  type ModelCurve,
} from '../src/core/metrics/models.ts';
import { columnsOf, modelsOf, shortModelName } from '../src/core/run/models.ts';
import type { RunResults } from '../src/core/run/results.ts';

const pct = (x: number) => (x * 100).toFixed(1);

function curveTable(curves: readonly ModelCurve[]): string[] {
  const ks = tableKs(Math.min(...curves.map((c) => c.n)));
  return [
    `| model | ${ks.map((k) => `pass@${k}`).join(' | ')} | solved at any k (95% CI) |`,
    `|---|${ks.map(() => '---|').join('')}---|`,
    ...curves.map(
      (c) =>
        `| ${shortModelName(c.modelId)} | ${ks.map((k) => pct(c.passAtK[k - 1]!)).join(' | ')} | ${c.solved}/${c.items} (${pct(c.low)}–${pct(c.high)}) |`,
    ),
  ];
}

/**
 * The models of a run compared, as Markdown: for each suite and sampling method, pass@k per model at k = 1, 2, 4, …,
 * n, the k where the first model catches up with each other model, and the items each solves at any k (which
 * combinations of models solve them); for greedy methods, the share of outputs that show worked steps.
 */
export function formatComparison(results: RunResults, only: { suite?: string; method?: string } = {}): string {
  const models = modelsOf(results);
  if (models.length < 2) throw new Error('coax compare needs a run over several models (coax run --model a,b)');
  const suites = results.suites.filter((s) => !only.suite || s.suiteName === only.suite);
  if (only.suite && suites.length === 0)
    throw new Error(
      `--suite: the run has no suite "${only.suite}"; it has ${results.suites.map((s) => s.suiteName).join(', ')}`,
    );
  const columns = columnsOf(results);
  const methods = [...new Set(columns.map((c) => c.methodId))];
  if (only.method && !methods.includes(only.method))
    throw new Error(`--method: the run has no method "${only.method}"; it has ${methods.join(', ')}`);
  const first = models[0]!;
  const out: string[] = [`models: ${models.join(', ')} · seed ${results.seed}`];
  for (const s of suites) {
    for (const method of only.method ? [only.method] : methods) {
      const curves = modelPassCurves(results, s, method);
      if (curves.length < 2) continue;
      if (curves[0]!.n > 1) {
        out.push(
          '',
          `### ${s.suiteName} · ${method}: pass@k (unbiased estimator, n = ${curves[0]!.n} samples per item)`,
          '',
        );
        out.push(...curveTable(curves));
        const base = curves.find((c) => c.modelId === first)!;
        for (const c of curves.filter((x) => x !== base)) {
          const k = crossoverK(base.passAtK, c.passAtK);
          out.push(
            '',
            `crossover: ${shortModelName(first)} reaches ${shortModelName(c.modelId)}'s pass@k ${
              k === null ? `at no k ≤ ${Math.min(base.n, c.n)}` : `from k = ${k}`
            }`,
          );
        }
        const cov = modelCoverage(results, s, method);
        out.push('', `items solved at any k (of ${cov.items}), by the models that solve them:`, '');
        out.push('| solved by | items | first items |', '|---|---|---|');
        for (const g of cov.groups)
          out.push(
            `| ${g.models.length ? g.models.map(shortModelName).join(' + ') : 'none'} | ${g.itemIds.length} | ${g.itemIds.slice(0, 5).join(', ')}${g.itemIds.length > 5 ? ', …' : ''} |`,
          );
        for (const m of models.filter((x) => x !== first)) {
          const solved = new Set(cov.solved[first]);
          const outside = cov.solved[m]!.filter((id) => !solved.has(id));
          out.push(
            '',
            `${shortModelName(m)} solves ${cov.solved[m]!.length} items, ${outside.length} of them not solved by ${shortModelName(first)}${
              outside.length ? ` (${outside.slice(0, 10).join(', ')}${outside.length > 10 ? ', …' : ''})` : ''
            }`,
          );
        }
      } else {
        out.push('', `### ${s.suiteName} · ${method}: accuracy and worked steps`, '');
        out.push('| model | accuracy | 95% CI | correct/n | worked outputs | 95% CI |', '|---|---|---|---|---|---|');
        for (const c of curves) {
          const w = workedShare(s, c.columnId);
          out.push(
            `| ${shortModelName(c.modelId)} | ${pct(c.passAtK[0]!)} | ${pct(c.low)}–${pct(c.high)} | ${c.solved}/${c.items} | ${w.worked}/${w.n} (${pct(w.n ? w.worked / w.n : 0)}%) | ${pct(w.low)}–${pct(w.high)} |`,
          );
        }
      }
    }
  }
  return out.join('\n');
}
