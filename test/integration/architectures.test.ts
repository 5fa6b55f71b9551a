/**
 * Every bundled architecture through the same adapter: logits against PyTorch, and our decoding loop against
 * transformers.js `generate()` on the same ONNX session (greedy, one prompt and a left-padded batch).
 */
import { Tensor } from '@huggingface/transformers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodePrompts, decodeShared } from '../../src/core/decode/decode-loop.ts';
import { leftPadBatch } from '../../src/core/decode/padding.ts';
import { GREEDY, temperatureSampler } from '../../src/core/logits/sampler.ts';
import { createRng } from '../../src/core/rng.ts';
import type { LoadOptions, TransformersModel } from '../../src/adapters/model/transformers-model.ts';
import { expectParity, loadLocal, readParity } from './load-local.ts';
import { int64, untilEos } from '../../src/worker/bench/peers.ts';

interface Case {
  id: string;
  modelType: string;
  fixture: string;
  dtype: NonNullable<LoadOptions['dtype']>;
  /** Max abs logit difference to PyTorch float32. fp16 weights and logits round to about 1e-3 relative (logits reach ~40). */
  tolerance: number;
}

const CASES: Case[] = [
  { id: 'coax/fixture-tiny', modelType: 'llama', fixture: 'parity-fixture-tiny.json', dtype: 'fp32', tolerance: 1e-4 },
  { id: 'coax/fixture-gpt2', modelType: 'gpt2', fixture: 'parity-fixture-gpt2.json', dtype: 'fp32', tolerance: 1e-4 },
  // grouped-query attention (4 query heads over 2 key/value heads): transformers.js sizes the empty cache from
  // num_key_value_heads, so a wrong config or graph fails here
  { id: 'coax/fixture-gqa', modelType: 'llama', fixture: 'parity-fixture-gqa.json', dtype: 'fp32', tolerance: 1e-4 },
  { id: 'coax/fixture-gpt2', modelType: 'gpt2', fixture: 'parity-fixture-gpt2.json', dtype: 'fp16', tolerance: 0.1 },
];

const PROMPTS = ['Q: 2 + 3\nA:', 'hi', 'Q: 1 + 1\nA: 2\n\nQ: 7 + 8\nA:'];
const NEW_TOKENS = 16;

/** transformers.js greedy generate() on the adapter's own model, fed the same left-padded batch as our loop. */
async function generateGreedy(
  model: TransformersModel,
  prompts: number[][],
  maxNewTokens: number,
): Promise<number[][]> {
  const batch = leftPadBatch(prompts, model.padTokenId);
  const out = (await model.model.generate({
    input_ids: int64(batch.ids),
    attention_mask: int64(batch.mask),
    max_new_tokens: maxNewTokens,
    do_sample: false,
  } as Parameters<TransformersModel['model']['generate']>[0])) as Tensor;
  const width = batch.ids[0]!.length;
  return (out.tolist() as bigint[][]).map((row) => untilEos(row.slice(width).map(Number), model.eosTokenIds));
}

async function decodeGreedy(model: TransformersModel, prompts: number[][], maxNewTokens: number): Promise<number[][]> {
  const { rows } = await decodePrompts(model, prompts, {
    maxNewTokens,
    sampler: GREEDY,
    rngs: prompts.map((_, i) => createRng(i)),
  });
  return rows.map((r) => r.tokens.map((t) => t.id));
}

describe.each(CASES)('$id ($dtype)', ({ id, modelType, fixture, dtype, tolerance }) => {
  const parity = readParity(fixture);
  let model: TransformersModel;
  beforeAll(async () => {
    model = await loadLocal(id, { dtype });
  });
  afterAll(async () => {
    await model?.dispose();
  });

  it(`loads as model_type ${modelType} with a ${dtype === 'fp16' ? 'float16' : 'float32'} KV cache`, async () => {
    expect((model.model.config as unknown as { model_type: string }).model_type).toBe(modelType);
    const ids = model.encode(PROMPTS[0]!);
    const out = await model.forward(
      { inputIds: [ids], attentionMask: [ids.map(() => 1)], positionIds: [ids.map((_, t) => t)] },
      null,
    );
    const types = new Set(Object.values(out.cache).map((t) => t.type));
    expect([...types]).toEqual([dtype === 'fp16' ? 'float16' : 'float32']);
    expect(out.logits).toBeInstanceOf(Float32Array);
  });

  it.each(parity.cases.map((c, i) => [i, c] as const))(
    `logits of prompt %i match PyTorch within ${tolerance} at every position`,
    async (_i, c) => {
      expect(model.encode(c.prompt)).toEqual(c.input_ids);
      await expectParity(model, c, tolerance);
    },
  );

  it('our greedy loop gives the same tokens as transformers.js generate() for one prompt', async () => {
    const prompt = [model.encode(PROMPTS[2]!)];
    const ours = await decodeGreedy(model, prompt, NEW_TOKENS);
    expect(ours[0]!.length).toBeGreaterThan(1);
    expect(ours).toEqual(await generateGreedy(model, prompt, NEW_TOKENS));
  });

  it('our greedy loop gives the same tokens as transformers.js generate() for a left-padded batch of 3 prompts', async () => {
    const prompts = PROMPTS.map((p) => model.encode(p));
    expect(new Set(prompts.map((p) => p.length)).size).toBe(3);
    const ours = await decodeGreedy(model, prompts, NEW_TOKENS);
    expect(ours).toEqual(await generateGreedy(model, prompts, NEW_TOKENS));
    // The batch is not trivially uniform: different prompts continue differently.
    expect(new Set(ours.map((r) => r.join(','))).size).toBe(3);
  });

  it('expanding a shared prefix (row gathers of this cache dtype) samples the same rows as separate prefills', async () => {
    const prompt = model.encode(PROMPTS[0]!);
    const options = () => ({
      maxNewTokens: 8,
      sampler: temperatureSampler(1.0),
      rngs: [0, 1, 2].map((i) => createRng(70 + i)),
    });
    const shared = await decodeShared(model, prompt, 3, options());
    const separate = await decodePrompts(model, [prompt, prompt, prompt], options());
    expect(shared.rows.map((r) => r.tokens.map((t) => t.id))).toEqual(
      separate.rows.map((r) => r.tokens.map((t) => t.id)),
    );
    expect(new Set(shared.rows.map((r) => r.text)).size).toBeGreaterThan(1);
  });
});
