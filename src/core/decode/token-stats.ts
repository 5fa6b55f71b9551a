import { entropyFromLogProbs, logSoftmax, rankOf, topKIndices } from '../logits/distribution.ts';
import type { Alternative } from './trace.ts';

/** Raw-distribution statistics of one step, before any processor touches the logits. */
export interface StepStats {
  logProbs: Float64Array;
  entropy: number;
  top: number[];
}

export function stepStats(logits: Float32Array, topK: number): StepStats {
  const logProbs = logSoftmax(logits);
  return { logProbs, entropy: entropyFromLogProbs(logProbs), top: topKIndices(logProbs, topK) };
}

export function alternatives(stats: StepStats, tokenText: (id: number) => string): Alternative[] {
  return stats.top.map((id) => ({ id, text: tokenText(id), prob: Math.exp(stats.logProbs[id]!) }));
}

export function tokenRank(stats: StepStats, id: number): number {
  return rankOf(stats.logProbs, id);
}
