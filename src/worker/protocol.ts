/** The typed protocol between the page and the inference worker (exposed with comlink). */
import type { LoadPhases } from './load-phases.ts';
import type { MethodSpec } from '../core/methods/method.ts';
import type { MethodOutput } from '../core/run/results.ts';
import type { RunProgress, RunSummary } from '../core/run/run-suite.ts';
import type { Suite } from '../core/tasks/suite.ts';
import type { BenchReport } from './bench/run-bench.ts';
import type { PrefixGraphBench } from './bench/prefix-bench.ts';
import type { Dtype } from './dtypes.ts';
import type { ModelDescription } from '../adapters/model/transformers-model.ts';
import type { LensGrid } from '../core/steer/lens.ts';
import type { ContrastFeature, FeatureHit } from '../core/steer/sae.ts';
import type { SteerSpec } from '../core/steer/steer.ts';

/** One trace to read features from: its prompt, token ids and (for a steered method) its steering. */
export interface TraceRef {
  prompt: string;
  ids: number[];
  steer?: SteerRead;
}

/** How a steered method's trace is read (lens, features): its spec and the direction its run stored. */
export interface SteerRead {
  steer: SteerSpec;
  direction: number[];
}
import type { ExploreApi } from './explore-protocol.ts';
import type { RepoInfo } from './hub-listing.ts';

export type BackendChoice = 'auto' | 'webgpu' | 'wasm';

export interface BackendInfo {
  backend: 'webgpu' | 'wasm';
  /** Why this backend: an adapter was found, none was, the user asked, or WebGPU failed. */
  reason: string;
  threads: number;
  /** Why fewer threads than the device offers, when something other than cross-origin isolation limits them. */
  threadsNote?: string | null;
  crossOriginIsolated: boolean;
  ortVersion: string;
  /** What navigator.gpu offered, whichever backend was chosen. */
  webgpu: { adapter: boolean; shaderF16: boolean };
}

/** Where hub models come from, and whether the worker may download them (off until the user turns it on). */
export interface HubSettings {
  allowRemote: boolean;
  /** The hub or a mirror with its URL layout, without a trailing slash. */
  host: string;
}

export type ModelSource = 'bundled' | 'hub';

export interface LoadRequest {
  id: string;
  source: ModelSource;
  dtype: Dtype;
  /** Bytes per file as the manifest or the hub's listing gives them: a download of another size is refused. */
  sizes?: Record<string, number>;
  /** A second attempt after a damaged cached copy was deleted (DAMAGED_CACHE): a failure now is final. */
  retry?: boolean;
}

/** The name of the error a load throws when it found a damaged copy in the browser cache and deleted it. */
export const DAMAGED_CACHE = 'DamagedCacheError';

export interface FileProgress {
  file: string;
  loaded: number;
  total: number;
  done: boolean;
}

/** A file's progress after a new report: bytes and totals never go back, and a finished file stays finished. */
export function mergeProgress(prev: FileProgress | undefined, next: FileProgress): FileProgress {
  return {
    ...next,
    loaded: Math.max(next.loaded, prev?.loaded ?? 0),
    total: Math.max(next.total, prev?.total ?? 0),
    done: next.done || (prev?.done ?? false),
  };
}

export interface LoadedModel extends ModelDescription {
  id: string;
  source: ModelSource;
  dtype: Dtype;
  backend: BackendInfo;
  /** The logits' width (config.json vocab_size). */
  vocabSize: number;
  /** Bytes of the files read (progress totals), and how many of them came over the network from the hub. */
  bytes: number;
  downloadedBytes: number;
  /** Why WebGPU was given up for this load, when it was. */
  fallback: string | null;
  loadMs: number;
  /** Where the load's time went (reading files, browser-cache writes, session creation, first forward). */
  phases: LoadPhases;
}

/** Something that happened in the worker outside a call: the WebGPU device was lost. */
export interface WorkerNotice {
  kind: 'device-lost';
  message: string;
}

/** Everything a run needs, as plain data: suites and methods are resolved and validated by the page. */
export interface RunRequest {
  suites: Suite[];
  methods: MethodSpec[];
  seed: number;
  batchSize: number;
  /** Outputs already stored (a resumed run), as `outputKey`s: these are not sent again. */
  done?: string[];
  /** 'none': compact storage, the paths of a method with several keep no token traces (RunOptions.pathTokens). */
  pathTokens?: 'all' | 'none';
}

export interface ThroughputResult {
  batch: number;
  newTokens: number;
  ms: number;
  tokensPerSecond: number;
}

export interface WorkerApi extends ExploreApi {
  /** Point the runtime at our own origin (`baseUrl` is the page's base URL) and pick the backend. */
  init(
    baseUrl: string,
    backend: BackendChoice,
    hub: HubSettings,
    onNotice: (n: WorkerNotice) => void,
  ): Promise<BackendInfo>;
  /**
   * The worker's end of its heartbeat channel: it beats every second from its event loop and marks each runtime call
   * it enters and leaves (src/core/run/heartbeat.ts), so the page notices a worker that hangs.
   */
  heartbeat(port: MessagePort): void;
  /**
   * What a hub repository holds: its files and their sizes (the hub's listing, HEAD requests for sizes it leaves
   * out). Asked of the worker because only the worker started from the hub entry may reach the hub; refused while
   * downloads are off.
   */
  inspectRepo(id: string): Promise<RepoInfo>;
  /** A hub model's data_card.json, or null when it has none; refused while downloads are off. */
  hubDataCard(id: string): Promise<Record<string, unknown> | null>;
  /**
   * Load a model, replacing the loaded one only once the new one works (a failed load keeps the old one).
   * Cannot be aborted: the page cancels a load by terminating the worker.
   */
  loadModel(request: LoadRequest, onProgress: (p: FileProgress) => void): Promise<LoadedModel>;
  /** Hold the worker's life lock (its name is the worker's name): the page learns of the worker's death when it is released. */
  alive(): Promise<void>;
  /** Stream a run's outputs to `onOutput` as they finish (the page's run store owns them); returns only a summary. */
  run(
    request: RunRequest,
    onProgress: (p: RunProgress) => void,
    onOutput: (suiteName: string, itemIndex: number, methodId: string, output: MethodOutput) => void,
  ): Promise<RunSummary>;
  /** Stop the run in progress between two decoding steps. */
  cancel(): void;
  /** Tokens/s of greedy decoding at a batch size (for the README's numbers and the benchmark). */
  throughput(batch: number, newTokens: number): Promise<ThroughputResult>;
  /**
   * The logit lens before the token that follows `prompt` + `ids`: each layer's top-5 (models with hidden-state
   * I/O and lens outputs; otherwise an error that says why).
   */
  lens(prompt: string, ids: number[], steer?: SteerRead): Promise<LensGrid>;
  /**
   * Per suite and steered method, the direction (before scale) each steered method adds: the CAA vector or SAE
   * feature as numbers, stored with the run so its file reproduces.
   */
  steerDirections(suites: Suite[], methods: MethodSpec[]): Promise<Record<string, Record<string, number[]>>>;
  /** Layers of the loaded model with a shipped SAE (sae/layer<L>.json in its folder); [] when none. */
  saeLayers(): Promise<number[]>;
  /**
   * The SAE features of a trace at `layer`: the residual at the prompt's last token and each generated token but
   * the last (as the method saw it, steering included), encoded and ranked by highest activation.
   */
  features(prompt: string, ids: number[], layer: number, steer?: SteerRead): Promise<FeatureHit[]>;
  /** Features more active (mean over positions, as `features` reads them) on trace `a` than on trace `b`. */
  featureContrast(a: TraceRef, b: TraceRef, layer: number): Promise<ContrastFeature[]>;
  /** The benchmark (npm run bench) on the loaded model, in this browser. */
  bench(quick: boolean): Promise<BenchReport>;
  /**
   * The shared-prefix graph's benchmark row in this browser (npm run bench -- --realistic): the loaded model must be
   * its prefix graph (WASM picks it); the stock graph is loaded beside it for the run and disposed after.
   */
  benchPrefixGraph(quick: boolean): Promise<PrefixGraphBench>;
  /**
   * A test knob (e2e: outputs with and without it must be equal): gather cache rows on the GPU (the default) or take
   * the download path, for the loaded model and later loads. Returns the setting and the loaded model's GPU gathers.
   */
  gpuGather(on?: boolean): { on: boolean; gathers: number };
}
