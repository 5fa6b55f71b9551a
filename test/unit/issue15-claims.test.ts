import { describe, expect, it } from 'vitest';
import { BUILTIN_METHODS } from '../../src/core/methods/method.ts';
import type { MethodOutput, PathOutput, RunResults } from '../../src/core/run/results.ts';
import { claims, firstPassValue, markdown } from '../../tools/issue15-claims.ts';

const greedy = BUILTIN_METHODS.find((m) => m.id === 'greedy-plain')!;
const cot = BUILTIN_METHODS.find((m) => m.id === 'cot-decoding')!;

function out(text: string, correct: boolean, answerProb: number | null, paths?: string[]): MethodOutput {
  const p = (t: string): PathOutput => ({
    text: t,
    tokens: [],
    stopReason: 'stop-string',
    extracted: { value: t.trim(), start: 0, end: t.length },
    correct,
    delta: null,
  });
  return {
    ...p(text),
    answerProb,
    probability: answerProb,
    prompt: 'Q: x\nA:',
    promptTokens: 1,
    generatedTokens: 2,
    ms: 0,
    ...(paths ? { paths: paths.map(p), chosen: 0 } : {}),
  };
}

describe('issue #15 claims over stored results (hand-computed)', () => {
  const run: RunResults = {
    version: 1,
    modelId: 'coax/m',
    seed: 1,
    methods: [greedy, cot],
    suites: [
      {
        suiteName: 'arith-id',
        split: 'id',
        items: [
          {
            itemId: 'a',
            question: '1+1',
            answer: '2',
            tags: {},
            outputs: { 'greedy-plain': out(' Check: 2', true, 0.9) },
          },
          { itemId: 'b', question: '2+2', answer: '4', tags: {}, outputs: { 'greedy-plain': out(' 5', false, 0.9) } },
        ],
      },
      {
        suiteName: 'arith-ood-length',
        split: 'ood-length',
        items: [
          { itemId: 'c', question: '1+1+1', answer: '3', tags: {}, outputs: { 'greedy-plain': out(' 3', true, 0.5) } },
        ],
      },
      {
        suiteName: 'ambiguous',
        split: 'ambiguous',
        items: [
          {
            itemId: 'd',
            question: "What is Ana's city?",
            answer: 'Which Ana, Ana Kim or Ana Ruiz?',
            tags: {},
            outputs: { 'cot-decoding': out(' Velo', false, 0.6, [' Velo', ' Which Ana, Ana Kim or Ana Ruiz?']) },
          },
          {
            itemId: 'e',
            question: "What is Bo's pet?",
            answer: 'Which Bo, Bo Kim or Bo Lund?',
            tags: {},
            outputs: { 'cot-decoding': out(' fox', false, 0.8, [' fox', ' cat']) },
          },
        ],
      },
    ],
  };
  const r = claims([{ name: 'x', run }]);

  it('per suite: accuracy, ECE, check moves, grounding acts and any-path grounding', () => {
    const id = r.table.find((t) => t.suite === 'arith-id')!;
    expect([id.correct, id.n, id.accuracy]).toEqual([1, 2, 0.5]);
    expect(id.ece).toBeCloseTo(0.4, 12); // one bin: |0.5 - 0.9|
    expect(id.checkMove).toBe(0.5);
    // ' Check: 2' has no number before its check: no first pass to judge
    expect([id.firstPassRight, id.checkedTraces]).toEqual([null, 0]);
    const amb = r.table.find((t) => t.suite === 'ambiguous')!;
    expect([amb.grounding, amb.groundingAnyPath]).toEqual([0, 0.5]);
    expect(amb.ece).toBeCloseTo(0.7, 12); // bins 0.6 and 0.8, both wrong: (0.6 + 0.8) / 2
  });

  it('ECE pooled in and out of distribution (ambiguous counts as in)', () => {
    const p = (g: string) => r.pooled.find((x) => x.methodId === 'greedy-plain' && x.group === g)!;
    expect(p('in-distribution').ece).toBeCloseTo(0.4, 12);
    expect(p('out-of-distribution').ece).toBeCloseTo(0.5, 12); // one item, right, confidence 0.5
    expect(markdown(r)).toContain('| coax/m | arith-id | greedy-plain | 2 | 50.0% (');
  });
});

describe('the first pass of a checked trace', () => {
  it.each([
    [" Let's go step by step. 3+4 = 7. Check: 3+4 = 8. The answer is 8.", '7'],
    [" Let's go step by step. 3+4*2 = 7*2 = 4. Check: 3+4 is 7, 7*2 is 4. The answer is 4.", '4'],
    [" Let's go step by step. 3+4 = 7. The answer is 7.", null],
    [' 7', null],
  ])('%j -> %s', (text, want) => {
    expect(firstPassValue(text)).toBe(want);
  });
});
