import * as Comlink from 'comlink';
import type { WorkerApi } from '../worker/protocol.ts';

/** The inference worker, wrapped: every call is async and crosses the worker boundary. */
export function startWorker(): { worker: Worker; api: Comlink.Remote<WorkerApi> } {
  const worker = new Worker(new URL('../worker/inference.worker.ts', import.meta.url), {
    type: 'module',
    name: 'coax-inference',
  });
  return { worker, api: Comlink.wrap<WorkerApi>(worker) };
}

export { Comlink };
