/**
 * npm run bench [-- --quick] [-- --models a,b] [-- --no-browser]
 * Coax's engine against what a user would otherwise write, measured in one run: in Node (onnxruntime-node)
 * and in headless Chromium (WASM). Prints a table and, last, one JSON line. A script, not a test: it asserts
 * nothing about speed (CI runs --quick only so it cannot rot).
 */
import { existsSync } from 'node:fs';
import { cpus } from 'node:os';
import { resolve } from 'node:path';
import { env } from '@huggingface/transformers';
import { build } from 'vite';
import { TransformersModel } from '../src/adapters/transformers-model.ts';
import { runBench, type BenchReport } from '../src/bench/run-bench.ts';
import { scanModels } from '../tools/vite/model-manifest.ts';
import { browserBench } from './browser.ts';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const noBrowser = args.includes('--no-browser');
const modelsArg = args.find((a, i) => args[i - 1] === '--models');
const modelsDir = resolve('public/models');
const models = modelsArg
  ? modelsArg.split(',')
  : scanModels(modelsDir)
      .filter((m) => m.modelType === 'llama' || m.modelType === 'gpt2')
      .map((m) => m.id);

const x = (v: number) => `${v.toFixed(1)}×`;
const ms = (v: number) => `${v.toFixed(0)} ms`;

function table(where: string, r: BenchReport): string {
  const lines = [
    `## ${where} · ${r.model}`,
    `tokens/s   ${r.throughput.map((t) => `batch ${t.batch}: ${t.tokensPerSecond.toFixed(0)}`).join('   ')}`,
    `CoT-decoding k=${r.cotDecoding.k}, ${r.cotDecoding.newTokens} tokens: Coax ${ms(r.cotDecoding.coaxMs)} vs ${r.cotDecoding.k}× generate() ${ms(r.cotDecoding.peerMs)} → ${x(r.cotDecoding.speedup)} (target ≥ 5×), outputs equal: ${r.cotDecoding.outputsEqual}`,
    ...[r.selfConsistency, r.selfConsistencyFewShot].map(
      (sc) =>
        `self-consistency n=${sc.n}, T=${sc.temperature}, ${sc.promptTokens}-token prompt: Coax ${ms(sc.coaxMs)} (${sc.coaxTokens} tok) vs ${sc.n}× generate() ${ms(sc.peerMs)} (${sc.peerTokens} tok) → ${x(sc.speedup)}, per token ${x(sc.tokenRateSpeedup)} (target ≥ 8×)`,
    ),
    `engine overhead, batch 1, ${r.overhead.steps} steps: Coax ${ms(r.overhead.coaxMs)} vs bare session.run ${ms(r.overhead.bareMs)} → ${r.overhead.overheadPercent.toFixed(1)}% (target ≤ 15%), same tokens: ${r.overhead.sameTokens}`,
  ];
  return lines.join('\n');
}

async function main(): Promise<void> {
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, Node ${process.version}`;
  console.log(`Coax benchmark (${quick ? 'quick' : 'full'}) on ${machine}\n`);
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  env.localModelPath = `${modelsDir}/`;
  const node: BenchReport[] = [];
  for (const id of models) {
    const model = await TransformersModel.load(id, { device: 'cpu' });
    const r = await runBench(model, { quick, now: () => performance.now() });
    await model.dispose();
    node.push(r);
    console.log(table('Node, onnxruntime-node', r), '\n');
  }
  let browser: Awaited<ReturnType<typeof browserBench>> | null = null;
  if (!noBrowser) {
    if (!existsSync('dist/index.html')) await build({ logLevel: 'warn' });
    browser = await browserBench(models, quick);
    for (const r of browser.reports) console.log(table('Chromium, WASM', r), '\n');
    console.log(
      `longest main-thread task during a run in the page: ${browser.longestTaskMs.toFixed(0)} ms (target: none over 50 ms; ${browser.longTasks} long tasks); first run in a fresh page: ${browser.firstRunLongestMs.toFixed(0)} ms\n`,
    );
  }
  console.log(JSON.stringify({ machine, quick, node, browser }));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
