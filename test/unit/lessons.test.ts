import { describe, expect, it } from 'vitest';
import {
  findLesson,
  LESSONS,
  ORGANISM,
  ORGANISM_RLVR,
  PASS_AT_K_SAMPLING,
  QUICK_COMPARISON,
  restatedChain,
} from '../../src/core/lessons/catalog.ts';
import { describe as describeAccuracy } from '../../src/core/lessons/lesson.ts';
import { findMethod } from '../../src/core/methods/method.ts';
import type { MethodOutput, PathOutput, RunResults, SuiteResults } from '../../src/core/run/results.ts';
import { modelColumns } from '../../src/core/run/models.ts';
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
      arithSuite(n, (i) =>
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
    ],
  };
}

/** arith-id with n copies of "1+2*3" (answer 9), item i's outputs given as [method id, output] pairs. */
function arithSuite(n: number, outputs: (i: number) => [string, MethodOutput][]): SuiteResults {
  return {
    suiteName: 'arith-id',
    items: Array.from({ length: n }, (_, i) => ({
      itemId: `a${i}`,
      question: '1+2*3',
      answer: '9',
      tags: {},
      outputs: Object.fromEntries(outputs(i)),
    })),
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

  /**
   * A two-model run of lesson 5's preset on n items: per column, `right` items right (the first ones), `worked` greedy
   * outputs written as a chain, and for the sampling column `samples[model](i)` correct paths out of 8 on item i.
   */
  function postRun(
    n: number,
    right: Record<string, number>,
    worked: Record<string, number>,
    samples: Record<string, (i: number) => number>,
  ): RunResults {
    const models = [ORGANISM, ORGANISM_RLVR];
    const { methods, columns } = modelColumns(
      models,
      expandMethods(findLesson('post-training-selects')!.preset.methods),
    );
    return {
      version: 1,
      modelId: ORGANISM,
      models,
      columns,
      seed: 1,
      methods,
      suites: [
        arithSuite(n, (i) =>
          methods.map((m) => {
            const ok = i < (right[m.id] ?? 0);
            const text = i < (worked[m.id] ?? 0) ? ` 1+2*3 = 3*3 = ${ok ? 9 : 8}.` : ok ? '9' : '8';
            if (m.decoding.kind === 'sample') {
              const c = samples[columns[m.id]!.modelId]!(i);
              const paths = Array.from({ length: 8 }, (_, j) => path(j < c ? '9' : '8', j < c ? '9' : '8', j < c));
              return [m.id, out(paths[0]!, { paths, chosen: 0 })];
            }
            return [m.id, out({ ...path(text, ok ? '9' : '8', ok), text })];
          }),
        ),
      ],
    };
  }

  it('post-training selects: greedy, worked share, the base elicited, and pass@k from the two models', () => {
    const lesson = findLesson('post-training-selects')!;
    expect(lesson.preset.models).toEqual([ORGANISM, ORGANISM_RLVR]);
    expect(lesson.tab).toBe('models');
    const r = postRun(
      30,
      { 'organism-v1.greedy-plain': 10, 'organism-v1-rlvr.greedy-plain': 24, 'organism-v1.trigger': 23 },
      { 'organism-v1.greedy-plain': 2, 'organism-v1-rlvr.greedy-plain': 29 },
      // Base: 3 of 8 samples right on every item; RLVR: 6 of 8.
      { [ORGANISM]: () => 3, [ORGANISM_RLVR]: () => 6 },
    );
    const byId = Object.fromEntries(lesson.notice(r, null).map((x) => [x.id, x]));
    expect(byId['greedy']!.shown).toBe(true);
    expect(byId['greedy']!.values).toEqual({
      'base.greedy.correct': 10,
      'base.greedy.n': 30,
      'rlvr.greedy.correct': 24,
      'rlvr.greedy.n': 30,
    });
    expect(byId['greedy']!.text).toContain('24/30 (80%');
    expect(byId['worked']!.values).toEqual({
      'base.worked': 2,
      'base.outputs': 30,
      'rlvr.worked': 29,
      'rlvr.outputs': 30,
    });
    expect(byId['worked']!.shown).toBe(true);
    // 23/30 vs 24/30: the intervals overlap, so the base elicited does what RLVR does by default.
    expect(byId['select']!.shown).toBe(true);
    // pass@k by hand: pass@1 = c/8; pass@8 = 1 for both (some sample right on every item).
    const pk = byId['pass-at-k']!;
    expect(pk.values['k']).toBe(8);
    expect(pk.values['base.pass1']).toBeCloseTo(3 / 8, 12);
    expect(pk.values['rlvr.pass1']).toBeCloseTo(6 / 8, 12);
    expect(pk.values['base.passK']).toBe(1);
    expect(pk.values['rlvr.passK']).toBe(1);
    expect(pk.shown).toBe(true);
    expect(pk.text).toContain('at k = 1 RLVR leads by 37.5 points');
  });

  it('post-training selects says so when the run does not show it', () => {
    const lesson = findLesson('post-training-selects')!;
    // Equal greedy, no worked traces, RLVR far above the elicited base, and a pass@k gap that does not shrink
    // (base 0 of 8 on every item: pass@k = 0 at every k; RLVR 8 of 8).
    const r = postRun(
      30,
      { 'organism-v1.greedy-plain': 10, 'organism-v1-rlvr.greedy-plain': 28, 'organism-v1.trigger': 5 },
      {},
      { [ORGANISM]: () => 0, [ORGANISM_RLVR]: () => 8 },
    );
    const byId = Object.fromEntries(lesson.notice(r, null).map((x) => [x.id, x]));
    expect(byId['worked']!.shown).toBe(false);
    expect(byId['select']!.shown).toBe(false);
    expect(byId['select']!.text).toContain('did more than select');
    expect(byId['pass-at-k']!.shown).toBe(false);
    expect(byId['pass-at-k']!.text).toContain('did not shrink');
    const same = postRun(
      30,
      { 'organism-v1.greedy-plain': 12, 'organism-v1-rlvr.greedy-plain': 14 },
      {},
      {
        [ORGANISM]: () => 1,
        [ORGANISM_RLVR]: () => 1,
      },
    );
    expect(lesson.notice(same, null).find((x) => x.id === 'greedy')!.shown).toBe(false);
  });

  it('the pass@k sampling is a sampling method with 8 paths at T = 1', () => {
    expect(PASS_AT_K_SAMPLING.decoding).toMatchObject({ kind: 'sample', n: 8 });
  });

  it('steering: accuracy, worked share and the steered trace of an item greedy got wrong', () => {
    const lesson = findLesson('steering')!;
    const r = arith(40, { 'greedy-plain': 14, 'steer-caa': 32 });
    // Steered outputs write their chain; greedy answers at once.
    for (const it of r.suites[0]!.items) {
      const s = it.outputs['steer-caa']!;
      s.text = ` 1+2*3 = 3*3 = ${s.extracted!.value}. The answer is ${s.extracted!.value}.`;
    }
    const [acc, worked, trace] = lesson.notice(r, null);
    expect(acc!.values).toEqual({ 'greedy.correct': 14, 'greedy.n': 40, 'steered.correct': 32, 'steered.n': 40 });
    // McNemar: 18 gained, 0 lost; exact two-sided p = 2 · 0.5^18.
    expect(acc!.text).toContain('p < 0.001');
    expect(acc!.shown).toBe(true);
    expect(worked!.values).toEqual({
      'greedy.worked': 0,
      'greedy.outputs': 40,
      'steered.worked': 40,
      'steered.outputs': 40,
    });
    expect(worked!.shown).toBe(true);
    expect(lesson.focus(r)).toEqual({ suite: 'arith-id', index: 14, left: 'greedy-plain', right: 'steer-caa' });
    expect(trace!.shown).toBe(true);
    expect(trace!.values).toEqual({ item: 14 });
  });

  it('steering says so when the lift is not significant and no trace reasons', () => {
    const lesson = findLesson('steering')!;
    const [acc, worked, trace] = lesson.notice(arith(40, { 'greedy-plain': 14, 'steer-caa': 17 }), null);
    expect(acc!.shown).toBe(false);
    expect(acc!.text).toContain('not significant');
    expect(worked!.shown).toBe(false);
    expect(trace!.shown).toBe(false);
  });
});
