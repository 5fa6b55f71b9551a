import { describe, expect, it } from 'vitest';
import { LinearRegex } from '../../src/core/tasks/linear-regex.ts';
import { compileUserRegex, extractAnswer } from '../../src/core/tasks/extract.ts';
import { parseSuite } from '../../src/core/schema/suite-schema.ts';

/** RegExp's own global exec loop: the reference the linear matcher must agree with. */
function native(pattern: string, flags: string, text: string) {
  const re = new RegExp(pattern, flags.includes('g') ? flags : `${flags}g`);
  const out: { index: number; groups: (string | undefined)[] }[] = [];
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    out.push({ index: m.index, groups: [...m] });
    if (m[0].length === 0) re.lastIndex++;
  }
  return out;
}

const TEXT = 'The answer is 42. answer: Cat, answer: dog!\nYes, no. 3 + 4 = 7.\n#### -1,200.5 x🙂y aab aaab ab';

describe('the linear-time answer matcher agrees with RegExp', () => {
  it.each([
    ['answer: (\\w+)', ''],
    ['answer: (\\w+)', 'i'],
    ['(-?[$0-9.,]{2,})|(-?[0-9]+)', ''],
    ['#### (\\-?[0-9\\.\\,]+)', ''],
    ['The answer is (\\-?[0-9\\.\\,]+).', ''],
    ['\\b(?:yes|no)\\b', 'i'],
    ['(?<=answer is:?\\s*["\']?|^\\s*["\']?)42', 'i'],
    ['(?<=answer: )\\w+(?=,)', ''],
    ['(?<!answer: )\\b[a-z]+\\b(?!,)', ''],
    ['^\\w+', 'm'],
    ['\\d+\\.$', 'm'],
    ['a+?b', ''],
    ['(a|ab)(c|bcd)?', ''],
    ['(a*)*b', ''],
    ['a{2,3}b', ''],
    ['a{2}', ''],
    ['x.y', 'u'],
    ['x.y', ''],
    ['\\p{Emoji_Presentation}', 'u'],
    ['[\\p{L}--[a-z]]+', 'v'],
    ['(?<word>[A-Z]\\w*)', ''],
    ['', ''],
    ['(?:)', ''],
    ['x*', ''],
    ['\\n#', ''],
    ['[^\\s,]+', 'y'],
    ['.', 's'],
    ['(?:\\d|,)+(?:\\.\\d+)?', ''],
    ['(a)|b', ''],
  ])('/%s/%s', (pattern, flags) => {
    const got = new LinearRegex(pattern, flags).matchAll(TEXT);
    expect(got).toEqual(native(pattern, flags, TEXT));
  });

  it('catastrophic patterns finish in linear time on long texts', () => {
    const text = 'a'.repeat(20_000);
    const t0 = performance.now();
    expect(new LinearRegex('(.*)*Z', '').matchAll(text)).toEqual([]);
    expect(new LinearRegex('(a|a)*b', '').matchAll(text)).toEqual([]);
    expect(new LinearRegex('(a+)+$', '').matchAll(text.slice(0, 2000) + '!')).toEqual([]);
    expect(performance.now() - t0).toBeLessThan(20_000);
  });

  it('the suite extractor (.*)*Z returns no answer instead of hanging', () => {
    const t0 = performance.now();
    expect(extractAnswer({ kind: 'regex', pattern: '(.*)*Z' }, 'x'.repeat(5000))).toBeNull();
    expect(performance.now() - t0).toBeLessThan(10_000);
  });

  it('backreferences and modifier groups are refused with a short message', () => {
    expect(() => compileUserRegex('(a)\\1')).toThrow(/backreference/);
    expect(() => compileUserRegex('(?<x>a)\\k<x>')).toThrow(/backreference/);
  });

  it('flag v is accepted; a huge pattern is refused with a short message', () => {
    expect(extractAnswer({ kind: 'regex', pattern: '[\\d--[0]]+', flags: 'v', select: 'first' }, 'x 105')?.value).toBe(
      '1',
    );
    let message = '';
    try {
      compileUserRegex('a'.repeat(100_000));
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/100000 characters long; the limit is 1000/);
    expect(message.length).toBeLessThan(100);
    expect(() =>
      parseSuite(
        JSON.stringify({
          name: 's',
          extractor: { kind: 'regex', pattern: 'x', flags: 'v' },
          items: [{ id: 'a', question: 'q', answer: '1' }],
        }),
        's.json',
      ),
    ).not.toThrow();
  });
});
