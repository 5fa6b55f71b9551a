import type { Rng } from '../rng.ts';
import { logSoftmax } from './distribution.ts';

/** Index of the largest logit; ties go to the lowest token id (deterministic). */
export function argmax(logits: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < logits.length; i++) if (logits[i]! > logits[best]!) best = i;
  return best;
}

/**
 * Draw a token from softmax(logits) with one uniform from `rng` (inverse CDF over token ids in order).
 * Tokens with -Infinity logits are never drawn.
 */
export function sampleCategorical(logits: ArrayLike<number>, rng: Rng): number {
  const logProbs = logSoftmax(logits);
  const u = rng.next();
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
