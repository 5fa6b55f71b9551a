import type { Rng } from '../rng.ts';
import { SampleScratch } from '../logits/fast-sample.ts';
import type { ProcessorContext } from '../logits/processors.ts';
import { chooseToken, chooseTokenFast, type SamplerSpec } from '../logits/sampler.ts';
import { stepStats, stepStatsFast, type StepStats } from './token-stats.ts';

/** The per-row work of one decoding step, with buffers reused across rows and steps (one per decoding loop). */
export class RowStepper {
  readonly #trace: SampleScratch;
  readonly #sample: SampleScratch;

  /**
   * `reference`: the straightforward functions (stepStats, chooseToken) instead of the fused ones (stepStatsFast,
   * chooseTokenFast): the same tokens and traces, only slower.
   */
  constructor(
    vocabSize: number,
    readonly reference = false,
  ) {
    this.#trace = new SampleScratch(vocabSize);
    this.#sample = new SampleScratch(vocabSize);
  }

  /**
   * The statistics of the row's distribution (`traceLogits`, or the row's logits when they are what the trace
   * describes) and the token chosen from `logits` (or `forced`). `dist.logProbs` is valid until the next call.
   */
  step(
    logits: Float32Array,
    traceLogits: Float32Array | undefined,
    sampler: SamplerSpec,
    ctx: ProcessorContext,
    rng: Rng,
    forced: number | null,
    topK: number,
  ): { dist: StepStats; id: number } {
    const distLogits = traceLogits ?? logits;
    if (this.reference) {
      const dist = stepStats(distLogits, topK, this.#trace.logProbs);
      return { dist, id: forced ?? chooseToken(logits, sampler, ctx, rng) };
    }
    const dist = stepStatsFast(distLogits, topK, this.#trace);
    // The trace's softmax terms serve the sampler only when they are over the same logits.
    const known = traceLogits ? null : dist.terms;
    return { dist, id: forced ?? chooseTokenFast(logits, sampler, ctx, rng, this.#sample, known) };
  }
}
