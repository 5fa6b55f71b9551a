/** The typed protocol between the page and the inference worker (exposed with comlink). */
import type { MethodSpec } from '../core/methods/method.ts';
import type { MethodOutput, RunResults } from '../core/run/results.ts';
import type { RunProgress } from '../core/run/run-suite.ts';
import type { Suite } from '../core/tasks/suite.ts';
import type { BenchReport } from '../bench/run-bench.ts';

export type BackendChoice = 'auto' | 'webgpu' | 'wasm';

export interface BackendInfo {
  backend: 'webgpu' | 'wasm';
  /** Why this backend: an adapter was found, none was, the user asked, or WebGPU failed. */
  reason: string;
  threads: number;
  crossOriginIsolated: boolean;
  ortVersion: string;
}

export interface FileProgress {
  file: string;
  loaded: number;
  total: number;
  done: boolean;
}

export interface LoadedModel {
  id: string;
  backend: BackendInfo;
  vocabSize: number;
  modelType: string;
  loadMs: number;
}

/** Everything a run needs, as plain data: suites and methods are resolved and validated by the page. */
export interface RunRequest {
  suites: Suite[];
  methods: MethodSpec[];
  seed: number;
  batchSize: number;
}

export interface ThroughputResult {
  batch: number;
  newTokens: number;
  ms: number;
  tokensPerSecond: number;
}

export interface WorkerApi {
  /** Point the runtime at our own origin (`baseUrl` is the page's base URL) and pick the backend. */
  init(baseUrl: string, backend: BackendChoice): Promise<BackendInfo>;
  loadModel(id: string, onProgress: (p: FileProgress) => void): Promise<LoadedModel>;
  run(request: RunRequest, onProgress: (p: RunProgress) => void, onOutput: (suiteName: string, itemIndex: number, methodId: string, output: MethodOutput) => void): Promise<RunResults>;
  /** Stop the run in progress between two decoding steps. */
  cancel(): void;
  /** Tokens/s of greedy decoding at a batch size (for the README's numbers and the benchmark). */
  throughput(batch: number, newTokens: number): Promise<ThroughputResult>;
  /** The benchmark (npm run bench) on the loaded model, in this browser. */
  bench(quick: boolean): Promise<BenchReport>;
}
