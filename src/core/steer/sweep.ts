import { wilson } from '../metrics/accuracy.ts';
import { mcnemarExact, pairedCounts, type McNemar } from '../metrics/mcnemar.ts';
import type { MethodSpec } from '../methods/method.ts';
import type { RunResults } from '../run/results.ts';
import type { Suite } from '../tasks/suite.ts';
import type { SteerPositions, SteerSpec } from './steer.ts';

/** A steered copy of a method: same prompt and decoding, `steer` added, id `<base>.steer-L<layer>x<scale>[-tag]` (a valid method id). */
export function steeredMethod(base: MethodSpec, steer: SteerSpec, tag?: string): MethodSpec {
  return {
    ...base,
    id: `${base.id}.steer-L${steer.layer}x${steer.scale}${tag ? `-${tag}` : ''}`,
    label: `${base.label}, steered (layer ${steer.layer}, scale ${steer.scale})`,
    steer,
  };
}

/** The suite's exemplar pool as items (ids ex-0, ex-1, …): where a sweep chooses layer and scale, away from test items. */
export function exemplarSuite(suite: Suite): Suite {
  return {
    ...suite,
    name: `${suite.name}:exemplars`,
    items: suite.exemplars.map((ex, i) => ({ id: `ex-${i}`, question: ex.question, answer: ex.answer })),
  };
}

/** Whether an output reasons: it writes at least one intermediate step ("a = b") before its answer. */
export function reasons(text: string): boolean {
  return /=/.test(text);
}

export interface SweepCell {
  methodId: string;
  layer: number | null;
  scale: number;
  positions: SteerPositions | null;
  correct: number;
  n: number;
  accuracy: number;
  low: number;
  high: number;
  /** Share of outputs that reason (see `reasons`). */
  reasoning: number;
}

/** Accuracy (95% Wilson), and the share of reasoning outputs, of each method of one suite in a run. */
export function sweepCells(results: RunResults, suiteName: string): SweepCell[] {
  const suite = results.suites.find((s) => s.suiteName === suiteName);
  if (!suite) throw new Error(`no suite "${suiteName}" in the results`);
  return results.methods.map((m) => {
    let correct = 0;
    let n = 0;
    let reasoning = 0;
    for (const item of suite.items) {
      const out = item.outputs[m.id];
      if (!out || item.answer === '') continue;
      n++;
      if (out.correct) correct++;
      if (reasons(out.text)) reasoning++;
    }
    return {
      methodId: m.id,
      layer: m.steer?.layer ?? null,
      scale: m.steer?.scale ?? 0,
      positions: m.steer ? (m.steer.positions ?? 'all') : null,
      correct,
      n,
      accuracy: n ? correct / n : 0,
      ...wilson(correct, n),
      reasoning: n ? reasoning / n : 0,
    };
  });
}

/** The best steered cell: highest accuracy, then the smaller |scale|, then the lower layer. */
export function bestCell(cells: readonly SweepCell[]): SweepCell {
  const steered = cells.filter((c) => c.layer !== null);
  if (steered.length === 0) throw new Error('the sweep has no steered methods');
  return steered.reduce((best, c) =>
    c.accuracy > best.accuracy ||
    (c.accuracy === best.accuracy &&
      (Math.abs(c.scale) < Math.abs(best.scale) ||
        (Math.abs(c.scale) === Math.abs(best.scale) && c.layer! < best.layer!)))
      ? c
      : best,
  );
}

/** Exact McNemar of `methodId` against `baselineId` on one suite's items. */
export function mcnemarOf(results: RunResults, suiteName: string, methodId: string, baselineId: string): McNemar {
  const suite = results.suites.find((s) => s.suiteName === suiteName);
  if (!suite) throw new Error(`no suite "${suiteName}" in the results`);
  const pairs = suite.items.flatMap((item) => {
    const a = item.outputs[methodId];
    const b = item.outputs[baselineId];
    return a && b && item.answer !== '' ? [{ method: a.correct, baseline: b.correct }] : [];
  });
  const { gained, lost } = pairedCounts(pairs);
  return mcnemarExact(gained, lost);
}
