import { leftPadBatch } from '../decode/padding.ts';
import type { LanguageModel } from '../decode/language-model.ts';
import { logSoftmax, topKIndices } from '../logits/distribution.ts';
import { requireHiddenIo } from './steer.ts';

export interface LensToken {
  id: number;
  text: string;
  p: number;
}

/** The logit lens at one position: for each layer (0 = first block), its top tokens. */
export interface LensGrid {
  layers: LensToken[][];
}

/**
 * What each layer would predict after `ids` (the next token), read through the final norm and the LM head at the
 * last position: one forward pass of the whole context (optionally steered).
 */
export async function logitLens<C>(
  model: LanguageModel<C>,
  ids: readonly number[],
  options: { top?: number; steering?: Float32Array } = {},
): Promise<LensGrid> {
  const io = requireHiddenIo(model, 'the logit lens');
  if (!io.lens)
    throw new Error('the logit lens needs an export with lens outputs (`training/export.py --hidden-io --lens`)');
  const batch = leftPadBatch([ids], model.padTokenId);
  const out = await model.forward(
    { inputIds: batch.ids, attentionMask: batch.mask, positionIds: batch.positions },
    null,
    { steering: options.steering },
  );
  model.release(out.cache);
  if (!out.lensLogits) throw new Error('the model returned no lens logits');
  return gridOf(model, out.lensLogits, io.layers, options.top ?? 5);
}

/** The first layer whose top-1 lens token is `token` and stays top-1 in every later layer (null: never). */
export function settleLayer(grid: LensGrid, token: number): number | null {
  let first: number | null = null;
  grid.layers.forEach((tops, l) => {
    if (tops[0]?.id === token) first ??= l;
    else first = null;
  });
  return first;
}

/**
 * The logit lens after `promptIds` + `ids` read the way decoding reached that point: the prompt in one forward pass,
 * then each token of `ids` as its own cached step. Through a SteeredModel this applies the steering exactly where
 * the method did ('last': the prompt's last token only; 'answer': from there on), which one forward pass over the
 * whole context cannot.
 */
export async function logitLensAfter<C>(
  model: LanguageModel<C>,
  promptIds: readonly number[],
  ids: readonly number[],
  top = 5,
): Promise<LensGrid> {
  const io = requireHiddenIo(model, 'the logit lens');
  if (!io.lens)
    throw new Error('the logit lens needs an export with lens outputs (`training/export.py --hidden-io --lens`)');
  const batch = leftPadBatch([promptIds], model.padTokenId);
  let out = await model.forward({ inputIds: batch.ids, attentionMask: batch.mask, positionIds: batch.positions }, null);
  let length = promptIds.length;
  try {
    for (const id of ids) {
      const next = await model.forward(
        { inputIds: [[id]], attentionMask: [new Array<number>(length + 1).fill(1)], positionIds: [[length]] },
        out.cache,
      );
      model.release(out.cache);
      out = next;
      length++;
    }
  } finally {
    model.release(out.cache);
  }
  if (!out.lensLogits) throw new Error('the model returned no lens logits');
  return gridOf(model, out.lensLogits, io.layers, top);
}

function gridOf<C>(model: LanguageModel<C>, lensLogits: Float32Array, layers: number, top: number): LensGrid {
  const V = model.vocabSize;
  return {
    layers: Array.from({ length: layers }, (_, l) => {
      const row = lensLogits.subarray(l * V, (l + 1) * V);
      const lp = logSoftmax(row);
      return topKIndices(row, top).map((id) => ({ id, text: model.decode([id]), p: Math.exp(lp[id]!) }));
    }),
  };
}
