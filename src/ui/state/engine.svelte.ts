import type { Remote } from 'comlink';
import { Comlink } from '../worker-client.ts';
import type { BackendChoice, BackendInfo, FileProgress, LoadedModel, WorkerApi } from '../../worker/protocol.ts';

export interface ModelEntry {
  id: string;
  modelType: string;
  bytes: number;
  files: string[];
  hasDataCard: boolean;
}

/** The model side of the page: which backend, which models exist, what is loaded, load progress. */
export class EngineState {
  backend = $state<BackendInfo | null>(null);
  models = $state.raw<ModelEntry[]>([]);
  selectedId = $state('');
  loaded = $state.raw<LoadedModel | null>(null);
  loading = $state(false);
  files = $state.raw<FileProgress[]>([]);
  error = $state<string | null>(null);
  /** The loaded model's data card (data_card.json), when it ships one. */
  card = $state.raw<Record<string, unknown> | null>(null);

  readonly totalLoaded = $derived(this.files.reduce((n, f) => n + f.loaded, 0));
  readonly totalBytes = $derived(this.files.reduce((n, f) => n + f.total, 0));
  readonly loadedEntry = $derived(this.models.find((m) => m.id === this.loaded?.id) ?? null);

  constructor(
    private readonly worker: Remote<WorkerApi>,
    readonly baseUrl: string,
  ) {}

  async start(choice: BackendChoice, preferredModel: string | null): Promise<void> {
    try {
      const res = await fetch(new URL('models/index.json', this.baseUrl));
      if (!res.ok) throw new Error(`model list unavailable (models/index.json answered ${res.status})`);
      this.models = (await res.json()) as ModelEntry[];
      const pick = this.models.find((m) => m.id === preferredModel) ?? this.models.find((m) => m.id.includes('organism')) ?? this.models[0];
      this.selectedId = pick?.id ?? '';
      this.backend = await this.worker.init(this.baseUrl, choice);
    } catch (err) {
      this.error = String(err);
      return;
    }
    // Bundled models are small and local: load the default at once so the page is ready to run.
    await this.load();
  }

  async load(): Promise<void> {
    if (!this.selectedId || this.loading) return;
    this.loading = true;
    this.error = null;
    this.files = [];
    this.loaded = null;
    try {
      const byFile = new Map<string, FileProgress>();
      this.loaded = await this.worker.loadModel(
        this.selectedId,
        Comlink.proxy((p: FileProgress) => {
          const prev = byFile.get(p.file);
          byFile.set(p.file, p.done && prev ? { ...prev, loaded: Math.max(prev.loaded, prev.total), done: true } : p);
          this.files = [...byFile.values()];
        }),
      );
      this.backend = this.loaded.backend;
      this.card = null;
      const entry = this.models.find((m) => m.id === this.selectedId);
      if (entry?.hasDataCard) {
        const res = await fetch(new URL(`models/${entry.id}/data_card.json`, this.baseUrl));
        if (res.ok) this.card = (await res.json()) as Record<string, unknown>;
      }
    } catch (err) {
      this.error = `Could not load ${this.selectedId}: ${String(err)}`;
    } finally {
      this.loading = false;
    }
  }
}
