import { describe, expect, it } from 'vitest';
import { extractAnswer, normalizeAnswer } from '../../src/core/tasks/extract.ts';
import { parseMethods } from '../../src/core/schema/method-schema.ts';
import { parseSuite } from '../../src/core/schema/suite-schema.ts';

describe('extractors', () => {
  it.each([
    [{ kind: 'last-number' }, 'It costs $1,200.50 or $3.', '3', 23, 24],
    [{ kind: 'last-number' }, 'x = 12.0.', '12', 4, 8],
    [{ kind: 'strict' }, '3 + 4 = 7. The answer is 7. Then 9.', '7', 25, 26],
    [{ kind: 'exact-line' }, ' Velo.\nQ: next', 'Velo', 1, 5],
    [{ kind: 'exact' }, '  hello world \n', 'hello world', 2, 13],
    [{ kind: 'regex', pattern: 'answer: (\\w+)' }, 'answer: cat, answer: dog', 'dog', 21, 24],
    [{ kind: 'regex', pattern: 'answer: (\\w+)', select: 'first' }, 'answer: cat, answer: dog', 'cat', 8, 11],
  ] as const)('%j on %j -> %s', (spec, text, value, start, end) => {
    expect(extractAnswer(spec, text)).toEqual({ value, start, end });
  });

  it('strict extraction needs the phrase; none extracts nothing', () => {
    expect(extractAnswer({ kind: 'strict' }, '7')).toBeNull();
    expect(extractAnswer({ kind: 'none' }, '7')).toBeNull();
  });

  it('normalises commas, $, trailing "." and ".0"', () => {
    expect(['1,234', '$5', '12.', '12.00', '-0', '3.50'].map(normalizeAnswer)).toEqual([
      '1234',
      '5',
      '12',
      '12',
      '-0',
      '3.50',
    ]);
  });

  it('a bad user regex gives a clear error', () => {
    expect(() => extractAnswer({ kind: 'regex', pattern: '(unclosed' }, 'x')).toThrow(
      /answer regex \/\(unclosed\/ is not a valid regular expression/,
    );
  });
});

describe('validation at the edges', () => {
  it('names the bad field of a method, with its value', () => {
    const bad = JSON.stringify([
      {
        id: 'm',
        label: 'M',
        prompt: { template: 'qa', triggerSource: 'none', shots: 0, shotForm: 'direct' },
        decoding: { kind: 'sample', n: 0, chain: [], aggregate: 'majority' },
        maxNewTokens: 8,
        stopStrings: [],
      },
    ]);
    expect(() => parseMethods(bad, 'methods.json')).toThrow(
      /methods\.json\[0\] is not valid:\n {2}decoding\.n: .*\(value: 0\)/,
    );
  });

  it('rejects an unknown processor and a custom template without {question}', () => {
    const m = (chain: unknown, prompt: unknown) =>
      JSON.stringify([
        {
          id: 'm',
          label: 'M',
          prompt,
          decoding: { kind: 'sample', n: 2, chain, aggregate: 'majority' },
          maxNewTokens: 8,
          stopStrings: [],
        },
      ]);
    const qa = { template: 'qa', triggerSource: 'none', shots: 0, shotForm: 'direct' };
    expect(() => parseMethods(m([{ name: 'nucleus', p: 0.9 }], qa), 'f')).toThrow(/decoding\.chain\[0\]/);
    expect(() => parseMethods(m([], { ...qa, template: 'custom', custom: 'Question?' }), 'f')).toThrow(
      /prompt\.custom: prompt template must contain \{question\} exactly once/,
    );
  });

  it('takes built-in ids and says which exist when one is unknown', () => {
    expect(parseMethods('greedy-plain, cot-decoding', '--methods').map((m) => m.id)).toEqual([
      'greedy-plain',
      'cot-decoding',
    ]);
    expect(() => parseMethods('greedy', '--methods')).toThrow(
      /unknown method "greedy"; built-in methods: greedy-plain/,
    );
  });

  it('reports JSON syntax errors with a line and column', () => {
    expect(() => parseSuite('{\n  "name": "x",\n  oops\n}', 'suite.json')).toThrow(
      /suite\.json: not valid JSON at line 3, column 3/,
    );
  });

  it('names the bad item of a suite file', () => {
    const suite = {
      name: 's',
      extractor: 'last-number',
      items: [
        { id: 'a', question: 'q', answer: '1' },
        { id: 'a', question: 'r', answer: 2 },
      ],
    };
    expect(() => parseSuite(JSON.stringify(suite), 'suite.json')).toThrow(/items\[1\]\.answer/);
  });

  it('rejects exemplars that repeat a test question', () => {
    const suite = {
      name: 's',
      extractor: 'last-number',
      items: [{ id: 'a', question: 'q', answer: '1' }],
      exemplars: [{ question: 'q', answer: '1', worked: '' }],
    };
    expect(() => parseSuite(JSON.stringify(suite), 'suite.json')).toThrow(
      /exemplars\[0\]\.question: an exemplar repeats a test question/,
    );
  });
});
