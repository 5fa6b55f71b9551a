import type { StopReason, TokenTrace } from '../decode/trace.ts';
import type { AnswerCheck } from './answer.ts';
import type { ExploreMethod, ExploreSettings } from './method.ts';
import type { ExploreCallStats, ExplorePaths } from './session.ts';

/** One explored path: its whole continuation of the prompt, and where it left the path it forked from. */
export interface ExploreBranch {
  /** 'p1', 'p2', … in the order the paths were made. */
  id: string;
  /** The path it forked from; null for a path from the prompt. */
  parent: string | null;
  /** Index of the token where it leaves its parent (for a path from the prompt: 0, its first token). */
  forkAt: number;
  /** The method that continued it. */
  method: ExploreMethod;
  tokens: TokenTrace[];
  text: string;
  stopReason: StopReason;
  /** The call that made it (shared by paths made together). */
  stats: ExploreCallStats;
  createdAt: number;
  pinned: boolean;
  collapsed: boolean;
}

/** A prompt and the tree of paths explored from it: what is stored, exported and imported. */
export interface ExploreTree {
  id: string;
  name: string;
  createdAt: number;
  updatedAt: number;
  modelId: string;
  backend?: string;
  prompt: string;
  /** The prompt's token ids (what layer views and forks start from). */
  promptIds: number[];
  /** The settings of the latest call. */
  settings: ExploreSettings;
  check: AnswerCheck | null;
  branches: ExploreBranch[];
  /** The number the next path's id takes. */
  nextPath: number;
}

export function newTree(init: {
  id: string;
  modelId: string;
  backend?: string;
  prompt: string;
  promptIds: number[];
  settings: ExploreSettings;
  check: AnswerCheck | null;
  now: number;
}): ExploreTree {
  const { now, ...rest } = init;
  const first = init.prompt.split('\n')[0]!.trim();
  return {
    ...rest,
    name: first.length > 40 ? `${first.slice(0, 39)}…` : first || 'Explore',
    createdAt: now,
    updatedAt: now,
    branches: [],
    nextPath: 1,
  };
}

/** The id the next path will get (also the label of its random streams). */
export function nextLabel(tree: ExploreTree): string {
  return `p${tree.nextPath}`;
}

export function findBranch(tree: ExploreTree, id: string): ExploreBranch {
  const b = tree.branches.find((x) => x.id === id);
  if (!b) throw new Error(`no path "${id}" in this tree`);
  return b;
}

/** Add the paths of one call: from the prompt (parent null) or forked from `parent` at token `forkAt`. */
export function addPaths(
  tree: ExploreTree,
  paths: ExplorePaths,
  from: { parent: string | null; forkAt: number; settings: ExploreSettings; now: number },
): ExploreTree {
  if (from.parent !== null) findBranch(tree, from.parent);
  const made = paths.rows.map((row, i): ExploreBranch => ({
    id: `p${tree.nextPath + i}`,
    parent: from.parent,
    forkAt: from.forkAt,
    method: from.settings.method,
    tokens: row.tokens,
    text: row.text,
    stopReason: row.stopReason,
    stats: paths.stats,
    createdAt: from.now,
    pinned: false,
    collapsed: false,
  }));
  return {
    ...tree,
    settings: from.settings,
    branches: [...tree.branches, ...made],
    nextPath: tree.nextPath + made.length,
    updatedAt: from.now,
  };
}

/** What a fork at token `position` of a path onto `token` starts from; throws on a position or token not there. */
export function forkPoint(
  tree: ExploreTree,
  id: string,
  position: number,
  token: number,
): { prefix: TokenTrace[]; at: TokenTrace } {
  const b = findBranch(tree, id);
  const at = b.tokens[position];
  if (!Number.isInteger(position) || !at)
    throw new Error(`path ${id} has ${b.tokens.length} tokens; cannot fork at position ${position}`);
  if (!at.top.some((a) => a.id === token))
    throw new Error(`token ${token} is not among the alternatives at position ${position} of path ${id}`);
  return { prefix: b.tokens.slice(0, position), at };
}

function update(tree: ExploreTree, id: string, change: Partial<ExploreBranch>, now: number): ExploreTree {
  findBranch(tree, id);
  return { ...tree, updatedAt: now, branches: tree.branches.map((b) => (b.id === id ? { ...b, ...change } : b)) };
}

export function setPinned(tree: ExploreTree, id: string, pinned: boolean, now: number): ExploreTree {
  return update(tree, id, { pinned }, now);
}

export function setCollapsed(tree: ExploreTree, id: string, collapsed: boolean, now: number): ExploreTree {
  return update(tree, id, { collapsed }, now);
}

/** A path and everything forked from it, directly or not. */
export function subtree(tree: ExploreTree, id: string): string[] {
  const out = [id];
  for (let i = 0; i < out.length; i++)
    for (const b of tree.branches) if (b.parent === out[i] && !out.includes(b.id)) out.push(b.id);
  return out;
}

/** Delete a path and its forks (their shared prefix lives in it). */
export function removeBranch(tree: ExploreTree, id: string, now: number): ExploreTree {
  findBranch(tree, id);
  const gone = new Set(subtree(tree, id));
  return { ...tree, updatedAt: now, branches: tree.branches.filter((b) => !gone.has(b.id)) };
}

export interface TreeRow {
  branch: ExploreBranch;
  depth: number;
  /** Forks hidden under this path because it is collapsed. */
  hidden: number;
}

/** The tree as an indented list: paths from the prompt in order, each followed by its forks by position. */
export function treeRows(tree: ExploreTree): TreeRow[] {
  const children = new Map<string | null, ExploreBranch[]>();
  for (const b of tree.branches) {
    const key = b.parent !== null && tree.branches.some((x) => x.id === b.parent) ? b.parent : null;
    children.set(key, [...(children.get(key) ?? []), b]);
  }
  const out: TreeRow[] = [];
  const visit = (b: ExploreBranch, depth: number) => {
    const kids = (children.get(b.id) ?? []).slice().sort((x, y) => x.forkAt - y.forkAt);
    out.push({ branch: b, depth, hidden: b.collapsed ? subtree(tree, b.id).length - 1 : 0 });
    if (!b.collapsed) for (const k of kids) visit(k, depth + 1);
  };
  for (const root of children.get(null) ?? []) visit(root, 0);
  return out;
}

/** The prompt's ids and the path's ids before `position`: the context a layer view of that token looks at. */
export function contextAt(tree: ExploreTree, id: string, position: number): number[] {
  const b = findBranch(tree, id);
  return [...tree.promptIds, ...b.tokens.slice(0, position).map((t) => t.id)];
}
