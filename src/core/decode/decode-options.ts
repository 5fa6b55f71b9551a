import type { Rng } from '../rng.ts';
import type { SamplerSpec } from '../logits/sampler.ts';
import type { CancelSignal } from './cancel.ts';
import type { PrefixCache } from './prefix-cache.ts';
import type { RowResult } from './trace.ts';
import type { WaveTuner } from './wave-tuner.ts';

/** What the decoding loop (decode-loop.ts) takes and gives: its options, statistics, results and resume points. */
export interface DecodeOptions {
  maxNewTokens: number;
  sampler: SamplerSpec;
  /** One generator per row, so a row's draws do not depend on which rows share its batch. */
  rngs: readonly Rng[];
  /** A row ends when its generated text contains one of these (the text is cut before it). */
  stopStrings?: readonly string[];
  /** How many top alternatives each token trace keeps (default 5). */
  topAlternatives?: number;
  signal?: CancelSignal;
  /**
   * Awaited before each step so the host can handle pending events. In a worker on WASM every await of the
   * runtime resolves as a microtask, so without a real task boundary a cancel message would wait for the end.
   */
  yieldToHost?: () => Promise<void>;
  /**
   * Per row, a token forced at the first step instead of choosing one (null: choose). 'top-n' (shared prompts
   * only) forces row i onto the i-th most probable first token: CoT-decoding's branches.
   */
  forcedFirst?: readonly (number | null)[] | 'top-n';
  onStep?: (progress: { step: number; activeRows: number }) => void;
  /** Reuse the KV cache of a prompt prefix shared by every row (few-shot exemplars) across batches. */
  prefixCache?: PrefixCache<unknown>;
  /**
   * decodeGroups: bytes one copy of the expanded cache may reach before the rows are decoded in waves (default
   * WAVE_CACHE_BUDGET_BYTES; Infinity: always one batch). Needs the model's cacheBytesPerToken.
   */
  waveBudgetBytes?: number;
  /** decodeGroups: waves chosen below the budget from measured step times (one tuner per run, see WaveTuner). */
  waveTuner?: WaveTuner;
  /**
   * Trace and choose each token with the straightforward reference functions instead of the fused ones (see
   * RowStepper): the same tokens and traces, only slower. For the tests and the benchmark that compare the two.
   */
  referenceKernels?: boolean;
}

export interface DecodeStats {
  forwardCalls: number;
  /** Prompt tokens run through the model (a shared prefix counts once). */
  prefillTokens: number;
  generatedTokens: number;
  /** Sum over decoding forward passes of the rows in the batch: the work actually done. */
  decodeRowSteps: number;
  /** decodeGroups: the rows of each wave it decoded in (one entry: one batch). */
  waves?: number[];
}

export interface DecodeResult {
  rows: RowResult[];
  stats: DecodeStats;
}

/**
 * Where decoding resumes (see decodeFrom): a cache of B rows that has already run each row's `context`, and the
 * next-token logits after it. `masks` are the rows' attention masks over the cache: slots masked out there (padding,
 * or the tail of a cached row that a fork leaves behind) stay hidden.
 */
export interface DecodeStart<C> {
  /** Owned by the call from now on (released when done). */
  cache: C;
  /** B × V next-token logits. */
  logits: Float32Array;
  /** See ForwardOutput.traceLogits. */
  traceLogits?: Float32Array;
  masks: readonly (readonly number[])[];
  /** Per row, the visible tokens the cache holds, in order (the next position is their count). */
  contexts: readonly (readonly number[])[];
  /**
   * Per row, the end of `context` that was already generated: the row's text starts with their text, so offsets,
   * stop strings and the result's text count them, but they get no trace here.
   */
  generated?: readonly (readonly number[])[];
}

/** A finished row's own batch-1 cache: it holds `tokens` (every token of the row but the last one chosen). */
export interface RowCache<C> {
  cache: C;
  mask: number[];
  tokens: number[];
}
