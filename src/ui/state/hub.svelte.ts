import type { HubSettings } from '../../worker/protocol.ts';
import type { RepoInfo } from '../../worker/hub-listing.ts';
import { httpUrl } from '../urls.ts';
import { errorMessage } from '../../core/errors.ts';

export type { RepoInfo };

export const DEFAULT_HUB = 'https://huggingface.co';

/** Asks the hub about a repository: the inference worker does (only its hub entry may reach the hub). */
export type RepoInspector = (id: string) => Promise<RepoInfo>;

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
    private readonly ask: RepoInspector,
    readonly hostError: string | null = null,
  ) {}

  /** The `hub=` URL parameter as a host: an http(s) URL, else the real hub and an explanation. */
  static fromParam(param: string | null, ask: RepoInspector): HubState {
    if (!param) return new HubState(DEFAULT_HUB, ask);
    try {
      return new HubState(httpUrl(param), ask);
    } catch {
      return new HubState(DEFAULT_HUB, ask, `the hub address "${param}" is not an http(s) URL; using ${DEFAULT_HUB}`);
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
   * A repository's files and their sizes (src/worker/hub-listing.ts, asked of the worker). Never called while
   * downloads are off.
   */
  async inspect(id: string, again = false): Promise<void> {
    if (!this.allowRemote) return;
    const known = this.#repos[id];
    if (known && !again && (known.status === 'ok' || known.status === 'loading')) return;
    this.set(id, { status: 'loading', files: [], sizes: {}, error: null });
    try {
      this.set(id, await this.ask(id));
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
