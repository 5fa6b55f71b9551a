import type { ForwardInput, LanguageModel } from './language-model.ts';
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
  const { input, masks } = suffixBatch(model, suffixes, shared);
  try {
    const out = await model.forward(input, cache);
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

/**
 * The suffixes after a `shared`-token prefix, left-padded between prefix and suffix: the pads are masked out and
 * positions count real tokens, so each row computes what its whole prompt would.
 */
function suffixBatch<C>(
  model: LanguageModel<C>,
  suffixes: readonly (readonly number[])[],
  shared: number,
): { input: ForwardInput; masks: number[][] } {
  const batch = leftPadBatch(suffixes, model.padTokenId);
  const ones = new Array<number>(shared).fill(1);
  const masks = batch.mask.map((m) => [...ones, ...m]);
  const positions = batch.positions.map((row, r) => {
    const pad = row.length - suffixes[r]!.length;
    return row.map((p, i) => (i < pad ? 1 : shared + p));
  });
  return { input: { inputIds: batch.ids, attentionMask: masks, positionIds: positions }, masks };
}

/** Prompts prefilled against a shared prefix (models with sharedPrefix): `cache` holds only each row's suffix. */
export interface PrefilledShared<C> extends Prefilled<C> {
  /** The batch-1 cache of the first `sharedLength` tokens, fed to every forward as ForwardOptions.prefix. */
  prefix: C;
  sharedLength: number;
  /** False when the prefix belongs to a PrefixCache (reused across batches): then never release it. */
  ownsPrefix: boolean;
}

/**
 * Prefill for a model with sharedPrefix: the prompts' common prefix (with a PrefixCache, the cached few-shot block
 * when it starts them) runs once at batch 1 and stays one batch-1 cache that every row attends; only the suffixes
 * (at least one token each) run as a batch and make the per-row cache. Expanding that cache to n rows per prompt
 * and dropping finished rows then copy suffixes and generated tokens, never the prompt. Null: no common prefix.
 */
export async function prefillShared<C>(
  model: LanguageModel<C>,
  prompts: readonly (readonly number[])[],
  prefixCache?: PrefixCache<C>,
): Promise<PrefilledShared<C> | null> {
  const common = commonPrefixLength(prompts);
  if (common < 1) return null;
  const head = prompts[0]!.slice(0, common);
  let prefix: C;
  let shared: number;
  let computed: number;
  // Short common prefixes stay out of the PrefixCache, as in prefill: they would evict a few-shot block.
  const cached = prefixCache && common >= prefixCache.minTokens ? prefixCache : null;
  const ownsPrefix = !cached;
  if (cached) {
    shared = cached.usableLength(head);
    const before = cached.computed;
    prefix = await cached.get(head.slice(0, shared));
    computed = cached.computed - before;
  } else {
    shared = common;
    prefix = (
      await model.forward(
        { inputIds: [head], attentionMask: [head.map(() => 1)], positionIds: [head.map((_, i) => i)] },
        null,
      )
    ).cache;
    computed = shared;
  }
  const suffixes = prompts.map((p) => p.slice(shared));
  const { input, masks } = suffixBatch(model, suffixes, shared);
  try {
    const out = await model.forward(input, null, { prefix });
    return {
      logits: out.logits,
      traceLogits: out.traceLogits,
      cache: out.cache,
      masks,
      tokens: computed + suffixes.reduce((n, s) => n + s.length, 0),
      forwardCalls: computed > 0 ? 2 : 1,
      prefix,
      sharedLength: shared,
      ownsPrefix,
    };
  } catch (err) {
    if (ownsPrefix) model.release(prefix);
    throw err;
  }
}
