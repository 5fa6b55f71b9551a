/// <reference lib="webworker" />
import * as Comlink from 'comlink';
import type { ProgressInfo } from '@huggingface/transformers';
import { TransformersModel } from '../adapters/transformers-model.ts';
import { runSuites } from '../core/run/run-suite.ts';
import { measureThroughput } from '../core/run/throughput.ts';
import { chooseBackend, configureRuntime, describeBackend } from './backend.ts';
import type { BackendChoice, BackendInfo, FileProgress, LoadedModel, RunRequest, WorkerApi } from './protocol.ts';

let backend: BackendInfo | null = null;
let model: TransformersModel | null = null;
let controller: AbortController | null = null;

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

function toFileProgress(info: ProgressInfo): FileProgress | null {
  const i = info as { status: string; file?: string; loaded?: number; total?: number };
  if (!i.file) return null;
  if (i.status === 'progress') return { file: i.file, loaded: i.loaded ?? 0, total: i.total ?? 0, done: false };
  if (i.status === 'done') return { file: i.file, loaded: i.loaded ?? 0, total: i.total ?? 0, done: true };
  if (i.status === 'initiate') return { file: i.file, loaded: 0, total: 0, done: false };
  return null;
}

const api: WorkerApi = {
  async init(baseUrl: string, choice: BackendChoice) {
    const { ortVersion, threads } = await configureRuntime(baseUrl);
    const { backend: b, reason } = await chooseBackend(choice);
    backend = describeBackend(b, reason, ortVersion, threads);
    return backend;
  },

  async loadModel(id, onProgress) {
    if (!backend) throw new Error('worker not initialised: call init() first');
    const started = performance.now();
    if (model) await model.dispose();
    model = null;
    const report = (info: ProgressInfo) => {
      const p = toFileProgress(info);
      if (p) onProgress(p);
    };
    try {
      model = await TransformersModel.load(id, { device: backend.backend, onProgress: report });
    } catch (err) {
      if (backend.backend !== 'webgpu') throw err;
      // WebGPU can fail where WASM works (no fp32 support for an op, device lost): fall back and say why.
      backend = { ...backend, backend: 'wasm', reason: `WebGPU failed (${String(err)}); fell back to WASM` };
      model = await TransformersModel.load(id, { device: 'wasm', onProgress: report });
    }
    const config = model.model.config as unknown as { model_type?: string };
    const loaded: LoadedModel = { id, backend, vocabSize: model.vocabSize, modelType: config.model_type ?? 'unknown', loadMs: performance.now() - started };
    return loaded;
  },

  async run(request: RunRequest, onProgress, onOutput) {
    if (!model) throw new Error('no model loaded');
    if (request.methods.length === 0) throw new Error('choose at least one method');
    if (request.suites.length === 0) throw new Error('choose at least one suite');
    controller = new AbortController();
    try {
      return await runSuites(model, request.suites, request.methods, {
        modelId: model.id,
        seed: request.seed,
        batchSize: request.batchSize,
        signal: controller.signal,
        yieldToHost,
        now: () => performance.now(),
        onProgress,
        onOutput,
      });
    } finally {
      controller = null;
    }
  },

  cancel() {
    controller?.abort();
  },

  async bench(quick) {
    if (!model) throw new Error('no model loaded');
    // Loaded on demand: the benchmark and its peers are not part of a normal session.
    const { runBench } = await import('../bench/run-bench.ts');
    return runBench(model, { quick, now: () => performance.now() });
  },

  async throughput(batch, newTokens) {
    if (!model) throw new Error('no model loaded');
    return measureThroughput(model, batch, newTokens, () => performance.now());
  },
};

Comlink.expose(api);
