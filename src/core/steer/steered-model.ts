import type { ForwardInput, ForwardOptions, ForwardOutput, HiddenIo, LanguageModel } from '../decode/language-model.ts';
import { WrappedModel } from '../decode/wrapped-model.ts';
import { requireHiddenIo, steeringInput, type SteerPositions, type SteerSpec } from './steer.ts';

/**
 * A model whose every forward pass carries one steering input (L × C, see steeringInput): steering composes with any
 * prompt and decoding because the decoding loop only sees another LanguageModel. Its cache is the inner model's;
 * caches made without steering must not be mixed in (a steered run uses its own prefix cache).
 */
export class SteeredModel<C> extends WrappedModel<C, C> {
  readonly hiddenIo: HiddenIo;

  constructor(
    inner: LanguageModel<C>,
    readonly steering: Float32Array,
    readonly positions: SteerPositions = 'all',
  ) {
    super(inner);
    this.hiddenIo = requireHiddenIo(inner);
    if (steering.length !== this.hiddenIo.layers * this.hiddenIo.width)
      throw new Error(
        `steering has ${steering.length} values, expected ${this.hiddenIo.layers} × ${this.hiddenIo.width}`,
      );
  }

  async forward(input: ForwardInput, cache: C | null, options?: ForwardOptions<C>): Promise<ForwardOutput<C>> {
    const T = input.inputIds[0]?.length ?? 0;
    // A decoding step: one new token after a cache.
    if (this.positions === 'last' && T === 1 && cache !== null) return this.inner.forward(input, cache, options);
    if (this.positions === 'all' || T <= 1)
      return this.inner.forward(input, cache, { ...options, steering: this.steering });
    if (options?.allLogits) throw new Error("steering at 'answer' positions gives last-position logits only");
    // Rows are left-padded, so the last column is every row's last prompt token: run the rest unsteered, then it.
    const S = input.attentionMask[0]!.length;
    const head = await this.inner.forward(
      {
        inputIds: input.inputIds.map((r) => r.slice(0, T - 1)),
        attentionMask: input.attentionMask.map((r) => r.slice(0, S - 1)),
        positionIds: input.positionIds.map((r) => r.slice(0, T - 1)),
      },
      cache,
    );
    try {
      return await this.inner.forward(
        {
          inputIds: input.inputIds.map((r) => r.slice(T - 1)),
          attentionMask: input.attentionMask,
          positionIds: input.positionIds.map((r) => r.slice(T - 1)),
        },
        head.cache,
        { ...options, steering: this.steering },
      );
    } finally {
      this.inner.release(head.cache);
    }
  }

  selectRows(cache: C, rows: readonly number[]): Promise<C> {
    return this.inner.selectRows(cache, rows);
  }

  release(cache: C): void {
    this.inner.release(cache);
  }

  /** The inner model's cache size (0 when it does not say: one batch), so steered runs are split into waves too. */
  cacheBytesPerToken(cache: C): number {
    return this.inner.cacheBytesPerToken?.(cache) ?? 0;
  }
}

/**
 * The model as a steered method saw it, from the spec and the direction a run stored for it (results' `steering`):
 * what the logit lens and the feature browser read for that method's traces. The model itself when the method does not steer.
 */
export function modelAsSteered<C>(
  model: LanguageModel<C>,
  steer: SteerSpec | undefined,
  direction: readonly number[] | undefined,
): LanguageModel<C> {
  if (!steer) return model;
  if (!direction) throw new Error(`the run stored no steering direction for this method (layer ${steer.layer})`);
  const io = requireHiddenIo(model);
  return new SteeredModel(model, steeringInput(io, steer.layer, direction, steer.scale), steer.positions);
}
