import type { Remote } from 'comlink';
import { Comlink, startWorker } from './worker-client.ts';
import type { WorkerApi } from '../worker/protocol.ts';
import {
  check,
  DEFAULT_LIMITS,
  heard,
  hungMessage,
  START,
  type Beat,
  type HeartbeatLimits,
  type Liveness,
} from '../core/run/heartbeat.ts';

/** Thrown into calls that were waiting on a worker that has been terminated. */
export class WorkerRestartedError extends Error {
  override readonly name = 'WorkerRestartedError';
}

/** Thrown into calls that were waiting on a worker that died (crashed, ran out of memory, was closed). */
export class WorkerDiedError extends Error {
  override readonly name = 'WorkerDiedError';
}

/** A name no other worker of this origin has (another tab's included): the worker's life lock is named after it. */
function uniqueName(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(8));
  return `coax-inference:${[...bytes].map((b) => b.toString(16).padStart(2, '0')).join('')}`;
}

/**
 * The inference worker behind a stable handle. A model load cannot be aborted inside transformers.js, so the page
 * cancels one by terminating the worker and starting a fresh one; `api` always forwards to the current worker, so
 * whoever holds it (the experiment, the console) keeps working after a restart.
 *
 * It also notices when the worker dies by itself: the worker holds a Web Lock named after it while it lives, and the
 * host waits for that lock; the browser grants it when the worker is gone. Calls waiting on a dead worker then fail
 * with a WorkerDiedError and `ondeath` listeners are told. (A worker whose script fails to start reports an error
 * event instead, which counts as a death too.)
 *
 * A worker that lives but hangs (a runtime call that never returns, an event loop blocked) holds its lock forever, so
 * the host also listens to the worker's heartbeat (src/core/run/heartbeat.ts decides): when it stops for longer than
 * the worker's current work allows, the host terminates the worker and reports it dead, as if it had crashed.
 */
export class WorkerHost {
  private worker!: Worker;
  private current!: Remote<WorkerApi>;
  private name = '';
  private stopped = WorkerHost.stopSignal();
  #dead: string | null = null;
  readonly #listeners: ((why: string) => void)[] = [];
  #liveness: Liveness = START;
  #online = false;
  readonly api: Remote<WorkerApi>;

  constructor(private readonly limits: HeartbeatLimits = DEFAULT_LIMITS) {
    this.start();
    setInterval(() => this.checkHeartbeat(), 1000);
    this.api = new Proxy({} as Remote<WorkerApi>, {
      // 'then': the handle is not a promise (awaiting it must not call into the worker).
      get: (_, prop) => (prop === 'then' ? undefined : (this.current as unknown as Record<PropertyKey, unknown>)[prop]),
    });
  }

  private start(): void {
    this.name = uniqueName();
    ({ worker: this.worker, api: this.current } = startWorker(this.name, this.#online));
    this.#dead = null;
    const worker = this.worker;
    let alive = false;
    void this.current.alive().then(() => (alive = true));
    // Until the worker's first message, it counts as loading (its script and the runtime are fetched and compiled).
    const now = performance.now();
    this.#liveness = { ...START, heardAt: now, call: { kind: 'load', work: 0, since: now } };
    const beats = new MessageChannel();
    beats.port1.onmessage = (e: MessageEvent<Beat>) => {
      if (worker === this.worker) this.#liveness = heard(this.#liveness, e.data, performance.now());
    };
    void this.current.heartbeat(Comlink.transfer(beats.port2, [beats.port2])).catch(() => {});
    worker.addEventListener('error', (e) => {
      // Before it is alive an error means the worker script did not start; afterwards it is an uncaught error that
      // the calls report themselves.
      if (!alive && worker === this.worker)
        this.died(`the inference worker did not start (${e.message || 'its script failed to load'})`);
    });
  }

  private static stopSignal(): { promise: Promise<never>; reject: (err: Error) => void } {
    let reject!: (err: Error) => void;
    const promise = new Promise<never>((_, no) => (reject = no));
    promise.catch(() => {}); // nobody may be racing it
    return { promise, reject };
  }

  /** Why the worker died, or null while it lives. */
  get dead(): string | null {
    return this.#dead;
  }

  /** Call `listener` each time a worker dies by itself (not when the page restarts it). */
  ondeath(listener: (why: string) => void): void {
    this.#listeners.push(listener);
  }

  /** `call` unless the worker is terminated or dies first (then a WorkerRestartedError or WorkerDiedError). */
  race<T>(call: Promise<T>): Promise<T> {
    if (this.#dead) return Promise.reject(new WorkerDiedError(this.#dead));
    return Promise.race([call, this.stopped.promise]);
  }

  /** Start watching the current worker for its death, once it holds its life lock. */
  async watch(): Promise<void> {
    const worker = this.worker;
    const name = this.name;
    await this.race(this.current.alive());
    const locks = typeof navigator === 'undefined' ? undefined : navigator.locks;
    if (!locks || worker !== this.worker) return;
    void locks.request(name, () => {
      if (worker === this.worker && !this.#dead)
        this.died('the inference worker stopped (it crashed, ran out of memory or was closed)');
    });
  }

  /** A worker whose heartbeat stopped for longer than its work allows is stopped and reported dead. */
  private checkHeartbeat(): void {
    if (this.#dead) return;
    const { liveness, hung } = check(this.#liveness, performance.now(), this.limits);
    this.#liveness = liveness;
    if (!hung) return;
    this.worker.terminate();
    this.died(hungMessage(hung));
  }

  private died(why: string): void {
    this.#dead = why;
    this.stopped.reject(new WorkerDiedError(why));
    this.stopped = WorkerHost.stopSignal();
    for (const l of this.#listeners) l(why);
  }

  /** Whether the worker runs from its hub entry, the only one whose policy lets it download from the hub. */
  get online(): boolean {
    return this.#online;
  }

  /**
   * Terminate the worker (whatever it is doing) and start a fresh one, which must be initialised again. `online`
   * picks the entry it starts from (src/worker/entries.ts); left out, the current one.
   */
  restart(online = this.#online): void {
    this.#online = online;
    this.current[Comlink.releaseProxy]();
    this.worker.terminate();
    this.stopped.reject(new WorkerRestartedError('the inference worker was stopped'));
    this.stopped = WorkerHost.stopSignal();
    this.start();
  }
}
