import type { ForwardInput, ForwardOptions, ForwardOutput, HiddenIo, LanguageModel } from '../decode/language-model.ts';
import { requireHiddenIo } from './steer.ts';

/**
 * A model whose every forward pass carries one steering input (L × C, see steeringInput): steering composes with any
 * prompt and decoding because the decoding loop only sees another LanguageModel. Its cache is the inner model's;
 * caches made without steering must not be mixed in (a steered run uses its own prefix cache).
 */
export class SteeredModel<C> implements LanguageModel<C> {
  readonly vocabSize: number;
  readonly eosTokenIds: readonly number[];
  readonly padTokenId: number;
  readonly hiddenIo: HiddenIo;

  constructor(
    private readonly inner: LanguageModel<C>,
    readonly steering: Float32Array,
  ) {
    this.hiddenIo = requireHiddenIo(inner);
    if (steering.length !== this.hiddenIo.layers * this.hiddenIo.width)
      throw new Error(
        `steering has ${steering.length} values, expected ${this.hiddenIo.layers} × ${this.hiddenIo.width}`,
      );
    this.vocabSize = inner.vocabSize;
    this.eosTokenIds = inner.eosTokenIds;
    this.padTokenId = inner.padTokenId;
  }

  encode(text: string): number[] {
    return this.inner.encode(text);
  }

  decode(ids: readonly number[]): string {
    return this.inner.decode(ids);
  }

  forward(input: ForwardInput, cache: C | null, options?: ForwardOptions): Promise<ForwardOutput<C>> {
    return this.inner.forward(input, cache, { ...options, steering: this.steering });
  }

  selectRows(cache: C, rows: readonly number[]): Promise<C> {
    return this.inner.selectRows(cache, rows);
  }

  release(cache: C): void {
    this.inner.release(cache);
  }
}
