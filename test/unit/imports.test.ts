import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildPrompt } from '../../src/core/methods/prompt.ts';
import { findMethod } from '../../src/core/methods/method.ts';
import { suiteSchema } from '../../src/core/schema/suite-schema.ts';
import { extractAnswer, isCorrect } from '../../src/core/tasks/extract.ts';
import { parseCsv } from '../../src/core/tasks/import/csv.ts';
import { splitGsm8kAnswer } from '../../src/core/tasks/import/gsm8k.ts';
import { checkImportSize, MAX_IMPORT_ITEMS, utf8Bytes } from '../../src/core/tasks/import/limits.ts';
import { guessMapping, shapeKey, tableToSuite } from '../../src/core/tasks/import/mapping.ts';
import { importSuite, readImport } from '../../src/core/tasks/import/read-import.ts';
import { resolveSuiteRef } from '../../src/core/tasks/import/suite-ref.ts';

const GSM8K = readFileSync('test/fixtures/import/gsm8k-sample.jsonl', 'utf8');

/** The final answer of a GSM8K line, read independently: the text after the last "#### " on the last line. */
function finalOf(answer: string): string {
  const last = answer.trimEnd().split('\n').pop()!;
  expect(last.startsWith('#### ')).toBe(true);
  return last.slice(5).trim();
}

describe('GSM8K format', () => {
  const lines = GSM8K.trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { question: string; answer: string });

  it('the sample file is GSM8K-shaped and its calculator annotations are right', () => {
    expect(lines).toHaveLength(12);
    for (const l of lines) {
      expect(Object.keys(l)).toEqual(['question', 'answer']);
      for (const [, expr, value] of l.answer.matchAll(/<<([^=]+)=([^>]+)>>/g))
        expect(Function(`return ${expr}`)(), expr).toBeCloseTo(Number(value), 9);
    }
  });

  it('imports as downloaded: answers after ####, the last 8 rows are worked exemplars without annotations', () => {
    const suite = importSuite(GSM8K, 'grade_school_math/data/test.jsonl');
    expect(suite.name).toBe('test');
    expect(suite.items).toHaveLength(4);
    expect(suite.exemplars).toHaveLength(8);
    expect(suite.extractor).toEqual({ kind: 'last-number' });
    expect(suite.items.map((i) => i.answer)).toEqual(lines.slice(0, 4).map((l) => finalOf(l.answer)));
    expect(suite.items.map((i) => i.question)).toEqual(lines.slice(0, 4).map((l) => l.question));
    expect(suite.items[0]!.tags).toEqual({ line: 1 });
    suite.exemplars.forEach((ex, i) => {
      const line = lines[4 + i]!;
      expect(ex.answer).toBe(finalOf(line.answer));
      expect(ex.worked).not.toMatch(/<<|>>|####|\n/);
      expect(ex.worked.endsWith(`The answer is ${ex.answer}.`)).toBe(true);
      expect(isCorrect(extractAnswer(suite.extractor, ex.worked), ex.answer)).toBe(true);
    });
    expect(suiteSchema.safeParse(suite).success).toBe(true);
  });

  it('writes the worked solution on one line, and the prompt the model gets holds it', () => {
    expect(splitGsm8kAnswer('Half is 36/2 = <<36/2=18>>18.\nIn all 36+18 = <<36+18=54>>54\n#### 54')).toEqual({
      final: '54',
      worked: 'Half is 36/2 = 18. In all 36+18 = 54. The answer is 54.',
    });
    expect(splitGsm8kAnswer('no final answer')).toBeNull();
    const suite = importSuite(GSM8K, 'test.jsonl');
    const prompt = buildPrompt(findMethod('fewshot-worked').prompt, suite.items[0]!, suite, 1);
    expect(prompt.endsWith(`Q: ${suite.items[0]!.question}\nA:`)).toBe(true);
    expect(prompt.split('\n\n')).toHaveLength(5);
    expect(suite.exemplars.some((ex) => prompt.includes(`A: ${ex.worked}\n\n`))).toBe(true);
  });

  it('a line without "####" is an error naming the line, the field and the value', () => {
    const bad = GSM8K.split('\n');
    bad[2] = JSON.stringify({ question: 'How many?', answer: 'It is 4.' });
    // The other rows have "####", so the column is still read in GSM8K's format and this row is reported.
    expect(() => importSuite(bad.join('\n'), 'test.jsonl')).toThrow(
      /test\.jsonl is not valid:\n {2}line 3, field "answer": no "#### <final answer>" at the end, as GSM8K answers have \(value: "It is 4\."\)/,
    );
  });
});

describe('JSONL', () => {
  it.each([
    ['{"question": "a", "answer": "1"}\n{"question": "b", "answer": 2\n', /line 2: not valid JSON/],
    ['{"question": "a", "answer": "1"}\n[1, 2]\n', /line 2: expected a JSON object \{…\}, got \[1,2\]/],
    ['\n\n', /has no records/],
    [
      '{"question": "", "answer": "1"}\n{"question": "b", "answer": "2"}',
      /line 1, field "question": the question is empty or not text \(value: ""\)/,
    ],
    [
      '{"id": 7, "question": "a", "answer": "1"}\n{"id": 7, "question": "b", "answer": "2"}',
      /line 2, field "id": the same id as line 1 \(value: 7\)/,
    ],
    ['{"q": "a", "answer": "1"}', /which column is the question\? Its columns: q, answer/],
    [
      '{"question": "a", "answer": ["1", "2"]}\n{"question": "b", "answer": "2"}',
      /a list of 2 answers; Coax scores one/,
    ],
  ])('%j fails with a clear error', (text, message) => {
    expect(() => importSuite(text, 'data.jsonl', { exemplars: '0' })).toThrow(message);
  });

  it('reports many bad lines at once, up to eight and a count', () => {
    const text = Array.from({ length: 12 }, (_, i) => `{"question": "q${i}" "answer": 1}`).join('\n');
    expect(() => importSuite(text, 'data.jsonl')).toThrow(/line 8: not valid JSON[^]*… and 4 more/);
  });
});

describe('lm-evaluation-harness style fields', () => {
  it('input/target (generation tasks, BIG-bench) map without asking', () => {
    const text = '{"input": "2+2=", "target": "4"}\n{"input": "3+3=", "target": "6"}\n{"input": "1+1=", "target": "2"}';
    const suite = importSuite(text, 'bbh.jsonl', { exemplars: '1' });
    expect(suite.items.map((i) => [i.question, i.answer])).toEqual([
      ['2+2=', '4'],
      ['3+3=', '6'],
    ]);
    expect(suite.exemplars).toEqual([{ question: '1+1=', answer: '2', worked: '2' }]);
  });

  it('inputs/targets with one-element target lists', () => {
    const suite = importSuite('{"inputs": "Sort: b a", "targets": ["a b"]}', 'bb.jsonl');
    expect(suite.items[0]).toMatchObject({ question: 'Sort: b a', answer: 'a b' });
    expect(suite.extractor).toEqual({ kind: 'exact-line' });
  });

  it("logged samples (doc_id, doc.*, target) use the document's GSM8K answer, which carries the solution", () => {
    const line = (id: number, q: string, a: string, final: string) =>
      JSON.stringify({
        doc_id: id,
        doc: { question: q, answer: a },
        target: final,
        arguments: { gen_args_0: { arg_0: 'Q' } },
        resps: [['x']],
      });
    const text = [line(0, 'Q0?', 'A <<1+1=2>>2\n#### 2', '2'), line(1, 'Q1?', 'B\n#### 5', '5')].join('\n');
    const read = readImport(text, 'samples_gsm8k.jsonl');
    expect(read.format).toBe('jsonl');
    if (read.format === 'coax-json') throw new Error('unexpected');
    expect(read.table.columns).toEqual([
      'doc_id',
      'doc.question',
      'doc.answer',
      'target',
      'arguments.gen_args_0',
      'resps',
    ]);
    expect(guessMapping(read.table)).toEqual({
      question: 'doc.question',
      answer: 'doc.answer',
      id: 'doc_id',
      worked: null,
      answerFormat: 'gsm8k',
    });
    const suite = importSuite(text, 'samples_gsm8k.jsonl', { exemplars: '1' });
    expect(suite.items).toEqual([{ id: '0', question: 'Q0?', answer: '2', tags: { line: 1 } }]);
    expect(suite.exemplars).toEqual([{ question: 'Q1?', answer: '5', worked: 'B. The answer is 5.' }]);
  });

  it('a JSON list of records (Hugging Face to_json) keeps the line each record starts on', () => {
    const text = '[\n  {"question": "a?", "answer": "1"},\n  {"question": "",\n   "answer": "2"}\n]';
    expect(() => importSuite(text, 'rows.json')).toThrow(/line 3, field "question"/);
  });

  it("Coax's own suite JSON still imports", () => {
    const suite = { name: 's', extractor: 'last-number', items: [{ id: 'a', question: '1+1', answer: '2' }] };
    expect(importSuite(JSON.stringify(suite, null, 1), 's.json').name).toBe('s');
    expect(importSuite(JSON.stringify(suite), 'no-extension').name).toBe('s');
  });
});

describe('CSV', () => {
  const csv =
    '\uFEFFuid,prompt_text,gold\r\n1,"Anna has 3, then 4 more. How many?",7\r\n2,"He said ""hi""\nthen left. Words?",3\r\n3,What is 2+2?,4\r\n';

  it('reads quotes, doubled quotes, commas and newlines in fields, CRLF and a BOM; rows keep their line', () => {
    const t = parseCsv(csv, 'x.csv');
    expect(t.columns).toEqual(['uid', 'prompt_text', 'gold']);
    expect(t.rows.map((r) => r.line)).toEqual([2, 3, 5]);
    expect(t.rows[1]!.values['prompt_text']).toBe('He said "hi"\nthen left. Words?');
    expect(t.rows[0]!.values['prompt_text']).toBe('Anna has 3, then 4 more. How many?');
  });

  it('unknown column names need a mapping; with one the suite is complete', () => {
    const read = readImport(csv, 'x.csv');
    if (read.format === 'coax-json') throw new Error('unexpected');
    expect(guessMapping(read.table).question).toBeNull();
    const suite = tableToSuite(
      read.table,
      { question: 'prompt_text', answer: 'gold', id: 'uid', worked: null, answerFormat: 'plain' },
      { name: 'x', source: 'x.csv', exemplars: 1 },
    );
    expect(suite.items.map((i) => [i.id, i.answer])).toEqual([
      ['1', '7'],
      ['2', '3'],
    ]);
    expect(suite.exemplars).toEqual([{ question: 'What is 2+2?', answer: '4', worked: '4' }]);
    expect(suite.extractor).toEqual({ kind: 'last-number' });
    expect(importSuite(csv, 'x.csv', { question: 'prompt_text', answer: 'gold', id: 'uid', exemplars: '1' })).toEqual(
      suite,
    );
  });

  it('TSV and semicolon files are read by their delimiter', () => {
    expect(importSuite('question\tanswer\nA?\t1\nB?\t2', 'd.tsv', { exemplars: '0' }).items).toHaveLength(2);
    expect(importSuite('question;answer\nA?;1\nB?;2', 'd.csv', { exemplars: '0' }).items[1]!.answer).toBe('2');
  });

  it.each([
    ['question,answer\n"open,1\nb,2\n', /x\.csv: line 2: a quoted field is never closed/],
    ['question,answer\na,1\nb,2,3\n', /line 3: 3 fields, but the header has 2 \(question, answer\)/],
    ['question,,answer\na,1,2\n', /line 1: column 2 of the header has no name/],
    ['question,answer\n', /has a header but no rows/],
  ])('%j fails with a clear error', (text, message) => {
    expect(() => importSuite(text, 'x.csv')).toThrow(message);
  });

  it('a mapping to a column the file does not have is an error that lists its columns', () => {
    expect(() => importSuite('question,answer\na,1', 'x.csv', { answer: 'gold' })).toThrow(
      /the answer column "gold" is not in the file; its columns: question, answer/,
    );
  });

  it('no answer column imports an open-ended suite', () => {
    const suite = importSuite('prompt\nOnce upon a time\nThe sea', 'stories.csv', { answer: '-' });
    expect(suite.extractor).toEqual({ kind: 'none' });
    expect(suite.relation).toBe('open-ended');
    expect(suite.items).toHaveLength(2);
  });
});

describe('limits and file shapes', () => {
  it('a file over the size limit is refused with its size and the limit', () => {
    expect(() => checkImportSize(40 * 1024 * 1024, 'big.jsonl')).toThrow(
      /big\.jsonl is 40\.0 MB; an import may be at most 32\.0 MB \(GSM8K's test file is 0\.7 MB\)/,
    );
    expect(utf8Bytes('aé€😀')).toBe(1 + 2 + 3 + 4);
  });

  it('too many rows are refused with the count', () => {
    const text = `question,answer\n${'q,1\n'.repeat(MAX_IMPORT_ITEMS + 1)}`;
    expect(() => importSuite(text, 'many.csv')).toThrow(/many\.csv has 50,001 rows; an import may have at most 50,000/);
  });

  it('the shape key ignores column order', () => {
    expect(shapeKey(['b', 'a'])).toBe(shapeKey(['a', 'b']));
    expect(shapeKey(['a'])).not.toBe(shapeKey(['a', 'b']));
  });
});

describe('--suite references', () => {
  const files: Record<string, string> = {
    'data/x.csv': 'uid,prompt_text,gold\n1,A?,1\n2,B?,2\n3,C?,3',
    'test.jsonl': GSM8K,
  };
  const ctx = { seed: 1, count: 5, readText: (p: string) => files[p] ?? null };
  it('files in any format, with mapping overrides after the path', () => {
    expect(resolveSuiteRef('test.jsonl', ctx)!.items).toHaveLength(4);
    const s = resolveSuiteRef('data/x.csv:question=prompt_text:answer=gold:exemplars=1:name=mine', ctx)!;
    expect(s.name).toBe('mine');
    expect(s.items.map((i) => i.question)).toEqual(['A?', 'B?']);
  });
  it('generated specs, and null for other names', () => {
    expect(resolveSuiteRef('coin-flip:n=4', ctx)!.name).toBe('coin-flip:n=4');
    expect(resolveSuiteRef('coin-flip:n=4', ctx)!.items).toHaveLength(5);
    expect(resolveSuiteRef('arith-id', ctx)).toBeNull();
  });
  it('a bad override is an error', () => {
    expect(() => resolveSuiteRef('data/x.csv:colour=red', ctx)).toThrow(/"colour=red" should be one of question=…/);
    expect(() => resolveSuiteRef('data/x.csv', ctx)).toThrow(
      /which column is the question\? Its columns: uid, prompt_text, gold/,
    );
  });
});
