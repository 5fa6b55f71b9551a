import { leftPadBatch } from '../decode/padding.ts';
import type { LanguageModel } from '../decode/language-model.ts';
import { PLAIN_PROMPT, buildPrompt, type PromptSpec } from '../methods/prompt.ts';
import type { Suite } from '../tasks/suite.ts';
import { requireHiddenIo, type CaaPairs } from './steer.ts';

/** One contrast pair: the prompt of the kind to steer towards, and the one to steer away from. */
export interface CaaPair {
  positive: string;
  negative: string;
}

/** A CAA vector as data, stored with the run: per layer the mean positive − negative last-position residual. */
export interface CaaVectors {
  pairs: CaaPairs;
  suiteName: string;
  /** How many pairs were averaged. */
  count: number;
  /** layers × width, row-major: vectors[l] is layer l's direction (not normalised). */
  vectors: number[][];
}

const SHOTS = 4;

/**
 * The contrast pairs of a suite, built from its exemplar pool only (never its test items). 'shots': for each
 * exemplar, the plain prompt of its question after SHOTS other exemplars worked vs direct; 'trigger': the plain
 * prompt of its question followed by the suite's trigger phrase vs without.
 */
export function caaPairs(suite: Suite, pairs: CaaPairs): CaaPair[] {
  const pool = suite.exemplars;
  if (pool.length === 0) throw new Error(`suite "${suite.name}" has no exemplars to build steering pairs from`);
  if (pairs === 'trigger') {
    if (!suite.trigger) throw new Error(`suite "${suite.name}" has no trigger phrase for 'trigger' pairs`);
    const withTrigger: PromptSpec = { ...PLAIN_PROMPT, triggerSource: 'suite' };
    return pool.map((ex) => ({
      positive: buildPrompt(withTrigger, ex, suite, 0),
      negative: buildPrompt(PLAIN_PROMPT, ex, suite, 0),
    }));
  }
  if (pool.length < 2) throw new Error(`suite "${suite.name}" needs at least 2 exemplars for 'shots' pairs`);
  const k = Math.min(SHOTS, pool.length - 1);
  return pool.map((ex, i) => {
    const others = [...pool.slice(i + 1), ...pool.slice(0, i)].slice(0, k);
    const solved = (form: 'worked' | 'answer') =>
      others.map((o) => `${buildPrompt(PLAIN_PROMPT, o, suite, 0)} ${o[form]}\n\n`).join('');
    const ask = buildPrompt(PLAIN_PROMPT, ex, suite, 0);
    return { positive: solved('worked') + ask, negative: solved('answer') + ask };
  });
}

/** Mean last-position residual (per layer) of each prompt group, one batched forward per group. */
export async function meanLastHidden<C>(model: LanguageModel<C>, prompts: readonly string[]): Promise<Float64Array> {
  const io = requireHiddenIo(model, 'steering vectors');
  const ids = prompts.map((p) => model.encode(p));
  const batch = leftPadBatch(ids, model.padTokenId);
  const out = await model.forward(
    { inputIds: batch.ids, attentionMask: batch.mask, positionIds: batch.positions },
    null,
  );
  model.release(out.cache);
  if (!out.hidden) throw new Error('the model returned no hidden states');
  const n = io.layers * io.width;
  const mean = new Float64Array(n);
  for (let b = 0; b < ids.length; b++) for (let i = 0; i < n; i++) mean[i]! += out.hidden[b * n + i]! / ids.length;
  return mean;
}

/** CAA vectors of every layer for a suite: mean(positive) − mean(negative) over its exemplar pairs. */
export async function computeCaa<C>(model: LanguageModel<C>, suite: Suite, pairs: CaaPairs): Promise<CaaVectors> {
  const io = requireHiddenIo(model, 'steering vectors');
  const list = caaPairs(suite, pairs);
  const pos = await meanLastHidden(
    model,
    list.map((p) => p.positive),
  );
  const neg = await meanLastHidden(
    model,
    list.map((p) => p.negative),
  );
  const vectors = Array.from({ length: io.layers }, (_, l) =>
    Array.from({ length: io.width }, (_, i) => pos[l * io.width + i]! - neg[l * io.width + i]!),
  );
  return { pairs, suiteName: suite.name, count: list.length, vectors };
}
