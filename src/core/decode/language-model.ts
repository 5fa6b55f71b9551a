/**
 * The small interface the decoding loop needs from a model. Implemented by the transformers.js adapter
 * (browser worker and Node) and by hand-built fakes in tests. `C` is the model's opaque KV-cache handle.
 */
export interface ForwardInput {
  /** B rows of T new token ids each (all rows the same length: the caller pads). */
  readonly inputIds: readonly (readonly number[])[];
  /** B rows of (cached + T) 0/1 entries: which cache slots and new tokens each row may attend to. */
  readonly attentionMask: readonly (readonly number[])[];
  /** B rows of T absolute positions of the new tokens. */
  readonly positionIds: readonly (readonly number[])[];
}

/**
 * The residual stream a Coax export exposes (`training/export.py --hidden-io`): a `steering` input of L × C added
 * after each block, each block's last-position output, and with `lens` each layer's logit-lens logits.
 */
export interface HiddenIo {
  /** L: transformer blocks. */
  readonly layers: number;
  /** C: residual width. */
  readonly width: number;
  /** Whether forward returns `lensLogits`. */
  readonly lens: boolean;
}

export interface ForwardOptions<C = unknown> {
  /** Logits of every position instead of the last. */
  allLogits?: boolean;
  /** Row-major L × C, added to the residual after block l at every new position (models with hiddenIo only). */
  steering?: Float32Array;
  /**
   * Models with sharedPrefix: a batch-1 cache (of a forward without a prefix) that every row attends before its own
   * cache, without a copy. The attention mask then covers prefix + the row's cache + the new tokens, and the returned
   * cache holds only the row's part. Borrowed: forward neither keeps nor releases it.
   */
  prefix?: C;
}

export interface ForwardOutput<C> {
  /** Row-major logits, shape [B, L, V]: L = 1 (last position) unless all positions were asked for. */
  readonly logits: Float32Array;
  readonly positions: number;
  readonly cache: C;
  /**
   * When `logits` are scores to choose tokens by rather than the model's own next-token logits (prompt contrast),
   * the logits of the distribution traces describe, same shape. Absent: traces describe `logits`.
   */
  readonly traceLogits?: Float32Array;
  /** Models with hiddenIo: row-major [B, L, C], each block's output (steering included) at the last position. */
  readonly hidden?: Float32Array;
  /** Models with hiddenIo.lens: row-major [B, L, V], final norm + LM head of `hidden` (the logit lens). */
  readonly lensLogits?: Float32Array;
}

export interface LanguageModel<C = unknown> {
  readonly vocabSize: number;
  readonly eosTokenIds: readonly number[];
  readonly padTokenId: number;
  /**
   * Positions the model can attend to (config.json's max_position_embeddings or n_positions), when known: a
   * prompt plus its new tokens must fit, or the model computes garbage or runs out of memory.
   */
  readonly contextLength?: number | null;
  /** Present (non-null) when the model exposes its residual stream; steering and the lens need it. */
  readonly hiddenIo?: HiddenIo | null;
  /**
   * True when forward takes `options.prefix` (a Coax `export.py --prefix-cache` graph): rows that share a prompt
   * attend its cache once instead of each holding (and every step copying) a copy. Absent: the stock path.
   */
  readonly sharedPrefix?: boolean;
  encode(text: string): number[];
  /** Text of the ids, special tokens included as their text. */
  decode(ids: readonly number[]): string;
  /** One forward pass over new tokens given the cache (null: empty cache). The input cache stays valid. */
  forward(input: ForwardInput, cache: C | null, options?: ForwardOptions<C>): Promise<ForwardOutput<C>>;
  /**
   * A cache whose row i is row `rows[i]` of `cache`: repeating a row expands a shared prefix to branches,
   * a subset drops finished rows. The input cache stays valid.
   */
  selectRows(cache: C, rows: readonly number[]): Promise<C>;
  /** Free a cache that will not be used again (GPU buffers on WebGPU). */
  release(cache: C): void;
  /**
   * Bytes one row of this cache holds per token (all layers, keys and values). Optional: when known, a batch whose
   * cache would be too large to copy every step is decoded in waves (see waves.ts).
   */
  cacheBytesPerToken?(cache: C): number;
}
