import {
  assemble,
  isQuotaError,
  outputBytes,
  RunStore,
  headerFor,
  type RunHeader,
  type RunStatus,
} from '../../adapters/storage/run-store.ts';
import { leaderboardCsv, parseRunFile, runFile, serializeRunFile, toCsv } from '../../core/run/export.ts';
import type { MethodOutput, RunResults } from '../../core/run/results.ts';
import { errorMessage } from '../../core/errors.ts';
import { formatBytes } from '../format.ts';

export interface OpenRun {
  header: RunHeader;
  results: RunResults;
}

function download(name: string, type: string, data: string | Blob): void {
  const blob = typeof data === 'string' ? new Blob([data], { type }) : data;
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

function fileStem(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-|-$/g, '') || 'coax-run';
}

/** `results` with one more output (a new object for the suite and item that changed; the rest shared). */
function withOutput(
  results: RunResults,
  suiteName: string,
  itemIndex: number,
  methodId: string,
  output: MethodOutput,
): RunResults {
  const suites = results.suites.map((s) => {
    const item = s.items[itemIndex];
    if (s.suiteName !== suiteName || !item) return s;
    return { ...s, items: s.items.with(itemIndex, { ...item, outputs: { ...item.outputs, [methodId]: output } }) };
  });
  return { ...results, suites };
}

const runLockName = (id: string) => `coax-run:${id}`;

/** The names of run locks held by any tab of this origin (none where the browser has no Web Locks). */
async function liveRunLocks(): Promise<Set<string>> {
  const locks = typeof navigator === 'undefined' ? undefined : navigator.locks;
  if (!locks) return new Set();
  const state = await locks.query();
  return new Set((state.held ?? []).map((l) => l.name ?? ''));
}

/** Past runs (IndexedDB), the run on screen, and a second run to compare it with. */
export class RunsState {
  #store: RunStore | null = null;
  #runs = $state.raw<RunHeader[]>([]);
  #open = $state.raw<OpenRun | null>(null);
  #compareId = $state<string | null>(null);
  #compareRun = $state.raw<OpenRun | null>(null);
  #error = $state<string | null>(null);
  /** Per live run: bytes of its stored outputs, and outputs that could not be stored. */
  readonly #written: Record<string, { bytes: number; unsaved: number; pending: Promise<void>[] }> = {};
  /** Releases of the Web Locks held for this tab's live runs. */
  readonly #locks: Record<string, () => void> = {};

  /** The IndexedDB store (null where the browser has none). */
  get store(): RunStore | null {
    return this.#store;
  }

  /** Stored runs, newest first. */
  get runs(): readonly RunHeader[] {
    return this.#runs;
  }

  /** The run on screen: the one owner of its results, replaced whole as outputs arrive. */
  get open(): OpenRun | null {
    return this.#open;
  }

  get compareId(): string | null {
    return this.#compareId;
  }

  get compareRun(): OpenRun | null {
    return this.#compareRun;
  }

  get error(): string | null {
    return this.#error;
  }

  /** Bytes this site may still store (the browser's quota less what it uses), or null where the browser cannot say. */
  async freeBytes(): Promise<number | null> {
    try {
      const e = await navigator.storage?.estimate();
      return e && typeof e.quota === 'number' ? Math.max(0, e.quota - (e.usage ?? 0)) : null;
    } catch {
      return null;
    }
  }

  /** A warning, or null, for a run that may store up to `need` bytes: whether that may not fit the site's storage. */
  async storageWarning(need: number): Promise<string | null> {
    const free = await this.freeBytes();
    return free !== null && need > free
      ? `This run may need up to ${formatBytes(need)} of storage and this browser grants the site ${formatBytes(free)} more: outputs that do not fit stay on screen but are not stored. Export the run when it ends, or free space (delete old runs or cached models).`
      : null;
  }

  /** Hold the run's lock until it finishes (or the tab closes), so other tabs see that it is live. */
  async #holdLock(id: string): Promise<void> {
    const locks = typeof navigator === 'undefined' ? undefined : navigator.locks;
    if (!locks) return;
    const held = new Promise<void>((release) => (this.#locks[id] = release));
    await new Promise<void>((granted) => {
      void locks.request(runLockName(id), () => {
        granted();
        return held;
      });
    });
  }

  async start(): Promise<void> {
    try {
      this.#store = await RunStore.open();
      // A run still marked running belongs to a page that is gone, unless another tab holds its lock (it is live
      // there): what a gone page finished is kept, the rest never ran.
      const live = await liveRunLocks();
      for (const h of await this.#store.list())
        if (h.status === 'running' && !live.has(runLockName(h.id))) await this.#store.setStatus(h.id, 'interrupted');
      await this.refresh();
    } catch (err) {
      this.#error = `Runs cannot be stored in this browser (IndexedDB: ${String(err)}); results last until the page closes.`;
    }
  }

  async refresh(): Promise<void> {
    if (this.#store) this.#runs = await this.#store.list();
  }

  /** Start a run: its header is stored and it is opened with no outputs yet (the skeleton comes from the header). */
  async begin(header: RunHeader): Promise<void> {
    await this.#holdLock(header.id);
    this.#open = { header, results: assemble(header, []) };
    await this.#store?.putHeader(header);
    await this.refresh();
  }

  /** Open a stored run to go on with it (resume): it is marked running again, under this tab's lock. */
  async reopen(id: string): Promise<OpenRun> {
    const loaded = await this.#store?.load(id);
    if (!loaded) throw new Error(`run ${id} is not stored here`);
    if (loaded.header.status === 'running') throw new Error('it is still running');
    if (loaded.header.status === 'done') throw new Error('it is finished');
    await this.#holdLock(id);
    this.#written[id] = { bytes: outputBytes(loaded.results), unsaved: 0, pending: [] };
    const header = { ...loaded.header, status: 'running' as const };
    await this.#store?.putHeader(header);
    this.#open = { header, results: loaded.results };
    if (this.#compareId === id) await this.setCompare(null);
    await this.refresh();
    return this.#open;
  }

  /**
   * A live output: the open run's results are replaced whole with it added (when that run is on screen), and it is
   * written to IndexedDB.
   */
  async record(
    runId: string,
    suiteName: string,
    itemIndex: number,
    methodId: string,
    output: MethodOutput,
  ): Promise<void> {
    const open = this.#open;
    if (open?.header.id === runId)
      this.#open = { header: open.header, results: withOutput(open.results, suiteName, itemIndex, methodId, output) };
    const written = (this.#written[runId] ??= { bytes: 0, unsaved: 0, pending: [] });
    const write = this.#store?.putOutput(runId, suiteName, itemIndex, methodId, output);
    if (!write) return;
    written.pending.push(write);
    try {
      await write;
      written.bytes += JSON.stringify(output).length;
      written.pending.splice(written.pending.indexOf(write), 1);
    } catch (err) {
      // The run goes on: the output stays on screen and in the exported file; only this browser's copy lacks it.
      written.unsaved++;
      written.pending.splice(written.pending.indexOf(write), 1);
      this.#error = `${written.unsaved} output${written.unsaved === 1 ? '' : 's'} of this run could not be stored in this browser (${isQuotaError(err) ? "the browser's storage for this site is full" : String(err)}). They are on screen: Export JSON keeps them. Free space by deleting old runs or cached models.`;
    }
  }

  async finish(runId: string, status: RunStatus): Promise<void> {
    // The outputs still being written first: the status and the size describe everything stored.
    while (this.#written[runId]?.pending.length) await Promise.allSettled([...this.#written[runId].pending]);
    const written = this.#written[runId];
    delete this.#written[runId];
    const more = written ? { bytes: written.bytes, ...(written.unsaved ? { unsaved: written.unsaved } : {}) } : {};
    try {
      await this.#store?.setStatus(runId, status, more);
    } catch (err) {
      this.#error = `The run's status could not be stored (${isQuotaError(err) ? 'storage full' : String(err)}).`;
    }
    this.#locks[runId]?.();
    delete this.#locks[runId];
    if (this.#open?.header.id === runId)
      this.#open = { ...this.#open, header: { ...this.#open.header, status, ...more } };
    await this.refresh();
  }

  async show(id: string): Promise<void> {
    const loaded = await this.#store?.load(id);
    if (!loaded) {
      this.#error = `run ${id} is not stored here`;
      return;
    }
    this.#open = loaded;
    if (this.#compareId === id) await this.setCompare(null);
  }

  async setCompare(id: string | null): Promise<void> {
    this.#compareId = id;
    this.#compareRun = id ? ((await this.#store?.load(id)) ?? null) : null;
  }

  async rename(id: string, name: string): Promise<void> {
    if (!name.trim()) return;
    await this.#store?.rename(id, name.trim());
    if (this.#open?.header.id === id)
      this.#open = { ...this.#open, header: { ...this.#open.header, name: name.trim() } };
    await this.refresh();
  }

  async remove(id: string): Promise<void> {
    await this.#store?.delete(id);
    if (this.#open?.header.id === id) this.#open = null;
    if (this.#compareId === id) await this.setCompare(null);
    await this.refresh();
  }

  exportJson(): void {
    if (!this.#open) return;
    const h = this.#open.header;
    const data = runFile({
      name: h.name,
      createdAt: h.createdAt,
      config: h.config,
      backend: h.backend,
      results: this.#open.results,
    });
    download(`${fileStem(h.name)}.json`, 'application/json', serializeRunFile(data));
  }

  exportCsv(): void {
    if (this.#open) download(`${fileStem(this.#open.header.name)}.csv`, 'text/csv', toCsv(this.#open.results));
  }

  /** The leaderboard, one row per (model, method, suite) with every metric of the registry (metrics/suite-metrics.ts). */
  exportLeaderboardCsv(): void {
    if (this.#open)
      download(`${fileStem(this.#open.header.name)}-leaderboard.csv`, 'text/csv', leaderboardCsv(this.#open.results));
  }

  /** Import a results file as a new stored run; a bad file is reported and nothing else changes. */
  async importFile(file: File): Promise<void> {
    try {
      // Any results file: the page's export or the CLI's --out, of this or an earlier version.
      const data = parseRunFile(await file.text(), file.name, { createdAt: file.lastModified });
      const header = headerFor(data.results, {
        id: `imported-${Date.now().toString(36)}`,
        name: `${data.name} (imported)`,
        createdAt: data.createdAt,
        status: 'done',
        config: data.config,
        backend: data.backend,
      });
      await this.#store?.putRun(header, data.results);
      this.#open = { header, results: data.results };
      this.#error = null;
      await this.refresh();
    } catch (err) {
      this.#error = errorMessage(err);
    }
  }
}

export { download, fileStem };
