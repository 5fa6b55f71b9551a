import type {
  ForwardInput,
  ForwardOptions,
  ForwardOutput,
  LanguageModel,
} from '../../src/core/decode/language-model.ts';

/**
 * A hand-built LanguageModel for core tests. Tokens are single characters; the next-token logits are a pure
 * function `next(context)` of the real (unmasked) tokens seen so far, so a correct decoding loop must give the
 * same rows whatever the padding and batching. The fake checks the loop's bookkeeping on every call
 * (mask widths, positions that count real tokens) and records batch sizes and open caches.
 *
 * Like a real transformer, each call's mask decides which cache slots are visible, so a caller may hide slots
 * it no longer wants (a fork from an earlier point of a cached row). What a slot holds was computed from the
 * tokens visible when it was fed: the fake checks that those are still exactly the visible tokens before it,
 * and that a padding slot never becomes visible.
 *
 * With `sharedPrefix`, forward also takes a batch-1 prefix cache that every row sees before its own slots (the
 * mask covers both), and returns a cache of the rows' own slots only, as a `export.py --prefix-cache` graph does.
 */
export interface FakeCache {
  id: number;
  /** Per row: the token fed into each slot, the last mask, and the visible context each slot was computed with. */
  rows: { slots: number[]; mask: number[]; seen: string[] }[];
}

export class FakeModel implements LanguageModel<FakeCache> {
  readonly eosTokenIds = [0];
  readonly padTokenId = 1;
  readonly vocabSize: number;
  readonly batchSizes: number[] = [];
  readonly open = new Set<number>();
  /** Visible tokens fed through forward() in all (padding excluded): the work a prefill count must match. */
  tokensFed = 0;
  /** Cache slots copied by selectRows (rows × slots): what a shared prefix saves. */
  slotsCopied = 0;
  /** Forward calls that were given a prefix. */
  prefixedCalls = 0;
  readonly sharedPrefix: boolean;
  private nextId = 1;

  constructor(
    readonly vocab: string[],
    private readonly next: (context: readonly number[]) => number[],
    options: { sharedPrefix?: boolean } = {},
  ) {
    this.vocabSize = vocab.length;
    this.sharedPrefix = options.sharedPrefix ?? false;
  }

  encode(text: string): number[] {
    return [...text].map((ch) => {
      const id = this.vocab.indexOf(ch);
      if (id < 2) throw new Error(`fake vocab has no "${ch}"`);
      return id;
    });
  }

  decode(ids: readonly number[]): string {
    return ids.map((i) => this.vocab[i]).join('');
  }

  async forward(
    input: ForwardInput,
    cache: FakeCache | null,
    options?: { allLogits?: boolean; prefix?: FakeCache },
  ): Promise<ForwardOutput<FakeCache>> {
    if (cache && !this.open.has(cache.id)) throw new Error('forward on a released cache');
    const prefix = options?.prefix;
    if (prefix) {
      if (!this.sharedPrefix) throw new Error('a prefix given to a model without sharedPrefix');
      if (!this.open.has(prefix.id)) throw new Error('forward with a released prefix');
      if (prefix.rows.length !== 1) throw new Error(`prefix of batch ${prefix.rows.length}, expected 1`);
      this.prefixedCalls++;
    }
    const shared = prefix?.rows[0] ?? { slots: [], mask: [], seen: [] };
    const B = input.inputIds.length;
    if (cache && cache.rows.length !== B) throw new Error(`batch ${B} but cache has ${cache.rows.length} rows`);
    this.batchSizes.push(B);
    const V = this.vocabSize;
    const T = input.inputIds[0]!.length;
    const L = options?.allLogits ? T : 1;
    const logits = new Float32Array(B * L * V);
    const rows = [];
    for (let b = 0; b < B; b++) {
      const own = cache?.rows[b] ?? { slots: [], mask: [], seen: [] };
      // The prefix's slots come first, as if the row's cache held them.
      const prev = {
        slots: [...shared.slots, ...own.slots],
        mask: [...shared.mask, ...own.mask],
        seen: [...shared.seen, ...own.seen],
      };
      const mask = input.attentionMask[b]!;
      if (mask.length !== prev.mask.length + T)
        throw new Error(`row ${b}: mask width ${mask.length}, expected ${prev.mask.length + T}`);
      const tokens: number[] = [];
      for (let j = 0; j < prev.mask.length; j++) {
        if (mask[j] === 0) continue;
        if (prev.mask[j] !== 1) throw new Error(`row ${b}: masked slot ${j} became visible`);
        if (prev.seen[j] !== tokens.join(','))
          throw new Error(`row ${b}: slot ${j} was computed after [${prev.seen[j]}] but now follows [${tokens}]`);
        tokens.push(prev.slots[j]!);
      }
      const seen = prev.seen.slice();
      for (let t = 0; t < T; t++) {
        const m = mask[prev.mask.length + t]!;
        seen.push(tokens.join(','));
        if (m === 1) {
          const pos = input.positionIds[b]![t]!;
          if (pos !== tokens.length) throw new Error(`row ${b}: position ${pos} for real token #${tokens.length}`);
          tokens.push(input.inputIds[b]![t]!);
          this.tokensFed++;
        }
        if (t >= T - L) {
          const out = this.next(tokens);
          if (out.length !== V) throw new Error('fake next() returned the wrong vocab size');
          logits.set(out, (b * L + t - (T - L)) * V);
        }
      }
      const P = shared.slots.length;
      rows.push({ slots: [...prev.slots, ...input.inputIds[b]!].slice(P), mask: mask.slice(P), seen: seen.slice(P) });
    }
    return { logits, positions: L, cache: this.track({ id: 0, rows }) };
  }

  async selectRows(cache: FakeCache, rows: readonly number[]): Promise<FakeCache> {
    if (!this.open.has(cache.id)) throw new Error('selectRows on a released cache');
    for (const r of rows) this.slotsCopied += cache.rows[r]?.slots.length ?? 0;
    return this.track({ id: 0, rows: rows.map((r) => structuredClone(cache.rows[r]!)) });
  }

  release(cache: FakeCache): void {
    this.open.delete(cache.id);
  }

  private track(cache: FakeCache): FakeCache {
    cache.id = this.nextId++;
    this.open.add(cache.id);
    return cache;
  }
}

/** Logits that put `p[i]` probability on token i (normalised by the caller's softmax). */
export function logitsFromProbs(p: number[]): number[] {
  return p.map((x) => (x > 0 ? Math.log(x) : -Infinity));
}

/**
 * The base of the hidden-state fakes (steering, SAE tests): token 0 ends, 1 pads, and the cache is the count of tokens
 * seen (the same for every row), so selecting rows keeps it and there is nothing to release.
 */
export abstract class CountingFake implements LanguageModel<number> {
  abstract readonly vocabSize: number;
  readonly eosTokenIds = [0];
  readonly padTokenId = 1;
  abstract encode(text: string): number[];
  abstract decode(ids: readonly number[]): string;
  abstract forward(input: ForwardInput, cache: number | null, options?: ForwardOptions): Promise<ForwardOutput<number>>;
  async selectRows(cache: number): Promise<number> {
    return cache;
  }
  release(): void {}
}
