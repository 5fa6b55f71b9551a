/**
 * Exact statistics of a next-token distribution, computed over the full vocabulary
 * (never a truncated top-k), in float64 for the reductions.
 */

/** log softmax of `logits` as a new Float64Array. -Infinity logits stay -Infinity. */
export function logSoftmax(logits: ArrayLike<number>): Float64Array {
  const n = logits.length;
  let max = -Infinity;
  for (let i = 0; i < n; i++) if (logits[i]! > max) max = logits[i]!;
  const out = new Float64Array(n);
  if (max === -Infinity) throw new Error('logSoftmax: every logit is -Infinity (nothing left to choose from)');
  let sum = 0;
  for (let i = 0; i < n; i++) sum += Math.exp(logits[i]! - max);
  const logZ = max + Math.log(sum);
  for (let i = 0; i < n; i++) out[i] = logits[i]! - logZ;
  return out;
}

/** Probabilities from log-probabilities. */
export function probsFromLogProbs(logProbs: ArrayLike<number>): Float64Array {
  const out = new Float64Array(logProbs.length);
  for (let i = 0; i < logProbs.length; i++) out[i] = Math.exp(logProbs[i]!);
  return out;
}

/** Shannon entropy in nats of the distribution given by log-probabilities. */
export function entropyFromLogProbs(logProbs: ArrayLike<number>): number {
  let h = 0;
  for (let i = 0; i < logProbs.length; i++) {
    const lp = logProbs[i]!;
    if (lp > -Infinity) h -= Math.exp(lp) * lp;
  }
  return h;
}

/**
 * Indices of the k largest values, largest first; ties broken by the lower index.
 * Partial selection: O(V·k) with k small, no full sort of the vocabulary.
 */
export function topKIndices(values: ArrayLike<number>, k: number): number[] {
  const kk = Math.min(k, values.length);
  const idx: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (idx.length === kk && !(v > values[idx[kk - 1]!]!)) continue;
    let pos = idx.length < kk ? idx.length : kk - 1;
    if (idx.length < kk) idx.push(i);
    while (pos > 0 && v > values[idx[pos - 1]!]!) {
      idx[pos] = idx[pos - 1]!;
      pos--;
    }
    idx[pos] = i;
  }
  return idx;
}

/** 1-based rank of `token` in the distribution: 1 + number of tokens with strictly higher value. */
export function rankOf(values: ArrayLike<number>, token: number): number {
  const v = values[token]!;
  let higher = 0;
  for (let i = 0; i < values.length; i++) if (values[i]! > v) higher++;
  return higher + 1;
}
