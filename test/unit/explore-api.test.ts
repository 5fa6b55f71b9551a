import { describe, expect, it } from 'vitest';
import { CancelledError } from '../../src/core/decode/cancel.ts';
import { DEFAULT_EXPLORE_SETTINGS } from '../../src/core/explore/method.ts';
import { createExploreApi } from '../../src/worker/explore-api.ts';
import { FakeModel } from './fake-model.ts';

const VOCAB = ['<eos>', '<pad>', 'a', 'b', 'c', 'd', 'e', '\n', '1', '2', '3'];
function hashed(ctx: readonly number[]): number[] {
  let h = 7;
  ctx.forEach((t, j) => (h = (h * 31 + t * (j + 3)) % 997));
  return VOCAB.map((_, i) => (i === 1 ? -Infinity : i === 0 ? -5 : ((h + i * i * 5) % 17) / 4));
}
const settings = { ...DEFAULT_EXPLORE_SETTINGS, maxNewTokens: 10, topAlternatives: 5 };

describe("the worker's Explore calls", () => {
  it('keep one tree’s caches: a fork of that tree runs one token, a fork of another tree runs its whole context', async () => {
    let model: FakeModel | null = new FakeModel(VOCAB, hashed);
    const api = createExploreApi(
      () => model,
      async () => {},
    );
    const a = await api.exploreStart({ treeId: 't1', prompt: 'ab\nc', settings, label: 'p1' });
    expect(a.promptIds).toEqual(model.encode('ab\nc'));
    expect(a.stats.prefillTokens).toBe(4);
    const path = a.rows[0]!;
    const fork = (treeId: string, label: string) =>
      api.exploreFork({
        treeId,
        promptIds: a.promptIds,
        prefix: path.tokens.slice(0, 2),
        at: path.tokens[2]!,
        token: path.tokens[2]!.top[1]!.id,
        settings,
        label,
      });
    const warm = await fork('t1', 'p2');
    expect(warm.stats).toMatchObject({ prefillTokens: 1, reusedTokens: 6 });
    expect(warm.cachedPaths).toBe(3);
    // Another tree replaces the held session: its fork runs the prompt, the prefix and the token.
    const cold = await fork('t2', 'p2');
    expect(cold.stats).toMatchObject({ prefillTokens: 7, reusedTokens: 0 });
    expect(cold.rows).toEqual(warm.rows);
    // A new model (a reload of the model) starts over too.
    model = new FakeModel(VOCAB, hashed);
    expect((await fork('t2', 'p2')).stats.prefillTokens).toBe(7);
    api.exploreRelease('t2');
    expect(model.open.size).toBe(0);
    model = null;
    await expect(fork('t2', 'p3')).rejects.toThrow('no model loaded');
  });

  it('refuses a second call while one runs, and cancels between decoding steps', async () => {
    const model = new FakeModel(VOCAB, hashed);
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    let steps = 0;
    const api = createExploreApi(
      () => model,
      async () => {
        if (++steps === 3) await gate;
      },
    );
    const running = api.exploreStart({ treeId: 't', prompt: 'ab', settings, label: 'p1' });
    await expect(api.exploreStart({ treeId: 't', prompt: 'ab', settings, label: 'p2' })).rejects.toThrow(
      'an Explore call is already running',
    );
    await new Promise((r) => setTimeout(r, 0));
    api.exploreCancel();
    release();
    await expect(running).rejects.toBeInstanceOf(CancelledError);
    // Nothing leaks but the prompt's cache, which the tree keeps for its next call.
    expect(model.open.size).toBe(1);
    const again = await api.exploreStart({ treeId: 't', prompt: 'ab', settings, label: 'p2' });
    expect(again.stats).toMatchObject({ prefillTokens: 0, reusedTokens: 2 });
  });
});
