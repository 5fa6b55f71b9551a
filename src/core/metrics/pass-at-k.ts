import type { Rng } from '../rng.ts';

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

export interface MajAtK {
  /** maj@k for k = 1…n. */
  values: number[];
  /** Standard error of each value when it is a seeded estimate; absent when the values are exact. */
  errors?: number[];
}

/** Above this many multiply-adds the exact count gives way to a seeded estimate (n = 64, every path right: ~2·10⁷). */
export const MAJ_EXACT_BUDGET = 3e7;
/** Random orders drawn for the estimate: each gives one k-subset for every k (its first k paths). */
export const MAJ_ESTIMATE_DRAWS = 4000;

/**
 * maj@k for k = 1…n on one item: the probability that a majority vote over k of the n paths, drawn without
 * replacement (every k-subset equally likely), picks a correct answer — the expectation that pass@k also is, so
 * both curves can share a chart. Inside a subset the vote follows `choosePath(…, 'majority')` (methods/aggregate.ts):
 * paths without an answer do not vote, the most frequent answer wins, and a tie goes to the answer whose first
 * path comes earliest in path order. A subset where no path answered scores 0.
 *
 * Exact when the count below fits in MAJ_EXACT_BUDGET (always for n <= 64), else estimated from
 * MAJ_ESTIMATE_DRAWS random orders of the paths drawn with `rng`, with standard errors.
 */
export function majAtKCurve(
  answers: readonly (string | null)[],
  correct: (answer: string) => boolean,
  rng?: Rng,
  budget = MAJ_EXACT_BUDGET,
): MajAtK {
  const n = answers.length;
  if (n === 0) return { values: [] };
  const classes = answerClasses(answers);
  const right = classes.filter((c) => correct(c.answer));
  const work = right.reduce(
    (w, c) => w + ((c.positions.length * (c.positions.length + 1)) / 2) * n * (n + classes.length),
    0,
  );
  if (work <= budget) return { values: exactMajAtK(n, classes, right) };
  if (!rng) throw new Error(`maj@k over ${n} paths needs a seeded rng for its estimate`);
  return estimateMajAtK(answers, correct, rng);
}

interface AnswerClass {
  answer: string;
  /** Indices of the paths that gave this answer, in order. */
  positions: number[];
}

function answerClasses(answers: readonly (string | null)[]): AnswerClass[] {
  const byAnswer = new Map<string, AnswerClass>();
  answers.forEach((a, i) => {
    if (a === null) return;
    const c = byAnswer.get(a) ?? { answer: a, positions: [] };
    c.positions.push(i);
    byAnswer.set(a, c);
  });
  return [...byAnswer.values()];
}

/** Pascal's triangle up to n, as floats (C(64, 32) ≈ 1.8·10¹⁸ keeps 15 significant digits). */
function binomials(n: number): number[][] {
  const c: number[][] = [[1]];
  for (let i = 1; i <= n; i++) {
    const row = [1];
    for (let j = 1; j < i; j++) row.push(c[i - 1]![j - 1]! + c[i - 1]![j]!);
    row.push(1);
    c.push(row);
  }
  return c;
}

/**
 * Count the k-subsets a correct answer A wins. Condition on A's first path in the subset (p, the r-th of A's paths)
 * and on how many of A's paths the subset holds (a: p and a − 1 of the paths after it). A wins iff every other
 * answer B holds fewer than a paths, or exactly a with none before p; unanswered paths are free. The number of ways
 * to fill the rest of a subset of size k is the coefficient of t^(k−a) in the product of one polynomial per other
 * class: Σ_{x<a} C(|B|, x)·t^x + C(|B after p|, a)·t^a, and Σ_x C(#unanswered, x)·t^x.
 */
function exactMajAtK(n: number, classes: readonly AnswerClass[], right: readonly AnswerClass[]): number[] {
  const C = binomials(n);
  const unanswered = n - classes.reduce((s, c) => s + c.positions.length, 0);
  const wins = new Array<number>(n + 1).fill(0);
  for (const A of right) {
    const others = classes.filter((c) => c !== A);
    A.positions.forEach((p, r) => {
      const later = A.positions.length - r - 1;
      for (let a = 1; a <= later + 1; a++) {
        let poly = C[unanswered]!.slice();
        for (const B of others) {
          const after = B.positions.filter((q) => q > p).length;
          const g = C[B.positions.length]!.slice(0, Math.min(a, B.positions.length + 1));
          if (after >= a) g[a] = C[after]![a]!;
          poly = multiply(poly, g, n - a);
        }
        const waysA = C[later]![a - 1]!;
        for (let rest = 0; rest < poly.length && a + rest <= n; rest++) wins[a + rest]! += waysA * poly[rest]!;
      }
    });
  }
  // Binomial sums in floating point can land a hair above 1 (1.0000000000000002 at n = 64): a probability is <= 1.
  return Array.from({ length: n }, (_, i) => Math.min(1, wins[i + 1]! / C[n]![i + 1]!));
}

/** Product of two coefficient lists, truncated after degree `maxDegree`. */
function multiply(x: readonly number[], y: readonly number[], maxDegree: number): number[] {
  const out = new Array<number>(Math.min(x.length + y.length - 1, maxDegree + 1)).fill(0);
  for (let i = 0; i < x.length && i < out.length; i++) {
    if (x[i] === 0) continue;
    for (let j = 0; j < y.length && i + j < out.length; j++) out[i + j]! += x[i]! * y[j]!;
  }
  return out;
}

/**
 * The estimate: each draw is a random order of the paths, whose first k paths are a uniform k-subset for every k;
 * the vote over them is kept up to date as paths are added (an answer only gains count and can only move its first
 * path earlier, so the leader changes only to the answer just added).
 */
function estimateMajAtK(answers: readonly (string | null)[], correct: (answer: string) => boolean, rng: Rng): MajAtK {
  const n = answers.length;
  const hits = new Array<number>(n).fill(0);
  const order = answers.map((_, i) => i);
  for (let d = 0; d < MAJ_ESTIMATE_DRAWS; d++) {
    const votes = new Map<string, { count: number; first: number }>();
    let leader: string | null = null;
    for (let k = 0; k < n; k++) {
      const j = k + Math.floor(rng.next() * (n - k));
      [order[k], order[j]] = [order[j]!, order[k]!];
      const i = order[k]!;
      const a = answers[i] ?? null;
      if (a !== null) {
        const v = votes.get(a) ?? { count: 0, first: i };
        v.count++;
        v.first = Math.min(v.first, i);
        votes.set(a, v);
        const l = leader === null ? undefined : votes.get(leader);
        if (!l || v.count > l.count || (v.count === l.count && v.first < l.first)) leader = a;
      }
      if (leader !== null && correct(leader)) hits[k]!++;
    }
  }
  const values = hits.map((h) => h / MAJ_ESTIMATE_DRAWS);
  return { values, errors: values.map((p) => Math.sqrt((p * (1 - p)) / MAJ_ESTIMATE_DRAWS)) };
}
