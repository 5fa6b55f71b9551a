import { SuitesState } from './suites.svelte.ts';
import { MethodsState } from './methods.svelte.ts';
import { compactMethods, expandMethods, type ExperimentConfig } from '../../core/run/url-config.ts';
import { estimateItemBytes } from '../../core/run/storage-estimate.ts';

/**
 * The setup of the next run, all that a link carries: suites, methods, seed, batch size, the other models a run goes
 * through, and compact storage. The panels edit it through these methods; a run reads it when it starts.
 */
export class RunSetup {
  readonly suites = new SuitesState();
  readonly methods = new MethodsState();
  #seed = $state(1);
  #batchSize = $state(8);
  /** Compact storage for the next run: full token traces for each item's chosen path only. */
  #compact = $state(false);
  /** Bundled models to run after the lead, with the same suites, methods and seed (a run over several models). */
  #alsoModels = $state.raw<string[]>([]);
  /**
   * The model the last run (or the last configuration applied) started on. A run over several models leaves its last
   * model loaded; while the loaded model is one of the others chosen, the next run still starts on this one.
   */
  #lead = $state<string | null>(null);

  get seed(): number {
    return this.#seed;
  }

  setSeed(seed: number): void {
    this.#seed = seed;
  }

  get batchSize(): number {
    return this.#batchSize;
  }

  setBatchSize(size: number): void {
    this.#batchSize = size;
  }

  get compact(): boolean {
    return this.#compact;
  }

  setCompact(on: boolean): void {
    this.#compact = on;
  }

  /** Bytes per item compact storage saves at most with the chosen methods (the traces of their paths). */
  get compactSaves(): number {
    const methods = this.methods.chosen;
    return estimateItemBytes(methods) - estimateItemBytes(methods, true);
  }

  get alsoModels(): readonly string[] {
    return this.#alsoModels;
  }

  toggleModel(id: string, on: boolean): void {
    if (on === this.#alsoModels.includes(id)) return;
    this.#alsoModels = on ? [...this.#alsoModels, id] : this.#alsoModels.filter((m) => m !== id);
  }

  /**
   * The model a run with `loaded` loaded starts on: the loaded one, unless it is one of the others chosen for the last
   * run's lead (the run over several models that left it loaded), which then keeps its place first.
   */
  leadFor(loaded: string): string {
    const lead = this.#lead;
    return lead !== null && lead !== loaded && this.#alsoModels.includes(loaded) ? lead : loaded;
  }

  /**
   * The models a run with `loaded` loaded goes through, always in the order chosen: the lead first, then the others
   * in the order they were ticked (the loaded model is reused only where its turn comes first).
   */
  modelsFor(loaded: string): string[] {
    const lead = this.leadFor(loaded);
    return [lead, ...this.#alsoModels.filter((m) => m !== lead)];
  }

  /** A run starts on `lead` (the first of `modelsFor`): the next run starts there again while it is chosen. */
  startOn(lead: string): void {
    this.#lead = lead;
  }

  /** The configuration a link reproduces (its model is the run's first model, not necessarily the one loaded). */
  config(loaded: string): ExperimentConfig {
    const models = this.modelsFor(loaded);
    return {
      model: models[0]!,
      ...(models.length > 1 ? { models } : {}),
      suites: [...this.suites.chosen],
      itemLimit: this.suites.itemLimit,
      generatedSeed: this.suites.generatedSeed,
      methods: compactMethods(this.methods.chosen),
      seed: this.#seed,
      batchSize: this.#batchSize,
    };
  }

  /** Apply a configuration from a link, a lesson or a stored run (the model is the engine's business). */
  applyConfig(config: ExperimentConfig): void {
    this.methods.applyConfig(expandMethods(config.methods));
    this.suites.applyConfig(config);
    this.#seed = config.seed;
    this.#batchSize = config.batchSize;
    this.#alsoModels = config.models?.slice(1) ?? [];
    this.#lead = config.model;
  }
}
