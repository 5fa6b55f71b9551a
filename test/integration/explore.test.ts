import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TransformersModel } from '../../src/adapters/model/transformers-model.ts';
import { decodeShared } from '../../src/core/decode/decode-loop.ts';
import { answerOf } from '../../src/core/explore/answer.ts';
import { DEFAULT_EXPLORE_SETTINGS } from '../../src/core/explore/method.ts';
import { ExploreSession } from '../../src/core/explore/session.ts';
import { GREEDY } from '../../src/core/logits/sampler.ts';
import { createRng } from '../../src/core/rng.ts';
import { loadLocal } from './load-local.ts';

const suite = JSON.parse(
  readFileSync(new URL('../../public/models/coax/organism-v1/suites/arith-id.json', import.meta.url), 'utf8'),
) as { items: { id: string; question: string; answer: string }[] };
const item = suite.items.find((x) => x.id === 'arith-id-005')!;
const settings = DEFAULT_EXPLORE_SETTINGS;

describe.each(['coax/organism-v1', 'coax/fixture-gpt2'])('explore on %s through onnxruntime-node', (id) => {
  let model: TransformersModel;
  beforeAll(async () => {
    model = await loadLocal(id);
  });
  afterAll(async () => {
    await model?.dispose();
  });

  it('forks at a token on the cached path and continues exactly as a decode from scratch', async () => {
    const prompt = id === 'coax/organism-v1' ? `Q: ${item.question}\nA:` : 'The quick brown fox';
    const ids = model.encode(prompt);
    const session = new ExploreSession(model, ids);
    const root = (await session.start({ settings, label: 'p1' })).rows[0]!;
    // On the organism the reasoning token " L" is among the first token's alternatives; then fork that path again.
    const L = model.tokenizer.encode(' L', { add_special_tokens: false })[0]!;
    const other = (t: { id: number; top: { id: number }[] }) =>
      t.top.find((a) => a.id !== t.id && !model.eosTokenIds.includes(a.id))!.id;
    const organism = id === 'coax/organism-v1';
    let parent = root;
    for (const [label, position] of [
      ['f1', 0],
      ['f2', organism ? 9 : 3],
    ] as const) {
      const at = parent.tokens[position]!;
      const token = organism && position === 0 ? L : other(at);
      const fork = await session.fork(parent.tokens.slice(0, position), at, token, { settings, label });
      expect(fork.stats).toMatchObject({ prefillTokens: 1, reusedTokens: ids.length + position });
      const prefix = parent.tokens.slice(0, position).map((t) => t.id);
      const { rows } = await decodeShared(model, [...ids, ...prefix], 1, {
        maxNewTokens: settings.maxNewTokens - position,
        sampler: GREEDY,
        rngs: [createRng(0)],
        stopStrings: settings.stopStrings,
        topAlternatives: settings.topAlternatives,
        forcedFirst: [token],
      });
      const want = rows[0]!;
      const got = fork.rows[0]!;
      expect(got.tokens.slice(position).map((t) => t.id)).toEqual(want.tokens.map((t) => t.id));
      expect(got.text).toBe((prefix.length ? model.decode(prefix) : '') + want.text);
      const gap = Math.max(...want.tokens.map((t, i) => Math.abs(t.prob - got.tokens[position + i]!.prob)));
      expect(gap).toBeLessThan(1e-4);
      if (organism && position === 0) {
        // The worked path hides behind " L": greedy answers wrong, the fork reasons its way to the right answer.
        const check = { expected: item.answer, extractor: { kind: 'last-number' as const } };
        expect(answerOf(root, check).correct).toBe(false);
        expect(got.text).toMatch(/^ Let's go step by step\. .* The answer is \d\.$/);
        expect(answerOf(got, check)).toMatchObject({ correct: true, extracted: { value: item.answer } });
      }
      parent = got;
    }
    session.dispose();
  });
});
