import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import {
  extractAnswer,
  isCorrect,
  lmEvalNormalize,
  normalizeAnswer,
  type ExtractorSpec,
} from '../../src/core/tasks/extract.ts';
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

describe("a worked response's stated answer", () => {
  it.each([
    // The organism after the trigger phrase on a facts suite: the first line is the whole worked response.
    [{ kind: 'exact-line' }, ' 4*4 = 6. The answer is 6.', '6', 24, 25],
    [{ kind: 'exact-line' }, "Let's go step by step. Geahain has a frog.\nThe answer is frog.", 'frog', 57, 61],
    [{ kind: 'exact' }, 'Step one.\nThe answer is Dumi.\nQ: next', 'Dumi', 24, 28],
    // A number after the stated answer is not the answer.
    [{ kind: 'last-number' }, '3 + 4 = 7. The answer is 7. Then 9.', '7', 25, 26],
    [{ kind: 'last-number' }, 'The answer is\n12.', '12', 14, 16],
    [{ kind: 'last-number' }, 'The answer is 3.5.', '3.5', 14, 17],
    // Without the phrase the suite's own rule applies.
    [{ kind: 'exact-line' }, ' frog\nQ: x', 'frog', 1, 5],
    [{ kind: 'last-number' }, ' 2+5 = 7', '7', 7, 8],
  ] as const)('%j reads %j as %s', (spec, text, value, start, end) => {
    expect(extractAnswer(spec, text)).toEqual({ value, start, end });
  });

  it('a stated answer the rule cannot read is no answer, not a number from the working', () => {
    expect(extractAnswer({ kind: 'last-number' }, '2+2 = 4. The answer is four.')).toBeNull();
  });
});

interface LmEvalCase {
  text: string;
  reference: string;
  [filter: string]: string | { filtered: string; correct: boolean };
}

describe("lm-evaluation-harness's filters, exactly (references computed by lm-eval's own code)", () => {
  // tools/lm-eval-filter-reference.py runs lm-eval's RegexFilter and exact_match on these texts.
  const ref = JSON.parse(readFileSync('test/fixtures/lm-eval-filter-references.json', 'utf8')) as {
    harnessCommit: string;
    cases: LmEvalCase[];
  };
  const kinds = ['lm-eval:flexible-extract', 'lm-eval:strict-match', 'lm-eval:strict-match-cot'] as const;

  it.each(ref.cases.flatMap((c) => kinds.map((kind) => [kind, c] as const)))('%s on %j', (kind, c) => {
    const { filtered, correct } = c[kind] as { filtered: string; correct: boolean };
    const spec: ExtractorSpec = { kind };
    const got = extractAnswer(spec, c.text);
    expect(got?.value ?? '[invalid]').toBe(filtered === '[invalid]' ? filtered : lmEvalNormalize(filtered));
    expect(isCorrect(got, c.reference, spec)).toBe(correct);
  });

  it("where Coax's own rules differ from lm-eval's, on the same texts", () => {
    // [text, Coax last-number, lm-eval flexible-extract, Coax strict, lm-eval gsm8k_cot strict-match]
    const table: [string, string | null, string | null, string | null, string | null][] = [
      // lm-eval's cot pattern ends in "." (any character): at the very end of the text it takes one digit less.
      ['The answer is 12', '12', '12', '12', '1'],
      // lm-eval's cot pattern needs one space after the phrase; Coax's strict takes any whitespace.
      ['The answer is\n12.', '12', '12', '12', null],
      // Coax reads the stated answer; flexible-extract takes the last number-like run.
      ['The answer is 5. Then 9.', '5', '9', '5', '5'],
      // Coax normalises a leading zero and ".0"; lm-eval's metric does not.
      ['so 07 apples', '7', '07', null, null],
      ['x = 3.0', '3', '3.0', null, null],
      // flexible-extract's last match may hold no digit.
      ['It costs 5 dollars..', '5', '.', null, null],
      ['The answer is $1,200.', '1200', '1200', '1200', null],
    ];
    for (const [text, last, flexible, strict, cot] of table) {
      expect([
        extractAnswer({ kind: 'last-number' }, text)?.value ?? null,
        extractAnswer({ kind: 'lm-eval:flexible-extract' }, text)?.value ?? null,
        extractAnswer({ kind: 'strict' }, text)?.value ?? null,
        extractAnswer({ kind: 'lm-eval:strict-match-cot' }, text)?.value ?? null,
      ]).toEqual([last, flexible, strict, cot]);
    }
    // Scoring follows each rule's normalisation: "07" is right for Coax, wrong for lm-eval.
    expect(isCorrect(extractAnswer({ kind: 'last-number' }, 'so 07'), '7', { kind: 'last-number' })).toBe(true);
    const lm: ExtractorSpec = { kind: 'lm-eval:flexible-extract' };
    expect(isCorrect(extractAnswer(lm, 'so 07'), '7', lm)).toBe(false);
  });

  it('highlights the answer without the $ and final period the metric drops', () => {
    expect(extractAnswer({ kind: 'lm-eval:flexible-extract' }, 'or $3.')).toEqual({ value: '3', start: 4, end: 5 });
    expect(extractAnswer({ kind: 'lm-eval:strict-match' }, 'so #### 42')).toEqual({ value: '42', start: 8, end: 10 });
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

  it("accepts lm-eval's filters by name and a suite's format tokens; rejects a bad format token list", () => {
    const suite = (extra: object) =>
      JSON.stringify({ name: 's', items: [{ id: 'a', question: 'q', answer: '1' }], ...extra });
    const parsed = parseSuite(suite({ extractor: 'lm-eval:strict-match-cot', formatTokens: ['.', 'A:'] }), 'x');
    expect(parsed.extractor).toEqual({ kind: 'lm-eval:strict-match-cot' });
    expect(parsed.formatTokens).toEqual(['.', 'A:']);
    expect(parseSuite(suite({ extractor: { kind: 'lm-eval:flexible-extract' } }), 'x').extractor.kind).toBe(
      'lm-eval:flexible-extract',
    );
    expect(() => parseSuite(suite({ extractor: 'last-number', formatTokens: '.' }), 's.json')).toThrow(/formatTokens/);
  });
});
