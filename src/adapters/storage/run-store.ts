import type { MethodSpec } from '../../core/methods/method.ts';
import type { ItemResult, MethodOutput, RunColumn, RunResults } from '../../core/run/results.ts';
import { done, request } from './idb.ts';

/**
 * Runs in IndexedDB. A run's header is written when it starts and each item × method output as soon as it
 * is finished, so a reload or a crash mid-run loses nothing already computed.
 */
export type RunStatus = 'running' | 'done' | 'cancelled' | 'failed' | 'interrupted';

export interface RunHeader {
  id: string;
  name: string;
  createdAt: number;
  modelId: string;
  /** A run over several models: its models and which model and method each of `methods` is (RunResults). */
  models?: string[];
  columns?: Record<string, RunColumn>;
  seed: number;
  status: RunStatus;
  /** The configuration as the URL encodes it, so an opened run can be re-run. */
  config: string;
  backend?: string;
  methods: MethodSpec[];
  /** Compact storage: the paths of a method with several keep no token traces (a resumed run keeps the setting). */
  compact?: boolean;
  /** Bytes its stored outputs take (their JSON length), once known: set when the run ends or is imported. */
  bytes?: number;
  /** Outputs that could not be stored (the browser's storage was full); the run's file export still has them. */
  unsaved?: number;
  suites: {
    suiteName: string;
    relation?: string;
    split?: string;
    items: Omit<ItemResult, 'outputs'>[];
    /** Steered methods' directions (SuiteResults.steering). */
    steering?: Record<string, number[]>;
  }[];
}

export interface OutputRecord {
  runId: string;
  suiteName: string;
  itemIndex: number;
  methodId: string;
  output: MethodOutput;
}

const DB_NAME = 'coax';
const DB_VERSION = 1;

export class RunStore {
  private constructor(private readonly db: IDBDatabase) {}

  static async open(): Promise<RunStore> {
    const req = indexedDB.open(DB_NAME, DB_VERSION);
    req.onupgradeneeded = () => {
      const db = req.result;
      if (!db.objectStoreNames.contains('runs')) db.createObjectStore('runs', { keyPath: 'id' });
      if (!db.objectStoreNames.contains('outputs')) {
        const outputs = db.createObjectStore('outputs', { keyPath: ['runId', 'suiteName', 'itemIndex', 'methodId'] });
        outputs.createIndex('byRun', 'runId');
      }
    };
    return new RunStore(await request(req));
  }

  async putHeader(header: RunHeader): Promise<void> {
    checkSuiteNames(header);
    const tx = this.db.transaction('runs', 'readwrite');
    tx.objectStore('runs').put(header);
    await done(tx);
  }

  async putOutput(
    runId: string,
    suiteName: string,
    itemIndex: number,
    methodId: string,
    output: MethodOutput,
  ): Promise<void> {
    const tx = this.db.transaction('outputs', 'readwrite');
    // add, not put: an output already stored under this key is never overwritten (the transaction fails instead).
    tx.objectStore('outputs').add({ runId, suiteName, itemIndex, methodId, output } satisfies OutputRecord);
    await done(tx);
  }

  async list(): Promise<RunHeader[]> {
    const tx = this.db.transaction('runs', 'readonly');
    const all = (await request(tx.objectStore('runs').getAll())) as RunHeader[];
    return all.sort((a, b) => b.createdAt - a.createdAt);
  }

  async header(id: string): Promise<RunHeader | undefined> {
    const tx = this.db.transaction('runs', 'readonly');
    return (await request(tx.objectStore('runs').get(id))) as RunHeader | undefined;
  }

  async load(id: string): Promise<{ header: RunHeader; results: RunResults } | undefined> {
    const header = await this.header(id);
    if (!header) return undefined;
    const tx = this.db.transaction('outputs', 'readonly');
    const records = (await request(tx.objectStore('outputs').index('byRun').getAll(id))) as OutputRecord[];
    return { header, results: assemble(header, records) };
  }

  async rename(id: string, name: string): Promise<void> {
    const h = await this.header(id);
    if (h) await this.putHeader({ ...h, name });
  }

  async setStatus(id: string, status: RunStatus, more: Pick<RunHeader, 'bytes' | 'unsaved'> = {}): Promise<void> {
    const h = await this.header(id);
    if (h) await this.putHeader({ ...h, status, ...more });
  }

  async delete(id: string): Promise<void> {
    const tx = this.db.transaction(['runs', 'outputs'], 'readwrite');
    tx.objectStore('runs').delete(id);
    const outputs = tx.objectStore('outputs');
    const keys = await request(outputs.index('byRun').getAllKeys(id));
    for (const k of keys) outputs.delete(k);
    await done(tx);
  }

  /** Store a whole run (an import): header and every output, in one transaction. */
  async putRun(header: RunHeader, results: RunResults): Promise<void> {
    checkSuiteNames(header);
    const tx = this.db.transaction(['runs', 'outputs'], 'readwrite');
    tx.objectStore('runs').put({ ...header, bytes: outputBytes(results) });
    const outputs = tx.objectStore('outputs');
    for (const s of results.suites)
      s.items.forEach((item, itemIndex) => {
        for (const [methodId, output] of Object.entries(item.outputs))
          outputs.add({ runId: header.id, suiteName: s.suiteName, itemIndex, methodId, output } satisfies OutputRecord);
      });
    await done(tx);
  }
}

/** The bytes a run's outputs take, as JSON (what a stored run costs, roughly). */
export function outputBytes(results: RunResults): number {
  let n = 0;
  for (const s of results.suites)
    for (const item of s.items) for (const out of Object.values(item.outputs)) n += JSON.stringify(out).length;
  return n;
}

/** Whether a failed write failed because the browser's storage for this site is full. */
export function isQuotaError(err: unknown): boolean {
  const e = err as { name?: string; message?: string } | null;
  return e?.name === 'QuotaExceededError' || /quota/i.test(e?.message ?? '');
}

/** Outputs are keyed by suite name: a run whose suites share a name would overwrite its own outputs. */
export function checkSuiteNames(header: Pick<RunHeader, 'suites'>): void {
  const seen = new Set<string>();
  for (const s of header.suites) {
    if (seen.has(s.suiteName))
      throw new Error(`run store: two suites of this run are named "${s.suiteName}"; refusing to store it`);
    seen.add(s.suiteName);
  }
}

/**
 * The header a run's results are stored under: their suites and items without outputs (which are stored one by one),
 * and `meta`. `assemble` puts them back together.
 */
export function headerFor(
  results: Omit<RunResults, 'version'>,
  meta: Pick<RunHeader, 'id' | 'name' | 'createdAt' | 'status' | 'config' | 'backend' | 'compact'>,
): RunHeader {
  return {
    ...meta,
    modelId: results.modelId,
    ...(results.models ? { models: results.models, columns: results.columns } : {}),
    seed: results.seed,
    methods: results.methods,
    suites: results.suites.map(({ items, ...s }) => ({ ...s, items: items.map(({ outputs: _o, ...rest }) => rest) })),
  };
}

export function assemble(header: RunHeader, records: readonly OutputRecord[]): RunResults {
  const suites = header.suites.map((s) => ({
    suiteName: s.suiteName,
    relation: s.relation,
    split: s.split,
    items: s.items.map((it) => ({ ...it, outputs: {} as Record<string, MethodOutput> })),
    ...(s.steering ? { steering: s.steering } : {}),
  }));
  const bySuite = new Map(suites.map((s) => [s.suiteName, s]));
  for (const r of records) {
    const item = bySuite.get(r.suiteName)?.items[r.itemIndex];
    if (item) item.outputs[r.methodId] = r.output;
  }
  const models = header.models ? { models: header.models, columns: header.columns } : {};
  return { version: 1, modelId: header.modelId, ...models, seed: header.seed, methods: header.methods, suites };
}
