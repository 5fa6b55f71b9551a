import { describe, expect, it } from 'vitest';
import { CountingFake } from './fake-model.ts';
import type { ForwardInput, ForwardOptions, ForwardOutput } from '../../src/core/decode/language-model.ts';
import { decodePrompts } from '../../src/core/decode/decode-loop.ts';
import { GREEDY } from '../../src/core/logits/sampler.ts';
import { executeMethod } from '../../src/core/methods/execute.ts';
import { findMethod } from '../../src/core/methods/method.ts';
import { createRng } from '../../src/core/rng.ts';
import { methodSchema } from '../../src/core/schema/method-schema.ts';
import { caaPairs, computeCaa } from '../../src/core/steer/caa.ts';
import { settleLayer } from '../../src/core/steer/lens.ts';
import { NO_HIDDEN_IO, steeringInput } from '../../src/core/steer/steer.ts';
import { SteeredModel } from '../../src/core/steer/steered-model.ts';
import { bestCell, mcnemarOf, reasons, steeredMethod, type SweepCell } from '../../src/core/steer/sweep.ts';
import type { RunResults } from '../../src/core/run/results.ts';
import type { Suite } from '../../src/core/tasks/suite.ts';

const VOCAB = ['<eos>', '<pad>', ..."abcdefghijklmnopqrstuvwxyzQA:?+*-=0123456789 .\n'L"];
const io = { layers: 2, width: 3, lens: false };

interface Call {
  T: number;
  steering: number[] | null;
}

/**
 * A model with hidden-state I/O whose last-position hidden state is a pure function of the row's visible tokens in
 * this call (with an empty cache, the whole prompt): per layer l, [(l+1)·tokens, count of "=", count of "L"]. It
 * always predicts "a" then <eos>, and records every call's width and steering.
 */
class HiddenFake extends CountingFake {
  readonly vocabSize = VOCAB.length;
  readonly hiddenIo = io;
  readonly calls: Call[] = [];
  encode(text: string): number[] {
    return [...text].map((c) => {
      const i = VOCAB.indexOf(c);
      if (i < 2) throw new Error(`no "${c}"`);
      return i;
    });
  }
  decode(ids: readonly number[]): string {
    return ids.map((i) => VOCAB[i]).join('');
  }
  async forward(input: ForwardInput, cache: number | null, options?: ForwardOptions): Promise<ForwardOutput<number>> {
    const B = input.inputIds.length;
    const T = input.inputIds[0]!.length;
    this.calls.push({ T, steering: options?.steering ? [...options.steering] : null });
    const logits = new Float32Array(B * this.vocabSize);
    const hidden = new Float32Array(B * io.layers * io.width);
    for (let b = 0; b < B; b++) {
      const seen = (cache ?? 0) + T;
      logits[b * this.vocabSize + (seen > 40 ? 0 : VOCAB.indexOf('a'))] = 10;
      const mask = input.attentionMask[b]!.slice(-T);
      const ids = input.inputIds[b]!.filter((_, t) => mask[t] === 1);
      for (let l = 0; l < io.layers; l++) {
        hidden[(b * io.layers + l) * io.width] = (l + 1) * ids.length;
        hidden[(b * io.layers + l) * io.width + 1] = ids.filter((i) => VOCAB[i] === '=').length;
        hidden[(b * io.layers + l) * io.width + 2] = ids.filter((i) => VOCAB[i] === 'L').length;
      }
    }
    return { logits, positions: 1, cache: (cache ?? 0) + T, hidden };
  }
}

const suite: Suite = {
  name: 'toy',
  description: 'toy',
  extractor: { kind: 'last-number' } as Suite['extractor'],
  trigger: "Let's go.",
  items: [{ id: 'test-0', question: '9+9', answer: '8' }],
  exemplars: [
    { question: '1+2', answer: '3', worked: "Let's go. 1+2 = 3." },
    { question: '2*3', answer: '6', worked: "Let's go. 2*3 = 6." },
    { question: '4-1', answer: '3', worked: "Let's go. 4-1 = 3." },
  ],
};

describe('steering input', () => {
  it('puts vector × scale at the layer and zeros elsewhere', () => {
    expect([...steeringInput(io, 1, [1, -2, 0.5], 2)]).toEqual([0, 0, 0, 2, -4, 1]);
  });
  it('rejects a layer outside the model, a wrong width and a zero vector', () => {
    expect(() => steeringInput(io, 2, [1, 0, 0], 1)).toThrow(/0\.\.1/);
    expect(() => steeringInput(io, 0, [1, 0], 1)).toThrow(/2 values/);
    expect(() => steeringInput(io, 0, [0, 0, 0], 1)).toThrow(/zero/);
  });
});

describe('SteeredModel positions', () => {
  const steer = steeringInput(io, 0, [1, 1, 1], 1);
  const run = async (positions: 'all' | 'answer' | 'last') => {
    const inner = new HiddenFake();
    const { rows } = await decodePrompts(new SteeredModel(inner, steer, positions), [inner.encode('Q: 1+2')], {
      maxNewTokens: 3,
      sampler: GREEDY,
      rngs: [createRng(1)],
    });
    expect(rows[0]!.text).toBe('aaa');
    return inner.calls.map((c) => [c.T, c.steering !== null]);
  };
  it("'all' steers the whole prompt in one call and every step", async () => {
    expect(await run('all')).toEqual([
      [6, true],
      [1, true],
      [1, true],
    ]);
  });
  it("'answer' reads the prompt unsteered, then steers its last token and every step", async () => {
    expect(await run('answer')).toEqual([
      [5, false],
      [1, true],
      [1, true],
      [1, true],
    ]);
  });
  it("'last' steers only the prompt's last token", async () => {
    expect(await run('last')).toEqual([
      [5, false],
      [1, true],
      [1, false],
      [1, false],
    ]);
  });
});

describe('contrastive activation addition', () => {
  it('builds pairs from the exemplar pool only, ending on the same question', () => {
    const pairs = caaPairs(suite, 'shots');
    expect(pairs).toHaveLength(3);
    for (const [i, p] of pairs.entries()) {
      const ask = `Q: ${suite.exemplars[i]!.question}\nA:`;
      expect(p.positive.endsWith(ask) && p.negative.endsWith(ask)).toBe(true);
      expect(p.positive).toContain("Let's go.");
      expect(p.negative).not.toContain("Let's go.");
      expect(p.positive + p.negative).not.toContain('9+9');
    }
    const trig = caaPairs(suite, 'trigger');
    expect(trig[0]).toEqual({ positive: "Q: 1+2\nA: Let's go.", negative: 'Q: 1+2\nA:' });
  });

  it('is the mean positive minus mean negative last-position hidden state, per layer', async () => {
    const model = new HiddenFake();
    const caa = await computeCaa(model, suite, 'shots');
    const pairs = caaPairs(suite, 'shots');
    const mean = (f: (s: string) => number, key: 'positive' | 'negative') =>
      pairs.reduce((s, p) => s + f(p[key]), 0) / pairs.length;
    const count = (ch: string) => (s: string) => [...s].filter((c) => c === ch).length;
    for (let l = 0; l < 2; l++) {
      expect(caa.vectors[l]![0]).toBeCloseTo(
        (l + 1) * (mean((s) => s.length, 'positive') - mean((s) => s.length, 'negative')),
        4,
      );
      expect(caa.vectors[l]![1]).toBeCloseTo(mean(count('='), 'positive') - mean(count('='), 'negative'), 5);
      expect(caa.vectors[l]![2]).toBeCloseTo(mean(count('L'), 'positive') - mean(count('L'), 'negative'), 5);
    }
    expect(caa.count).toBe(3);
  });
});

describe('steer in a method spec', () => {
  const base = findMethod('greedy-plain');
  it('validates layer, vector and positions', () => {
    const ok = { ...base, steer: { layer: 1, scale: 2, vector: 'caa', positions: 'last' } };
    expect(methodSchema.safeParse(ok).success).toBe(true);
    expect(methodSchema.safeParse({ ...base, steer: { layer: -1, scale: 2, vector: 'caa' } }).success).toBe(false);
    expect(methodSchema.safeParse({ ...base, steer: { layer: 0, scale: 2, vector: [0, 0] } }).success).toBe(false);
    expect(methodSchema.safeParse({ ...base, steer: { layer: 0, scale: 2, vector: 'caa', where: 1 } }).success).toBe(
      false,
    );
  });
  it('fails with the reason on a model without hidden-state I/O', async () => {
    const model = new HiddenFake();
    const stock = Object.assign(Object.create(model) as HiddenFake, { hiddenIo: null });
    const method = { ...base, steer: { layer: 0, scale: 1, vector: 'caa' as const } };
    await expect(executeMethod(stock, method, suite.items, suite, { seed: 1 })).rejects.toThrow(NO_HIDDEN_IO);
  });
  it('runs steered with the CAA vector of the suite', async () => {
    const model = new HiddenFake();
    const method = { ...base, maxNewTokens: 2, steer: { layer: 1, scale: 1, vector: 'caa' as const } };
    const [out] = await executeMethod(model, method, suite.items, suite, { seed: 1 });
    expect(out!.text).toBe('aa');
    const caa = await computeCaa(new HiddenFake(), suite, 'shots');
    const last = model.calls.at(-1)!.steering!;
    expect(last.slice(0, 3)).toEqual([0, 0, 0]);
    last.slice(3).forEach((v, i) => expect(v).toBeCloseTo(caa.vectors[1]![i]!, 4));
  });
});

describe('sweep helpers', () => {
  const cell = (layer: number | null, scale: number, accuracy: number): SweepCell => ({
    methodId: `m${layer}x${scale}`,
    layer,
    scale,
    positions: layer === null ? null : 'all',
    correct: 0,
    n: 8,
    accuracy,
    low: 0,
    high: 1,
    reasoning: 0,
  });
  it('picks the most accurate steered cell, then the smaller scale, then the lower layer', () => {
    expect(bestCell([cell(null, 0, 0.9), cell(2, 4, 0.5), cell(1, 4, 0.5), cell(3, 2, 0.5)]).methodId).toBe('m3x2');
    expect(bestCell([cell(2, 4, 0.5), cell(1, 4, 0.5)]).methodId).toBe('m1x4');
  });
  it('names steered copies with valid method ids', () => {
    const m = steeredMethod(
      findMethod('greedy-plain'),
      { layer: 3, scale: 0.5, vector: [1, 2], positions: 'last' },
      'last',
    );
    expect(m.id).toBe('greedy-plain.steer-L3x0.5-last');
    expect(methodSchema.safeParse(m).success).toBe(true);
  });
  it('counts an output as reasoning when it writes a step', () => {
    expect(reasons(" Let's go step by step. 1+2 = 3.")).toBe(true);
    expect(reasons(' 3')).toBe(false);
  });
  it('pairs McNemar counts over items', () => {
    const out = (correct: boolean) => ({ correct }) as never;
    const results = {
      suites: [
        {
          suiteName: 's',
          items: [
            { answer: '1', outputs: { a: out(true), b: out(false) } },
            { answer: '1', outputs: { a: out(true), b: out(false) } },
            { answer: '1', outputs: { a: out(false), b: out(true) } },
            { answer: '1', outputs: { a: out(true), b: out(true) } },
          ],
        },
      ],
    } as unknown as RunResults;
    expect(mcnemarOf(results, 's', 'a', 'b')).toEqual({ gained: 2, lost: 1, p: 1 });
  });
  it('finds the layer where the lens settles on a token', () => {
    const t = (id: number) => ({ id, text: '', p: 1 });
    expect(settleLayer({ layers: [[t(1)], [t(2)], [t(2)]] }, 2)).toBe(1);
    expect(settleLayer({ layers: [[t(2)], [t(1)], [t(2)]] }, 2)).toBe(2);
    expect(settleLayer({ layers: [[t(2)], [t(1)]] }, 2)).toBeNull();
  });
});
