/**
 * npx tsx bench/threads.ts [--rounds R] [--steps N]
 * ONNX Runtime's default intra-op threads against one per core (what cli/node-model.ts sets), on the realistic model
 * (bench/realistic.ts, fp32) through the engine's adapter: both sessions loaded side by side in one process, then
 * one-token steps at batch 1 and batch 16 (from a 15-token and from the 315-token 4-shot prompt), the two sessions
 * alternated R times. Prints the median step of each and the ratio. A script, not a test.
 */
import { availableParallelism } from 'node:os';
import { env } from '@huggingface/transformers';
import { TransformersModel } from '../src/adapters/model/transformers-model.ts';
import { fewShotPrompt } from '../src/worker/bench/run-bench.ts';
import { median } from '../src/worker/bench/median.ts';
import { ensureRealisticModel, REALISTIC_ID, REALISTIC_ROOT } from './realistic.ts';

const args = process.argv.slice(2);
const valueOf = (flag: string, fallback: number) => {
  const v = args.find((a, i) => args[i - 1] === flag);
  return v === undefined ? fallback : Number(v);
};
const rounds = valueOf('--rounds', 3);
const steps = valueOf('--steps', 8);

/** Median ms of `steps` one-token steps of `rows` rows after `prompt` (the prefill and the first step not counted). */
async function stepMs(model: TransformersModel, prompt: number[], rows: number): Promise<number> {
  const pre = await model.forward(
    { inputIds: [prompt], attentionMask: [prompt.map(() => 1)], positionIds: [prompt.map((_, i) => i)] },
    null,
  );
  let cache = await model.selectRows(
    pre.cache,
    Array.from({ length: rows }, () => 0),
  );
  const times: number[] = [];
  for (let s = 0; s <= steps; s++) {
    const at = prompt.length + s;
    const t0 = performance.now();
    const out = await model.forward(
      {
        inputIds: Array.from({ length: rows }, () => [prompt[s % prompt.length]!]),
        attentionMask: Array.from({ length: rows }, () => Array.from({ length: at + 1 }, () => 1)),
        positionIds: Array.from({ length: rows }, () => [at]),
      },
      cache,
    );
    if (s > 0) times.push(performance.now() - t0);
    cache = out.cache;
  }
  return median(times);
}

ensureRealisticModel();
env.allowRemoteModels = false;
env.localModelPath = `${REALISTIC_ROOT}/`;
const cores = availableParallelism();
const runtimeDefault = await TransformersModel.load(REALISTIC_ID, { device: 'cpu', dtype: 'fp32' });
const perCore = await TransformersModel.load(REALISTIC_ID, { device: 'cpu', dtype: 'fp32', threads: cores });
const short = runtimeDefault.encode('Q: 3 + 4 + 5\nA: 12. Q: 7 + 1 =');
const fewShot = fewShotPrompt(runtimeDefault);
const cases = [
  { name: `batch 1, ${short.length}-token prompt`, prompt: short, rows: 1 },
  { name: `batch 16, ${short.length}-token prompt`, prompt: short, rows: 16 },
  { name: `batch 1, ${fewShot.length}-token prompt`, prompt: fewShot, rows: 1 },
  { name: `batch 16, ${fewShot.length}-token prompt`, prompt: fewShot, rows: 16 },
];
const results: Record<string, { runtimeDefault: number[]; perCore: number[] }> = {};
for (const c of cases) results[c.name] = { runtimeDefault: [], perCore: [] };
for (let r = 0; r < rounds; r++)
  for (const c of cases) {
    results[c.name]!.runtimeDefault.push(await stepMs(runtimeDefault, c.prompt, c.rows));
    results[c.name]!.perCore.push(await stepMs(perCore, c.prompt, c.rows));
  }
await runtimeDefault.dispose();
await perCore.dispose();
console.log(`median step, ${rounds} alternated rounds of ${steps} steps; ${cores} cores`);
console.log(`${''.padEnd(28)} ${'runtime default'.padStart(16)} ${`${cores} threads`.padStart(12)}   speed-up`);
for (const [name, r] of Object.entries(results)) {
  const a = median(r.runtimeDefault);
  const b = median(r.perCore);
  console.log(
    `${name.padEnd(28)} ${`${a.toFixed(1)} ms`.padStart(16)} ${`${b.toFixed(1)} ms`.padStart(12)}   ${(a / b).toFixed(2)}×`,
  );
}
console.log(JSON.stringify({ cores, rounds, steps, results }));
