import type { Rng } from '../rng.ts';
import { logSoftmax } from './distribution.ts';
import { inverseCdf } from './fast-sample.ts';

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
  return inverseCdf(logSoftmax(logits), rng.next());
}
