import { env, type ProgressInfo } from '@huggingface/transformers';
import { TransformersModel } from '../adapters/model/transformers-model.ts';
import { errorMessage } from '../core/errors.ts';
import { checkedFetch, type FetchStats } from './checked-fetch.ts';
import { DamagedCacheError, dropCached, isParseFailure } from './damaged-cache.ts';
import { chooseGraph, dataFilesIn, graphFile } from './dtypes.ts';
import { gpuGatherOn } from './gpu-gather.ts';
import { inCall, markCalls } from './heartbeat.ts';
import { explainLoadError, isDownloadFailure } from './load-errors.ts';
import { loadPhases, type LoadEvent, type LoadPhases } from './load-phases.ts';
import type { BackendInfo, HubSettings, LoadRequest } from './protocol.ts';

const stats: FetchStats = { hubBytes: 0 };
/** The sizes of the model being loaded (LoadRequest.sizes). */
let expectedSizes: Record<string, number> = {};

/** Downloads are checked against the sizes the page expects before they are cached (checked-fetch.ts). */
export function installCheckedFetch(hubHost: () => string): void {
  env.fetch = checkedFetch(globalThis.fetch.bind(globalThis), hubHost, stats, (file) => expectedSizes[file]);
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

/** MB of the graph file and its external data that a load turns into a session (0 when the sizes are unknown). */
function weightsMB(request: LoadRequest, stem: string): number {
  const sizes = request.sizes ?? {};
  const file = graphFile(stem, request.dtype);
  const bytes = [file, ...dataFilesIn(Object.keys(sizes), file)].reduce((n, f) => n + (sizes[f] ?? 0), 0);
  return Math.ceil(bytes / 2 ** 20);
}

async function loadOn(
  request: LoadRequest,
  device: 'webgpu' | 'wasm',
  report: (info: ProgressInfo) => void,
  times: { loaded: number; probed: number },
): Promise<TransformersModel> {
  // WASM loads a folder's shared-prefix graph when it has one; WebGPU keeps the stock graph (not tested there yet).
  const modelFileName = device === 'wasm' ? chooseGraph(Object.keys(request.sizes ?? {}), request.dtype) : 'model';
  // One long runtime call for the heartbeat: compiling the model and creating its session may block the event loop,
  // for longer the larger the weights (the page allows more silence per MB).
  const m = await inCall('load', weightsMB(request, modelFileName), () =>
    TransformersModel.load(request.id, {
      device,
      dtype: request.dtype,
      onProgress: report,
      gpuGather: gpuGatherOn(),
      modelFileName,
    }),
  );
  // Its forward passes are marked for the heartbeat from here on (runs, Explore, the lens, the benchmark): the probe
  // is the first step the page measures, so even the first prefill of a run is allowed a time scaled to this model.
  markCalls(m);
  times.loaded = performance.now();
  try {
    await probe(m);
  } catch (err) {
    await m.dispose().catch(() => {});
    throw err;
  }
  times.probed = performance.now();
  return m;
}

/** A model loaded and probed, the backend it runs on, why it fell back to WASM, and the bytes it fetched from the hub. */
export interface Loaded {
  model: TransformersModel;
  backend: BackendInfo;
  fallback: string | null;
  downloadedBytes: number;
  /** Where the load's time went (read, browser-cache write, session creation, probe). */
  phases: LoadPhases;
}

/**
 * Load a model on `backend`, falling back from WebGPU to WASM (and saying why) where WebGPU fails: `onFallback` hears
 * the WASM backend before the second try, which stays the worker's backend even if that try fails too. A file that
 * cannot be parsed drops the model's cached copy and throws DamagedCacheError, for the page to load it in a fresh
 * worker.
 */
export async function loadModel(
  request: LoadRequest,
  backend: BackendInfo,
  hub: HubSettings,
  report: (info: ProgressInfo) => void,
  onFallback: (wasm: BackendInfo) => void,
): Promise<Loaded> {
  stats.hubBytes = 0;
  expectedSizes = request.sizes ?? {};
  const started = performance.now();
  const events: LoadEvent[] = [];
  const times = { loaded: started, probed: started };
  const toPage = report;
  report = (info) => {
    const i = info as { status: string; file?: string; loaded?: number; total?: number };
    events.push({ at: performance.now(), status: i.status, file: i.file, loaded: i.loaded, total: i.total });
    toPage(info);
  };
  const loaded = (model: TransformersModel, on: BackendInfo, fallback: string | null): Loaded => ({
    model,
    backend: on,
    fallback,
    downloadedBytes: stats.hubBytes,
    phases: loadPhases(events, started, times.loaded, times.probed),
  });
  try {
    try {
      return loaded(await loadOn(request, backend.backend, report, times), backend, null);
    } catch (err) {
      // A file that cannot be parsed may be a damaged copy in the browser cache (a download cut short before it was
      // checked, a file that was broken on the server): drop the model's cached files, and let the page load it
      // again in a fresh worker (the runtime keeps state from the failed attempt that a retry here would reuse).
      if (!isParseFailure(err) || request.retry) throw err;
      const dropped = await dropCached(request, hub.host).catch(() => 0);
      if (dropped === 0) throw err;
      throw new DamagedCacheError(
        `${request.id}: a file could not be read (${errorMessage(err).slice(0, 200)}); its ${dropped} cached file(s) were deleted from the browser cache`,
      );
    }
  } catch (err) {
    if (err instanceof DamagedCacheError) throw err;
    if (backend.backend !== 'webgpu' || isDownloadFailure(err)) throw new Error(explainLoadError(err, request, hub));
    // WebGPU can fail where WASM works (an op without a kernel, a lost device, NaN logits): fall back and say why.
    const fallback = `WebGPU failed: ${errorMessage(err)}`;
    const wasm: BackendInfo = { ...backend, backend: 'wasm', reason: `${fallback}; fell back to WASM` };
    onFallback(wasm);
    try {
      return loaded(await loadOn(request, 'wasm', report, times), wasm, fallback);
    } catch (err2) {
      throw new Error(explainLoadError(err2, request, hub));
    }
  }
}

/**
 * The stock graph (`model.onnx`) of a loaded model's weights, for the benchmarks: generate(), their peer, cannot feed a
 * shared-prefix graph's prefix inputs, so on such a model the rows run on this one, loaded beside it (as Node's
 * benchmark does). The caller disposes of it.
 */
export async function loadStockGraph(request: LoadRequest, device: BackendInfo['backend']): Promise<TransformersModel> {
  // The load blocks like any load: the heartbeat allows it the time for its weights.
  return markCalls(
    await inCall('load', weightsMB(request, 'model'), () =>
      TransformersModel.load(request.id, { device, dtype: request.dtype, modelFileName: 'model' }),
    ),
  );
}
