import { describe, expect, it } from 'vitest';
import { decodeGroups, type DecodeOptions } from '../../src/core/decode/decode-loop.ts';
import { planWaves } from '../../src/core/decode/waves.ts';
import { temperatureSampler } from '../../src/core/logits/sampler.ts';
import { createRng } from '../../src/core/rng.ts';
import { FakeModel, type FakeCache } from './fake-model.ts';

const VOCAB = ['<eos>', '<pad>', 'a', 'b', 'c', 'd', '\n', '1', '2', '3'];

/** Context-dependent logits (a hash of the real tokens), pad never allowed, eos rare. */
function hashed(ctx: readonly number[]): number[] {
  let h = 7;
  ctx.forEach((t, j) => (h = (h * 31 + t * (j + 3)) % 997));
  return VOCAB.map((_, i) => (i === 1 ? -Infinity : i === 0 ? -3 : ((h + i * i * 5) % 13) / 3));
}

/** The fake with a cache size (1000 bytes per row and token) that records how many rows each expansion of the prefill makes. */
class SizedFake extends FakeModel {
  readonly expansions: number[] = [];
  cacheBytesPerToken(_cache: FakeCache): number {
    return 1000;
  }
  override async selectRows(cache: FakeCache, rows: readonly number[]): Promise<FakeCache> {
    if (cache.rows.length === 2) this.expansions.push(rows.length); // from the 2-prompt prefill: a wave starts
    return super.selectRows(cache, rows);
  }
}

describe('planWaves', () => {
  it.each([
    // rows, positions, bytes/token, budget -> waves
    [16, 100, 1000, 1_600_000, [16]], // 16 rows × 100 KB fit exactly
    [16, 100, 1000, 1_599_999, [8, 8]], // 15 fit: two waves, evened out
    [16, 100, 1000, 700_000, [6, 5, 5]], // 7 fit: three waves, the largest as small as possible
    [5, 100, 1000, 1, [1, 1, 1, 1, 1]], // nothing fits: one row per wave, never zero
    [3, 10, 0, 1, [3]], // a cache of no size never splits
    [16, 100, 1000, Infinity, [16]],
  ])('%i rows × %i positions × %i B, budget %d → %j', (rows, positions, bytes, budget, want) => {
    const got = planWaves(rows, positions, bytes, budget);
    expect(got).toEqual(want);
    expect(got.reduce((a, b) => a + b, 0)).toBe(rows);
  });

  it('refuses a row count that is not a whole number >= 1', () => {
    expect(() => planWaves(0, 10, 10)).toThrow(/rows >= 1/);
  });
});

describe('decodeGroups in waves', () => {
  const opts = (n: number, budget: number): DecodeOptions => ({
    maxNewTokens: 6,
    sampler: temperatureSampler(1),
    rngs: Array.from({ length: n }, (_, i) => createRng(500 + i)),
    waveBudgetBytes: budget,
  });

  it('gives the same rows as one batch (seeded sampling, 2 prompts × 5 paths), in waves of the planned size', async () => {
    const one = new SizedFake(VOCAB, hashed);
    const prompts = [one.encode('ab'), one.encode('c12')];
    const together = await decodeGroups(one, prompts, 5, opts(10, Infinity));
    const waved = new SizedFake(VOCAB, hashed);
    // longest row: 3 prompt tokens + 6 new = 9 positions × 1000 B; a 36 kB budget fits 4 rows: waves of 4, 3, 3
    const apart = await decodeGroups(waved, prompts, 5, opts(10, 36_000));
    expect(apart.rows.map((r) => r.text)).toEqual(together.rows.map((r) => r.text));
    expect(apart.rows.map((r) => r.tokens.map((t) => t.prob))).toEqual(
      together.rows.map((r) => r.tokens.map((t) => t.prob)),
    );
    expect(one.batchSizes[1]).toBe(10); // prefill (2 prompts), then the first decode step holds all 10 rows
    expect(waved.expansions).toEqual([4, 3, 3]);
    expect(Math.max(...waved.batchSizes.slice(1))).toBe(4);
    expect(waved.open.size).toBe(0); // the prefill cache and every wave's cache were released
    expect(apart.stats.prefillTokens).toBe(together.stats.prefillTokens); // the prompts were prefilled once
  });

  it('a model without cacheBytesPerToken decodes in one batch', async () => {
    const plain = new FakeModel(VOCAB, hashed);
    await decodeGroups(plain, [plain.encode('ab')], 4, opts(4, 1));
    expect(plain.batchSizes[1]).toBe(4);
  });
});
