import { describe, expect, it } from 'vitest';
import { leaderboard } from '../../src/core/metrics/comparison.ts';
import {
  chainSteps,
  entropyBits,
  formatMetric,
  metricsShown,
  SUITE_METRICS,
  suiteMetrics,
  traceKind,
  type SuiteMetric,
} from '../../src/core/metrics/suite-metrics.ts';
import { findMethod } from '../../src/core/methods/method.ts';
import { leaderboardCsv } from '../../src/core/run/export.ts';
import type { MethodOutput, RunResults, SuiteResults } from '../../src/core/run/results.ts';
import { wilson } from '../../src/core/metrics/accuracy.ts';

const out = (text: string, answer: string | null, correct = false): MethodOutput => ({
  text,
  tokens: [],
  stopReason: 'stop-string',
  extracted: answer === null ? null : { value: answer, start: 0, end: 1 },
  correct,
  delta: null,
  prompt: 'p',
  promptTokens: 1,
  generatedTokens: 1,
  ms: 1,
});

const metric = (id: string): SuiteMetric => SUITE_METRICS.find((m) => m.id === id)!;

describe('worked traces of digit chains', () => {
  it('reads the steps of a chain question, spaced or not, and nothing else', () => {
    expect(chainSteps('3+4*2-5')).toEqual(['+4', '*2', '-5']);
    expect(chainSteps('3 + 4 * 2 - 5')).toEqual(['+4', '*2', '-5']);
    expect(chainSteps('What is Bo’s pet?')).toBeNull();
    expect(chainSteps('12+4')).toBeNull();
  });

  // 3+4*2-5: 3+4 = 7, 7*2 = 14 -> 4, 4-5 = -1 -> 9
  it.each([
    [" Let's go step by step. 3+4*2-5 = 7*2-5 = 4-5 = 9. The answer is 9.", 'complete'],
    [' 3+4*2-5 = 7*2-5 = 4-5 = 9. The answer is 9.', 'complete'], // the trigger was in the prompt
    [' 3 + 4 * 2 - 5 = 7 * 2 - 5 = 4 - 5 = 9.', 'complete'],
    [' 3+4*2-5 = 7*2-5 = 1-5 = 6. The answer is 6.', 'complete'], // wrong value, every step written
    [' 9', 'direct'],
    ['', 'direct'],
    [' The answer is 9.', 'direct'],
    [' 3+4*2-1 = 7*2-1 = 4-1 = 3.', 'complete'], // a miscopied digit is an error, not a shortcut
    [' 3+4*2-5 = 7*2-5 = 4-5 = 9. The a', 'complete'], // the budget cut the closing sentence
    [' 8+1*2-5+1 = 9*2-5+1 = 8-5+1 = 3+1 = 4.', 'direct'], // a trace of a longer chain
    [' 9 = 9', 'direct'],
    [' 3+4*2-5 = 4-5 = 9. The answer is 9.', 'skipped'], // *2 done without writing it
    [' 3+4*2-5 = 9. The answer is 9.', 'skipped'],
    [' 3+4*2-5 = 7*2-5 = 9. The answer is 9.', 'skipped'], // jumps to the value with a step left
    [' 3+4*2-5 = 7*2-5 = 4-5. The answer is 4.', 'skipped'], // states an answer with a step left
    [' 3+4*2-5 = 7*2-5 = 4-', 'truncated'], // cut by the token budget mid-part
    [' 3+4*2-5 = 7*2-5 =', 'truncated'],
    [' 3+4*2-5 = 7*2-5', 'truncated'],
  ])('%j is %s', (text, kind) => {
    expect(traceKind('3+4*2-5', text)).toBe(kind);
  });
});

describe('entropy in bits', () => {
  it('matches hand values', () => {
    expect(entropyBits(['a', 'a', 'a'])).toBe(0);
    expect(entropyBits(['a', 'b'])).toBeCloseTo(1, 12);
    // 1/2, 1/4, 1/4: 0.5 + 0.5 + 0.5 = 1.5 bits
    expect(entropyBits(['a', 'a', 'b', 'c'])).toBeCloseTo(1.5, 12);
    expect(entropyBits(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'])).toBeCloseTo(3, 12);
  });
});

function arithSuite(): SuiteResults {
  const item = (i: number, question: string, answer: string, o: MethodOutput) => ({
    itemId: `a${i}`,
    question,
    answer,
    tags: {},
    outputs: { 'greedy-plain': o },
  });
  return {
    suiteName: 'arith-id',
    relation: 'procedural',
    split: 'id',
    items: [
      item(0, '3+4*2-5', '9', out(' 3+4*2-5 = 7*2-5 = 4-5 = 9. The answer is 9.', '9', true)), // complete
      item(1, '1+1', '2', out(' 0', '0')), // direct
      item(2, '2*5+3', '3', out(' 2*5+3 = 3. The answer is 3.', '3', true)), // skipped
      item(3, '4-2*3', '6', out(' 0', '0')), // direct
      item(4, '5*5-1', '4', out(' 5*5-1 = 5-1 =', null)), // truncated: not a shortcut
    ],
  };
}

describe('the registry', () => {
  it('computes the shortcut rate, top answer share and answer entropy by hand', () => {
    const m = suiteMetrics(arithSuite(), findMethod('greedy-plain'));
    // shortcuts: 2 direct + 1 skipped of 5 outputs
    expect(m['shortcut-rate']).toEqual({
      value: 3 / 5,
      n: 5,
      count: 3,
      ...wilson(3, 5),
      note: 'direct 2, skipped 1, cut short 1, complete 1',
    });
    // answers 9, 0, 3, 0 and one without: "0" twice of 5 outputs
    expect(m['top-answer-share']).toMatchObject({ value: 2 / 5, n: 5, count: 2, note: '"0"' });
    // answer distribution over 5 outputs: 0 x2, 9, 3, none: H = 2/5 log2(5/2) + 3 * 1/5 log2(5)
    const h = (2 / 5) * Math.log2(5 / 2) + (3 / 5) * Math.log2(5);
    expect(m['answer-entropy']!.value).toBeCloseTo(h, 12);
    expect(m['answer-entropy']!.value).toBeCloseTo(1.921928, 6);
    expect(m['diversity']).toBeUndefined(); // the suite has reference answers
  });

  it('diversity and entropy on an open-ended suite, no shortcut rate or top share there', () => {
    const names = ['Bora', 'Kel', 'Bora', 'Tam'];
    const suite: SuiteResults = {
      suiteName: 'open-ended',
      relation: 'open-ended',
      items: names.map((n, i) => ({
        itemId: `o${i}`,
        question: 'Make up a name for a fox.',
        answer: '',
        tags: {},
        outputs: { 'greedy-plain': out(` ${n}\n`, null) },
      })),
    };
    const m = suiteMetrics(suite, findMethod('greedy-plain'));
    expect(Object.keys(m).sort()).toEqual(['answer-entropy', 'diversity']);
    expect(m['diversity']).toMatchObject({ value: 3 / 4, count: 3, n: 4 });
    expect(m['answer-entropy']!.value).toBeCloseTo(1.5, 12); // 1/2, 1/4, 1/4
  });

  it('token entropy of an open-ended suite: per-output mean over content tokens, mean and interval over outputs', () => {
    const tok = (text: string, entropy: number) => ({
      id: 1,
      text,
      offset: 0,
      prob: 0.5,
      logprob: Math.log(0.5),
      rank: 1,
      entropy,
      top: [],
    });
    // content means: (1 + 2) / 2 = 1.5 (the newline is a format token), 3, 1.5
    const outs = [
      { ...out(' Bo\n', null), tokens: [tok(' B', 1), tok('o', 2), tok('\n', 0.1)] },
      { ...out(' Ka', null), tokens: [tok(' Ka', 3)] },
      { ...out(' Li', null), tokens: [tok(' L', 1), tok('i', 2)] },
    ];
    const suite: SuiteResults = {
      suiteName: 'open-ended',
      items: outs.map((o, i) => ({
        itemId: `o${i}`,
        question: 'q',
        answer: '',
        tags: {},
        outputs: { 'greedy-plain': o },
      })),
    };
    const v = suiteMetrics(suite, findMethod('greedy-plain'))['open-entropy']!;
    // mean 2; sample sd sqrt((0.25 + 1 + 0.25) / 2) = sqrt(0.75); half-width 1.96 * sqrt(0.75 / 3) = 1.96 * 0.5
    expect(v.value).toBeCloseTo(2, 12);
    expect(v.low).toBeCloseTo(2 - 1.959963984540054 * 0.5, 12);
    expect(v.high).toBeCloseTo(2 + 1.959963984540054 * 0.5, 12);
    expect(v.n).toBe(3);
    expect(formatMetric(metric('open-entropy'), v, true)).toBe('2.000 nats (1.020–2.980)');
  });

  it('rides on every leaderboard row, shows only where it applies, and exports to CSV', () => {
    const results: RunResults = {
      version: 1,
      modelId: 'coax/m',
      seed: 1,
      methods: [findMethod('greedy-plain')],
      suites: [arithSuite()],
    };
    const rows = leaderboard(results);
    expect(rows[0]!.metrics['shortcut-rate']!.count).toBe(3);
    expect(metricsShown(rows).map((m) => m.id)).toEqual([
      'shortcut-rate',
      'top-answer-share',
      'answer-entropy',
      'check-move-rate',
    ]);
    const csv = leaderboardCsv(results).trim().split('\n');
    expect(csv[0]).toBe(
      'suite,split,model,method,correct,n,accuracy,low,high,shortcut-rate,shortcut-rate:low,shortcut-rate:high,' +
        'top-answer-share,top-answer-share:low,top-answer-share:high,answer-entropy,' +
        'check-move-rate,check-move-rate:low,check-move-rate:high',
    );
    const w = wilson(3, 5);
    expect(csv[1]!.split(',').slice(0, 12)).toEqual([
      'arith-id',
      'id',
      'coax/m',
      'greedy-plain',
      '2',
      '5',
      '0.4',
      String(Number(wilson(2, 5).low.toFixed(6))),
      String(Number(wilson(2, 5).high.toFixed(6))),
      '0.6',
      String(Number(w.low.toFixed(6))),
      String(Number(w.high.toFixed(6))),
    ]);
  });

  it('formats values for tables', () => {
    expect(formatMetric(metric('shortcut-rate'), { value: 0.125, n: 8, low: 0.0224, high: 0.4709 }, true)).toBe(
      '12.5% (2.2–47.1)',
    );
    expect(formatMetric(metric('shortcut-rate'), { value: 0.125, n: 8 })).toBe('12.5%');
    expect(formatMetric(metric('answer-entropy'), { value: 1.5, n: 4 })).toBe('1.50 bits');
    expect(formatMetric(metric('answer-entropy'), undefined)).toBe('—');
  });
});
