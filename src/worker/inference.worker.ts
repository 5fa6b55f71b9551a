/// <reference lib="webworker" />
import '../zod-jitless.ts';
import * as Comlink from 'comlink';
import { env, type ProgressInfo } from '@huggingface/transformers';
import { TransformersModel } from '../adapters/model/transformers-model.ts';
import { outputKey, streamSuites } from '../core/run/run-suite.ts';
import { measureThroughput } from '../core/run/throughput.ts';
import { logitLens, logitLensAfter } from '../core/steer/lens.ts';
import { steerDirection, type SaeSource } from '../core/methods/execute.ts';
import { contrastFeatures, encodeSae, parseSae, topFeatures, traceResiduals, type Sae } from '../core/steer/sae.ts';
import { modelAsSteered } from '../core/steer/steered-model.ts';
import { applySources, chooseBackend, configureRuntime, describeBackend } from './backend.ts';
import { checkedFetch, type FetchStats } from './checked-fetch.ts';
import { explainLoadError, isDownloadFailure } from './load-errors.ts';
import { createExploreApi } from './explore-api.ts';
import { connectHeartbeat, inCall, markCalls } from './heartbeat.ts';
import { chooseGraph } from './dtypes.ts';
import {
  DAMAGED_CACHE,
  mergeProgress,
  type BackendChoice,
  type BackendInfo,
  type FileProgress,
  type HubSettings,
  type LoadRequest,
  type LoadedModel,
  type RunRequest,
  type TraceRef,
  type WorkerApi,
  type WorkerNotice,
} from './protocol.ts';
import { errorMessage } from '../core/errors.ts';

let backend: BackendInfo | null = null;
let model: TransformersModel | null = null;
let controller: AbortController | null = null;
let hub: HubSettings = { allowRemote: false, host: 'https://huggingface.co' };
let notify: ((n: WorkerNotice) => void) | null = null;
let saes: { modelId: string; layers: Map<number, Promise<Sae>> } | null = null;

/** The loaded model's SAEs, fetched from its folder's sae/ on first use (a Coax model's; others have none). */
function saeSource(): SaeSource {
  if (!model) throw new Error('no model loaded');
  const id = model.id;
  if (saes?.modelId !== id) saes = { modelId: id, layers: new Map() };
  const cache = saes;
  return (layer) => {
    let p = cache.layers.get(layer);
    if (!p) {
      p = fetchSae(id, layer);
      cache.layers.set(layer, p);
    }
    return p;
  };
}

/** SAE activations at each position of a trace that chose a token, read as its method saw the model. */
async function traceActs(sae: Sae, t: TraceRef, layer: number): Promise<Float32Array[]> {
  if (!model) throw new Error('no model loaded');
  const read = modelAsSteered(model, t.steer?.steer, t.steer?.direction);
  const rows = await traceResiduals(read, model.encode(t.prompt), t.ids, layer);
  return rows.map((x) => encodeSae(sae, x));
}

async function fetchSae(id: string, layer: number): Promise<Sae> {
  const base = `${env.localModelPath}${id}/sae/`;
  const missing = `${id} ships no SAE for layer ${layer} (sae/layer${layer}.json in its folder; training/sae/train_sae.py writes one)`;
  const res = await fetch(`${base}layer${layer}.json`).catch(() => null);
  // A dev server answers a missing file with the page itself: only JSON counts.
  if (!res?.ok || !(res.headers.get('content-type') ?? '').includes('json')) throw new Error(missing);
  const meta = (await res.json()) as { weights?: string };
  const bin = await fetch(`${base}${meta.weights ?? `layer${layer}.bin`}`);
  if (!bin.ok) throw new Error(`${missing}: its weights did not load (HTTP ${bin.status})`);
  return parseSae(meta, await bin.arrayBuffer());
}
const stats: FetchStats = { hubBytes: 0 };
/** The sizes of the model being loaded (LoadRequest.sizes). */
let expectedSizes: Record<string, number> = {};
env.fetch = checkedFetch(
  globalThis.fetch.bind(globalThis),
  () => hub.host,
  stats,
  (file) => expectedSizes[file],
);

/** The browser cache transformers.js keeps downloads in (env.cacheKey). */
const CACHE_NAME = 'transformers-cache';

/** A load that failed because a file could not be parsed (ONNX protobuf, JSON): a damaged copy, perhaps cached. */
function isParseFailure(err: unknown): boolean {
  return /protobuf parsing failed|failed to load model|invalid model|Unexpected token|not valid JSON|JSON\.parse|Unexpected end of/i.test(
    errorMessage(err),
  );
}

/** A load failed on a damaged cached copy, which is now deleted: the page loads the model again in a fresh worker. */
class DamagedCacheError extends Error {
  override readonly name = DAMAGED_CACHE;
}

/** Delete every cached file of a model; returns how many there were. */
async function dropCached(request: LoadRequest): Promise<number> {
  if (typeof caches === 'undefined') return 0;
  const cache = await caches.open(CACHE_NAME);
  const prefix =
    request.source === 'hub'
      ? `${hub.host}/${request.id}/resolve/`
      : new URL(`${env.localModelPath.replace(/\/?$/, '/')}${request.id}/`, self.location.href).href;
  let n = 0;
  for (const key of await cache.keys())
    if (key.url.startsWith(prefix)) {
      await cache.delete(key);
      n++;
    }
  return n;
}

// A task boundary (not a microtask) between decoding steps, so a cancel message from the page is handled.
const channel = new MessageChannel();
const waiting: (() => void)[] = [];
channel.port1.onmessage = () => waiting.shift()?.();
function yieldToHost(): Promise<void> {
  return new Promise((resolve) => {
    waiting.push(resolve);
    channel.port2.postMessage(null);
  });
}

/**
 * transformers.js progress as per-file progress, at most every 100 ms per file (the latest state always arrives): `progress_total` announces every
 * file of the model with its size up front (so the page's overall bar knows the total early).
 */
function progressReporter(
  onProgress: (p: FileProgress) => void,
  totals: Map<string, number>,
): (info: ProgressInfo) => void {
  const latest = new Map<string, FileProgress>();
  const lastSent = new Map<string, number>();
  const pending = new Map<string, ReturnType<typeof setTimeout>>();
  const send = (file: string) => {
    clearTimeout(pending.get(file));
    pending.delete(file);
    lastSent.set(file, performance.now());
    onProgress(latest.get(file)!);
  };
  const update = (file: string, loaded: number, total: number, done: boolean) => {
    const p = mergeProgress(latest.get(file), { file, loaded, total, done });
    if (p.done) p.loaded = Math.max(p.loaded, p.total);
    latest.set(file, p);
    totals.set(file, Math.max(p.total, p.loaded));
    const wait = 100 - (performance.now() - (lastSent.get(file) ?? -Infinity));
    if (p.done || wait <= 0) send(file);
    // A file that stalls still shows the bytes it got: the last update goes out when the interval is over.
    else if (!pending.has(file))
      pending.set(
        file,
        setTimeout(() => send(file), wait),
      );
  };
  return (info) => {
    const i = info as {
      status: string;
      file?: string;
      loaded?: number;
      total?: number;
      files?: Record<string, { loaded: number; total: number }>;
    };
    if (i.status === 'progress_total' && i.files) {
      for (const [file, f] of Object.entries(i.files)) if (!latest.has(file)) update(file, f.loaded, f.total, false);
      return;
    }
    if (!i.file) return;
    if (i.status === 'progress') update(i.file, i.loaded ?? 0, i.total ?? 0, false);
    else if (i.status === 'done') update(i.file, 0, 0, true);
    else if (i.status === 'initiate' && !latest.has(i.file)) update(i.file, 0, 0, false);
  };
}

/** One forward pass over a few tokens: NaN logits (the adapter checks its first forward) show up now, not mid-run. */
async function probe(m: TransformersModel): Promise<void> {
  const ids = m.encode('The').slice(0, 8);
  const row = ids.length > 0 ? ids : [m.eosTokenIds[0] ?? 0];
  const out = await m.forward(
    { inputIds: [row], attentionMask: [row.map(() => 1)], positionIds: [row.map((_, i) => i)] },
    null,
  );
  m.release(out.cache);
}

/** The dtype the loaded model was asked for (the benchmark loads the same weights' stock graph beside it). */
let loadedDtype: LoadRequest['dtype'];

/** See WorkerApi.gpuGather: on unless a test switched it off. */
let gpuGatherOn = true;

async function loadOn(
  request: LoadRequest,
  device: 'webgpu' | 'wasm',
  report: (info: ProgressInfo) => void,
): Promise<TransformersModel> {
  // WASM loads a folder's shared-prefix graph when it has one; WebGPU keeps the stock graph (not tested there yet).
  const modelFileName = device === 'wasm' ? chooseGraph(Object.keys(request.sizes ?? {}), request.dtype) : 'model';
  // One long runtime call for the heartbeat: compiling the model and creating its session may block the event loop.
  const m = await inCall('load', 0, () =>
    TransformersModel.load(request.id, {
      device,
      dtype: request.dtype,
      onProgress: report,
      gpuGather: gpuGatherOn,
      modelFileName,
    }),
  );
  // Its forward passes are marked for the heartbeat from here on (runs, Explore, the lens, the benchmark): the probe
  // is the first step the page measures, so even the first prefill of a run is allowed a time scaled to this model.
  markCalls(m);
  try {
    await probe(m);
  } catch (err) {
    await m.dispose().catch(() => {});
    throw err;
  }
  return m;
}

interface GpuDeviceLike {
  lost: Promise<{ reason: string; message: string }>;
}
const watched = new WeakSet<object>();

/** When the WebGPU device is lost, the model on it is gone: switch to WASM and tell the page to load again. */
async function watchDevice(): Promise<void> {
  const webgpu = (env.backends.onnx as { webgpu?: { device?: GpuDeviceLike | Promise<GpuDeviceLike> } }).webgpu;
  let device: GpuDeviceLike | undefined;
  try {
    // A promise of the device in ONNX Runtime's typings; the device itself in some builds.
    device = await webgpu?.device;
  } catch {
    return;
  }
  if (!device || typeof device.lost?.then !== 'function' || watched.has(device)) return;
  watched.add(device);
  void device.lost.then((info) => {
    if (info.reason === 'destroyed' || !backend || backend.backend !== 'webgpu') return;
    const why = `the WebGPU device was lost (${info.message || info.reason})`;
    backend = { ...backend, backend: 'wasm', reason: `${why}; fell back to WASM` };
    model = null;
    notify?.({ kind: 'device-lost', message: why });
  });
}

let lifeLock: Promise<void> | null = null;

/**
 * Hold a Web Lock named after this worker for as long as it lives: when the worker ends (terminated, closed, crashed)
 * the browser releases it, and the page, waiting for the same lock, learns that the worker is gone. Resolves once held.
 */
function holdLifeLock(): Promise<void> {
  const locks = (self as unknown as { navigator: Navigator }).navigator.locks;
  if (!locks || !self.name) return Promise.resolve();
  lifeLock ??= new Promise<void>((held) => {
    void locks.request(self.name, () => {
      held();
      return new Promise<never>(() => {});
    });
  });
  return lifeLock;
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

  configureHub(hubSettings: HubSettings) {
    hub = hubSettings;
  },

  async loadModel(request, onProgress) {
    if (!backend) throw new Error('worker not initialised: call init() first');
    const started = performance.now();
    applySources(request.source, hub);
    stats.hubBytes = 0;
    expectedSizes = request.sizes ?? {};
    const totals = new Map<string, number>();
    const report = progressReporter(onProgress, totals);
    let next: TransformersModel;
    let fallback: string | null = null;
    try {
      try {
        next = await loadOn(request, backend.backend, report);
      } catch (err) {
        // A file that cannot be parsed may be a damaged copy in the browser cache (a download cut short before it was
        // checked, a file that was broken on the server): drop the model's cached files, and let the page load it
        // again in a fresh worker (the runtime keeps state from the failed attempt that a retry here would reuse).
        if (!isParseFailure(err) || request.retry) throw err;
        const dropped = await dropCached(request).catch(() => 0);
        if (dropped === 0) throw err;
        throw new DamagedCacheError(
          `${request.id}: a file could not be read (${errorMessage(err).slice(0, 200)}); its ${dropped} cached file(s) were deleted from the browser cache`,
        );
      }
    } catch (err) {
      if (err instanceof DamagedCacheError) throw err;
      if (backend.backend !== 'webgpu' || isDownloadFailure(err)) throw new Error(explainLoadError(err, request, hub));
      // WebGPU can fail where WASM works (an op without a kernel, a lost device, NaN logits): fall back and say why.
      fallback = `WebGPU failed: ${errorMessage(err)}`;
      backend = { ...backend, backend: 'wasm', reason: `${fallback}; fell back to WASM` };
      try {
        next = await loadOn(request, 'wasm', report);
      } catch (err2) {
        throw new Error(explainLoadError(err2, request, hub));
      }
    }
    const old = model;
    model = next;
    loadedDtype = request.dtype;
    await old?.dispose().catch(() => {});
    if (backend.backend === 'webgpu') void watchDevice();
    const loaded: LoadedModel = {
      id: request.id,
      source: request.source,
      dtype: request.dtype,
      backend,
      vocabSize: next.vocabSize,
      ...next.describe(),
      bytes: [...totals.values()].reduce((a, b) => a + b, 0),
      downloadedBytes: stats.hubBytes,
      fallback,
      loadMs: performance.now() - started,
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
        sae: saeSource(),
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
    if (!model.sharedPrefix || !backend) return runBench(model, { quick, now: () => performance.now() });
    // generate(), the benchmark's peer, cannot feed a shared-prefix graph's prefix inputs: the rows run on the stock
    // graph of the same weights, loaded beside it for the benchmark (as Node's benchmark does).
    const device = backend.backend;
    const stock = markCalls(
      await inCall('load', 0, () =>
        TransformersModel.load(model!.id, { device, dtype: loadedDtype, modelFileName: 'model' }),
      ),
    );
    try {
      return await runBench(stock, { quick, now: () => performance.now() });
    } finally {
      await stock.dispose();
    }
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
        if (m.steer) (out[suite.name] ??= {})[m.id] = await steerDirection(model, m.steer, suite, saeSource());
    return out;
  },

  async saeLayers() {
    if (!model?.hiddenIo) return [];
    const source = saeSource();
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
    const sae = await saeSource()(layer);
    return topFeatures(sae, await traceActs(sae, { prompt, ids, steer }, layer), 10);
  },

  async featureContrast(a, b, layer) {
    const sae = await saeSource()(layer);
    return contrastFeatures(sae, await traceActs(sae, a, layer), await traceActs(sae, b, layer), 10);
  },

  async throughput(batch, newTokens) {
    if (!model) throw new Error('no model loaded');
    return measureThroughput(model, batch, newTokens, () => performance.now());
  },

  gpuGather(on) {
    if (on !== undefined) {
      gpuGatherOn = on;
      model?.setGpuGather(on);
    }
    return { on: gpuGatherOn, gathers: model?.gpuGathers ?? 0 };
  },
};

Comlink.expose(api);
