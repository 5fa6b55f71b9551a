import { afterAll, describe, expect, it } from 'vitest';
import { decodeGroups } from '../../src/core/decode/decode-loop.ts';
import { temperatureSampler } from '../../src/core/logits/sampler.ts';
import { createRng } from '../../src/core/rng.ts';
import type { TransformersModel } from '../../src/adapters/model/transformers-model.ts';
import { loadLocal } from './load-local.ts';

/**
 * WaveTuner picks wave sizes from measured times, so a run's batches differ from one run to the next. That is only
 * allowed because a row's logits do not depend on the rows beside it: checked here on onnxruntime-node, bit for bit,
 * with one batch against waves of 3 and every row alone, for a tiny model, the organism (also on two threads) and the
 * grouped-query fixture.
 */
const loaded: TransformersModel[] = [];
afterAll(async () => {
  for (const m of loaded) await m.dispose();
});

describe.each([
  ['coax/fixture-tiny', undefined],
  ['coax/organism-v1', undefined],
  ['coax/organism-v1', 2], // two intra-op threads, as the CLI loads it: the threads split the work differently
  ['coax/fixture-gqa', undefined],
])('waves on the runtime: %s, threads %s', (id, threads) => {
  it('decodes the same tokens with the same probabilities in one batch of 8 as in waves of 1 and of 3', async () => {
    const model = await loadLocal(id, { threads });
    loaded.push(model);
    const prompt = model.encode('12+7=');
    const run = (budget: number) =>
      decodeGroups(model, [prompt], 8, {
        maxNewTokens: 12,
        sampler: temperatureSampler(1),
        rngs: Array.from({ length: 8 }, (_, i) => createRng(77 + i)),
        waveBudgetBytes: budget,
      });
    const rows = async (budget: number) =>
      (await run(budget)).rows.map((r) => ({ text: r.text, probs: r.tokens.map((t) => t.prob) }));
    const first = await model.forward({ inputIds: [[prompt[0]!]], attentionMask: [[1]], positionIds: [[0]] }, null);
    const perRow = model.cacheBytesPerToken(first.cache) * (prompt.length + 12);
    model.release(first.cache);
    const together = await rows(Infinity);
    expect(new Set(together.map((r) => r.text)).size).toBeGreaterThan(1); // the rows differ: a real comparison
    expect(await rows(3 * perRow)).toEqual(together); // waves of 3, 3, 2
    expect(await rows(1)).toEqual(together); // every row alone
  });
});
