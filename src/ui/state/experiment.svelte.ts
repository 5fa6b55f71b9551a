import type { Remote } from 'comlink';
import { Comlink } from '../worker-client.ts';
import { BUILTIN_METHODS, DEFAULT_METHOD_IDS, findMethod, type MethodSpec } from '../../core/methods/method.ts';
import { steeredMethod } from '../../core/steer/sweep.ts';
import { emptyItems, type RunProgress } from '../../core/run/run-suite.ts';
import type { MethodOutput, SuiteResults } from '../../core/run/results.ts';
import { methodSchema } from '../../core/schema/method-schema.ts';
import { validate } from '../../core/schema/validate.ts';
import type { WorkerApi } from '../../worker/protocol.ts';
import { SuitesState } from './suites.svelte.ts';
import type { RunsState } from './runs.svelte.ts';
import {
  compactMethods,
  decodeConfigReport,
  expandMethods,
  type ExperimentConfig,
  encodeConfig,
} from '../../core/run/url-config.ts';
import type { RunColumn, RunResults } from '../../core/run/results.ts';
import { columnId, modelColumns, modelKeys } from '../../core/run/models.ts';
import { formatLocalTime } from '../format.ts';
import { errorMessage } from '../../core/errors.ts';
import { CancelledError, isCancelled } from '../../core/decode/cancel.ts';

export type ExperimentStatus = 'idle' | 'running' | 'cancelling' | 'done' | 'cancelled' | 'failed';

/** One comparison: suites, methods and seeds, the run's progress, and its results (kept when a run stops). */
export class ExperimentState {
  readonly suites = new SuitesState();
  seed = $state(1);
  batchSize = $state(8);
  methods = $state.raw<MethodSpec[]>(BUILTIN_METHODS.map((m) => structuredClone(m)));
  enabled = $state<string[]>([...DEFAULT_METHOD_IDS]);
  status = $state<ExperimentStatus>('idle');
  progress = $state.raw<RunProgress | null>(null);
  results = $state.raw<SuiteResults[]>([]);
  runMethods = $state.raw<MethodSpec[]>([]);
  #error = $state<string | null>(null);
  /** Bundled models to run after the loaded one, with the same suites, methods and seed (a run over several models). */
  alsoModels = $state<string[]>([]);
  /** The run's models, and in a run over several models which model and method each of `runMethods` is. */
  runModels = $state.raw<string[]>([]);
  runColumns = $state.raw<Record<string, RunColumn> | undefined>(undefined);
  /** Which model the run is at (a run over several models loads them one after another). */
  modelStep = $state.raw<{ index: number; count: number; modelId: string; phase: 'loading' | 'running' } | null>(null);
  /** Wall time of the last run in ms, set when it ends (the lessons and the quick comparison show it). */
  elapsedMs = $state(0);

  constructor(
    private readonly worker: Remote<WorkerApi>,
    private readonly runs: RunsState,
  ) {}

  /** The configuration a link reproduces. */
  config(model: string): ExperimentConfig {
    const chosen = this.methods.filter((m) => this.enabled.includes(m.id));
    const models = this.modelsFor(model);
    return {
      model,
      ...(models.length > 1 ? { models } : {}),
      suites: [...this.suites.chosen],
      itemLimit: this.suites.itemLimit,
      generatedSeed: this.suites.generatedSeed,
      methods: compactMethods(chosen),
      seed: this.seed,
      batchSize: this.batchSize,
    };
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
      this.applyConfig(config);
      if (ignored.length)
        this.#error = `This link's setup was applied; its keys ${ignored.map((k) => `"${k.slice(0, 40)}"`).join(', ')} are not part of a Coax setup and were ignored.`;
      return config.model;
    } catch (err) {
      this.#error = `This link's setup could not be used: ${errorMessage(err)}`;
      return null;
    }
  }

  /** Apply a configuration from a link (the model is the engine's business). */
  applyConfig(config: ExperimentConfig): void {
    const methods = expandMethods(config.methods);
    this.methods = [
      ...this.methods.map((m) => methods.find((x) => x.id === m.id) ?? m),
      ...methods.filter((m) => !this.methods.some((x) => x.id === m.id)),
    ];
    this.enabled = methods.map((m) => m.id);
    this.suites.applyConfig(config);
    this.seed = config.seed;
    this.batchSize = config.batchSize;
    this.alsoModels = config.models?.slice(1) ?? [];
  }

  /** The models a run with `loaded` loaded goes through: it first, then the others chosen. */
  modelsFor(loaded: string): string[] {
    return [loaded, ...this.alsoModels.filter((m) => m !== loaded)];
  }

  toggleModel(id: string, on: boolean): void {
    if (on === this.alsoModels.includes(id)) return;
    this.alsoModels = on ? [...this.alsoModels, id] : this.alsoModels.filter((m) => m !== id);
  }

  toggleMethod(id: string, on: boolean): void {
    if (on === this.enabled.includes(id)) return;
    this.enabled = on ? [...this.enabled, id] : this.enabled.filter((m) => m !== id);
  }

  /**
   * Add greedy decoding of the plain prompt steered by an SAE feature (at every position) to the methods and enable
   * it; the same layer, feature and scale replace an earlier one. Returns its label.
   */
  addFeatureSteer(layer: number, feature: number, scale: number): string {
    const base = findMethod('greedy-plain');
    const m = steeredMethod(base, { layer, feature, scale }, `f${feature}`);
    const next = { ...m, label: `Greedy, steered by SAE feature ${feature} (layer ${layer}, scale ${scale})` };
    this.methods = [...this.methods.filter((x) => x.id !== next.id), next];
    if (!this.enabled.includes(next.id)) this.enabled = [...this.enabled, next.id];
    return next.label;
  }

  updateMethod(next: MethodSpec): void {
    this.methods = this.methods.map((m) => (m.id === next.id ? next : m));
  }

  /** Replace a method from edited JSON; a bad edit is reported and changes nothing. */
  editMethodJson(id: string, text: string): string | null {
    try {
      const next = validate(methodSchema, JSON.parse(text), `method ${id}`);
      if (next.id !== id) return `method ${id}: the id cannot change here`;
      this.updateMethod(next);
      return null;
    } catch (err) {
      return errorMessage(err);
    }
  }

  /**
   * Run the chosen suites and methods on the loaded model and then on each other chosen model, which `load` loads
   * when its turn comes (the last one stays loaded). Cancel stops after the current step, or after a model loads.
   */
  async run(modelId: string, backend: string, load?: (id: string) => Promise<void>): Promise<void> {
    if (this.status === 'running' || this.status === 'cancelling') return;
    const methods = this.methods.filter((m) => this.enabled.includes(m.id));
    this.#error = null;
    if (methods.length === 0) {
      this.#error = 'Choose at least one method.';
      return;
    }
    let suites;
    try {
      suites = await this.suites.resolve();
    } catch (err) {
      this.#error = String(err);
      return;
    }
    if (suites.length === 0) {
      this.#error = 'Choose at least one suite.';
      return;
    }
    const models = load ? this.modelsFor(modelId) : [modelId];
    const many = models.length > 1;
    const combined = many ? modelColumns(models, methods) : { methods, columns: undefined };
    const keys = modelKeys(models);
    this.modelStep = null;
    this.status = 'running';
    this.runModels = models;
    this.runColumns = combined.columns;
    this.runMethods = combined.methods;
    this.results = suites.map((s) => ({
      suiteName: s.name,
      relation: s.relation,
      split: s.split,
      items: emptyItems(s),
    }));
    // The directions steered methods add (CAA vectors, SAE features) as numbers, stored with the run so that its file
    // reproduces. A run over several models reads them per model; only the first model's are stored.
    if (methods.some((m) => m.steer)) {
      try {
        const byS = await this.worker.steerDirections(suites, methods);
        const col = (id: string) => (many ? columnId(keys, 0, id) : id);
        this.results = this.results.map((s) => {
          const d = byS[s.suiteName];
          return d ? { ...s, steering: Object.fromEntries(Object.entries(d).map(([id, v]) => [col(id), v])) } : s;
        });
      } catch (err) {
        this.status = 'failed';
        this.#error = errorMessage(err);
        return;
      }
    }
    const createdAt = Date.now();
    const runId = `run-${createdAt.toString(36)}`;
    const when = formatLocalTime(createdAt);
    await this.runs.begin(
      {
        id: runId,
        name: `${models.join(' vs ')} · ${suites.map((s) => s.name).join(', ')} · ${when}`,
        createdAt,
        modelId,
        ...(many ? { models, columns: combined.columns } : {}),
        seed: this.seed,
        status: 'running',
        config: encodeConfig(this.config(modelId)),
        backend,
        methods: combined.methods,
        suites: this.results.map((s) => ({
          suiteName: s.suiteName,
          relation: s.relation,
          split: s.split,
          items: s.items.map(({ outputs: _o, ...rest }) => rest),
          ...(s.steering ? { steering: s.steering } : {}),
        })),
      },
      this.snapshot(modelId),
    );
    const perModel = suites.reduce((n, s) => n + s.items.length, 0) * methods.length;
    const total = perModel * models.length;
    this.progress = { done: 0, total, suiteName: suites[0]!.name, methodId: methods[0]!.id };
    const started = performance.now();
    try {
      for (const [index, id] of models.entries()) {
        if ((this.status as ExperimentStatus) === 'cancelling') throw new CancelledError();
        if (many)
          this.modelStep = { index, count: models.length, modelId: id, phase: index > 0 ? 'loading' : 'running' };
        if (index > 0) {
          await load!(id);
          if ((this.status as ExperimentStatus) === 'cancelling') throw new CancelledError();
          this.modelStep = { index, count: models.length, modelId: id, phase: 'running' };
        }
        const column = (methodId: string) => (many ? columnId(keys, index, methodId) : methodId);
        const offset = perModel * index;
        await this.worker.run(
          { suites, methods, seed: this.seed, batchSize: this.batchSize },
          Comlink.proxy((p: RunProgress) => (this.progress = { ...p, done: p.done + offset, total })),
          Comlink.proxy((suiteName: string, index: number, methodId: string, output: MethodOutput) => {
            const out = many ? { ...output, modelId: id } : output;
            this.record(suiteName, index, column(methodId), out);
            void this.runs.record(runId, suiteName, index, column(methodId), this.snapshot(modelId), out);
          }),
        );
      }
      this.status = 'done';
    } catch (err) {
      // Whatever finished before the error or the cancel stays in `results`.
      if ((this.status as ExperimentStatus) === 'cancelling' || isCancelled(err)) this.status = 'cancelled';
      else {
        this.status = 'failed';
        this.#error = String(err);
      }
    } finally {
      this.elapsedMs = performance.now() - started;
      await this.runs.finish(
        runId,
        this.status === 'done' ? 'done' : this.status === 'cancelled' ? 'cancelled' : 'failed',
      );
    }
  }

  private snapshot(modelId: string): RunResults {
    const models = this.runModels.length > 1 ? { models: this.runModels, columns: this.runColumns } : {};
    return { version: 1, modelId, ...models, seed: this.seed, methods: this.runMethods, suites: this.results };
  }

  cancel(): void {
    if (this.status !== 'running') return;
    this.status = 'cancelling';
    void this.worker.cancel();
  }

  private record(suiteName: string, index: number, methodId: string, output: MethodOutput): void {
    this.results = this.results.map((s) => {
      if (s.suiteName !== suiteName) return s;
      const items = s.items.slice();
      const item = items[index];
      if (item) items[index] = { ...item, outputs: { ...item.outputs, [methodId]: output } };
      return { ...s, items };
    });
  }
}
