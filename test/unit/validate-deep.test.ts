import { describe, expect, it } from 'vitest';
import { parseJson, show, validate, ValidationError } from '../../src/core/schema/validate.ts';
import { parseSuite } from '../../src/core/schema/suite-schema.ts';
import { z } from 'zod';

function nested(depth: number): string {
  return '['.repeat(depth) + ']'.repeat(depth);
}

describe('validation errors on hostile values', () => {
  it('a suite whose items are nested 5000 deep is refused with a message, not a stack overflow', () => {
    const text = `{"name":"deep","extractor":"exact","items":[${nested(5000)}]}`;
    expect(() => parseSuite(text, 'deep.json')).toThrow(ValidationError);
    expect(() => parseSuite(text, 'deep.json')).toThrow(/items\[0\]/);
  });

  it('values nested 100000 deep are shown by their first characters', () => {
    const deep = parseJson(nested(100_000), 'x.json');
    expect(show(deep)).toBe(`${'['.repeat(57)}…`);
    expect(() => validate(z.object({ a: z.string() }), { a: deep }, 'x.json')).toThrow(/a: .*value: \[\[\[/);
  });

  it.each([
    [undefined, 'missing'],
    [null, 'null'],
    [1.5, '1.5'],
    ['hi "you"', '"hi \\"you\\""'],
    [{ a: [1, { b: true }], c: 'x' }, '{"a":[1,{"b":true}],"c":"x"}'],
    [[], '[]'],
    [{}, '{}'],
  ])('show(%j) is JSON.stringify when short', (v, expected) => {
    expect(show(v)).toBe(expected);
    if (v !== undefined) expect(show(v)).toBe(JSON.stringify(v));
  });

  it('long values are cut at 57 characters and an ellipsis, as before', () => {
    const v = { text: 'a'.repeat(500), more: [1, 2, 3] };
    expect(show(v)).toBe(`${JSON.stringify(v).slice(0, 57)}…`);
  });
});
