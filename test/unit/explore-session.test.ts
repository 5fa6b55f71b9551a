import { describe, expect, it } from 'vitest';
import { decodeFrom, decodeShared } from '../../src/core/decode/decode-loop.ts';
import type { RowResult } from '../../src/core/decode/trace.ts';
import { GREEDY } from '../../src/core/logits/sampler.ts';
import { DEFAULT_EXPLORE_SETTINGS, type ExploreSettings } from '../../src/core/explore/method.ts';
import { keepFirstVisible, PrefixStore } from '../../src/core/explore/prefix-store.ts';
import { ExploreSession } from '../../src/core/explore/session.ts';
import { createRng } from '../../src/core/rng.ts';
import { FakeModel } from './fake-model.ts';

const VOCAB = ['<eos>', '<pad>', 'a', 'b', 'c', 'd', 'e', '\n', '1', '2', '3'];

/** Context-dependent logits (a hash of the visible tokens), pad never allowed, EOS unlikely early. */
function hashed(ctx: readonly number[]): number[] {
  let h = 7;
  ctx.forEach((t, j) => (h = (h * 31 + t * (j + 3)) % 997));
  return VOCAB.map((_, i) => (i === 1 ? -Infinity : i === 0 ? (ctx.length > 14 ? 3 : -2) : ((h + i * i * 5) % 17) / 4));
}

const PROMPT = 'ab\nc1';
const settings = (extra: Partial<ExploreSettings> = {}): ExploreSettings => ({
  ...DEFAULT_EXPLORE_SETTINGS,
  maxNewTokens: 12,
  stopStrings: ['\n\n'],
  topAlternatives: 6,
  ...extra,
});

/** A path decoded from scratch: the reference a fork must match (its own model, no cache shared). */
async function reference(prompt: number[], forced: number | null, maxNewTokens: number): Promise<RowResult> {
  const model = new FakeModel(VOCAB, hashed);
  const { rows } = await decodeShared(model, prompt, 1, {
    maxNewTokens,
    sampler: GREEDY,
    rngs: [createRng(0)],
    stopStrings: ['\n\n'],
    topAlternatives: 6,
    forcedFirst: forced === null ? undefined : [forced],
  });
  return rows[0]!;
}

describe('decodeFrom', () => {
  it('continues rows from a prefilled cache exactly as decodeShared, and keeps each row its own cache', async () => {
    const model = new FakeModel(VOCAB, hashed);
    const ids = model.encode(PROMPT);
    const want = await decodeShared(model, ids, 1, { maxNewTokens: 9, sampler: GREEDY, rngs: [createRng(1)] });
    const pre = await model.forward(
      { inputIds: [ids], attentionMask: [ids.map(() => 1)], positionIds: [ids.map((_, i) => i)] },
      null,
    );
    const got = await decodeFrom(
      model,
      { cache: pre.cache, logits: pre.logits, masks: [ids.map(() => 1)], contexts: [ids] },
      { maxNewTokens: 9, sampler: GREEDY, rngs: [createRng(1)], keepCaches: true },
    );
    expect(got.rows).toEqual(want.rows);
    const kept = got.caches[0]!;
    // The kept cache holds the prompt and every generated token but the last (which was never fed).
    expect(kept.tokens).toEqual([...ids, ...want.rows[0]!.tokens.slice(0, -1).map((t) => t.id)]);
    expect(kept.mask).toEqual(kept.tokens.map(() => 1));
    expect(model.open.size).toBe(1);
    model.release(kept.cache);
    expect(model.open.size).toBe(0);
  });

  it('starts the row text with tokens generated before, so offsets and stop strings count them', async () => {
    const model = new FakeModel(VOCAB, () => VOCAB.map((_, i) => (i === 7 ? 5 : 0)));
    const ids = model.encode('ab\n');
    const pre = await model.forward(
      { inputIds: [ids], attentionMask: [ids.map(() => 1)], positionIds: [ids.map((_, i) => i)] },
      null,
    );
    const got = await decodeFrom(
      model,
      { cache: pre.cache, logits: pre.logits, masks: [ids.map(() => 1)], contexts: [ids], generated: [ids] },
      { maxNewTokens: 5, sampler: GREEDY, rngs: [createRng(1)], stopStrings: ['\n\n'] },
    );
    // "ab\n" was generated before; the first new "\n" completes the stop string across the boundary.
    expect(got.rows[0]).toMatchObject({ text: 'ab', stopReason: 'stop-string' });
    expect(got.rows[0]!.tokens.map((t) => t.offset)).toEqual([3]);
    expect(model.open.size).toBe(0);
  });
});

describe('the prefix store', () => {
  it('keeps only the first visible slots of a mask', () => {
    expect(keepFirstVisible([0, 1, 1, 0, 1, 1], 3)).toEqual([0, 1, 1, 0, 1, 0]);
    expect(() => keepFirstVisible([1, 0], 2)).toThrow(/holds 1 tokens, cannot keep 2/);
  });

  it('finds the longest shared prefix, evicts the least recently used and never the prompt', async () => {
    const model = new FakeModel(VOCAB, hashed);
    const cacheOf = async (ids: number[]) =>
      (
        await model.forward(
          { inputIds: [ids], attentionMask: [ids.map(() => 1)], positionIds: [ids.map((_, i) => i)] },
          null,
        )
      ).cache;
    const store = new PrefixStore(model, 2);
    store.put('prompt', { cache: await cacheOf([2, 3]), mask: [1, 1], tokens: [2, 3] });
    store.put('p1', { cache: await cacheOf([2, 3, 4, 5]), mask: [1, 1, 1, 1], tokens: [2, 3, 4, 5] });
    expect(store.best([2, 3, 4, 6])).toMatchObject({ shared: 3, entry: { tokens: [2, 3, 4, 5] } });
    expect(store.best([9])).toBeNull();
    store.put('p2', { cache: await cacheOf([2, 3, 6]), mask: [1, 1, 1], tokens: [2, 3, 6] });
    expect(store.size).toBe(2);
    expect(store.get('p1')).toBeUndefined();
    expect(store.get('prompt')).toBeDefined();
    expect(model.open.size).toBe(2);
    store.dispose();
    expect(model.open.size).toBe(0);
  });
});

describe('an explore session', () => {
  it('starts greedy like decodeShared, runs the prompt once, and a second start reuses it', async () => {
    const model = new FakeModel(VOCAB, hashed);
    const ids = model.encode(PROMPT);
    const session = new ExploreSession(model, ids);
    const first = await session.start({ settings: settings(), label: 'p1' });
    expect(first.rows).toEqual([await reference(ids, null, 12)]);
    expect(first.stats).toMatchObject({ prefillTokens: ids.length, reusedTokens: 0 });
    const again = await session.start({ settings: settings(), label: 'p2' });
    expect(again.rows).toEqual(first.rows);
    expect(again.stats).toMatchObject({ prefillTokens: 0, reusedTokens: ids.length });
    session.dispose();
    expect(model.open.size).toBe(0);
  });

  it('branches CoT-decoding on the top-k first tokens, each path as a forced greedy decode', async () => {
    const model = new FakeModel(VOCAB, hashed);
    const ids = model.encode(PROMPT);
    const session = new ExploreSession(model, ids);
    const { rows } = await session.start({
      settings: settings({ method: { kind: 'cot-decoding', k: 3 } }),
      label: 'p1',
    });
    const firsts = rows.map((r) => r.tokens[0]!.id);
    const top = rows[0]!.tokens[0]!.top.slice(0, 3).map((a) => a.id);
    expect(firsts).toEqual(top);
    for (const [i, row] of rows.entries()) expect(row).toEqual(await reference(ids, firsts[i]!, 12));
    session.dispose();
  });

  it('forks onto an alternative by running one token on the parent cache, and matches a decode from scratch', async () => {
    const model = new FakeModel(VOCAB, hashed);
    const ids = model.encode(PROMPT);
    const session = new ExploreSession(model, ids);
    const { rows } = await session.start({ settings: settings(), label: 'p1' });
    const parent = rows[0]!;
    expect(parent.tokens.length).toBeGreaterThan(6);
    for (const position of [0, 3, parent.tokens.length - 2]) {
      const at = parent.tokens[position]!;
      // Not end-of-text or a newline, which could end the path at the fork itself.
      const alt = at.top.find((a) => a.id !== at.id && a.id !== 0 && a.id !== 7)!;
      const fedBefore = model.tokensFed;
      const fork = await session.fork(parent.tokens.slice(0, position), at, alt.id, {
        settings: settings(),
        label: `f${position}`,
      });
      const got = fork.rows[0]!;
      // Only the forked token ran before decoding; every token the fake was fed is accounted for.
      expect(fork.stats).toMatchObject({ prefillTokens: 1, reusedTokens: ids.length + position });
      const newTokens = got.tokens.length - position - 1;
      expect(model.tokensFed - fedBefore).toBe(1 + Math.max(0, newTokens - 1));
      // Reference: the forked token's trace is the first step of a forced decode after the prefix …
      const prefixIds = parent.tokens.slice(0, position).map((t) => t.id);
      const forced = await reference([...ids, ...prefixIds], alt.id, 12 - position);
      expect(got.tokens.slice(0, position)).toEqual(parent.tokens.slice(0, position));
      const { offset: _o, ...forkedStats } = got.tokens[position]!;
      const { offset: _r, ...refStats } = forced.tokens[0]!;
      expect(forkedStats).toEqual({
        ...refStats,
        prob: expect.closeTo(refStats.prob, 12),
        logprob: expect.closeTo(refStats.logprob, 12),
      });
      // … and the continuation is that decode's, token for token, with offsets in the whole text.
      expect(got.tokens.slice(position).map((t) => t.id)).toEqual(forced.tokens.map((t) => t.id));
      expect(got.tokens.slice(position + 1).map((t) => t.prob)).toEqual(forced.tokens.slice(1).map((t) => t.prob));
      const prefixText = model.decode(prefixIds);
      expect(got.text).toBe(prefixText + forced.text);
      expect(got.tokens.slice(position).map((t) => t.offset)).toEqual(
        forced.tokens.map((t) => prefixText.length + t.offset),
      );
    }
    session.dispose();
    expect(model.open.size).toBe(0);
  });

  it('forks from a fork on its own cache, and without caches runs the whole context (a reloaded tree)', async () => {
    const model = new FakeModel(VOCAB, hashed);
    const ids = model.encode(PROMPT);
    const session = new ExploreSession(model, ids);
    const root = (await session.start({ settings: settings(), label: 'p1' })).rows[0]!;
    const alt = (j: number, row: RowResult) =>
      row.tokens[j]!.top.find((a) => a.id !== row.tokens[j]!.id && a.id !== 0)!.id;
    const child = (
      await session.fork(root.tokens.slice(0, 2), root.tokens[2]!, alt(2, root), { settings: settings(), label: 'p2' })
    ).rows[0]!;
    expect(child.tokens.length).toBeGreaterThan(6);
    const grand = await session.fork(child.tokens.slice(0, 5), child.tokens[5]!, alt(5, child), {
      settings: settings(),
      label: 'p3',
    });
    expect(grand.stats).toMatchObject({ prefillTokens: 1, reusedTokens: ids.length + 5 });

    const fresh = new ExploreSession(new FakeModel(VOCAB, hashed), ids);
    const cold = await fresh.fork(child.tokens.slice(0, 5), child.tokens[5]!, alt(5, child), {
      settings: settings(),
      label: 'p3',
    });
    expect(cold.stats).toMatchObject({ prefillTokens: ids.length + 5 + 1, reusedTokens: 0 });
    expect(cold.rows).toEqual(grand.rows);
    // With room for one path's cache, a fork of the (evicted) child reuses what it shares with the root path
    // (the prompt and two tokens) and runs the rest of its prefix again.
    const small = new ExploreSession(new FakeModel(VOCAB, hashed), ids, 1);
    await small.start({ settings: settings(), label: 'p1' });
    const tight = await small.fork(child.tokens.slice(0, 5), child.tokens[5]!, alt(5, child), {
      settings: settings(),
      label: 'p3',
    });
    expect(tight.stats).toMatchObject({ prefillTokens: 3 + 1, reusedTokens: ids.length + 2 });
    expect(tight.rows).toEqual(grand.rows);
    session.dispose();
    fresh.dispose();
    small.dispose();
  });

  it('continues a fork with n seeded samples that all start from the forked token', async () => {
    const model = new FakeModel(VOCAB, hashed);
    const ids = model.encode(PROMPT);
    const session = new ExploreSession(model, ids);
    const root = (await session.start({ settings: settings(), label: 'p1' })).rows[0]!;
    const at = root.tokens[1]!;
    const token = at.top[2]!.id;
    const sampled = settings({ method: { kind: 'samples', n: 4, chain: [{ name: 'temperature', temperature: 1.5 }] } });
    const a = await session.fork(root.tokens.slice(0, 1), at, token, { settings: sampled, label: 'p2' });
    const b = await new ExploreSession(new FakeModel(VOCAB, hashed), ids).fork(root.tokens.slice(0, 1), at, token, {
      settings: sampled,
      label: 'p2',
    });
    expect(a.rows).toHaveLength(4);
    expect(a.stats.prefillTokens).toBe(1);
    for (const r of a.rows) expect(r.tokens.slice(0, 2).map((t) => t.id)).toEqual([root.tokens[0]!.id, token]);
    expect(new Set(a.rows.map((r) => r.text)).size).toBeGreaterThan(1);
    // Seeded by the label: the same fork elsewhere draws the same samples.
    expect(b.rows).toEqual(a.rows);
    session.dispose();
  });

  it('ends a fork onto end-of-text or a stop string at once, and rejects a token that was not an alternative', async () => {
    const vocabModel = () =>
      new FakeModel(VOCAB, () => VOCAB.map((_, i) => (i === 1 ? -Infinity : i === 7 ? 2 : i === 0 ? 1 : 0)));
    const model = vocabModel();
    const ids = model.encode('ab');
    const session = new ExploreSession(model, ids);
    const root = (await session.start({ settings: settings(), label: 'p1' })).rows[0]!;
    // Greedy: "\n\n" stops after two tokens, cut before the stop string.
    expect(root).toMatchObject({ text: '', stopReason: 'stop-string' });
    const fed = model.tokensFed;
    const eos = await session.fork([], root.tokens[0]!, 0, { settings: settings(), label: 'p2' });
    expect(eos.rows[0]).toMatchObject({ text: '', stopReason: 'eos' });
    const stop = await session.fork(root.tokens.slice(0, 1), root.tokens[1]!, 7, { settings: settings(), label: 'p3' });
    expect(stop.rows[0]).toMatchObject({ text: '', stopReason: 'stop-string' });
    expect(model.tokensFed).toBe(fed);
    await expect(session.fork([], root.tokens[0]!, 1, { settings: settings(), label: 'p4' })).rejects.toThrow(
      /token 1 is not among the 6 alternatives at position 0/,
    );
    session.dispose();
  });
});
