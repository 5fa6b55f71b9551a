import { env } from '@huggingface/transformers';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { TransformersModel, type LoadOptions } from '../../src/adapters/model/transformers-model.ts';

/** Load a model from this repo's public/models (or `modelsDir`) through onnxruntime-node, never the network. */
export async function loadLocal(
  id: string,
  options: { dtype?: LoadOptions['dtype']; modelsDir?: string; modelFileName?: string } = {},
): Promise<TransformersModel> {
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  env.localModelPath = options.modelsDir
    ? `${options.modelsDir.replace(/\/$/, '')}/`
    : fileURLToPath(new URL('../../public/models/', import.meta.url));
  return TransformersModel.load(id, { device: 'cpu', dtype: options.dtype, modelFileName: options.modelFileName });
}

/** Largest absolute difference between two equally long arrays (the parity tests' distance to PyTorch). */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}
