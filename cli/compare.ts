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
import { coverageOfCounts, curveOfCounts, type Coverage } from '../src/core/metrics/pass-counts.ts';
import { indexSummaries, summaryCounts, type PassSummary } from '../src/core/run/pass-summary.ts';

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
 * One suite × method × criterion of a comparison: pass@k per model at k = 1, 2, 4, …, n, the k where the first model
 * catches up with each other model, and the items each solves at any k by the combination of models that solve them.
 */
function passSection(
  suite: string,
  method: string,
  criterion: PassCriterion,
  curves: readonly ModelCurve[],
  cov: Coverage,
): string[] {
  const out: string[] = [];
  const note = CRITERION_NOTE[criterion];
  const base = curves[0]!;
  const first = base.modelId;
  out.push('', `### ${suite} · ${method}: pass@k (unbiased estimator, n = ${base.n} samples per item${note})`, '');
  out.push(...curveTable(curves));
  for (const c of curves.slice(1)) {
    const k = crossoverK(base.passAtK, c.passAtK);
    out.push(
      '',
      `crossover: ${shortModelName(first)} reaches ${shortModelName(c.modelId)}'s pass@k ${
        k === null ? `at no k ≤ ${Math.min(base.n, c.n)}` : `from k = ${k}`
      }`,
    );
  }
  out.push('', `items solved at any k (of ${cov.items}), by the models that solve them:`, '');
  out.push('| solved by | items | first items |', '|---|---|---|');
  for (const g of cov.groups)
    out.push(
      `| ${g.models.length ? g.models.map(shortModelName).join(' + ') : 'none'} | ${g.itemIds.length} | ${g.itemIds.slice(0, 5).join(', ')}${g.itemIds.length > 5 ? ', …' : ''} |`,
    );
  for (const m of cov.models.filter((x) => x !== first)) {
    const solved = new Set(cov.solved[first]);
    const outside = cov.solved[m]!.filter((id) => !solved.has(id));
    out.push(
      '',
      `${shortModelName(m)} solves ${cov.solved[m]!.length} items, ${outside.length} of them not solved by ${shortModelName(first)}${
        outside.length ? ` (${outside.slice(0, 10).join(', ')}${outside.length > 10 ? ', …' : ''})` : ''
      }`,
    );
  }
  return out;
}

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
            ...passSection(s.suiteName, method, criterion, curves, modelCoverage(results, s, method, criterion)),
          );
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

/**
 * The same comparison from pass summaries (tools/pass-summary.ts, e.g. training/organism/measured/*.summary.json):
 * the pass@k, crossover and coverage sections, equal to those of the full results files they summarise. Summaries
 * hold only sampling methods, so there is no accuracy-and-worked-steps section.
 */
export function formatSummaryComparison(
  summaries: readonly PassSummary[],
  only: { suite?: string; method?: string; criteria?: readonly PassCriterion[] } = {},
): string {
  const index = indexSummaries(summaries);
  if (index.models.length < 2)
    throw new Error(`coax compare needs summaries of several models; these hold only ${index.models.join(', ')}`);
  const groups = [...index.groups.values()];
  const suites = [...new Set(groups.map((g) => g.suite))];
  const methods = [...new Set(groups.map((g) => g.methodId))];
  if (only.suite && !suites.includes(only.suite))
    throw new Error(`--suite: the summaries have no suite "${only.suite}"; they have ${suites.join(', ')}`);
  if (only.method && !methods.includes(only.method))
    throw new Error(`--method: the summaries have no method "${only.method}"; they have ${methods.join(', ')}`);
  const out: string[] = [
    `models: ${index.models.join(', ')} · seed ${index.seeds.join(', ')} · from ${summaries.length} pass summaries`,
  ];
  for (const suite of only.suite ? [only.suite] : suites)
    for (const method of only.method ? [only.method] : methods)
      for (const criterion of only.criteria ?? ['answer']) {
        const items = groups.filter((g) => g.suite === suite).flatMap((g) => [...g.items.values()]);
        if (criterion === 'verified' && !isVerifiableSuite(items)) {
          out.push('', `### ${suite} · ${method}: no verified criterion (its questions are not digit chains)`);
          continue;
        }
        const curves = summaryCounts(index, suite, method, criterion).flatMap((m) => curveOfCounts(m) ?? []);
        if (curves.length < 2) continue;
        const cov = coverageOfCounts(suite, method, summaryCounts(index, suite, method, criterion, true));
        out.push(...passSection(suite, method, criterion, curves, cov));
      }
  return out.join('\n');
}
