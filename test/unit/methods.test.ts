import { describe, expect, it } from 'vitest';
import { choosePath, tally } from '../../src/core/methods/aggregate.ts';
import {
  answerConfidence,
  answerProbability,
  answerTokenIndices,
  methodProbability,
  tokenMargin,
} from '../../src/core/methods/confidence.ts';
import { executeMethod } from '../../src/core/methods/execute.ts';
import { findMethod, type MethodSpec } from '../../src/core/methods/method.ts';
import { explainMethod } from '../../src/core/methods/explain.ts';
import { PLAIN_PROMPT } from '../../src/core/methods/prompt.ts';
import { runSuites } from '../../src/core/run/run-suite.ts';
import type { Suite } from '../../src/core/tasks/suite.ts';
import type { TokenTrace } from '../../src/core/decode/trace.ts';
import { FakeModel, logitsFromProbs } from './fake-model.ts';

const VOCAB = ['<eos>', '<pad>', 'Q', '5', 'L', '7', 'a', 'b', '3', 'x'];

/** A distribution over VOCAB from {char: prob}; the rest of the mass spread evenly over the other real tokens. */
function dist(spec: Record<string, number>): number[] {
  const named = Object.values(spec).reduce((a, b) => a + b, 0);
  const others = VOCAB.filter((c, i) => i !== 1 && !(c in spec)).length;
  return logitsFromProbs(VOCAB.map((c, i) => (i === 1 ? 0 : (spec[c] ?? (1 - named) / others))));
}

/**
 * Hand-built so the right CoT-decoding branch is known. First step: 5 (.35), L (.25), b (.2), 7 (.1): the top-1 − top-2
 * gap there is .1. Branch "L a 7": the reasoning token is unsure (.45 vs .40) but the answer 7 is confident (.9 vs
 * .05, Δ = .85). Branch "b 3": answer 3 with Δ = .7 − .15 = .55. Averaging Δ over the whole continuation instead of
 * the answer span would rank "b 3" first. Branch "7" answers with its forced first token, which the model gave .1
 * against .35 for "5": its margin is .1 − .35 = −.25, not the greedy step's gap.
 */
function cotModel(): FakeModel {
  const table: Record<string, Record<string, number>> = {
    Q: { '5': 0.35, L: 0.25, b: 0.2, '7': 0.1 },
    Q5: { '<eos>': 0.9 },
    QL: { a: 0.45, x: 0.4 },
    QLa: { '7': 0.9, '3': 0.05 },
    QLa7: { '<eos>': 0.95 },
    Qb: { '3': 0.7, '7': 0.15 },
    Qb3: { '<eos>': 0.95 },
    Q7: { '<eos>': 0.95 },
  };
  return new FakeModel(VOCAB, (ctx) => dist(table[ctx.map((t) => VOCAB[t]).join('')] ?? { '<eos>': 0.95 }));
}

const suite: Suite = {
  name: 'toy',
  description: '',
  items: [{ id: 'q', question: 'Q', answer: '7' }],
  exemplars: [],
  extractor: { kind: 'last-number' },
};
// The fake's prompt is just "Q": a custom template with nothing around the question.
const bare = { ...PLAIN_PROMPT, template: 'custom' as const, custom: '{question}' };
const cot = (aggregate: 'max' | 'sum', k = 4): MethodSpec => ({
  id: `cot-${aggregate}`,
  label: '',
  prompt: bare,
  decoding: { kind: 'cot-decoding', k, aggregate },
  maxNewTokens: 6,
  stopStrings: [],
});

describe('CoT-decoding (Wang & Zhou 2024) on a hand-built model', () => {
  it('branches on the top-k first tokens, prefilling once', async () => {
    const model = cotModel();
    const [out] = await executeMethod(model, cot('max'), suite.items, suite, { seed: 1 });
    expect(out!.paths!.map((p) => p.text)).toEqual(['5', 'La7', 'b3', '7']);
    expect(model.batchSizes[0]).toBe(1);
    expect(model.batchSizes[1]).toBe(4);
  });

  it('scores each path by the mean margin over the answer tokens only; a forced answer token gets p − p(top-1)', async () => {
    const [out] = await executeMethod(cotModel(), cot('max'), suite.items, suite, { seed: 1 });
    const deltas = out!.paths!.map((p) => p.delta);
    expect(deltas).toEqual([
      expect.closeTo(0.1, 6),
      expect.closeTo(0.85, 6),
      expect.closeTo(0.55, 6),
      expect.closeTo(0.1 - 0.35, 6),
    ]);
    expect(out!.chosen).toBe(1);
    expect(out!.extracted?.value).toBe('7');
    expect(out!.correct).toBe(true);
    // The method's probability of its answer: the chosen path's p(answer tokens) = p(7 | "La") = .9.
    expect(out!.answerProb).toBeCloseTo(0.9, 6);
    expect(out!.probability).toBeCloseTo(0.9, 6);
    expect(out!.probabilitySource).toBe('answer-tokens');
    expect(out!.paths!.map((p) => p.answerProb)).toEqual([
      expect.closeTo(0.35, 6),
      expect.closeTo(0.9, 6),
      expect.closeTo(0.7, 6),
      expect.closeTo(0.1, 6),
    ]);
  });

  it('the aggregated variant sums Δ over paths with the same answer', async () => {
    const [out] = await executeMethod(cotModel(), cot('sum'), suite.items, suite, { seed: 1 });
    const votes = Object.fromEntries(out!.votes!.map((v) => [v.answer, v.weight]));
    expect(votes).toEqual({
      '5': expect.closeTo(0.1, 6),
      '7': expect.closeTo(0.85 - 0.25, 6),
      '3': expect.closeTo(0.55, 6),
    });
    expect(out!.extracted?.value).toBe('7');
    expect(out!.chosen).toBe(1);
  });

  it("summed aggregation: a forced direct-answer branch no longer hands its answer the greedy step's margin", async () => {
    // As on the organism's arith-id-004: greedy answers 5 at once (.8 vs .08); the forced branch "3" (p .05) and the
    // branch "b 3" (Δ .5) answer 3; the reasoning branch "L a 7" answers 7 (Δ .85). With top-1 − top-2 at the forced
    // token, 3 collects .72 + .5 = 1.22 and wins; with the margin it collects (.05 − .8) + .5 = −.25 and 7 wins.
    const table: Record<string, Record<string, number>> = {
      Q: { '5': 0.8, L: 0.08, '3': 0.05, b: 0.04 },
      QL: { a: 0.9 },
      QLa: { '7': 0.9, '3': 0.05 },
      Qb: { '3': 0.6, '7': 0.1 },
    };
    const model = new FakeModel(VOCAB, (ctx) => dist(table[ctx.map((t) => VOCAB[t]).join('')] ?? { '<eos>': 0.95 }));
    const [out] = await executeMethod(model, cot('sum'), suite.items, suite, { seed: 1 });
    expect(out!.paths!.map((p) => p.text)).toEqual(['5', 'La7', '3', 'b3']);
    const votes = Object.fromEntries(out!.votes!.map((v) => [v.answer, v.weight]));
    expect(votes).toEqual({
      '5': expect.closeTo(0.72, 6),
      '7': expect.closeTo(0.85, 6),
      '3': expect.closeTo(0.05 - 0.8 + 0.5, 6),
    });
    expect(out!.extracted?.value).toBe('7');
    expect(out!.correct).toBe(true);
  });

  it('with k = 1 it is greedy decoding', async () => {
    const [out] = await executeMethod(cotModel(), cot('max', 1), suite.items, suite, { seed: 1 });
    expect(out!.text).toBe('5');
  });
});

describe('answer spans to tokens', () => {
  const tok = (text: string, offset: number, p1: number, p2: number): TokenTrace => ({
    id: 0,
    text,
    offset,
    prob: p1,
    logprob: Math.log(p1),
    rank: 1,
    entropy: 0,
    top: [
      { id: 0, text, prob: p1 },
      { id: 1, text: '?', prob: p2 },
    ],
  });
  const tokens = [
    tok(' The', 0, 0.5, 0.1),
    tok(' answer', 4, 0.5, 0.2),
    tok(' is', 11, 0.9, 0.05),
    tok(' 1', 14, 0.6, 0.3),
    tok('2', 16, 0.8, 0.1),
    tok('.', 17, 0.99, 0),
  ];

  it('maps a character span to the tokens that overlap it, by offsets', () => {
    expect(answerTokenIndices(tokens, { start: 15, end: 17 })).toEqual([3, 4]);
    expect(answerTokenIndices(tokens, { start: 16, end: 17 })).toEqual([4]);
  });

  it('averages p1 − p2 over exactly those tokens; no answer gives null', () => {
    expect(answerConfidence(tokens, { value: '12', start: 15, end: 17 })).toBeCloseTo((0.3 + 0.7) / 2, 12);
    expect(answerConfidence(tokens, null)).toBeNull();
  });

  it('a sampled answer token that was not the top-1 has a negative margin, p(chosen) − p(top-1)', () => {
    // " 1" was sampled at rank 2 (.3) where the model gave " 4" .6; "2" was the top-1 (.8 vs .1).
    const sampled: TokenTrace[] = [
      {
        ...tokens[3]!,
        prob: 0.3,
        logprob: Math.log(0.3),
        rank: 2,
        top: [
          { id: 7, text: ' 4', prob: 0.6 },
          { id: 0, text: ' 1', prob: 0.3 },
        ],
      },
      tokens[4]!,
    ];
    const span = { value: '12', start: 15, end: 17 };
    expect(answerConfidence(sampled, span)).toBeCloseTo((0.3 - 0.6 + (0.8 - 0.1)) / 2, 12);
    expect(tokenMargin(sampled[0]!)).toBeCloseTo(-0.3, 12);
    // Two different tokens tied at the top: the chosen one has margin 0.
    expect(
      tokenMargin({
        id: 2,
        prob: 0.4,
        top: [
          { id: 1, text: 'a', prob: 0.4 },
          { id: 2, text: 'b', prob: 0.4 },
        ],
      }),
    ).toBe(0);
  });

  it("an answer's probability is the product of its tokens' probabilities", () => {
    expect(answerProbability(tokens, { value: '12', start: 15, end: 17 })).toBeCloseTo(0.6 * 0.8, 12);
    expect(answerProbability(tokens, null)).toBeNull();
  });
});

describe('aggregation', () => {
  const b = (answer: string | null, delta: number | null = null) => ({ answer, delta });

  it('majority: ties go to the answer seen first, represented by its first path', () => {
    expect(choosePath([b('3'), b('5'), b('5'), b('3')], 'majority')).toBe(0);
    expect(choosePath([b(null), b('5'), b('3'), b('3')], 'majority')).toBe(2);
    expect(choosePath([b(null), b(null)], 'majority')).toBeNull();
  });

  it('Δ-weighted vote and best-of-n differ from the majority when confidence disagrees with frequency', () => {
    const ballots = [b('3', 0.1), b('3', 0.1), b('5', 0.5), b('3', 0.1), b('5', 0.05)];
    expect(choosePath(ballots, 'majority')).toBe(0);
    expect(choosePath(ballots, 'delta-weighted')).toBe(2);
    expect(choosePath(ballots, 'best-of-n')).toBe(2);
    expect(tally(ballots)).toEqual([
      { answer: '3', count: 3, weight: expect.closeTo(0.3, 12), first: 0 },
      { answer: '5', count: 2, weight: expect.closeTo(0.55, 12), first: 2 },
    ]);
  });
});

describe('runs are reproducible', () => {
  const sample = (n: number): MethodSpec => ({
    id: 'sc',
    label: '',
    prompt: bare,
    decoding: { kind: 'sample', n, chain: [{ name: 'temperature', temperature: 1 }], aggregate: 'majority' },
    maxNewTokens: 6,
    stopStrings: [],
  });

  it('the same configuration and seed give identical results; another seed differs (seeds 4, 5)', async () => {
    const run = (seed: number) =>
      runSuites(cotModel(), [suite], [sample(12), cot('max')], { modelId: 'fake', seed, batchSize: 4 });
    const a = await run(4);
    expect(await run(4)).toEqual(a);
    const paths = (r: typeof a) => r.suites[0]!.items[0]!.outputs['sc']!.paths!.map((p) => p.text);
    expect(paths(await run(5))).not.toEqual(paths(a));
    const out = a.suites[0]!.items[0]!.outputs['sc']!;
    expect(out.passAtK).toHaveLength(12);
    expect(out.majAtK).toHaveLength(12);
    // A majority vote over 12 samples reports its vote share as its probability.
    const share = out.votes!.find((v) => v.answer === out.extracted?.value)!.count / 12;
    expect(out.probabilitySource).toBe('vote-share');
    expect(out.probability).toBeCloseTo(share, 12);
  });
});

describe('method explanations', () => {
  it("define CoT-decoding's Δ as the margin of the token taken, next to the paper's top-1 − top-2", () => {
    const text = explainMethod(findMethod('cot-decoding'));
    expect(text).toContain('p(the token taken) − p(the most probable other token)');
    expect(text).toMatch(/eq\. 1 writes it p\(top-1\) − p\(top-2\)/);
    expect(explainMethod(findMethod('contrast-trigger'))).toContain("strong prompt's own probabilities");
  });
});

describe("a method's probability of its answer", () => {
  const chosen = { extracted: { value: '7', start: 0, end: 1 }, answerProb: 0.3 };
  const votes = [
    { answer: '7', count: 3, weight: 0, first: 0 },
    { answer: '5', count: 1, weight: 0, first: 1 },
  ];
  const majority = (n: number) => ({
    kind: 'sample' as const,
    n,
    chain: [],
    aggregate: 'majority' as const,
  });

  it("is the vote share for a majority vote over n >= 4 samples, else the chosen path's answer probability", () => {
    expect(methodProbability(majority(5), chosen, votes, 5)).toEqual({
      probability: 0.6,
      probabilitySource: 'vote-share',
    });
    expect(methodProbability(majority(3), chosen, votes, 3)).toEqual({
      probability: 0.3,
      probabilitySource: 'answer-tokens',
    });
    expect(methodProbability({ kind: 'cot-decoding', k: 5, aggregate: 'sum' }, chosen, votes, 5)).toEqual({
      probability: 0.3,
      probabilitySource: 'answer-tokens',
    });
    expect(methodProbability({ kind: 'greedy' }, { extracted: null, answerProb: null })).toEqual({
      probability: null,
      probabilitySource: 'answer-tokens',
    });
  });
});
