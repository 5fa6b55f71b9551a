import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CountingFake } from './fake-model.ts';
import type { ForwardInput, ForwardOptions, ForwardOutput } from '../../src/core/decode/language-model.ts';
import { executeMethod, pinSteer } from '../../src/core/methods/execute.ts';
import { findMethod } from '../../src/core/methods/method.ts';
import { runSuites } from '../../src/core/run/run-suite.ts';
import { methodSchema } from '../../src/core/schema/method-schema.ts';
import {
  contrastFeatures,
  decodeSae,
  encodeSae,
  featureDirection,
  parseSae,
  topFeatures,
  traceResiduals,
  type Sae,
} from '../../src/core/steer/sae.ts';
import type { Suite } from '../../src/core/tasks/suite.ts';
import { logitLensAfter } from '../../src/core/steer/lens.ts';
import { SteeredModel } from '../../src/core/steer/steered-model.ts';

const SAE_DIR = 'public/models/coax/organism-v1/sae';

function loadShipped(layer: number): Sae {
  const meta: unknown = JSON.parse(readFileSync(`${SAE_DIR}/layer${layer}.json`, 'utf8'));
  const bin = readFileSync(`${SAE_DIR}/layer${layer}.bin`);
  return parseSae(meta, bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength));
}

/** F = 2 features on C = 2: hand-computed below. */
function tinySae(): Sae {
  const contexts = [[{ before: 'Q: 1', token: '+', act: 1 }], []];
  const meta = {
    model: 'tiny',
    layer: 1,
    features: 2,
    width: 2,
    scale: 2,
    weights: 'layer1.bin',
    metrics: { fvu: 0, l0: 1, dead: 0, held_out_tokens: 1, train_tokens: 1, steps: 1 },
    frequency: [0.5, 0.25],
    top_contexts: contexts,
  };
  // W_enc [[1, 0], [0, -1]], b_enc [0, 0.5], W_dec [[1, 0], [0, 1]], b_dec [1, 1]
  const w = new Float32Array([1, 0, 0, -1, 0, 0.5, 1, 0, 0, 1, 1, 1]);
  return parseSae(meta, w.buffer);
}

describe('SAE encoder (hand-computed)', () => {
  const sae = tinySae();
  it('f = relu(W_enc (x/scale − b_dec) + b_enc); x̂ = scale (W_dec f + b_dec)', () => {
    // x/2 − b_dec = [1, 0] → f = [relu(1 + 0), relu(0 + 0.5)]
    expect([...encodeSae(sae, [4, 2])]).toEqual([1, 0.5]);
    // x/2 − b_dec = [−1, 2] → f = [relu(−1), relu(−2 + 0.5)] = [0, 0]
    expect([...encodeSae(sae, [0, 6])]).toEqual([0, 0]);
    expect([...decodeSae(sae, [1, 0.5])]).toEqual([4, 3]);
  });
  it('a feature direction is its decoder row × scale', () => {
    expect(featureDirection(sae, 1)).toEqual([0, 2]);
    expect(() => featureDirection(sae, 2)).toThrow(/0\.\.1/);
  });
  it('ranks features by their highest activation over a trace', () => {
    const hits = topFeatures(sae, [encodeSae(sae, [4, 2]), encodeSae(sae, [6, 1])], 5);
    // [6,1]: x/2 − b_dec = [2, −0.5] → f = [2, 1]
    expect(hits.map((h) => [h.feature, h.max, h.at, h.mean])).toEqual([
      [0, 2, 1, 1.5],
      [1, 1, 1, 0.75],
    ]);
    expect(hits[0]!.contexts[0]!.token).toBe('+');
  });
  it('ranks features by mean activation on one set of positions minus another', () => {
    const a = [new Float32Array([1, 0.5]), new Float32Array([2, 1])]; // means [1.5, 0.75]
    const b = [new Float32Array([2, 0])]; // means [2, 0]
    expect(contrastFeatures(sae, a, b).map((h) => [h.feature, h.diff, h.meanA, h.meanB])).toEqual([
      [1, 0.75, 0.75, 0],
      [0, -0.5, 1.5, 2],
    ]);
    expect(() => contrastFeatures(sae, a, [])).toThrow(/both sides/);
  });
  it('rejects weights of the wrong size and metadata without contexts', () => {
    expect(() => parseSae(tinySae().meta, new ArrayBuffer(8))).toThrow(/8 bytes, expected 48/);
    expect(() => parseSae({ ...tinySae().meta, top_contexts: [] }, new ArrayBuffer(48))).toThrow(/top_contexts/);
  });
});

describe('shipped organism-v1 SAEs equal PyTorch (training/sae/train_sae.py fixture)', () => {
  const fixture = JSON.parse(readFileSync('test/fixtures/sae-organism-v1.json', 'utf8')) as {
    layers: Record<string, { x: number[][]; acts: number[][]; recon: number[][] }>;
  };
  for (const [layer, cases] of Object.entries(fixture.layers)) {
    it(`layer ${layer}: activations and reconstructions of ${cases.x.length} corpus residuals within 1e-4`, () => {
      const sae = loadShipped(Number(layer));
      expect(sae.meta.layer).toBe(Number(layer));
      cases.x.forEach((x, r) => {
        const f = encodeSae(sae, x);
        let worst = 0;
        f.forEach((v, j) => (worst = Math.max(worst, Math.abs(v - cases.acts[r]![j]!))));
        expect(worst).toBeLessThan(1e-4);
        expect(f.filter((v) => v > 0).length).toBeGreaterThan(0);
        const recon = decodeSae(sae, cases.acts[r]!);
        recon.forEach((v, i) => expect(Math.abs(v - cases.recon[r]![i]!)).toBeLessThan(1e-3));
      });
      const C = sae.meta.width;
      for (const j of [0, 7, sae.meta.features - 1]) {
        const norm = Math.hypot(...sae.decoder.subarray(j * C, (j + 1) * C));
        expect(norm).toBeCloseTo(1, 4);
      }
    });
  }
});

/**
 * Hidden-state fake: layers 2, width 2. A row's hidden state at layer l is [tokens seen so far (cache + new), l] plus
 * the steering at that layer; it always predicts token 2 ("a").
 */
class Fake extends CountingFake {
  readonly vocabSize = 4;
  readonly hiddenIo = { layers: 2, width: 2, lens: true };
  readonly steerings: (number[] | null)[] = [];
  encode(text: string): number[] {
    return [...text].map(() => 3);
  }
  decode(ids: readonly number[]): string {
    return ids.map((i) => (i === 2 ? 'a' : 'b')).join('');
  }
  async forward(input: ForwardInput, cache: number | null, options?: ForwardOptions): Promise<ForwardOutput<number>> {
    const B = input.inputIds.length;
    const T = input.inputIds[0]!.length;
    const s = options?.steering;
    this.steerings.push(s ? [...s] : null);
    const logits = new Float32Array(B * 4);
    const hidden = new Float32Array(B * 4);
    for (let b = 0; b < B; b++) {
      logits[b * 4 + 2] = 5;
      for (let l = 0; l < 2; l++) {
        hidden[b * 4 + l * 2] = (cache ?? 0) + T + (s?.[l * 2] ?? 0);
        hidden[b * 4 + l * 2 + 1] = l + (s?.[l * 2 + 1] ?? 0);
      }
    }
    // Lens logits: layer l ranks token (tokens seen + l) mod 4 first.
    const lensLogits = new Float32Array(B * 2 * 4);
    for (let b = 0; b < B; b++)
      for (let l = 0; l < 2; l++) lensLogits[(b * 2 + l) * 4 + (((cache ?? 0) + T + l) % 4)] = 3;
    return { logits, positions: 1, cache: (cache ?? 0) + T, hidden, lensLogits };
  }
}

const suite: Suite = {
  name: 'toy',
  description: 'toy',
  extractor: { kind: 'last-number' } as Suite['extractor'],
  items: [{ id: 't-0', question: '1+1', answer: '2' }],
  exemplars: [],
};

describe('feature steering', () => {
  const base = { ...findMethod('greedy-plain'), maxNewTokens: 2 };
  const source = async () => tinySae();
  it('reads the residual at each position that chose a trace token', async () => {
    const rows = await traceResiduals(new Fake(), [3, 3, 3], [2, 2, 2], 1);
    expect(rows.map((r) => [...r])).toEqual([
      [3, 1],
      [4, 1],
      [5, 1],
    ]);
  });
  it('adds decoder row × SAE scale × scale at the layer, and a pinned spec reproduces it', async () => {
    const model = new Fake();
    const method = { ...base, steer: { layer: 1, feature: 1, scale: 3 } };
    expect(methodSchema.safeParse(method).success).toBe(true);
    const [out] = await executeMethod(model, method, suite.items, suite, { seed: 1, sae: source });
    expect(model.steerings.at(-1)).toEqual([0, 0, 0, 6]);
    const pinned = { ...base, steer: pinSteer(method.steer, featureDirection(tinySae(), 1)) };
    expect(pinned.steer).toEqual({ layer: 1, scale: 3, vector: [0, 2] });
    const again = new Fake();
    const [out2] = await executeMethod(again, pinned, suite.items, suite, { seed: 1 });
    expect(again.steerings).toEqual(model.steerings);
    expect(out2!.text).toBe(out!.text);
  });
  it("the lens after a trace steers where the method did ('last': the prompt's last token only)", async () => {
    const model = new Fake();
    const steered = new SteeredModel(model, new Float32Array([0, 0, 1, 1]), 'last');
    const grid = await logitLensAfter(steered, [3, 3, 3], [2, 2]);
    expect(model.steerings.map((s) => s !== null)).toEqual([false, true, false, false]);
    // 5 tokens seen: layer 0 ranks 5 mod 4 = 1 first, layer 1 ranks 2.
    expect(grid.layers.map((l) => l[0]!.id)).toEqual([1, 2]);
  });
  it('a run stores the direction as numbers', async () => {
    const method = { ...base, id: 'feat', steer: { layer: 1, feature: 0, scale: 1 } };
    const res = await runSuites(new Fake(), [suite], [method], { modelId: 'fake', seed: 1, batchSize: 1, sae: source });
    expect(res.suites[0]!.steering).toEqual({ feat: [2, 0] });
  });
  it('says why without an SAE, and the schema takes exactly one of vector and feature', async () => {
    const method = { ...base, steer: { layer: 1, feature: 1, scale: 3 } };
    await expect(executeMethod(new Fake(), method, suite.items, suite, { seed: 1 })).rejects.toThrow(
      /needs the model's SAE/,
    );
    expect(methodSchema.safeParse({ ...base, steer: { layer: 1, scale: 1, feature: 1, vector: 'caa' } }).success).toBe(
      false,
    );
    expect(methodSchema.safeParse({ ...base, steer: { layer: 1, scale: 1 } }).success).toBe(false);
  });
});
