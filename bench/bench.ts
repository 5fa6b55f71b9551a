/**
 * npm run bench [-- --quick] [-- --models a,b] [-- --no-browser] [-- --realistic [-- --prefix-graph]]
 *   [-- --only main-thread|profile|browser] [-- --items N] [-- --trace file.json] [-- --dtypes fp32,q8]
 *   [-- --browser-dtype q8]
 * Coax's engine against what a user would otherwise write, measured in one run: in Node (onnxruntime-node)
 * and in headless Chromium (WASM). Prints a table and, last, one JSON line. A script, not a test: it asserts
 * nothing about speed (CI runs --quick only so it cannot rot). --realistic: a random-weight model of SmolLM2-135M's
 * exact shape, exported once into .cache/ (bench/realistic.ts), instead of the bundled tiny models; it also runs the
 * 4-shot self-consistency row on the shared-prefix graph, in Node (bench/prefix.ts) and in the page's worker
 * (src/worker/bench/prefix-bench.ts). --prefix-graph: only that row (Node, then Chromium unless --no-browser).
 * The header and the JSON line carry the machine's load average at the start and the end (`load`).
 * --only main-thread: only the page run's main-thread tasks (Chromium); --only profile: only the profile split of the
 * 4-shot run (Node); --only browser: only the Chromium part (page runs, worker benchmark, shared-prefix row).
 * --items: items of the page run (default 20; 4 quick). --trace: write a Chromium performance trace of that run
 * (open it in the DevTools Performance panel, or summarise it with bench/long-tasks.ts).
 */
import { statSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { env } from '@huggingface/transformers';
import { build } from 'vite';
import { loadOnNode } from '../cli/node-model.ts';
import { runBench, type BenchReport } from '../src/worker/bench/run-bench.ts';
import { scanModels } from '../tools/vite/model-manifest.ts';
import { browserBench, type BrowserBench } from './browser.ts';
import { formatPhases } from '../src/worker/load-phases.ts';
import { PREFIX_GRAPH_TARGET } from '../src/worker/bench/prefix-bench.ts';
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
if (only !== undefined && only !== 'main-thread' && only !== 'profile' && only !== 'browser')
  throw new Error(`--only takes main-thread, profile or browser, not ${only}`);
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

/** The browser's memory reading (bench/renderer-memory.ts): the peak over the whole worker benchmark. */
const BROWSER_MEMORY = "peak RSS of Chromium's renderers (page, worker, JS and WASM heaps) over the worker benchmark";
const x = (v: number) => `${v.toFixed(1)}×`;
const ms = (v: number) => `${v.toFixed(0)} ms`;

function table(where: string, r: BenchReport): string {
  const lines = [
    `## ${where} · ${r.model}`,
    ...(r.memory
      ? [
          `memory     ${where.startsWith('Node') ? 'RSS' : 'renderer RSS'} ${(r.memory.beforeBytes / 2 ** 20).toFixed(0)} MB before, ${(r.memory.peakBytes / 2 ** 20).toFixed(0)} MB peak ${where.startsWith('Node') ? 'during the 4-shot run' : 'over the worker benchmark'}`,
        ]
      : []),
    `tokens/s   ${r.throughput.map((t) => `batch ${t.batch}: ${t.tokensPerSecond.toFixed(0)}`).join('   ')}`,
    `CoT-decoding k=${r.cotDecoding.k}, ${r.cotDecoding.newTokens} tokens: Coax ${ms(r.cotDecoding.coaxMs)} vs ${r.cotDecoding.k}× generate() ${ms(r.cotDecoding.peerMs)} → ${x(r.cotDecoding.speedup)}, outputs equal: ${r.cotDecoding.outputsEqual}`,
    ...[r.selfConsistency, r.selfConsistencyFewShot].map(
      (sc) =>
        `self-consistency n=${sc.n}, T=${sc.temperature}, ${sc.promptTokens}-token prompt: Coax ${ms(sc.coaxMs)} (${sc.coaxTokens} tok) vs ${sc.n}× generate() ${ms(sc.peerMs)} (${sc.peerTokens} tok) → ${x(sc.speedup)}, per token ${x(sc.tokenRateSpeedup)}`,
    ),
    `waves for the 4-shot run: ${r.waves.plan.join(' + ')} rows (${ms(r.waves.coaxMs)}) vs one batch of ${r.selfConsistencyFewShot.n} (${ms(r.waves.oneBatchMs)})`,
    `  measured by a WaveTuner over ${r.waves.tuned.length} calls: ${r.waves.tuned.map((t) => `${t.plan.join(' + ')} (${ms(t.ms)})`).join(', ')}`,
    `engine overhead, batch 1, ${r.overhead.steps} steps (median of ${r.overhead.rounds} alternated runs): Coax ${ms(r.overhead.coaxMs)} vs bare session.run ${ms(r.overhead.bareMs)} → ${r.overhead.overheadPercent.toFixed(1)}%, same tokens: ${r.overhead.sameTokens}`,
  ];
  return lines.join('\n');
}

/** The machine's load average (1, 5, 15 minutes) now: a run on a busy machine says so in its header and JSON. */
const loadNow = () => loadavg().map((v) => Number(v.toFixed(2)));
const loadLine = (l: number[]) => `${l.map((v) => v.toFixed(2)).join(' / ')} (1 / 5 / 15 min)`;

async function main(): Promise<void> {
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, Node ${process.version}`;
  const load = { cores: cpus().length, start: loadNow(), end: [] as number[] };
  console.log(
    `Coax benchmark (${quick ? 'quick' : 'full'}${realistic ? ', realistic' : ''}) on ${machine}\n` +
      `load average at start ${loadLine(load.start)} on ${load.cores} cores${load.start[0]! > load.cores / 2 ? ' — not a quiet machine: read ratios only' : ''}\n`,
  );
  const finish = (json: Record<string, unknown>) => {
    load.end = loadNow();
    console.log(`load average at end ${loadLine(load.end)} on ${load.cores} cores\n`);
    console.log(JSON.stringify({ machine, load, quick, realistic, ...json }));
  };
  if (realistic) ensurePrefixGraph(ensureRealisticModel());
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  env.localModelPath = `${modelsDir}/`;
  if (prefixOnly) {
    // The shared-prefix row only: in Node, then in the page's worker (WASM loads the prefix graph; the stock graph is
    // loaded beside it), with no page run and no full benchmark.
    const prefixGraph = await prefixRow();
    const browser = noBrowser ? null : await browserPhase({ pageRuns: false, workerBench: false, prefixGraph: true });
    const prefixGraphBrowser = browser?.prefixGraphs[0] ?? null;
    finish({ targets: prefixTargets(prefixGraph, prefixGraphBrowser), prefixGraph, prefixGraphBrowser, browser });
    return;
  }
  const node: BenchReport[] = [];
  const targetRows: Record<string, { node: Target[]; browser?: Target[] }> = {};
  // The realistic model also runs quantised (training/quantize.py: dynamic int8, transformers.js dtype "q8").
  const dtypes = dtypesArg ?? (realistic ? ['fp32', 'q8'] : ['fp32']);
  const runs = models.flatMap((id) => dtypes.map((dtype) => ({ id, dtype })));
  const profile: Record<string, { node: ProfileSplit }> = {};
  for (const { id, dtype } of only === 'main-thread' || only === 'browser' ? [] : runs) {
    const model = await loadOnNode(id, { dtype: dtype as 'fp32' | 'q8' });
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
      targetRows[r.model] = { node: targets(r, { ...context(id, r, dtype), afterAnotherModel: node.length > 1 }) };
      console.log(`targets (Node):\n${targetTable(targetRows[r.model]!.node)}\n`);
    }
    const split = await profileFewShot(model, quick, () => performance.now());
    profile[name] = { node: split };
    console.log(`${profileRow(split)}\n`);
    await model.dispose();
  }
  const prefixGraph = realistic && only === undefined ? await prefixRow() : null;
  let browser: BrowserBench | null = null;
  if (!noBrowser && only !== 'profile') {
    browser = await browserPhase({
      workerBench: only !== 'main-thread',
      // The page's row of the shared-prefix graph, where it loaded one (fp32 on WASM; no q8 prefix graph is made).
      prefixGraph: realistic && (only === undefined || only === 'browser') && (browserDtype ?? 'fp32') === 'fp32',
    });
    for (const r of browser.reports) {
      console.log(table('Chromium, WASM', r));
      const rows = targets(r, {
        ...context(r.model, r),
        memoryWhat: BROWSER_MEMORY,
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
  const prefixGraphBrowser = browser?.prefixGraphs[0] ?? null;
  const targetsJson: Record<string, { node: Record<string, unknown>; browser: Record<string, unknown> }> = {
    ...Object.fromEntries(
      Object.entries(targetRows).map(([id, t]) => [id, { node: flat(t.node), browser: flat(t.browser) }]),
    ),
  };
  for (const [id, t] of Object.entries(prefixTargets(prefixGraph, prefixGraphBrowser))) {
    const row = (targetsJson[id] ??= { node: {}, browser: {} });
    Object.assign(row.node, t.node);
    Object.assign(row.browser, t.browser);
  }
  finish({ targets: targetsJson, profile, node, prefixGraph, prefixGraphBrowser, browser });
}

const flat = (rows: Target[] | undefined) =>
  Object.fromEntries((rows ?? []).map((t) => [t.key, { value: t.value, target: t.target, met: t.met }]));

/** The shared-prefix rows' target under a stable key: targets.<model>.node|browser.prefixGraphFewShotSpeedup. */
function prefixTargets(
  ...rows: (PrefixGraphBench | null)[]
): Record<string, { node: Record<string, unknown>; browser: Record<string, unknown> }> {
  const out: Record<string, { node: Record<string, unknown>; browser: Record<string, unknown> }> = {};
  for (const r of rows) {
    if (!r) continue;
    const side = r.where.startsWith('Node') ? 'node' : 'browser';
    const row = (out[r.model] ??= { node: {}, browser: {} });
    row[side] = flat([
      {
        key: 'prefixGraphFewShotSpeedup',
        what: `self-consistency n=${r.n}, 4-shot prompt, on the shared-prefix graph vs ${r.n}× generate()`,
        value: r.prefixVsGenerate,
        target: `≥ ${PREFIX_GRAPH_TARGET}×`,
        met: r.prefixVsGenerate >= PREFIX_GRAPH_TARGET,
      },
    ]);
  }
  return out;
}

/**
 * The Chromium phase: builds the site, puts the realistic model into it, and prints how each load went. Always a
 * fresh build: a dist/ left from before an edit had the page measure the old code (and crash the table on a report
 * field the old worker did not send).
 */
async function browserPhase(
  what: Pick<Parameters<typeof browserBench>[1], 'workerBench' | 'prefixGraph' | 'pageRuns'>,
): Promise<BrowserBench> {
  await build({ logLevel: 'warn' });
  if (realistic) addToDist(`${REALISTIC_ROOT}/${REALISTIC_ID}`);
  const browser = await browserBench(models, {
    quick,
    items,
    tracePath,
    loadTimeoutMs: realistic ? 1_200_000 : 300_000,
    ...(browserDtype ? { dtype: browserDtype } : {}),
    ...what,
  });
  for (const l of browser.loads)
    console.log(
      `## Chromium, WASM · loading ${l.model} · ${l.dtype}${l.sharedPrefix ? ' (shared-prefix graph)' : ''} in the page: ${(l.loadMs / 1000).toFixed(1)} s\n  ${formatPhases(l.phases)}\n`,
    );
  for (const r of browser.prefixGraphs) console.log(`${prefixGraphTable(r)}\n`);
  return browser;
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
