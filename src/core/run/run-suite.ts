import { throwIfCancelled, type CancelSignal } from '../decode/cancel.ts';
import type { LanguageModel } from '../decode/language-model.ts';
import { batchesFor, executeMethod, steerDirection, type SaeSource } from '../methods/execute.ts';
import { PrefixCache } from '../decode/prefix-cache.ts';
import type { MethodSpec } from '../methods/method.ts';
import type { Suite } from '../tasks/suite.ts';
import type { ItemResult, MethodOutput, RunResults, SuiteResults } from './results.ts';

export interface RunProgress {
  /** Item × method outputs finished so far, and in all (over every suite). */
  done: number;
  total: number;
  suiteName: string;
  methodId: string;
}

export interface RunOptions {
  modelId: string;
  seed: number;
  /** Items decoded together in one batch (single-path methods). */
  batchSize: number;
  signal?: CancelSignal;
  /** See DecodeOptions.yieldToHost. */
  yieldToHost?: () => Promise<void>;
  now?: () => number;
  onProgress?: (p: RunProgress) => void;
  /**
   * 'none' drops the token traces of the paths of a method with several paths (their text, answer and verdict stay,
   * and the chosen path keeps its trace as the output's own): a run of 256 samples per item then stays small.
   */
  pathTokens?: 'all' | 'none';
  /** Called as each item × method output is finished, so nothing computed is lost if the run stops. */
  onOutput?: (suiteName: string, itemIndex: number, methodId: string, output: MethodOutput) => void;
  /** The model's SAEs, for methods that steer by an SAE feature. */
  sae?: SaeSource;
}

export function emptyItems(suite: Suite): ItemResult[] {
  return suite.items.map((it) => ({
    itemId: it.id,
    question: it.question,
    answer: it.answer,
    tags: it.tags ?? {},
    outputs: {},
  }));
}

/** Run every method on every item of every suite. The same configuration and seed give the same results. */
export async function runSuites<C>(
  model: LanguageModel<C>,
  suites: readonly Suite[],
  methods: readonly MethodSpec[],
  options: RunOptions,
): Promise<RunResults> {
  if (!(Number.isInteger(options.batchSize) && options.batchSize >= 1))
    throw new Error(`batch size must be a whole number >= 1, got ${options.batchSize}`);
  const ids = new Set<string>();
  for (const m of methods) {
    if (ids.has(m.id)) throw new Error(`two methods share the id "${m.id}"`);
    ids.add(m.id);
  }
  const names = new Set<string>();
  for (const s of suites) {
    if (names.has(s.name))
      throw new Error(`two suites share the name "${s.name}"; their outputs would overwrite each other (rename one)`);
    names.add(s.name);
  }
  const total = suites.reduce((n, s) => n + s.items.length, 0) * methods.length;
  let done = 0;
  const results: SuiteResults[] = [];
  // One prefix cache for the whole run: the few-shot block of a suite is prefilled once, not once per batch.
  const prefixCache = new PrefixCache<C>(model);
  try {
    for (const suite of suites) {
      const items = emptyItems(suite);
      const entry: SuiteResults = { suiteName: suite.name, relation: suite.relation, split: suite.split, items };
      results.push(entry);
      const index = new Map(suite.items.map((it, i) => [it.id, i]));
      for (const method of methods) {
        if (method.steer)
          (entry.steering ??= {})[method.id] = await steerDirection(model, method.steer, suite, options.sae);
        for (const batch of batchesFor(method, suite.items, options.batchSize)) {
          throwIfCancelled(options.signal);
          const outputs = await executeMethod(model, method, batch, suite, {
            ...options,
            prefixCache: prefixCache as PrefixCache<unknown>,
          });
          outputs.forEach((output, j) => {
            if (options.pathTokens === 'none' && output.paths)
              output.paths = output.paths.map((p) => ({ ...p, tokens: [] }));
            const i = index.get(batch[j]!.id)!;
            items[i]!.outputs[method.id] = output;
            options.onOutput?.(suite.name, i, method.id, output);
          });
          done += batch.length;
          options.onProgress?.({ done, total, suiteName: suite.name, methodId: method.id });
        }
      }
    }
  } finally {
    prefixCache.dispose();
  }
  return { version: 1, modelId: options.modelId, seed: options.seed, methods: methods.slice(), suites: results };
}
