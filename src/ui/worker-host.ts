import type { Remote } from 'comlink';
import { Comlink, startWorker } from './worker-client.ts';
import type { WorkerApi } from '../worker/protocol.ts';

/** Thrown into calls that were waiting on a worker that has been terminated. */
export class WorkerRestartedError extends Error {
  override readonly name = 'WorkerRestartedError';
}

/**
 * The inference worker behind a stable handle. A model load cannot be aborted inside transformers.js, so the page
 * cancels one by terminating the worker and starting a fresh one; `api` always forwards to the current worker, so
 * whoever holds it (the experiment, the console) keeps working after a restart.
 */
export class WorkerHost {
  private worker: Worker;
  private current: Remote<WorkerApi>;
  private stopped: { promise: Promise<never>; reject: (err: Error) => void };
  readonly api: Remote<WorkerApi>;

  constructor() {
    ({ worker: this.worker, api: this.current } = startWorker());
    this.stopped = WorkerHost.stopSignal();
    this.api = new Proxy({} as Remote<WorkerApi>, {
      // 'then': the handle is not a promise (awaiting it must not call into the worker).
      get: (_, prop) => (prop === 'then' ? undefined : (this.current as unknown as Record<PropertyKey, unknown>)[prop]),
    });
  }

  private static stopSignal(): { promise: Promise<never>; reject: (err: Error) => void } {
    let reject!: (err: Error) => void;
    const promise = new Promise<never>((_, no) => (reject = no));
    promise.catch(() => {}); // nobody may be racing it
    return { promise, reject };
  }

  /** `call` unless the worker is terminated first (then a WorkerRestartedError). */
  race<T>(call: Promise<T>): Promise<T> {
    return Promise.race([call, this.stopped.promise]);
  }

  /** Terminate the worker (whatever it is doing) and start a fresh one, which must be initialised again. */
  restart(): void {
    this.current[Comlink.releaseProxy]();
    this.worker.terminate();
    this.stopped.reject(new WorkerRestartedError('the inference worker was stopped'));
    this.stopped = WorkerHost.stopSignal();
    ({ worker: this.worker, api: this.current } = startWorker());
  }
}
