/** The storage estimate before a run (#12) bounds what the run's outputs take, and is not wildly above it. */
import { describe, expect, it } from 'vitest';
import { runSuites } from '../../src/core/run/run-suite.ts';
import { estimateRunBytes } from '../../src/core/run/storage-estimate.ts';
import { PLAIN_PROMPT } from '../../src/core/methods/prompt.ts';
import type { MethodSpec } from '../../src/core/methods/method.ts';
import type { Suite } from '../../src/core/tasks/suite.ts';
import { FakeModel, logitsFromProbs } from './fake-model.ts';

const VOCAB = ['<eos>', '<pad>', 'Q', 'R', '1', '2', '3', 'a', 'b', 'c'];
/** Never stops: every path runs to its token limit, the case the estimate must bound. */
const model = () =>
  new FakeModel(VOCAB, (ctx) => logitsFromProbs(VOCAB.map((_, i) => (i < 2 ? 0 : 1 + ((ctx.length * i) % 5)) / 30)));

const bare = { ...PLAIN_PROMPT, template: 'custom' as const, custom: '{question}' };
const suite: Suite = {
  name: 's',
  description: '',
  items: ['Q', 'R', 'QR', 'RQ'].map((q, i) => ({ id: `i${i}`, question: q, answer: '1' })),
  exemplars: [],
  extractor: { kind: 'last-number' },
};
const methods: MethodSpec[] = [
  { id: 'g', label: '', prompt: bare, decoding: { kind: 'greedy' }, maxNewTokens: 12, stopStrings: [] },
  {
    id: 's',
    label: '',
    prompt: bare,
    decoding: { kind: 'sample', n: 5, chain: [{ name: 'temperature', temperature: 1 }], aggregate: 'majority' },
    maxNewTokens: 12,
    stopStrings: [],
  },
];

describe('storage estimate (seed 2)', () => {
  it('is at least the JSON size of the outputs of a run whose paths all run to their limit, and at most 4 times it', async () => {
    const r = await runSuites(model(), [suite], methods, { modelId: 'fake', seed: 2, batchSize: 4 });
    const actual = r.suites[0]!.items.flatMap((it) => Object.values(it.outputs)).reduce(
      (n, o) => n + JSON.stringify(o).length,
      0,
    );
    const estimate = estimateRunBytes([suite], methods);
    expect(estimate).toBeGreaterThanOrEqual(actual);
    expect(estimate).toBeLessThanOrEqual(4 * actual);
  });

  it('compact storage (no traces on the paths of a method with several) is bounded the same way, and smaller', async () => {
    const r = await runSuites(model(), [suite], methods, {
      modelId: 'fake',
      seed: 2,
      batchSize: 4,
      pathTokens: 'none',
    });
    const outs = r.suites[0]!.items.flatMap((it) => Object.values(it.outputs));
    expect(
      outs.filter((o) => o.paths).every((o) => o.paths!.every((p) => p.tokens.length === 0) && o.tokens.length === 12),
    ).toBe(true);
    const actual = outs.reduce((n, o) => n + JSON.stringify(o).length, 0);
    const estimate = estimateRunBytes([suite], methods, true);
    expect(estimate).toBeGreaterThanOrEqual(actual);
    expect(estimate).toBeLessThanOrEqual(4 * actual);
    expect(estimate).toBeLessThan(estimateRunBytes([suite], methods));
  });
});
