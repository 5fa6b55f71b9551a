import type { Rng } from '../rng.ts';
import { RowStepper } from './row-step.ts';
import { throwIfCancelled } from './cancel.ts';
import type { LanguageModel } from './language-model.ts';
import { findStop, RowText } from './row-text.ts';
import { alternatives, tokenRank } from './token-stats.ts';
import type { RowResult, StopReason, TokenTrace } from './trace.ts';
import { prefill, prefillShared, type Prefilled, type PrefilledShared } from './prefill.ts';
import { topKIndices } from '../logits/distribution.ts';
import type { PrefixCache } from './prefix-cache.ts';
import { planWaves } from './waves.ts';
import type { DecodeOptions, DecodeResult, DecodeStart, DecodeStats, RowCache } from './decode-options.ts';

export type { DecodeOptions, DecodeResult, DecodeStart, DecodeStats, RowCache } from './decode-options.ts';

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

/** Decode B different prompts in one batch: one prefill, then one forward pass per step for all rows. */
export async function decodePrompts<C>(
  model: LanguageModel<C>,
  prompts: readonly (readonly number[])[],
  options: DecodeOptions,
): Promise<DecodeResult> {
  if (options.forcedFirst === 'top-n')
    throw new Error("forcedFirst 'top-n' needs rows that share a prompt (decodeGroups)");
  return decodeGroups(model, prompts, 1, options);
}

/**
 * Decode n rows that share one prompt: prefill it once (batch 1), expand its cache to n rows,
 * then continue all rows in one batch. This is what sampling n times and branching live on.
 */
export async function decodeShared<C>(
  model: LanguageModel<C>,
  prompt: readonly number[],
  n: number,
  options: DecodeOptions,
): Promise<DecodeResult> {
  return decodeGroups(model, [prompt], n, options);
}

/**
 * Decode n rows for each of P prompts in one batch: the P prompts are prefilled once (together), their cache
 * rows expanded to P·n rows (row g·n + i is path i of prompt g), and every row decoded in one forward pass per
 * step. With 'top-n', the rows of each prompt branch on that prompt's n most probable first tokens.
 */
export async function decodeGroups<C>(
  model: LanguageModel<C>,
  prompts: readonly (readonly number[])[],
  n: number,
  options: DecodeOptions,
): Promise<DecodeResult> {
  if (prompts.length === 0) return { rows: [], stats: emptyStats() };
  if (!(Number.isInteger(n) && n >= 1)) throw new Error(`need a whole number of rows per prompt >= 1, got ${n}`);
  checkRowCount(prompts.length * n, options);
  throwIfCancelled(options.signal);
  const prefixCache = options.prefixCache as PrefixCache<C> | undefined;
  // A model with sharedPrefix keeps the common prompt once, attended by every row (none when one row decodes alone).
  const shared = model.sharedPrefix && prompts.length * n > 1 ? await prefillShared(model, prompts, prefixCache) : null;
  try {
    return await decodePrefilled(
      model,
      prompts,
      n,
      options,
      shared ?? (await prefill(model, prompts, prefixCache)),
      shared,
    );
  } finally {
    if (shared?.ownsPrefix) model.release(shared.prefix);
  }
}

async function decodePrefilled<C>(
  model: LanguageModel<C>,
  prompts: readonly (readonly number[])[],
  n: number,
  options: DecodeOptions,
  pre: Prefilled<C>,
  shared: PrefilledShared<C> | null,
): Promise<DecodeResult> {
  const V = model.vocabSize;
  const prefix = shared?.prefix ?? null;
  const rows = prompts.flatMap((p, g) =>
    Array.from({ length: n }, (_, i) => newRow(model, pre.masks[g]!, p, options, g * n + i)),
  );
  if (options.forcedFirst === 'top-n') {
    prompts.forEach((_, g) => {
      const branches = topKIndices(pre.logits.subarray(g * V, (g + 1) * V), n);
      if (branches.length < n) {
        model.release(pre.cache);
        throw new Error(`cannot branch on ${n} first tokens: the vocabulary has ${branches.length}`);
      }
      for (let i = 0; i < n; i++) rows[g * n + i]!.forced = branches[i]!;
    });
  }
  const stats = emptyStats();
  stats.forwardCalls = pre.forwardCalls;
  stats.prefillTokens = pre.tokens;
  if (n === 1) return { rows: await continueRows(model, rows, pre, pre.cache, options, stats, null, prefix), stats };
  const group = rows.map((_, r) => Math.floor(r / n));
  // With a shared prefix the rows' own cache starts after it: only that part is copied each step.
  const longest = Math.max(...pre.masks.map((m) => m.length)) - (shared?.sharedLength ?? 0) + options.maxNewTokens;
  const budgetPlan = model.cacheBytesPerToken
    ? planWaves(rows.length, longest, model.cacheBytesPerToken(pre.cache), options.waveBudgetBytes)
    : [rows.length];
  const tuner = options.waveTuner;
  const waves = tuner ? tuner.plan(rows.length, longest, Math.max(...budgetPlan)) : budgetPlan;
  const timed = tuner?.start(rows.length, longest, waves);
  stats.waves = waves;
  const rowStepsBefore = stats.decodeRowSteps;
  // Each wave expands its rows from the prefill cache, which stays alive until the last wave has started.
  const out: RowResult[] = [];
  try {
    let start = 0;
    for (const size of waves) {
      const index = group.slice(start, start + size);
      const cache = await model.selectRows(pre.cache, index);
      const expand = (logits: Float32Array) => {
        const rowsOut = new Float32Array(index.length * V);
        index.forEach((g, r) => rowsOut.set(logits.subarray(g * V, (g + 1) * V), r * V));
        return rowsOut;
      };
      const first = { logits: expand(pre.logits), traceLogits: pre.traceLogits && expand(pre.traceLogits) };
      out.push(
        ...(await continueRows(model, rows.slice(start, start + size), first, cache, options, stats, null, prefix)),
      );
      start += size;
    }
    timed?.(stats.decodeRowSteps - rowStepsBefore);
  } finally {
    model.release(pre.cache);
  }
  return { rows: out, stats };
}

/**
 * Continue B rows from a cache that already holds their contexts (a fork of an explored path, a cached prefix):
 * nothing is prefilled here. With `keepCaches`, each row's cache is kept when it finishes (a batch-1 copy, owned by
 * the caller) so that a later fork from any point of it only runs the new tokens.
 */
export async function decodeFrom<C>(
  model: LanguageModel<C>,
  start: DecodeStart<C>,
  options: DecodeOptions & { keepCaches?: boolean },
): Promise<DecodeResult & { caches: RowCache<C>[] }> {
  const B = start.contexts.length;
  try {
    if (options.forcedFirst === 'top-n') throw new Error("decodeFrom: forcedFirst 'top-n' needs decodeGroups");
    checkRowCount(B, options);
    if (start.masks.length !== B || start.logits.length !== B * model.vocabSize)
      throw new Error(`decodeFrom: ${B} contexts but ${start.masks.length} masks and ${start.logits.length} logits`);
    throwIfCancelled(options.signal);
  } catch (err) {
    model.release(start.cache);
    throw err;
  }
  const rows = start.contexts.map((context, i) =>
    newRow(model, start.masks[i]!, context, options, i, start.generated?.[i] ?? []),
  );
  const stats = emptyStats();
  const caches: RowCache<C>[] = [];
  const keep = options.keepCaches ? caches : null;
  return {
    rows: await continueRows(
      model,
      rows,
      { logits: start.logits, traceLogits: start.traceLogits },
      start.cache,
      options,
      stats,
      keep,
    ),
    stats,
    caches,
  };
}

function checkRowCount(n: number, options: DecodeOptions): void {
  if (options.rngs.length !== n) throw new Error(`decode: ${n} rows but ${options.rngs.length} rngs`);
  if (Array.isArray(options.forcedFirst) && options.forcedFirst.length !== n)
    throw new Error(`decode: ${n} rows but ${options.forcedFirst.length} forced first tokens`);
  if (!(options.maxNewTokens >= 1)) throw new Error(`maxNewTokens must be >= 1, got ${options.maxNewTokens}`);
}

function emptyStats(): DecodeStats {
  return { forwardCalls: 0, prefillTokens: 0, generatedTokens: 0, decodeRowSteps: 0 };
}

function newRow(
  model: LanguageModel<unknown>,
  mask: readonly number[],
  prompt: readonly number[],
  options: DecodeOptions,
  i: number,
  generated: readonly number[] = [],
): Row {
  const text = new RowText(model);
  for (const id of generated) text.push(id);
  return {
    mask: mask.slice(),
    nextPosition: prompt.length,
    context: prompt.slice(),
    text,
    trace: [],
    rng: options.rngs[i]!,
    forced: Array.isArray(options.forcedFirst) ? (options.forcedFirst[i] ?? null) : null,
    stopReason: null,
    cutAt: -1,
  };
}

/** The step loop: choose a token per active row, retire finished rows from the batch, run the rest forward. */
async function continueRows<C>(
  model: LanguageModel<C>,
  rows: Row[],
  first: { logits: Float32Array; traceLogits?: Float32Array },
  firstCache: C,
  options: DecodeOptions,
  stats: DecodeStats,
  /** When given, filled with each row's own cache as it finishes (indexed like `rows`). */
  kept: RowCache<C>[] | null = null,
  /** A shared prefix every row attends (see ForwardOptions.prefix); `firstCache` then holds only the rows' own part. */
  prefix: C | null = null,
): Promise<RowResult[]> {
  const V = model.vocabSize;
  const topK = options.topAlternatives ?? 5;
  const stops = options.stopStrings ?? [];
  const eos = new Set(model.eosTokenIds);
  const tokenText = (id: number) => model.decode([id]);
  let cache = firstCache;
  let logits = first.logits;
  let traceLogits = first.traceLogits;
  const stepper = new RowStepper(V, options.referenceKernels === true);
  let active = rows;
  try {
    for (let step = 0; step < options.maxNewTokens; step++) {
      if (options.yieldToHost) await options.yieldToHost();
      throwIfCancelled(options.signal);
      const keep: number[] = [];
      active.forEach((row, i) => {
        const rowLogits = logits.subarray(i * V, (i + 1) * V);
        // The trace describes the model's distribution; with choice scores (contrast) that is `traceLogits`.
        const forced = step === 0 ? row.forced : null;
        const trace = traceLogits?.subarray(i * V, (i + 1) * V);
        const { dist, id } = stepper.step(
          rowLogits,
          trace,
          options.sampler,
          { tokens: row.context },
          row.rng,
          forced,
          topK,
        );
        const isEos = eos.has(id);
        // EOS is traced with its token text but never becomes part of the generated text.
        const { piece, offset } = isEos ? { piece: tokenText(id), offset: row.text.text.length } : row.text.push(id);
        const logprob = dist.logProbs[id]!;
        row.trace.push({
          id,
          text: piece,
          offset,
          prob: Math.exp(logprob),
          logprob,
          rank: tokenRank(dist, id),
          entropy: dist.entropy,
          top: alternatives(dist, tokenText),
          ...(traceLogits ? { score: rowLogits[id]! } : {}),
        });
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
      if (kept && keep.length < active.length) {
        const staying = new Set(keep);
        for (let i = 0; i < active.length; i++) {
          if (staying.has(i)) continue;
          const row = active[i]!;
          kept[rows.indexOf(row)] = {
            cache: await model.selectRows(cache, [i]),
            mask: row.mask.slice(),
            tokens: row.context.slice(0, -1),
          };
        }
      }
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
        prefix === null ? undefined : { prefix },
      );
      for (const row of active) row.nextPosition++;
      model.release(cache);
      cache = out.cache;
      logits = out.logits;
      traceLogits = out.traceLogits;
      stats.forwardCalls++;
      stats.decodeRowSteps += active.length;
    }
  } catch (err) {
    if (kept) for (const k of kept) if (k) model.release(k.cache);
    throw err;
  } finally {
    model.release(cache);
  }
  return rows.map((row) => ({
    text: row.cutAt >= 0 ? row.text.text.slice(0, row.cutAt) : row.text.text,
    tokens: row.trace,
    stopReason: row.stopReason ?? 'max-tokens',
  }));
}
