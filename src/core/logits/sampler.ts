import type { Rng } from '../rng.ts';
import { applyChain, type ProcessorContext, type ProcessorSpec } from './processors.ts';
import { argmax, sampleCategorical } from './select.ts';

/** How a next token is chosen: a processor chain, then argmax or a seeded draw. */
export interface SamplerSpec {
  chain: ProcessorSpec[];
  select: 'argmax' | 'sample';
}

export const GREEDY: SamplerSpec = { chain: [], select: 'argmax' };

export function temperatureSampler(temperature: number): SamplerSpec {
  return { chain: [{ name: 'temperature', temperature }], select: 'sample' };
}

export function chooseToken(logits: Float32Array, sampler: SamplerSpec, ctx: ProcessorContext, rng: Rng): number {
  const processed = applyChain(logits, sampler.chain, ctx);
  return sampler.select === 'argmax' ? argmax(processed) : sampleCategorical(processed, rng);
}
