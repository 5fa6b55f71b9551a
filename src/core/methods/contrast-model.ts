import type { ForwardInput, ForwardOutput, LanguageModel } from '../decode/language-model.ts';
import { WrappedModel } from '../decode/wrapped-model.ts';
import { leftPadBatch } from '../decode/padding.ts';
import { logSoftmax } from '../logits/distribution.ts';

/** The logical cache of a contrast batch: the inner cache holds B strong rows, then B weak rows. */
export interface ContrastCache<C> {
  inner: C;
  /** Extra left padding put before the strong rows so both halves share one width. */
  strongPad: number;
  weakMask: number[][];
  weakNext: number[];
}

// A weak prompt that gives a token no mass must not turn it into +Infinity.
const WEAK_FLOOR = -1e4;

/**
 * Contrastive decoding with one model and two prompts, as a LanguageModel: each logical row is decoded as a
 * strong row and a weak row in the same batch, both receive the chosen token, and the logits the decoding loop
 * sees are (1+β)·log p_strong − β·log p_weak, with tokens below α·p_max(strong) removed (plausibility mask,
 * Li et al. 2023). Tokens are chosen by those scores, but traces describe the model: each forward also returns the
 * strong prompt's raw logits as `traceLogits`, so a trace's probability, entropy, top-5 and Δ are the strong prompt's,
 * and the chosen token's contrast score is recorded beside them (TokenTrace.score).
 */
export class ContrastModel<C> extends WrappedModel<C, ContrastCache<C>> {
  constructor(
    inner: LanguageModel<C>,
    private readonly weakPrompts: readonly (readonly number[])[],
    private readonly beta: number,
    private readonly alpha: number,
  ) {
    super(inner);
    if (!(beta >= 0 && Number.isFinite(beta))) throw new Error(`contrast β must be a finite number >= 0, got ${beta}`);
    if (!(alpha > 0 && alpha <= 1)) throw new Error(`contrast α must be in (0, 1], got ${alpha}`);
  }

  async forward(
    input: ForwardInput,
    cache: ContrastCache<C> | null,
    options?: { allLogits?: boolean },
  ): Promise<ForwardOutput<ContrastCache<C>>> {
    if (options?.allLogits) throw new Error('contrast decoding gives next-token logits only');
    const B = input.inputIds.length;
    if (cache === null) return this.prefill(input, B);
    const strongMask = input.attentionMask.map((m) => [...new Array<number>(cache.strongPad).fill(0), ...m]);
    const weakMask = cache.weakMask.map((m) => [...m, 1]);
    const out = await this.inner.forward(
      {
        inputIds: [...input.inputIds, ...input.inputIds],
        attentionMask: [...strongMask, ...weakMask],
        positionIds: [...input.positionIds, ...cache.weakNext.map((p) => [p])],
      },
      cache.inner,
    );
    return {
      logits: this.combine(out.logits, B),
      traceLogits: out.logits.slice(0, B * this.vocabSize),
      positions: 1,
      cache: { inner: out.cache, strongPad: cache.strongPad, weakMask, weakNext: cache.weakNext.map((p) => p + 1) },
    };
  }

  private async prefill(input: ForwardInput, B: number): Promise<ForwardOutput<ContrastCache<C>>> {
    if (this.weakPrompts.length !== B)
      throw new Error(`contrast: ${B} strong prompts but ${this.weakPrompts.length} weak ones`);
    const weak = leftPadBatch(this.weakPrompts, this.padTokenId);
    const strongWidth = input.inputIds[0]!.length;
    const weakWidth = weak.ids[0]!.length;
    const width = Math.max(strongWidth, weakWidth);
    const padRow = <T>(row: readonly T[], n: number, fill: T) => [...new Array<T>(n).fill(fill), ...row];
    const sp = width - strongWidth;
    const wp = width - weakWidth;
    const weakMask = weak.mask.map((m) => padRow(m, wp, 0));
    const out = await this.inner.forward(
      {
        inputIds: [
          ...input.inputIds.map((r) => padRow(r, sp, this.padTokenId)),
          ...weak.ids.map((r) => padRow(r, wp, this.padTokenId)),
        ],
        attentionMask: [...input.attentionMask.map((r) => padRow(r, sp, 0)), ...weakMask],
        positionIds: [
          ...input.positionIds.map((r) => padRow(r, sp, 1)),
          ...weak.positions.map((r) => padRow(r, wp, 1)),
        ],
      },
      null,
    );
    return {
      logits: this.combine(out.logits, B),
      traceLogits: out.logits.slice(0, B * this.vocabSize),
      positions: 1,
      cache: { inner: out.cache, strongPad: sp, weakMask, weakNext: this.weakPrompts.map((p) => p.length) },
    };
  }

  /** Rows 0..B-1 of `logits` are strong, B..2B-1 weak (one position each). */
  private combine(logits: Float32Array, B: number): Float32Array {
    const V = this.vocabSize;
    const out = new Float32Array(B * V);
    const logAlpha = Math.log(this.alpha);
    for (let b = 0; b < B; b++) {
      const ls = logSoftmax(logits.subarray(b * V, (b + 1) * V));
      const lw = logSoftmax(logits.subarray((B + b) * V, (B + b + 1) * V));
      let max = -Infinity;
      for (let i = 0; i < V; i++) if (ls[i]! > max) max = ls[i]!;
      for (let i = 0; i < V; i++) {
        out[b * V + i] =
          ls[i]! < logAlpha + max ? -Infinity : (1 + this.beta) * ls[i]! - this.beta * Math.max(lw[i]!, WEAK_FLOOR);
      }
    }
    return out;
  }

  async selectRows(cache: ContrastCache<C>, rows: readonly number[]): Promise<ContrastCache<C>> {
    const B = cache.weakMask.length;
    return {
      inner: await this.inner.selectRows(cache.inner, [...rows, ...rows.map((r) => r + B)]),
      strongPad: cache.strongPad,
      weakMask: rows.map((r) => cache.weakMask[r]!.slice()),
      weakNext: rows.map((r) => cache.weakNext[r]!),
    };
  }

  release(cache: ContrastCache<C>): void {
    this.inner.release(cache.inner);
  }
}
