import { describe, expect, it } from 'vitest';
import { decodeGroups, decodePrompts, type DecodeOptions } from '../../src/core/decode/decode-loop.ts';
import { PrefixCache } from '../../src/core/decode/prefix-cache.ts';
import { GREEDY, temperatureSampler } from '../../src/core/logits/sampler.ts';
import { createRng } from '../../src/core/rng.ts';
import { FakeModel } from './fake-model.ts';

// Models with sharedPrefix (export.py --prefix-cache): the common prompt is kept once as a batch-1 prefix and the
// rows' own cache holds only the suffix and generated tokens. The fake checks every mask against prefix + own
// slots, so a loop that forgot the prefix, or masked it wrongly, fails here before it reaches a real graph.
const VOCAB = ['<eos>', '<pad>', 'a', 'b', 'c', 'd', '\n', '1', '2', '3'];

function hashed(ctx: readonly number[]): number[] {
  let h = 7;
  ctx.forEach((t, j) => (h = (h * 31 + t * (j + 3)) % 997));
  return VOCAB.map((_, i) => (i === 1 ? -Infinity : ((h + i * i * 5) % 13) / 3));
}

const opts = (rows: number, extra: Partial<DecodeOptions> = {}): DecodeOptions => ({
  maxNewTokens: 10,
  sampler: temperatureSampler(1),
  rngs: Array.from({ length: rows }, (_, i) => createRng(40 + i)),
  ...extra,
});

const PROMPT = 'abcd\nabcd\n1a2b3c\n';

describe('shared prefix (models with sharedPrefix)', () => {
  it('sampling n = 6 from one prompt (seed 40): same rows as the stock path, prompt never copied per row', async () => {
    const stock = new FakeModel(VOCAB, hashed);
    const shared = new FakeModel(VOCAB, hashed, { sharedPrefix: true });
    const a = await decodeGroups(stock, [stock.encode(PROMPT)], 6, opts(6));
    const b = await decodeGroups(shared, [shared.encode(PROMPT)], 6, opts(6));
    expect(b.rows).toEqual(a.rows);
    expect(b.rows.some((r) => r.tokens.length > 3)).toBe(true);
    // prefix (batch 1), the last prompt token (batch 1), then every step with the prefix.
    expect(shared.batchSizes.slice(0, 2)).toEqual([1, 1]);
    expect(shared.prefixedCalls).toBe(shared.batchSizes.length - 1);
    // The stock path copies the 18-token prompt into each of 6 rows at least once.
    expect(stock.slotsCopied).toBeGreaterThanOrEqual(6 * PROMPT.length);
    expect(shared.slotsCopied).toBeLessThan(6 * 12);
    expect(b.stats.prefillTokens).toBe(PROMPT.length);
    expect(shared.open.size).toBe(0);
  });

  it('CoT-decoding branches (top-n, greedy) and several prompts with a common few-shot block match the stock path', async () => {
    const prompts = [PROMPT + '1a', PROMPT + '2bb', PROMPT + '3'];
    const stock = new FakeModel(VOCAB, hashed);
    const shared = new FakeModel(VOCAB, hashed, { sharedPrefix: true });
    const o = opts(9, { sampler: GREEDY, forcedFirst: 'top-n' });
    const a = await decodeGroups(
      stock,
      prompts.map((p) => stock.encode(p)),
      3,
      o,
    );
    const b = await decodeGroups(
      shared,
      prompts.map((p) => shared.encode(p)),
      3,
      o,
    );
    expect(b.rows).toEqual(a.rows);
    expect(new Set(b.rows.slice(0, 3).map((r) => r.tokens[0]!.id)).size).toBe(3);
    expect(shared.open.size).toBe(0);
  });

  it('reuses a PrefixCache entry as the prefix without releasing it, and decodes one row alone on the stock path', async () => {
    const shared = new FakeModel(VOCAB, hashed, { sharedPrefix: true });
    const cache = new PrefixCache(shared, 8);
    const stock = new FakeModel(VOCAB, hashed);
    for (const qs of [
      ['1a', '2b'],
      ['3', '1c'],
    ]) {
      const ids = qs.map((q) => shared.encode(PROMPT + q));
      const b = await decodeGroups(shared, ids, 2, opts(4, { prefixCache: cache }));
      const a = await decodeGroups(stock, ids, 2, opts(4));
      expect(b.rows).toEqual(a.rows);
    }
    expect(cache.reused).toBeGreaterThan(0);
    expect(shared.open.size).toBe(1); // the PrefixCache's entry
    cache.dispose();
    expect(shared.open.size).toBe(0);
    const calls = shared.prefixedCalls;
    await decodePrompts(shared, [shared.encode(PROMPT)], opts(1));
    expect(shared.prefixedCalls).toBe(calls);
  });
});
