import type { Rng } from '../rng.ts';
import { chooseToken, type SamplerSpec } from '../logits/sampler.ts';
import { throwIfCancelled, type CancelSignal } from './cancel.ts';
import type { LanguageModel } from './language-model.ts';
import { findStop, RowText } from './row-text.ts';
import { alternatives, stepStats, tokenRank } from './token-stats.ts';
import type { RowResult, StopReason, TokenTrace } from './trace.ts';
import { leftPadBatch } from './padding.ts';
import { topKIndices } from '../logits/distribution.ts';

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
}

export interface DecodeStats {
  forwardCalls: number;
  /** Prompt tokens run through the model (a shared prefix counts once). */
  prefillTokens: number;
  generatedTokens: number;
  /** Sum over decoding forward passes of the rows in the batch: the work actually done. */
  decodeRowSteps: number;
}

export interface DecodeResult {
  rows: RowResult[];
  stats: DecodeStats;
}

interface Row {
  mask: number[];
  nextPosition: number;
  context: number[];
  text: RowText;
  trace: TokenTrace[];
  rng: Rng;
  forced: number | null;
  stopReason: StopReason | null;
  cutAt: number;
}

/** Decode B different prompts in one batch: left padding, one prefill, then one forward pass per step. */
export async function decodePrompts<C>(model: LanguageModel<C>, prompts: readonly (readonly number[])[], options: DecodeOptions): Promise<DecodeResult> {
  if (prompts.length === 0) return { rows: [], stats: emptyStats() };
  checkRowCount(prompts.length, options);
  if (options.forcedFirst === 'top-n') throw new Error("forcedFirst 'top-n' needs one shared prompt (decodeShared)");
  throwIfCancelled(options.signal);
  const batch = leftPadBatch(prompts, model.padTokenId);
  const out = await model.forward({ inputIds: batch.ids, attentionMask: batch.mask, positionIds: batch.positions }, null);
  const rows = prompts.map((p, i) => newRow(model, batch.mask[i]!, p, options, i));
  const stats = emptyStats();
  stats.forwardCalls = 1;
  stats.prefillTokens = prompts.reduce((n, p) => n + p.length, 0);
  return { rows: await continueRows(model, rows, out.logits, out.cache, options, stats), stats };
}

/**
 * Decode n rows that share one prompt: prefill it once (batch 1), expand its cache to n rows,
 * then continue all rows in one batch. This is what sampling n times and branching live on.
 */
export async function decodeShared<C>(model: LanguageModel<C>, prompt: readonly number[], n: number, options: DecodeOptions): Promise<DecodeResult> {
  if (n < 1) throw new Error(`decodeShared needs at least one row, got ${n}`);
  checkRowCount(n, options);
  throwIfCancelled(options.signal);
  if (prompt.length === 0) throw new Error('cannot decode from an empty prompt');
  const ones = prompt.map(() => 1);
  const out = await model.forward({ inputIds: [prompt], attentionMask: [ones], positionIds: [prompt.map((_, i) => i)] }, null);
  let cache = out.cache;
  if (n > 1) {
    const expanded = await model.selectRows(cache, new Array<number>(n).fill(0));
    model.release(cache);
    cache = expanded;
  }
  const V = model.vocabSize;
  const logits = new Float32Array(n * V);
  for (let i = 0; i < n; i++) logits.set(out.logits.subarray(0, V), i * V);
  const rows = Array.from({ length: n }, (_, i) => newRow(model, ones, prompt, options, i));
  if (options.forcedFirst === 'top-n') {
    const branches = topKIndices(out.logits.subarray(0, V), n);
    if (branches.length < n) throw new Error(`cannot branch on ${n} first tokens: the vocabulary has ${branches.length}`);
    rows.forEach((row, i) => (row.forced = branches[i]!));
  }
  const stats = emptyStats();
  stats.forwardCalls = 1;
  stats.prefillTokens = prompt.length;
  return { rows: await continueRows(model, rows, logits, cache, options, stats), stats };
}

function checkRowCount(n: number, options: DecodeOptions): void {
  if (options.rngs.length !== n) throw new Error(`decode: ${n} rows but ${options.rngs.length} rngs`);
  if (Array.isArray(options.forcedFirst) && options.forcedFirst.length !== n) throw new Error(`decode: ${n} rows but ${options.forcedFirst.length} forced first tokens`);
  if (!(options.maxNewTokens >= 1)) throw new Error(`maxNewTokens must be >= 1, got ${options.maxNewTokens}`);
}

function emptyStats(): DecodeStats {
  return { forwardCalls: 0, prefillTokens: 0, generatedTokens: 0, decodeRowSteps: 0 };
}

function newRow(model: LanguageModel<unknown>, mask: readonly number[], prompt: readonly number[], options: DecodeOptions, i: number): Row {
  return {
    mask: mask.slice(),
    nextPosition: prompt.length,
    context: prompt.slice(),
    text: new RowText(model),
    trace: [],
    rng: options.rngs[i]!,
    forced: Array.isArray(options.forcedFirst) ? (options.forcedFirst[i] ?? null) : null,
    stopReason: null,
    cutAt: -1,
  };
}

/** The step loop: choose a token per active row, retire finished rows from the batch, run the rest forward. */
async function continueRows<C>(model: LanguageModel<C>, rows: Row[], firstLogits: Float32Array, firstCache: C, options: DecodeOptions, stats: DecodeStats): Promise<RowResult[]> {
  const V = model.vocabSize;
  const topK = options.topAlternatives ?? 5;
  const stops = options.stopStrings ?? [];
  const eos = new Set(model.eosTokenIds);
  const tokenText = (id: number) => model.decode([id]);
  let cache = firstCache;
  let logits = firstLogits;
  let active = rows;
  try {
    for (let step = 0; step < options.maxNewTokens; step++) {
      if (options.yieldToHost) await options.yieldToHost();
      throwIfCancelled(options.signal);
      const keep: number[] = [];
      active.forEach((row, i) => {
        const rowLogits = logits.subarray(i * V, (i + 1) * V);
        const dist = stepStats(rowLogits, topK);
        const id = step === 0 && row.forced !== null ? row.forced : chooseToken(rowLogits, options.sampler, { tokens: row.context }, row.rng);
        const isEos = eos.has(id);
        // EOS is traced with its token text but never becomes part of the generated text.
        const { piece, offset } = isEos ? { piece: tokenText(id), offset: row.text.text.length } : row.text.push(id);
        const logprob = dist.logProbs[id]!;
        row.trace.push({ id, text: piece, offset, prob: Math.exp(logprob), logprob, rank: tokenRank(dist, id), entropy: dist.entropy, top: alternatives(dist, tokenText) });
        row.context.push(id);
        if (isEos) row.stopReason = 'eos';
        else {
          const at = findStop(row.text.text, stops, offset);
          if (at >= 0) {
            row.stopReason = 'stop-string';
            row.cutAt = at;
          } else if (step === options.maxNewTokens - 1) row.stopReason = 'max-tokens';
        }
        if (row.stopReason === null) keep.push(i);
      });
      stats.generatedTokens += active.length;
      options.onStep?.({ step, activeRows: keep.length });
      if (keep.length === 0) break;
      if (keep.length < active.length) {
        const compacted = await model.selectRows(cache, keep);
        model.release(cache);
        cache = compacted;
        active = keep.map((i) => active[i]!);
      }
      for (const row of active) row.mask.push(1);
      const out = await model.forward(
        {
          inputIds: active.map((r) => [r.context[r.context.length - 1]!]),
          attentionMask: active.map((r) => r.mask),
          positionIds: active.map((r) => [r.nextPosition]),
        },
        cache,
      );
      for (const row of active) row.nextPosition++;
      model.release(cache);
      cache = out.cache;
      logits = out.logits;
      stats.forwardCalls++;
      stats.decodeRowSteps += active.length;
    }
  } finally {
    model.release(cache);
  }
  return rows.map((row) => ({
    text: row.cutAt >= 0 ? row.text.text.slice(0, row.cutAt) : row.text.text,
    tokens: row.trace,
    stopReason: row.stopReason ?? 'max-tokens',
  }));
}
