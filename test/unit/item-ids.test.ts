import { describe, expect, it } from 'vitest';
import { parseSuite } from '../../src/core/schema/suite-schema.ts';
import { importSuite } from '../../src/core/tasks/import/read-import.ts';

const suite = (id: string, question = 'What is 2+2?') =>
  JSON.stringify({ name: 's', extractor: 'last-number', items: [{ id, question, answer: '4' }] });

describe('item ids must be visible text', () => {
  it.each([
    ['   ', /items\[0\]\.id: the id is blank/],
    ['a\u0000b', /items\[0\]\.id: the id holds a control character \(U\+0000 at character 2\)/],
    ['a\tb', /items\[0\]\.id: the id holds a control character \(U\+0009/],
    ['ab\u202Ec', /items\[0\]\.id: the id holds a bidirectional control character \(U\+202E at character 3\)/],
    ['\u2066x', /items\[0\]\.id: the id holds a bidirectional control character \(U\+2066/],
  ])('a suite file with id %j is refused, naming the field', (id, message) => {
    expect(() => parseSuite(suite(id), 's.json')).toThrow(message);
  });

  it('a whitespace-only question is refused', () => {
    expect(() => parseSuite(suite('q1', ' \n\t '), 's.json')).toThrow(/items\[0\]\.question: the question is blank/);
  });

  it('ordinary ids (spaces inside, accents, digits) are accepted', () => {
    expect(parseSuite(suite('item 7 · café'), 's.json').items[0]!.id).toBe('item 7 · café');
  });

  it('a CSV import with a NUL or bidi control in an id column is refused with its line', () => {
    const csv = 'id,question,answer\nok,What is 1+1?,2\nb\u0000d,What is 2+2?,4\nx\u202Ey,What is 3+3?,6\n';
    expect(() => importSuite(csv, 'x.csv', { exemplars: '0' })).toThrow(
      /line 3, field "id": the id holds a control character[\s\S]*line 4, field "id": the id holds a bidirectional/,
    );
  });
});
