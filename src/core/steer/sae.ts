import { leftPadBatch } from '../decode/padding.ts';
import type { LanguageModel } from '../decode/language-model.ts';
import { requireHiddenIo } from './steer.ts';

/**
 * A sparse autoencoder on the residual stream after one block (training/sae/train_sae.py), as shipped in a model
 * folder's sae/: layer<L>.json (this metadata) and layer<L>.bin (the weights, float32 little-endian).
 *
 *     f = relu(W_enc (x / scale − b_dec) + b_enc)     x ≈ scale (W_dec f + b_dec)
 */
export interface SaeContext {
  /** Up to 32 characters of corpus text before the token. */
  before: string;
  token: string;
  act: number;
}

export interface SaeMeta {
  model: string;
  layer: number;
  features: number;
  width: number;
  /** Mean residual norm on the training tokens: the SAE reads x / scale. */
  scale: number;
  weights: string;
  metrics: { fvu: number; l0: number; dead: number; held_out_tokens: number; train_tokens: number; steps: number };
  /** Share of corpus tokens on which each feature is active. */
  frequency: number[];
  /** Each feature's top-activating contexts from the corpus, highest first. */
  top_contexts: SaeContext[][];
}

export interface Sae {
  meta: SaeMeta;
  /** F × C, row-major. */
  encoder: Float32Array;
  bEnc: Float32Array;
  /** F × C, row-major; row j (unit norm) is feature j's direction in the residual. */
  decoder: Float32Array;
  bDec: Float32Array;
}

function need(ok: boolean, what: string): void {
  if (!ok) throw new Error(`SAE metadata: ${what}`);
}

/** An SAE from its metadata (parsed JSON) and weights file; throws naming what does not fit. */
export function parseSae(meta: unknown, weights: ArrayBuffer): Sae {
  const m = meta as SaeMeta;
  need(typeof m === 'object' && m !== null, 'not an object');
  for (const k of ['layer', 'features', 'width', 'scale'] as const)
    need(typeof m[k] === 'number' && Number.isFinite(m[k]) && m[k] >= 0, `"${k}" must be a number, got ${m[k]}`);
  need(Number.isInteger(m.features) && m.features > 0 && Number.isInteger(m.width) && m.width > 0, 'bad sizes');
  need(
    Array.isArray(m.top_contexts) && m.top_contexts.length === m.features,
    'top_contexts needs one list per feature',
  );
  const F = m.features;
  const C = m.width;
  const expected = (2 * F * C + F + C) * 4;
  if (weights.byteLength !== expected)
    throw new Error(
      `SAE weights: ${weights.byteLength} bytes, expected ${expected} (float32 W_enc ${F}×${C}, b_enc, W_dec, b_dec)`,
    );
  const all = new Float32Array(weights.slice(0));
  if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) throw new Error('SAE weights are little-endian');
  let o = 0;
  const take = (n: number) => all.subarray(o, (o += n));
  return { meta: m, encoder: take(F * C), bEnc: take(F), decoder: take(F * C), bDec: take(C) };
}

/** Feature activations (length F) of one residual x (length C). */
export function encodeSae(sae: Sae, x: ArrayLike<number>): Float32Array {
  const { features: F, width: C, scale } = sae.meta;
  if (x.length !== C) throw new Error(`residual has ${x.length} values, the SAE reads ${C}`);
  const centred = new Float64Array(C);
  for (let i = 0; i < C; i++) centred[i] = x[i]! / scale - sae.bDec[i]!;
  const out = new Float32Array(F);
  for (let j = 0; j < F; j++) {
    let s = sae.bEnc[j]!;
    const row = j * C;
    for (let i = 0; i < C; i++) s += sae.encoder[row + i]! * centred[i]!;
    out[j] = s > 0 ? s : 0;
  }
  return out;
}

/** The residual the SAE reconstructs from activations f: scale (W_dec f + b_dec). */
export function decodeSae(sae: Sae, f: ArrayLike<number>): Float32Array {
  const { features: F, width: C, scale } = sae.meta;
  const out = new Float64Array(C);
  for (let i = 0; i < C; i++) out[i] = sae.bDec[i]!;
  for (let j = 0; j < F; j++) {
    const a = f[j]!;
    if (a === 0) continue;
    for (let i = 0; i < C; i++) out[i]! += a * sae.decoder[j * C + i]!;
  }
  return Float32Array.from(out, (v) => v * scale);
}

/**
 * Feature j's steering direction: its decoder row (unit norm) times the SAE's scale (the mean residual norm), so a
 * steering scale of 1 adds a vector as long as an average residual, pointing along the feature.
 */
export function featureDirection(sae: Sae, feature: number): number[] {
  const { features: F, width: C, scale } = sae.meta;
  if (!(Number.isInteger(feature) && feature >= 0 && feature < F))
    throw new Error(`SAE feature must be a whole number in 0..${F - 1}, got ${feature}`);
  return Array.from(sae.decoder.subarray(feature * C, (feature + 1) * C), (v) => v * scale);
}

/**
 * The residual after block `layer` at each position that chooses a token of a trace: the prompt's last token, then
 * each generated token but the last (ids[0..n-2]); row k is the state that predicted ids[k]. One prefill, then one
 * cached step per token (the export exposes the last position only).
 */
export async function traceResiduals<C>(
  model: LanguageModel<C>,
  promptIds: readonly number[],
  ids: readonly number[],
  layer: number,
  steering?: Float32Array,
): Promise<Float32Array[]> {
  const io = requireHiddenIo(model, 'SAE features');
  if (!(Number.isInteger(layer) && layer >= 0 && layer < io.layers))
    throw new Error(`layer must be a whole number in 0..${io.layers - 1}, got ${layer}`);
  if (promptIds.length === 0) throw new Error('the prompt has no tokens');
  const C = io.width;
  const rows: Float32Array[] = [];
  const pick = (hidden: Float32Array | undefined) => {
    if (!hidden) throw new Error('the model returned no hidden states');
    rows.push(hidden.slice(layer * C, (layer + 1) * C));
  };
  const batch = leftPadBatch([promptIds], model.padTokenId);
  let out = await model.forward(
    { inputIds: batch.ids, attentionMask: batch.mask, positionIds: batch.positions },
    null,
    { steering },
  );
  pick(out.hidden);
  let length = promptIds.length;
  try {
    for (let k = 0; k + 1 < ids.length; k++) {
      const next = await model.forward(
        { inputIds: [[ids[k]!]], attentionMask: [new Array<number>(length + 1).fill(1)], positionIds: [[length]] },
        out.cache,
        { steering },
      );
      model.release(out.cache);
      out = next;
      length++;
      pick(out.hidden);
    }
  } finally {
    model.release(out.cache);
  }
  return rows;
}

export interface FeatureHit {
  feature: number;
  /** Highest activation over the trace's positions, and where (index into the trace's tokens). */
  max: number;
  at: number;
  /** Mean activation over the positions. */
  mean: number;
  /** Share of corpus tokens on which the feature is active (from training). */
  frequency: number;
  contexts: SaeContext[];
}

/** Features ranked by their highest activation over a trace's positions (ties: lower feature first). */
export function topFeatures(sae: Sae, acts: readonly Float32Array[], k = 10): FeatureHit[] {
  const F = sae.meta.features;
  const hits: FeatureHit[] = [];
  for (let j = 0; j < F; j++) {
    let max = 0;
    let at = -1;
    let sum = 0;
    acts.forEach((a, p) => {
      sum += a[j]!;
      if (a[j]! > max) {
        max = a[j]!;
        at = p;
      }
    });
    if (at >= 0)
      hits.push({
        feature: j,
        max,
        at,
        mean: sum / acts.length,
        frequency: sae.meta.frequency?.[j] ?? 0,
        contexts: sae.meta.top_contexts[j] ?? [],
      });
  }
  hits.sort((a, b) => b.max - a.max || a.feature - b.feature);
  return hits.slice(0, k);
}

/** A feature's standing over a set of traces: how many traces rank it in their top `perTrace`, and its summed max. */
export interface PoolFeature {
  feature: number;
  votes: number;
  sumMax: number;
}

/**
 * The feature browser's ranking over many traces (e.g. the worked answers of a suite's exemplar pool): each trace
 * ranks features by their highest activation (topFeatures) and votes for its top `perTrace`; features are ordered by
 * votes, then summed highest activation, then index.
 */
export function rankOverTraces(sae: Sae, traces: readonly (readonly Float32Array[])[], perTrace = 5): PoolFeature[] {
  const by = new Map<number, PoolFeature>();
  for (const acts of traces)
    for (const hit of topFeatures(sae, acts, perTrace)) {
      const f = by.get(hit.feature) ?? { feature: hit.feature, votes: 0, sumMax: 0 };
      f.votes++;
      f.sumMax += hit.max;
      by.set(hit.feature, f);
    }
  return [...by.values()].sort((a, b) => b.votes - a.votes || b.sumMax - a.sumMax || a.feature - b.feature);
}

/** A feature's mean activation over one set of positions minus another (contrastFeatures). */
export interface ContrastFeature {
  feature: number;
  /** mean(a) − mean(b) */
  diff: number;
  meanA: number;
  meanB: number;
  frequency: number;
  contexts: SaeContext[];
}

/**
 * Features ranked by how much more active they are on positions `a` than on positions `b` (mean over each set's
 * rows): on the page, one trace against the other one shown beside it; in `coax sweep --rank contrast`, the last
 * prompt token after worked exemplars against after direct ones (the CAA pairs, in feature space).
 */
export function contrastFeatures(
  sae: Sae,
  a: readonly Float32Array[],
  b: readonly Float32Array[],
  k = 10,
): ContrastFeature[] {
  if (a.length === 0 || b.length === 0) throw new Error('contrastFeatures needs positions on both sides');
  const F = sae.meta.features;
  const mean = (rows: readonly Float32Array[], j: number) => rows.reduce((s, r) => s + r[j]!, 0) / rows.length;
  const out: ContrastFeature[] = [];
  for (let j = 0; j < F; j++) {
    const meanA = mean(a, j);
    const meanB = mean(b, j);
    out.push({
      feature: j,
      diff: meanA - meanB,
      meanA,
      meanB,
      frequency: sae.meta.frequency?.[j] ?? 0,
      contexts: sae.meta.top_contexts[j] ?? [],
    });
  }
  out.sort((x, y) => y.diff - x.diff || x.feature - y.feature);
  return out.slice(0, k);
}
