/**
 * training/quantize.py (dynamic int8, as ONNX Runtime's quantize_dynamic) on a copy of the tiny Llama fixture:
 * transformers.js loads the result as dtype "q8" and its logits stay close to the float32 model's.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeGroups } from '../../src/core/decode/decode-loop.ts';
import { temperatureSampler } from '../../src/core/logits/sampler.ts';
import { createRng } from '../../src/core/rng.ts';
import { loadLocal, maxAbsDiff } from './load-local.ts';

const dir = mkdtempSync(join(tmpdir(), 'coax-q8-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function lastLogits(dtype: 'fp32' | 'q8', ids: number[]): Promise<Float32Array> {
  const model = await loadLocal('coax/fixture-tiny', { dtype, modelsDir: dir });
  try {
    const out = await model.forward(
      { inputIds: [ids], attentionMask: [ids.map(() => 1)], positionIds: [ids.map((_, i) => i)] },
      null,
      { allLogits: true },
    );
    return out.logits;
  } finally {
    await model.dispose();
  }
}

describe('training/quantize.py', () => {
  it('writes model_quantized.onnx that transformers.js runs as q8, close to float32', async () => {
    cpSync('public/models/coax/fixture-tiny', join(dir, 'coax/fixture-tiny'), { recursive: true });
    const out = execFileSync('/usr/bin/python3', ['training/quantize.py', join(dir, 'coax/fixture-tiny')], {
      encoding: 'utf8',
      env: { ...process.env, OMP_NUM_THREADS: '1' },
    });
    expect(out).toMatch(/quantised 15 MatMul weights/); // 7 per layer × 2 layers + the untied-looking lm_head MatMul
    const onnx = (f: string) => statSync(join(dir, 'coax/fixture-tiny/onnx', f)).size;
    expect(onnx('model_quantized.onnx')).toBeLessThan(0.5 * onnx('model.onnx'));

    const ids = [...'Q: 2+3=?\nA: 5'].map((c) => c.charCodeAt(0) + 2); // the byte tokenizer: id = byte + 2
    const f32 = await lastLogits('fp32', ids);
    const q8 = await lastLogits('q8', ids);
    expect(q8.length).toBe(f32.length);
    let maxAbs = 0;
    let maxDiff = 0;
    for (let i = 0; i < f32.length; i++) {
      maxAbs = Math.max(maxAbs, Math.abs(f32[i]!));
      maxDiff = Math.max(maxDiff, Math.abs(f32[i]! - q8[i]!));
    }
    // int8 weights with per-column scales and uint8 per-tensor activations on this random model (weights of std 0.3,
    // logits up to ±30): measured 2.2 / 30 = 7 % at worst; a scale on the wrong axis or a lost zero point is far off
    expect(maxDiff).toBeGreaterThan(0); // it really is another graph
    expect(maxDiff / maxAbs).toBeLessThan(0.12);
    const V = f32.length / ids.length;
    const argmax = (a: Float32Array, t: number) => {
      let best = 0;
      for (let v = 1; v < V; v++) if (a[t * V + v]! > a[t * V + best]!) best = v;
      return best;
    };
    const agree = ids.filter((_, t) => argmax(f32, t) === argmax(q8, t)).length;
    expect(agree / ids.length).toBeGreaterThanOrEqual(0.9);
  });

  // #13: the shared-prefix graph (export.py --prefix-cache) is quantised beside the stock one, so the page can run
  // the prefix path at q8 too. Its MatMuls are the stock graph's (the prefix enters as keys and values, not through
  // a projection), so with no prefix fed both int8 graphs compute the same logits up to float rounding, and a
  // self-consistency run through the engine keeps the prefix path on the quantised graph.
  it('quantises model_prefix.onnx too: q8 loads it with sharedPrefix, the same logits as model_quantized.onnx', async () => {
    cpSync('public/models/coax/fixture-gqa', join(dir, 'coax/fixture-gqa'), { recursive: true });
    const out = execFileSync('/usr/bin/python3', ['training/quantize.py', join(dir, 'coax/fixture-gqa')], {
      encoding: 'utf8',
      env: { ...process.env, OMP_NUM_THREADS: '1' },
    });
    const counts = [...out.matchAll(/quantised (\d+) MatMul weights to int8: (\S+)/g)];
    expect(counts.map((m) => basename(m[2]!))).toEqual(['model_quantized.onnx', 'model_prefix_quantized.onnx']);
    expect(counts[1]![1]).toBe(counts[0]![1]);
    const size = (f: string) => statSync(join(dir, 'coax/fixture-gqa/onnx', f)).size;
    // The same weights shrink the same way (this fixture's float32 embedding table keeps both near half; the prefix
    // graph's extra attention nodes make its file a little larger).
    const ratio = (stem: string) => size(`${stem}_quantized.onnx`) / size(`${stem}.onnx`);
    expect(ratio('model_prefix')).toBeLessThan(0.6);
    expect(Math.abs(ratio('model_prefix') - ratio('model'))).toBeLessThan(0.05);

    const stock = await loadLocal('coax/fixture-gqa', { dtype: 'q8', modelsDir: dir });
    const prefixed = await loadLocal('coax/fixture-gqa', {
      dtype: 'q8',
      modelsDir: dir,
      modelFileName: 'model_prefix',
    });
    try {
      expect(prefixed.sharedPrefix).toBe(true);
      expect(stock.sharedPrefix).toBe(false);
      const ids = stock.encode('Q: 3 + 4 = ?\nA: 7\nQ: 6 + 1 = ?\nA:');
      const forward = (m: typeof stock) =>
        m.forward({ inputIds: [ids], attentionMask: [ids.map(() => 1)], positionIds: [ids.map((_, t) => t)] }, null, {
          allLogits: true,
        });
      expect(maxAbsDiff((await forward(stock)).logits, (await forward(prefixed)).logits)).toBeLessThan(1e-4);

      const run = (m: typeof stock) =>
        decodeGroups(m, [ids], 4, {
          maxNewTokens: 8,
          sampler: temperatureSampler(0.7),
          rngs: Array.from({ length: 4 }, (_, i) => createRng(i)),
        });
      const [a, b] = [await run(stock), await run(prefixed)];
      // Not the same tokens: activations are quantised per tensor, and the prefix path quantises the prompt's last
      // token apart from the rest. But the shared path ran on the int8 graph: one more prefill call (the prompt but
      // its last token as the prefix, then that token against it) for the same number of decoding steps.
      const prefillCalls = (r: typeof a) => r.stats.forwardCalls - Math.max(...r.rows.map((x) => x.tokens.length));
      expect(prefillCalls(b)).toBe(prefillCalls(a) + 1);
      expect(b.rows.every((r) => r.tokens.length > 0)).toBe(true);
    } finally {
      await stock.dispose();
      await prefixed.dispose();
    }
  });
});
