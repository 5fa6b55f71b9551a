/**
 * npx tsx bench/sampler.ts [-- --vocab 49152] [-- --rounds 9]
 * The decoding loop's per-row, per-step work (the trace's statistics, the choice of a token, its rank and top
 * alternatives) on one vocabulary-sized row of logits: now (src/core/decode/row-step.ts, the fused kernels) against
 * before (stepStats, then sampleCategorical or argmax of the processors as they were before issue 13, kept verbatim
 * in test/reference/processors.ts), measured in one run: rounds alternate the two so that load from other processes falls on
 * both alike; each is the median of its rounds. Same seeds both ways: the chosen tokens must be the same (checked).
 * Prints a table and, last, one JSON line. A script, not a test: it asserts nothing about speed.
 */
import { RowStepper } from '../src/core/decode/row-step.ts';
import { alternatives, tokenRank } from '../src/core/decode/token-stats.ts';
import { stepStats, type StepStats } from '../src/core/decode/token-stats.ts';
import { GREEDY, temperatureSampler, type SamplerSpec } from '../src/core/logits/sampler.ts';
import { argmax, sampleCategorical } from '../src/core/logits/select.ts';
import { createRng, type Rng } from '../src/core/rng.ts';
import { applyChain as applyChainBefore } from '../test/reference/processors.ts';
import { median } from '../src/worker/bench/median.ts';

const args = process.argv.slice(2);
const valueOf = (flag: string) => args.find((a, i) => args[i - 1] === flag);
const V = Number(valueOf('--vocab') ?? 49152);
const rounds = Number(valueOf('--rounds') ?? 9);
/** Distinct rows of logits cycled through, and row-steps per timed round. */
const ROWS = 16;
const STEPS = 64;

const SAMPLERS: { name: string; sampler: SamplerSpec }[] = [
  { name: 'greedy', sampler: GREEDY },
  { name: 'temperature 0.7', sampler: temperatureSampler(0.7) },
  { name: 'temperature 1', sampler: temperatureSampler(1) },
  {
    name: 'temperature 0.7 → top-p 0.9',
    sampler: {
      chain: [
        { name: 'temperature', temperature: 0.7 },
        { name: 'top-p', p: 0.9 },
      ],
      select: 'sample',
    },
  },
  {
    name: 'temperature 0.7 → top-k 50 → min-p 0.05',
    sampler: {
      chain: [
        { name: 'temperature', temperature: 0.7 },
        { name: 'top-k', k: 50 },
        { name: 'min-p', p: 0.05 },
      ],
      select: 'sample',
    },
  },
];

/** Logits shaped like a language model's: a broad normal background, a few dozen plausible tokens well above it. */
function fakeLogits(rng: Rng): Float32Array {
  const out = new Float32Array(V);
  for (let i = 0; i < V; i++) {
    const u = Math.max(rng.next(), 1e-12);
    out[i] = 2 * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.next());
  }
  for (let j = 0; j < 40; j++) out[Math.floor(rng.next() * V)] = 8 + 6 * rng.next();
  return out;
}

const rowsOfLogits = Array.from({ length: ROWS }, (_, r) => fakeLogits(createRng(1000 + r)));
const tokenText = (id: number) => String(id);

/** The loop's row step before issue 13: stepStats into one scratch buffer, then chooseToken with the old processors. */
class StepperBefore {
  readonly #scratch = new Float64Array(V);
  step(
    logits: Float32Array,
    sampler: SamplerSpec,
    ctx: { tokens: number[] },
    rng: Rng,
  ): { dist: StepStats; id: number } {
    const dist = stepStats(logits, 5, this.#scratch);
    const processed = applyChainBefore(logits, sampler.chain, ctx);
    return { dist, id: sampler.select === 'argmax' ? argmax(processed) : sampleCategorical(processed, rng) };
  }
}

/** One timed round: STEPS row-steps as the loop does them; returns ms per row-step and the ids chosen. */
function round(sampler: SamplerSpec, before: boolean): { ms: number; ids: number[] } {
  const now = new RowStepper(V);
  const old = new StepperBefore();
  const rng = createRng(7);
  const ctx = { tokens: [1, 2, 3] };
  const ids: number[] = [];
  const t0 = performance.now();
  for (let s = 0; s < STEPS; s++) {
    const logits = rowsOfLogits[s % ROWS]!;
    const { dist, id } = before
      ? old.step(logits, sampler, ctx, rng)
      : now.step(logits, undefined, sampler, ctx, rng, null, 5);
    tokenRank(dist, id);
    alternatives(dist, tokenText);
    ids.push(id);
  }
  return { ms: (performance.now() - t0) / STEPS, ids };
}

// Warm up every path first, so that no row is timed while the JIT still learns what the others call.
for (let w = 0; w < 2; w++)
  for (const { sampler } of SAMPLERS) {
    round(sampler, true);
    round(sampler, false);
  }
const results = SAMPLERS.map(({ name, sampler }) => {
  const ref: number[] = [];
  const fast: number[] = [];
  let same = true;
  for (let r = 0; r < rounds; r++) {
    const a = round(sampler, true);
    const b = round(sampler, false);
    ref.push(a.ms);
    fast.push(b.ms);
    same &&= a.ids.every((id, k) => id === b.ids[k]);
  }
  const beforeMs = median(ref);
  const nowMs = median(fast);
  return { name, beforeMs, nowMs, speedup: beforeMs / nowMs, sameTokens: same };
});

console.log(`per-row step at vocabulary ${V} (median of ${rounds} rounds × ${STEPS} row-steps, before vs now):`);
console.log('| sampler | before ms | now ms | speed-up | same tokens |\n|---|---|---|---|---|');
for (const r of results)
  console.log(
    `| ${r.name} | ${r.beforeMs.toFixed(3)} | ${r.nowMs.toFixed(3)} | ${r.speedup.toFixed(2)}× | ${r.sameTokens} |`,
  );
console.log(JSON.stringify({ vocab: V, rounds, rowSteps: STEPS, samplers: results }));
if (!results.every((r) => r.sameTokens)) process.exitCode = 1;
