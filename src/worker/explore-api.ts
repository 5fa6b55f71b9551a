import type { LanguageModel } from '../core/decode/language-model.ts';
import { ExploreSession } from '../core/explore/session.ts';
import type { ExploreApi, ExploreResult } from './explore-protocol.ts';
import type { ExplorePaths } from '../core/explore/session.ts';

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

  function sessionFor(treeId: string, promptIds: readonly number[]): ExploreSession<unknown> {
    const model = currentModel();
    if (!model) throw new Error('no model loaded');
    const s = held?.session;
    if (held?.treeId === treeId && s?.model === model && same(s.promptIds, promptIds)) return s;
    held?.session.dispose();
    held = { treeId, session: new ExploreSession(model, promptIds) };
    return held.session;
  }

  async function timed(session: ExploreSession<unknown>, call: () => Promise<ExplorePaths>): Promise<ExploreResult> {
    if (controller) throw new Error('an Explore call is already running');
    controller = new AbortController();
    const started = performance.now();
    try {
      const paths = await call();
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
      const session = sessionFor(request.treeId, model.encode(request.prompt));
      return timed(session, () =>
        session.start({
          settings: request.settings,
          label: request.label,
          signal: controller!.signal,
          yieldToHost,
        }),
      );
    },

    async exploreFork(request) {
      const session = sessionFor(request.treeId, request.promptIds);
      return timed(session, () =>
        session.fork(request.prefix, request.at, request.token, {
          settings: request.settings,
          label: request.label,
          signal: controller!.signal,
          yieldToHost,
        }),
      );
    },

    exploreCancel() {
      controller?.abort();
    },

    exploreRelease(treeId) {
      if (held?.treeId !== treeId) return;
      held.session.dispose();
      held = null;
    },
  };
}

function same(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
