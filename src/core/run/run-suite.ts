import { throwIfCancelled, type CancelSignal } from '../decode/cancel.ts';
import type { LanguageModel } from '../decode/language-model.ts';
import { batchesFor, executeMethod, steerDirection, type SaeSource } from '../methods/execute.ts';
import { PrefixCache } from '../decode/prefix-cache.ts';
import { WaveTuner } from '../decode/wave-tuner.ts';
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

/** The results skeleton of a run: every suite and item, no outputs yet (the one place it is built). */
export function emptyResults(suites: readonly Suite[]): SuiteResults[] {
  return suites.map((s) => ({ suiteName: s.name, relation: s.relation, split: s.split, items: emptyItems(s) }));
}

/** The key of one output of a run (its suite, item and method), for sets of outputs already stored. */
export function outputKey(suiteName: string, itemIndex: number, methodId: string): string {
  return JSON.stringify([suiteName, itemIndex, methodId]);
}

/** The keys (`outputKey`) of the outputs a run's results hold. */
export function storedOutputKeys(suites: readonly SuiteResults[]): ReadonlySet<string> {
  const keys = new Set<string>();
  for (const s of suites)
    s.items.forEach((item, i) => Object.keys(item.outputs).forEach((m) => keys.add(outputKey(s.suiteName, i, m))));
  return keys;
}

/**
 * Whether `suites` hold the items a stored run's header lists, suite by suite and item by item (a run resumes only on
 * the items it started with).
 */
export function sameItems(
  suites: readonly Suite[],
  stored: readonly { suiteName: string; items: readonly { itemId: string }[] }[],
): boolean {
  return (
    suites.length === stored.length &&
    suites.every(
      (s, i) =>
        s.name === stored[i]!.suiteName &&
        s.items.length === stored[i]!.items.length &&
        s.items.every((it, j) => it.id === stored[i]!.items[j]!.itemId),
    )
  );
}

/**
 * The outputs of `suites` × `methods` that `stored` already holds, as `outputKey`s with each method's own id (what a
 * resumed run skips); `column` names a method's column in the stored run (a run over several models prefixes it).
 */
export function storedOutputs(
  suites: readonly Suite[],
  methods: readonly MethodSpec[],
  stored: ReadonlySet<string>,
  column: (methodId: string) => string = (id) => id,
): string[] {
  const done: string[] = [];
  for (const s of suites)
    s.items.forEach((_, i) =>
      methods.forEach((m) => {
        if (stored.has(outputKey(s.name, i, column(m.id)))) done.push(outputKey(s.name, i, m.id));
      }),
    );
  return done;
}

/** What a streamed run did: outputs produced now, and outputs skipped because they were already there. */
export interface RunSummary {
  outputs: number;
  skipped: number;
}

export interface StreamOptions extends Omit<RunOptions, 'modelId'> {
  /**
   * Outputs that already exist (a run resumed after its worker died): a batch whose outputs all exist is not run; a
   * batch with some is run whole (the same batches as an uninterrupted run, so the same numbers) and only the missing
   * outputs are emitted. Every path's seed depends on (seed, suite, item, method, path) only, so the outputs equal
   * those of an uninterrupted run.
   */
  skip?: (suiteName: string, itemIndex: number, methodId: string) => boolean;
  /** Told each steered method's direction per suite (SuiteResults.steering); computed only when someone listens. */
  onSteering?: (suiteName: string, methodId: string, direction: number[]) => void;
}

function checkRun(suites: readonly Suite[], methods: readonly MethodSpec[], batchSize: number): void {
  if (!(Number.isInteger(batchSize) && batchSize >= 1))
    throw new Error(`batch size must be a whole number >= 1, got ${batchSize}`);
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
}

/**
 * Run every method on every item of every suite, handing each output to `onOutput` as it is finished and keeping
 * none: whoever listens owns the results (the page's run store, or `runSuites`). The same configuration and seed
 * give the same outputs.
 */
export async function streamSuites<C>(
  model: LanguageModel<C>,
  suites: readonly Suite[],
  methods: readonly MethodSpec[],
  options: StreamOptions,
): Promise<RunSummary> {
  checkRun(suites, methods, options.batchSize);
  const total = suites.reduce((n, s) => n + s.items.length, 0) * methods.length;
  const summary: RunSummary = { outputs: 0, skipped: 0 };
  let done = 0;
  // One prefix cache for the whole run: the few-shot block of a suite is prefilled once, not once per batch.
  const prefixCache = new PrefixCache<C>(model);
  // Learns, over the run's items, whether waves below the memory budget decode faster (needs the run's clock).
  const waveTuner = options.now ? new WaveTuner(options.now) : undefined;
  try {
    for (const suite of suites) {
      const index = new Map(suite.items.map((it, i) => [it.id, i]));
      for (const method of methods) {
        if (method.steer && options.onSteering)
          options.onSteering(suite.name, method.id, await steerDirection(model, method.steer, suite, options.sae));
        for (const batch of batchesFor(method, suite.items, options.batchSize)) {
          throwIfCancelled(options.signal);
          const at = batch.map((it) => index.get(it.id)!);
          const skipped = at.map((i) => options.skip?.(suite.name, i, method.id) ?? false);
          if (skipped.every(Boolean)) {
            summary.skipped += batch.length;
          } else {
            const outputs = await executeMethod(model, method, batch, suite, {
              ...options,
              prefixCache: prefixCache as PrefixCache<unknown>,
              waveTuner,
            });
            outputs.forEach((output, j) => {
              if (skipped[j]) {
                summary.skipped++;
                return;
              }
              if (options.pathTokens === 'none' && output.paths)
                output.paths = output.paths.map((p) => ({ ...p, tokens: [] }));
              summary.outputs++;
              options.onOutput?.(suite.name, at[j]!, method.id, output);
            });
          }
          done += batch.length;
          options.onProgress?.({ done, total, suiteName: suite.name, methodId: method.id });
        }
      }
    }
  } finally {
    prefixCache.dispose();
  }
  return summary;
}

/** Run every method on every item of every suite and keep the results. The same configuration and seed give the same results. */
export async function runSuites<C>(
  model: LanguageModel<C>,
  suites: readonly Suite[],
  methods: readonly MethodSpec[],
  options: RunOptions,
): Promise<RunResults> {
  checkRun(suites, methods, options.batchSize);
  const results = emptyResults(suites);
  const bySuite = new Map(results.map((s) => [s.suiteName, s]));
  await streamSuites(model, suites, methods, {
    ...options,
    onSteering: (suiteName, methodId, direction) => {
      const entry = bySuite.get(suiteName)!;
      (entry.steering ??= {})[methodId] = direction;
    },
    onOutput: (suiteName, i, methodId, output) => {
      bySuite.get(suiteName)!.items[i]!.outputs[methodId] = output;
      options.onOutput?.(suiteName, i, methodId, output);
    },
  });
  return { version: 1, modelId: options.modelId, seed: options.seed, methods: methods.slice(), suites: results };
}
