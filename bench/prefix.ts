/**
 * The shared-prefix graph against the stock graph (issue 13), in Node: 4-shot self-consistency, n samples from one
 * prompt, decoded by Coax on onnx/model.onnx (stock: every row holds and every step copies the prompt's cache, in
 * waves when that is large) and on onnx/model_prefix.onnx (export.py --prefix-cache: the prompt's cache is kept once
 * and attended by every row), both against n sequential generate() calls on the stock graph, in one run.
 * Same weights, same seeds: the two Coax runs must give the same tokens (checked, printed).
 */
import { TransformersModel } from '../src/adapters/model/transformers-model.ts';
import { decodeGroups, type DecodeResult } from '../src/core/decode/decode-loop.ts';
import { temperatureSampler } from '../src/core/logits/sampler.ts';
import { buildPrompt, PLAIN_PROMPT } from '../src/core/methods/prompt.ts';
import { createRng } from '../src/core/rng.ts';
import { additionSuite } from '../src/core/tasks/addition-suite.ts';
import { generateOnce } from '../src/worker/bench/peers.ts';

export interface PrefixGraphBench {
  model: string;
  n: number;
  promptTokens: number;
  newTokens: number;
  /** Coax on the stock graph (its default wave plan), on the prefix graph, and n × generate() on the stock graph. */
  stockMs: number;
  prefixMs: number;
  peerMs: number;
  /** Peak Node RSS (bytes) during each Coax run, and RSS just before it. */
  stockPeakRss: number;
  prefixPeakRss: number;
  rssBefore: number;
  /** Same token ids in every row, and the largest difference of any token's logprob between the two graphs. */
  sameTokens: boolean;
  maxLogprobDiff: number;
  prefixVsStock: number;
  prefixVsGenerate: number;
  stockVsGenerate: number;
}

/** RSS peak while `fn` runs (session.run works off the event loop, so a timer keeps sampling). */
async function measured<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number; peak: number }> {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);
  const t0 = performance.now();
  try {
    const value = await fn();
    return { value, ms: performance.now() - t0, peak: Math.max(peak, process.memoryUsage().rss) };
  } finally {
    clearInterval(timer);
  }
}

export async function prefixGraphBench(id: string, quick: boolean): Promise<PrefixGraphBench> {
  const n = quick ? 4 : 16;
  const tokens = quick ? 16 : 64;
  const temperature = 0.7;
  const stock = await TransformersModel.load(id, { device: 'cpu', dtype: 'fp32' });
  const prefixed = await TransformersModel.load(id, { device: 'cpu', dtype: 'fp32', modelFileName: 'model_prefix' });
  try {
    if (!prefixed.sharedPrefix) throw new Error(`${id}/onnx/model_prefix.onnx has no prefix_key_values inputs`);
    const suite = additionSuite({ seed: 1, count: 1 });
    const prompt = stock.encode(
      buildPrompt({ ...PLAIN_PROMPT, shots: 4, shotForm: 'worked' }, suite.items[0]!, suite, 1),
    );
    const run = (m: TransformersModel) =>
      decodeGroups(m, [prompt], n, {
        maxNewTokens: tokens,
        sampler: temperatureSampler(temperature),
        rngs: Array.from({ length: n }, (_, i) => createRng(8000 + i)),
      });
    // Warm-up: the first runs pay for session and kernel set-up.
    for (const m of [stock, prefixed])
      await decodeGroups(m, [prompt.slice(0, 8)], 2, {
        maxNewTokens: 2,
        sampler: temperatureSampler(1),
        rngs: [createRng(1), createRng(2)],
      });
    const rssBefore = process.memoryUsage().rss;
    const a = await measured(() => run(stock));
    const b = await measured(() => run(prefixed));
    const peer = await measured(async () => {
      for (let i = 0; i < n; i++) await generateOnce(stock, prompt, tokens, { temperature });
    });
    const { same, diff } = compare(a.value, b.value);
    return {
      model: id,
      n,
      promptTokens: prompt.length,
      newTokens: tokens,
      stockMs: a.ms,
      prefixMs: b.ms,
      peerMs: peer.ms,
      stockPeakRss: a.peak,
      prefixPeakRss: b.peak,
      rssBefore,
      sameTokens: same,
      maxLogprobDiff: diff,
      prefixVsStock: a.ms / b.ms,
      prefixVsGenerate: peer.ms / b.ms,
      stockVsGenerate: peer.ms / a.ms,
    };
  } finally {
    await stock.dispose();
    await prefixed.dispose();
  }
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
  const mb = (b: number) => `${(b / 2 ** 20).toFixed(0)} MB`;
  return [
    `## Node, shared-prefix graph · ${r.model} · fp32`,
    `self-consistency n=${r.n}, ${r.promptTokens}-token 4-shot prompt, ${r.newTokens} tokens: ` +
      `stock graph ${s(r.stockMs)} (peak RSS ${mb(r.stockPeakRss)}), prefix graph ${s(r.prefixMs)} (peak RSS ${mb(r.prefixPeakRss)}), ` +
      `${r.n}× generate() ${s(r.peerMs)} (RSS before ${mb(r.rssBefore)})`,
    `prefix graph vs stock graph ${r.prefixVsStock.toFixed(1)}×; vs ${r.n}× generate(): prefix ${r.prefixVsGenerate.toFixed(1)}× (target ≥ 6×), stock ${r.stockVsGenerate.toFixed(1)}×`,
    `same tokens on both graphs: ${r.sameTokens} (largest logprob difference ${r.maxLogprobDiff.toExponential(1)})`,
  ].join('\n');
}
