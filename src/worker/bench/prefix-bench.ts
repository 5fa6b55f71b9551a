/**
 * The shared-prefix graph against the stock graph (issue 13), the same measurement in Node (bench/prefix.ts) and in
 * the page's worker (Chromium, WASM): 4-shot self-consistency, n samples from one prompt, decoded by Coax on
 * onnx/model.onnx (stock: every row holds and every step copies the prompt's cache, in waves when that is large) and
 * on onnx/model_prefix.onnx (export.py --prefix-cache: the prompt's cache is kept once and attended by every row),
 * both against n sequential generate() calls on the stock graph, in one run. Same weights, same seeds: the two Coax
 * runs must give the same tokens (checked, printed).
 */
import type { TransformersModel } from '../../adapters/model/transformers-model.ts';
import { decodeGroups, type DecodeResult } from '../../core/decode/decode-loop.ts';
import { temperatureSampler } from '../../core/logits/sampler.ts';
import { buildPrompt, PLAIN_PROMPT } from '../../core/methods/prompt.ts';
import { createRng } from '../../core/rng.ts';
import { additionSuite } from '../../core/tasks/addition-suite.ts';
import { generateOnce } from './peers.ts';

/** The row's target: the prefix graph's 4-shot n = 16 self-consistency against n × generate() (issue 13). */
export const PREFIX_GRAPH_TARGET = 6;

export interface PrefixGraphBench {
  model: string;
  /** Where it ran, e.g. "Node, onnxruntime-node" or "Chromium, WASM", and the dtype of both graphs. */
  where: string;
  dtype: string;
  n: number;
  promptTokens: number;
  newTokens: number;
  /** Coax on the stock graph (its default wave plan), on the prefix graph, and n × generate() on the stock graph. */
  stockMs: number;
  prefixMs: number;
  peerMs: number;
  /** Peak memory (bytes; Node: RSS) during each Coax run, and just before it; absent where not measured. */
  stockPeakRss?: number;
  prefixPeakRss?: number;
  rssBefore?: number;
  /** Same token ids in every row, and the largest difference of any token's logprob between the two graphs. */
  sameTokens: boolean;
  maxLogprobDiff: number;
  prefixVsStock: number;
  prefixVsGenerate: number;
  stockVsGenerate: number;
}

export interface PrefixBenchConfig {
  quick: boolean;
  where: string;
  dtype: string;
  now: () => number;
  /** Memory in use now (bytes), sampled every 10 ms during each run when given. */
  memory?: () => number;
}

/** Wall time and peak memory while `fn` runs (the runtime works off the event loop, so a timer keeps sampling). */
async function measured<T>(
  fn: () => Promise<T>,
  now: () => number,
  memory?: () => number,
): Promise<{ value: T; ms: number; peak?: number }> {
  let peak = memory?.() ?? 0;
  const timer = memory ? setInterval(() => (peak = Math.max(peak, memory())), 10) : undefined;
  const t0 = now();
  try {
    const value = await fn();
    const ms = now() - t0;
    return memory ? { value, ms, peak: Math.max(peak, memory()) } : { value, ms };
  } finally {
    clearInterval(timer);
  }
}

/**
 * Runs `fn` on the stock graph (model.onnx) of the prefix graph's weights. Node loads both graphs side by side; the
 * page's worker unloads the prefix graph meanwhile and loads it again after, since two fp32 sessions of a
 * 135M-parameter model and a 16-row cache do not fit one 4 GB WASM heap (the worker died). So `prefixed` is used
 * first and never inside `fn`.
 */
export type WithStockGraph = <T>(fn: (stock: TransformersModel) => Promise<T>) => Promise<T>;

/** `prefixed`: the weights loaded from model_prefix.onnx; `withStock`: the same weights from model.onnx. */
export async function prefixGraphBench(
  prefixed: TransformersModel,
  withStock: WithStockGraph,
  config: PrefixBenchConfig,
): Promise<PrefixGraphBench> {
  if (!prefixed.sharedPrefix) throw new Error(`${prefixed.id}: the prefix graph has no prefix_key_values inputs`);
  const { quick, now, memory } = config;
  const n = quick ? 4 : 16;
  const tokens = quick ? 16 : 64;
  const temperature = 0.7;
  const suite = additionSuite({ seed: 1, count: 1 });
  const prompt = prefixed.encode(
    buildPrompt({ ...PLAIN_PROMPT, shots: 4, shotForm: 'worked' }, suite.items[0]!, suite, 1),
  );
  const run = (m: TransformersModel) =>
    decodeGroups(m, [prompt], n, {
      maxNewTokens: tokens,
      sampler: temperatureSampler(temperature),
      rngs: Array.from({ length: n }, (_, i) => createRng(8000 + i)),
    });
  // Warm-up: the first runs pay for session and kernel set-up.
  const warmUp = (m: TransformersModel) =>
    decodeGroups(m, [prompt.slice(0, 8)], 2, {
      maxNewTokens: 2,
      sampler: temperatureSampler(1),
      rngs: [createRng(1), createRng(2)],
    });
  await warmUp(prefixed);
  const before = memory?.();
  const b = await measured(() => run(prefixed), now, memory);
  const [a, peer] = await withStock(async (stock) => {
    if (stock.sharedPrefix) throw new Error(`${stock.id}: the stock graph takes prefix_key_values`);
    await warmUp(stock);
    const onStock = await measured(() => run(stock), now, memory);
    const generated = await measured(
      async () => {
        for (let i = 0; i < n; i++) await generateOnce(stock, prompt, tokens, { temperature });
      },
      now,
      memory,
    );
    return [onStock, generated] as const;
  });
  const { same, diff } = compare(a.value, b.value);
  return {
    model: prefixed.id,
    where: config.where,
    dtype: config.dtype,
    n,
    promptTokens: prompt.length,
    newTokens: tokens,
    stockMs: a.ms,
    prefixMs: b.ms,
    peerMs: peer.ms,
    ...(before !== undefined ? { stockPeakRss: a.peak, prefixPeakRss: b.peak, rssBefore: before } : {}),
    sameTokens: same,
    maxLogprobDiff: diff,
    prefixVsStock: a.ms / b.ms,
    prefixVsGenerate: peer.ms / b.ms,
    stockVsGenerate: peer.ms / a.ms,
  };
}

function compare(a: DecodeResult, b: DecodeResult): { same: boolean; diff: number } {
  let diff = 0;
  const same = a.rows.every((row, i) => {
    const other = b.rows[i]!.tokens;
    if (other.length !== row.tokens.length || row.tokens.some((t, j) => t.id !== other[j]!.id)) return false;
    row.tokens.forEach((t, j) => (diff = Math.max(diff, Math.abs(t.logprob - other[j]!.logprob))));
    return true;
  });
  return { same, diff };
}

export function prefixGraphTable(r: PrefixGraphBench): string {
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  const mb = (b: number | undefined) => (b === undefined ? '' : ` (peak ${(b / 2 ** 20).toFixed(0)} MB)`);
  const met = r.prefixVsGenerate >= PREFIX_GRAPH_TARGET ? 'ok' : '✗';
  return [
    `## ${r.where}, shared-prefix graph · ${r.model} · ${r.dtype}`,
    `self-consistency n=${r.n}, ${r.promptTokens}-token 4-shot prompt, ${r.newTokens} tokens: ` +
      `stock graph ${s(r.stockMs)}${mb(r.stockPeakRss)}, prefix graph ${s(r.prefixMs)}${mb(r.prefixPeakRss)}, ` +
      `${r.n}× generate() ${s(r.peerMs)}${r.rssBefore === undefined ? '' : ` (RSS before ${(r.rssBefore / 2 ** 20).toFixed(0)} MB)`}`,
    `prefix graph vs stock graph ${r.prefixVsStock.toFixed(1)}×; vs ${r.n}× generate(): prefix ${r.prefixVsGenerate.toFixed(1)}× (target ≥ ${PREFIX_GRAPH_TARGET}×: ${met}), stock ${r.stockVsGenerate.toFixed(1)}×`,
    `same tokens on both graphs: ${r.sameTokens} (largest logprob difference ${r.maxLogprobDiff.toExponential(1)})`,
  ].join('\n');
}
