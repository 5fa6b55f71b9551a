import { summarize } from '../../cli/summary.ts';
import { accuracyOf } from '../../src/core/metrics/accuracy.ts';
import {
  baselineId,
  calibrationGroups,
  CONFIDENCE_MEASURES,
  entropyBySuite,
  gapRows,
  leaderboard,
  samplingCurves,
} from '../../src/core/metrics/comparison.ts';
import { answerTokenIndices } from '../../src/core/methods/confidence.ts';
import { toCsv } from '../../src/core/run/export.ts';
import type { RunResults } from '../../src/core/run/results.ts';

/**
 * Every view's data function on one run, as the Compare tabs, the results table, the trace view, the CSV export and
 * `coax show` call them. Throws what the first one throws.
 */
export function allViewData(results: RunResults): unknown[] {
  const out: unknown[] = [];
  out.push(leaderboard(results), gapRows(results), baselineId(results.methods));
  for (const m of CONFIDENCE_MEASURES) out.push(calibrationGroups(results, m.id));
  out.push(entropyBySuite(results));
  for (const s of results.suites) {
    out.push(samplingCurves(s, results.methods));
    for (const m of results.methods) out.push(accuracyOf(s.items, m.id));
    for (const it of s.items)
      for (const o of Object.values(it.outputs)) {
        if (o.extracted) out.push(answerTokenIndices(o.tokens, o.extracted));
        for (const p of o.paths ?? []) if (p.extracted) out.push(answerTokenIndices(p.tokens, p.extracted));
      }
  }
  out.push(toCsv(results), summarize(results));
  return out;
}
