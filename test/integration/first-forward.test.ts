/**
 * The adapter checks the logits of its first forward pass: a backend that computes NaN (seen with fp16 on some
 * WebGPU drivers) fails at once with NonFiniteLogitsError, which the worker answers by loading on WASM instead.
 */
import { Tensor } from '@huggingface/transformers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  countNonFinite,
  NonFiniteLogitsError,
  type TransformersModel,
} from '../../src/adapters/model/transformers-model.ts';
import { loadLocal } from './load-local.ts';

const INPUT = { inputIds: [[5, 6, 7]], attentionMask: [[1, 1, 1]], positionIds: [[0, 1, 2]] };

describe('the first forward pass', () => {
  let model: TransformersModel;
  let poisoned = 0;
  beforeAll(async () => {
    model = await loadLocal('coax/fixture-tiny');
    // The real session, with `poisoned` logits turned into NaN on the way out.
    const forward = model.model.forward.bind(model.model);
    model.model.forward = async (feeds: Record<string, unknown>) => {
      const out = (await forward(feeds)) as Record<string, Tensor>;
      const data = out['logits']!.data as Float32Array;
      for (let i = 0; i < poisoned; i++) data[i] = NaN;
      return out;
    };
  });
  afterAll(async () => {
    await model?.dispose();
  });

  it('throws NonFiniteLogitsError when its logits hold NaN', async () => {
    poisoned = 3;
    await expect(model.forward(INPUT, null)).rejects.toThrow(NonFiniteLogitsError);
    await expect(model.forward(INPUT, null)).rejects.toThrow(
      /first forward pass gave 3 of \d+ logits that are NaN or infinite/,
    );
  });

  it('passes clean logits, and checks only once', async () => {
    poisoned = 0;
    const out = await model.forward(INPUT, null);
    expect(countNonFinite(out.logits)).toBe(0);
    poisoned = 1;
    const later = await model.forward(INPUT, null);
    expect(countNonFinite(later.logits)).toBe(1);
  });

  it.each([
    [[0, 1.5, -2], 0],
    [[NaN, 1, Infinity, -Infinity], 3],
  ])('counts non-finite values in %j: %i', (values, n) => {
    expect(countNonFinite(Float32Array.from(values))).toBe(n);
  });
});
