/**
 * npm run bench [-- --quick] [-- --models a,b] [-- --no-browser] [-- --realistic [-- --prefix-graph]]
 *   [-- --only main-thread|profile] [-- --items N] [-- --trace file.json] [-- --dtypes fp32,q8] [-- --browser-dtype q8]
 * Coax's engine against what a user would otherwise write, measured in one run: in Node (onnxruntime-node)
 * and in headless Chromium (WASM). Prints a table and, last, one JSON line. A script, not a test: it asserts
 * nothing about speed (CI runs --quick only so it cannot rot). --realistic: a random-weight model of SmolLM2-135M's
 * exact shape, exported once into .cache/ (bench/realistic.ts), instead of the bundled tiny models; it also runs the
 * 4-shot self-consistency row on the shared-prefix graph (bench/prefix.ts). --prefix-graph: only that row.
 * --only main-thread: only the page run's main-thread tasks (Chromium); --only profile: only the profile split of the
 * 4-shot run (Node). --items: items of the page run (default 20; 4 quick). --trace: write a Chromium performance trace
 * of that run (open it in the DevTools Performance panel, or summarise it with bench/long-tasks.ts).
 */
import { existsSync, statSync } from 'node:fs';
import { cpus } from 'node:os';
import { resolve } from 'node:path';
import { env } from '@huggingface/transformers';
import { build } from 'vite';
import { TransformersModel } from '../src/adapters/model/transformers-model.ts';
import { runBench, type BenchReport } from '../src/worker/bench/run-bench.ts';
import { scanModels } from '../tools/vite/model-manifest.ts';
import { browserBench } from './browser.ts';
import { profileFewShot, type ProfileSplit } from '../src/worker/bench/profile-split.ts';
import { prefixGraphBench, prefixGraphTable, type PrefixGraphBench } from './prefix.ts';
import {
  addToDist,
  cacheBytes,
  ensurePrefixGraph,
  ensureRealisticModel,
  REALISTIC_ID,
  REALISTIC_ROOT,
} from './realistic.ts';
import { mainThreadTarget, targets, targetTable, type Target } from './targets.ts';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const noBrowser = args.includes('--no-browser');
const realistic = args.includes('--realistic');
const valueOf = (flag: string) => args.find((a, i) => args[i - 1] === flag);
const modelsArg = valueOf('--models');
const only = valueOf('--only');
if (only !== undefined && only !== 'main-thread' && only !== 'profile')
  throw new Error(`--only takes main-thread or profile, not ${only}`);
const items = valueOf('--items') === undefined ? undefined : Number(valueOf('--items'));
const tracePath = valueOf('--trace');
const dtypesArg = valueOf('--dtypes')?.split(',');
const browserDtype = valueOf('--browser-dtype');
const prefixOnly = args.includes('--prefix-graph');
if (prefixOnly && !realistic) throw new Error('--prefix-graph goes with --realistic');
const modelsDir = realistic ? REALISTIC_ROOT : resolve('public/models');
const models = realistic
  ? [REALISTIC_ID]
  : modelsArg
    ? modelsArg.split(',')
    : scanModels(modelsDir)
        .filter((m) => m.modelType === 'llama' || m.modelType === 'gpt2')
        .map((m) => m.id);

const x = (v: number) => `${v.toFixed(1)}×`;
const ms = (v: number) => `${v.toFixed(0)} ms`;

function table(where: string, r: BenchReport): string {
  const lines = [
    `## ${where} · ${r.model}`,
    ...(r.memory
      ? [
          `memory     RSS ${(r.memory.beforeBytes / 2 ** 20).toFixed(0)} MB before, ${(r.memory.peakBytes / 2 ** 20).toFixed(0)} MB peak during the 4-shot run`,
        ]
      : []),
    `tokens/s   ${r.throughput.map((t) => `batch ${t.batch}: ${t.tokensPerSecond.toFixed(0)}`).join('   ')}`,
    `CoT-decoding k=${r.cotDecoding.k}, ${r.cotDecoding.newTokens} tokens: Coax ${ms(r.cotDecoding.coaxMs)} vs ${r.cotDecoding.k}× generate() ${ms(r.cotDecoding.peerMs)} → ${x(r.cotDecoding.speedup)}, outputs equal: ${r.cotDecoding.outputsEqual}`,
    ...[r.selfConsistency, r.selfConsistencyFewShot].map(
      (sc) =>
        `self-consistency n=${sc.n}, T=${sc.temperature}, ${sc.promptTokens}-token prompt: Coax ${ms(sc.coaxMs)} (${sc.coaxTokens} tok) vs ${sc.n}× generate() ${ms(sc.peerMs)} (${sc.peerTokens} tok) → ${x(sc.speedup)}, per token ${x(sc.tokenRateSpeedup)}`,
    ),
    `waves for the 4-shot run: ${r.waves.plan.join(' + ')} rows (${ms(r.waves.coaxMs)}) vs one batch of ${r.selfConsistencyFewShot.n} (${ms(r.waves.oneBatchMs)})`,
    `engine overhead, batch 1, ${r.overhead.steps} steps: Coax ${ms(r.overhead.coaxMs)} vs bare session.run ${ms(r.overhead.bareMs)} → ${r.overhead.overheadPercent.toFixed(1)}%, same tokens: ${r.overhead.sameTokens}`,
  ];
  return lines.join('\n');
}

async function main(): Promise<void> {
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, Node ${process.version}`;
  console.log(`Coax benchmark (${quick ? 'quick' : 'full'}${realistic ? ', realistic' : ''}) on ${machine}\n`);
  if (realistic) ensurePrefixGraph(ensureRealisticModel());
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  env.localModelPath = `${modelsDir}/`;
  if (prefixOnly) {
    const prefixGraph = await prefixRow();
    console.log(JSON.stringify({ machine, quick, realistic, prefixGraph }));
    return;
  }
  const node: BenchReport[] = [];
  const targetRows: Record<string, { node: Target[]; browser?: Target[] }> = {};
  // The realistic model also runs quantised (training/quantize.py: dynamic int8, transformers.js dtype "q8").
  const dtypes = dtypesArg ?? (realistic ? ['fp32', 'q8'] : ['fp32']);
  const runs = models.flatMap((id) => dtypes.map((dtype) => ({ id, dtype })));
  const profile: Record<string, { node: ProfileSplit }> = {};
  for (const { id, dtype } of only === 'main-thread' ? [] : runs) {
    const model = await TransformersModel.load(id, { device: 'cpu', dtype: dtype as 'fp32' | 'q8' });
    const name = dtype === 'fp32' ? id : `${id} · ${dtype}`;
    if (only !== 'profile') {
      const measured = await runBench(model, {
        quick,
        now: () => performance.now(),
        memory: () => process.memoryUsage().rss,
      });
      const r = { ...measured, model: name };
      node.push(r);
      console.log(table('Node, onnxruntime-node', r));
      targetRows[r.model] = { node: targets(r, context(id, r, dtype)) };
      console.log(`targets (Node):\n${targetTable(targetRows[r.model]!.node)}\n`);
    }
    const split = await profileFewShot(model, quick, () => performance.now());
    profile[name] = { node: split };
    console.log(`${profileRow(split)}\n`);
    await model.dispose();
  }
  const prefixGraph = realistic && only === undefined ? await prefixRow() : null;
  let browser: Awaited<ReturnType<typeof browserBench>> | null = null;
  if (!noBrowser && only !== 'profile') {
    if (!existsSync('dist/index.html')) await build({ logLevel: 'warn' });
    if (realistic) addToDist(`${REALISTIC_ROOT}/${REALISTIC_ID}`);
    browser = await browserBench(models, {
      quick,
      items,
      workerBench: only !== 'main-thread',
      tracePath,
      loadTimeoutMs: realistic ? 1_200_000 : 300_000,
      ...(browserDtype ? { dtype: browserDtype } : {}),
    });
    for (const r of browser.reports) {
      console.log(table('Chromium, WASM', r));
      const rows = targets(r, {
        ...context(r.model, r),
        longestTaskMs: browser.longestTaskMs,
        longTasks: browser.longTasks,
      });
      (targetRows[r.model] ??= { node: [] }).browser = rows;
      console.log(`targets (Chromium, WASM):\n${targetTable(rows)}\n`);
    }
    const main = mainThreadTarget(browser.longestTaskMs, browser.longTasks);
    if (only === 'main-thread') for (const id of models) (targetRows[id] ??= { node: [] }).browser = [main];
    console.log(
      `main thread during a page run of ${items ?? (quick ? 4 : 20)} items:\n${targetTable([main])}\n  first run in a fresh page: longest task ${browser.firstRunLongestMs.toFixed(0)} ms\n`,
    );
  }
  const flat = (rows: Target[] | undefined) =>
    Object.fromEntries((rows ?? []).map((t) => [t.key, { value: t.value, target: t.target, met: t.met }]));
  const targetsJson = Object.fromEntries(
    Object.entries(targetRows).map(([id, t]) => [id, { node: flat(t.node), browser: flat(t.browser) }]),
  );
  console.log(JSON.stringify({ machine, quick, realistic, targets: targetsJson, profile, node, prefixGraph, browser }));
}

/** The profile split as one table row: each piece's share of the run's wall time. */
function profileRow(p: ProfileSplit & { n: number; promptTokens: number }): string {
  const pc = (v: number) => `${((v / p.totalMs) * 100).toFixed(0)} %`;
  return [
    `profile split, self-consistency n=${p.n}, ${p.promptTokens}-token 4-shot prompt (${ms(p.totalMs)}, ${p.forwardCalls} forward calls, ${p.selectRowsCalls} selectRows):`,
    `  runtime (session.run) ${pc(p.runtimeMs)}, of which the prompt's prefill ${pc(p.prefillMs)} · adapter around it (feeds, logits copy) ${pc(p.adapterMs)} · cache copies (selectRows) ${pc(p.cacheCopiesMs)} · our loop (sampling, traces, bookkeeping) ${pc(p.loopMs)}, of which detokenising ${pc(p.detokeniseMs)}`,
  ].join('\n');
}

/** The realistic model's 4-shot self-consistency on the stock graph vs the shared-prefix graph (Node, fp32). */
async function prefixRow(): Promise<PrefixGraphBench> {
  const r = await prefixGraphBench(REALISTIC_ID, quick);
  console.log(`${prefixGraphTable(r)}\n`);
  return r;
}

/** Model size and one cache copy for the memory target (the realistic model's shape is known; others skip it). */
function context(id: string, r: BenchReport, dtype = 'fp32'): { modelBytes?: number; cacheCopyBytes?: number } {
  if (id !== REALISTIC_ID) return {};
  const sc = r.selfConsistencyFewShot;
  const file = dtype === 'q8' ? 'model_quantized.onnx' : 'model.onnx';
  return {
    modelBytes: statSync(`${REALISTIC_ROOT}/${REALISTIC_ID}/onnx/${file}`).size,
    cacheCopyBytes: cacheBytes(sc.n, sc.promptTokens + sc.newTokens),
  };
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
