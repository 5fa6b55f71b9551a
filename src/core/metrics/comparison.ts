import type { MethodSpec } from '../methods/method.ts';
import type { ItemResult, MethodOutput, RunResults, SuiteResults } from '../run/results.ts';
import { accuracyOf, type MethodAccuracy } from './accuracy.ts';
import { calibrate, type Calibration } from './calibration.ts';
import { entropySums, givenAnswer } from './entropy.ts';
import { answerProbability, methodProbability, voteShare } from '../methods/confidence.ts';
import { mcnemarExact, pairedCounts, type McNemar } from './mcnemar.ts';
import { suiteMetrics, type MetricValue } from './suite-metrics.ts';

/** Everything the comparison view shows, computed from stored results (the UI renders, never recomputes). */

export interface LeaderboardRow extends MethodAccuracy {
  suiteName: string;
  split?: string;
  generatedTokens: number;
  ms: number;
  isBaseline: boolean;
  /** Paired exact McNemar test against the baseline on the items both answered (null for the baseline). */
  vsBaseline: McNemar | null;
  /** The registry's extra metrics that apply to this suite (metrics/suite-metrics.ts), by id. */
  metrics: Record<string, MetricValue>;
}

/** The baseline: greedy decoding on the plain prompt if the run has it, else the first method. */
export function baselineId(methods: readonly MethodSpec[]): string {
  const plain = methods.find(
    (m) =>
      m.decoding.kind === 'greedy' &&
      !m.steer &&
      m.prompt.shots === 0 &&
      m.prompt.triggerSource === 'none' &&
      m.prompt.template === 'qa',
  );
  return (plain ?? methods[0])?.id ?? '';
}

export function leaderboard(results: RunResults, baseline = baselineId(results.methods)): LeaderboardRow[] {
  return results.suites.flatMap((s) =>
    results.methods.map((m) => {
      let tokens = 0;
      let ms = 0;
      const pairs: { method: boolean; baseline: boolean }[] = [];
      for (const item of s.items) {
        const out = item.outputs[m.id];
        if (!out) continue;
        // Open-ended items count for tokens and time; only items with a reference answer pair with the baseline.
        tokens += out.generatedTokens;
        ms += out.ms;
        const base = item.outputs[baseline];
        if (item.answer !== '' && base) pairs.push({ method: out.correct, baseline: base.correct });
      }
      const isBaseline = m.id === baseline;
      const { gained, lost } = pairedCounts(pairs);
      return {
        suiteName: s.suiteName,
        split: s.split,
        ...accuracyOf(s.items, m.id),
        generatedTokens: tokens,
        ms,
        isBaseline,
        vsBaseline: isBaseline ? null : mcnemarExact(gained, lost),
        metrics: suiteMetrics(s, m),
      };
    }),
  );
}

export type GapKind = 'latent' | 'all-right' | 'all-wrong' | 'baseline-only' | 'mixed' | 'pending';

export interface GapRow {
  suiteName: string;
  itemIndex: number;
  item: ItemResult;
  kind: GapKind;
  /** Methods other than the baseline that got it right. */
  rescuedBy: number;
}

/**
 * Items × methods, with "latent" items (baseline wrong, some other method right) first, then the rest by kind.
 * Stable within a kind: suite order, then item order.
 */
export function gapRows(results: RunResults, baseline = baselineId(results.methods)): GapRow[] {
  const others = results.methods.map((m) => m.id).filter((id) => id !== baseline);
  const rank: Record<GapKind, number> = {
    latent: 0,
    mixed: 1,
    'baseline-only': 2,
    'all-wrong': 3,
    'all-right': 4,
    pending: 5,
  };
  const rows = results.suites.flatMap((s) =>
    s.items.map((item, itemIndex): GapRow => {
      const base = item.outputs[baseline];
      const outs = others.map((id) => item.outputs[id]).filter((o): o is MethodOutput => o !== undefined);
      const rescuedBy = outs.filter((o) => o.correct).length;
      let kind: GapKind;
      if (!base || outs.length < others.length) kind = 'pending';
      else if (!base.correct && rescuedBy > 0) kind = 'latent';
      else if (base.correct && rescuedBy === outs.length) kind = 'all-right';
      else if (!base.correct) kind = 'all-wrong';
      else if (rescuedBy === 0 && outs.length > 0) kind = 'baseline-only';
      else kind = 'mixed';
      return { suiteName: s.suiteName, itemIndex, item, kind, rescuedBy };
    }),
  );
  return rows
    .map((r, i) => ({ r, i }))
    .sort((a, b) => rank[a.r.kind] - rank[b.r.kind] || b.r.rescuedBy - a.r.rescuedBy || a.i - b.i)
    .map((x) => x.r);
}

/** What the calibration view takes as a method's confidence in its answer. */
export type ConfidenceMeasure = 'answer-probability' | 'delta' | 'vote-share';

export const CONFIDENCE_MEASURES: readonly { id: ConfidenceMeasure; label: string; description: string }[] = [
  {
    id: 'answer-probability',
    label: 'answer probability',
    description:
      "the method's probability of its answer: the product of the answer tokens' probabilities on the chosen path, or, for a majority vote over 4 or more samples, the winning vote share",
  },
  {
    id: 'delta',
    label: 'Δ',
    description:
      "the chosen path's answer margin Δ (mean p(chosen) − p(best other) over the answer's tokens), a margin rather than a probability, clipped to [0, 1]",
  },
  {
    id: 'vote-share',
    label: 'vote share',
    description: 'the share of all paths that gave the chosen answer (methods with several paths only)',
  },
];

/**
 * A method's confidence in its answer under a measure: 0 without an answer, null where the measure does not apply
 * (a vote share for a single-path method). Results stored before `probability` was recorded get it computed here
 * by the same rule.
 */
export function confidenceOf(out: MethodOutput, method: MethodSpec, measure: ConfidenceMeasure): number | null {
  const multi = !!out.paths && out.paths.length > 1;
  if (measure === 'vote-share') {
    if (!multi || !out.votes) return null;
    return voteShare(out.extracted?.value ?? null, out.votes, out.paths!.length) ?? 0;
  }
  if (!out.extracted) return 0;
  if (measure === 'delta') return Math.max(0, Math.min(1, out.delta ?? 0));
  const p =
    out.probability !== undefined
      ? out.probability
      : methodProbability(
          method.decoding,
          { extracted: out.extracted, answerProb: out.answerProb ?? answerProbability(out.tokens, out.extracted) },
          out.votes,
          out.paths?.length ?? 1,
        ).probability;
  return Math.max(0, Math.min(1, p ?? 0));
}

/** In-distribution vs out-of-distribution by the suite's split ('ood-…' is OOD). */
export function distributionOf(s: Pick<SuiteResults, 'split'>): 'in-distribution' | 'out-of-distribution' {
  return s.split?.startsWith('ood') ? 'out-of-distribution' : 'in-distribution';
}

export interface CalibrationGroup {
  methodId: string;
  group: 'in-distribution' | 'out-of-distribution';
  measure: ConfidenceMeasure;
  /** Bins, ECE and n (scored items); the bin count is `calibration.bins.length`. */
  calibration: Calibration;
}

/** Calibration per method and split under one confidence measure; a method the measure does not apply to is left out. */
export function calibrationGroups(
  results: RunResults,
  measure: ConfidenceMeasure = 'answer-probability',
  bins = 10,
): CalibrationGroup[] {
  const out: CalibrationGroup[] = [];
  for (const m of results.methods) {
    for (const group of ['in-distribution', 'out-of-distribution'] as const) {
      const points = results.suites
        .filter((s) => distributionOf(s) === group)
        .flatMap((s) =>
          s.items.flatMap((it) => {
            const o = it.outputs[m.id];
            const confidence = o && it.answer !== '' ? confidenceOf(o, m, measure) : null;
            return confidence === null ? [] : [{ confidence, correct: o!.correct }];
          }),
        );
      if (points.length > 0) out.push({ methodId: m.id, group, measure, calibration: calibrate(points, bins) });
    }
  }
  return out;
}

export interface EntropyRow {
  suiteName: string;
  relation?: string;
  methodId: string;
  /** Mean entropy (nats) over every generated token of the chosen outputs, and how many tokens. */
  meanEntropy: number;
  tokens: number;
  /** The same over content tokens only (format tokens left out: see metrics/entropy.ts). */
  contentEntropy: number;
  contentTokens: number;
  /** Outputs, distinct answers among them, and distinct / outputs: the diversity of what the method says. */
  outputs: number;
  distinctAnswers: number;
  diversity: number;
}

/** Mean per-token entropy (nats) of each method's chosen outputs, over all and over content tokens, per suite. */
export function entropyBySuite(results: RunResults): EntropyRow[] {
  return results.suites.flatMap((s) =>
    results.methods.map((m) => {
      const sums = { all: 0, tokens: 0, content: 0, contentTokens: 0 };
      const answers = new Set<string>();
      let outputs = 0;
      for (const it of s.items) {
        const o = it.outputs[m.id];
        if (!o) continue;
        outputs++;
        const e = entropySums(o);
        sums.all += e.all;
        sums.tokens += e.tokens;
        sums.content += e.content;
        sums.contentTokens += e.contentTokens;
        const a = givenAnswer(o);
        if (a !== null) answers.add(a);
      }
      return {
        suiteName: s.suiteName,
        relation: s.relation,
        methodId: m.id,
        meanEntropy: sums.tokens ? sums.all / sums.tokens : 0,
        tokens: sums.tokens,
        contentEntropy: sums.contentTokens ? sums.content / sums.contentTokens : 0,
        contentTokens: sums.contentTokens,
        outputs,
        distinctAnswers: answers.size,
        diversity: outputs ? answers.size / outputs : 0,
      };
    }),
  );
}

export interface CurvePoint {
  methodId: string;
  k: number;
  majAtK: number;
  /** Whether every item's maj@k is exact (else some are seeded estimates, and majAtKError is their standard error). */
  majAtKExact: boolean;
  majAtKError: number;
  passAtK: number;
}

/**
 * Mean maj@k and pass@k over a suite's items, for each sampling method. Both are expectations over k-subsets of
 * each item's n samples (see metrics/pass-at-k.ts); the error combines the items' estimates' standard errors.
 */
export function samplingCurves(s: SuiteResults, methods: readonly MethodSpec[]): CurvePoint[] {
  const out: CurvePoint[] = [];
  for (const m of methods) {
    const outs = s.items.map((it) => it.outputs[m.id]).filter((o): o is MethodOutput => !!o?.majAtK && !!o.passAtK);
    if (outs.length === 0) continue;
    const n = Math.min(...outs.map((o) => o.majAtK!.length));
    for (let k = 1; k <= n; k++) {
      const variance = outs.reduce((a, o) => a + (o.majAtKError?.[k - 1] ?? 0) ** 2, 0);
      out.push({
        methodId: m.id,
        k,
        majAtK: outs.reduce((a, o) => a + o.majAtK![k - 1]!, 0) / outs.length,
        majAtKExact: outs.every((o) => o.majAtKError === undefined),
        majAtKError: Math.sqrt(variance) / outs.length,
        passAtK: outs.reduce((a, o) => a + o.passAtK![k - 1]!, 0) / outs.length,
      });
    }
  }
  return out;
}
