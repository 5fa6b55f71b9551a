/**
 * npx tsx bench/sampler.ts [-- --vocab 49152] [-- --rounds 9]
 * The decoding loop's per-row, per-step work (src/core/decode/row-step.ts: the trace's statistics, the choice of a
 * token, its rank and top alternatives) on one vocabulary-sized row of logits, the fused kernels against the reference
 * functions they replace, measured in one run: rounds alternate the two so that load from other processes falls on
 * both alike; each is the median of its rounds. Same seeds both ways: the chosen tokens must be the same (checked).
 * Prints a table and, last, one JSON line. A script, not a test: it asserts nothing about speed.
 */
import { RowStepper } from '../src/core/decode/row-step.ts';
import { alternatives, tokenRank } from '../src/core/decode/token-stats.ts';
import { GREEDY, temperatureSampler, type SamplerSpec } from '../src/core/logits/sampler.ts';
import { createRng, type Rng } from '../src/core/rng.ts';

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

/** One timed round: STEPS row-steps as the loop does them; returns ms per row-step and the ids chosen. */
function round(sampler: SamplerSpec, reference: boolean): { ms: number; ids: number[] } {
  const stepper = new RowStepper(V, reference);
  const rng = createRng(7);
  const context = [1, 2, 3];
  const ids: number[] = [];
  const t0 = performance.now();
  for (let s = 0; s < STEPS; s++) {
    const { dist, id } = stepper.step(rowsOfLogits[s % ROWS]!, undefined, sampler, { tokens: context }, rng, null, 5);
    tokenRank(dist, id);
    alternatives(dist, tokenText);
    ids.push(id);
  }
  return { ms: (performance.now() - t0) / STEPS, ids };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
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
  const referenceMs = median(ref);
  const fastMs = median(fast);
  return { name, referenceMs, fastMs, speedup: referenceMs / fastMs, sameTokens: same };
});

console.log(`per-row step at vocabulary ${V} (median of ${rounds} rounds × ${STEPS} row-steps, reference vs fused):`);
console.log('| sampler | reference ms | fused ms | speed-up | same tokens |\n|---|---|---|---|---|');
for (const r of results)
  console.log(
    `| ${r.name} | ${r.referenceMs.toFixed(3)} | ${r.fastMs.toFixed(3)} | ${r.speedup.toFixed(2)}× | ${r.sameTokens} |`,
  );
console.log(JSON.stringify({ vocab: V, rounds, rowSteps: STEPS, samplers: results }));
if (!results.every((r) => r.sameTokens)) process.exitCode = 1;
