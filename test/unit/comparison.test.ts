import { describe, expect, it } from 'vitest';
import { calibrate } from '../../src/core/metrics/calibration.ts';
import {
  baselineId,
  gapRows,
  leaderboard,
  entropyBySuite,
  calibrationGroups,
  confidenceOf,
  samplingCurves,
} from '../../src/core/metrics/comparison.ts';
import type { TokenTrace } from '../../src/core/decode/trace.ts';
import { formatPValue, mcnemarExact } from '../../src/core/metrics/mcnemar.ts';
import { BUILTIN_METHODS, findMethod, methodLabel } from '../../src/core/methods/method.ts';
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

describe('shown as', () => {
  it.each([
    [0.0625, '0.063'],
    [0.001, '0.001'],
    [0.000999, '< 0.001'],
    [1, '1.000'],
  ])('p = %f is written %s', (p, text) => {
    expect(formatPValue(p)).toBe(text);
  });

  it("a method's label, or its id when the run does not list it", () => {
    expect(methodLabel(BUILTIN_METHODS, 'greedy-plain')).toBe(findMethod('greedy-plain').label);
    expect(methodLabel(BUILTIN_METHODS, 'not-a-method')).toBe('not-a-method');
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

  it("confidence: the answer's probability by default, Δ or the vote share on request", () => {
    const cot = findMethod('cot-decoding');
    const sc = { ...findMethod('self-consistency'), decoding: { ...findMethod('self-consistency').decoding, n: 4 } };
    const votes = out(true, {
      paths: [out(true), out(true), out(false), out(true)],
      votes: [
        { answer: '1', count: 3, weight: 1, first: 0 },
        { answer: '2', count: 1, weight: 0.1, first: 2 },
      ],
      answerProb: 0.2,
    });
    // CoT-decoding: the chosen path's answer probability, not the share of branches.
    expect(
      confidenceOf({ ...votes, probability: 0.2, probabilitySource: 'answer-tokens' }, cot, 'answer-probability'),
    ).toBe(0.2);
    expect(confidenceOf(votes, cot, 'vote-share')).toBe(0.75);
    expect(confidenceOf(votes, cot, 'delta')).toBe(0.4);
    // Results stored before `probability` existed: the same rule, from the stored paths and tokens.
    expect(confidenceOf(votes, cot, 'answer-probability')).toBe(0.2);
    expect(confidenceOf(votes, sc, 'answer-probability')).toBe(0.75);
    expect(confidenceOf(out(true, { answerProb: undefined }), findMethod('greedy-plain'), 'answer-probability')).toBe(
      0.5,
    );
    // A single path has no vote share; no answer is confidence 0; a negative Δ is clipped to 0.
    expect(confidenceOf(out(true), findMethod('greedy-plain'), 'vote-share')).toBeNull();
    expect(confidenceOf(out(true, { extracted: null }), findMethod('greedy-plain'), 'answer-probability')).toBe(0);
    expect(confidenceOf(out(true, { delta: -0.3 }), findMethod('greedy-plain'), 'delta')).toBe(0);
  });

  it('calibration under each measure: which methods it covers, bin count and n', () => {
    const r = results();
    r.suites[0]!.items[0]!.outputs['cot-decoding'] = out(true, {
      paths: [out(true), out(false)],
      votes: [
        { answer: '1', count: 1, weight: 0.4, first: 0 },
        { answer: '2', count: 1, weight: 0.4, first: 1 },
      ],
    });
    const byProb = calibrationGroups(r);
    expect(byProb.every((g) => g.measure === 'answer-probability' && g.calibration.bins.length === 10)).toBe(true);
    expect(byProb.filter((g) => g.group === 'in-distribution').map((g) => [g.methodId, g.calibration.n])).toEqual([
      ['fewshot-worked', 4],
      ['greedy-plain', 4],
      ['cot-decoding', 4],
    ]);
    // greedy's answers all have p = .5 (one token of .5): right on 2 of 4, so ECE 0 in the 0.5 bin.
    expect(
      byProb.find((g) => g.methodId === 'greedy-plain' && g.group === 'in-distribution')!.calibration.ece,
    ).toBeCloseTo(0, 12);
    const byVotes = calibrationGroups(r, 'vote-share', 5);
    expect(byVotes.map((g) => [g.methodId, g.group, g.calibration.n, g.calibration.bins.length])).toEqual([
      ['cot-decoding', 'in-distribution', 1, 5],
    ]);
  });
});

describe('entropy: all tokens and content tokens; diversity of answers', () => {
  const tok = (text: string, entropy: number): TokenTrace => ({
    id: 0,
    text,
    offset: 0,
    prob: 1,
    logprob: 0,
    rank: 1,
    entropy,
    top: [],
  });

  it('leaves out whitespace-only tokens, the ending EOS and tokens the suite declares', () => {
    const answer = (text: string, tokens: TokenTrace[], stopReason: 'eos' | 'max-tokens' = 'eos') =>
      out(false, { text, tokens, stopReason, extracted: null });
    const r = results();
    r.suites = [
      {
        suiteName: 'open',
        relation: 'open-ended',
        items: [
          {
            itemId: 'a',
            question: 'q',
            answer: '',
            tags: {},
            outputs: {
              'greedy-plain': answer(' Bo\n', [tok(' B', 2), tok('o', 1), tok('\n', 0.1), tok('</s>', 0.05)]),
            },
          },
          {
            itemId: 'b',
            question: 'q',
            answer: '',
            tags: {},
            outputs: {
              // A declared format token (marked when the run recorded it); max-tokens: the last token is content.
              'greedy-plain': answer(
                ' Bo.',
                [tok(' B', 3), tok('o', 1), { ...tok('.', 0.2), format: true }],
                'max-tokens',
              ),
            },
          },
          {
            itemId: 'c',
            question: 'q',
            answer: '',
            tags: {},
            outputs: {
              'greedy-plain': answer(' Ka', [tok(' K', 2), tok('a', 4)], 'max-tokens'),
            },
          },
        ],
      },
    ];
    const row = entropyBySuite(r).find((x) => x.methodId === 'greedy-plain')!;
    expect(row.tokens).toBe(9);
    expect(row.meanEntropy).toBeCloseTo((2 + 1 + 0.1 + 0.05 + 3 + 1 + 0.2 + 2 + 4) / 9, 12);
    expect(row.contentTokens).toBe(6);
    expect(row.contentEntropy).toBeCloseTo((2 + 1 + 3 + 1 + 2 + 4) / 6, 12);
    // Open-ended answers are first lines: "Bo", "Bo", "Ka".
    expect([row.outputs, row.distinctAnswers, row.diversity]).toEqual([3, 2, 2 / 3]);
  });
});

describe('accuracy vs samples', () => {
  it('averages maj@k and pass@k over items and combines estimated maj@k errors', () => {
    const sc = findMethod('self-consistency');
    const item = (majAtK: number[], passAtK: number[], majAtKError?: number[]) => ({
      itemId: 'i',
      question: 'q',
      answer: '1',
      tags: {},
      outputs: { [sc.id]: out(true, { majAtK, passAtK, ...(majAtKError ? { majAtKError } : {}) }) },
    });
    const exact = samplingCurves({ suiteName: 's', items: [item([0, 1], [0, 1]), item([1, 1], [0.5, 1])] }, [sc]);
    expect(exact.map((p) => [p.k, p.majAtK, p.passAtK, p.majAtKExact, p.majAtKError])).toEqual([
      [1, 0.5, 0.25, true, 0],
      [2, 1, 1, true, 0],
    ]);
    const est = samplingCurves({ suiteName: 's', items: [item([0.5], [0.5], [0.03]), item([0.5], [0.5], [0.04])] }, [
      sc,
    ]);
    expect(est[0]!.majAtKExact).toBe(false);
    expect(est[0]!.majAtKError).toBeCloseTo(0.05 / 2, 12);
  });
});
