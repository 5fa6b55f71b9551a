import { decodePrompts } from '../decode/decode-loop.ts';
import type { LanguageModel } from '../decode/language-model.ts';
import { GREEDY } from '../logits/sampler.ts';
import { createRng } from '../rng.ts';

export interface Throughput {
  batch: number;
  newTokens: number;
  ms: number;
  tokensPerSecond: number;
}

/**
 * Greedy decoding of `batch` rows for exactly `newTokens` tokens each (no stop rules), timed with `now`
 * (passed in: the core has no clock of its own). Counts generated tokens over wall time, prefill included.
 */
export async function measureThroughput<C>(
  model: LanguageModel<C>,
  batch: number,
  newTokens: number,
  now: () => number,
): Promise<Throughput> {
  const prompt = model.encode('Q: 3 + 4 + 5\nA:');
  const prompts = Array.from({ length: batch }, () => prompt);
  const noEos: LanguageModel<C> = Object.assign(Object.create(model) as LanguageModel<C>, { eosTokenIds: [] });
  const start = now();
  const { stats } = await decodePrompts(noEos, prompts, {
    maxNewTokens: newTokens,
    sampler: GREEDY,
    rngs: prompts.map((_, i) => createRng(i)),
  });
  const ms = now() - start;
  return { batch, newTokens, ms, tokensPerSecond: (stats.generatedTokens / ms) * 1000 };
}
