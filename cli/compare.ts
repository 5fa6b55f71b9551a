import {
  crossoverK,
  modelCoverage,
  modelPassCurves,
  tableKs,
  workedShare,
  type ModelCurve,
  type PassCriterion,
} from '../src/core/metrics/models.ts';
import { isVerifiableSuite } from '../src/core/metrics/verified.ts';
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

/** What `coax compare --criterion` takes: one criterion, or both (the right answer first, then verified traces). */
export function parseCriteria(value: string | undefined): PassCriterion[] {
  if (value === undefined || value === 'answer') return ['answer'];
  if (value === 'verified') return ['verified'];
  if (value === 'both') return ['answer', 'verified'];
  throw new Error(`--criterion: "${value}" is none of answer, verified, both`);
}

const CRITERION_NOTE: Record<PassCriterion, string> = {
  answer: '',
  verified: '; verified traces only: a fully correct worked trace, so a guessed digit does not count',
};

/**
 * The models of a run compared, as Markdown: for each suite and sampling method, pass@k per model at k = 1, 2, 4, …,
 * n, the k where the first model catches up with each other model, and the items each solves at any k (which
 * combinations of models solve them); for greedy methods, the share of outputs that show worked steps. Under the
 * `verified` criterion a success is a verified worked trace (metrics/verified.ts), on suites of digit chains only.
 */
export function formatComparison(
  results: RunResults,
  only: { suite?: string; method?: string; criteria?: readonly PassCriterion[] } = {},
): string {
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
      for (const criterion of only.criteria ?? ['answer']) {
        if (criterion === 'verified' && !isVerifiableSuite(s.items)) {
          out.push('', `### ${s.suiteName} · ${method}: no verified criterion (its questions are not digit chains)`);
          continue;
        }
        const note = CRITERION_NOTE[criterion];
        const curves = modelPassCurves(results, s, method, criterion);
        if (curves.length < 2) continue;
        if (curves[0]!.n > 1) {
          out.push(
            '',
            `### ${s.suiteName} · ${method}: pass@k (unbiased estimator, n = ${curves[0]!.n} samples per item${note})`,
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
          const cov = modelCoverage(results, s, method, criterion);
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
          out.push('', `### ${s.suiteName} · ${method}: accuracy and worked steps${note}`, '');
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
  }
  return out.join('\n');
}
