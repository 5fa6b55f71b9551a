import { describe, expect, it } from 'vitest';
import { majAtKCurve, passAtK } from '../../src/core/metrics/pass-at-k.ts';
import { wilson } from '../../src/core/metrics/accuracy.ts';

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

describe('maj@k over the first k paths', () => {
  it('follows the running majority, ties to the earliest answer', () => {
    expect(majAtKCurve(['3', '5', '5', null, '3'], (a) => a === '5')).toEqual([0, 0, 1, 1, 0]);
    expect(majAtKCurve([null, '5'], (a) => a === '5')).toEqual([0, 1]);
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
