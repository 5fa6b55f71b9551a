import { entropyBySuite, leaderboard, type LeaderboardRow } from '../src/core/metrics/comparison.ts';
import type { RunResults } from '../src/core/run/results.ts';

export interface SummaryRow extends LeaderboardRow {
  meanEntropy: number;
}

/** Accuracy with 95% Wilson intervals, tokens, time and mean entropy, per suite × method: the page's leaderboard data. */
export function summarize(results: RunResults): SummaryRow[] {
  const entropy = entropyBySuite(results);
  return leaderboard(results).map((r) => ({
    ...r,
    meanEntropy: entropy.find((e) => e.suiteName === r.suiteName && e.methodId === r.methodId)?.meanEntropy ?? 0,
  }));
}
export function formatTable(rows: readonly SummaryRow[]): string {
  const header = ['suite', 'method', 'accuracy', '95% CI', 'correct/n', 'p vs baseline', 'tokens', 'entropy', 'time'];
  const body = rows.map((r) => [
    r.suiteName,
    r.methodId,
    r.n ? `${(r.accuracy * 100).toFixed(1)}%` : '—',
    r.n ? `${(r.low * 100).toFixed(1)}–${(r.high * 100).toFixed(1)}` : '—',
    `${r.correct}/${r.n}`,
    r.vsBaseline
      ? `${r.vsBaseline.p < 0.001 ? '<0.001' : r.vsBaseline.p.toFixed(3)} (+${r.vsBaseline.gained}/−${r.vsBaseline.lost})`
      : 'baseline',
    String(r.generatedTokens),
    r.meanEntropy.toFixed(3),
    `${(r.ms / 1000).toFixed(1)}s`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i >= 2 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}
