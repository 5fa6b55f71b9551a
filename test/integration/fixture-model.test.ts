import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeGroups, decodePrompts, decodeShared } from '../../src/core/decode/decode-loop.ts';
import { PrefixCache } from '../../src/core/decode/prefix-cache.ts';
import { GREEDY, temperatureSampler, type SamplerSpec } from '../../src/core/logits/sampler.ts';
import { createRng } from '../../src/core/rng.ts';
import type { TransformersModel } from '../../src/adapters/model/transformers-model.ts';
import { expectParity, loadLocal, readParity } from './load-local.ts';

const fixture = readParity('parity-fixture-tiny.json');

let model: TransformersModel;
beforeAll(async () => {
  model = await loadLocal('coax/fixture-tiny');
});
afterAll(async () => {
  await model?.dispose();
});

const rngs = (n: number, seed = 1) => Array.from({ length: n }, (_, i) => createRng(seed * 1000 + i));

describe('parity with PyTorch (fixture-tiny)', () => {
  it('tokenizes the fixture prompts to the same ids as the Python tokenizer', () => {
    for (const c of fixture.cases) expect(model.encode(c.prompt)).toEqual(c.input_ids);
  });

  it.each(fixture.cases.map((c, i) => [i, c] as const))(
    'logits of prompt %i match PyTorch within 1e-4 at every position',
    async (_i, c) => {
      await expectParity(model, c, 1e-4);
    },
  );

  it('with two intra-op threads (how the CLI and the benchmark load) the logits match PyTorch too', async () => {
    const threaded = await loadLocal('coax/fixture-tiny', { threads: 2 });
    try {
      for (const c of fixture.cases) await expectParity(threaded, c, 1e-4);
    } finally {
      await threaded.dispose();
    }
  });

  it('greedy decoding through the KV cache reproduces PyTorch token for token', async () => {
    const c = fixture.cases.find((x) => x.greedy)!;
    const g = c.greedy!;
    const noEos = Object.assign(Object.create(model) as TransformersModel, { eosTokenIds: [] });
    const { rows } = await decodePrompts(noEos, [c.input_ids], {
      maxNewTokens: g.new_ids.length,
      sampler: GREEDY,
      rngs: rngs(1),
    });
    expect(rows[0]!.tokens.map((t) => t.id)).toEqual(g.new_ids);
    // The recorded probability of each chosen token agrees with PyTorch's softmax of that step.
    rows[0]!.tokens.forEach((t, i) => {
      const l = g.step_logits[i]!;
      const max = Math.max(...l);
      const z = l.reduce((s, x) => s + Math.exp(x - max), 0);
      expect(t.logprob).toBeCloseTo(l[t.id]! - max - Math.log(z), 4);
    });
  });
});

describe('batched decoding on the real model', () => {
  const prompts = ['Q: 2 + 3\nA:', 'Q: 4 + 5 + 6\nA:', 'hi', 'Q: 1 + 1\nA: 2\n\nQ: 7 + 8\nA:'];

  it('gives token-for-token the same greedy output as decoding each row alone', async () => {
    const ids = prompts.map((p) => model.encode(p));
    const batched = await decodePrompts(model, ids, { maxNewTokens: 24, sampler: GREEDY, rngs: rngs(ids.length) });
    for (const [i, p] of ids.entries()) {
      const alone = await decodePrompts(model, [p], { maxNewTokens: 24, sampler: GREEDY, rngs: rngs(1) });
      expect(batched.rows[i]!.tokens.map((t) => t.id)).toEqual(alone.rows[0]!.tokens.map((t) => t.id));
      batched.rows[i]!.tokens.forEach((t, k) => expect(t.prob).toBeCloseTo(alone.rows[0]!.tokens[k]!.prob, 4));
    }
  });

  it('expanding a shared prefix gives the same rows as prefilling each row separately', async () => {
    const prompt = model.encode(prompts[1]!);
    const sampler = temperatureSampler(1.0);
    const shared = await decodeShared(model, prompt, 4, { maxNewTokens: 16, sampler, rngs: rngs(4, 7) });
    const separate = await decodePrompts(model, [prompt, prompt, prompt, prompt], {
      maxNewTokens: 16,
      sampler,
      rngs: rngs(4, 7),
    });
    expect(shared.stats.prefillTokens).toBe(prompt.length);
    expect(separate.stats.prefillTokens).toBe(4 * prompt.length);
    shared.rows.forEach((row, i) => {
      expect(row.tokens.map((t) => t.id)).toEqual(separate.rows[i]!.tokens.map((t) => t.id));
      expect(row.text).toBe(separate.rows[i]!.text);
    });
    // Seeded sampling: four rows with different generators do not all agree.
    expect(new Set(shared.rows.map((r) => r.text)).size).toBeGreaterThan(1);
  });

  it('a cached few-shot prefix gives the same greedy rows as prefilling every prompt whole', async () => {
    const shots = 'Q: 1 + 2\nA: 3\n\nQ: 4 + 4\nA: 8\n\n';
    const batches = [
      ['Q: 2 + 3\nA:', 'Q: 9 + 9 + 9\nA:'],
      ['Q: 5 + 1\nA:', 'Q: 7 + 0 + 2\nA:', 'Q: 6 + 6\nA:'],
    ];
    const cache = new PrefixCache(model);
    for (const batch of batches) {
      const ids = batch.map((q) => model.encode(shots + q));
      const plain = await decodePrompts(model, ids, { maxNewTokens: 16, sampler: GREEDY, rngs: rngs(ids.length) });
      const cached = await decodePrompts(model, ids, {
        maxNewTokens: 16,
        sampler: GREEDY,
        rngs: rngs(ids.length),
        prefixCache: cache as PrefixCache<unknown>,
      });
      cached.rows.forEach((row, i) => {
        expect(row.tokens.map((t) => t.id)).toEqual(plain.rows[i]!.tokens.map((t) => t.id));
        row.tokens.forEach((t, k) => expect(t.prob).toBeCloseTo(plain.rows[i]!.tokens[k]!.prob, 4));
      });
    }
    expect(cache.reused).toBeGreaterThan(0);
    cache.dispose();
  });

  it('several prompts, each expanded to n rows in one batch, match each prompt expanded alone', async () => {
    const ids = [prompts[0]!, prompts[1]!].map((p) => model.encode(p));
    const sampler = temperatureSampler(0.8);
    const together = await decodeGroups(model, ids, 3, { maxNewTokens: 12, sampler, rngs: rngs(6, 3) });
    for (const g of [0, 1]) {
      const alone = await decodeShared(model, ids[g]!, 3, {
        maxNewTokens: 12,
        sampler,
        rngs: rngs(6, 3).slice(g * 3, g * 3 + 3),
      });
      alone.rows.forEach((row, i) =>
        expect(together.rows[g * 3 + i]!.tokens.map((t) => t.id)).toEqual(row.tokens.map((t) => t.id)),
      );
    }
  });

  it.each<[string, SamplerSpec]>([
    ['T = 0.7', temperatureSampler(0.7)],
    ['T = 1', temperatureSampler(1)],
    ['greedy', GREEDY],
    [
      'T = 0.9 → top-p 0.9 → min-p 0.05',
      {
        chain: [
          { name: 'temperature', temperature: 0.9 },
          { name: 'top-p', p: 0.9 },
          { name: 'min-p', p: 0.05 },
        ],
        select: 'sample',
      },
    ],
  ])("%s: the fused per-row kernels give the reference kernels' rows exactly (seed 9)", async (_name, sampler) => {
    const ids = [prompts[0]!, prompts[1]!].map((p) => model.encode(p));
    const run = (referenceKernels: boolean) =>
      decodeGroups(model, ids, 4, { maxNewTokens: 16, sampler, rngs: rngs(8, 9), referenceKernels });
    const [ref, fast] = [await run(true), await run(false)];
    fast.rows.forEach((row, r) => {
      const want = ref.rows[r]!;
      expect(row.text).toBe(want.text);
      expect(row.tokens.map(({ entropy: _e, ...t }) => t)).toEqual(want.tokens.map(({ entropy: _e, ...t }) => t));
      row.tokens.forEach((t, k) =>
        expect(Math.abs(t.entropy - want.tokens[k]!.entropy)).toBeLessThanOrEqual(1e-12 * want.tokens[k]!.entropy),
      );
    });
  });
});
