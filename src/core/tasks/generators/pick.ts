import { randomInt, shuffled, type Rng } from '../../rng.ts';

export function pick<T>(rng: Rng, list: readonly T[]): T {
  return list[randomInt(rng, 0, list.length - 1)]!;
}

/** `n` different elements of `list`, in random order. */
export function pickDistinct<T>(rng: Rng, list: readonly T[], n: number): T[] {
  if (n > list.length) throw new Error(`cannot pick ${n} different items from ${list.length}`);
  return shuffled(list, rng).slice(0, n);
}
