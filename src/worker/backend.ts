import { env } from '@huggingface/transformers';
import type { BackendChoice, BackendInfo, HubSettings, ModelSource } from './protocol.ts';

interface GpuLike {
  requestAdapter(): Promise<{ features: { has(name: string): boolean } } | null>;
}

export interface BackendChoiceResult {
  backend: 'webgpu' | 'wasm';
  reason: string;
  webgpu: BackendInfo['webgpu'];
}

/** WebGPU when an adapter exists (or the user insists), else WASM; and whether the adapter does fp16 (`shader-f16`). */
export async function chooseBackend(choice: BackendChoice): Promise<BackendChoiceResult> {
  const gpu = (navigator as unknown as { gpu?: GpuLike }).gpu;
  let adapter: Awaited<ReturnType<GpuLike['requestAdapter']>> = null;
  try {
    adapter = gpu && choice !== 'wasm' ? await gpu.requestAdapter() : null;
  } catch {
    adapter = null;
  }
  const webgpu = { adapter: adapter !== null, shaderF16: adapter?.features.has('shader-f16') ?? false };
  if (choice === 'wasm') return { backend: 'wasm', reason: 'chosen', webgpu };
  if (adapter) return { backend: 'webgpu', reason: choice === 'webgpu' ? 'chosen' : 'WebGPU adapter found', webgpu };
  if (choice === 'webgpu')
    throw new Error('WebGPU was asked for, but navigator.gpu.requestAdapter() returned no adapter');
  return { backend: 'wasm', reason: gpu ? 'no WebGPU adapter' : 'no WebGPU in this browser', webgpu };
}

/**
 * Where transformers.js may look for one load's files. Bundled models: our origin only (never the hub, even with
 * downloads on). Hub models: the browser cache, then the hub when downloads are on; with downloads off,
 * transformers.js insists on one allowed source, so the (same-origin) local folder stays allowed and answers 404.
 */
export function applySources(source: ModelSource, hub: HubSettings): void {
  env.remoteHost = `${hub.host}/`;
  if (source === 'bundled') {
    env.allowLocalModels = true;
    env.allowRemoteModels = false;
  } else {
    env.allowRemoteModels = hub.allowRemote;
    env.allowLocalModels = !hub.allowRemote;
  }
}

/**
 * Serve ONNX Runtime's wasm from our own origin and check it is the exact version the bundled runtime expects
 * (a mismatch fails at session creation with an obscure error; say it plainly instead).
 */
export async function configureRuntime(
  baseUrl: string,
): Promise<{ ortVersion: string; threads: number; threadsNote: string | null }> {
  const onnx = env.backends.onnx as {
    versions?: { web?: string };
    wasm?: { wasmPaths?: unknown; numThreads?: number };
  };
  const runtimeVersion = onnx.versions?.web ?? 'unknown';
  const ortBase = new URL('ort/', baseUrl);
  const res = await fetch(new URL('ort-version.json', ortBase));
  if (!res.ok)
    throw new Error(`ONNX Runtime files are missing: ${ortBase.href}ort-version.json answered ${res.status}`);
  const served = ((await res.json()) as { version: string }).version;
  if (served !== runtimeVersion)
    throw new Error(
      `ONNX Runtime version mismatch: the page serves ${served}, the bundled runtime is ${runtimeVersion}`,
    );
  const isolated = self.crossOriginIsolated === true;
  let threads = isolated ? Math.max(1, Math.min(4, navigator.hardwareConcurrency || 1)) : 1;
  // ONNX Runtime starts its threads as blob: workers; where the site's policy forbids them a load would stop at
  // 100 % with no error, so run on one thread and say why.
  const blocked = threads > 1 ? await blobWorkersBlocked() : null;
  if (blocked) threads = 1;
  if (onnx.wasm) {
    onnx.wasm.wasmPaths = {
      mjs: new URL('ort-wasm-simd-threaded.asyncify.mjs', ortBase).href,
      wasm: new URL('ort-wasm-simd-threaded.asyncify.wasm', ortBase).href,
    };
    onnx.wasm.numThreads = threads;
  }
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  // A path, not a full URL: transformers.js skips its local lookup for anything that parses as an http URL.
  env.localModelPath = new URL('models/', baseUrl).pathname;
  return { ortVersion: runtimeVersion, threads, threadsNote: blocked };
}

/**
 * Why this context cannot start a worker from a blob: URL (a Content-Security-Policy whose worker-src lacks blob:),
 * or null when it can. The probe worker only says hello; a policy that refuses it fails it with an error event.
 */
export function blobWorkersBlocked(timeoutMs = 3000): Promise<string | null> {
  if (typeof Worker === 'undefined') return Promise.resolve(null);
  const url = URL.createObjectURL(new Blob(['postMessage(1)'], { type: 'text/javascript' }));
  const blocked = (why: string) =>
    `this site's Content-Security-Policy does not allow blob: workers (worker-src needs blob:), so ONNX Runtime runs on one thread (${why})`;
  return new Promise<string | null>((resolve) => {
    let worker: Worker;
    const done = (result: string | null) => {
      clearTimeout(timer);
      worker?.terminate();
      URL.revokeObjectURL(url);
      resolve(result);
    };
    const timer = setTimeout(() => done(blocked('a test worker did not start')), timeoutMs);
    try {
      worker = new Worker(url);
    } catch (err) {
      done(blocked(err instanceof Error ? err.name : 'refused'));
      return;
    }
    worker.onmessage = () => done(null);
    worker.onerror = () => done(blocked('a test worker was refused'));
  });
}

export function describeBackend(choice: BackendChoiceResult, ortVersion: string, threads: number): BackendInfo {
  return {
    backend: choice.backend,
    reason: choice.reason,
    threads,
    crossOriginIsolated: self.crossOriginIsolated === true,
    ortVersion,
    webgpu: choice.webgpu,
  };
}
