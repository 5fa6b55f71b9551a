import type { LanguageModel } from './language-model.ts';
import { leftPadBatch } from './padding.ts';
import { commonPrefixLength, type PrefixCache } from './prefix-cache.ts';

/** Prompts run through the model: one row of next-token logits and one cache row per prompt. */
export interface Prefilled<C> {
  logits: Float32Array;
  /** See ForwardOutput.traceLogits. */
  traceLogits?: Float32Array;
  cache: C;
  /** Each row's attention mask over the cache (0 for padding). */
  masks: number[][];
  /** Prompt tokens run through the model here (a cached prefix does not count). */
  tokens: number;
  forwardCalls: number;
}

/**
 * Prefill prompts of any lengths in one batch. Plain: left padding. With a prefix cache and a long enough common
 * prefix: the prefix comes from the cache (expanded to every row) and only the suffixes run, left-padded between
 * prefix and suffix — the pads are masked out and positions count real tokens, so the result is the same.
 */
export async function prefill<C>(
  model: LanguageModel<C>,
  prompts: readonly (readonly number[])[],
  prefix?: PrefixCache<C>,
): Promise<Prefilled<C>> {
  const common = prefix && prompts.length > 0 ? commonPrefixLength(prompts) : 0;
  const shared = prefix && common >= prefix.minTokens ? prefix.usableLength(prompts[0]!.slice(0, common)) : 0;
  if (!prefix || shared < prefix.minTokens) {
    const batch = leftPadBatch(prompts, model.padTokenId);
    const out = await model.forward(
      { inputIds: batch.ids, attentionMask: batch.mask, positionIds: batch.positions },
      null,
    );
    return {
      logits: out.logits,
      traceLogits: out.traceLogits,
      cache: out.cache,
      masks: batch.mask,
      tokens: prompts.reduce((n, p) => n + p.length, 0),
      forwardCalls: 1,
    };
  }
  const computedBefore = prefix.computed;
  const base = await prefix.get(prompts[0]!.slice(0, shared));
  const cache = await model.selectRows(
    base,
    prompts.map(() => 0),
  );
  const suffixes = prompts.map((p) => p.slice(shared));
  const batch = leftPadBatch(suffixes, model.padTokenId);
  const ones = new Array<number>(shared).fill(1);
  const masks = batch.mask.map((m) => [...ones, ...m]);
  const positions = batch.positions.map((row, r) => {
    const pad = row.length - suffixes[r]!.length;
    return row.map((p, i) => (i < pad ? 1 : shared + p));
  });
  try {
    const out = await model.forward({ inputIds: batch.ids, attentionMask: masks, positionIds: positions }, cache);
    const computed = prefix.computed - computedBefore;
    return {
      logits: out.logits,
      traceLogits: out.traceLogits,
      cache: out.cache,
      masks,
      tokens: computed + suffixes.reduce((n, s) => n + s.length, 0),
      forwardCalls: computed > 0 ? 2 : 1,
    };
  } finally {
    model.release(cache);
  }
}
