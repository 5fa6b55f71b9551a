/**
 * Exact statistics of a next-token distribution, computed over the full vocabulary
 * (never a truncated top-k), in float64 for the reductions.
 */

/**
 * log softmax of `logits`, -Infinity logits staying -Infinity. Written into `out` when it has the right length (a
 * scratch buffer reused across decoding steps, so the hot loop allocates nothing for it), else into a new array.
 */
export function logSoftmax(logits: ArrayLike<number>, out?: Float64Array): Float64Array {
  const n = logits.length;
  let max = -Infinity;
  for (let i = 0; i < n; i++) if (logits[i]! > max) max = logits[i]!;
  if (max === -Infinity) throw new Error('logSoftmax: every logit is -Infinity (nothing left to choose from)');
  const result = out && out.length === n ? out : new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += Math.exp(logits[i]! - max);
  const logZ = max + Math.log(sum);
  for (let i = 0; i < n; i++) result[i] = logits[i]! - logZ;
  return result;
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
