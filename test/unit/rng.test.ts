import { describe, expect, it } from 'vitest';
import { createRng, deriveSeed, shuffled } from '../../src/core/rng.ts';

// Reference words from an independent Python implementation of splitmix32 seeding + xoshiro128**.
const REFERENCE: [number, number[]][] = [
  [0, [3809008728, 1133695204, 53579671, 2891528803, 139681546]],
  [1, [2442144158, 3238099751, 3819917871, 2104621829, 2021136066]],
  [42, [2837322924, 544945897, 479756282, 3500138142, 339756180]],
  [-7, [4105674630, 1549025917, 1462909597, 1494321277, 4127257517]],
];

describe('seeded rng', () => {
  it.each(REFERENCE)('seed %i gives the reference xoshiro128** stream', (seed, words) => {
    const rng = createRng(seed);
    expect(words.map(() => Math.round(rng.next() * 4294967296))).toEqual(words);
  });

  it('rejects a non-integer seed', () => {
    expect(() => createRng(1.5)).toThrow(/integer/);
  });

  it('derives distinct, stable seeds from labels (seed 3)', () => {
    expect(deriveSeed(3, 'item-1', 'greedy')).toBe(deriveSeed(3, 'item-1', 'greedy'));
    expect(deriveSeed(3, 'item-1', 'greedy')).not.toBe(deriveSeed(3, 'item-2', 'greedy'));
    expect(deriveSeed(3, 'ab', 'c')).not.toBe(deriveSeed(3, 'a', 'bc'));
    expect(deriveSeed(3, 'x')).not.toBe(deriveSeed(4, 'x'));
  });

  it('shuffles a copy, as a permutation, the same way for the same seed (seed 9)', () => {
    const items = Array.from({ length: 20 }, (_, i) => i);
    const a = shuffled(items, createRng(9));
    expect(a).toEqual(shuffled(items, createRng(9)));
    expect([...a].sort((x, y) => x - y)).toEqual(items);
    expect(a).not.toEqual(items);
    expect(items[0]).toBe(0);
  });
});
