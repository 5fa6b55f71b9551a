import { throwIfCancelled, type CancelSignal } from '../decode/cancel.ts';
import { decodePrompts } from '../decode/decode-loop.ts';
import type { LanguageModel } from '../decode/language-model.ts';
import { GREEDY } from '../logits/sampler.ts';
import type { MethodSpec } from '../methods/method.ts';
import { buildPrompt } from '../methods/prompt.ts';
import { createRng, deriveSeed } from '../rng.ts';
import { extractLastInteger } from '../tasks/extract.ts';
import type { Suite } from '../tasks/suite.ts';
import { toMethodOutput, type ItemResult, type MethodOutput, type RunResults } from './results.ts';

export interface RunProgress {
  /** Item × method outputs finished so far, and in all. */
  done: number;
  total: number;
  methodId: string;
}

export interface RunOptions {
  modelId: string;
  seed: number;
  /** Items decoded together in one batch. */
  batchSize: number;
  signal?: CancelSignal;
  /** See DecodeOptions.yieldToHost. */
  yieldToHost?: () => Promise<void>;
  onProgress?: (p: RunProgress) => void;
  /** Called as each item × method output is finished, so nothing computed is lost if the run stops. */
  onOutput?: (itemIndex: number, methodId: string, output: MethodOutput) => void;
}

/** Run every method on every item of a suite; items of one method are decoded in batches. */
export async function runSuite<C>(model: LanguageModel<C>, suite: Suite, methods: readonly MethodSpec[], options: RunOptions): Promise<RunResults> {
  if (!(options.batchSize >= 1)) throw new Error(`batch size must be >= 1, got ${options.batchSize}`);
  const items: ItemResult[] = suite.items.map((it) => ({ itemId: it.id, question: it.question, answer: it.answer, tags: it.tags ?? {}, outputs: {} }));
  const total = suite.items.length * methods.length;
  let done = 0;
  for (const method of methods) {
    for (let start = 0; start < suite.items.length; start += options.batchSize) {
      throwIfCancelled(options.signal);
      const batch = suite.items.slice(start, start + options.batchSize);
      const prompts = batch.map((item) => buildPrompt(method.prompt, item, suite, options.seed));
      const ids = prompts.map((p) => model.encode(p));
      const { rows } = await decodePrompts(model, ids, {
        maxNewTokens: method.maxNewTokens,
        sampler: GREEDY,
        rngs: batch.map((item) => createRng(deriveSeed(options.seed, item.id, method.id))),
        stopStrings: method.stopStrings,
        signal: options.signal,
        yieldToHost: options.yieldToHost,
      });
      rows.forEach((row, j) => {
        const item = batch[j]!;
        const output = toMethodOutput(prompts[j]!, ids[j]!.length, row, extractLastInteger(row.text), item.answer);
        items[start + j]!.outputs[method.id] = output;
        options.onOutput?.(start + j, method.id, output);
      });
      done += batch.length;
      options.onProgress?.({ done, total, methodId: method.id });
    }
  }
  return { version: 1, modelId: options.modelId, suiteName: suite.name, seed: options.seed, methods: methods.slice(), items };
}
