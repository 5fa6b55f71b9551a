import type { ExploreTree } from '../../core/explore/tree.ts';
import { done, request } from './idb.ts';

/**
 * Explore trees in IndexedDB, one record per tree, written whole after every change. A database of its own
 * ('coax-explore'), so it never touches the run store's schema or versions.
 */
export interface TreeSummary {
  id: string;
  name: string;
  modelId: string;
  updatedAt: number;
  paths: number;
}

const DB_NAME = 'coax-explore';
const DB_VERSION = 1;
const STORE = 'trees';

export class ExploreStore {
  readonly #db: IDBDatabase;

  private constructor(db: IDBDatabase) {
    this.#db = db;
  }

  static async open(): Promise<ExploreStore> {
    const req = indexedDB.open(DB_NAME, DB_VERSION);
    req.onupgradeneeded = () => {
      if (!req.result.objectStoreNames.contains(STORE)) req.result.createObjectStore(STORE, { keyPath: 'id' });
    };
    return new ExploreStore(await request(req));
  }

  async put(tree: ExploreTree): Promise<void> {
    const tx = this.#db.transaction(STORE, 'readwrite');
    // $state proxies and other non-cloneable wrappers never reach IndexedDB: the tree is plain data.
    tx.objectStore(STORE).put(JSON.parse(JSON.stringify(tree)) as ExploreTree);
    await done(tx);
  }

  async get(id: string): Promise<ExploreTree | undefined> {
    const tx = this.#db.transaction(STORE, 'readonly');
    return (await request(tx.objectStore(STORE).get(id))) as ExploreTree | undefined;
  }

  /** Every stored tree, most recently changed first. */
  async list(): Promise<TreeSummary[]> {
    const tx = this.#db.transaction(STORE, 'readonly');
    const all = (await request(tx.objectStore(STORE).getAll())) as ExploreTree[];
    return all
      .map((t) => ({ id: t.id, name: t.name, modelId: t.modelId, updatedAt: t.updatedAt, paths: t.branches.length }))
      .sort((a, b) => b.updatedAt - a.updatedAt);
  }

  async delete(id: string): Promise<void> {
    const tx = this.#db.transaction(STORE, 'readwrite');
    tx.objectStore(STORE).delete(id);
    await done(tx);
  }
}
