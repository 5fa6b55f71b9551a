import type { HiddenIo, LanguageModel } from '../decode/language-model.ts';

/** Why steering and the logit lens are off for a model (shown in the page and thrown by the CLI). */
export const NO_HIDDEN_IO =
  'needs a Coax export with hidden-state inputs/outputs; `training/export.py --hidden-io` converts a Llama or GPT-2 PyTorch checkpoint';

/**
 * Activation steering as part of a method: a direction added to the residual stream after block `layer`, times
 * `scale`, at every position of prompt and answer. `vector: 'caa'` is contrastive activation addition computed on
 * the suite's exemplar pool (see caa.ts; never its test items); a number array is an explicit direction;
 * `feature: j` (instead of `vector`) is SAE feature j's decoder direction at `layer` (see sae.ts: the model
 * folder's sae/layer<L>.json), times the SAE's mean residual norm.
 */
export interface SteerSpec {
  /** 0-based transformer block; the vector is added to that block's output. */
  layer: number;
  /** Multiplies the vector as given: for CAA the mean difference, so 1 moves a residual by one mean gap. */
  scale: number;
  /** Exactly one of `vector` and `feature`. */
  vector?: 'caa' | number[];
  /** An SAE feature of `layer`: its decoder row × the SAE's scale is the direction. */
  feature?: number;
  /** With 'caa': which contrast pairs (default 'shots'). */
  pairs?: CaaPairs;
  /**
   * Where the vector is added: 'all' positions (default); 'answer': the prompt's last token and every generated
   * token, so the prompt itself is read unsteered; 'last': the prompt's last token only (the first answer token
   * is chosen steered, the rest of the answer unsteered).
   */
  positions?: SteerPositions;
}

export type SteerPositions = 'all' | 'answer' | 'last';

/**
 * 'shots': worked-exemplar vs direct-exemplar prompts before the same question ("Q: … A:"), so both end on the
 * same token and the difference is the mode the examples set. 'trigger': the question followed by the suite's
 * trigger phrase vs the bare question.
 */
export type CaaPairs = 'shots' | 'trigger';

/** The hidden-state I/O of a model, or an error that says why steering cannot run on it. */
export function requireHiddenIo(model: Pick<LanguageModel, 'hiddenIo'>, what = 'steering'): HiddenIo {
  if (!model.hiddenIo) throw new Error(`${what} ${NO_HIDDEN_IO}`);
  return model.hiddenIo;
}

/** The L × C steering input: `direction` (length C) × scale at `layer`, zero elsewhere. */
export function steeringInput(io: HiddenIo, layer: number, direction: ArrayLike<number>, scale: number): Float32Array {
  if (!(Number.isInteger(layer) && layer >= 0 && layer < io.layers))
    throw new Error(`steering layer must be a whole number in 0..${io.layers - 1}, got ${layer}`);
  if (direction.length !== io.width)
    throw new Error(`steering vector has ${direction.length} values, the model's residual has ${io.width}`);
  if (!Number.isFinite(scale)) throw new Error(`steering scale must be finite, got ${scale}`);
  let zero = true;
  for (let i = 0; i < direction.length; i++) {
    if (!Number.isFinite(direction[i]!)) throw new Error(`steering vector value ${i} is ${direction[i]}`);
    if (direction[i] !== 0) zero = false;
  }
  if (zero) throw new Error('steering vector is zero (the contrast pairs were identical?)');
  const out = new Float32Array(io.layers * io.width);
  for (let i = 0; i < io.width; i++) out[layer * io.width + i] = direction[i]! * scale;
  return out;
}
