import { accuracyOf, type MethodAccuracy } from '../src/core/metrics/accuracy.ts';
import type { RunResults } from '../src/core/run/results.ts';

export interface SummaryRow extends MethodAccuracy {
  suiteName: string;
  generatedTokens: number;
  ms: number;
  meanEntropy: number;
}

/** Accuracy with 95% Wilson intervals, tokens and time, per suite × method. */
export function summarize(results: RunResults): SummaryRow[] {
  return results.suites.flatMap((s) =>
    results.methods.map((m) => {
      let tokens = 0;
      let ms = 0;
      let entropySum = 0;
      let entropyN = 0;
      for (const item of s.items) {
        const out = item.outputs[m.id];
        if (!out) continue;
        tokens += out.generatedTokens;
        ms += out.ms;
        for (const t of out.tokens) {
          entropySum += t.entropy;
          entropyN++;
        }
      }
      return { suiteName: s.suiteName, ...accuracyOf(s.items, m.id), generatedTokens: tokens, ms, meanEntropy: entropyN ? entropySum / entropyN : 0 };
    }),
  );
}

export function formatTable(rows: readonly SummaryRow[]): string {
  const header = ['suite', 'method', 'accuracy', '95% CI', 'correct/n', 'tokens', 'entropy', 'time'];
  const body = rows.map((r) => [
    r.suiteName,
    r.methodId,
    `${(r.accuracy * 100).toFixed(1)}%`,
    `${(r.low * 100).toFixed(1)}–${(r.high * 100).toFixed(1)}`,
    `${r.correct}/${r.n}`,
    String(r.generatedTokens),
    r.meanEntropy.toFixed(3),
    `${(r.ms / 1000).toFixed(1)}s`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i >= 2 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}
