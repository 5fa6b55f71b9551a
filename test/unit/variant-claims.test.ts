import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { MethodOutput, PathOutput, RunResults } from '../../src/core/run/results.ts';
import { claims, verifiedTrace } from '../../tools/variant-claims.ts';

const dir = mkdtempSync(join(tmpdir(), 'variant-claims-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const WORKED = (body: string, answer: number) => ` Let's go step by step. ${body}. The answer is ${answer}.`;

describe('verifiedTrace: a worked solution re-derived step by step', () => {
  it.each([
    ['3+4*2-5', WORKED('3+4*2-5 = 7*2-5 = 4-5 = 9', 9), true],
    ['2-5', WORKED('2-5 = 7', 7), true], // subtraction wraps mod 10
    ['3+4*2-5', WORKED('3+4*2-5 = 7*2-5 = 5-5 = 0', 0), false], // a wrong step
    ['3+4*2-5', WORKED('3+4*2-5 = 7*2-5 = 4-5 = 9', 8), false], // a wrong final answer
    ['3+4*2-5', WORKED('3+4*2-5 = 4-5 = 9', 9), false], // a skipped step
    ['3+4*2-5', WORKED('3+4*2-6 = 7*2-6 = 4-6 = 8', 8), false], // the wrong question copied
    ['3+4*2-5', ' 9', false], // a direct answer
  ])('%s %j -> %s', (q, text, want) => {
    expect(verifiedTrace(q, text)).toBe(want);
  });
});

function path(text: string, correct: boolean): PathOutput {
  return { text, tokens: [], stopReason: 'stop-string', extracted: null, correct, delta: null };
}

function output(paths: PathOutput[], passAtK: number[]): MethodOutput {
  return { ...paths[0]!, prompt: 'Q: x\nA:', promptTokens: 1, generatedTokens: 1, ms: 0, paths, passAtK };
}

function run(modelId: string, outs: [MethodOutput, MethodOutput]): string {
  const results: RunResults = {
    version: 1,
    modelId,
    seed: 1,
    methods: [],
    suites: [
      {
        suiteName: 's',
        items: outs.map((o, i) => ({
          itemId: `i${i + 1}`,
          question: i === 0 ? '1+1' : '2*3',
          answer: i === 0 ? '2' : '6',
          tags: { steps: 1 },
          outputs: { sample: o },
        })),
      },
    ],
  };
  const file = join(dir, `${modelId}.json`);
  writeFileSync(file, JSON.stringify(results));
  return file;
}

describe('claims over two models, 2 items x 4 samples (hand-computed)', () => {
  // a: item 1 has 1 right sample of 4 (a verified trace), item 2 none; b: item 1 none, item 2 all 4 (direct)
  const wrong = path(' 5', false);
  const a = run('a', [
    output([path(WORKED('1+1 = 2', 2), true), wrong, wrong, wrong], [1 / 4, 1 / 2, 3 / 4, 1]),
    output([wrong, wrong, wrong, wrong], [0, 0, 0, 0]),
  ]);
  const right = path(' 6', true);
  const b = run('b', [
    output([wrong, wrong, wrong, wrong], [0, 0, 0, 0]),
    output([right, right, right, right], [1, 1, 1, 1]),
  ]);
  const c = claims([a, b]);

  it('averages the stored pass@k curves and counts solved items', () => {
    const ca = c.passAtK.find((p) => p.modelId === 'a' && p.criterion === 'answer')!;
    expect(ca.mean).toEqual([0.125, 0.25, 0.375, 0.5]);
    expect([ca.solvedAtN, ca.items, ca.solvedIds]).toEqual([1, 2, ['i1']]);
    const vb = c.passAtK.find((p) => p.modelId === 'b' && p.criterion === 'verified-trace')!;
    expect(vb.mean).toEqual([0, 0, 0, 0]); // right answers, but never a worked trace
    const va = c.passAtK.find((p) => p.modelId === 'a' && p.criterion === 'verified-trace')!;
    expect(va.mean).toEqual([0.125, 0.25, 0.375, 0.5]);
    expect(va.verifiedShare).toBe(0.125);
  });

  it('finds the coverage sets and the crossover k', () => {
    const cov = c.comparisons.coverage.find((x) => x.criterion === 'answer')!;
    expect([cov.a, cov.b, cov.items, cov.both, cov.onlyA, cov.onlyB]).toEqual(['a', 'b', 2, 0, ['i1'], ['i2']]);
    expect(cov.kAReachesB).toBe(4); // a: .125 .25 .375 .5 vs b: .5 at every k
    expect(cov.kBReachesA).toBe(1);
  });

  it('scores the chosen outputs and pairs the models item by item', () => {
    const ta = c.table.find((r) => r.modelId === 'a')!;
    expect([ta.correct, ta.n, ta.verifiedShare]).toEqual([1, 2, 0.5]);
    const p = c.comparisons.paired[0]!;
    expect([p.a, p.b, p.n, p.gained, p.lost]).toEqual(['a', 'b', 2, 1, 1]);
  });

  it('refuses an item measured twice', () => {
    expect(() => claims([a, a])).toThrow(/item i1 of s · sample · a twice/);
  });
});
