import { RunStore, type RunHeader, type RunStatus } from '../../adapters/run-store.ts';
import { leaderboardCsv, parseRunFile, runFile, serializeRunFile, toCsv } from '../../core/run/export.ts';
import type { RunResults } from '../../core/run/results.ts';
import { errorMessage } from '../../core/errors.ts';

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
  store: RunStore | null = null;
  runs = $state.raw<RunHeader[]>([]);
  open = $state.raw<OpenRun | null>(null);
  compareId = $state<string | null>(null);
  compareRun = $state.raw<OpenRun | null>(null);
  error = $state<string | null>(null);
  /** Releases of the Web Locks held for this tab's live runs. */
  readonly #locks: Record<string, () => void> = {};

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
      this.store = await RunStore.open();
      // A run still marked running belongs to a page that is gone, unless another tab holds its lock (it is live
      // there): what a gone page finished is kept, the rest never ran.
      const live = await liveRunLocks();
      for (const h of await this.store.list())
        if (h.status === 'running' && !live.has(runLockName(h.id))) await this.store.setStatus(h.id, 'interrupted');
      await this.refresh();
    } catch (err) {
      this.error = `Runs cannot be stored in this browser (IndexedDB: ${String(err)}); results last until the page closes.`;
    }
  }

  async refresh(): Promise<void> {
    if (this.store) this.runs = await this.store.list();
  }

  async begin(header: RunHeader, results: RunResults): Promise<void> {
    await this.#holdLock(header.id);
    this.open = { header, results };
    await this.store?.putHeader(header);
    await this.refresh();
  }

  /** A live output: shown at once and written to IndexedDB before the next one arrives. */
  async record(
    runId: string,
    suiteName: string,
    itemIndex: number,
    methodId: string,
    results: RunResults,
    output: RunResults['suites'][number]['items'][number]['outputs'][string],
  ): Promise<void> {
    if (this.open?.header.id === runId) this.open = { header: this.open.header, results };
    await this.store?.putOutput(runId, suiteName, itemIndex, methodId, output);
  }

  async finish(runId: string, status: RunStatus): Promise<void> {
    await this.store?.setStatus(runId, status);
    this.#locks[runId]?.();
    delete this.#locks[runId];
    if (this.open?.header.id === runId) this.open = { ...this.open, header: { ...this.open.header, status } };
    await this.refresh();
  }

  async show(id: string): Promise<void> {
    const loaded = await this.store?.load(id);
    if (!loaded) {
      this.error = `run ${id} is not stored here`;
      return;
    }
    this.open = loaded;
    if (this.compareId === id) await this.setCompare(null);
  }

  async setCompare(id: string | null): Promise<void> {
    this.compareId = id;
    this.compareRun = id ? ((await this.store?.load(id)) ?? null) : null;
  }

  async rename(id: string, name: string): Promise<void> {
    if (!name.trim()) return;
    await this.store?.rename(id, name.trim());
    if (this.open?.header.id === id) this.open = { ...this.open, header: { ...this.open.header, name: name.trim() } };
    await this.refresh();
  }

  async remove(id: string): Promise<void> {
    await this.store?.delete(id);
    if (this.open?.header.id === id) this.open = null;
    if (this.compareId === id) await this.setCompare(null);
    await this.refresh();
  }

  exportJson(): void {
    if (!this.open) return;
    const h = this.open.header;
    const data = runFile({
      name: h.name,
      createdAt: h.createdAt,
      config: h.config,
      backend: h.backend,
      results: this.open.results,
    });
    download(`${fileStem(h.name)}.json`, 'application/json', serializeRunFile(data));
  }

  exportCsv(): void {
    if (this.open) download(`${fileStem(this.open.header.name)}.csv`, 'text/csv', toCsv(this.open.results));
  }

  /** The leaderboard, one row per (model, method, suite) with every metric of the registry (metrics/suite-metrics.ts). */
  exportLeaderboardCsv(): void {
    if (this.open)
      download(`${fileStem(this.open.header.name)}-leaderboard.csv`, 'text/csv', leaderboardCsv(this.open.results));
  }

  /** Import a results file as a new stored run; a bad file is reported and nothing else changes. */
  async importFile(file: File): Promise<void> {
    try {
      // Any results file: the page's export or the CLI's --out, of this or an earlier version.
      const data = parseRunFile(await file.text(), file.name, { createdAt: file.lastModified });
      const header: RunHeader = {
        id: `imported-${Date.now().toString(36)}`,
        name: `${data.name} (imported)`,
        createdAt: data.createdAt,
        modelId: data.results.modelId,
        ...(data.results.models ? { models: data.results.models, columns: data.results.columns } : {}),
        seed: data.results.seed,
        status: 'done',
        config: data.config,
        backend: data.backend,
        methods: data.results.methods,
        suites: data.results.suites.map((s) => ({
          suiteName: s.suiteName,
          relation: s.relation,
          split: s.split,
          items: s.items.map(({ outputs: _o, ...rest }) => rest),
        })),
      };
      await this.store?.putRun(header, data.results);
      this.open = { header, results: data.results };
      this.error = null;
      await this.refresh();
    } catch (err) {
      this.error = errorMessage(err);
    }
  }
}

export { download, fileStem };
