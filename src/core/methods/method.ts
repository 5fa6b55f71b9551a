import type { PromptSpec } from './prompt.ts';

/** An elicitation method as plain data: stored with results and shown in the UI. */
export interface MethodSpec {
  id: string;
  label: string;
  description: string;
  prompt: PromptSpec;
  decoding: { kind: 'greedy' };
  maxNewTokens: number;
  stopStrings: string[];
}

const STOPS = ['\n\n', '\nQ:'];

export const BUILTIN_METHODS: readonly MethodSpec[] = [
  {
    id: 'greedy-plain',
    label: 'Greedy, plain prompt',
    description: 'The default: the question as "Q: … A:" and the most probable token at every step. What the model does without help.',
    prompt: { kind: 'plain' },
    decoding: { kind: 'greedy' },
    maxNewTokens: 48,
    stopStrings: STOPS,
  },
  {
    id: 'greedy-fewshot-worked',
    label: 'Greedy, 4 worked examples',
    description: 'Four solved questions with their worked steps are put before the question (few-shot prompting), then greedy decoding. Shows whether the model can reason when shown how.',
    prompt: { kind: 'few-shot', k: 4, form: 'worked' },
    decoding: { kind: 'greedy' },
    maxNewTokens: 64,
    stopStrings: STOPS,
  },
];

export function findMethod(id: string): MethodSpec {
  const m = BUILTIN_METHODS.find((x) => x.id === id);
  if (!m) throw new Error(`unknown method "${id}"; known: ${BUILTIN_METHODS.map((x) => x.id).join(', ')}`);
  return m;
}
