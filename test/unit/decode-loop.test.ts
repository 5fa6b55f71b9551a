import { describe, expect, it } from 'vitest';
import { decodePrompts, decodeShared, type DecodeOptions } from '../../src/core/decode/decode-loop.ts';
import { CancelledError } from '../../src/core/decode/cancel.ts';
import { GREEDY, temperatureSampler } from '../../src/core/logits/sampler.ts';
import { createRng } from '../../src/core/rng.ts';
import { FakeModel, logitsFromProbs } from './fake-model.ts';

const VOCAB = ['<eos>', '<pad>', 'a', 'b', 'c', 'd', '\n', '1', '2', '3'];

function opts(n: number, extra: Partial<DecodeOptions> = {}): DecodeOptions {
  return { maxNewTokens: 8, sampler: GREEDY, rngs: Array.from({ length: n }, (_, i) => createRng(100 + i)), ...extra };
}

/** Context-dependent logits: a hash of the real tokens, pad never allowed. */
function hashed(ctx: readonly number[]): number[] {
  let h = 7;
  ctx.forEach((t, j) => (h = (h * 31 + t * (j + 3)) % 997));
  return VOCAB.map((_, i) => (i === 1 ? -Infinity : ((h + i * i * 5) % 13) / 3));
}

/** A model that spells `script` after a prompt of `promptLen` tokens, with 0.9 on the scripted token. */
function scripted(script: string[], promptLen: number) {
  return (ctx: readonly number[]) => {
    const want = VOCAB.indexOf(script[ctx.length - promptLen] ?? '<eos>');
    return logitsFromProbs(VOCAB.map((_, i) => (i === 1 ? 0 : i === want ? 0.9 : 0.1 / 8)));
  };
}

describe('token traces', () => {
  it('records probability, rank, entropy and top-5 of the raw distribution, ties to the lower id', async () => {
    const p = [0.05, 0, 0.5, 0.2, 0.1, 0.1, 0.05, 0, 0, 0];
    const model = new FakeModel(VOCAB, () => logitsFromProbs(p));
    const { rows } = await decodePrompts(model, [model.encode('ab')], opts(1, { maxNewTokens: 2 }));
    const entropy = -(0.05 * Math.log(0.05) * 2 + 0.5 * Math.log(0.5) + 0.2 * Math.log(0.2) + 0.1 * Math.log(0.1) * 2);
    expect(rows[0]!.text).toBe('aa');
    for (const [k, tok] of rows[0]!.tokens.entries()) {
      expect(tok).toMatchObject({ id: 2, text: 'a', offset: k, rank: 1 });
      expect(tok.prob).toBeCloseTo(0.5, 6);
      expect(tok.logprob).toBeCloseTo(Math.log(0.5), 6);
      expect(tok.entropy).toBeCloseTo(entropy, 6);
      expect(tok.top.map((a) => a.text)).toEqual(['a', 'b', 'c', 'd', '<eos>']);
      expect(tok.top.map((a) => a.prob)).toEqual([0.5, 0.2, 0.1, 0.1, 0.05].map((x) => expect.closeTo(x, 6)));
    }
  });

  it('ranks a forced first token in the raw distribution', async () => {
    const p = [0.05, 0, 0.5, 0.2, 0.1, 0.1, 0.05, 0, 0, 0];
    const model = new FakeModel(VOCAB, () => logitsFromProbs(p));
    const { rows } = await decodePrompts(model, [[2]], opts(1, { maxNewTokens: 2, forcedFirst: [4] }));
    expect(rows[0]!.tokens[0]).toMatchObject({ id: 4, rank: 3 });
    expect(rows[0]!.tokens[0]!.prob).toBeCloseTo(0.1, 6);
    expect(rows[0]!.text).toBe('ca');
  });
});

describe('batching and padding', () => {
  it('decodes left-padded prompts of different lengths exactly as each prompt alone', async () => {
    const prompts = ['ab', 'abcd1', 'c', 'dd'];
    const batched = new FakeModel(VOCAB, hashed);
    const together = await decodePrompts(
      batched,
      prompts.map((p) => batched.encode(p)),
      opts(4, { maxNewTokens: 10 }),
    );
    expect(batched.batchSizes[0]).toBe(4);
    for (const [i, p] of prompts.entries()) {
      const single = new FakeModel(VOCAB, hashed);
      const alone = await decodePrompts(single, [single.encode(p)], opts(1, { maxNewTokens: 10 }));
      expect(together.rows[i]).toEqual(alone.rows[0]);
    }
  });

  it('expands a shared prefix once and matches prefilling each row separately', async () => {
    const model = new FakeModel(VOCAB, hashed);
    const shared = await decodeShared(model, model.encode('abc'), 3, opts(3));
    expect(model.batchSizes.slice(0, 2)).toEqual([1, 3]);
    expect(shared.stats.prefillTokens).toBe(3);
    const separate = new FakeModel(VOCAB, hashed);
    const each = await decodePrompts(
      separate,
      [0, 1, 2].map(() => separate.encode('abc')),
      opts(3),
    );
    expect(shared.rows).toEqual(each.rows);
    expect(model.open.size).toBe(0);
  });
});

describe('stop rules', () => {
  it('stops on a stop string that spans tokens and cuts the text before it', async () => {
    const model = new FakeModel(VOCAB, scripted(['a', '1', '\n', '2', 'b'], 1));
    const { rows } = await decodePrompts(model, [[2]], opts(1, { stopStrings: ['\n2'] }));
    expect(rows[0]!.stopReason).toBe('stop-string');
    expect(rows[0]!.text).toBe('a1');
    expect(rows[0]!.tokens.map((t) => t.text)).toEqual(['a', '1', '\n', '2']);
  });

  it('stops on EOS without adding it to the text, and on the token limit', async () => {
    const model = new FakeModel(VOCAB, scripted(['b', 'c'], 1));
    const eos = await decodePrompts(model, [[2]], opts(1));
    expect(eos.rows[0]).toMatchObject({ text: 'bc', stopReason: 'eos' });
    expect(eos.rows[0]!.tokens.at(-1)).toMatchObject({ id: 0, offset: 2 });
    const limited = await decodePrompts(model, [[2]], opts(1, { maxNewTokens: 1 }));
    expect(limited.rows[0]).toMatchObject({ text: 'b', stopReason: 'max-tokens' });
  });

  it('retires finished rows from the batch instead of carrying them', async () => {
    const short = scripted(['a'], 1); // row 0: "a" then EOS after 2 tokens
    const long = scripted(['a', 'b', 'c', 'd', 'a'], 2); // row 1
    const model = new FakeModel(VOCAB, (ctx) => (ctx[0] === 3 ? short(ctx) : long(ctx)));
    const { rows, stats } = await decodePrompts(model, [[3], [4, 4]], opts(2));
    expect(rows.map((r) => r.text)).toEqual(['a', 'abcda']);
    // prefill (2 rows), step after "a"/"a" (2 rows), then row 0 hit EOS: batch of 1 until row 1's EOS.
    expect(model.batchSizes).toEqual([2, 2, 1, 1, 1, 1]);
    expect(stats.decodeRowSteps).toBe(6);
    expect(stats.generatedTokens).toBe(2 + 6);
    expect(model.open.size).toBe(0);
  });
});

describe('cancellation and randomness', () => {
  it('cancels between steps and releases the cache', async () => {
    const model = new FakeModel(VOCAB, hashed);
    const signal = { aborted: false };
    const run = decodePrompts(
      model,
      [[2], [3]],
      opts(2, {
        maxNewTokens: 20,
        stopStrings: [],
        signal,
        onStep: ({ step }) => {
          if (step === 2) signal.aborted = true;
        },
      }),
    );
    await expect(run).rejects.toBeInstanceOf(CancelledError);
    expect(model.batchSizes.length).toBe(4);
    expect(model.open.size).toBe(0);
  });

  it('samples by inverse CDF with the row generator (seed 7) and repeats exactly', async () => {
    const p = [0, 0, 0.5, 0.25, 0.125, 0.125, 0, 0, 0, 0];
    const model = new FakeModel(VOCAB, () => logitsFromProbs(p));
    const run = () =>
      decodeShared(
        model,
        [2],
        2,
        opts(2, { maxNewTokens: 12, sampler: temperatureSampler(1), rngs: [createRng(7), createRng(8)] }),
      );
    const a = await run();
    const b = await run();
    expect(a.rows).toEqual(b.rows);
    const ref = createRng(7);
    const cdf = [0.5, 0.75, 0.875, 1];
    const expected = Array.from({ length: 12 }, () => {
      const u = ref.next();
      return 2 + cdf.findIndex((c) => u < c);
    });
    expect(a.rows[0]!.tokens.map((t) => t.id)).toEqual(expected);
    expect(a.rows[1]!.tokens.map((t) => t.id)).not.toEqual(expected);
  });
});
