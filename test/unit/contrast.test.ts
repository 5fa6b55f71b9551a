import { describe, expect, it } from 'vitest';
import { decodePrompts } from '../../src/core/decode/decode-loop.ts';
import { logSoftmax } from '../../src/core/logits/distribution.ts';
import { GREEDY } from '../../src/core/logits/sampler.ts';
import { ContrastModel } from '../../src/core/methods/contrast-model.ts';
import { createRng } from '../../src/core/rng.ts';
import { PrefixCache } from '../../src/core/decode/prefix-cache.ts';
import { tokenMargin } from '../../src/core/methods/confidence.ts';
import { executeMethod } from '../../src/core/methods/execute.ts';
import type { MethodSpec } from '../../src/core/methods/method.ts';
import { PLAIN_PROMPT } from '../../src/core/methods/prompt.ts';
import type { Suite } from '../../src/core/tasks/suite.ts';
import { FakeModel, logitsFromProbs } from './fake-model.ts';

const VOCAB = ['<eos>', '<pad>', 's', 'w', 'a', 'b', 'c'];

/** Strong context (starts with s) and weak context (starts with w) see different distributions. */
function model(): FakeModel {
  return new FakeModel(VOCAB, (ctx) => {
    const strong = VOCAB[ctx[0]!] === 's';
    const n = ctx.length;
    if (n >= 4) return logitsFromProbs([1, 0, 0, 0, 0, 0, 0]);
    return logitsFromProbs(strong ? [0.01, 0, 0, 0, 0.5, 0.4, 0.09] : [0.01, 0, 0, 0, 0.7, 0.1, 0.19]);
  });
}

describe('contrast decoding as a model', () => {
  it('returns (1+β)·log p_strong − β·log p_weak with the α plausibility mask (β=1, α=0.1)', async () => {
    const inner = model();
    const contrast = new ContrastModel(inner, [[3, 3]], 1, 0.1);
    const out = await contrast.forward({ inputIds: [[2]], attentionMask: [[1]], positionIds: [[0]] }, null);
    const ls = logSoftmax(logitsFromProbs([0.01, 0, 0, 0, 0.5, 0.4, 0.09]));
    const lw = logSoftmax(logitsFromProbs([0.01, 0, 0, 0, 0.7, 0.1, 0.19]));
    // Plausible under the strong prompt: p >= 0.1 · 0.5 keeps a (0.5), b (0.4), c (0.09); EOS (0.01) is masked.
    const expected = [
      -Infinity,
      -Infinity,
      -Infinity,
      -Infinity,
      2 * ls[4]! - lw[4]!,
      2 * ls[5]! - lw[5]!,
      2 * ls[6]! - lw[6]!,
    ];
    expect([...out.logits].map((x) => (x === -Infinity ? x : Math.fround(x)))).toEqual(
      expected.map((x) => (x === -Infinity ? x : expect.closeTo(x, 5))),
    );
    // The weak prompt (two tokens) and the strong one (one token, padded) ran in one batch of 2.
    expect(inner.batchSizes).toEqual([2]);
    contrast.release(out.cache);
  });

  it('feeds the chosen token to both rows and decodes a batch of pairs like each pair alone', async () => {
    const strongPrompts = [[2], [2, 4]];
    const weakPrompts = [[3, 3], [3]];
    const inner = model();
    const both = await decodePrompts(new ContrastModel(inner, weakPrompts, 1, 0.1), strongPrompts, {
      maxNewTokens: 4,
      sampler: GREEDY,
      rngs: [createRng(1), createRng(2)],
    });
    // a is favoured by both prompts, b far more by the strong one: the contrast picks b.
    expect(both.rows[0]!.text.startsWith('b')).toBe(true);
    for (const i of [0, 1]) {
      const alone = await decodePrompts(new ContrastModel(model(), [weakPrompts[i]!], 1, 0.1), [strongPrompts[i]!], {
        maxNewTokens: 4,
        sampler: GREEDY,
        rngs: [createRng(1)],
      });
      expect(both.rows[i]!.tokens.map((t) => t.id)).toEqual(alone.rows[0]!.tokens.map((t) => t.id));
    }
    expect(inner.batchSizes[0]).toBe(4);
    expect(inner.open.size).toBe(0);
  });

  it("traces the strong prompt's raw distribution and records the contrast score beside it", async () => {
    const { rows } = await decodePrompts(new ContrastModel(model(), [[3, 3]], 1, 0.1), [[2]], {
      maxNewTokens: 1,
      sampler: GREEDY,
      rngs: [createRng(1)],
    });
    const t = rows[0]!.tokens[0]!;
    const strong = [0.01, 0, 0, 0, 0.5, 0.4, 0.09];
    const entropy = -strong.filter((p) => p > 0).reduce((h, p) => h + p * Math.log(p), 0);
    // The contrast chose b (strong .4, weak .1) over a (strong .5, weak .7); the trace says what the model thought.
    expect(t.id).toBe(5);
    expect(t.prob).toBeCloseTo(0.4, 6);
    expect(t.rank).toBe(2);
    expect(t.entropy).toBeCloseTo(entropy, 6);
    expect(t.top.map((a) => [a.id, a.prob])).toEqual([
      [4, expect.closeTo(0.5, 6)],
      [5, expect.closeTo(0.4, 6)],
      [6, expect.closeTo(0.09, 6)],
      [0, expect.closeTo(0.01, 6)],
      expect.anything(),
    ]);
    expect(t.score).toBeCloseTo(2 * Math.log(0.4) - Math.log(0.1), 5);
    // Δ of a contrast answer is then the strong prompt's margin: .4 − .5.
    expect(tokenMargin(t)).toBeCloseTo(-0.1, 6);
  });

  it('runs on a suite whose prompts share a long prefix (the run-wide prefix cache holds plain-model caches)', async () => {
    const items = [
      { id: 'x', question: 'sababab', answer: '' },
      { id: 'y', question: 'sababac', answer: '' },
    ];
    const suite: Suite = { name: 's', description: '', items, exemplars: [], extractor: { kind: 'none' } };
    const prompt = { ...PLAIN_PROMPT, template: 'custom' as const, custom: '{question}' };
    const method: MethodSpec = {
      id: 'c',
      label: '',
      prompt,
      decoding: { kind: 'contrast', weak: { ...prompt, custom: 'w{question}' }, beta: 1, alpha: 0.1 },
      maxNewTokens: 3,
      stopStrings: [],
    };
    const inner = model();
    const cache = new PrefixCache(inner, 2);
    const withCache = await executeMethod(inner, method, items, suite, {
      seed: 1,
      prefixCache: cache as PrefixCache<unknown>,
    });
    const without = await executeMethod(model(), method, items, suite, { seed: 1 });
    expect(withCache.map((o) => o.text)).toEqual(without.map((o) => o.text));
    cache.dispose();
    expect(inner.open.size).toBe(0);
  });

  it('rejects β < 0 and α outside (0, 1]', () => {
    expect(() => new ContrastModel(model(), [], -1, 0.1)).toThrow(/β/);
    expect(() => new ContrastModel(model(), [], 1, 0)).toThrow(/α/);
  });
});
