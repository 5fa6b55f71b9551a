import { describe, expect, it } from 'vitest';
import { calibrate } from '../../src/core/metrics/calibration.ts';
import {
  baselineId,
  gapRows,
  leaderboard,
  entropyBySuite,
  calibrationGroups,
  answerConfidenceOf,
} from '../../src/core/metrics/comparison.ts';
import { mcnemarExact } from '../../src/core/metrics/mcnemar.ts';
import { BUILTIN_METHODS, findMethod } from '../../src/core/methods/method.ts';
import type { MethodOutput, RunResults } from '../../src/core/run/results.ts';

describe('exact McNemar', () => {
  it.each([
    [1, 6, 0.125],
    [0, 5, 0.0625],
    [3, 3, 1],
    [10, 2, 158 / 4096],
    [0, 0, 1],
  ])('gained %i, lost %i -> p = %f (binomial reference)', (g, l, p) => {
    expect(mcnemarExact(g, l).p).toBeCloseTo(p, 12);
  });
});

describe('calibration', () => {
  it('bins confidences and computes ECE by hand', () => {
    const c = calibrate(
      [
        { confidence: 0.05, correct: false },
        { confidence: 0.15, correct: true },
        { confidence: 0.95, correct: true },
        { confidence: 1, correct: false },
      ],
      2,
    );
    expect(c.bins.map((b) => [b.n, b.meanConfidence, b.accuracy])).toEqual([
      [2, expect.closeTo(0.1, 12), 0.5],
      [2, expect.closeTo(0.975, 12), 0.5],
    ]);
    expect(c.ece).toBeCloseTo(0.5 * 0.4 + 0.5 * 0.475, 12);
  });
});

const out = (correct: boolean, extra: Partial<MethodOutput> = {}): MethodOutput => ({
  text: 'x',
  tokens: [{ id: 1, text: 'x', offset: 0, prob: 0.5, logprob: Math.log(0.5), rank: 1, entropy: 0.7, top: [] }],
  stopReason: 'eos',
  extracted: { value: correct ? '1' : '2', start: 0, end: 1 },
  correct,
  delta: 0.4,
  prompt: 'p',
  promptTokens: 1,
  generatedTokens: 1,
  ms: 2,
  ...extra,
});

function results(): RunResults {
  const methods = ['fewshot-worked', 'greedy-plain', 'cot-decoding'].map(findMethod);
  const item = (i: number, base: boolean, worked: boolean, cot: boolean) => ({
    itemId: `i${i}`,
    question: 'q',
    answer: '1',
    tags: {},
    outputs: { 'greedy-plain': out(base), 'fewshot-worked': out(worked), 'cot-decoding': out(cot) },
  });
  return {
    version: 1,
    modelId: 'm',
    seed: 1,
    methods,
    suites: [
      {
        suiteName: 'a',
        split: 'id',
        items: [
          item(0, true, true, true),
          item(1, false, true, false),
          item(2, false, false, false),
          item(3, true, false, false),
        ],
      },
      { suiteName: 'b', split: 'ood-length', items: [item(0, false, false, true)] },
    ],
  };
}

describe('comparison data', () => {
  it('picks greedy on the plain prompt as the baseline wherever it is listed', () => {
    expect(baselineId(results().methods)).toBe('greedy-plain');
    expect(baselineId([findMethod('cot-decoding')])).toBe('cot-decoding');
    expect(baselineId(BUILTIN_METHODS)).toBe('greedy-plain');
  });

  it('leaderboard: accuracy, Wilson interval and a paired test against the baseline', () => {
    const rows = leaderboard(results()).filter((r) => r.suiteName === 'a');
    const worked = rows.find((r) => r.methodId === 'fewshot-worked')!;
    expect(worked).toMatchObject({ correct: 2, n: 4, accuracy: 0.5, isBaseline: false, generatedTokens: 4, ms: 8 });
    expect(worked.vsBaseline).toEqual({ gained: 1, lost: 1, p: 1 });
    expect(rows.find((r) => r.methodId === 'greedy-plain')).toMatchObject({ isBaseline: true, vsBaseline: null });
  });

  it('gap matrix: latent items (baseline wrong, another method right) come first', () => {
    const rows = gapRows(results());
    expect(rows.map((r) => `${r.suiteName}:${r.item.itemId}:${r.kind}`)).toEqual([
      'a:i1:latent',
      'b:i0:latent',
      'a:i3:baseline-only',
      'a:i2:all-wrong',
      'a:i0:all-right',
    ]);
  });

  it('entropy per suite and calibration split in- and out-of-distribution', () => {
    expect(entropyBySuite(results()).find((r) => r.suiteName === 'a' && r.methodId === 'greedy-plain')).toMatchObject({
      meanEntropy: 0.7,
      tokens: 4,
    });
    const groups = calibrationGroups(results());
    expect(groups.filter((g) => g.methodId === 'greedy-plain').map((g) => [g.group, g.calibration.n])).toEqual([
      ['in-distribution', 4],
      ['out-of-distribution', 1],
    ]);
  });

  it('confidence is the vote share for several paths, else Δ', () => {
    const votes = out(true, {
      paths: [out(true), out(true), out(false), out(true)],
      votes: [
        { answer: '1', count: 3, weight: 1, first: 0 },
        { answer: '2', count: 1, weight: 0.1, first: 2 },
      ],
    });
    expect(answerConfidenceOf(votes)).toBe(0.75);
    expect(answerConfidenceOf(out(true))).toBe(0.4);
    expect(answerConfidenceOf(out(true, { extracted: null }))).toBe(0);
  });
});
