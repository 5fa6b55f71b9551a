import { describe, expect, it } from 'vitest';
import { findLesson, LESSONS, QUICK_COMPARISON, restatedChain } from '../../src/core/lessons/catalog.ts';
import { describe as describeAccuracy } from '../../src/core/lessons/lesson.ts';
import { findMethod } from '../../src/core/methods/method.ts';
import type { MethodOutput, PathOutput, RunResults } from '../../src/core/run/results.ts';
import { decodeConfig, encodeConfig, expandMethods } from '../../src/core/run/url-config.ts';

const path = (text: string, answer: string | null, correct: boolean, prob = 0.2, delta = 0.1): PathOutput => ({
  text,
  tokens: [
    { id: 1, text: text.split(' ')[0] ?? text, offset: 0, prob, logprob: Math.log(prob), rank: 1, entropy: 1, top: [] },
  ],
  stopReason: 'eos',
  extracted: answer === null ? null : { value: answer, start: 0, end: answer.length },
  correct,
  delta,
});
const out = (p: PathOutput, extra: Partial<MethodOutput> = {}): MethodOutput => ({
  ...p,
  prompt: 'Q',
  promptTokens: 1,
  generatedTokens: 1,
  ms: 1,
  ...extra,
});

/** arith-id with `right[m]` items right out of n for each method (the first items right). */
function arith(n: number, right: Record<string, number>, withBranches = false): RunResults {
  const methods = Object.keys(right);
  return {
    version: 1,
    modelId: 'coax/organism-v1',
    seed: 1,
    methods: methods.map(findMethod),
    suites: [
      {
        suiteName: 'arith-id',
        items: Array.from({ length: n }, (_, i) => ({
          itemId: `a${i}`,
          question: '1+2*3',
          answer: '9',
          tags: {},
          outputs: Object.fromEntries(
            methods.map((m) => {
              const ok = i < right[m]!;
              if (m === 'cot-decoding' && withBranches) {
                const paths = [
                  path('8', '8', false, 0.21, 0),
                  path('6', '6', false, 0.2, -0.01),
                  path('L 1+2=3 3*3=9. The answer is 9.', '9', true, 0.06, 0.97),
                ];
                return [m, out(ok ? paths[2]! : paths[0]!, { paths, chosen: ok ? 2 : 0 })];
              }
              return [m, out(path(ok ? '9' : '8', ok ? '9' : '8', ok))];
            }),
          ),
        })),
      },
    ],
  };
}

describe('lessons', () => {
  it('every preset is a valid link configuration, round-trips, and names built-in methods', () => {
    for (const l of [...LESSONS.map((x) => x.preset), QUICK_COMPARISON]) {
      expect(decodeConfig(encodeConfig(l))).toEqual(l);
      expect(expandMethods(l.methods).length).toBe(l.methods.length);
    }
    expect(new Set(LESSONS.map((l) => l.id)).size).toBe(LESSONS.length);
    for (const l of LESSONS) expect(l.narration.length).toBeGreaterThanOrEqual(2);
  });

  it('latent reasoning: 6/20 vs 16/20 is shown, with the counts in the sentence', () => {
    const lesson = findLesson('latent-reasoning')!;
    const r = arith(20, { 'greedy-plain': 6, trigger: 16, 'cot-decoding': 16 }, true);
    const [acc, latent, branches] = lesson.notice(r, null);
    expect(acc!.shown).toBe(true);
    expect(acc!.values).toMatchObject({
      'greedy.correct': 6,
      'greedy.n': 20,
      'trigger.correct': 16,
      'cot.correct': 16,
    });
    expect(acc!.text).toContain('6/20 (30%, 95% CI 15–52%)');
    // Items 6..15: greedy wrong, the others right.
    expect(latent!.values).toEqual({ latent: 10, items: 20 });
    expect(branches!.shown).toBe(true);
    expect(branches!.values).toEqual({ branches: 3, direct: 2, chosenProb: 0.06, chosenDelta: 0.97 });
    expect(lesson.focus(r)).toEqual({ suite: 'arith-id', index: 6, left: 'greedy-plain', right: 'cot-decoding' });
  });

  it('latent reasoning: says the effect did not show when the intervals overlap (10/20 vs 12/20)', () => {
    const lesson = findLesson('latent-reasoning')!;
    const [acc, , branches] = lesson.notice(arith(20, { 'greedy-plain': 10, trigger: 12, 'cot-decoding': 11 }), null);
    expect(acc!.shown).toBe(false);
    expect(acc!.text).toContain('the intervals overlap');
    // No branches recorded: no table to show, said so.
    expect(branches!.shown).toBe(false);
  });

  it('the Wilson interval in a sentence is the 95% score interval (18/40: 31–60%)', () => {
    // Wilson 95% for 18/40, computed by hand: centre 0.4586, half-width 0.1453.
    expect(describeAccuracy({ methodId: 'x', correct: 18, n: 40, accuracy: 0.45, low: 0.3075, high: 0.6019 })).toBe(
      '18/40 (45%, 95% CI 31–60%)',
    );
  });

  it('bounded by data reads the chain a worked answer restates', () => {
    expect(restatedChain(' 1+8+7*8*6+5+5 = 9+7*8*6+5+5 = 3. The answer is 3.')).toBe('1+8+7*8*6+5+5');
    expect(restatedChain(' 6 * 4 = 4. The answer is 4.')).toBe('6*4');
    expect(restatedChain(' 7')).toBeNull();
  });
});
