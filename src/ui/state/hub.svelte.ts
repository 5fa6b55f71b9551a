import { z } from 'zod';
import { DTYPES } from '../../worker/dtypes.ts';
import type { HubSettings } from '../../worker/protocol.ts';
import { filesForDtype } from '../model-files.ts';
import { httpUrl } from '../urls.ts';
import { errorMessage } from '../../core/errors.ts';

export const DEFAULT_HUB = 'https://huggingface.co';

/** What the hub says about one repository. */
export interface RepoInfo {
  status: 'loading' | 'ok' | 'not-found' | 'error';
  files: string[];
  /** Bytes per file, where the hub told us (the listing's blob sizes, else a HEAD request). */
  sizes: Record<string, number>;
  error: string | null;
}

const listingSchema = z.object({
  siblings: z.array(
    z.object({
      rfilename: z.string(),
      size: z.number().optional(),
      lfs: z.object({ size: z.number().optional() }).optional(),
    }),
  ),
});

/** The hub side of the model picker: whether downloads are allowed, from where, and what repositories hold. */
export class HubState {
  /** Off until the user switches it on: until then the page sends nothing to the hub. */
  #allowRemote = $state(false);
  /** The free-text hub id field. */
  #idText = $state('');
  #repos = $state.raw<Record<string, RepoInfo>>({});
  get repos(): Record<string, RepoInfo> {
    return this.#repos;
  }

  /**
   * @param host the hub, or a mirror with its URL layout (the `hub` URL parameter), without a trailing slash
   * @param hostError why the asked-for host was not used, if it was not
   */
  constructor(
    readonly host: string,
    readonly hostError: string | null = null,
  ) {}

  /** The `hub=` URL parameter as a host: an http(s) URL, else the real hub and an explanation. */
  static fromParam(param: string | null): HubState {
    if (!param) return new HubState(DEFAULT_HUB);
    try {
      return new HubState(httpUrl(param));
    } catch {
      return new HubState(DEFAULT_HUB, `the hub address "${param}" is not an http(s) URL; using ${DEFAULT_HUB}`);
    }
  }

  get idText(): string {
    return this.#idText;
  }

  setIdText(text: string): void {
    this.#idText = text;
  }

  get allowRemote(): boolean {
    return this.#allowRemote;
  }

  /** Allow downloads from the hub, or stop them (the engine passes the change on to the worker). */
  setAllowRemote(on: boolean): void {
    this.#allowRemote = on;
  }

  settings(): HubSettings {
    return { allowRemote: this.allowRemote, host: this.host };
  }

  private set(id: string, info: RepoInfo): void {
    this.#repos = { ...this.#repos, [id]: info };
  }

  /** Ask about several repositories at once (the curated list, when downloads are switched on). */
  inspectAll(ids: readonly string[]): void {
    for (const id of ids) void this.inspect(id);
  }

  /**
   * A repository's files and their sizes: the hub's listing (`/api/models/<id>?blobs=true`), then a HEAD request for
   * each file a load would read whose size the listing left out. Never called while downloads are off.
   */
  async inspect(id: string, again = false): Promise<void> {
    if (!this.allowRemote) return;
    const known = this.#repos[id];
    if (known && !again && (known.status === 'ok' || known.status === 'loading')) return;
    this.set(id, { status: 'loading', files: [], sizes: {}, error: null });
    const apiUrl = `${this.host}/api/models/${id}?blobs=true`;
    try {
      const res = await fetch(apiUrl);
      if (res.status === 404 || res.status === 401) {
        this.set(id, {
          status: 'not-found',
          files: [],
          sizes: {},
          error: `${id} was not found on ${this.host} (${res.status}); check the id (private and gated repositories cannot be used from the page)`,
        });
        return;
      }
      if (!res.ok) throw new Error(`${apiUrl} answered ${res.status}`);
      const parsed = listingSchema.safeParse(await res.json());
      if (!parsed.success)
        throw new Error(
          `${apiUrl} did not answer with a file listing (${parsed.error.issues[0]?.message ?? 'unexpected shape'})`,
        );
      const files = parsed.data.siblings.map((s) => s.rfilename);
      const sizes: Record<string, number> = {};
      for (const s of parsed.data.siblings) {
        const size = s.lfs?.size ?? s.size;
        if (size !== undefined) sizes[s.rfilename] = size;
      }
      const needed = DTYPES.flatMap((d) => filesForDtype(files, d)).filter(
        (f, i, all) => all.indexOf(f) === i && sizes[f] === undefined,
      );
      await Promise.all(
        needed.map(async (f) => {
          const head = await fetch(`${this.host}/${id}/resolve/main/${f}`, { method: 'HEAD' });
          const length = head.headers.get('content-length');
          if (head.ok && length !== null) sizes[f] = Number(length);
        }),
      );
      this.set(id, { status: 'ok', files, sizes, error: null });
    } catch (err) {
      this.set(id, {
        status: 'error',
        files: [],
        sizes: {},
        error: `could not ask ${this.host} about ${id}: ${errorMessage(err)}`,
      });
    }
  }
}
