import type { ProcessorSpec } from '../logits/processors.ts';
import { GREEDY, type SamplerSpec } from '../logits/sampler.ts';
import { DEFAULT_STOPS } from '../methods/method.ts';

/**
 * How Explore continues a prompt or a fork. A fork is continued with the same method: greedy and CoT-decoding
 * continue greedily (a CoT-decoding branch is a forced first token and then greedy), one sample or n samples draw
 * through the processor chain.
 */
export type ExploreMethod =
  | { kind: 'greedy' }
  | { kind: 'sample'; chain: ProcessorSpec[] }
  /** Wang & Zhou 2024: one path per top-k first token, each continued greedily. */
  | { kind: 'cot-decoding'; k: number }
  | { kind: 'samples'; n: number; chain: ProcessorSpec[] };

export type ExploreMethodKind = ExploreMethod['kind'];

export interface ExploreSettings {
  method: ExploreMethod;
  maxNewTokens: number;
  stopStrings: string[];
  /** Base seed: each new path draws from its own stream (the path's id and row). */
  seed: number;
  /** Alternatives kept per token (the ones a click can fork onto). */
  topAlternatives: number;
}

export const DEFAULT_EXPLORE_SETTINGS: ExploreSettings = {
  method: { kind: 'greedy' },
  maxNewTokens: 96,
  stopStrings: DEFAULT_STOPS,
  seed: 1,
  // The organism's reasoning token " L" is often sixth after five digits: ten keeps it clickable.
  topAlternatives: 10,
};

/** Paths one call makes: from the prompt, and from a fork. */
export function pathsFor(method: ExploreMethod, from: 'prompt' | 'fork'): number {
  switch (method.kind) {
    case 'greedy':
    case 'sample':
      return 1;
    case 'cot-decoding':
      return from === 'prompt' ? method.k : 1;
    case 'samples':
      return method.n;
  }
}

export function samplerFor(method: ExploreMethod): SamplerSpec {
  return method.kind === 'sample' || method.kind === 'samples' ? { chain: method.chain, select: 'sample' } : GREEDY;
}

export function describeMethod(method: ExploreMethod): string {
  switch (method.kind) {
    case 'greedy':
      return 'greedy';
    case 'sample':
      return `one sample (${chainText(method.chain)})`;
    case 'cot-decoding':
      return `CoT-decoding, k = ${method.k}`;
    case 'samples':
      return `${method.n} samples (${chainText(method.chain)})`;
  }
}

function chainText(chain: readonly ProcessorSpec[]): string {
  if (chain.length === 0) return 'raw softmax';
  return chain
    .map((p) => {
      const { name, ...rest } = p;
      return `${name} ${Object.values(rest).join(' ')}`;
    })
    .join(' → ');
}
