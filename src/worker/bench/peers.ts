import { Tensor } from '@huggingface/transformers';
import type { TransformersModel } from '../../adapters/model/transformers-model.ts';
import { int64Rows } from '../../adapters/model/tensor-rows.ts';

/** What a user would otherwise write: transformers.js generate(), and the bare runtime loop. */

/** Equal-length rows of token ids (or mask values) as an int64 tensor, as generate() takes them. */
export function int64(rows: readonly (readonly number[])[]): Tensor {
  const { data, dims } = int64Rows(rows);
  return new Tensor('int64', data, dims);
}

/** Up to and including the first end-of-sequence token: where both our loop and generate() stop a row. */
export function untilEos(ids: number[], eos: readonly number[]): number[] {
  const at = ids.findIndex((id) => eos.includes(id));
  return at < 0 ? ids : ids.slice(0, at + 1);
}

/**
 * Zero steering for a Coax --hidden-io graph (its `steering` input is required; zeros give the stock logits), as
 * generate() and the bare loop must feed it too; nothing for stock graphs.
 */
function zeroSteering(model: TransformersModel): Record<string, Tensor> {
  const io = model.hiddenIo;
  return io ? { steering: new Tensor('float32', new Float32Array(io.layers * io.width), [io.layers, io.width]) } : {};
}

/** Runs one peer call (a whole generate(), a whole bare loop) given the tokens it feeds; by default just runs it. */
export type PeerCall = <T>(work: number, fn: () => Promise<T>) => Promise<T>;
let aroundPeer: PeerCall = (_work, fn) => fn();

/**
 * In the page's worker a peer call must count as a runtime call for the heartbeat: generate() and the bare loop await
 * the runtime step after step without a turn of the event loop, so no beat goes out for the whole call, and 16
 * generate() calls on the 4-shot prompt of a 135M model kept the worker silent past the page's 30 s (it was killed).
 */
export function markPeerCalls(around: PeerCall): void {
  aroundPeer = around;
}

/** One generate() call on one prompt: its new tokens up to and including EOS. */
export function generateOnce(
  model: TransformersModel,
  prompt: number[],
  maxNewTokens: number,
  sample: { temperature: number } | null,
): Promise<number[]> {
  return aroundPeer(prompt.length + maxNewTokens, () => generateDirect(model, prompt, maxNewTokens, sample));
}

async function generateDirect(
  model: TransformersModel,
  prompt: number[],
  maxNewTokens: number,
  sample: { temperature: number } | null,
): Promise<number[]> {
  const steering = zeroSteering(model);
  if ('steering' in steering) {
    // generate() keeps only the kwargs named in forward_params (transformers.js `_prepare_model_inputs`)
    const m = model.model as unknown as { forward_params: string[] };
    if (!m.forward_params.includes('steering')) m.forward_params = [...m.forward_params, 'steering'];
  }
  const out = (await model.model.generate({
    input_ids: int64([prompt]),
    attention_mask: int64([prompt.map(() => 1)]),
    max_new_tokens: maxNewTokens,
    do_sample: sample !== null,
    ...(sample ? { temperature: sample.temperature, top_k: 0 } : {}),
    ...steering,
  } as Parameters<TransformersModel['model']['generate']>[0])) as Tensor;
  return untilEos((out.tolist() as bigint[][])[0]!.slice(prompt.length).map(Number), model.eosTokenIds);
}

interface OrtTensorLike {
  dims: readonly number[];
  data: unknown;
}
interface OrtSessionLike {
  inputNames: readonly string[];
  inputMetadata: readonly { name: string; shape?: readonly (number | string)[] }[];
  run(feeds: Record<string, unknown>): Promise<Record<string, OrtTensorLike>>;
}

/**
 * The runtime's limit: a greedy loop calling the ONNX Runtime session directly with the KV cache, no
 * processors, no traces, no batching logic. `steps` tokens after the prompt, batch 1.
 */
export function bareSessionLoop(model: TransformersModel, prompt: number[], steps: number): Promise<number[]> {
  return aroundPeer(prompt.length + steps, () => bareLoop(model, prompt, steps));
}

async function bareLoop(model: TransformersModel, prompt: number[], steps: number): Promise<number[]> {
  const session = (model.model as unknown as { sessions: Record<string, OrtSessionLike> }).sessions['model']!;
  const ort = (t: Tensor) => (t as unknown as { ort_tensor: unknown }).ort_tensor;
  const pastNames = session.inputNames.filter((n) => n.startsWith('past_key_values.'));
  let past: Record<string, unknown> = {};
  for (const name of pastNames) {
    const meta = session.inputMetadata.find((m) => m.name === name);
    const shape = (meta?.shape ?? []).map((d, i) => (i === 0 ? 1 : typeof d === 'number' ? d : 0));
    past[name] = ort(new Tensor('float32', new Float32Array(0), shape));
  }
  const keep = session.inputNames.includes('num_logits_to_keep')
    ? { num_logits_to_keep: ort(new Tensor('int64', new BigInt64Array([1n]), [])) }
    : {};
  const steer = Object.fromEntries(Object.entries(zeroSteering(model)).map(([k, t]) => [k, ort(t)]));
  const out: number[] = [];
  let input = prompt;
  let total = 0;
  for (let s = 0; s < steps; s++) {
    const feeds: Record<string, unknown> = {
      input_ids: ort(int64([input])),
      attention_mask: ort(int64([new Array<number>(total + input.length).fill(1)])),
      position_ids: ort(int64([input.map((_, i) => total + i)])),
      ...past,
      ...keep,
      ...steer,
    };
    const res = await session.run(feeds);
    const logits = res['logits']!;
    const V = logits.dims[logits.dims.length - 1]!;
    const data = logits.data as Float32Array;
    const last = data.subarray(data.length - V);
    let best = 0;
    for (let i = 1; i < V; i++) if (last[i]! > last[best]!) best = i;
    out.push(best);
    total += input.length;
    input = [best];
    past = {};
    for (const [name, t] of Object.entries(res))
      if (name.startsWith('present')) past[name.replace('present', 'past_key_values')] = t;
  }
  return out;
}
