import { describe, expect, it } from 'vitest';
import { findMethod } from '../../src/core/methods/method.ts';
import { parseRunFile, runFile, serializeRunFile } from '../../src/core/run/export.ts';
import type { MethodOutput, RunResults } from '../../src/core/run/results.ts';
import { allViewData } from './view-data.ts';

const token = (text: string, offset: number) => ({
  id: 7,
  text,
  offset,
  prob: 0.6,
  logprob: Math.log(0.6),
  rank: 1,
  entropy: 1.1,
  top: [{ id: 7, text, prob: 0.6 }],
});

const path = (answer: string) => ({
  text: ` ${answer}`,
  tokens: [token(` ${answer}`, 0)],
  stopReason: 'eos' as const,
  extracted: { value: answer, start: 1, end: 1 + answer.length },
  correct: answer === '4',
  delta: 0.3,
  answerProb: 0.6,
});

const greedy = (answer: string): MethodOutput => ({
  ...path(answer),
  prompt: 'Q: 2+2\nA:',
  promptTokens: 5,
  generatedTokens: 1,
  ms: 2,
});

const voted = (): MethodOutput => ({
  ...greedy('4'),
  paths: [path('4'), path('5'), path('4'), path('4')],
  chosen: 0,
  votes: [
    { answer: '4', count: 3, weight: 0.9, first: 0 },
    { answer: '5', count: 1, weight: 0.3, first: 1 },
  ],
  passAtK: [0.75, 1, 1, 1],
  majAtK: [0.75, 0.75, 1, 1],
});

function file(edit: (r: RunResults) => void = () => {}): string {
  const methods = [findMethod('greedy-plain'), findMethod('self-consistency')];
  const results: RunResults = {
    version: 1,
    modelId: 'm',
    seed: 1,
    methods,
    suites: [
      {
        suiteName: 's',
        items: [
          {
            itemId: 'a',
            question: '2+2',
            answer: '4',
            tags: {},
            outputs: { 'greedy-plain': greedy('4'), 'self-consistency': voted() },
          },
        ],
      },
    ],
  };
  edit(results);
  return serializeRunFile(runFile({ name: 'r', createdAt: 1, config: 'c', results }));
}

const output = (r: RunResults, method = 'greedy-plain') =>
  r.suites[0]!.items[0]!.outputs[method] as unknown as Record<string, unknown>;
const where = 'results\\.suites\\[0\\]\\.items\\[0\\]\\.outputs';

describe('the results importer checks every output field the views read', () => {
  it('a complete file passes and every view computes its data', () => {
    const read = parseRunFile(file(), 'r.json');
    expect(() => allViewData(read.results)).not.toThrow();
  });

  it.each<[string, (r: RunResults) => void, RegExp]>([
    ['a missing delta', (r) => delete output(r).delta, new RegExp(`${where}\\.greedy-plain\\.delta: .*missing`)],
    [
      'votes that are not an array',
      (r) => (output(r, 'self-consistency').votes = { '4': 3 }),
      new RegExp(`${where}\\.self-consistency\\.votes: `),
    ],
    [
      'a null token',
      (r) => ((output(r).tokens as unknown[])[0] = null),
      new RegExp(`${where}\\.greedy-plain\\.tokens\\[0\\]: .*null`),
    ],
    [
      'a token without its probability',
      (r) => delete (output(r).tokens as Record<string, unknown>[])[0]!.prob,
      new RegExp(`${where}\\.greedy-plain\\.tokens\\[0\\]\\.prob: `),
    ],
    [
      'a chosen path out of range',
      (r) => (output(r, 'self-consistency').chosen = 9),
      new RegExp(`${where}\\.self-consistency\\.chosen: must index one of the 4 paths`),
    ],
    [
      'an unknown stop reason',
      (r) => (output(r).stopReason = 'bored'),
      new RegExp(`${where}\\.greedy-plain\\.stopReason: `),
    ],
    [
      'duplicate method ids',
      (r) => r.methods.push(findMethod('greedy-plain')),
      /results\.methods\[2\]\.id: duplicate method id "greedy-plain"/,
    ],
  ])('refuses %s, naming the field', (_, edit, message) => {
    expect(() => parseRunFile(file(edit), 'r.json')).toThrow(message);
  });
});
