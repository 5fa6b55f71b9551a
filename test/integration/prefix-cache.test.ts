import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';

// export.py --prefix-cache (issue #13): the shared-prefix graph of fixture-gqa's weights must compute what the
// stock graph computes when the prompt's cache is copied into every row, with present holding only the suffix.
// Graph level only: the engine does not feed prefix_key_values yet.
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
