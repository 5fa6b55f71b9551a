import { describe, expect, it } from 'vitest';
import { findMethod } from '../../src/core/methods/method.ts';
import { csvCell, toCsv } from '../../src/core/run/export.ts';
import type { RunResults } from '../../src/core/run/results.ts';

describe('CSV export and spreadsheet formulas', () => {
  it.each([
    ['=HYPERLINK("http://x","y")', `"'=HYPERLINK(""http://x"",""y"")"`],
    ['+1+2', "'+1+2"],
    ['-2+3', "'-2+3"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tTAB', "'\tTAB"],
    ['-3', '-3'],
    ['+1.5', '+1.5'],
    ['plain, text', '"plain, text"'],
    ['a = b', 'a = b'],
  ])('%j is written %j', (cell, expected) => {
    expect(csvCell(cell)).toBe(expected);
  });

  it('numbers and booleans are written as they are', () => {
    expect([csvCell(-0.25), csvCell(true), csvCell(null)]).toEqual(['-0.25', 'true', '']);
  });

  it("a model's output and a question starting with = are escaped in the export", () => {
    const results: RunResults = {
      version: 1,
      modelId: 'm',
      seed: 1,
      methods: [findMethod('greedy-plain')],
      suites: [
        {
          suiteName: 's',
          items: [
            {
              itemId: '@id',
              question: '=1+1',
              answer: '2',
              tags: {},
              outputs: {
                'greedy-plain': {
                  text: '=cmd|"/c calc"!A1',
                  tokens: [],
                  stopReason: 'eos',
                  extracted: { value: '-7', start: 0, end: 2 },
                  correct: false,
                  delta: -0.5,
                  prompt: '',
                  promptTokens: 0,
                  generatedTokens: 0,
                  ms: 0,
                },
              },
            },
          ],
        },
      ],
    };
    const row = toCsv(results).split('\n')[1];
    expect(row).toBe(`s,'@id,'=1+1,2,"'=cmd|""/c calc""!A1",-7,false,-0.5`);
  });
});
