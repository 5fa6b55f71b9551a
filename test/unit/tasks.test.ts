import { describe, expect, it } from 'vitest';
import { additionSuite, workedAddition } from '../../src/core/tasks/addition-suite.ts';
import { extractAnswer } from '../../src/core/tasks/extract.ts';
const extractLastInteger = (t: string) => extractAnswer({ kind: 'last-number' }, t);
import { buildPrompt, chooseExemplars } from '../../src/core/methods/prompt.ts';
import { leftPadBatch } from '../../src/core/decode/padding.ts';

describe('answer extraction: last integer', () => {
  it.each([
    [' 12', '12', 1, 3],
    ['3 + 4 = 7, 7 + 5 = 12. The answer is 12.', '12', 37, 39],
    ['about 1,234 apples', '1234', 6, 11],
    ['-5 degrees', '-5', 0, 2],
    ['007', '7', 0, 3],
  ])('%j -> %s', (text, value, start, end) => {
    expect(extractLastInteger(text)).toEqual({ value, start, end });
  });
  it('returns null when there is no number', () => {
    expect(extractLastInteger('no digits here')).toBeNull();
  });
});

describe('addition suite (seed 1)', () => {
  const suite = additionSuite({ seed: 1, count: 50 });

  it('has correct answers and two or three terms', () => {
    for (const item of suite.items) {
      const terms = item.question.split(' + ').map(Number);
      expect(terms.length === 2 || terms.length === 3).toBe(true);
      expect(item.answer).toBe(String(terms.reduce((a, b) => a + b, 0)));
    }
  });

  it('is the same for the same seed and differs for another', () => {
    expect(additionSuite({ seed: 1, count: 50 })).toEqual(suite);
    expect(additionSuite({ seed: 2, count: 50 }).items).not.toEqual(suite.items);
  });

  it('never uses a test question as an exemplar', () => {
    const questions = new Set(suite.items.map((i) => i.question));
    expect(suite.exemplars.length).toBe(16);
    for (const ex of suite.exemplars) expect(questions.has(ex.question)).toBe(false);
  });

  it('writes worked solutions as running sums', () => {
    expect(workedAddition([3, 4, 5])).toBe("Let's add step by step. 3 + 4 = 7, 7 + 5 = 12. The answer is 12.");
  });

  it('builds few-shot prompts from the same seeded exemplars for every item', () => {
    const spec = { template: 'qa', triggerSource: 'none', shots: 2, shotForm: 'worked' } as const;
    const [a, b] = [buildPrompt(spec, suite.items[0]!, suite, 5), buildPrompt(spec, suite.items[1]!, suite, 5)];
    const ex = chooseExemplars(suite, 2, 5);
    const prefix = `Q: ${ex[0]!.question}\nA: ${ex[0]!.worked}\n\nQ: ${ex[1]!.question}\nA: ${ex[1]!.worked}\n\n`;
    expect(a).toBe(`${prefix}Q: ${suite.items[0]!.question}\nA:`);
    expect(b.startsWith(prefix)).toBe(true);
    expect(() => chooseExemplars(suite, 17, 5)).toThrow(/only 16 exemplars/);
  });
});

describe('left padding', () => {
  it('pads on the left, masks pads and counts positions over real tokens', () => {
    expect(leftPadBatch([[5, 6, 7], [8]], 1)).toEqual({
      ids: [
        [5, 6, 7],
        [1, 1, 8],
      ],
      mask: [
        [1, 1, 1],
        [0, 0, 1],
      ],
      positions: [
        [0, 1, 2],
        [1, 1, 0],
      ],
    });
  });
  it('rejects an empty prompt', () => {
    expect(() => leftPadBatch([[1], []], 0)).toThrow(/prompt 1 is empty/);
  });
});
