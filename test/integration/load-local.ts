import { readFileSync } from 'node:fs';
import { env } from '@huggingface/transformers';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { TransformersModel, type LoadOptions } from '../../src/adapters/model/transformers-model.ts';

/** Load a model from this repo's public/models (or `modelsDir`) through onnxruntime-node, never the network. */
export async function loadLocal(
  id: string,
  options: { dtype?: LoadOptions['dtype']; modelsDir?: string; modelFileName?: string; threads?: number } = {},
): Promise<TransformersModel> {
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  env.localModelPath = options.modelsDir
    ? `${options.modelsDir.replace(/\/$/, '')}/`
    : fileURLToPath(new URL('../../public/models/', import.meta.url));
  const { dtype, modelFileName, threads } = options;
  return TransformersModel.load(id, { device: 'cpu', dtype, modelFileName, threads });
}

/** Largest absolute difference between two equally long arrays (the parity tests' distance to PyTorch). */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

/** A parity fixture written by training/export.py: prompts, their ids and PyTorch's logits at every position. */
export interface ParityFixture {
  cases: {
    prompt: string;
    input_ids: number[];
    logits: number[][];
    greedy?: { new_ids: number[]; text: string; step_logits: number[][] };
  }[];
}

/** Read test/fixtures/<file>. */
export function readParity(file: string): ParityFixture {
  return JSON.parse(readFileSync(new URL(`../fixtures/${file}`, import.meta.url), 'utf8')) as ParityFixture;
}

/**
 * Forward one case's prompt (unpadded, no cache), check the logits at every position against PyTorch's and return the
 * largest difference, so a caller can also bound it from the other side.
 */
export async function expectParity(
  model: TransformersModel,
  c: ParityFixture['cases'][number],
  tolerance: number,
): Promise<number> {
  const ids = c.input_ids;
  const out = await model.forward(
    { inputIds: [ids], attentionMask: [ids.map(() => 1)], positionIds: [ids.map((_, t) => t)] },
    null,
    { allLogits: true },
  );
  expect(out.positions).toBe(ids.length);
  const diff = maxAbsDiff(out.logits, c.logits.flat());
  expect(diff).toBeLessThanOrEqual(tolerance);
  return diff;
}
