/// <reference lib="webworker" />
// The inference worker's entry: its state (the backend, the loaded model, the run in progress) and the API the page
// calls through comlink. Loading lives in load-model.ts, SAEs in sae-source.ts, the heartbeat in heartbeat.ts.
import '../zod-jitless.ts';
import * as Comlink from 'comlink';
import type { TransformersModel } from '../adapters/model/transformers-model.ts';
import { outputKey, streamSuites } from '../core/run/run-suite.ts';
import { measureThroughput } from '../core/run/throughput.ts';
import { logitLens, logitLensAfter } from '../core/steer/lens.ts';
import { steerDirection } from '../core/methods/execute.ts';
import { contrastFeatures, topFeatures } from '../core/steer/sae.ts';
import { modelAsSteered } from '../core/steer/steered-model.ts';
import { applySources, chooseBackend, configureRuntime, describeBackend } from './backend.ts';
import { createExploreApi } from './explore-api.ts';
import { connectHeartbeat, inCall } from './heartbeat.ts';
import { hubDataCard, inspectRepo } from './hub-listing.ts';
import { installCheckedFetch, loadModel, loadStockGraph } from './load-model.ts';
import { progressReporter } from './load-progress.ts';
import { watchDevice } from './device-watch.ts';
import { gpuGather } from './gpu-gather.ts';
import { holdLifeLock } from './life-lock.ts';
import { saeSource, traceActs } from './sae-source.ts';
import { yieldToHost } from './yield-to-host.ts';
import type {
  BackendChoice,
  BackendInfo,
  HubSettings,
  LoadedModel,
  LoadRequest,
  RunRequest,
  WorkerApi,
  WorkerNotice,
} from './protocol.ts';

let backend: BackendInfo | null = null;
let model: TransformersModel | null = null;
let controller: AbortController | null = null;
let hub: HubSettings = { allowRemote: false, host: 'https://huggingface.co' };
let notify: ((n: WorkerNotice) => void) | null = null;

/** The request the loaded model was loaded with (the benchmarks load the same weights' stock graph beside it). */
let loadedRequest: LoadRequest | null = null;

installCheckedFetch(() => hub.host);

/** The fetch for asking the hub: refused unless the page switched downloads on (and started this worker from its hub entry). */
function hubFetch(): typeof fetch {
  if (!hub.allowRemote) throw new Error('downloads from the hub are off: switch them on to ask the hub');
  return globalThis.fetch.bind(globalThis);
}

/** When the WebGPU device is lost, the model on it is gone: switch to WASM and tell the page to load again. */
function onDeviceLost(why: string): void {
  if (!backend || backend.backend !== 'webgpu') return;
  backend = { ...backend, backend: 'wasm', reason: `${why}; fell back to WASM` };
  model = null;
  notify?.({ kind: 'device-lost', message: why });
}

/** The benchmark's peer calls (generate(), the bare loop) count as runtime calls for the heartbeat (see peers.ts). */
async function markBenchPeers(): Promise<void> {
  const { markPeerCalls } = await import('./bench/peers.ts');
  markPeerCalls((work, fn) => inCall('step', work, fn));
}

/**
 * Run `fn` on the stock graph (model.onnx) of the loaded shared-prefix model's weights, for the benchmarks. The prefix
 * graph is unloaded meanwhile and loaded again after: two fp32 sessions of a 135M-parameter model and a 16-row cache
 * do not fit one 4 GB WASM heap (the worker died, and the page's benchmark waited forever).
 */
async function onStockGraph<T>(fn: (stock: TransformersModel) => Promise<T>): Promise<T> {
  const request = loadedRequest;
  if (!request || !backend) throw new Error('no model loaded');
  await model?.dispose();
  model = null;
  try {
    const stock = await loadStockGraph(request, backend.backend);
    try {
      return await fn(stock);
    } finally {
      await stock.dispose();
    }
  } finally {
    const again = await loadModel(
      request,
      backend,
      hub,
      () => {},
      (wasm) => (backend = wasm),
    );
    backend = again.backend;
    model = again.model;
  }
}

const api: WorkerApi = {
  // Explore (src/worker/explore-api.ts): one prompt, its paths and forks, on the loaded model.
  ...createExploreApi(() => model, yieldToHost),

  async init(baseUrl: string, choice: BackendChoice, hubSettings: HubSettings, onNotice) {
    hub = hubSettings;
    notify = onNotice;
    const { ortVersion, threads, threadsNote } = await inCall('load', 0, () => configureRuntime(baseUrl));
    backend = { ...describeBackend(await chooseBackend(choice), ortVersion, threads), threadsNote };
    return backend;
  },

  heartbeat(port: MessagePort) {
    connectHeartbeat(port);
  },

  inspectRepo(id) {
    return inspectRepo(hubFetch(), hub.host, id);
  },

  hubDataCard(id) {
    return hubDataCard(hubFetch(), hub.host, id);
  },

  async loadModel(request, onProgress) {
    if (!backend) throw new Error('worker not initialised: call init() first');
    const started = performance.now();
    applySources(request.source, hub);
    const totals = new Map<string, number>();
    const next = await loadModel(request, backend, hub, progressReporter(onProgress, totals), (wasm) => {
      backend = wasm;
    });
    backend = next.backend;
    const old = model;
    model = next.model;
    loadedRequest = request;
    await old?.dispose().catch(() => {});
    if (backend.backend === 'webgpu') void watchDevice(onDeviceLost);
    const loaded: LoadedModel = {
      id: request.id,
      source: request.source,
      dtype: request.dtype,
      backend,
      vocabSize: next.model.vocabSize,
      ...next.model.describe(),
      bytes: [...totals.values()].reduce((a, b) => a + b, 0),
      downloadedBytes: next.downloadedBytes,
      fallback: next.fallback,
      loadMs: performance.now() - started,
      phases: next.phases,
    };
    return loaded;
  },

  async run(request: RunRequest, onProgress, onOutput) {
    if (!model) throw new Error('no model loaded');
    if (request.methods.length === 0) throw new Error('choose at least one method');
    if (request.suites.length === 0) throw new Error('choose at least one suite');
    controller = new AbortController();
    const done = new Set(request.done ?? []);
    // Each output crosses on the callback's own port: the run ends only once the page has every one (even when it
    // stops early), so nothing arrives after the page has closed the run.
    const delivered: Promise<unknown>[] = [];
    try {
      return await streamSuites(model, request.suites, request.methods, {
        skip: (suiteName, itemIndex, methodId) => done.has(outputKey(suiteName, itemIndex, methodId)),
        seed: request.seed,
        batchSize: request.batchSize,
        pathTokens: request.pathTokens ?? 'all',
        signal: controller.signal,
        yieldToHost,
        now: () => performance.now(),
        onProgress,
        onOutput: (...args) => void delivered.push(Promise.resolve(onOutput(...args)).catch(() => {})),
        sae: saeSource(model),
      });
    } finally {
      controller = null;
      await Promise.all(delivered);
    }
  },

  cancel() {
    controller?.abort();
  },

  alive() {
    return holdLifeLock();
  },

  async bench(quick) {
    if (!model) throw new Error('no model loaded');
    // Loaded on demand: the benchmark and its peers are not part of a normal session.
    const { runBench } = await import('./bench/run-bench.ts');
    await markBenchPeers();
    if (!model.sharedPrefix || !backend || !loadedRequest)
      return runBench(model, { quick, now: () => performance.now() });
    // A shared-prefix graph: the rows run on the stock graph of the same weights (see loadStockGraph).
    return onStockGraph((stock) => runBench(stock, { quick, now: () => performance.now() }));
  },

  async benchPrefixGraph(quick) {
    if (!model || !backend || !loadedRequest) throw new Error('no model loaded');
    if (!model.sharedPrefix)
      throw new Error(`${model.id}: the loaded graph is not a shared-prefix graph (onnx/model_prefix.onnx, WASM only)`);
    const { prefixGraphBench } = await import('./bench/prefix-bench.ts');
    await markBenchPeers();
    return prefixGraphBench(model, onStockGraph, {
      quick,
      where: 'Chromium, WASM',
      dtype: loadedRequest.dtype ?? 'fp32',
      now: () => performance.now(),
    });
  },

  async lens(prompt, ids, steer) {
    if (!model) throw new Error('no model loaded');
    if (!steer) return logitLens(model, [...model.encode(prompt), ...ids]);
    // Read as the steered method decoded: steering only where it added it.
    return logitLensAfter(modelAsSteered(model, steer.steer, steer.direction), model.encode(prompt), ids);
  },

  async steerDirections(suites, methods) {
    if (!model) throw new Error('no model loaded');
    const out: Record<string, Record<string, number[]>> = {};
    for (const suite of suites)
      for (const m of methods)
        if (m.steer) (out[suite.name] ??= {})[m.id] = await steerDirection(model, m.steer, suite, saeSource(model));
    return out;
  },

  async saeLayers() {
    if (!model?.hiddenIo) return [];
    const source = saeSource(model);
    const layers: number[] = [];
    for (let l = 0; l < model.hiddenIo.layers; l++)
      if (
        await source(l).then(
          () => true,
          () => false,
        )
      )
        layers.push(l);
    return layers;
  },

  async features(prompt, ids, layer, steer) {
    const sae = await saeSource(model)(layer);
    return topFeatures(sae, await traceActs(model, sae, { prompt, ids, steer }, layer), 10);
  },

  async featureContrast(a, b, layer) {
    const sae = await saeSource(model)(layer);
    return contrastFeatures(sae, await traceActs(model, sae, a, layer), await traceActs(model, sae, b, layer), 10);
  },

  async throughput(batch, newTokens) {
    if (!model) throw new Error('no model loaded');
    return measureThroughput(model, batch, newTokens, () => performance.now());
  },

  gpuGather(on) {
    return gpuGather(model, on);
  },
};

Comlink.expose(api);
