/**
 * Seeded pseudo-random numbers. Every stochastic function in the core takes an `Rng` argument;
 * nothing reads a global source, so a configuration and a seed fix the result in Node and in the browser.
 *
 * Generator: xoshiro128** (32-bit state words, exact in JavaScript integer arithmetic), seeded through splitmix32.
 */
export interface Rng {
  /** Uniform float in [0, 1) with 32 bits of resolution. */
  next(): number;
}

function splitmix32(state: number): [number, number] {
  const next = (state + 0x9e3779b9) | 0;
  let z = next;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  z ^= z >>> 16;
  return [next, z >>> 0];
}

export function createRng(seed: number): Rng {
  if (!Number.isInteger(seed)) throw new Error(`rng seed must be an integer, got ${seed}`);
  let sm = seed | 0;
  const s = new Uint32Array(4);
  for (let i = 0; i < 4; i++) {
    const [state, out] = splitmix32(sm);
    sm = state;
    s[i] = out;
  }
  if ((s[0]! | s[1]! | s[2]! | s[3]!) === 0) s[0] = 1;
  return {
    next(): number {
      const result = Math.imul(rotl(Math.imul(s[1]!, 5), 7), 9) >>> 0;
      const t = s[1]! << 9;
      s[2]! ^= s[0]!;
      s[3]! ^= s[1]!;
      s[1]! ^= s[2]!;
      s[0]! ^= s[3]!;
      s[2]! ^= t;
      s[3] = rotl(s[3]!, 11);
      return result / 4294967296;
    },
  };
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/**
 * A seed for one independent stream, derived from a base seed and labels (item id, method id, sample index).
 * Each decoded row gets its own stream, so results do not depend on how rows were grouped into batches.
 */
export function deriveSeed(seed: number, ...labels: (string | number)[]): number {
  // FNV-1a over the labels' text, mixed with the seed.
  let h = 0x811c9dc5 ^ (seed | 0);
  const text = labels.join('\u0000');
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  h ^= h >>> 12;
  return h | 0;
}

/** Fisher–Yates shuffle of a copy, driven by `rng`. */
export function shuffled<T>(items: readonly T[], rng: Rng): T[] {
  const out = items.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    const tmp = out[i]!;
    out[i] = out[j]!;
    out[j] = tmp;
  }
  return out;
}

/** Uniform integer in [lo, hi] inclusive. */
export function randomInt(rng: Rng, lo: number, hi: number): number {
  return lo + Math.floor(rng.next() * (hi - lo + 1));
}
