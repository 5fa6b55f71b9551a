/**
 * Exact McNemar test of a method against a baseline on the same items: only discordant pairs count —
 * b = items the method gets right and the baseline wrong, c = the reverse. Two-sided p-value from
 * Binomial(b + c, 1/2): p = min(1, 2 · P[X <= min(b, c)]).
 */
export interface McNemar {
  /** Method right, baseline wrong. */
  gained: number;
  /** Baseline right, method wrong. */
  lost: number;
  p: number;
}

export function mcnemarExact(gained: number, lost: number): McNemar {
  const n = gained + lost;
  if (n === 0) return { gained, lost, p: 1 };
  const k = Math.min(gained, lost);
  // P[X <= k] for X ~ Binomial(n, 1/2), summed in log space so large n stays exact enough.
  let logC = 0;
  let cdf = 0;
  for (let i = 0; i <= k; i++) {
    if (i > 0) logC += Math.log(n - i + 1) - Math.log(i);
    cdf += Math.exp(logC - n * Math.LN2);
  }
  return { gained, lost, p: Math.min(1, 2 * cdf) };
}

/** Pair up two methods' verdicts on the items both answered. */
export function pairedCounts(pairs: readonly { method: boolean; baseline: boolean }[]): {
  gained: number;
  lost: number;
} {
  let gained = 0;
  let lost = 0;
  for (const p of pairs) {
    if (p.method && !p.baseline) gained++;
    else if (!p.method && p.baseline) lost++;
  }
  return { gained, lost };
}

/** How a p-value is written wherever one is shown (page, CLI, files): three decimals, "< 0.001" below that. */
export function formatPValue(p: number): string {
  return p < 0.001 ? '< 0.001' : p.toFixed(3);
}
