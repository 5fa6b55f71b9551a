import type { Rng } from '../rng.ts';
import { applyChain, type ProcessorContext, type ProcessorSpec } from './processors.ts';
import { argmax, sampleCategorical } from './select.ts';
import { drawCategorical, drawFromTerms, drawTemperature, type SampleScratch } from './fast-sample.ts';

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

/** What the trace's pass over the same logits left behind: their maximum, S and the terms of S (see expTerms). */
export interface SoftmaxTerms {
  max: number;
  sum: number;
  exps: Float64Array;
}

/**
 * chooseToken, the same token bit for bit, with reused buffers and without a second softmax where the trace's can
 * serve: the raw logits or a temperature alone are drawn from kept exp terms (fast-sample.ts), and at temperature 1
 * from the trace's own (`known`, computed over these same logits). Other chains run the processors as they are, then
 * the allocation-free draw.
 */
export function chooseTokenFast(
  logits: Float32Array,
  sampler: SamplerSpec,
  ctx: ProcessorContext,
  rng: Rng,
  scratch: SampleScratch,
  known: SoftmaxTerms | null = null,
): number {
  const chain = sampler.chain;
  if (sampler.select === 'argmax') return argmax(applyChain(logits, chain, ctx));
  const only = chain.length === 1 ? chain[0]! : null;
  const t = chain.length === 0 ? 1 : only?.name === 'temperature' ? only.temperature : NaN;
  // An invalid temperature goes through the processor, which says what is wrong.
  if (t > 0 && Number.isFinite(t)) {
    if (t === 1 && known) return drawFromTerms(logits, known.max, known.sum, rng.next(), known.exps, scratch);
    if (t === 1) return drawCategorical(logits, rng.next(), scratch);
    return drawTemperature(logits, t, rng.next(), scratch, known?.max);
  }
  // A leading temperature writes into scratch instead of a new array (processors never change their input).
  const first = chain[0];
  if (first?.name === 'temperature' && first.temperature > 0 && Number.isFinite(first.temperature)) {
    const scaled = scratch.scaled;
    for (let i = 0; i < logits.length; i++) scaled[i] = logits[i]! / first.temperature;
    return drawCategorical(applyChain(scaled, chain.slice(1), ctx), rng.next(), scratch);
  }
  return drawCategorical(applyChain(logits, chain, ctx), rng.next(), scratch);
}
