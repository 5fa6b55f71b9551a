import { describe, expect, it } from 'vitest';
import { groundingActRate, isClarifyingQuestion, rateOf } from '../../src/core/metrics/grounding.ts';
import { checkMoveRate, traceMoves } from '../../src/core/metrics/trace-moves.ts';
import { calibrate } from '../../src/core/metrics/calibration.ts';
import { wilson } from '../../src/core/metrics/accuracy.ts';
import { suiteMetrics } from '../../src/core/metrics/suite-metrics.ts';
import { BUILTIN_METHODS } from '../../src/core/methods/method.ts';
import type { MethodOutput, SuiteResults } from '../../src/core/run/results.ts';

describe('grounding acts', () => {
  it.each([
    [' Which Ana, Ana Kim or Ana Ruiz?', true],
    ['Which Ana?', true],
    [' which one', true],
    [' Who do you mean?', true],
    [' Do you mean Ana Kim?', true],
    [' Velo', false],
    [' Velo\nWhich Ana?', false], // only the first line counts
    [' Whichever', false], // "which" as a whole word only
    ['', false],
    ['   \n', false],
    [' Is it Velo?', true], // any question on the first line
  ])('%j is a clarifying question: %s', (text, want) => {
    expect(isClarifyingQuestion(text)).toBe(want);
  });

  it('rate and Wilson interval by hand: 3 of 8', () => {
    const r = groundingActRate([' Which A?', ' x', ' y', ' Which B?', ' z', ' Who?', ' w', ' v']);
    expect(r.count).toBe(3);
    expect(r.n).toBe(8);
    expect(r.rate).toBe(0.375);
    // Wilson 95 %: p = 0.375, n = 8, z = 1.959964: centre (p + z²/2n)/(1 + z²/n) = 0.4114, half-width 0.2939
    expect(r.low).toBeCloseTo(0.1368, 3);
    expect(r.high).toBeCloseTo(0.6943, 3);
  });

  it('an empty set has rate 0 and the whole interval', () => {
    expect(rateOf(0, 0)).toEqual({ count: 0, n: 0, rate: 0, low: 0, high: 1 });
  });
});

describe('check and hesitation moves in traces', () => {
  const careful =
    " Let's go step by step. 3+4*2-5 = 7*2-5 = 5-5 = 0. Check: 3+4 is 7, wait, 7*2 is 4, not 5, 4-5 is 9. The answer is 9.";
  const checked = " Let's go step by step. 3+4 = 7. Check: 3+4 is 7. The answer is 7.";
  const concise = " Let's go step by step. 3+4*2-5 = 7*2-5 = 4-5 = 9. The answer is 9.";
  it('finds each kind of move', () => {
    expect(traceMoves(careful)).toEqual({ check: true, hesitation: true });
    expect(traceMoves(checked)).toEqual({ check: true, hesitation: false });
    expect(traceMoves(concise)).toEqual({ check: false, hesitation: false });
    expect(traceMoves(' Hmm, 7')).toEqual({ check: false, hesitation: true });
    expect(traceMoves(' checkered 5')).toEqual({ check: false, hesitation: false });
    expect(traceMoves(' 7 is not 8')).toEqual({ check: false, hesitation: true });
    expect(traceMoves(' nothing')).toEqual({ check: false, hesitation: false });
  });

  it('rates by hand: 2 of 4 with a move, 2 checks, 1 hesitation', () => {
    const r = checkMoveRate([careful, checked, concise, ' 9']);
    expect([r.any.count, r.check.count, r.hesitation.count, r.any.n]).toEqual([2, 2, 1, 4]);
    expect(r.any.rate).toBe(0.5);
    expect(r.hesitation.rate).toBe(0.25);
  });
});

describe('answer-probability calibration (the existing ECE, as claim 2 uses it)', () => {
  it('ECE by hand over two bins', () => {
    // bin [0.9, 1]: confidences 0.95, 0.95, right once -> |0.5 - 0.95| = 0.45, weight 2/4
    // bin [0.6, 0.7): confidences 0.6, 0.6, right twice -> |1 - 0.6| = 0.4, weight 2/4
    const c = calibrate([
      { confidence: 0.95, correct: true },
      { confidence: 0.95, correct: false },
      { confidence: 0.6, correct: true },
      { confidence: 0.6, correct: true },
    ]);
    expect(c.ece).toBeCloseTo(0.5 * 0.45 + 0.5 * 0.4, 12);
  });
});

describe('the registry entries (check moves on digit chains, grounding acts on ambiguous suites)', () => {
  const method = BUILTIN_METHODS.find((m) => m.id === 'greedy-plain')!;
  const out = (text: string) => ({ text }) as unknown as MethodOutput;
  const suite = (name: string, split: string, qa: [string, string][]): SuiteResults => ({
    suiteName: name,
    split,
    relation: 'factual',
    items: qa.map(([q, text], i) => ({
      itemId: `${name}-${i}`,
      question: q,
      answer: 'x',
      tags: {},
      outputs: { 'greedy-plain': out(text) },
    })),
  });

  it('check-move rate by hand: 2 of 3 chain answers, one check and one hesitation', () => {
    const m = suiteMetrics(
      suite('arith-id', 'id', [
        ['3+4', " Let's go step by step. 3+4 = 7. Check: 3+4 is 7. The answer is 7."],
        ['3+4*2', ' Wait, 4'],
        ['1+1', ' 2'],
      ]),
      method,
    );
    expect(m['check-move-rate']).toMatchObject({ value: 2 / 3, count: 2, n: 3, note: 'check 1, hesitation 1' });
    expect(m['grounding-act-rate']).toBeUndefined();
  });

  it('grounding-act rate by hand on an ambiguous suite only', () => {
    const qa: [string, string][] = [
      ["What is Ana's city?", ' Which Ana, Ana Kim or Ana Ruiz?'],
      ["What is Bo's pet?", ' fox'],
      ["What is Cy's color?", ' red'],
      ["What is Di's city?", ' Who do you mean?'],
    ];
    const m = suiteMetrics(suite('ambiguous', 'ambiguous', qa), method);
    expect(m['grounding-act-rate']).toMatchObject({ value: 0.5, count: 2, n: 4, ...wilson(2, 4) });
    expect(m['check-move-rate']).toBeUndefined(); // not digit chains
    expect(suiteMetrics(suite('ambiguous-control', 'ambiguous-control', qa), method)['grounding-act-rate']).toBe(
      undefined,
    );
  });
});
