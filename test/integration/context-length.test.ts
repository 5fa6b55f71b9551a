import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findMethod } from '../../src/core/methods/method.ts';
import { runSuites } from '../../src/core/run/run-suite.ts';
import type { Suite } from '../../src/core/tasks/suite.ts';
import type { TransformersModel } from '../../src/adapters/model/transformers-model.ts';
import { loadLocal } from './load-local.ts';

/** A question far beyond fixture-tiny's 512 positions, between two that fit: a batch of three. */
const suite: Suite = {
  name: 'long',
  description: '',
  items: [
    { id: 'short-1', question: 'What is 2 + 3?', answer: '5' },
    { id: 'huge', question: 'What is 2 + 3? '.repeat(400), answer: '5' },
    { id: 'short-2', question: 'What is 4 + 1?', answer: '5' },
  ],
  exemplars: [],
  extractor: { kind: 'last-number' },
};

describe("a prompt beyond the model's context (fixture-tiny, 512 positions, onnxruntime-node)", () => {
  let model: TransformersModel;
  beforeAll(async () => {
    model = await loadLocal('coax/fixture-tiny');
  });
  afterAll(async () => {
    await model?.dispose();
  });

  it('reads the context from config.json', () => {
    expect(model.contextLength).toBe(512);
  });

  it('fails that item with a message and runs the others as they run alone', async () => {
    const method = findMethod('greedy-plain');
    const run = await runSuites(model, [suite], [method], { modelId: 'tiny', seed: 1, batchSize: 8 });
    const [a, huge, b] = run.suites[0]!.items.map((it) => it.outputs[method.id]!);
    expect(huge!.error).toMatch(
      /^the prompt is \d+ tokens; with \d+ new tokens that exceeds the model's context of 512 tokens$/,
    );
    expect(huge!.promptTokens).toBeGreaterThan(512);
    const alone = await runSuites(model, [{ ...suite, items: [suite.items[0]!, suite.items[2]!] }], [method], {
      modelId: 'tiny',
      seed: 1,
      batchSize: 8,
    });
    const ref = alone.suites[0]!.items.map((it) => it.outputs[method.id]!);
    expect([a!.text, b!.text]).toEqual(ref.map((o) => o.text));
    expect(a!.error).toBeUndefined();
  });
});
