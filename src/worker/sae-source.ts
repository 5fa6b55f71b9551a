import { env } from '@huggingface/transformers';
import type { TransformersModel } from '../adapters/model/transformers-model.ts';
import type { SaeSource } from '../core/methods/execute.ts';
import { encodeSae, parseSae, traceResiduals, type Sae } from '../core/steer/sae.ts';
import { modelAsSteered } from '../core/steer/steered-model.ts';
import type { TraceRef } from './protocol.ts';

async function fetchSae(id: string, layer: number): Promise<Sae> {
  const base = `${env.localModelPath}${id}/sae/`;
  const missing = `${id} ships no SAE for layer ${layer} (sae/layer${layer}.json in its folder; training/sae/train_sae.py writes one)`;
  const res = await fetch(`${base}layer${layer}.json`).catch(() => null);
  // A dev server answers a missing file with the page itself: only JSON counts.
  if (!res?.ok || !(res.headers.get('content-type') ?? '').includes('json')) throw new Error(missing);
  const meta = (await res.json()) as { weights?: string };
  const bin = await fetch(`${base}${meta.weights ?? `layer${layer}.bin`}`);
  if (!bin.ok) throw new Error(`${missing}: its weights did not load (HTTP ${bin.status})`);
  return parseSae(meta, await bin.arrayBuffer());
}

let saes: { modelId: string; layers: Map<number, Promise<Sae>> } | null = null;

/** The model's SAEs, fetched from its folder's sae/ on first use (a Coax model's; others have none). */
export function saeSource(model: TransformersModel | null): SaeSource {
  if (!model) throw new Error('no model loaded');
  const id = model.id;
  if (saes?.modelId !== id) saes = { modelId: id, layers: new Map() };
  const cache = saes;
  return (layer) => {
    let p = cache.layers.get(layer);
    if (!p) {
      p = fetchSae(id, layer);
      cache.layers.set(layer, p);
    }
    return p;
  };
}

/** SAE activations at each position of a trace that chose a token, read as its method saw the model. */
export async function traceActs(
  model: TransformersModel | null,
  sae: Sae,
  t: TraceRef,
  layer: number,
): Promise<Float32Array[]> {
  if (!model) throw new Error('no model loaded');
  const read = modelAsSteered(model, t.steer?.steer, t.steer?.direction);
  const rows = await traceResiduals(read, model.encode(t.prompt), t.ids, layer);
  return rows.map((x) => encodeSae(sae, x));
}
