import { describe, expect, it } from 'vitest';
import { decodeGroups, type DecodeOptions } from '../../src/core/decode/decode-loop.ts';
import { stepStats, stepStatsFast } from '../../src/core/decode/token-stats.ts';
import { logSoftmax } from '../../src/core/logits/distribution.ts';
import {
  cdfMargin,
  drawCategorical,
  drawTemperature,
  expTerms,
  inverseCdf,
  maxOf,
  pickFromTerms,
  SampleScratch,
} from '../../src/core/logits/fast-sample.ts';
import { applyChain, float32Probs, type ProcessorSpec } from '../../src/core/logits/processors.ts';
import { applyChain as applyChainReference } from '../reference/processors.ts';
import { chooseToken, chooseTokenFast, type SamplerSpec } from '../../src/core/logits/sampler.ts';
import { createRng, type Rng } from '../../src/core/rng.ts';
import { FakeModel } from './fake-model.ts';

// The fused per-row kernels (stepStatsFast, chooseTokenFast, the certified inverse CDF) against the straightforward
// reference functions they replace in the decoding loop: the same token ids and log-probabilities bit for bit, the
// entropy to 1e-12 relative, on seeded random logits of many shapes.

function normal(rng: Rng): number {
  return Math.sqrt(-2 * Math.log(Math.max(rng.next(), 1e-300))) * Math.cos(2 * Math.PI * rng.next());
}

/** Logits of one of several shapes, chosen by `kind`: broad, peaked, quantised (ties), masked, huge, tiny-spread. */
function randomLogits(rng: Rng, V: number, kind: number): Float32Array {
  const out = new Float32Array(V);
  const scale = [1, 3, 12, 40, 0.01, 2][kind % 6]!;
  for (let i = 0; i < V; i++) out[i] = scale * normal(rng) + (kind % 7 === 3 ? 1e4 : 0);
  if (kind % 3 === 1) for (let i = 0; i < V; i++) out[i] = Math.round(out[i]! * 2) / 2; // ties
  if (kind % 4 === 2) for (let i = 0; i < V; i += 3) out[i] = -Infinity; // masked tokens
  if (kind % 5 === 4) out[Math.floor(rng.next() * V)] = 60; // one token takes nearly all the mass
  return out;
}

const relDiff = (a: number, b: number) => (a === b ? 0 : Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b)));

const CHAINS: { name: string; chain: ProcessorSpec[] }[] = [
  { name: 'raw', chain: [] },
  ...[0.05, 0.3, 0.7, 1, 1.5, 4].map((t) => ({ name: `T=${t}`, chain: [{ name: 'temperature', temperature: t }] })),
  {
    name: 'T=0.7 top-k 40',
    chain: [
      { name: 'temperature', temperature: 0.7 },
      { name: 'top-k', k: 40 },
    ],
  },
  {
    name: 'T=0.7 top-p 0.9',
    chain: [
      { name: 'temperature', temperature: 0.7 },
      { name: 'top-p', p: 0.9 },
    ],
  },
  { name: 'top-p 0.5', chain: [{ name: 'top-p', p: 0.5 }] },
  {
    name: 'T=1.2 min-p 0.05',
    chain: [
      { name: 'temperature', temperature: 1.2 },
      { name: 'min-p', p: 0.05 },
    ],
  },
  { name: 'typical 0.9', chain: [{ name: 'typical', mass: 0.9 }] },
  {
    name: 'rep 1.3 T=0.8 top-k 100 top-p 0.95',
    chain: [
      { name: 'repetition-penalty', penalty: 1.3 },
      { name: 'temperature', temperature: 0.8 },
      { name: 'top-k', k: 100 },
      { name: 'top-p', p: 0.95 },
    ],
  },
] as { name: string; chain: ProcessorSpec[] }[];

describe('stepStatsFast against stepStats', () => {
  it('gives the same log-probabilities, top-5 and rank bit for bit, the entropy to 1e-12 (seeds 1..60)', () => {
    for (let seed = 1; seed <= 60; seed++) {
      const rng = createRng(seed);
      const V = [7, 300, 4099][seed % 3]!;
      const logits = randomLogits(rng, V, seed);
      const ref = stepStats(logits, 5);
      const fast = stepStatsFast(logits, 5, new SampleScratch(V));
      expect(fast.terms).not.toBeNull();
      expect(Array.from(fast.logProbs)).toEqual(Array.from(ref.logProbs));
      expect(fast.top).toEqual(ref.top);
      expect(relDiff(fast.entropy, ref.entropy), `seed ${seed}: ${fast.entropy} vs ${ref.entropy}`).toBeLessThan(1e-12);
    }
  });

  it('leaves logits the reference handles oddly to it: NaN, +Infinity, all -Infinity', () => {
    const scratch = new SampleScratch(3);
    for (const xs of [
      [0, NaN, 1],
      [0, Infinity, 1],
    ]) {
      const logits = Float32Array.from(xs);
      const fast = stepStatsFast(logits, 2, scratch);
      expect(fast.terms).toBeNull();
      const ref = stepStats(logits, 2);
      expect(Array.from(fast.logProbs)).toEqual(Array.from(ref.logProbs));
      expect(fast.entropy).toEqual(ref.entropy);
    }
    expect(() => stepStatsFast(Float32Array.from([-Infinity, -Infinity]), 1, scratch)).toThrow(/every logit/);
  });
});

describe('the processors against their pre-issue-13 versions (test/reference/processors.ts)', () => {
  const specs: ProcessorSpec[] = [
    { name: 'repetition-penalty', penalty: 1.4 },
    { name: 'temperature', temperature: 0.7 },
    { name: 'top-k', k: 40 },
    { name: 'top-k', k: 3, minTokensToKeep: 5 },
    ...[0, 0.3, 0.9, 0.999, 1].map((p) => ({ name: 'top-p' as const, p })),
    { name: 'top-p', p: 0.2, minTokensToKeep: 50 },
    ...[0, 0.01, 0.1, 0.5, 1].map((p) => ({ name: 'min-p' as const, p })),
    { name: 'min-p', p: 0.9, minTokensToKeep: 7 },
    { name: 'typical', mass: 0.8 },
  ];
  it.each(specs.map((spec) => [JSON.stringify(spec), spec] as const))(
    '%s: the same logits bit for bit (seeds 1..30)',
    (_name, spec) => {
      for (let seed = 1; seed <= 30; seed++) {
        const V = [6, 300, 2500][seed % 3]!;
        const logits = randomLogits(createRng(500 + seed), V, seed);
        const ctx = { tokens: [2, 3, 3, 5, V - 1] };
        expect(Array.from(applyChain(logits, [spec], ctx)), `seed ${seed}`).toEqual(
          Array.from(applyChainReference(logits, [spec], ctx)),
        );
      }
    },
  );

  it("top-p's float32 probabilities are fround(exp(logSoftmax)) exactly (seeds 1..30)", () => {
    for (let seed = 1; seed <= 30; seed++) {
      const logits = randomLogits(createRng(900 + seed), 3000, seed);
      const want = Array.from(logSoftmax(logits), (lp) => Math.fround(Math.exp(lp)));
      expect(Array.from(float32Probs(logits)), `seed ${seed}`).toEqual(want);
    }
  });

  it('min-p decides tokens that sit on its threshold as the reference does', () => {
    let decided = 0;
    for (const l1 of [1, 0.5, -0.25, 1.75, -3]) {
      // Token 1's probability is p × p_max to the last few ulps: the bound cannot tell, the exact comparison must.
      for (const scale of [1 - 4e-16, 1, 1 + 4e-16]) {
        const p = Math.exp(l1 - 2) * scale;
        const logits = Float32Array.from([2, l1, -3, 1.5]);
        const spec: ProcessorSpec = { name: 'min-p', p };
        const got = applyChain(logits, [spec], { tokens: [] });
        expect(Array.from(got)).toEqual(Array.from(applyChainReference(logits, [spec], { tokens: [] })));
        if (got[1] === -Infinity) decided++;
      }
    }
    // Both outcomes occur among these near-ties.
    expect(decided).toBeGreaterThan(0);
    expect(decided).toBeLessThan(15);
  });

  it('throw the same errors on every logit -Infinity', () => {
    const masked = Float32Array.from([-Infinity, -Infinity]);
    for (const spec of specs.filter((s) => s.name === 'top-p' || s.name === 'min-p'))
      expect(() => applyChain(masked, [spec], { tokens: [] })).toThrow(/every logit is -Infinity/);
  });
});

describe('chooseTokenFast against chooseToken', () => {
  it.each(CHAINS.map((c) => [c.name, c.chain] as const))('%s: the same token for seeds 1..30', (_name, chain) => {
    const sampler: SamplerSpec = { chain, select: 'sample' };
    for (let seed = 1; seed <= 30; seed++) {
      const V = [5, 257, 2003][seed % 3]!;
      const logits = randomLogits(createRng(1000 + seed), V, seed);
      const ctx = { tokens: [1, 2, 3, 2] };
      const scratch = new SampleScratch(V);
      const trace = stepStatsFast(logits, 5, new SampleScratch(V));
      // Several draws per row, from the same generator both ways, with and without the trace's terms.
      const [a, b, c] = [createRng(seed), createRng(seed), createRng(seed)];
      for (let k = 0; k < 8; k++) {
        const want = chooseToken(logits, sampler, ctx, a);
        expect(chooseTokenFast(logits, sampler, ctx, b, scratch, trace.terms), `seed ${seed} draw ${k}`).toBe(want);
        expect(chooseTokenFast(logits, sampler, ctx, c, scratch, null), `seed ${seed} draw ${k}`).toBe(want);
      }
    }
  });

  it('argmax chains and an invalid temperature behave as the reference', () => {
    const logits = randomLogits(createRng(5), 100, 0);
    const scratch = new SampleScratch(100);
    const argmaxSampler: SamplerSpec = { chain: [{ name: 'temperature', temperature: 0.5 }], select: 'argmax' };
    expect(chooseTokenFast(logits, argmaxSampler, { tokens: [] }, createRng(1), scratch)).toBe(
      chooseToken(logits, argmaxSampler, { tokens: [] }, createRng(1)),
    );
    const bad: SamplerSpec = { chain: [{ name: 'temperature', temperature: 0 }], select: 'sample' };
    expect(() => chooseTokenFast(logits, bad, { tokens: [] }, createRng(1), scratch)).toThrow(/temperature must be/);
  });
});

describe('the certified inverse CDF', () => {
  const V = 2000;
  const logits = randomLogits(createRng(77), V, 1);
  const logProbs = logSoftmax(logits);
  const scratch = new SampleScratch(V);
  const max = maxOf(logits);
  const sum = expTerms(logits, max, scratch.exps);

  it('with no margin picks what the exact walk picks for 5000 uniforms (seed 3)', () => {
    const rng = createRng(3);
    for (let k = 0; k < 5000; k++) {
      const u = rng.next();
      expect(pickFromTerms(scratch.exps, V, sum, u, 0)).toBe(inverseCdf(logProbs, u));
    }
  });

  it('declines a uniform that sits on a boundary of the exact running sum, and the draw still agrees', () => {
    let cdf = 0;
    let declined = 0;
    for (let i = 0; i < V; i++) {
      if (logProbs[i] === -Infinity) continue;
      cdf += Math.exp(logProbs[i]!);
      if (i % 37 !== 0 || cdf >= 1) continue;
      for (const u of [cdf, cdf - 2 ** -53, cdf + 2 ** -52]) {
        if (pickFromTerms(scratch.exps, V, sum, u, cdfMargin(V, max)) === -1) declined++;
        expect(drawCategorical(logits, u, scratch)).toBe(inverseCdf(logProbs, u));
      }
    }
    expect(declined).toBeGreaterThan(100);
  });

  it('an infinite margin always takes the exact walk, with the same tokens (seed 4)', () => {
    const rng = createRng(4);
    const scaled = logSoftmax(Float32Array.from(logits, (x) => x / 0.6));
    for (let k = 0; k < 200; k++) {
      const u = rng.next();
      expect(drawTemperature(logits, 0.6, u, scratch, undefined, Infinity)).toBe(inverseCdf(scaled, u));
    }
  });

  it('a uniform past the end goes to the last token with mass', () => {
    const masked = Float32Array.from([0, 1, -Infinity]);
    expect(drawCategorical(masked, 1 - 2 ** -60, new SampleScratch(3))).toBe(
      inverseCdf(logSoftmax(masked), 1 - 2 ** -60),
    );
  });
});

describe('the decoding loop, fused kernels against reference kernels', () => {
  const V = 600;
  const vocab = Array.from({ length: V }, (_, i) => (i === 0 ? '<eos>' : i === 1 ? '<pad>' : `t${i} `));
  /** Context-dependent logits from a seeded generator keyed by the tokens so far; pad never allowed. */
  const next = (ctx: readonly number[]) => {
    let h = 17;
    for (const t of ctx) h = (h * 131 + t) % 1_000_003;
    const rng = createRng(h);
    const peaked = h % 3 === 0;
    return Array.from({ length: V }, (_, i) => (i === 1 ? -Infinity : (peaked ? 6 : 2) * normal(rng)));
  };
  const samplers: { name: string; sampler: SamplerSpec }[] = [
    { name: 'greedy', sampler: { chain: [], select: 'argmax' } },
    ...CHAINS.filter((_, i) => i % 2 === 0).map((c) => ({
      name: c.name,
      sampler: { chain: c.chain, select: 'sample' as const },
    })),
  ];

  it.each(samplers.map((s) => [s.name, s.sampler] as const))(
    '%s: the same rows, tokens and traces (seeds 11..16)',
    async (_name, sampler) => {
      const run = (referenceKernels: boolean) => {
        const model = new FakeModel(vocab, next);
        const options: DecodeOptions = {
          maxNewTokens: 24,
          sampler,
          rngs: Array.from({ length: 6 }, (_, i) => createRng(11 + i)),
          referenceKernels,
        };
        return decodeGroups(model, [[5, 9], [7]], 3, options);
      };
      const [ref, fast] = [await run(true), await run(false)];
      expect(fast.stats).toEqual(ref.stats);
      ref.rows.forEach((row, r) => {
        const got = fast.rows[r]!;
        expect(got.text).toBe(row.text);
        expect(got.stopReason).toBe(row.stopReason);
        expect(got.tokens.map(({ entropy: _e, ...t }) => t)).toEqual(row.tokens.map(({ entropy: _e, ...t }) => t));
        row.tokens.forEach((t, k) => expect(relDiff(got.tokens[k]!.entropy, t.entropy)).toBeLessThan(1e-12));
      });
    },
  );
});
