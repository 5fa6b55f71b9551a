import * as Comlink from 'comlink';
import type { WorkerApi } from '../worker/protocol.ts';

/**
 * The inference worker, wrapped: every call is async and crosses the worker boundary. `name` is also the name of the
 * Web Lock the worker holds while it lives (see WorkerHost.watch).
 */
export function startWorker(name: string): { worker: Worker; api: Comlink.Remote<WorkerApi> } {
  const worker = new Worker(new URL('../worker/inference.worker.ts', import.meta.url), { type: 'module', name });
  return { worker, api: Comlink.wrap<WorkerApi>(worker) };
}

export { Comlink };
