import type { MethodSpec } from '../methods/method.ts';
import type { MethodOutput, RunResults, SuiteResults } from '../run/results.ts';
import { columnsOf, modelsOf, type Column } from '../run/models.ts';
import { wilson } from './accuracy.ts';
import { leaderboard, type LeaderboardRow } from './comparison.ts';
import { mcnemarExact, pairedCounts, type McNemar } from './mcnemar.ts';
import { coverageOfCounts, curveOfCounts, type Coverage, type ModelCounts, type ModelCurve } from './pass-counts.ts';
import { answerText, verifiedChainTrace } from './verified.ts';

/** Comparisons between the models of a multi-model run (run/models.ts): every function reads stored results. */

export interface ModelRow extends LeaderboardRow {
  modelId: string;
  /** The method's own id (the row's methodId is the model × method entry). */
  method: string;
  /**
   * Paired exact McNemar test of this model against the run's first model, same method, on the items both
   * answered (null for the first model's rows).
   */
  vsFirstModel: McNemar | null;
}

/** The leaderboard of a run, each row with its model and, against the first model with the same method, McNemar. */
export function modelLeaderboard(results: RunResults): ModelRow[] {
  const columns = columnsOf(results);
  const first = modelsOf(results)[0]!;
  const byId = new Map(columns.map((c) => [c.id, c]));
  const rows = leaderboard(results);
  return rows.map((r) => {
    const c = byId.get(r.methodId)!;
    const ref = columns.find((x) => x.modelId === first && x.methodId === c.methodId);
    let vsFirstModel: McNemar | null = null;
    if (ref && c.modelId !== first) {
      const suite = results.suites.find((s) => s.suiteName === r.suiteName)!;
      const pairs = suite.items.flatMap((it) => {
        const a = it.outputs[c.id];
        const b = it.outputs[ref.id];
        return a && b && it.answer !== '' ? [{ method: a.correct, baseline: b.correct }] : [];
      });
      const { gained, lost } = pairedCounts(pairs);
      vsFirstModel = mcnemarExact(gained, lost);
    }
    return { ...r, modelId: c.modelId, method: c.methodId, vsFirstModel };
  });
}

/** A suite's accuracy per method (rows) and model (columns): the elicitation-gap matrix of a multi-model run. */
export interface GapMatrix {
  suiteName: string;
  models: string[];
  methods: string[];
  /** cells[method][model]: correct/n, or null where that model did not run that method. */
  cells: ({ correct: number; n: number; accuracy: number; low: number; high: number } | null)[][];
}

export function modelGapMatrix(results: RunResults): GapMatrix[] {
  const columns = columnsOf(results);
  const models = modelsOf(results);
  const methods = [...new Set(columns.map((c) => c.methodId))];
  return results.suites.map((s) => ({
    suiteName: s.suiteName,
    models,
    methods,
    cells: methods.map((method) =>
      models.map((model) => {
        const c = columns.find((x) => x.modelId === model && x.methodId === method);
        if (!c) return null;
        const outs = s.items.filter((it) => it.answer !== '' && it.outputs[c.id]);
        const correct = outs.filter((it) => it.outputs[c.id]!.correct).length;
        const n = outs.length;
        return { correct, n, accuracy: n ? correct / n : 0, ...wilson(correct, n) };
      }),
    ),
  }));
}

/**
 * What counts as solving an item: `answer` = the extracted answer is right (the suite's scoring); `verified` = the
 * output is a fully correct worked trace of the item's digit chain (metrics/verified.ts), which cannot be guessed.
 */
export type PassCriterion = 'answer' | 'verified';

/**
 * A method's outcomes on one item as independent draws: every path of a sampling method, else its one output. (The
 * branches of CoT-decoding are the top-k first tokens, not samples: pass@k over them would count a model that
 * lists every digit as solving every item, so they count as the method's one answer.) Under `verified`, a draw
 * counts only if its text is a verified trace of `question`.
 */
export function pathVerdicts(
  method: MethodSpec,
  out: MethodOutput,
  criterion: PassCriterion = 'answer',
  question = '',
): boolean[] {
  const draws = method.decoding.kind === 'sample' && out.paths && out.paths.length > 0 ? out.paths : [out];
  return criterion === 'answer'
    ? draws.map((p) => p.correct)
    : draws.map((p) => verifiedChainTrace(question, answerText(out.prompt, p.text)));
}

export type { Coverage, CoverageGroup, ModelCurve } from './pass-counts.ts';

/** The entries of a method (its own id) in a run, one per model that ran it, in model order. */
export function columnsOfMethod(results: RunResults, method: string): Column[] {
  const models = modelsOf(results);
  return columnsOf(results)
    .filter((c) => c.methodId === method)
    .sort((a, b) => models.indexOf(a.modelId) - models.indexOf(b.modelId));
}

/**
 * pass@k for k = 1…n of each model with one method on one suite, by the unbiased estimator (Chen et al. 2021) from
 * each item's n paths; a single-path method gives n = 1. The same n for every item (the smallest, when they differ).
 * `criterion` says what counts as a success (PassCriterion).
 */
export function modelPassCurves(
  results: RunResults,
  suite: SuiteResults,
  method: string,
  criterion: PassCriterion = 'answer',
): ModelCurve[] {
  return modelPassCounts(results, suite, method, criterion, false).flatMap((m) => curveOfCounts(m) ?? []);
}

/**
 * Each model's per-item counts with one method on one suite (pathVerdicts' draws): items with a reference answer and
 * an output of that model, or with `common`, only items every model answered. Without `common`, each model's draws
 * are cut to its smallest n over the items, so one curve has one n.
 */
export function modelPassCounts(
  results: RunResults,
  suite: SuiteResults,
  method: string,
  criterion: PassCriterion = 'answer',
  common = false,
): ModelCounts[] {
  const cols = columnsOfMethod(results, method);
  const answered = suite.items.filter((it) => it.answer !== '');
  return cols.map((c) => {
    const items = answered.filter((it) => (common ? cols.every((x) => it.outputs[x.id]) : it.outputs[c.id]));
    const verdicts = items.map((it) => pathVerdicts(c.method, it.outputs[c.id]!, criterion, it.question));
    const n = common ? Infinity : Math.min(...verdicts.map((v) => v.length));
    return {
      modelId: c.modelId,
      columnId: c.id,
      items: items.map((it, i) => {
        const v = verdicts[i]!.slice(0, n);
        return { itemId: it.itemId, n: v.length, c: v.filter(Boolean).length };
      }),
    };
  });
}

/** The k a table of pass@k shows (the CLI's and the page's): powers of two below n, and n. */
export function tableKs(n: number): number[] {
  const ks: number[] = [];
  for (let k = 1; k < n; k *= 2) ks.push(k);
  ks.push(n);
  return ks;
}

/** The smallest k at which `a`'s pass@k reaches `b`'s (`a` catches up), or null if it never does within both curves. */
export function crossoverK(a: readonly number[], b: readonly number[]): number | null {
  const n = Math.min(a.length, b.length);
  for (let k = 1; k <= n; k++) if (a[k - 1]! >= b[k - 1]!) return k;
  return null;
}

/**
 * Which items each model solves at any k (some path correct, under `criterion`) with one method on one suite, and the
 * items by the exact set of models that solved them. Only items every model answered count, so the groups partition
 * them.
 */
export function modelCoverage(
  results: RunResults,
  suite: SuiteResults,
  method: string,
  criterion: PassCriterion = 'answer',
): Coverage {
  return coverageOfCounts(suite.suiteName, method, modelPassCounts(results, suite, method, criterion, true));
}

/**
 * Whether an output shows worked steps rather than a bare answer: its text writes an intermediate result with "="
 * (the organism's worked form, `7*6*4 = 2*4 = …`, as any other chain written out).
 */
export function isWorked(out: Pick<MethodOutput, 'text'>): boolean {
  return out.text.includes('=');
}

/** The share of a column's outputs on a suite that show worked steps (see isWorked), with its 95% Wilson interval. */
export function workedShare(
  suite: SuiteResults,
  columnId: string,
): { worked: number; n: number; low: number; high: number } {
  const outs = suite.items.map((it) => it.outputs[columnId]).filter((o): o is MethodOutput => !!o);
  const worked = outs.filter(isWorked).length;
  return { worked, n: outs.length, ...wilson(worked, outs.length) };
}
