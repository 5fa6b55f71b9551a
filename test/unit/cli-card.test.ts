import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BEGIN, claims, END, replaceMeasured, writeCard } from '../../cli/card.ts';
import type { SummaryRow } from '../../cli/summary.ts';
import { wilson } from '../../src/core/metrics/accuracy.ts';
import { findMethod } from '../../src/core/methods/method.ts';
import { runFile } from '../../src/core/run/export.ts';
import type { MethodOutput, RunResults } from '../../src/core/run/results.ts';

function row(
  suiteName: string,
  methodId: string,
  correct: number,
  n: number,
  meanEntropy = 0.5,
  contentEntropy = 0.6,
  distinctAnswers = 1,
): SummaryRow {
  return {
    suiteName,
    methodId,
    correct,
    n,
    accuracy: n ? correct / n : 0,
    ...wilson(correct, n),
    generatedTokens: 0,
    ms: 0,
    isBaseline: methodId === 'greedy-plain',
    vsBaseline: null,
    metrics: {},
    meanEntropy,
    contentEntropy,
    distinctAnswers,
    outputs: 5,
  };
}

describe("the data card's measured section", () => {
  it('states each claim with the numbers that decide it', () => {
    const rows = [
      row('arith-id', 'greedy-plain', 90, 250, 0.3, 1.6),
      row('arith-id', 'trigger', 204, 250),
      row('arith-id', 'cot-decoding', 201, 250),
      row('arith-ood-length', 'trigger', 44, 250),
      row('facts-head', 'greedy-plain', 106, 240),
      row('facts-tail', 'greedy-plain', 16, 240),
      row('facts-tail', 'trigger', 40, 240),
      row('open-ended', 'greedy-plain', 0, 0, 1.9, 2.8, 3),
    ];
    const w = (k: number, n: number) => {
      const { low, high } = wilson(k, n);
      return `${((100 * k) / n).toFixed(1)} [${(100 * low).toFixed(1)}, ${(100 * high).toFixed(1)}]`;
    };
    expect(claims(rows, 'greedy-plain')).toEqual([
      `arith-id: greedy-plain ${w(90, 250)} vs best elicitation trigger ${w(204, 250)}: holds (needs >= 30 points, disjoint intervals)`,
      `arith-ood-length: trigger ${w(44, 250)} vs arith-id ${w(204, 250)}: clearly below`,
      `facts-head greedy-plain ${w(106, 240)} vs facts-tail greedy-plain ${w(16, 240)}: head >> tail`,
      `facts-tail: greedy-plain ${w(16, 240)}; methods above its interval: trigger`,
      'mean entropy per token, greedy-plain: open-ended 1.900 vs arith-id 0.300 nats (higher) over all generated tokens; 2.800 vs 1.600 nats (higher) over content tokens; open-ended distinct answers 3/5',
    ]);
    // A 20-point gain does not hold; suites not run state nothing.
    expect(
      claims([row('arith-id', 'greedy-plain', 90, 250), row('arith-id', 'trigger', 140, 250)], 'greedy-plain'),
    ).toEqual([
      `arith-id: greedy-plain ${w(90, 250)} vs best elicitation trigger ${w(140, 250)}: does NOT hold (needs >= 30 points, disjoint intervals)`,
    ]);
  });

  const card = [
    '# organism-v1 data card',
    '',
    '## Training',
    '',
    'trained.',
    '',
    '## Measured (Python evaluator, `training/organism/evaluate.py`)',
    '',
    '| old | table |',
    '',
    "## Measured with the TypeScript CLI (the page's engine)",
    '',
    'old CLI table',
    '',
    '## Claims, checked on these numbers',
    '',
    '- old claim',
    '',
    '## Notes',
    '',
    '- a note',
    '',
  ].join('\n');

  it('replaces every old measured and claims section of a card written before, in place of the first', () => {
    const section = `${BEGIN}\n## Measured (new)\n\nnew table\n${END}`;
    const once = replaceMeasured(card, section);
    expect(once).toBe(
      [
        '# organism-v1 data card',
        '',
        '## Training',
        '',
        'trained.',
        '',
        section,
        '',
        '## Notes',
        '',
        '- a note',
        '',
      ].join('\n'),
    );
    // Later runs replace exactly what is between the markers.
    const again = `${BEGIN}\n## Measured (newer)\n${END}`;
    expect(replaceMeasured(once, again)).toBe(once.replace(section, again));
    // A card with no measured section gets it at the end.
    expect(replaceMeasured('# card\n\n## Notes\n\n- n\n', section)).toBe(`# card\n\n## Notes\n\n- n\n\n${section}\n`);
  });

  it('writes data_card.json (measured, without the Python evaluator’s numbers) and DATA_CARD.md', () => {
    const dir = mkdtempSync(join(tmpdir(), 'coax-card-'));
    writeFileSync(
      join(dir, 'data_card.json'),
      JSON.stringify({ model: 'm', corpus: { documents: 1 }, evaluation: { old: 1 }, claims: ['old'] }),
    );
    writeFileSync(join(dir, 'DATA_CARD.md'), card);
    const o = (correct: boolean, entropy: number): MethodOutput => ({
      text: ' 1',
      tokens: [{ id: 1, text: ' 1', offset: 0, prob: 0.5, logprob: -0.69, rank: 1, entropy, top: [] }],
      stopReason: 'eos',
      extracted: { value: correct ? '1' : '2', start: 1, end: 2 },
      correct,
      delta: 0.1,
      prompt: 'p',
      promptTokens: 1,
      generatedTokens: 1,
      ms: 1,
    });
    const results: RunResults = {
      version: 1,
      modelId: 'coax/organism-v1',
      seed: 1,
      methods: [findMethod('greedy-plain'), findMethod('self-consistency')],
      suites: [
        {
          suiteName: 'arith-id',
          items: [3, 3, 4].map((steps, i) => ({
            itemId: `a${i}`,
            question: 'q',
            answer: '1',
            tags: { steps },
            outputs: { 'greedy-plain': o(i === 0, 0.2), 'self-consistency': o(i < 2, 0.4) },
          })),
        },
      ],
    };
    results.methods[1] = {
      ...results.methods[1]!,
      decoding: {
        kind: 'sample',
        n: 2,
        aggregate: 'majority',
        chain: [
          { name: 'top-k', k: 5 },
          { name: 'temperature', temperature: 0.7 },
        ],
      },
    };
    writeCard(
      dir,
      runFile({ name: 'r', createdAt: Date.UTC(2025, 0, 2), config: '', results }),
      '/x/organism-results.json',
    );
    const json = JSON.parse(readFileSync(join(dir, 'data_card.json'), 'utf8'));
    expect(json.evaluation).toBeUndefined();
    expect(json.claims).toBeUndefined();
    expect(json.corpus).toEqual({ documents: 1 });
    expect(json.measured.source).toMatchObject({
      file: 'organism-results.json',
      createdAt: '2025-01-02T00:00:00.000Z',
    });
    expect(json.measured.rows).toEqual([
      expect.objectContaining({ suite: 'arith-id', method: 'greedy-plain', correct: 1, n: 3, p: null }),
      expect.objectContaining({
        suite: 'arith-id',
        method: 'self-consistency',
        correct: 2,
        n: 3,
        gained: 1,
        lost: 0,
        p: 1,
      }),
    ]);
    expect(json.measured.rows[1].meanEntropy).toBeCloseTo(0.4, 12);
    expect(json.measured.bySteps).toEqual([
      { suite: 'arith-id', method: 'greedy-plain', cells: { '3': '1/2', '4': '0/1' } },
      { suite: 'arith-id', method: 'self-consistency', cells: { '3': '2/2', '4': '0/1' } },
    ]);
    const md = readFileSync(join(dir, 'DATA_CARD.md'), 'utf8');
    expect(md).not.toContain('old CLI table');
    expect(md).not.toContain('Python evaluator');
    expect(md).toContain('| arith-id | self-consistency | 66.7 |');
    expect(md).toContain("order: top-k → temperature (not Hugging Face's order, which is temperature → top-k)");
    expect(md).toContain('| arith-id | greedy-plain | 3: 1/2, 4: 0/1 |');
    expect(md.indexOf(BEGIN)).toBeLessThan(md.indexOf('## Notes'));
  });
});
