import type { ForwardInput, ForwardOptions, ForwardOutput, LanguageModel } from './language-model.ts';

/**
 * What a model that wraps another one (steering, contrastive decoding) takes from it unchanged: vocabulary, special
 * ids, context length and the tokenizer. One place, so a wrapper cannot forget a field of the inner model (a wrapper
 * that dropped `cacheBytesPerToken` once stopped steered runs from being split into waves).
 */
export abstract class WrappedModel<Inner, C> implements LanguageModel<C> {
  readonly vocabSize: number;
  readonly eosTokenIds: readonly number[];
  readonly padTokenId: number;
  readonly contextLength: number | null;

  constructor(protected readonly inner: LanguageModel<Inner>) {
    this.vocabSize = inner.vocabSize;
    this.eosTokenIds = inner.eosTokenIds;
    this.padTokenId = inner.padTokenId;
    this.contextLength = inner.contextLength ?? null;
  }

  encode(text: string): number[] {
    return this.inner.encode(text);
  }

  decode(ids: readonly number[]): string {
    return this.inner.decode(ids);
  }

  abstract forward(input: ForwardInput, cache: C | null, options?: ForwardOptions<C>): Promise<ForwardOutput<C>>;
  abstract selectRows(cache: C, rows: readonly number[]): Promise<C>;
  abstract release(cache: C): void;
}
