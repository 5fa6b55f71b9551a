/**
 * Unbiased pass@k (Chen et al. 2021): 1 − C(n−c, k) / C(n, k), computed as a product so it stays exact
 * for large n: 1 − Π_{i=n−c+1..n} (1 − k / i).
 */
export function passAtK(n: number, c: number, k: number): number {
  if (!(Number.isInteger(n) && Number.isInteger(c) && Number.isInteger(k))) throw new Error('pass@k needs integers');
  if (k < 1 || k > n || c < 0 || c > n)
    throw new Error(`pass@k needs 1 <= k <= n and 0 <= c <= n, got n=${n} c=${c} k=${k}`);
  if (n - c < k) return 1;
  let prod = 1;
  for (let i = n - c + 1; i <= n; i++) prod *= 1 - k / i;
  return 1 - prod;
}

/**
 * maj@k for k = 1…n on one item: 1 if the majority answer of the first k paths (ties to the earliest answer)
 * is correct, else 0. Using the first k keeps it deterministic and reproducible from the stored paths.
 */
export function majAtKCurve(answers: readonly (string | null)[], correct: (answer: string) => boolean): number[] {
  const counts = new Map<string, { count: number; first: number }>();
  const out: number[] = [];
  let best: string | null = null;
  answers.forEach((a, i) => {
    if (a !== null) {
      const c = counts.get(a) ?? { count: 0, first: i };
      c.count++;
      counts.set(a, c);
      const b = best === null ? undefined : counts.get(best);
      if (!b || c.count > b.count || (c.count === b.count && c.first < b.first)) best = a;
    }
    out.push(best !== null && correct(best) ? 1 : 0);
  });
  return out;
}
