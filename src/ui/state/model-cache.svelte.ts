import { originOf } from '../urls.ts';
import { groupCache, type CacheEntry, type CachedModel, type CacheSource } from '../model-files.ts';
import { errorMessage } from '../../core/errors.ts';

/** The Cache API store transformers.js downloads into (env.cacheKey). */
export const TRANSFORMERS_CACHE = 'transformers-cache';

export interface StorageEstimate {
  usage: number;
  quota: number;
}

/** What the browser keeps of downloaded models (Cache API), per model with sizes, and the storage quota. */
export class ModelCacheState {
  /** Every cached URL with its size, as last read. */
  #entries = $state.raw<CacheEntry[]>([]);
  get entries(): CacheEntry[] {
    return this.#entries;
  }
  /** Bundled model ids (the manifest), to tell which folder a cached file of this site belongs to. */
  #bundledIds = $state.raw<readonly string[]>([]);
  get bundledIds(): readonly string[] {
    return this.#bundledIds;
  }
  #estimate = $state.raw<StorageEstimate | null>(null);
  get estimate(): StorageEstimate | null {
    return this.#estimate;
  }
  #error = $state<string | null>(null);
  get error(): string | null {
    return this.#error;
  }
  readonly supported = typeof caches !== 'undefined';

  readonly models = $derived.by((): CachedModel[] => groupCache(this.#entries, this.modelsBase, this.#bundledIds));
  readonly totalBytes = $derived(this.models.reduce((n, m) => n + m.bytes, 0));

  constructor(
    /** Absolute URL of the bundled models folder (…/models/). */
    private readonly modelsBase: string,
  ) {}

  /** Which model ids are bundled (from the manifest the engine reads). */
  setBundled(ids: readonly string[]): void {
    this.#bundledIds = ids;
  }

  /** The cached files of one model, or null when nothing of it is cached. */
  find(source: CacheSource, id: string, host: string): CachedModel | null {
    const origin = originOf(host);
    return this.models.find((m) => m.source === source && m.id === id && m.host === origin) ?? null;
  }

  async refresh(): Promise<void> {
    await this.refreshEstimate();
    if (!this.supported) return;
    try {
      const cache = await caches.open(TRANSFORMERS_CACHE);
      const entries: CacheEntry[] = [];
      for (const request of await cache.keys()) {
        const res = await cache.match(request);
        if (!res) continue;
        const length = res.headers.get('content-length');
        entries.push({ url: request.url, bytes: length !== null ? Number(length) : (await res.blob()).size });
      }
      this.#entries = entries;
      this.#error = null;
    } catch (err) {
      this.#error = `The browser cache could not be read: ${errorMessage(err)}`;
    }
  }

  private async refreshEstimate(): Promise<void> {
    try {
      const e = await navigator.storage?.estimate();
      this.#estimate = e && typeof e.quota === 'number' ? { usage: e.usage ?? 0, quota: e.quota } : null;
    } catch {
      this.#estimate = null;
    }
  }

  /** Delete every cached file of one model. */
  async remove(key: string): Promise<void> {
    const model = this.models.find((m) => m.key === key);
    if (!model || !this.supported) return;
    try {
      const cache = await caches.open(TRANSFORMERS_CACHE);
      for (const f of model.files) await cache.delete(f.url);
    } catch (err) {
      this.#error = `Could not delete ${model.id} from the browser cache: ${errorMessage(err)}`;
    }
    await this.refresh();
  }
}
