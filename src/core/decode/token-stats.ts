import { topKIndices } from '../logits/distribution.ts';
import type { Alternative } from './trace.ts';

/** Raw-distribution statistics of one step, before any processor touches the logits. */
export interface StepStats {
  /** Log-probabilities over the whole vocabulary (a scratch buffer: valid until the next step). */
  logProbs: Float64Array;
  entropy: number;
  top: number[];
}

/**
 * Log-softmax, entropy and top-k of one row in two passes over the vocabulary, writing into `scratch`
 * (reused across rows and steps, so the hot loop allocates nothing per step for it).
 */
export function stepStats(logits: Float32Array, topK: number, scratch?: Float64Array): StepStats {
  const V = logits.length;
  const logProbs = scratch && scratch.length === V ? scratch : new Float64Array(V);
  let max = -Infinity;
  for (let i = 0; i < V; i++) if (logits[i]! > max) max = logits[i]!;
  if (max === -Infinity) throw new Error('every logit is -Infinity (nothing left to choose from)');
  let sum = 0;
  for (let i = 0; i < V; i++) sum += Math.exp(logits[i]! - max);
  const logZ = max + Math.log(sum);
  // H = −Σ p·log p = logZ − Σ p·x, accumulated in the same pass that writes the log-probabilities.
  let px = 0;
  for (let i = 0; i < V; i++) {
    const x = logits[i]!;
    const lp = x - logZ;
    logProbs[i] = lp;
    if (lp > -Infinity) px += Math.exp(lp) * x;
  }
  return { logProbs, entropy: Math.max(0, logZ - px), top: topKIndices(logProbs, topK) };
}

export function alternatives(stats: StepStats, tokenText: (id: number) => string): Alternative[] {
  return stats.top.map((id) => ({ id, text: tokenText(id), prob: Math.exp(stats.logProbs[id]!) }));
}

export function tokenRank(stats: StepStats, id: number): number {
  const v = stats.logProbs[id]!;
  let higher = 0;
  for (let i = 0; i < stats.logProbs.length; i++) if (stats.logProbs[i]! > v) higher++;
  return higher + 1;
}
