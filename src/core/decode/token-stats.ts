import { entropyFromLogProbs, logSoftmax, rankOf, topKIndices } from '../logits/distribution.ts';
import { expTerms, maxOf, type SampleScratch } from '../logits/fast-sample.ts';
import type { SoftmaxTerms } from '../logits/sampler.ts';
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

/**
 * stepStats in fewer passes, with `Math.exp` once per token instead of twice: the terms exp(x − max) of the
 * softmax sum are kept (in `scratch.exps`, returned as `terms` for the sampler) and the entropy is summed from them,
 * p = term · exp(max − logZ), against the same log-probabilities. Log-probabilities, top and rank are bit for bit
 * stepStats's; the entropy agrees to rounding (~1e-15 relative: each p differs by a few ulps). Logits the
 * reference handles oddly (NaN, +Infinity, all -Infinity) go through stepStats itself (`terms` null).
 */
export function stepStatsFast(
  logits: Float32Array,
  topK: number,
  scratch: SampleScratch,
): StepStats & { terms: SoftmaxTerms | null } {
  const max = maxOf(logits);
  const exps = scratch.exps;
  const sum = Number.isFinite(max) ? expTerms(logits, max, exps) : NaN;
  if (!Number.isFinite(sum)) return { ...stepStats(logits, topK, scratch.logProbs), terms: null };
  const logZ = max + Math.log(sum);
  const scale = Math.exp(max - logZ);
  const logProbs = scratch.logProbs;
  let entropy = 0;
  for (let i = 0; i < logits.length; i++) {
    const lp = logits[i]! - logZ;
    logProbs[i] = lp;
    const e = exps[i]!;
    if (e > 0) entropy -= e * scale * lp;
  }
  return { logProbs, entropy, top: topKIndices(logProbs, topK), terms: { max, sum, exps } };
}

export function alternatives(stats: StepStats, tokenText: (id: number) => string): Alternative[] {
  return stats.top.map((id) => ({ id, text: tokenText(id), prob: Math.exp(stats.logProbs[id]!) }));
}

/** 1-based rank of token `id` in the step's distribution. */
export function tokenRank(stats: StepStats, id: number): number {
  return rankOf(stats.logProbs, id);
}
