import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TransformersModel } from '../../src/adapters/model/transformers-model.ts';
import { decodeGroups, type DecodeResult } from '../../src/core/decode/decode-loop.ts';
import { PrefixCache } from '../../src/core/decode/prefix-cache.ts';
import { GREEDY, temperatureSampler } from '../../src/core/logits/sampler.ts';
import { createRng } from '../../src/core/rng.ts';
import { loadLocal } from './load-local.ts';

// export.py --prefix-cache (issue #13): the shared-prefix graph of fixture-gqa's weights must compute what the
// stock graph computes when the prompt's cache is copied into every row, with present holding only the suffix; and
// the engine (decodeGroups through the transformers.js adapter) must give the same tokens on either graph.
const DIR = 'public/models/coax/fixture-gqa/onnx/';
const LAYERS = 2;
const KV_HEADS = 2;
const HEAD_DIM = 16;
const kvNames = (stem: string) =>
  Array.from({ length: LAYERS }, (_, i) => [`${stem}.${i}.key`, `${stem}.${i}.value`]).flat();

type Feeds = Record<string, ort.Tensor>;
const i64 = (values: number[], dims: number[]) => new ort.Tensor('int64', BigInt64Array.from(values.map(BigInt)), dims);
const empty = (batch: number) => new ort.Tensor('float32', new Float32Array(0), [batch, KV_HEADS, 0, HEAD_DIM]);

/** A batch-1 cache tensor repeated `batch` times along axis 0: the copy the stock path makes. */
function expand(t: ort.Tensor, batch: number): ort.Tensor {
  const src = t.data as Float32Array;
  const out = new Float32Array(src.length * batch);
  for (let b = 0; b < batch; b++) out.set(src, b * src.length);
  return new ort.Tensor('float32', out, [batch, ...t.dims.slice(1)]);
}

function argmaxLast(logits: ort.Tensor): number[] {
  const [B, T, V] = logits.dims as [number, number, number];
  const d = logits.data as Float32Array;
  return Array.from({ length: B }, (_, b) => {
    const row = d.subarray((b * T + T - 1) * V, (b * T + T) * V);
    return row.indexOf(Math.max(...row));
  });
}

describe('shared-prefix graph (export.py --prefix-cache) vs the stock graph, fixture-gqa, onnxruntime-node', () => {
  let stock: ort.InferenceSession;
  let prefixed: ort.InferenceSession;
  beforeAll(async () => {
    stock = await ort.InferenceSession.create(readFileSync(DIR + 'model.onnx'));
    prefixed = await ort.InferenceSession.create(readFileSync(DIR + 'model_prefix.onnx'));
  });

  it('gives the same logits and tokens per step, a row finishing early, present holding only the suffix', async () => {
    const prompt = [83, 60, 275, 45, 53, 63, 65, 12, 67, 60].map((t) => t % 258);
    const Q = prompt.length;
    const B = 3;
    const pre: Feeds = {
      input_ids: i64(prompt, [1, Q]),
      attention_mask: i64(Array(Q).fill(1), [1, Q]),
      position_ids: i64([...Array(Q).keys()], [1, Q]),
      num_logits_to_keep: i64([0], []),
    };
    for (const n of kvNames('past_key_values')) pre[n] = empty(1);
    const prefill = await stock.run(pre);
    const prefix = kvNames('present').map((n) => prefill[n]!);

    let stockPast: ort.Tensor[] = prefix.map((t) => expand(t, B));
    let suffixPast: ort.Tensor[] = prefix.map(() => empty(B));
    let next = [5, 9, 17];
    const mask: number[][] = Array.from({ length: B }, () => Array(Q).fill(1));
    for (let step = 0; step < 4; step++) {
      mask.forEach((m, b) => m.push(b === 2 && step >= 2 ? 0 : 1)); // row 2 finished: padded from step 2
      const common: Feeds = {
        input_ids: i64(next, [B, 1]),
        attention_mask: i64(mask.flat(), [B, Q + step + 1]),
        position_ids: i64(Array(B).fill(Q + step), [B, 1]),
        num_logits_to_keep: i64([0], []),
      };
      const a: Feeds = { ...common };
      kvNames('past_key_values').forEach((n, i) => (a[n] = stockPast[i]!));
      const b: Feeds = { ...common };
      kvNames('past_key_values').forEach((n, i) => (b[n] = suffixPast[i]!));
      kvNames('prefix_key_values').forEach((n, i) => (b[n] = prefix[i]!));
      const [ra, rb] = [await stock.run(a), await prefixed.run(b)];
      const la = ra['logits']!.data as Float32Array;
      const lb = rb['logits']!.data as Float32Array;
      let diff = 0;
      for (let i = 0; i < la.length; i++) diff = Math.max(diff, Math.abs(la[i]! - lb[i]!));
      expect(diff, `step ${step}`).toBeLessThan(1e-4);
      expect(argmaxLast(rb['logits']!)).toEqual(argmaxLast(ra['logits']!));
      expect(rb['present.0.key']!.dims).toEqual([B, KV_HEADS, step + 1, HEAD_DIM]);
      stockPast = kvNames('present').map((n) => ra[n]!);
      suffixPast = kvNames('present').map((n) => rb[n]!);
      next = argmaxLast(ra['logits']!);
    }
  });
});

describe('the engine on model_prefix.onnx vs model.onnx (fixture-gqa, same weights)', () => {
  let stock: TransformersModel;
  let prefixed: TransformersModel;
  beforeAll(async () => {
    stock = await loadLocal('coax/fixture-gqa');
    prefixed = await loadLocal('coax/fixture-gqa', { modelFileName: 'model_prefix' });
  });
  afterAll(async () => {
    await stock?.dispose();
    await prefixed?.dispose();
  });

  // A few-shot-like prompt: long enough that the prefix carries most of what the rows attend.
  const FEW_SHOT = 'Q: 3 + 4 = ?\nA: 7\nQ: 2 + 9 = ?\nA: 11\nQ: 5 + 5 = ?\nA: 10\n';

  function expectSame(a: DecodeResult, b: DecodeResult): void {
    expect(b.rows.map((r) => r.tokens.map((t) => t.id))).toEqual(a.rows.map((r) => r.tokens.map((t) => t.id)));
    expect(b.rows.map((r) => r.stopReason)).toEqual(a.rows.map((r) => r.stopReason));
    let diff = 0;
    a.rows.forEach((row, i) =>
      row.tokens.forEach((t, j) => (diff = Math.max(diff, Math.abs(t.logprob - b.rows[i]!.tokens[j]!.logprob)))),
    );
    expect(diff).toBeLessThan(1e-4);
  }

  it('detects the graph: model_prefix.onnx has sharedPrefix, model.onnx does not', () => {
    expect(prefixed.sharedPrefix).toBe(true);
    expect(stock.sharedPrefix).toBe(false);
  });

  it('self-consistency, n = 8 samples at T = 0.7 (seed 11): same tokens and logprobs, rows finishing apart', async () => {
    const run = (m: TransformersModel) =>
      decodeGroups(m, [m.encode(FEW_SHOT + 'Q: 6 + 1 = ?\nA:')], 8, {
        maxNewTokens: 24,
        sampler: temperatureSampler(0.7),
        rngs: Array.from({ length: 8 }, (_, i) => createRng(11 * 100 + i)),
        stopStrings: ['\n'],
      });
    const [a, b] = [await run(stock), await run(prefixed)];
    expectSame(a, b);
    // Rows that stop at different steps exercise dropping finished rows from the per-row cache.
    expect(new Set(a.rows.map((r) => r.tokens.length)).size).toBeGreaterThan(1);
    expect(b.stats.prefillTokens).toBe(a.stats.prefillTokens);
    // The shared path ran: the prompt but its last token as the prefix, then that token against it.
    expect(b.stats.forwardCalls).toBe(a.stats.forwardCalls + 1);
  });

  it('CoT-decoding, k = 6 branches, greedy: same tokens and logprobs', async () => {
    const run = (m: TransformersModel) =>
      decodeGroups(m, [m.encode(FEW_SHOT + 'Q: 8 + 3 = ?\nA:')], 6, {
        maxNewTokens: 20,
        sampler: GREEDY,
        rngs: Array.from({ length: 6 }, (_, i) => createRng(i)),
        forcedFirst: 'top-n',
      });
    expectSame(await run(stock), await run(prefixed));
  });

  it('several items sharing a few-shot block, through a PrefixCache reused across two batches (seed 5)', async () => {
    const run = async (m: TransformersModel) => {
      const cache = new PrefixCache(m);
      const out: DecodeResult[] = [];
      for (const qs of [
        ['1 + 1', '7 + 2'],
        ['4 + 4', '9 + 0', '3 + 3'],
      ]) {
        const ids = qs.map((q) => m.encode(`${FEW_SHOT}Q: ${q} = ?\nA:`));
        out.push(
          await decodeGroups(m, ids, 3, {
            maxNewTokens: 12,
            sampler: temperatureSampler(1),
            rngs: Array.from({ length: ids.length * 3 }, (_, i) => createRng(5 * 100 + i)),
            prefixCache: cache,
          }),
        );
      }
      expect(cache.reused).toBeGreaterThan(0);
      cache.dispose();
      return out;
    };
    const [a, b] = [await run(stock), await run(prefixed)];
    a.forEach((r, i) => expectSame(r, b[i]!));
  });
});
