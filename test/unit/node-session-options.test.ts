import { describe, expect, it } from 'vitest';
import { nodeSessionOptions } from '../../src/adapters/model/transformers-model.ts';

describe('nodeSessionOptions (LoadOptions.threads)', () => {
  it('leaves the runtime its defaults when no thread count is given', () => {
    expect(nodeSessionOptions({ device: 'cpu' })).toBeUndefined();
    expect(nodeSessionOptions({ device: 'wasm' })).toBeUndefined();
  });

  it('passes a thread count to onnxruntime-node as intraOpNumThreads', () => {
    expect(nodeSessionOptions({ device: 'cpu', threads: 2 })).toEqual({ intraOpNumThreads: 2 });
  });

  it('refuses a count that is not a whole number of at least 1', () => {
    for (const threads of [0, -1, 1.5, Number.NaN])
      expect(() => nodeSessionOptions({ device: 'cpu', threads })).toThrow(/whole number of at least 1/);
  });

  it('refuses threads for the browser backends, whose threads are set on the runtime, not the session', () => {
    expect(() => nodeSessionOptions({ device: 'wasm', threads: 2 })).toThrow(/onnxruntime-node/);
    expect(() => nodeSessionOptions({ device: 'webgpu', threads: 2 })).toThrow(/onnxruntime-node/);
  });
});
