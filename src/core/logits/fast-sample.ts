/**
 * The inverse-CDF draw of `sampleCategorical` without its per-token `Math.exp` or its allocation, giving the same
 * token id, bit for bit.
 *
 * The reference builds log-probabilities lp = x − (max + log S) and adds exp(lp) token by token until the sum passes
 * the uniform u. Here the terms e = exp(x − max) of S itself (computed anyway, in the same order, so S is the same
 * number) are kept in a scratch buffer and their running sum is compared with u·S: no exp per token. The two running
 * sums differ only by rounding, at most DELTA (below). When u lies more than DELTA away from the running sum on both
 * sides of the token found, the reference would stop at the same token; otherwise (about 4·DELTA of draws) the
 * reference's own exact walk decides. Either way the answer is the reference's.
 */
import { logSoftmax } from './distribution.ts';

/**
 * A bound on |reference running sum − ours / S|, as a fraction of the total probability. Rounding analysis with
 * ε = 2⁻⁵³: each term differs by ≤ (|x − max| + |lp| + |max − logZ| + 6)·ε relative, the two sequential sums and
 * S by ≤ V·ε each, logZ by ≤ (V + |logZ|)·ε; summed over the distribution ≤ (4V + 2·log V + |max| + 8)·ε. We
 * take 2⁻⁴⁰·(V + |max| + 64): more than 2000 times that, and still only ~5e-8 at V = 49152.
 */
export function cdfMargin(n: number, max: number): number {
  return 2 ** -40 * (n + Math.abs(max) + 64);
}

/**
 * Writes exp(values[i] − max) into `exps` (index order) and returns their sum: the sum `logSoftmax` computes,
 * bit for bit, kept term by term.
 */
export function expTerms(values: ArrayLike<number>, max: number, exps: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    const x = values[i]!;
    // exp(-Infinity) is exactly 0: a token a processor removed costs no call.
    const e = x === -Infinity ? 0 : Math.exp(x - max);
    exps[i] = e;
    sum += e;
  }
  return sum;
}

/**
 * The token the reference inverse CDF picks for uniform `u`, from the kept terms of S; -1 when u is within the
 * margin of a boundary (or past the end), where only the exact walk can tell.
 */
export function pickFromTerms(exps: Float64Array, n: number, sum: number, u: number, margin: number): number {
  const target = u * sum;
  const m = margin * sum;
  let before = 0;
  let cum = 0;
  for (let i = 0; i < n; i++) {
    before = cum;
    cum += exps[i]!;
    if (cum > target) return target >= before + m && target < cum - m ? i : -1;
  }
  return -1;
}

/** The reference's walk: the first token whose running sum of exp(lp) passes u; the last token with mass otherwise. */
export function inverseCdf(logProbs: ArrayLike<number>, u: number): number {
  let cdf = 0;
  let last = -1;
  for (let i = 0; i < logProbs.length; i++) {
    const lp = logProbs[i]!;
    if (lp === -Infinity) continue;
    cdf += Math.exp(lp);
    last = i;
    if (u < cdf) return i;
  }
  // Rounding left the CDF just below 1: the last token with mass takes the remainder.
  return last;
}

/** Scratch buffers of one vocabulary size, reused across rows and steps. */
export class SampleScratch {
  readonly exps: Float64Array;
  readonly logProbs: Float64Array;
  readonly scaled: Float32Array;
  constructor(readonly size: number) {
    this.exps = new Float64Array(size);
    this.logProbs = new Float64Array(size);
    this.scaled = new Float32Array(size);
  }
}

/**
 * sampleCategorical(values, u) given the terms of S already in `exps` (expTerms with this `max`): the certified
 * fast pick, else the exact walk (its log-probabilities written into `scratch.logProbs`). `max` and `sum` must be
 * what logSoftmax computes for `values`.
 */
export function drawFromTerms(
  values: ArrayLike<number>,
  max: number,
  sum: number,
  u: number,
  exps: Float64Array,
  scratch: SampleScratch,
  margin = cdfMargin(values.length, max),
): number {
  if (Number.isFinite(max) && Number.isFinite(sum)) {
    const id = pickFromTerms(exps, values.length, sum, u, margin);
    if (id >= 0) return id;
  }
  // Near a boundary, or logits the reference itself handles oddly (NaN, +Infinity, all -Infinity): its own path.
  return inverseCdf(logSoftmax(values, scratch.logProbs), u);
}

/** The largest value as logSoftmax finds it (`>` from -Infinity: NaN never wins). */
export function maxOf(values: ArrayLike<number>): number {
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) if (values[i]! > max) max = values[i]!;
  return max;
}

/** sampleCategorical(values, rng) with the uniform drawn by the caller: one max pass, one exp pass, no allocation. */
export function drawCategorical(values: ArrayLike<number>, u: number, scratch: SampleScratch): number {
  const max = maxOf(values);
  const sum = Number.isFinite(max) ? expTerms(values, max, scratch.exps) : NaN;
  return drawFromTerms(values, max, sum, u, scratch.exps, scratch);
}

/**
 * sampleCategorical(applyChain(logits, [temperature t]), u) without the processor's copy: the processed value of
 * token i is fround(logits[i] / t), and since dividing by t > 0 and rounding to float32 never reverse an order, the
 * processed maximum is fround(max / t) of the raw maximum `max` (pass it when known). `scratch.scaled` receives
 * the processed logits only if the exact walk needs them.
 */
export function drawTemperature(
  logits: Float32Array,
  t: number,
  u: number,
  scratch: SampleScratch,
  max = maxOf(logits),
  margin?: number,
): number {
  const smax = Math.fround(max / t);
  let sum = NaN;
  if (Number.isFinite(smax)) {
    const exps = scratch.exps;
    sum = 0;
    for (let i = 0; i < logits.length; i++) {
      const e = Math.exp(Math.fround(logits[i]! / t) - smax);
      exps[i] = e;
      sum += e;
    }
    if (Number.isFinite(sum)) {
      const id = pickFromTerms(exps, logits.length, sum, u, margin ?? cdfMargin(logits.length, smax));
      if (id >= 0) return id;
    }
  }
  const scaled = scratch.scaled;
  for (let i = 0; i < logits.length; i++) scaled[i] = logits[i]! / t;
  return inverseCdf(logSoftmax(scaled, scratch.logProbs), u);
}
