import { describe, expect, it } from 'vitest';
import { decodeGroups, type DecodeOptions } from '../../src/core/decode/decode-loop.ts';
import { WaveTuner } from '../../src/core/decode/wave-tuner.ts';
import { evenWaves } from '../../src/core/decode/waves.ts';
import type { ForwardInput, ForwardOptions } from '../../src/core/decode/language-model.ts';
import { temperatureSampler } from '../../src/core/logits/sampler.ts';
import { createRng } from '../../src/core/rng.ts';
import { FakeModel, type FakeCache } from './fake-model.ts';

/** A tuner on a hand-moved clock: `run(plan, msPerRowStep)` records one plan as if it had taken that long. */
function tunerWithClock() {
  let t = 0;
  const tuner = new WaveTuner(() => t);
  const run = (rows: number, positions: number, plan: number[], msPerRowStep: number, rowSteps = 100) => {
    const done = tuner.start(rows, positions, plan);
    t += msPerRowStep * rowSteps;
    done(rowSteps);
  };
  return { tuner, run };
}

describe('evenWaves', () => {
  it.each([
    [16, 16, [16]],
    [16, 8, [8, 8]],
    [16, 7, [6, 5, 5]],
    [10, 3, [3, 3, 2, 2]],
    [5, 0.5, [1, 1, 1, 1, 1]], // never a wave of zero rows
    [3, Infinity, [3]],
  ])('%i rows, at most %d a wave → %j', (rows, most, want) => {
    expect(evenWaves(rows, most)).toEqual(want);
  });
});

describe('WaveTuner', () => {
  it('runs the budget plan first, then halves it once, and keeps the budget plan when halves were slower', () => {
    const { tuner, run } = tunerWithClock();
    expect(tuner.plan(16, 380, 16)).toEqual([16]);
    run(16, 380, [16], 10);
    expect(tuner.plan(16, 380, 16)).toEqual([8, 8]);
    run(16, 380, [8, 8], 12);
    expect(tuner.plan(16, 380, 16)).toEqual([16]);
    expect(tuner.plan(16, 380, 16)).toEqual([16]); // no further tries: both were measured
  });

  it('keeps halving while that is faster, and stops at the fastest', () => {
    const { tuner, run } = tunerWithClock();
    run(16, 380, [16], 20);
    run(16, 380, [8, 8], 12);
    expect(tuner.plan(16, 380, 16)).toEqual([4, 4, 4, 4]); // halves were faster: try quarters
    run(16, 380, [4, 4, 4, 4], 15);
    expect(tuner.plan(16, 380, 16)).toEqual([8, 8]);
  });

  it('starts below the budget plan when the cache forces waves, and never runs larger waves than the budget allows', () => {
    const { tuner, run } = tunerWithClock();
    expect(tuner.plan(16, 380, 6)).toEqual([6, 5, 5]);
    run(16, 380, [6, 5, 5], 10);
    expect(tuner.plan(16, 380, 6)).toEqual([3, 3, 3, 3, 2, 2]);
    run(16, 380, [3, 3, 3, 3, 2, 2], 30);
    expect(tuner.plan(16, 380, 6)).toEqual([6, 5, 5]);
  });

  it('follows a change: a slow run of the chosen plan moves the choice', () => {
    const { tuner, run } = tunerWithClock();
    run(16, 380, [16], 10);
    run(16, 380, [8, 8], 12);
    expect(tuner.plan(16, 380, 16)).toEqual([16]);
    run(16, 380, [16], 20); // the machine got busy: (10 + 20) / 2 = 15 per row-step
    // halves (12) are now faster than one batch: past them, and on to try quarters
    expect(tuner.plan(16, 380, 16)).toEqual([4, 4, 4, 4]);
  });

  it('learns each shape of work apart: other rows, or a cache more than a quarter-octave longer', () => {
    const { tuner, run } = tunerWithClock();
    run(16, 380, [16], 10);
    expect(tuner.plan(16, 390, 16)).toEqual([8, 8]); // within a quarter-octave: the same shape
    expect(tuner.plan(16, 800, 16)).toEqual([16]); // twice the cache: not measured yet
    expect(tuner.plan(12, 380, 12)).toEqual([12]);
    expect(Object.keys(tuner.snapshot())).toHaveLength(1);
  });

  it('records nothing for a plan that ran no row-steps (cancelled, or every row finished at once)', () => {
    const { tuner, run } = tunerWithClock();
    run(16, 380, [16], 10, 0);
    expect(tuner.plan(16, 380, 16)).toEqual([16]);
    expect(tuner.snapshot()).toEqual({});
  });

  it('never splits a single row', () => {
    const { tuner, run } = tunerWithClock();
    run(1, 380, [1], 10);
    expect(tuner.plan(1, 380, 1)).toEqual([1]);
  });
});

const VOCAB = ['<eos>', '<pad>', 'a', 'b', 'c', 'd', '\n', '1', '2', '3'];

/** Context-dependent logits (a hash of the real tokens), pad never allowed, eos rare. */
function hashed(ctx: readonly number[]): number[] {
  let h = 7;
  ctx.forEach((t, j) => (h = (h * 31 + t * (j + 3)) % 997));
  return VOCAB.map((_, i) => (i === 1 ? -Infinity : i === 0 ? -3 : ((h + i * i * 5) % 13) / 3));
}

/** The fake whose every forward pass moves a clock by `cost(rows)` ms: how a step's time grows with the batch. */
class ClockedFake extends FakeModel {
  time = 0;
  constructor(private readonly cost: (rows: number) => number) {
    super(VOCAB, hashed);
  }
  cacheBytesPerToken(_cache: FakeCache): number {
    return 1000;
  }
  override async forward(input: ForwardInput, cache: FakeCache | null, options?: ForwardOptions<FakeCache>) {
    this.time += this.cost(input.inputIds.length);
    return super.forward(input, cache, options);
  }
}

describe('decodeGroups with a WaveTuner', () => {
  const opts = (tuner: WaveTuner): DecodeOptions => ({
    maxNewTokens: 6,
    sampler: temperatureSampler(1),
    rngs: Array.from({ length: 8 }, (_, i) => createRng(900 + i)),
    waveTuner: tuner,
  });

  /** The largest decode batch of each call, and every call's rows, over `calls` calls of 8 paths on one prompt. */
  async function runs(cost: (rows: number) => number, calls: number) {
    const model = new ClockedFake(cost);
    const tuner = new WaveTuner(() => model.time);
    const largest: number[] = [];
    const texts: string[][] = [];
    for (let c = 0; c < calls; c++) {
      const from = model.batchSizes.length + 1; // after this call's prefill
      const { rows } = await decodeGroups(model, [model.encode('ab')], 8, opts(tuner));
      largest.push(Math.max(...model.batchSizes.slice(from)));
      texts.push(rows.map((r) => r.text));
    }
    return { largest, texts };
  }

  it('settles on one batch where a step costs a fixed part plus a part per row', async () => {
    const { largest, texts } = await runs((rows) => 40 + rows, 4);
    expect(largest).toEqual([8, 4, 8, 8]);
    for (const t of texts) expect(t).toEqual(texts[0]); // the same rows whatever the waves
  });

  it('splits down to single rows where a step costs more per row the larger the batch', async () => {
    const { largest, texts } = await runs((rows) => rows * rows, 6);
    expect(largest).toEqual([8, 4, 2, 1, 1, 1]);
    for (const t of texts) expect(t).toEqual(texts[0]);
  });
});
