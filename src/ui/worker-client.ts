import * as Comlink from 'comlink';
import type { WorkerApi } from '../worker/protocol.ts';
import { HUB_WORKER_ENTRY } from '../worker/entries.ts';

/**
 * The inference worker, wrapped: every call is async and crosses the worker boundary. `name` is also the name of the
 * Web Lock the worker holds while it lives (see WorkerHost.watch). `online`: start it from the hub entry, whose
 * policy lets it download from the hub (src/worker/entries.ts); else from the offline entry, which cannot.
 */
export function startWorker(name: string, online = false): { worker: Worker; api: Comlink.Remote<WorkerApi> } {
  const worker = online
    ? new Worker(new URL(`${import.meta.env.BASE_URL}${HUB_WORKER_ENTRY}`, document.baseURI), { type: 'module', name })
    : new Worker(new URL('../worker/inference.worker.ts', import.meta.url), { type: 'module', name });
  return { worker, api: Comlink.wrap<WorkerApi>(worker) };
}

export { Comlink };
