import { describe, expect, it } from 'vitest';
import { majAtKCurve, passAtK } from '../../src/core/metrics/pass-at-k.ts';
import { wilson } from '../../src/core/metrics/accuracy.ts';
import { choosePath } from '../../src/core/methods/aggregate.ts';
import { createRng } from '../../src/core/rng.ts';

/** pass@k by brute force: the fraction of k-subsets of n samples that contain a correct one. */
function bruteForcePassAtK(n: number, c: number, k: number): number {
  let hit = 0;
  let all = 0;
  for (let mask = 0; mask < 1 << n; mask++) {
    let bits = 0;
    for (let i = 0; i < n; i++) if (mask & (1 << i)) bits++;
    if (bits !== k) continue;
    all++;
    if (mask & ((1 << c) - 1)) hit++;
  }
  return hit / all;
}

describe('pass@k', () => {
  it('matches the closed form on small cases', () => {
    expect(passAtK(5, 2, 1)).toBeCloseTo(0.4, 12);
    expect(passAtK(5, 2, 2)).toBeCloseTo(1 - 3 / 10, 12);
    expect(passAtK(5, 2, 3)).toBeCloseTo(1 - 1 / 10, 12);
    expect(passAtK(5, 2, 4)).toBe(1);
    expect(passAtK(5, 0, 3)).toBe(0);
  });

  it('equals subset enumeration for every n <= 8', () => {
    for (let n = 1; n <= 8; n++)
      for (let c = 0; c <= n; c++)
        for (let k = 1; k <= n; k++) expect(passAtK(n, c, k)).toBeCloseTo(bruteForcePassAtK(n, c, k), 12);
  });

  it('rejects impossible arguments', () => {
    expect(() => passAtK(4, 5, 1)).toThrow(/0 <= c <= n/);
    expect(() => passAtK(4, 1, 0)).toThrow(/1 <= k <= n/);
  });
});

/** maj@k by brute force: every k-subset of the paths, in path order, voted by the method's own majority rule. */
function bruteForceMajAtK(answers: readonly (string | null)[], right: string): number[] {
  const n = answers.length;
  const hits = new Array<number>(n + 1).fill(0);
  const subsets = new Array<number>(n + 1).fill(0);
  for (let mask = 1; mask < 1 << n; mask++) {
    const picked = answers.filter((_, i) => mask & (1 << i));
    subsets[picked.length]!++;
    const winner = choosePath(
      picked.map((answer) => ({ answer, delta: null })),
      'majority',
    );
    if (winner !== null && picked[winner] === right) hits[picked.length]!++;
  }
  return hits.slice(1).map((h, i) => h / subsets[i + 1]!);
}

describe('maj@k: the expected majority vote over all k-subsets of the n paths', () => {
  it('a hand-counted case: answers 3 5 5 – 3, right answer 5', () => {
    // k = 1: 2 of 5 paths say 5. k = 2: of the 10 pairs, 5 wins {5,5}, {5,–} ×2 and {5 at 1 or 2, 3 at 4} (a tie
    // goes to the earlier path) = 5/10. k = 5: 3 and 5 tie at two votes each and 3 came first: 0.
    // The old first-k rule gave 0, 0, 1, 1, 0.
    const answers = ['3', '5', '5', null, '3'];
    const curve = majAtKCurve(answers, (a) => a === '5').values;
    expect(curve[0]).toBeCloseTo(0.4, 12);
    expect(curve[1]).toBeCloseTo(0.5, 12);
    expect(curve[4]).toBe(0);
    expect(curve).toEqual(bruteForceMajAtK(answers, '5').map((x) => expect.closeTo(x, 12)));
    expect(majAtKCurve([null, '5'], (a) => a === '5').values).toEqual([0.5, 1]);
  });

  it('equals brute-force enumeration with the tie rule of choosePath, for random answers, n <= 10 (seed 7)', () => {
    const rng = createRng(7);
    for (let trial = 0; trial < 300; trial++) {
      const n = 1 + Math.floor(rng.next() * 10);
      const kinds = 1 + Math.floor(rng.next() * 4);
      const answers = Array.from({ length: n }, () => {
        const x = Math.floor(rng.next() * (kinds + 1));
        return x === kinds ? null : String(x);
      });
      const result = majAtKCurve(answers, (a) => a === '0');
      expect(result.errors).toBeUndefined();
      expect(result.values).toEqual(bruteForceMajAtK(answers, '0').map((x) => expect.closeTo(x, 10)));
    }
  });

  it('past its budget it is a seeded estimate within a few standard errors of the exact value (seed 11)', () => {
    const answers = ['1', '2', '2', null, '1', '3', '1', '2', '1', '2', '3', null];
    const exact = majAtKCurve(answers, (a) => a === '1').values;
    const est = majAtKCurve(answers, (a) => a === '1', createRng(11), 0);
    expect(est.errors).toHaveLength(answers.length);
    est.values.forEach((v, i) => expect(Math.abs(v - exact[i]!)).toBeLessThanOrEqual(4 * est.errors![i]! + 1e-12));
    expect(majAtKCurve(answers, (a) => a === '1', createRng(11), 0)).toEqual(est);
    expect(() => majAtKCurve(answers, (a) => a === '1', undefined, 0)).toThrow(/seeded rng/);
  });

  it('is exact for 64 paths in reasonable time', () => {
    const answers = Array.from({ length: 64 }, (_, i) => (i % 3 === 0 ? '1' : i % 3 === 1 ? '2' : null));
    const result = majAtKCurve(answers, (a) => a === '1');
    expect(result.errors).toBeUndefined();
    // k = n: every path votes: 22 × "1" against 21 × "2": 1 wins.
    expect(result.values[63]).toBeCloseTo(1, 12);
    expect(result.values[0]).toBeCloseTo(22 / 64, 12);
  });
});

describe('Wilson interval', () => {
  it('matches reference values (statsmodels proportion_confint, method="wilson")', () => {
    const a = wilson(7, 10);
    expect(a.low).toBeCloseTo(0.39677, 4);
    expect(a.high).toBeCloseTo(0.89224, 4);
    const b = wilson(0, 10);
    expect(b.low).toBe(0);
    expect(b.high).toBeCloseTo(0.27753, 4);
  });
});
