import { Comlink } from '../worker-client.ts';
import { WorkerDiedError, WorkerRestartedError, type WorkerHost } from '../worker-host.ts';
import { NO_HIDDEN_IO } from '../../core/steer/steer.ts';
import type { LensGrid } from '../../core/steer/lens.ts';
import type { ContrastFeature, FeatureHit } from '../../core/steer/sae.ts';
import type { SteerRead, TraceRef } from '../../worker/protocol.ts';
import { defaultDtype, dtypeChoices, type DtypeChoice } from '../model-files.ts';
import type { Dtype } from '../../worker/dtypes.ts';
import {
  DAMAGED_CACHE,
  mergeProgress,
  type BackendChoice,
  type BackendInfo,
  type FileProgress,
  type LoadedModel,
  type ModelSource,
  type WorkerNotice,
} from '../../worker/protocol.ts';
import { resolveUrl } from '../urls.ts';
import { cardUrls, fetchCardJson } from '../model-card-files.ts';
import type { HubState } from './hub.svelte.ts';
import type { ModelCacheState } from './model-cache.svelte.ts';
import { errorMessage } from '../../core/errors.ts';
import { parseDataCard } from '../../core/schema/data-card-schema.ts';

/** One bundled model folder, as models/index.json lists it. */
export interface ModelEntry {
  id: string;
  modelType: string;
  bytes: number;
  files: string[];
  /** Bytes per file (older manifests may lack it). */
  sizes?: Record<string, number>;
  hasDataCard: boolean;
}

/**
 * The model side of the page: the backend, which models exist (bundled and on the hub), which one and which dtype
 * is chosen, loading it (with progress and cancel), what is loaded, and its data card.
 */
export class EngineState {
  #backend = $state<BackendInfo | null>(null);
  get backend(): BackendInfo | null {
    return this.#backend;
  }
  #models = $state.raw<ModelEntry[]>([]);
  get models(): ModelEntry[] {
    return this.#models;
  }
  #source = $state<ModelSource>('bundled');
  get source(): ModelSource {
    return this.#source;
  }
  #selectedId = $state('');
  get selectedId(): string {
    return this.#selectedId;
  }
  /** The dtype the user picked; the one used is `dtype` (this one if the model has it and the device runs it). */
  #wantedDtype = $state<Dtype | null>(null);
  #loaded = $state.raw<LoadedModel | null>(null);
  get loaded(): LoadedModel | null {
    return this.#loaded;
  }
  #loading = $state(false);
  get loading(): boolean {
    return this.#loading;
  }
  #loadingId = $state('');
  get loadingId(): string {
    return this.#loadingId;
  }
  #files = $state.raw<FileProgress[]>([]);
  get files(): FileProgress[] {
    return this.#files;
  }
  #error = $state<string | null>(null);
  get error(): string | null {
    return this.#error;
  }
  /** Something worth knowing that is not an error: a fallback to WASM, a cancelled load. */
  #notice = $state<string | null>(null);
  get notice(): string | null {
    return this.#notice;
  }
  /** The loaded model's data card (data_card.json), when it ships one, and its DATA_CARD.md. */
  #card = $state.raw<Record<string, unknown> | null>(null);
  get card(): Record<string, unknown> | null {
    return this.#card;
  }
  /** The card read through its schema, for the competence map (null when there is none or it is not a card). */
  readonly dataCard = $derived(parseDataCard(this.#card));
  #cardMarkdownUrl = $state<string | null>(null);
  get cardMarkdownUrl(): string | null {
    return this.#cardMarkdownUrl;
  }

  #workerDead = $state<string | null>(null);
  #switchingHub = $state(false);
  /** The model loaded when the worker died, to load again after a restart. */
  #lastLoaded: LoadedModel | null = null;
  private choice: BackendChoice = 'auto';
  private generation = 0;

  readonly totalLoaded = $derived(
    this.#files.reduce((n, f) => n + (f.done ? Math.max(f.loaded, f.total) : f.loaded), 0),
  );
  readonly totalBytes = $derived(this.#files.reduce((n, f) => n + Math.max(f.total, f.loaded), 0));
  readonly loadedEntry = $derived(
    this.#loaded?.source === 'bundled' ? (this.#models.find((m) => m.id === this.#loaded?.id) ?? null) : null,
  );
  readonly selectedEntry = $derived(
    this.#source === 'bundled' ? (this.#models.find((m) => m.id === this.#selectedId) ?? null) : null,
  );
  /** The chosen hub model's files in the browser cache, if any. */
  readonly cachedSelection = $derived.by(() =>
    this.#source === 'hub' && this.#selectedId ? this.cache.find('hub', this.#selectedId, this.hub.host) : null,
  );
  /** The chosen model's files and sizes: the manifest, the hub's listing, or (offline) what the cache holds. */
  readonly selectionFiles = $derived.by((): { files: string[] | null; sizes: Record<string, number> } => {
    if (this.#source === 'bundled')
      return { files: this.selectedEntry?.files ?? null, sizes: this.selectedEntry?.sizes ?? {} };
    const repo = this.hub.repos[this.#selectedId];
    if (this.hub.allowRemote && repo?.status === 'ok') return { files: repo.files, sizes: repo.sizes };
    const cached = this.cachedSelection;
    if (cached)
      return {
        files: cached.files.map((f) => f.file),
        sizes: Object.fromEntries(cached.files.map((f) => [f.file, f.bytes])),
      };
    return { files: null, sizes: {} };
  });
  readonly dtypeChoices = $derived.by((): DtypeChoice[] => {
    const caps = { backend: this.#backend?.backend ?? 'wasm', shaderF16: this.#backend?.webgpu.shaderF16 ?? false };
    return dtypeChoices(this.selectionFiles.files, this.selectionFiles.sizes, caps);
  });
  readonly dtype = $derived(defaultDtype(this.dtypeChoices, this.#wantedDtype));
  /** Bytes the chosen model and dtype read, when known. */
  readonly selectionBytes = $derived(this.dtypeChoices.find((c) => c.dtype === this.dtype)?.bytes ?? null);
  /** Bytes a load would download from the hub: its size less what the cache already holds. */
  readonly downloadBytes = $derived(
    this.#source === 'hub' && this.selectionBytes !== null
      ? Math.max(0, this.selectionBytes - (this.cachedSelection?.bytes ?? 0))
      : 0,
  );
  /** Why the chosen model cannot be loaded now, or null. */
  readonly blocked = $derived.by((): string | null => {
    if (!this.#backend) return 'The runtime is not ready.';
    if (!this.#selectedId) return 'Choose a model.';
    if (this.#source === 'hub' && !this.hub.allowRemote && !this.cachedSelection)
      return 'This model is not in the browser cache: switch on downloads from the hub to load it.';
    if (!this.dtype) {
      if (!this.dtypeChoices.some((c) => c.available))
        return 'It has no ONNX weights that transformers.js loads (onnx/model.onnx, model_fp16, model_quantized, model_q4, model_q4f16).';
      return 'None of its weight formats can run on this device.';
    }
    return null;
  });

  constructor(
    private readonly host: WorkerHost,
    readonly baseUrl: string,
    readonly hub: HubState,
    readonly cache: ModelCacheState,
  ) {
    host.ondeath((why) => this.onDeath(why));
  }

  /** Why the worker died, while it is dead (the page offers to restart it). */
  get workerDead(): string | null {
    return this.#workerDead;
  }

  private async initWorker(): Promise<BackendInfo> {
    const info = await this.host.race(
      this.host.api.init(
        this.baseUrl,
        this.choice,
        this.hub.settings(),
        Comlink.proxy((n: WorkerNotice) => this.onNotice(n)),
      ),
    );
    void this.host.watch().catch(() => {});
    return info;
  }

  /** The worker died by itself: nothing is loaded any more, and nothing may call it until it is restarted. */
  private onDeath(why: string): void {
    this.#lastLoaded = this.#loaded ?? this.#lastLoaded;
    this.#workerDead = why;
    this.generation++;
    this.#backend = null;
    this.#loading = false;
    this.#files = [];
    this.#loaded = null;
    this.#error = `${why}. Restart the worker to go on.`;
  }

  /**
   * Start a fresh worker (after the old one died, or to stop one that would not stop; `online` switches it to the
   * other entry) and load the model that was loaded again; resolves when it is loaded (or failed to load, with the
   * reason in `error`).
   */
  async restartWorker(online = this.host.online): Promise<void> {
    const last = this.#loaded ?? this.#lastLoaded;
    this.generation++;
    this.host.restart(online);
    this.#workerDead = null;
    this.#backend = null;
    this.#loading = false;
    this.#files = [];
    this.#loaded = null;
    this.#error = null;
    try {
      this.#backend = await this.initWorker();
    } catch (err) {
      this.#error = `The worker did not start again: ${errorMessage(err)}`;
      return;
    }
    if (last) {
      this.select(last.source, last.id);
      this.#wantedDtype = last.dtype;
      await this.load();
    }
  }

  async start(choice: BackendChoice, preferredModel: string | null): Promise<void> {
    this.choice = choice;
    try {
      const res = await fetch(resolveUrl('models/index.json', this.baseUrl));
      if (!res.ok) throw new Error(`model list unavailable (models/index.json answered ${res.status})`);
      this.#models = (await res.json()) as ModelEntry[];
      this.cache.setBundled(this.#models.map((m) => m.id));
      const pick =
        this.#models.find((m) => m.id === preferredModel) ??
        this.#models.find((m) => m.id.includes('organism')) ??
        this.#models[0];
      this.#selectedId = pick?.id ?? '';
      void this.cache.refresh();
      this.#backend = await this.initWorker();
    } catch (err) {
      this.#error = errorMessage(err);
      return;
    }
    // Bundled models are small and local: load the default at once so the page is ready to run.
    await this.load();
  }

  /** Choose a model; for a hub model with downloads on, ask the hub what it holds. */
  select(source: ModelSource, id: string): void {
    this.#source = source;
    this.#selectedId = id.trim();
    this.#wantedDtype = null;
    if (source === 'hub' && this.#selectedId) void this.hub.inspect(this.#selectedId);
  }

  get wantedDtype(): Dtype | null {
    return this.#wantedDtype;
  }

  /** Pick a dtype; the one used is still `dtype` (the model must have it and the device run it). */
  chooseDtype(dtype: Dtype): void {
    this.#wantedDtype = dtype;
  }

  /** True while switching hub downloads restarts the worker (the switch waits for it). */
  get switchingHub(): boolean {
    return this.#switchingHub;
  }

  /**
   * Switch downloads from the hub on or off. The worker restarts from the other entry (only the hub entry's policy
   * reaches the hub; src/worker/entries.ts) and loads the loaded model again; then, on, the chosen hub model is
   * asked about.
   */
  async setRemote(on: boolean): Promise<void> {
    if (this.#switchingHub || on === this.hub.allowRemote) return;
    this.#switchingHub = true;
    try {
      this.hub.setAllowRemote(on);
      await this.restartWorker(on);
    } finally {
      this.#switchingHub = false;
    }
    if (on && this.#source === 'hub' && this.#selectedId) void this.hub.inspect(this.#selectedId);
  }

  async load(): Promise<void> {
    const id = this.#selectedId;
    const dtype = this.dtype;
    if (this.#loading || this.blocked || !dtype) return;
    const source = this.#source;
    const generation = ++this.generation;
    this.#loading = true;
    this.#loadingId = id;
    this.#error = null;
    this.#notice = null;
    this.#files = [];
    const onProgress = Comlink.proxy((p: FileProgress) => {
      if (generation !== this.generation) return;
      const i = this.#files.findIndex((f) => f.file === p.file);
      const merged = mergeProgress(this.#files[i], p);
      this.#files = i < 0 ? [...this.#files, merged] : this.#files.with(i, merged);
    });
    try {
      const sizes = $state.snapshot(this.selectionFiles.sizes);
      const request = { id, source, dtype, sizes };
      let loaded: LoadedModel;
      try {
        loaded = await this.host.race(this.host.api.loadModel(request, onProgress));
      } catch (err) {
        if (!(err instanceof Error && err.name === DAMAGED_CACHE)) throw err;
        // The worker deleted a damaged cached copy; a fresh worker (without the model it had) loads it from the server.
        this.#loaded = null;
        this.host.restart();
        this.#backend = await this.initWorker();
        loaded = await this.host.race(this.host.api.loadModel({ ...request, retry: true }, onProgress));
        this.#notice = `${err.message} and loaded again from the server.`;
      }
      this.#loaded = loaded;
      this.#backend = loaded.backend;
      if (loaded.fallback) this.#notice = `${loaded.fallback}. Running on WASM instead.`;
      await this.fetchCard(loaded);
    } catch (err) {
      if (err instanceof WorkerRestartedError || err instanceof WorkerDiedError) return;
      this.#error = errorMessage(err);
    } finally {
      if (generation === this.generation) this.#loading = false;
      void this.cache.refresh();
    }
  }

  /** Why the logit lens is off for the loaded model, or null when it is on. */
  get lensReason(): string | null {
    if (!this.#loaded) return 'load a model first';
    if (!this.#loaded.hiddenIo) return NO_HIDDEN_IO;
    if (!this.#loaded.hiddenIo.lens)
      return 'needs an export with lens outputs (`training/export.py --hidden-io --lens`)';
    return null;
  }

  /** The logit lens before the token after `prompt` + `ids` (see WorkerApi.lens). */
  lens(prompt: string, ids: number[], steer?: SteerRead): Promise<LensGrid> {
    return this.host.race(this.host.api.lens(prompt, ids, steer));
  }

  /** Layers of the loaded model with a shipped SAE (see WorkerApi.saeLayers). */
  saeLayers(): Promise<number[]> {
    return this.host.race(this.host.api.saeLayers());
  }

  /** Features more active on trace a than on trace b (see WorkerApi.featureContrast). */
  featureContrast(a: TraceRef, b: TraceRef, layer: number): Promise<ContrastFeature[]> {
    return this.host.race(this.host.api.featureContrast(a, b, layer));
  }

  /** The SAE features of a trace at a layer (see WorkerApi.features). */
  features(prompt: string, ids: number[], layer: number, steer?: SteerRead): Promise<FeatureHit[]> {
    return this.host.race(this.host.api.features(prompt, ids, layer, steer));
  }

  /** Load a bundled model (a run over several models loads each in turn); throws when it did not load. */
  async loadBundled(id: string): Promise<void> {
    this.select('bundled', id);
    await this.load();
    if (this.#loaded?.id !== id) throw new Error(this.#error ?? `${id} did not load`);
  }

  /** Stop a load: transformers.js cannot abort one, so the worker is terminated and a fresh one started. */
  async cancel(): Promise<void> {
    if (!this.#loading) return;
    const id = this.#loadingId;
    this.generation++;
    this.host.restart();
    // Until the fresh worker is initialised nothing may call it: no backend, no Load button.
    this.#backend = null;
    this.#loading = false;
    this.#files = [];
    this.#loaded = null;
    this.#card = null;
    this.#cardMarkdownUrl = null;
    this.#error = null;
    this.#notice = `Loading ${id} was cancelled (the worker was restarted). Load a model to continue.`;
    try {
      this.#backend = await this.initWorker();
    } catch (err) {
      this.#error = `The worker did not start again: ${errorMessage(err)}`;
    }
    void this.cache.refresh();
  }

  private onNotice(n: WorkerNotice): void {
    if (n.kind !== 'device-lost') return;
    const id = this.#loaded?.id;
    this.#loaded = null;
    this.#error = `${n.message}. Switched to WASM${id ? `; loading ${id} again` : ''}.`;
    if (this.#backend) this.#backend = { ...this.#backend, backend: 'wasm', reason: `${n.message}; fell back to WASM` };
    if (id && id === this.#selectedId) void this.load();
  }

  /**
   * data_card.json and DATA_CARD.md beside the model: the bundled folder, or the hub repository when online (its
   * card read by the worker: the page's own policy cannot reach the hub).
   */
  private async fetchCard(loaded: LoadedModel): Promise<void> {
    this.#card = null;
    const urls = cardUrls(loaded, this.#models.find((m) => m.id === loaded.id)?.files, this.baseUrl, this.hub);
    this.#cardMarkdownUrl = urls.markdown;
    if (!urls.json) return;
    this.#card =
      loaded.source === 'hub'
        ? await this.host.race(this.host.api.hubDataCard(loaded.id)).catch(() => null)
        : await fetchCardJson(urls.json);
  }
}
