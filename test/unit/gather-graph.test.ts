import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { gatherModelBytes } from '../../src/adapters/model/gather-graph.ts';
import { gatherRows } from '../../src/adapters/model/tensor-rows.ts';

// The hand-built graph run by ONNX Runtime (CPU here; the WebGPU session would load the same bytes) must pick the
// same rows, in the same order and with repeats, as the CPU gather selectRows uses today.
describe('gatherModelBytes', () => {
  it('builds a float32 Gather on axis 0 that ONNX Runtime loads and that matches gatherRows', async () => {
    const session = await ort.InferenceSession.create(gatherModelBytes('float32'));
    const dims = [3, 2, 4, 5];
    const data = Float32Array.from({ length: 3 * 2 * 4 * 5 }, (_, i) => Math.sin(i) * 100);
    const rows = [2, 0, 0, 1, 2];
    const out = await session.run({
      data: new ort.Tensor('float32', data, dims),
      indices: new ort.Tensor('int64', BigInt64Array.from(rows.map(BigInt)), [rows.length]),
    });
    expect(out['out']!.dims).toEqual([rows.length, 2, 4, 5]);
    expect(Array.from(out['out']!.data as Float32Array)).toEqual(Array.from(gatherRows(data, 3, rows)));
    await session.release();
  });

  it('builds a float16 variant whose output keeps the half-precision bits', async () => {
    const session = await ort.InferenceSession.create(gatherModelBytes('float16'));
    const bits = Uint16Array.from({ length: 2 * 6 }, (_, i) => 0x3c00 + i * 17);
    const out = await session.run({
      data: new ort.Tensor('float16', bits, [2, 6]),
      indices: new ort.Tensor('int64', BigInt64Array.from([1n, 1n, 0n]), [3]),
    });
    expect(Array.from(out['out']!.data as Uint16Array)).toEqual(Array.from(gatherRows(bits, 2, [1, 1, 0])));
    await session.release();
  });
});
