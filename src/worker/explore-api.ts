import type { LanguageModel } from '../core/decode/language-model.ts';
import { ExploreSession, type ExplorePaths } from '../core/explore/session.ts';
import type { ExploreApi, ExploreResult } from './explore-protocol.ts';

/**
 * The worker's Explore calls over whatever model is loaded now. One tree's session (its KV caches) is kept between
 * calls; another tree, another prompt or another model starts a fresh one.
 */
export function createExploreApi(
  currentModel: () => LanguageModel<unknown> | null,
  yieldToHost: () => Promise<void>,
): ExploreApi {
  let held: { treeId: string; session: ExploreSession<unknown> } | null = null;
  let controller: AbortController | null = null;

  /** Free the held session's caches (those of a model already disposed may fail to free: they are gone anyway). */
  function drop(): void {
    try {
      held?.session.dispose();
    } catch {
      // nothing left to free
    }
    held = null;
  }

  function sessionFor(treeId: string, promptIds: readonly number[]): ExploreSession<unknown> {
    const model = currentModel();
    if (!model) throw new Error('no model loaded');
    const s = held?.session;
    if (held?.treeId === treeId && s?.model === model && same(s.promptIds, promptIds)) return s;
    drop();
    held = { treeId, session: new ExploreSession(model, promptIds) };
    return held.session;
  }

  /** Run one call on the tree's session (refused while another runs, so no session is swapped under it). */
  async function timed(
    treeId: string,
    promptIds: readonly number[],
    call: (session: ExploreSession<unknown>, signal: AbortSignal) => Promise<ExplorePaths>,
  ): Promise<ExploreResult> {
    if (controller) throw new Error('an Explore call is already running');
    const session = sessionFor(treeId, promptIds);
    controller = new AbortController();
    const started = performance.now();
    try {
      const paths = await call(session, controller.signal);
      return {
        ...paths,
        promptIds: session.promptIds.slice(),
        ms: performance.now() - started,
        cachedPaths: session.cachedPaths,
      };
    } finally {
      controller = null;
    }
  }

  return {
    async exploreStart(request) {
      const model = currentModel();
      if (!model) throw new Error('no model loaded');
      if (request.prompt.length === 0) throw new Error('the prompt is empty');
      return timed(request.treeId, model.encode(request.prompt), (session, signal) =>
        session.start({ settings: request.settings, label: request.label, signal, yieldToHost }),
      );
    },

    async exploreFork(request) {
      return timed(request.treeId, request.promptIds, (session, signal) =>
        session.fork(request.prefix, request.at, request.token, {
          settings: request.settings,
          label: request.label,
          signal,
          yieldToHost,
        }),
      );
    },

    exploreCancel() {
      controller?.abort();
    },

    exploreRelease(treeId) {
      if (held?.treeId === treeId && !controller) drop();
    },
  };
}

function same(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
