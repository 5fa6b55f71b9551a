import type { LanguageModel } from './language-model.ts';

/**
 * The KV cache of one shared prompt prefix (a few-shot block), kept across batches and keyed by its token ids,
 * so every item of a suite reuses it instead of running the exemplars through the model again.
 */
export class PrefixCache<C> {
  private entry: { key: string; length: number; cache: C } | null = null;
  /** Prefix tokens run through the model, and prefix tokens served from the cache. */
  computed = 0;
  reused = 0;

  constructor(
    private readonly model: LanguageModel<C>,
    /** Shorter common prefixes are not worth a separate forward pass. */
    readonly minTokens = 16,
  ) {}

  /**
   * How many of `ids` (a batch's common prefix) to take from the cache: the cached prefix when it starts `ids`
   * (so batches whose questions happen to share a first token still reuse the few-shot block), else all of them.
   */
  usableLength(ids: readonly number[]): number {
    const e = this.entry;
    if (e && e.length <= ids.length && e.key === ids.slice(0, e.length).join(',')) return e.length;
    return ids.length;
  }

  /** A batch-1 cache holding `ids` (owned by this object: copy it with selectRows, never release it). */
  async get(ids: readonly number[]): Promise<C> {
    const key = ids.join(',');
    if (this.entry?.key === key) {
      this.reused += ids.length;
      return this.entry.cache;
    }
    this.dispose();
    const out = await this.model.forward(
      { inputIds: [ids], attentionMask: [ids.map(() => 1)], positionIds: [ids.map((_, i) => i)] },
      null,
    );
    this.entry = { key, length: ids.length, cache: out.cache };
    this.computed += ids.length;
    return out.cache;
  }

  dispose(): void {
    if (this.entry) this.model.release(this.entry.cache);
    this.entry = null;
  }
}

/** Length of the longest common prefix of all rows, leaving at least one token per row after it. */
export function commonPrefixLength(rows: readonly (readonly number[])[]): number {
  if (rows.length === 0) return 0;
  const first = rows[0]!;
  let n = Math.min(...rows.map((r) => r.length)) - 1;
  for (const r of rows) {
    let i = 0;
    while (i < n && r[i] === first[i]) i++;
    n = i;
  }
  return Math.max(0, n);
}
