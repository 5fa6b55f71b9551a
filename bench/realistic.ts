/**
 * `npm run bench -- --realistic`: a model of the size users run, made at bench time. Tiny models hide the costs
 * users feel (the runtime's fixed cost per call dominates), so this exports a random-weight Llama with
 * SmolLM2-135M's exact config (49152 ids, 30 layers, 9 query heads over 3 key/value heads, tied embeddings)
 * through our own exporter into a cache folder outside git, once, and benchmarks it like the bundled models.
 */
import { spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  linkSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join, resolve } from 'node:path';
import { scanModels } from '../tools/vite/model-manifest.ts';

/** SmolLM2-135M's config.json (hub: HuggingFaceTB/SmolLM2-135M), the fields our Llama takes. */
export const SMOLLM2_135M = {
  vocab_size: 49152,
  hidden_size: 576,
  intermediate_size: 1536,
  num_hidden_layers: 30,
  num_attention_heads: 9,
  num_key_value_heads: 3,
  max_position_embeddings: 8192,
  rms_norm_eps: 1e-5,
  rope_theta: 100000,
  tie_word_embeddings: true,
} as const;

/** Where the exported model lives: ignored by git, kept between runs (the export takes a minute or two). */
export const REALISTIC_ROOT = resolve('.cache/bench-models');
export const REALISTIC_ID = 'coax-bench/smollm2-135m-random';

const flag = (k: string) => `--${k.replace(/_/g, '-')}`;

/** Export the model unless a folder made from the same config is already there. Returns the folder. */
export function ensureRealisticModel(log: (s: string) => void = console.log): string {
  const dir = join(REALISTIC_ROOT, REALISTIC_ID);
  const stamp = join(dir, 'coax-bench-config.json');
  const want = JSON.stringify(SMOLLM2_135M);
  const done = ['model.onnx', 'model_quantized.onnx'].every((f) => existsSync(join(dir, 'onnx', f)));
  if (done && existsSync(stamp) && readFileSync(stamp, 'utf8') === want) {
    return dir;
  }
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const args = exportArgs(dir);
  log(`exporting a random-weight SmolLM2-135M-shaped model to ${dir} (once; about a minute) …`);
  const python = process.env['COAX_PYTHON'] ?? '/usr/bin/python3';
  const r = spawnSync(python, args, {
    env: { ...process.env, OMP_NUM_THREADS: process.env['OMP_NUM_THREADS'] ?? '2' },
    encoding: 'utf8',
  });
  if (r.status !== 0) {
    throw new Error(
      `--realistic: the export failed (${python} ${args.join(' ')}):\n${(r.stderr || r.stdout || String(r.error)).slice(-2000)}`,
    );
  }
  const mb = statSync(join(dir, 'onnx', 'model.onnx')).size / 2 ** 20;
  log(`exported ${mb.toFixed(0)} MB; quantising to int8 (training/quantize.py) …`);
  const q = spawnSync(python, ['training/quantize.py', dir], { env: { ...process.env }, encoding: 'utf8' });
  if (q.status !== 0) throw new Error(`--realistic: quantisation failed:\n${(q.stderr || q.stdout).slice(-2000)}`);
  log(q.stdout.trim());
  writeFileSync(stamp, want);
  return dir;
}

/** export.py's arguments for the realistic model into `outDir` (same seed: the same weights every time). */
function exportArgs(outDir: string, ...extra: string[]): string[] {
  return [
    'training/export.py',
    '--out-dir',
    outDir,
    '--tokenizer',
    'byte-padded',
    '--seed',
    '0',
    // HF's initializer_range for SmolLM2: a near-uniform next-token distribution, as an untrained model has
    '--embed-std',
    '0.02',
    '--linear-std',
    '0.02',
    ...Object.entries(SMOLLM2_135M)
      .filter(([k]) => k !== 'tie_word_embeddings')
      .flatMap(([k, v]) => [flag(k), String(v)]),
    ...extra,
  ];
}

/**
 * Add onnx/model_prefix.onnx (export.py --prefix-cache: the same weights, a shared prompt's cache as an input) to
 * the realistic model's folder, once. Exported into a scratch folder beside it and moved in: the export writes
 * model.onnx, which must not replace the stock graph.
 */
export function ensurePrefixGraph(dir: string, log: (s: string) => void = console.log): string {
  const target = join(dir, 'onnx', 'model_prefix.onnx');
  if (existsSync(target)) return target;
  const scratch = `${dir}.prefix-export`;
  rmSync(scratch, { recursive: true, force: true });
  const args = exportArgs(scratch, '--prefix-cache');
  log(`exporting the shared-prefix graph (export.py --prefix-cache) to ${target} (once; about a minute) …`);
  const python = process.env['COAX_PYTHON'] ?? '/usr/bin/python3';
  const r = spawnSync(python, args, {
    env: { ...process.env, OMP_NUM_THREADS: process.env['OMP_NUM_THREADS'] ?? '2' },
    encoding: 'utf8',
  });
  if (r.status !== 0)
    throw new Error(
      `--realistic: the prefix export failed:\n${(r.stderr || r.stdout || String(r.error)).slice(-2000)}`,
    );
  renameSync(join(scratch, 'onnx', 'model.onnx'), target);
  rmSync(scratch, { recursive: true, force: true });
  return target;
}

/**
 * Put the realistic model into the built site (dist/models/…) and list it in dist/models/index.json, so the page
 * loads it like a bundled model. dist is a build output: the next build drops it again.
 */
export function addToDist(modelDir: string, dist = resolve('dist')): void {
  const target = join(dist, 'models', REALISTIC_ID);
  rmSync(target, { recursive: true, force: true });
  // Hard links where the file system allows (1.5 GB of weights: a copy took tens of seconds on a busy disk).
  const place = (from: string, to: string) => {
    if (statSync(from).isDirectory()) {
      mkdirSync(to, { recursive: true });
      for (const name of readdirSync(from)) place(join(from, name), join(to, name));
      return;
    }
    try {
      linkSync(from, to);
    } catch {
      cpSync(from, to);
    }
  };
  place(modelDir, target);
  writeFileSync(join(dist, 'models', 'index.json'), JSON.stringify(scanModels(join(dist, 'models'))));
}

/** Bytes of one full copy of the KV cache for `rows` rows of `positions` tokens (float32). */
export function cacheBytes(rows: number, positions: number): number {
  const c = SMOLLM2_135M;
  const headDim = c.hidden_size / c.num_attention_heads;
  return c.num_hidden_layers * 2 * rows * c.num_key_value_heads * positions * headDim * 4;
}
