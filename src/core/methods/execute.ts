import type { CancelSignal } from '../decode/cancel.ts';
import { decodeGroups, decodePrompts, type DecodeOptions } from '../decode/decode-loop.ts';
import type { PrefixCache } from '../decode/prefix-cache.ts';
import type { WaveTuner } from '../decode/wave-tuner.ts';
import type { LanguageModel } from '../decode/language-model.ts';
import type { RowResult } from '../decode/trace.ts';
import { GREEDY } from '../logits/sampler.ts';
import { passAtK, majAtKCurve } from '../metrics/pass-at-k.ts';
import { createRng, deriveSeed } from '../rng.ts';
import { extractAnswer, isCorrect, referenceValue } from '../tasks/extract.ts';
import type { Suite, TaskItem } from '../tasks/suite.ts';
import type { MethodOutput, PathOutput } from '../run/results.ts';
import { choosePath, tally } from './aggregate.ts';
import { answerConfidence, answerProbability, methodProbability } from './confidence.ts';
import { ContrastModel } from './contrast-model.ts';
import { pathsPerItem, type MethodSpec } from './method.ts';
import { buildPrompt } from './prompt.ts';
import { computeCaa, type CaaVectors } from '../steer/caa.ts';
import { featureDirection, type Sae } from '../steer/sae.ts';
import { SteeredModel } from '../steer/steered-model.ts';
import { requireHiddenIo, steeringInput, type SteerSpec } from '../steer/steer.ts';

export interface ExecuteOptions {
  seed: number;
  signal?: CancelSignal;
  yieldToHost?: () => Promise<void>;
  /** Clock for per-item timings (the core has none of its own). */
  now?: () => number;
  /** Shared-prefix KV cache reused across batches (few-shot exemplars). */
  prefixCache?: PrefixCache<unknown>;
  /** Wave sizes learned from this run's step times (multi-path methods). */
  waveTuner?: WaveTuner;
  /** The model's SAE of a layer (methods that steer by an SAE feature need it). */
  sae?: SaeSource;
}

/** Where a run finds the SAE of a layer: the model folder's sae/layer<L>.json and .bin, loaded once. */
export type SaeSource = (layer: number) => Promise<Sae>;

/** Rows one multi-path batch may hold (items × paths); single-path batches hold `batchSize` items. */
export const MAX_BATCH_ROWS = 64;

function toPath(row: RowResult, suite: Suite, answer: string): PathOutput {
  const extracted = extractAnswer(suite.extractor, row.text);
  const declared = new Set(suite.formatTokens ?? []);
  const tokens =
    declared.size === 0
      ? row.tokens
      : row.tokens.map((t) => (declared.has(t.text.trim()) ? { ...t, format: true as const } : t));
  return {
    text: row.text,
    tokens,
    stopReason: row.stopReason,
    extracted,
    correct: isCorrect(extracted, answer, suite.extractor),
    delta: answerConfidence(row.tokens, extracted),
    answerProb: answerProbability(row.tokens, extracted),
  };
}

/** Items that share one batch under this method: `batchSize` items, and at most MAX_BATCH_ROWS rows for multi-path methods. */
export function batchesFor(method: MethodSpec, items: readonly TaskItem[], batchSize: number): TaskItem[][] {
  const paths = pathsPerItem(method.decoding);
  const size =
    method.decoding.kind === 'contrast'
      ? batchSize
      : Math.max(1, Math.min(batchSize, Math.floor(MAX_BATCH_ROWS / paths)));
  const out: TaskItem[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Why a prompt of `promptTokens` cannot run with `maxNewTokens` more in a context of `contextLength`, or null. */
export function contextProblem(promptTokens: number, maxNewTokens: number, contextLength: number): string | null {
  return promptTokens + maxNewTokens > contextLength
    ? `the prompt is ${promptTokens} tokens; with ${maxNewTokens} new tokens that exceeds the model's context of ${contextLength} tokens`
    : null;
}

/** The output of an item that could not run: no text, not correct, and the reason. */
function failedOutput(method: MethodSpec, prompt: string, promptTokens: number, error: string): MethodOutput {
  const d = method.decoding;
  const n = d.kind === 'sample' ? d.n : d.kind === 'cot-decoding' ? d.k : 1;
  const path: PathOutput = {
    text: '',
    tokens: [],
    stopReason: 'too-long',
    extracted: null,
    correct: false,
    delta: null,
    answerProb: null,
  };
  return {
    ...path,
    ...methodProbability(d, path, [], n),
    prompt,
    promptTokens,
    generatedTokens: 0,
    ms: 0,
    error,
    ...(d.kind === 'sample' || d.kind === 'cot-decoding' ? { paths: [path], chosen: 0, votes: [] } : {}),
    ...(d.kind === 'sample' ? { passAtK: new Array<number>(n).fill(0), majAtK: new Array<number>(n).fill(0) } : {}),
  };
}

// CAA vectors per model, suite and pair kind: computed once (two forward passes over the exemplar pool).
const caaCache = new WeakMap<object, Map<string, Promise<CaaVectors>>>();

/** The CAA vectors of a suite for a model (cached per model instance). */
export function caaFor<C>(model: LanguageModel<C>, suite: Suite, pairs: SteerSpec['pairs']): Promise<CaaVectors> {
  let byKey = caaCache.get(model);
  if (!byKey) caaCache.set(model, (byKey = new Map()));
  const key = `${suite.name}\u0000${pairs ?? 'shots'}\u0000${suite.exemplars.map((e) => e.question).join('\u0001')}`;
  let v = byKey.get(key);
  if (!v) {
    v = computeCaa(model, suite, pairs ?? 'shots');
    v.catch(() => byKey.delete(key));
    byKey.set(key, v);
  }
  return v;
}

/**
 * The direction (before `scale`) a steer spec adds on a suite: the given numbers, the suite's CAA vector at the
 * layer, or the SAE feature's decoder direction. A run stores it, so the run file reproduces without recomputing.
 */
export async function steerDirection<C>(
  model: LanguageModel<C>,
  steer: SteerSpec,
  suite: Suite,
  sae?: SaeSource,
): Promise<number[]> {
  const io = requireHiddenIo(model);
  if (!(Number.isInteger(steer.layer) && steer.layer >= 0 && steer.layer < io.layers))
    throw new Error(`steering layer ${steer.layer} is outside the model's ${io.layers} layers`);
  if (steer.feature !== undefined) {
    if (steer.vector !== undefined) throw new Error('steer takes "vector" or "feature", not both');
    if (!sae) throw new Error(`steering by SAE feature ${steer.feature} needs the model's SAE (sae/ in its folder)`);
    const s = await sae(steer.layer);
    if (s.meta.layer !== steer.layer)
      throw new Error(`the SAE given for layer ${steer.layer} reads layer ${s.meta.layer}`);
    if (s.meta.width !== io.width)
      throw new Error(`the SAE reads ${s.meta.width} values, the model's residual has ${io.width}`);
    return featureDirection(s, steer.feature);
  }
  if (steer.vector === undefined) throw new Error('steer needs "vector" or "feature"');
  if (steer.vector === 'caa') return (await caaFor(model, suite, steer.pairs)).vectors[steer.layer]!;
  return steer.vector;
}

/** A steer spec with its direction pinned to numbers (what a run stores for a 'caa' or feature spec). */
export function pinSteer(steer: SteerSpec, direction: readonly number[]): SteerSpec {
  const { feature: _feature, pairs: _pairs, ...rest } = steer;
  return { ...rest, vector: [...direction] };
}

/** The model a steered method decodes with: every forward pass carries the spec's steering input. */
export async function steeredModel<C>(
  model: LanguageModel<C>,
  steer: SteerSpec,
  suite: Suite,
  sae?: SaeSource,
): Promise<SteeredModel<C>> {
  const io = requireHiddenIo(model);
  const direction = await steerDirection(model, steer, suite, sae);
  return new SteeredModel(model, steeringInput(io, steer.layer, direction, steer.scale), steer.positions);
}

/**
 * Run one method on a batch of items (see `batchesFor`); one output per item, in order. An item whose prompt and
 * new tokens do not fit the model's context fails alone, before any forward pass, and the others run.
 */
export async function executeMethod<C>(
  base: LanguageModel<C>,
  method: MethodSpec,
  items: readonly TaskItem[],
  suite: Suite,
  options: ExecuteOptions,
): Promise<MethodOutput[]> {
  const limit = base.contextLength;
  if (limit) {
    const problems = items.map((item) => {
      const prompt = buildPrompt(method.prompt, item, suite, options.seed);
      const length = base.encode(prompt).length;
      const weak =
        method.decoding.kind === 'contrast'
          ? base.encode(buildPrompt(method.decoding.weak, item, suite, options.seed)).length
          : 0;
      const problem = contextProblem(Math.max(length, weak), method.maxNewTokens, limit);
      return problem === null ? null : failedOutput(method, prompt, length, problem);
    });
    if (problems.some((p) => p !== null)) {
      const fit = items.filter((_, j) => problems[j] === null);
      const ran = fit.length ? await executeMethod(base, method, fit, suite, options) : [];
      let k = 0;
      return problems.map((p) => p ?? ran[k++]!);
    }
  }
  const model: LanguageModel<C> = method.steer ? await steeredModel(base, method.steer, suite, options.sae) : base;
  const now = options.now ?? (() => 0);
  const started = now();
  const prompts = items.map((item) => buildPrompt(method.prompt, item, suite, options.seed));
  const ids = prompts.map((p) => model.encode(p));
  const rngFor = (item: TaskItem, path: number) =>
    createRng(deriveSeed(options.seed, suite.name, item.id, method.id, path));
  const common: Omit<DecodeOptions, 'sampler' | 'rngs'> = {
    maxNewTokens: method.maxNewTokens,
    stopStrings: method.stopStrings,
    signal: options.signal,
    yieldToHost: options.yieldToHost,
    // A shared prefix cache holds the unsteered model's cache.
    prefixCache: method.steer ? undefined : options.prefixCache,
    waveTuner: options.waveTuner,
  };
  const single = (rows: RowResult[]) =>
    rows.map((row, j): MethodOutput => {
      const path = toPath(row, suite, items[j]!.answer);
      return {
        ...path,
        ...methodProbability(method.decoding, path),
        prompt: prompts[j]!,
        promptTokens: ids[j]!.length,
        generatedTokens: row.tokens.length,
        ms: (now() - started) / rows.length,
      };
    });

  const d = method.decoding;
  switch (d.kind) {
    case 'greedy': {
      const { rows } = await decodePrompts(model, ids, {
        ...common,
        sampler: GREEDY,
        rngs: items.map((it) => rngFor(it, 0)),
      });
      return single(rows);
    }
    case 'contrast': {
      const weak = items.map((item) => model.encode(buildPrompt(d.weak, item, suite, options.seed)));
      const contrast = new ContrastModel(model, weak, d.beta, d.alpha);
      const { rows } = await decodePrompts(contrast, ids, {
        ...common,
        // The prefix cache holds the plain model's cache; a contrast batch's cache pairs strong and weak rows.
        prefixCache: undefined,
        sampler: GREEDY,
        rngs: items.map((it) => rngFor(it, 0)),
      });
      return single(rows);
    }
    case 'sample':
    case 'cot-decoding': {
      const n = d.kind === 'sample' ? d.n : d.k;
      if (!(Number.isInteger(n) && n >= 1)) throw new Error(`${d.kind} needs a whole number of paths >= 1, got ${n}`);
      // All paths of all items in one batch: each prompt prefilled once, its cache expanded to n rows.
      const rngs = items.flatMap((item) => Array.from({ length: n }, (_, i) => rngFor(item, i)));
      const { rows } =
        d.kind === 'sample'
          ? await decodeGroups(model, ids, n, { ...common, sampler: { chain: d.chain, select: 'sample' }, rngs })
          : await decodeGroups(model, ids, n, { ...common, sampler: GREEDY, rngs, forcedFirst: 'top-n' });
      const elapsed = (now() - started) / items.length;
      return items.map((item, j) => {
        const mine = rows.slice(j * n, (j + 1) * n);
        const paths = mine.map((row) => toPath(row, suite, item.answer));
        const ballots = paths.map((p) => ({ answer: p.extracted?.value ?? null, delta: p.delta }));
        const chosen = choosePath(ballots, d.aggregate) ?? 0;
        const votes = tally(ballots);
        const output: MethodOutput = {
          ...paths[chosen]!,
          ...methodProbability(d, paths[chosen]!, votes, n),
          prompt: prompts[j]!,
          promptTokens: ids[j]!.length,
          generatedTokens: mine.reduce((s, r) => s + r.tokens.length, 0),
          ms: elapsed,
          paths,
          chosen,
          votes,
        };
        if (d.kind === 'sample' && item.answer !== '') {
          const c = paths.filter((p) => p.correct).length;
          output.passAtK = Array.from({ length: n }, (_, k) => passAtK(n, c, k + 1));
          const reference = referenceValue(suite.extractor, item.answer);
          const maj = majAtKCurve(
            ballots.map((b) => b.answer),
            (a) => a === reference,
            createRng(deriveSeed(options.seed, suite.name, item.id, method.id, 'maj@k')),
          );
          output.majAtK = maj.values;
          if (maj.errors) output.majAtKError = maj.errors;
        }
        return output;
      });
    }
  }
}
