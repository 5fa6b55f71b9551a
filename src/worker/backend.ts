import { env } from '@huggingface/transformers';
import type { BackendChoice, BackendInfo } from './protocol.ts';

interface GpuLike {
  requestAdapter(): Promise<unknown>;
}

/** WebGPU when an adapter exists (or the user insists), else WASM. */
export async function chooseBackend(choice: BackendChoice): Promise<{ backend: 'webgpu' | 'wasm'; reason: string }> {
  if (choice === 'wasm') return { backend: 'wasm', reason: 'chosen' };
  const gpu = (navigator as unknown as { gpu?: GpuLike }).gpu;
  let adapter: unknown = null;
  try {
    adapter = gpu ? await gpu.requestAdapter() : null;
  } catch {
    adapter = null;
  }
  if (adapter) return { backend: 'webgpu', reason: choice === 'webgpu' ? 'chosen' : 'WebGPU adapter found' };
  if (choice === 'webgpu') throw new Error('WebGPU was asked for, but navigator.gpu.requestAdapter() returned no adapter');
  return { backend: 'wasm', reason: gpu ? 'no WebGPU adapter' : 'no WebGPU in this browser' };
}

/**
 * Serve ONNX Runtime's wasm from our own origin and check it is the exact version the bundled runtime expects
 * (a mismatch fails at session creation with an obscure error; say it plainly instead).
 */
export async function configureRuntime(baseUrl: string): Promise<{ ortVersion: string; threads: number }> {
  const onnx = env.backends.onnx as { versions?: { web?: string }; wasm?: { wasmPaths?: unknown; numThreads?: number } };
  const runtimeVersion = onnx.versions?.web ?? 'unknown';
  const ortBase = new URL('ort/', baseUrl);
  const res = await fetch(new URL('ort-version.json', ortBase));
  if (!res.ok) throw new Error(`ONNX Runtime files are missing: ${ortBase.href}ort-version.json answered ${res.status}`);
  const served = ((await res.json()) as { version: string }).version;
  if (served !== runtimeVersion) throw new Error(`ONNX Runtime version mismatch: the page serves ${served}, the bundled runtime is ${runtimeVersion}`);
  const isolated = self.crossOriginIsolated === true;
  const threads = isolated ? Math.max(1, Math.min(4, navigator.hardwareConcurrency || 1)) : 1;
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
  return { ortVersion: runtimeVersion, threads };
}

export function describeBackend(backend: 'webgpu' | 'wasm', reason: string, ortVersion: string, threads: number): BackendInfo {
  return { backend, reason, threads, crossOriginIsolated: self.crossOriginIsolated === true, ortVersion };
}
