/**
 * training/quantize.py (dynamic int8, as ONNX Runtime's quantize_dynamic) on a copy of the tiny Llama fixture:
 * transformers.js loads the result as dtype "q8" and its logits stay close to the float32 model's.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadLocal } from './load-local.ts';

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
});
