import type { RowCache } from '../decode/decode-loop.ts';
import type { LanguageModel } from '../decode/language-model.ts';

/** A cached prefix that can start a fork: `shared` of its tokens begin the fork's context. */
export interface PrefixMatch<C> {
  entry: RowCache<C>;
  shared: number;
}

/**
 * The KV caches of explored paths, keyed by the tokens they hold. A fork at any point of any path finds the cache
 * that shares the longest prefix with the fork's context, hides that cache's later slots with the attention mask
 * and runs only the tokens after the shared part. Least recently used caches go first beyond `maxEntries`; the
 * prompt's own cache is kept, so a fork never runs the prompt again while this store lives.
 */
export class PrefixStore<C> {
  readonly #model: LanguageModel<C>;
  readonly #maxEntries: number;
  readonly #entries = new Map<string, RowCache<C> & { used: number }>();
  #clock = 0;

  constructor(model: LanguageModel<C>, maxEntries = 32) {
    if (!(Number.isInteger(maxEntries) && maxEntries >= 1))
      throw new Error(`prefix store needs maxEntries >= 1, got ${maxEntries}`);
    this.#model = model;
    this.#maxEntries = maxEntries;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** Take ownership of a cache under `key` (a path id, or 'prompt', which is never evicted). */
  put(key: string, entry: RowCache<C>): void {
    const old = this.#entries.get(key);
    if (old) this.#model.release(old.cache);
    this.#entries.set(key, { ...entry, used: ++this.#clock });
    while (this.#entries.size > this.#maxEntries) {
      let oldest: string | null = null;
      let at = Infinity;
      for (const [k, e] of this.#entries) if (k !== 'prompt' && k !== key && e.used < at) [oldest, at] = [k, e.used];
      if (oldest === null) break;
      this.#model.release(this.#entries.get(oldest)!.cache);
      this.#entries.delete(oldest);
    }
  }

  /** The cache stored under `key`, if it is still held. */
  get(key: string): RowCache<C> | undefined {
    const e = this.#entries.get(key);
    if (e) e.used = ++this.#clock;
    return e;
  }

  /** The cache sharing the longest prefix with `context` (null when none shares a token). */
  best(context: readonly number[]): PrefixMatch<C> | null {
    let found: (RowCache<C> & { used: number }) | null = null;
    let shared = 0;
    for (const e of this.#entries.values()) {
      const n = commonLength(e.tokens, context);
      if (n > shared) [found, shared] = [e, n];
    }
    if (!found) return null;
    found.used = ++this.#clock;
    return { entry: found, shared };
  }

  dispose(): void {
    for (const e of this.#entries.values()) this.#model.release(e.cache);
    this.#entries.clear();
  }
}

function commonLength(a: readonly number[], b: readonly number[]): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a[i] === b[i]) i++;
  return i;
}

/**
 * A mask over the same cache slots that keeps only the first `visible` visible slots: the cache then holds just
 * those tokens (the hidden tail stays in memory but no longer takes part in attention).
 */
export function keepFirstVisible(mask: readonly number[], visible: number): number[] {
  let seen = 0;
  const out = mask.map((m) => {
    if (m !== 1) return 0;
    seen++;
    return seen <= visible ? 1 : 0;
  });
  if (seen < visible) throw new Error(`the cache holds ${seen} tokens, cannot keep ${visible}`);
  return out;
}
