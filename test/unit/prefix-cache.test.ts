import { describe, expect, it } from 'vitest';
import { decodePrompts } from '../../src/core/decode/decode-loop.ts';
import { commonPrefixLength, PrefixCache } from '../../src/core/decode/prefix-cache.ts';
import { GREEDY } from '../../src/core/logits/sampler.ts';
import { createRng } from '../../src/core/rng.ts';
import { FakeModel } from './fake-model.ts';

const VOCAB = ['<eos>', '<pad>', 'a', 'b', 'c', 'd', '\n', '1', '2', '3'];
function hashed(ctx: readonly number[]): number[] {
  let h = 7;
  ctx.forEach((t, j) => (h = (h * 31 + t * (j + 3)) % 997));
  return VOCAB.map((_, i) => (i === 1 ? -Infinity : ((h + i * i * 5) % 13) / 3));
}
const opts = (n: number) => ({
  maxNewTokens: 8,
  sampler: GREEDY,
  rngs: Array.from({ length: n }, (_, i) => createRng(i)),
});

describe('shared-prefix cache', () => {
  it('finds the longest common prefix, leaving a token per row', () => {
    expect(
      commonPrefixLength([
        [1, 2, 3, 4],
        [1, 2, 3, 5],
        [1, 2, 3],
      ]),
    ).toBe(2);
    expect(commonPrefixLength([[1, 2], [3]])).toBe(0);
  });

  it('gives the same rows as plain prefill, with prefix pads between prefix and suffix, and reuses the prefix across batches', async () => {
    const prefix = 'abcd\nabcd\n1a2b3c\n';
    const batches = [
      ['1a', '2bb', '3'],
      ['2', 'cc1'],
    ].map((b) => b.map((q) => prefix + q));
    const plain = new FakeModel(VOCAB, hashed);
    const cached = new FakeModel(VOCAB, hashed);
    const cache = new PrefixCache(cached, 8);
    for (const batch of batches) {
      const a = await decodePrompts(
        plain,
        batch.map((p) => plain.encode(p)),
        opts(batch.length),
      );
      const b = await decodePrompts(
        cached,
        batch.map((p) => cached.encode(p)),
        { ...opts(batch.length), prefixCache: cache as PrefixCache<unknown> },
      );
      expect(b.rows).toEqual(a.rows);
    }
    expect(cache.computed).toBe(prefix.length);
    expect(cache.reused).toBe(prefix.length);
    // Every prefix token ran once in all; the plain path ran it once per row.
    expect(cached.batchSizes[0]).toBe(1);
    cache.dispose();
    expect(cached.open.size).toBe(0);
  });
});
