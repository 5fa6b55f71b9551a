import { describe, expect, it } from 'vitest';
import type { ForwardInput } from '../../src/core/decode/language-model.ts';
import { executeMethod } from '../../src/core/methods/execute.ts';
import { findMethod, type MethodSpec } from '../../src/core/methods/method.ts';
import { PLAIN_PROMPT } from '../../src/core/methods/prompt.ts';
import { runSuites } from '../../src/core/run/run-suite.ts';
import type { Suite } from '../../src/core/tasks/suite.ts';
import { FakeModel, type FakeCache, logitsFromProbs } from './fake-model.ts';

const VOCAB = ['<eos>', '<pad>', 'Q', '5', '7'];

/** A fake with a context of `limit` positions that fails loudly if a forward pass goes beyond it. */
class ShortModel extends FakeModel {
  maxPosition = 0;
  constructor(readonly contextLength: number | null) {
    super(VOCAB, (ctx) => logitsFromProbs(ctx.length < 3 ? [0.05, 0, 0.05, 0.1, 0.8] : [0.9, 0, 0.03, 0.03, 0.04]));
  }
  override forward(input: ForwardInput, cache: FakeCache | null, options?: { allLogits?: boolean }) {
    for (const row of input.positionIds) this.maxPosition = Math.max(this.maxPosition, ...row);
    if (this.contextLength !== null && this.maxPosition >= this.contextLength)
      throw new Error('forward pass beyond the context');
    return super.forward(input, cache, options);
  }
}

const bare = { ...PLAIN_PROMPT, template: 'custom' as const, custom: '{question}' };
const suite: Suite = {
  name: 'toy',
  description: '',
  items: [
    { id: 'short', question: 'Q', answer: '7' },
    { id: 'long', question: 'Q'.repeat(40), answer: '7' },
    { id: 'short2', question: 'QQ', answer: '7' },
  ],
  exemplars: [],
  extractor: { kind: 'last-number' },
};
const greedy: MethodSpec = { ...findMethod('greedy-plain'), prompt: bare, maxNewTokens: 6, stopStrings: [] };
const sample: MethodSpec = { ...findMethod('self-consistency'), prompt: bare, maxNewTokens: 6, stopStrings: [] };

describe("prompts longer than the model's context", () => {
  it('the long item fails with a message before any forward pass; the others run as they would alone', async () => {
    const model = new ShortModel(16);
    const outs = await executeMethod(model, greedy, suite.items, suite, { seed: 1 });
    expect(model.maxPosition).toBeLessThan(16);
    expect(outs[1]!.error).toBe(
      "the prompt is 40 tokens; with 6 new tokens that exceeds the model's context of 16 tokens",
    );
    expect(outs[1]!).toMatchObject({
      text: '',
      tokens: [],
      stopReason: 'too-long',
      correct: false,
      generatedTokens: 0,
    });
    // The reference: the fitting items run on a model with no context limit, without the long one in the batch.
    const alone = await executeMethod(new ShortModel(null), greedy, [suite.items[0]!, suite.items[2]!], suite, {
      seed: 1,
    });
    expect([outs[0], outs[2]]).toEqual(alone);
    expect(outs[0]!.error).toBeUndefined();
  });

  it('a sampling method fails the item with empty paths and zero pass@k, and the run keeps going', async () => {
    const model = new ShortModel(16);
    const results = await runSuites(model, [suite], [greedy, sample], { modelId: 'fake', seed: 3, batchSize: 8 });
    const long = results.suites[0]!.items[1]!.outputs;
    const n = sample.decoding.kind === 'sample' ? sample.decoding.n : 0;
    expect(long[sample.id]!.error).toMatch(/exceeds the model's context of 16 tokens/);
    expect(long[sample.id]!.passAtK).toEqual(new Array(n).fill(0));
    expect(long[sample.id]!.paths).toHaveLength(1);
    expect(results.suites[0]!.items[0]!.outputs[sample.id]!.paths).toHaveLength(n);
  });

  it('an exact fit runs: prompt + new tokens = context', async () => {
    const model = new ShortModel(46);
    const outs = await executeMethod(model, greedy, suite.items, suite, { seed: 1 });
    expect(outs.every((o) => o.error === undefined)).toBe(true);
  });
});
