import type { MethodSpec } from '../methods/method.ts';
import type { ItemResult, MethodOutput, RunResults, SuiteResults } from '../run/results.ts';
import { wilson, type MethodAccuracy } from './accuracy.ts';
import { calibrate, type Calibration } from './calibration.ts';
import { mcnemarExact, pairedCounts, type McNemar } from './mcnemar.ts';

/** Everything the comparison view shows, computed from stored results (the UI renders, never recomputes). */

export interface LeaderboardRow extends MethodAccuracy {
  suiteName: string;
  split?: string;
  generatedTokens: number;
  ms: number;
  isBaseline: boolean;
  /** Paired exact McNemar test against the baseline on the items both answered (null for the baseline). */
  vsBaseline: McNemar | null;
}

/** The baseline: greedy decoding on the plain prompt if the run has it, else the first method. */
export function baselineId(methods: readonly MethodSpec[]): string {
  const plain = methods.find(
    (m) =>
      m.decoding.kind === 'greedy' &&
      m.prompt.shots === 0 &&
      m.prompt.triggerSource === 'none' &&
      m.prompt.template === 'qa',
  );
  return (plain ?? methods[0])?.id ?? '';
}

export function leaderboard(results: RunResults, baseline = baselineId(results.methods)): LeaderboardRow[] {
  return results.suites.flatMap((s) =>
    results.methods.map((m) => {
      let correct = 0;
      let n = 0;
      let tokens = 0;
      let ms = 0;
      const pairs: { method: boolean; baseline: boolean }[] = [];
      for (const item of s.items) {
        const out = item.outputs[m.id];
        if (!out) continue;
        tokens += out.generatedTokens;
        ms += out.ms;
        // Open-ended items have no reference answer: they count for tokens and time, not for accuracy.
        if (item.answer === '') continue;
        n++;
        if (out.correct) correct++;
        const base = item.outputs[baseline];
        if (base) pairs.push({ method: out.correct, baseline: base.correct });
      }
      const isBaseline = m.id === baseline;
      const { gained, lost } = pairedCounts(pairs);
      return {
        suiteName: s.suiteName,
        split: s.split,
        methodId: m.id,
        correct,
        n,
        accuracy: n ? correct / n : 0,
        ...wilson(correct, n),
        generatedTokens: tokens,
        ms,
        isBaseline,
        vsBaseline: isBaseline ? null : mcnemarExact(gained, lost),
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

/** A method's confidence in its answer: the vote share for multi-path methods, else Δ; 0 without an answer. */
export function answerConfidenceOf(out: MethodOutput): number {
  if (!out.extracted) return 0;
  if (out.paths && out.votes && out.paths.length > 1) {
    const winner = out.votes.find((v) => v.answer === out.extracted!.value);
    return winner ? winner.count / out.paths.length : 0;
  }
  return Math.max(0, Math.min(1, out.delta ?? 0));
}

/** In-distribution vs out-of-distribution by the suite's split ('ood-…' is OOD). */
export function distributionOf(s: Pick<SuiteResults, 'split'>): 'in-distribution' | 'out-of-distribution' {
  return s.split?.startsWith('ood') ? 'out-of-distribution' : 'in-distribution';
}

export interface CalibrationGroup {
  methodId: string;
  group: 'in-distribution' | 'out-of-distribution';
  calibration: Calibration;
}

export function calibrationGroups(results: RunResults, bins = 10): CalibrationGroup[] {
  const out: CalibrationGroup[] = [];
  for (const m of results.methods) {
    for (const group of ['in-distribution', 'out-of-distribution'] as const) {
      const points = results.suites
        .filter((s) => distributionOf(s) === group)
        .flatMap((s) =>
          s.items.flatMap((it) =>
            it.answer !== '' && it.outputs[m.id]
              ? [{ confidence: answerConfidenceOf(it.outputs[m.id]!), correct: it.outputs[m.id]!.correct }]
              : [],
          ),
        );
      if (points.length > 0) out.push({ methodId: m.id, group, calibration: calibrate(points, bins) });
    }
  }
  return out;
}

export interface EntropyRow {
  suiteName: string;
  relation?: string;
  methodId: string;
  meanEntropy: number;
  tokens: number;
}

/** Mean per-token entropy (nats) of each method's chosen outputs, per suite. */
export function entropyBySuite(results: RunResults): EntropyRow[] {
  return results.suites.flatMap((s) =>
    results.methods.map((m) => {
      let sum = 0;
      let tokens = 0;
      for (const it of s.items)
        for (const t of it.outputs[m.id]?.tokens ?? []) {
          sum += t.entropy;
          tokens++;
        }
      return {
        suiteName: s.suiteName,
        relation: s.relation,
        methodId: m.id,
        meanEntropy: tokens ? sum / tokens : 0,
        tokens,
      };
    }),
  );
}

export interface CurvePoint {
  methodId: string;
  k: number;
  majAtK: number;
  passAtK: number;
}

/** Mean maj@k and pass@k over a suite's items, for each sampling method. */
export function samplingCurves(s: SuiteResults, methods: readonly MethodSpec[]): CurvePoint[] {
  const out: CurvePoint[] = [];
  for (const m of methods) {
    const outs = s.items.map((it) => it.outputs[m.id]).filter((o): o is MethodOutput => !!o?.majAtK && !!o.passAtK);
    if (outs.length === 0) continue;
    const n = Math.min(...outs.map((o) => o.majAtK!.length));
    for (let k = 1; k <= n; k++) {
      out.push({
        methodId: m.id,
        k,
        majAtK: outs.reduce((a, o) => a + o.majAtK![k - 1]!, 0) / outs.length,
        passAtK: outs.reduce((a, o) => a + o.passAtK![k - 1]!, 0) / outs.length,
      });
    }
  }
  return out;
}
