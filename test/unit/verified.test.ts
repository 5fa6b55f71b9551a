import { describe, expect, it } from 'vitest';
import { findMethod, type MethodSpec } from '../../src/core/methods/method.ts';
import { modelCoverage, modelPassCurves, pathVerdicts } from '../../src/core/metrics/models.ts';
import { answerText, isChainQuestion, isVerifiableSuite, verifiedChainTrace } from '../../src/core/metrics/verified.ts';
import { combineModelRuns, mergeRuns, splitModelRuns } from '../../src/core/run/models.ts';
import type { MethodOutput, PathOutput, RunResults } from '../../src/core/run/results.ts';
import { parseCriteria } from '../../cli/compare.ts';

const W = (body: string, answer: number | string) => ` Let's go step by step. ${body}. The answer is ${answer}.`;

describe('verifiedChainTrace: a worked trace re-derived step by step (hand-computed chains)', () => {
  it.each([
    // 3+4 = 7, 7*2 = 14 → 4, 4-5 = -1 → 9
    ['3+4*2-5', W('3+4*2-5 = 7*2-5 = 4-5 = 9', 9), true],
    // 2-5 = -3 → 7 (mod 10)
    ['2-5', W('2-5 = 7', 7), true],
    // 9*9 = 81 → 1, 1*9 = 9, 9+1 = 10 → 0
    ['9*9*9+1', W('9*9*9+1 = 1*9+1 = 9+1 = 0', 0), true],
    ['3+4*2-5', W('3+4*2-5 = 7*2-5 = 5-5 = 0', 0), false], // 7*2 is 4, not 5: a wrong step, consistent after it
    ['3+4*2-5', W('3+4*2-5 = 7*2-5 = 4-5 = 9', 8), false], // a wrong stated answer after a right trace
    ['3+4*2-5', W('3+4*2-5 = 4-5 = 9', 9), false], // a skipped step, right answer
    ['3+4*2-5', W('3+4*2-6 = 7*2-6 = 4-6 = 8', 8), false], // the question copied wrong, then worked right
    ['3+4*2-5', W('3+4*2-5 = 7*2-5 = 4-5 = 9 = 9', 9), false], // an extra part
    ['3+4*2-5', ' 9', false], // a direct answer, right
    ['3+4*2-5', `${W('3+4*2-5 = 7*2-5 = 4-5 = 9', 9)} Q: 1+1`, false], // text after the answer sentence
    ['3+4*2-5', `${W('3+4*2-5 = 7*2-5 = 4-5 = 9', 9)}\n`, true], // trailing whitespace is ignored
    ['3 + 4', W('3 + 4 = 7', 7), false], // not a digit chain: nothing to verify
    ['12+3', W('12+3 = 5', 5), false], // multi-digit numbers are not the organism's chains
  ])('%s %j -> %s', (q, text, want) => {
    expect(verifiedChainTrace(q, text)).toBe(want);
  });

  it('reads the worked opening from a trigger prompt as part of the answer', () => {
    const trig = "Q: 2-5\nA: Let's go step by step.";
    expect(answerText(trig, ' 2-5 = 7. The answer is 7.')).toBe(W('2-5 = 7', 7));
    expect(answerText('Q: 2-5\nA:', ' 7')).toBe(' 7');
    expect(verifiedChainTrace('2-5', answerText(trig, ' 2-5 = 7. The answer is 7.'))).toBe(true);
  });

  it('knows which suites it applies to', () => {
    expect(isChainQuestion('1+2*3')).toBe(true);
    expect(isChainQuestion('What is 1+2?')).toBe(false);
    expect(
      isVerifiableSuite([
        { question: '1+2', answer: '3' },
        { question: 'x', answer: '' },
      ]),
    ).toBe(true);
    expect(
      isVerifiableSuite([
        { question: '1+2', answer: '3' },
        { question: 'Paris?', answer: 'France' },
      ]),
    ).toBe(false);
    expect(isVerifiableSuite([])).toBe(false);
  });
});

const path = (text: string, correct: boolean): PathOutput => ({
  text,
  tokens: [],
  stopReason: 'stop-string',
  extracted: null,
  correct,
  delta: null,
});

const output = (paths: PathOutput[]): MethodOutput => ({
  ...paths[0]!,
  prompt: 'Q: q\nA:',
  promptTokens: 4,
  generatedTokens: 1,
  ms: 1,
  paths,
});

const sampling: MethodSpec = {
  ...findMethod('self-consistency'),
  id: 'sample-4',
  decoding: { kind: 'sample', n: 4, chain: [], aggregate: 'majority' },
};

const GOOD1 = W('1+1 = 2', 2); // item 1: 1+1 = 2
const GOOD2 = W('2*3 = 6', 6); // item 2: 2*3 = 6

/** Two items (1+1 = 2, 2*3 = 6), 4 samples each. */
function run(modelId: string, item1: PathOutput[], item2: PathOutput[]): RunResults {
  return {
    version: 1,
    modelId,
    seed: 1,
    methods: [sampling],
    suites: [
      {
        suiteName: 'chains',
        items: [
          { itemId: 'c-1', question: '1+1', answer: '2', tags: {}, outputs: { 'sample-4': output(item1) } },
          { itemId: 'c-2', question: '2*3', answer: '6', tags: {}, outputs: { 'sample-4': output(item2) } },
        ],
      },
    ],
  };
}

// Base: item 1 right 3/4 (1 verified, 2 guessed), item 2 right 2/4 (0 verified). Tuned: item 1 2/4 both verified,
// item 2 4/4 with 3 verified (one right digit after a wrong step).
const base = () =>
  run(
    'm/base',
    [path(GOOD1, true), path(' 2', true), path(' 2', true), path(' 5', false)],
    [path(' 6', true), path(' 6', true), path(W('2*3 = 5', 5), false), path(' 1', false)],
  );
const tuned = () =>
  run(
    'm/tuned',
    [path(GOOD1, true), path(GOOD1, true), path(W('1+1 = 3', 3), false), path(' 4', false)],
    [path(GOOD2, true), path(GOOD2, true), path(GOOD2, true), path(W('2*3 = 5', 6), true)],
  );

describe('pass@k and coverage under the verified criterion (hand-computed)', () => {
  const r = combineModelRuns([base(), tuned()]);
  const suite = r.suites[0]!;

  it('counts a draw only when its trace is verified', () => {
    const item = suite.items[0]!;
    expect(pathVerdicts(sampling, item.outputs['base.sample-4']!, 'answer', item.question)).toEqual([
      true,
      true,
      true,
      false,
    ]);
    expect(pathVerdicts(sampling, item.outputs['base.sample-4']!, 'verified', item.question)).toEqual([
      true,
      false,
      false,
      false,
    ]);
  });

  it('pass@k = 1 − C(n−c, k)/C(n, k) with c the verified draws', () => {
    const [b, t] = modelPassCurves(r, suite, 'sample-4', 'verified');
    // base: c = 1, 0 → pass@1 = (1/4 + 0)/2, pass@2 = (1 − C(3,2)/C(4,2) + 0)/2 = (1 − 3/6)/2, pass@4 = 1/2
    expect(b!.passAtK[0]).toBeCloseTo(1 / 8, 12);
    expect(b!.passAtK[1]).toBeCloseTo(0.25, 12);
    expect(b!.passAtK[3]).toBeCloseTo(0.5, 12);
    expect(b!.solved).toBe(1);
    // tuned: c = 2, 3 → pass@1 = (2/4 + 3/4)/2, pass@2 = ((1 − 1/6) + 1)/2
    expect(t!.passAtK[0]).toBeCloseTo(5 / 8, 12);
    expect(t!.passAtK[1]).toBeCloseTo((5 / 6 + 1) / 2, 12);
    expect(t!.solved).toBe(2);
    // Under the right-answer criterion: base c = 3, 2; tuned c = 2, 4.
    const [ba, ta] = modelPassCurves(r, suite, 'sample-4');
    expect(ba!.passAtK[0]).toBeCloseTo((3 / 4 + 2 / 4) / 2, 12);
    expect(ta!.passAtK[0]).toBeCloseTo((2 / 4 + 1) / 2, 12);
    expect([ba!.solved, ta!.solved]).toEqual([2, 2]);
  });

  it('coverage: the base verifies item 1 only; the tuned model both', () => {
    const cov = modelCoverage(r, suite, 'sample-4', 'verified');
    expect(cov.solved).toEqual({ 'm/base': ['c-1'], 'm/tuned': ['c-1', 'c-2'] });
    expect(cov.groups).toEqual([
      { models: ['m/base', 'm/tuned'], itemIds: ['c-1'] },
      { models: ['m/tuned'], itemIds: ['c-2'] },
    ]);
    expect(modelCoverage(r, suite, 'sample-4').groups).toEqual([
      { models: ['m/base', 'm/tuned'], itemIds: ['c-1', 'c-2'] },
    ]);
  });
});

describe('mergeRuns: one setup measured in chunks and per model', () => {
  it('joins chunks of each model and combines the models, as one run over all items would', () => {
    const whole = combineModelRuns([base(), tuned()]);
    const only = (r: RunResults, id: string): RunResults => ({
      ...r,
      suites: r.suites.map((x) => ({ ...x, items: x.items.filter((it) => it.itemId === id) })),
    });
    const chunks = [only(tuned(), 'c-2'), only(base(), 'c-1'), only(base(), 'c-2'), only(tuned(), 'c-1')];
    const merged = mergeRuns(chunks);
    expect(merged.models).toEqual(['m/tuned', 'm/base']);
    const reordered = combineModelRuns([tuned(), base()]);
    expect(merged).toEqual(reordered);
    expect(mergeRuns([whole])).toBe(whole);
    expect(() => mergeRuns([base(), base()])).toThrow(/c-1 of chains appears twice/);
    expect(() => mergeRuns([base(), { ...tuned(), seed: 2 }, tuned()])).toThrow(
      /m\/tuned: parts ran with seeds 2 and 1/,
    );
  });

  it('splits a multi-model run back into its one-model runs', () => {
    const [b, t] = splitModelRuns(combineModelRuns([base(), tuned()]));
    expect(b).toEqual(base());
    expect(t).toEqual(tuned());
    expect(mergeRuns([combineModelRuns([base(), tuned()]), { ...tuned(), modelId: 'm/third' }]).models).toEqual([
      'm/base',
      'm/tuned',
      'm/third',
    ]);
  });

  it('coax compare --criterion takes answer, verified or both', () => {
    expect(parseCriteria(undefined)).toEqual(['answer']);
    expect(parseCriteria('verified')).toEqual(['verified']);
    expect(parseCriteria('both')).toEqual(['answer', 'verified']);
    expect(() => parseCriteria('guess')).toThrow(/none of answer, verified, both/);
  });
});
