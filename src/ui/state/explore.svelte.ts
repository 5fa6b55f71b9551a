import { ExploreStore, type TreeSummary } from '../../adapters/storage/explore-store.ts';
import { answerOf, type AnswerCheck, type PathAnswer } from '../../core/explore/answer.ts';
import { parseExploreExport, toExploreExport } from '../../core/explore/export.ts';
import { DEFAULT_EXPLORE_SETTINGS, type ExploreMethod, type ExploreSettings } from '../../core/explore/method.ts';
import {
  addPaths,
  forkPoint,
  newTree,
  nextLabel,
  removeBranch,
  setCollapsed,
  setPinned,
  type ExploreBranch,
  type ExploreTree,
} from '../../core/explore/tree.ts';
import type { ExtractorSpec } from '../../core/tasks/extract.ts';
import type { ExploreApi, ExploreResult } from '../../worker/explore-protocol.ts';
import { download, fileStem } from './runs.svelte.ts';
import { errorMessage } from '../../core/errors.ts';

/** The worker's Explore calls as the page holds them (through comlink every call returns a promise). */
export interface ExploreWorker {
  exploreStart: ExploreApi['exploreStart'];
  exploreFork: ExploreApi['exploreFork'];
  exploreCancel(): unknown;
  exploreRelease(treeId: string): unknown;
}

/** The token a person has focused: a position of the shown path and one of its alternatives. */
export interface ExploreFocus {
  position: number;
  alt: number;
}

/** What the latest call cost, as shown in the page (and read by the end-to-end test). */
export type CallStats = Pick<ExploreResult, 'stats' | 'ms' | 'cachedPaths'> & { kind: 'start' | 'fork' };

export const DEFAULT_PROMPT = 'Q: 9+1+7*6\nA:';

/** Explore: one prompt, its tree of paths (stored in IndexedDB), the path on screen and the focused token. */
export class ExploreState {
  readonly #worker: ExploreWorker;
  #store: ExploreStore | null = null;
  #prompt = $state(DEFAULT_PROMPT);
  #settings = $state.raw<ExploreSettings>(DEFAULT_EXPLORE_SETTINGS);
  #check = $state.raw<AnswerCheck | null>(null);
  #tree = $state.raw<ExploreTree | null>(null);
  #trees = $state.raw<TreeSummary[]>([]);
  #shown = $state<string | null>(null);
  #focus = $state.raw<ExploreFocus>({ position: 0, alt: 0 });
  /** Writes to IndexedDB not finished yet: the page says "saving…" so a reload then is a known risk. */
  #writes = $state(0);
  #busy = $state(false);
  #error = $state<string | null>(null);
  #last = $state.raw<CallStats | null>(null);
  #model = $state<{ id: string; backend: string } | null>(null);

  constructor(worker: ExploreWorker) {
    this.#worker = worker;
  }

  get prompt(): string {
    return this.#prompt;
  }
  get settings(): ExploreSettings {
    return this.#settings;
  }
  get check(): AnswerCheck | null {
    return this.#check;
  }
  get tree(): ExploreTree | null {
    return this.#tree;
  }
  get trees(): TreeSummary[] {
    return this.#trees;
  }
  get busy(): boolean {
    return this.#busy;
  }
  /** True while a change of the tree is on screen but not yet stored. */
  get saving(): boolean {
    return this.#writes > 0;
  }

  get error(): string | null {
    return this.#error;
  }
  get last(): CallStats | null {
    return this.#last;
  }
  get focus(): ExploreFocus {
    return this.#focus;
  }
  get modelId(): string | null {
    return this.#model?.id ?? null;
  }

  /** The path on screen (the latest made, unless one was chosen). */
  get shown(): ExploreBranch | null {
    const t = this.#tree;
    if (!t || t.branches.length === 0) return null;
    return t.branches.find((b) => b.id === this.#shown) ?? t.branches[0]!;
  }

  get pinned(): ExploreBranch[] {
    return this.#tree?.branches.filter((b) => b.pinned) ?? [];
  }

  answer(b: ExploreBranch): PathAnswer {
    return answerOf(b, this.#check);
  }

  /** Open the store and the most recently changed tree (so a reload finds the tree where it was). */
  async start(): Promise<void> {
    try {
      this.#store = await ExploreStore.open();
      this.#trees = await this.#store.list();
      if (this.#trees[0]) await this.open(this.#trees[0].id);
    } catch (err) {
      this.#error = `Explore trees cannot be stored in this browser (IndexedDB: ${errorMessage(err)}); they last until the page closes.`;
    }
  }

  useModel(id: string | null, backend: string): void {
    this.#model = id ? { id, backend } : null;
  }

  setPrompt(text: string): void {
    this.#prompt = text;
  }

  setMethod(method: ExploreMethod): void {
    this.#settings = { ...this.#settings, method };
  }

  /** Change one numeric setting; out-of-range values are refused with a message naming the field. */
  setNumber(key: 'maxNewTokens' | 'seed' | 'topAlternatives', value: number, min: number, max: number): void {
    if (!(Number.isInteger(value) && value >= min && value <= max)) {
      this.#error = `${key} must be a whole number from ${min} to ${max}, got ${value}`;
      return;
    }
    this.#error = null;
    this.#settings = { ...this.#settings, [key]: value };
  }

  /** Turn the answer check on (with an extractor and an optional expected answer) or off (null). */
  async setCheck(check: AnswerCheck | null): Promise<void> {
    this.#check = check;
    if (this.#tree) await this.#save({ ...this.#tree, check, updatedAt: Date.now() });
  }

  setExtractor(extractor: ExtractorSpec): Promise<void> {
    return this.setCheck({ expected: this.#check?.expected ?? '', extractor });
  }

  show(id: string): void {
    this.#shown = id;
    this.#focus = { position: 0, alt: 0 };
  }

  /** Move the focus along the shown path (dPos) or through the focused token's alternatives (dAlt). */
  move(dPos: number, dAlt: number): void {
    const b = this.shown;
    if (!b || b.tokens.length === 0) return;
    const position = Math.min(b.tokens.length - 1, Math.max(0, this.#focus.position + dPos));
    const alts = b.tokens[position]!.top.length;
    const alt = dPos !== 0 ? 0 : Math.min(alts - 1, Math.max(0, this.#focus.alt + dAlt));
    this.#focus = { position, alt };
  }

  setFocus(position: number, alt = 0): void {
    this.#focus = { position, alt };
  }

  /** Paths from the prompt with the current method, in a new tree. */
  async run(): Promise<void> {
    const model = this.#model;
    if (!model) return this.#fail('load a model first');
    const now = Date.now();
    await this.#call('start', async () => {
      const treeId = `explore-${now.toString(36)}`;
      const res = await this.#worker.exploreStart({
        treeId,
        prompt: this.#prompt,
        settings: this.#settings,
        label: 'p1',
      });
      const tree = newTree({
        id: treeId,
        modelId: model.id,
        backend: model.backend,
        prompt: this.#prompt,
        promptIds: res.promptIds,
        settings: this.#settings,
        check: this.#check,
        now,
      });
      return { res, tree: addPaths(tree, res, { parent: null, forkAt: 0, settings: this.#settings, now }) };
    });
  }

  /** More paths from the same prompt with the current method, added to the tree on screen. */
  async addFromPrompt(): Promise<void> {
    const tree = this.#usableTree();
    if (!tree) return;
    await this.#call('start', async () => {
      const res = await this.#worker.exploreStart({
        treeId: tree.id,
        prompt: tree.prompt,
        settings: this.#settings,
        label: nextLabel(tree),
      });
      return {
        res,
        tree: addPaths(tree, res, { parent: null, forkAt: 0, settings: this.#settings, now: Date.now() }),
      };
    });
  }

  /** Fork path `id` at `position` onto `token` (one of its alternatives there) and continue with the method. */
  async fork(id: string, position: number, token: number): Promise<void> {
    const tree = this.#usableTree();
    if (!tree) return;
    await this.#call('fork', async () => {
      const { prefix, at } = forkPoint(tree, id, position, token);
      const res = await this.#worker.exploreFork({
        treeId: tree.id,
        promptIds: tree.promptIds,
        prefix,
        at,
        token,
        settings: this.#settings,
        label: nextLabel(tree),
      });
      return {
        res,
        tree: addPaths(tree, res, { parent: id, forkAt: position, settings: this.#settings, now: Date.now() }),
      };
    });
    this.#focus = { position, alt: 0 };
  }

  /** Fork at the focused alternative (Enter). */
  forkAtFocus(): Promise<void> {
    const b = this.shown;
    const alt = b?.tokens[this.#focus.position]?.top[this.#focus.alt];
    return b && alt ? this.fork(b.id, this.#focus.position, alt.id) : Promise.resolve();
  }

  cancel(): void {
    void this.#worker.exploreCancel();
  }

  async pin(id: string, on: boolean): Promise<void> {
    if (this.#tree) await this.#save(setPinned(this.#tree, id, on, Date.now()));
  }

  async collapse(id: string, on: boolean): Promise<void> {
    if (this.#tree) await this.#save(setCollapsed(this.#tree, id, on, Date.now()));
  }

  async remove(id: string): Promise<void> {
    if (!this.#tree) return;
    await this.#save(removeBranch(this.#tree, id, Date.now()));
    if (this.#shown !== null && !this.#tree.branches.some((b) => b.id === this.#shown)) this.#shown = null;
  }

  async open(id: string): Promise<void> {
    const tree = await this.#store?.get(id);
    if (!tree) return this.#fail(`explore tree ${id} is not stored here`);
    this.#tree = tree;
    this.#prompt = tree.prompt;
    this.#settings = tree.settings;
    this.#check = tree.check;
    this.#shown = null;
    this.#focus = { position: 0, alt: 0 };
    this.#last = null;
  }

  async deleteTree(id: string): Promise<void> {
    await this.#store?.delete(id);
    void this.#worker.exploreRelease(id);
    if (this.#tree?.id === id) this.#tree = null;
    await this.#refresh();
  }

  exportJson(): void {
    const t = this.#tree;
    if (t) download(`${fileStem(t.name)}.explore.json`, 'application/json', JSON.stringify(toExploreExport(t)));
  }

  /** Import an exported tree (a bad file is reported, nothing else changes); it opens as a new stored tree. */
  async importFile(file: File): Promise<void> {
    try {
      const { tree } = parseExploreExport(await file.text(), file.name);
      const copy = { ...tree, id: `explore-${Date.now().toString(36)}`, name: `${tree.name} (imported)` };
      await this.#save(copy);
      await this.open(copy.id);
      this.#error = null;
    } catch (err) {
      this.#error = errorMessage(err);
    }
  }

  /** The tree on screen if the loaded model is the one it was explored with (else a message saying so). */
  #usableTree(): ExploreTree | null {
    const tree = this.#tree;
    if (!tree) {
      this.#fail('run a prompt first');
      return null;
    }
    if (tree.modelId !== this.#model?.id) {
      this.#fail(`this tree was explored with ${tree.modelId}; load that model to continue it`);
      return null;
    }
    return tree;
  }

  async #call(kind: CallStats['kind'], work: () => Promise<{ res: ExploreResult; tree: ExploreTree }>): Promise<void> {
    if (this.#busy) return;
    this.#busy = true;
    this.#error = null;
    try {
      const before = this.#tree?.id === undefined ? 0 : this.#tree.branches.length;
      const { res, tree } = await work();
      this.#last = { kind, stats: res.stats, ms: res.ms, cachedPaths: res.cachedPaths };
      const fresh = this.#tree?.id !== tree.id;
      await this.#save(tree);
      this.#shown = tree.branches[fresh ? 0 : before]?.id ?? null;
      if (fresh) this.#focus = { position: 0, alt: 0 };
    } catch (err) {
      this.#error = errorMessage(err);
    } finally {
      this.#busy = false;
    }
  }

  #fail(text: string): void {
    this.#error = text;
  }

  /** Show the tree and write it to IndexedDB (a failed write is reported; the tree stays on screen). */
  async #save(tree: ExploreTree): Promise<void> {
    this.#tree = tree;
    this.#writes++;
    try {
      await this.#store?.put(tree);
      await this.#refresh();
    } catch (err) {
      this.#error = `the tree could not be stored: ${errorMessage(err)}`;
    } finally {
      this.#writes--;
    }
  }

  async #refresh(): Promise<void> {
    if (this.#store) this.#trees = await this.#store.list();
  }
}
