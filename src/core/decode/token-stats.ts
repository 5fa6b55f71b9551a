import { entropyFromLogProbs, logSoftmax, rankOf, topKIndices } from '../logits/distribution.ts';
import type { Alternative } from './trace.ts';

/** Raw-distribution statistics of one step, before any processor touches the logits. */
export interface StepStats {
  /** Log-probabilities over the whole vocabulary (a scratch buffer: valid until the next step). */
  logProbs: Float64Array;
  entropy: number;
  top: number[];
}

/** Log-softmax, entropy and top-k of one row, the log-probabilities written into `scratch` when it fits. */
export function stepStats(logits: Float32Array, topK: number, scratch?: Float64Array): StepStats {
  const logProbs = logSoftmax(logits, scratch);
  return { logProbs, entropy: entropyFromLogProbs(logProbs), top: topKIndices(logProbs, topK) };
}

export function alternatives(stats: StepStats, tokenText: (id: number) => string): Alternative[] {
  return stats.top.map((id) => ({ id, text: tokenText(id), prob: Math.exp(stats.logProbs[id]!) }));
}

/** 1-based rank of token `id` in the step's distribution. */
export function tokenRank(stats: StepStats, id: number): number {
  return rankOf(stats.logProbs, id);
}
