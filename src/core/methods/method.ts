import type { ProcessorSpec } from '../logits/processors.ts';
import { PLAIN_PROMPT, type PromptSpec } from './prompt.ts';
import type { SteerSpec } from '../steer/steer.ts';

/** How votes over several paths become one answer. */
export type Aggregation = 'majority' | 'delta-weighted' | 'best-of-n';

export type DecodingSpec =
  | { kind: 'greedy' }
  /** n samples from one shared prefill through a processor chain, then an aggregation (self-consistency). */
  | { kind: 'sample'; n: number; chain: ProcessorSpec[]; aggregate: Aggregation }
  /** Wang & Zhou 2024: branch on the top-k first tokens, continue greedily, keep the most confident answer. */
  | { kind: 'cot-decoding'; k: number; aggregate: 'max' | 'sum' }
  /** Single-model contrastive decoding: (1+β)·log p_strong − β·log p_weak, with the α plausibility mask. */
  | { kind: 'contrast'; weak: PromptSpec; beta: number; alpha: number };

/** An elicitation method = prompt strategy × decoding strategy (× aggregation): plain data, stored with results. */
export interface MethodSpec {
  id: string;
  label: string;
  prompt: PromptSpec;
  decoding: DecodingSpec;
  maxNewTokens: number;
  /** A path ends at the first of these in its text (the text is cut before it). */
  stopStrings: string[];
  /** Activation steering during every forward pass (models with hidden-state I/O only). */
  steer?: SteerSpec;
}

export const DEFAULT_STOPS = ['\n\n', '\nQ:', '\nQuestion:'];

const base = { maxNewTokens: 64, stopStrings: DEFAULT_STOPS };
const worked = (shots: number): PromptSpec => ({ ...PLAIN_PROMPT, shots, shotForm: 'worked' });
const withTrigger: PromptSpec = { ...PLAIN_PROMPT, triggerSource: 'suite' };

export const BUILTIN_METHODS: readonly MethodSpec[] = [
  { id: 'greedy-plain', label: 'Greedy, plain prompt', prompt: PLAIN_PROMPT, decoding: { kind: 'greedy' }, ...base },
  {
    id: 'greedy-lm-eval',
    label: 'Greedy, lm-eval prompt',
    prompt: { ...PLAIN_PROMPT, template: 'lm-eval' },
    decoding: { kind: 'greedy' },
    ...base,
  },
  {
    id: 'fewshot-direct',
    label: 'Greedy, direct examples',
    prompt: { ...PLAIN_PROMPT, shots: 4 },
    decoding: { kind: 'greedy' },
    ...base,
  },
  {
    id: 'fewshot-worked',
    label: 'Greedy, worked examples',
    prompt: worked(4),
    decoding: { kind: 'greedy' },
    ...base,
    maxNewTokens: 96,
  },
  {
    id: 'trigger',
    label: 'Greedy, trigger phrase',
    prompt: withTrigger,
    decoding: { kind: 'greedy' },
    ...base,
    maxNewTokens: 96,
  },
  {
    id: 'self-consistency',
    label: 'Self-consistency (majority vote)',
    prompt: PLAIN_PROMPT,
    decoding: { kind: 'sample', n: 16, chain: [{ name: 'temperature', temperature: 0.7 }], aggregate: 'majority' },
    ...base,
    maxNewTokens: 96,
  },
  {
    id: 'cot-decoding',
    label: 'CoT-decoding',
    prompt: PLAIN_PROMPT,
    decoding: { kind: 'cot-decoding', k: 10, aggregate: 'max' },
    ...base,
    maxNewTokens: 96,
  },
  {
    id: 'cot-decoding-agg',
    label: 'CoT-decoding, aggregated',
    prompt: PLAIN_PROMPT,
    decoding: { kind: 'cot-decoding', k: 10, aggregate: 'sum' },
    ...base,
    maxNewTokens: 96,
  },
  {
    id: 'contrast-trigger',
    label: 'Contrast: trigger vs plain',
    prompt: withTrigger,
    decoding: { kind: 'contrast', weak: PLAIN_PROMPT, beta: 1, alpha: 0.1 },
    ...base,
    maxNewTokens: 96,
  },
  {
    // Layer, scale and positions as `coax sweep` chose them on organism-v1's arith-id exemplar pool (README).
    id: 'steer-caa',
    label: 'Greedy, steered (CAA)',
    prompt: PLAIN_PROMPT,
    decoding: { kind: 'greedy' },
    ...base,
    maxNewTokens: 96,
    steer: { layer: 3, scale: 0.5, vector: 'caa', positions: 'last' },
  },
];

/** The two methods a first comparison starts with. */
export const DEFAULT_METHOD_IDS = ['greedy-plain', 'fewshot-worked'];

export function findMethod(id: string): MethodSpec {
  const m = BUILTIN_METHODS.find((x) => x.id === id);
  if (!m) throw new Error(`unknown method "${id}"; known: ${BUILTIN_METHODS.map((x) => x.id).join(', ')}`);
  return m;
}

/** Paths a method decodes per item (its cost multiplier). */
export function pathsPerItem(decoding: DecodingSpec): number {
  switch (decoding.kind) {
    case 'greedy':
      return 1;
    case 'sample':
      return decoding.n;
    case 'cot-decoding':
      return decoding.k;
    case 'contrast':
      return 2;
  }
}

/** The label a method is shown under: its spec's label, else its id. */
export function methodLabel(methods: readonly MethodSpec[], id: string): string {
  return methods.find((m) => m.id === id)?.label ?? id;
}
