import { Comlink } from '../worker-client.ts';
import { WorkerDiedError, WorkerRestartedError, type WorkerHost } from '../worker-host.ts';
import type { MethodSpec } from '../../core/methods/method.ts';
import {
  emptyResults,
  sameItems,
  storedOutputKeys,
  storedOutputs,
  type RunProgress,
} from '../../core/run/run-suite.ts';
import type { MethodOutput, SuiteResults } from '../../core/run/results.ts';
import type { Suite } from '../../core/tasks/suite.ts';
import { RunSetup } from './setup.svelte.ts';
import type { RunsState } from './runs.svelte.ts';
import { headerFor, type RunHeader, type RunStatus } from '../../adapters/storage/run-store.ts';
import { decodeConfigReport, encodeConfig, expandMethods } from '../../core/run/url-config.ts';
import { columnId, modelColumns, modelKeys } from '../../core/run/models.ts';
import { formatLocalTime } from '../format.ts';
import { estimateRunBytes } from '../../core/run/storage-estimate.ts';
import { errorMessage } from '../../core/errors.ts';
import { CancelledError, isCancelled } from '../../core/decode/cancel.ts';

export type ExperimentStatus = 'idle' | 'running' | 'cancelling' | 'done' | 'cancelled' | 'failed' | 'interrupted';

/** How long Cancel waits for the worker to stop between two steps before it stops the worker by force. */
export const CANCEL_GRACE_MS = 5000;

/** Where a run over several models is: which model, and whether it is loading or running. */
export interface ModelStep {
  index: number;
  count: number;
  modelId: string;
  phase: 'loading' | 'running';
}

/**
 * One comparison: its setup (`setup`: suites, methods, seeds), and the run's progress. The run's results have one owner, the run store
 * (`runs.open`): outputs stream from the worker straight into it, and `results` reads them there.
 */
export class ExperimentState {
  readonly setup = new RunSetup();
  #status = $state<ExperimentStatus>('idle');
  #progress = $state.raw<RunProgress | null>(null);
  #runId = $state<string | null>(null);
  #error = $state<string | null>(null);
  #warning = $state<string | null>(null);
  /** Which model a run over several models is at (it loads them one after another). */
  #modelStep = $state.raw<ModelStep | null>(null);
  /** Wall time of the last run in ms, set when it ends (the lessons and the quick comparison show it). */
  #elapsedMs = $state(0);
  #cancelTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly host: WorkerHost,
    private readonly runs: RunsState,
  ) {}

  get progress(): RunProgress | null {
    return this.#progress;
  }

  get status(): ExperimentStatus {
    return this.#status;
  }

  /** The run's results as they stream in (read from the run store, which owns them), or none. */
  get results(): SuiteResults[] {
    const open = this.runs.open;
    return open && open.header.id === this.#runId ? open.results.suites : [];
  }

  /** The id of the last run started or resumed here. */
  get runId(): string | null {
    return this.#runId;
  }

  get modelStep(): ModelStep | null {
    return this.#modelStep;
  }

  get elapsedMs(): number {
    return this.#elapsedMs;
  }

  /** Something to know before the last run that did not stop it (storage that may run out). */
  get warning(): string | null {
    return this.#warning;
  }

  /** What went wrong with the last run or link, shown beside the Run button. */
  get error(): string | null {
    return this.#error;
  }

  /** Say what went wrong outside a run (a link that named a model this page does not have). */
  report(message: string): void {
    this.#error = message;
  }

  /**
   * Apply the configuration a link (or a stored run) carries and return the model it names; a bad one is reported
   * and changes nothing.
   */
  applyLink(param: string): string | null {
    try {
      const { config, ignored } = decodeConfigReport(param);
      this.setup.applyConfig(config);
      if (ignored.length)
        this.#error = `This link's setup was applied; its keys ${ignored.map((k) => `"${k.slice(0, 40)}"`).join(', ')} are not part of a Coax setup and were ignored.`;
      return config.model;
    } catch (err) {
      this.#error = `This link's setup could not be used: ${errorMessage(err)}`;
      return null;
    }
  }

  /**
   * Run the chosen suites and methods on each chosen model in the order chosen (`setup.modelsFor`), the loaded one
   * reused where it comes first and the others loaded by `load` when their turn comes (the last one stays loaded).
   * Cancel stops after the current step, or after a model loads.
   */
  async run(loaded: string, backend: string, load?: (id: string) => Promise<void>): Promise<void> {
    if (this.busy) return;
    const methods = this.setup.methods.chosen;
    this.#error = null;
    if (methods.length === 0) {
      this.#error = 'Choose at least one method.';
      return;
    }
    let suites;
    try {
      suites = await this.setup.suites.resolve();
    } catch (err) {
      this.#error = String(err);
      return;
    }
    if (suites.length === 0) {
      this.#error = 'Choose at least one suite.';
      return;
    }
    // Running from here on (the page shows it at once); the steps before the first output may take a moment.
    this.#status = 'running';
    // The models in the order chosen, whichever of them is loaded now (a run over several models left its last one).
    const models = load ? this.setup.modelsFor(loaded) : [loaded];
    const lead = models[0]!;
    this.setup.startOn(lead);
    const many = models.length > 1;
    const combined = many ? modelColumns(models, methods) : { methods, columns: undefined };
    // The directions steered methods add (CAA vectors, SAE features) as numbers, stored with the run so that its file
    // reproduces. A run over several models reads them per model; only the first model's are stored, so they are
    // read with the first model loaded.
    let skeleton = emptyResults(suites);
    if (methods.some((m) => m.steer)) {
      try {
        if (lead !== loaded) {
          await load!(lead);
          loaded = lead;
        }
        const byS = await this.host.race(this.host.api.steerDirections(suites, methods));
        const keys = modelKeys(models);
        const col = (id: string) => (many ? columnId(keys, 0, id) : id);
        skeleton = skeleton.map((s) => {
          const d = byS[s.suiteName];
          return d ? { ...s, steering: Object.fromEntries(Object.entries(d).map(([id, v]) => [col(id), v])) } : s;
        });
      } catch (err) {
        this.#status = 'failed';
        this.#error = errorMessage(err);
        return;
      }
    }
    // Warn, without stopping, before a run that may not fit the browser's storage (an upper bound: every path long).
    this.#warning = await this.runs.storageWarning(
      estimateRunBytes(suites, methods, this.setup.compact) * models.length,
    );
    const createdAt = Date.now();
    const when = formatLocalTime(createdAt);
    const results = { modelId: lead, ...(many ? { models, columns: combined.columns } : {}), seed: this.setup.seed };
    const header = headerFor(
      { ...results, methods: combined.methods, suites: skeleton },
      {
        id: `run-${createdAt.toString(36)}`,
        name: `${models.join(' vs ')} · ${suites.map((s) => s.name).join(', ')} · ${when}`,
        createdAt,
        status: 'running',
        config: encodeConfig(this.setup.config(lead)),
        backend,
        ...(this.setup.compact ? { compact: true } : {}),
      },
    );
    try {
      await this.runs.begin(header);
    } catch (err) {
      this.#status = 'failed';
      this.#error = errorMessage(err);
      return;
    }
    await this.#execute({
      header,
      suites,
      methods,
      batchSize: this.setup.batchSize,
      stored: storedOutputKeys([]),
      loaded,
      load,
    });
  }

  /**
   * Resume a stored run that stopped before it finished (its worker died, it was cancelled, its tab closed): set it
   * up again from its link, restart the worker if it is dead, and run only the outputs it does not have, in the same
   * batches with the same seeds, so that its results equal those of an uninterrupted run.
   */
  async resume(
    runId: string,
    models: {
      loaded: () => string | null;
      load: (id: string) => Promise<void>;
      restartWorker: () => Promise<void>;
    },
  ): Promise<void> {
    if (this.busy) return;
    this.#error = null;
    this.#status = 'running';
    this.#progress = null;
    let plan;
    try {
      const stored = await this.runs.reopen(runId);
      const { header, results } = stored;
      const config = decodeConfigReport(header.config).config;
      this.setup.applyConfig(config);
      const suites = await this.setup.suites.resolve();
      if (!sameItems(suites, header.suites))
        throw new Error(
          `its suites cannot be set up again as they were (${header.suites.map((s) => s.suiteName).join(', ')}): import them again, then resume`,
        );
      const keys = storedOutputKeys(results.suites);
      if (this.host.dead) await models.restartWorker();
      const methods = expandMethods(config.methods);
      plan = {
        header,
        suites,
        methods,
        batchSize: config.batchSize,
        stored: keys,
        loaded: models.loaded(),
        load: models.load,
      };
    } catch (err) {
      this.#status = 'failed';
      this.#error = `This run cannot be resumed: ${errorMessage(err)}`;
      return;
    }
    await this.#execute(plan);
  }

  async #execute(plan: {
    header: RunHeader;
    suites: Suite[];
    methods: MethodSpec[];
    batchSize: number;
    /** outputKeys (with the run's own method ids) already stored. */
    stored: ReadonlySet<string>;
    loaded: string | null;
    load?: (id: string) => Promise<void>;
  }): Promise<void> {
    const { header, suites, methods } = plan;
    const models = header.models ?? [header.modelId];
    const many = models.length > 1;
    const keys = modelKeys(models);
    this.#runId = header.id;
    this.#modelStep = null;
    const perModel = suites.reduce((n, s) => n + s.items.length, 0) * methods.length;
    const total = perModel * models.length;
    this.#progress = { done: 0, total, suiteName: suites[0]!.name, methodId: methods[0]!.id };
    const started = performance.now();
    let current = plan.loaded;
    try {
      for (const [index, id] of models.entries()) {
        if (this.#cancelling()) throw new CancelledError();
        const column = (methodId: string) => (many ? columnId(keys, index, methodId) : methodId);
        const done = storedOutputs(suites, methods, plan.stored, column);
        const offset = perModel * index;
        // A model whose outputs are all stored is not even loaded.
        if (done.length === perModel) {
          this.#progress = { ...this.#progress, done: offset + perModel };
          continue;
        }
        if (many) this.#modelStep = { index, count: models.length, modelId: id, phase: 'loading' };
        if (id !== current) {
          if (!plan.load) throw new Error(`load ${id} first`);
          await plan.load(id);
          current = id;
          if (this.#cancelling()) throw new CancelledError();
        }
        if (many) this.#modelStep = { index, count: models.length, modelId: id, phase: 'running' };
        await this.host.race(
          this.host.api.run(
            {
              suites,
              methods,
              seed: header.seed,
              batchSize: plan.batchSize,
              done,
              pathTokens: header.compact ? 'none' : 'all',
            },
            Comlink.proxy((p: RunProgress) => (this.#progress = { ...p, done: p.done + offset, total })),
            Comlink.proxy((suiteName: string, index: number, methodId: string, output: MethodOutput) => {
              const out = many ? { ...output, modelId: id } : output;
              void this.runs.record(header.id, suiteName, index, column(methodId), out);
            }),
          ),
        );
      }
      this.#status = 'done';
    } catch (err) {
      // Whatever finished before the error, the cancel or the worker's death is stored.
      if (err instanceof WorkerDiedError) {
        this.#status = 'interrupted';
        this.#error = `${err.message}. What finished is stored: restart the worker and resume the run to compute the rest.`;
      } else if (this.#cancelling() || isCancelled(err) || err instanceof WorkerRestartedError)
        this.#status = 'cancelled';
      else {
        this.#status = 'failed';
        this.#error = String(err);
      }
    } finally {
      clearTimeout(this.#cancelTimer);
      this.#elapsedMs = performance.now() - started;
      await this.runs.finish(header.id, (this.#status === 'cancelling' ? 'cancelled' : this.#status) as RunStatus);
    }
  }

  #cancelling(): boolean {
    return this.#status === 'cancelling';
  }

  /** A run is going on (or stopping). */
  get busy(): boolean {
    return this.#status === 'running' || this.#status === 'cancelling';
  }

  /**
   * Stop the run after the current step. A worker that does not stop within CANCEL_GRACE_MS (hung in one step, or
   * gone) is stopped by force, through `forceStop` (the engine restarts it and loads the model again): Cancel always
   * gives the page back.
   */
  cancel(forceStop: () => void): void {
    if (this.#status !== 'running') return;
    this.#status = 'cancelling';
    void this.host.api.cancel();
    this.#cancelTimer = setTimeout(() => {
      if (this.#status === 'cancelling') forceStop();
    }, CANCEL_GRACE_MS);
  }
}
