/** The Explore calls of the inference worker (kept apart from protocol.ts, which only extends ExploreApi). */
import type { TokenTrace } from '../core/decode/trace.ts';
import type { ExploreSettings } from '../core/explore/method.ts';
import type { ExplorePaths } from '../core/explore/session.ts';

export interface ExploreStartRequest {
  /** The tree these paths belong to: the worker keeps one tree's caches. */
  treeId: string;
  prompt: string;
  settings: ExploreSettings;
  /** The first new path's id (names its random streams). */
  label: string;
}

export interface ExploreForkRequest {
  treeId: string;
  /** The tree's prompt ids (a reloaded tree starts a fresh session from them). */
  promptIds: number[];
  /** The path's trace before the fork, and at the fork (whose alternatives include `token`). */
  prefix: TokenTrace[];
  at: TokenTrace;
  token: number;
  settings: ExploreSettings;
  label: string;
}

export interface ExploreResult extends ExplorePaths {
  promptIds: number[];
  ms: number;
  /** KV caches the worker holds for this tree after the call (the prompt's and recent paths'). */
  cachedPaths: number;
}

export interface ExploreApi {
  /** Paths from the prompt with the method; the prompt's cache is kept for the tree. */
  exploreStart(request: ExploreStartRequest): Promise<ExploreResult>;
  /** A fork: runs only what no cached path holds (usually the forked token), then continues with the method. */
  exploreFork(request: ExploreForkRequest): Promise<ExploreResult>;
  /** Stop the Explore call in progress between two decoding steps. */
  exploreCancel(): void;
  /** Free the caches held for a tree. */
  exploreRelease(treeId: string): void;
}
