/**
 * Resuming a run (#12): a run stopped part-way, then run again with the stored outputs skipped, must give exactly the
 * outputs of an uninterrupted run, emit only the missing ones, and not run the batches it already has.
 */
import { describe, expect, it } from 'vitest';
import {
  outputKey,
  runSuites,
  sameItems,
  storedOutputKeys,
  storedOutputs,
  streamSuites,
} from '../../src/core/run/run-suite.ts';
import { assemble, headerFor } from '../../src/adapters/storage/run-store.ts';
import type { MethodOutput, RunResults } from '../../src/core/run/results.ts';
import { PLAIN_PROMPT } from '../../src/core/methods/prompt.ts';
import type { MethodSpec } from '../../src/core/methods/method.ts';
import type { Suite } from '../../src/core/tasks/suite.ts';
import { FakeModel, logitsFromProbs } from './fake-model.ts';

const VOCAB = ['<eos>', '<pad>', 'Q', 'R', 'S', '1', '2', '3', 'a', 'b'];

/** A model whose next token depends on the whole context, so every item and sample differs. */
function model(): FakeModel {
  return new FakeModel(VOCAB, (ctx) => {
    const h = ctx.reduce((acc, t, i) => (acc * 31 + t * (i + 7)) % 997, 17);
    const probs = VOCAB.map((_, i) => (i === 1 ? 0 : 1 + ((h * (i + 3)) % 11)));
    probs[0] = ctx.length > 4 ? 30 : 0.5;
    const sum = probs.reduce((a, b) => a + b, 0);
    return logitsFromProbs(probs.map((p) => p / sum));
  });
}

const bare = { ...PLAIN_PROMPT, template: 'custom' as const, custom: '{question}' };
const suites: Suite[] = ['toy-a', 'toy-b'].map((name, s) => ({
  name,
  description: '',
  items: ['Q', 'R', 'S', 'QR', 'RS', 'SQ', 'QQ'].map((q, i) => ({
    id: `${name}-${i}`,
    question: q,
    answer: String(((i + s) % 3) + 1),
  })),
  exemplars: [],
  extractor: { kind: 'last-number' },
}));
const methods: MethodSpec[] = [
  { id: 'greedy', label: '', prompt: bare, decoding: { kind: 'greedy' }, maxNewTokens: 4, stopStrings: [] },
  {
    id: 'sc',
    label: '',
    prompt: bare,
    decoding: { kind: 'sample', n: 3, chain: [{ name: 'temperature', temperature: 1 }], aggregate: 'majority' },
    maxNewTokens: 4,
    stopStrings: [],
  },
];

type Stored = Map<string, MethodOutput>;

describe('resume a stopped run from its stored outputs (seed 3)', () => {
  it('a run cancelled after 10 outputs, one of them lost, and resumed equals an uninterrupted run, and reruns no stored batch', async () => {
    const full: RunResults = await runSuites(model(), suites, methods, { modelId: 'fake', seed: 3, batchSize: 3 });

    const stored: Stored = new Map();
    const signal = { aborted: false };
    const first = model();
    await expect(
      streamSuites(first, suites, methods, {
        seed: 3,
        batchSize: 3,
        signal,
        onOutput: (s, i, m, out) => {
          stored.set(outputKey(s, i, m), out);
          if (stored.size >= 9) signal.aborted = true;
        },
      }),
    ).rejects.toThrow('cancelled');
    // Outputs arrive a batch at a time (batches of 3, 3 and 1 per method and suite): 10 were stored. One in the
    // middle of a batch is lost too (a failed write), so that batch runs again but emits only the missing output.
    expect(stored.size).toBe(10);
    const lost = outputKey('toy-a', 1, 'greedy');
    expect(stored.delete(lost)).toBe(true);
    const before = new Map(stored);

    const second = model();
    const emitted: string[] = [];
    const summary = await streamSuites(second, suites, methods, {
      seed: 3,
      batchSize: 3,
      skip: (s, i, m) => before.has(outputKey(s, i, m)),
      onOutput: (s, i, m, out) => {
        const key = outputKey(s, i, m);
        expect(stored.has(key)).toBe(false);
        emitted.push(key);
        stored.set(key, out);
      },
    });
    const total = 2 * 7 * 2;
    expect(summary).toEqual({ outputs: total - 9, skipped: 9 });
    expect(emitted).toHaveLength(total - 9);
    // The resumed model decoded fewer rows than a full run's.
    const rows = (m: FakeModel) => m.batchSizes.reduce((a, b) => a + b, 0);
    const fresh = model();
    await runSuites(fresh, suites, methods, { modelId: 'fake', seed: 3, batchSize: 3 });
    expect(rows(second)).toBeLessThan(rows(fresh));

    // Every output equals the uninterrupted run's, field for field.
    for (const s of full.suites)
      s.items.forEach((item, i) => {
        for (const m of methods) expect(stored.get(outputKey(s.suiteName, i, m.id))).toEqual(item.outputs[m.id]);
      });
  });

  it('a resume with every output stored runs nothing', async () => {
    const m = model();
    const summary = await streamSuites(m, suites, methods, { seed: 3, batchSize: 3, skip: () => true });
    expect(summary).toEqual({ outputs: 0, skipped: 28 });
    expect(m.batchSizes).toEqual([]);
  });
});

describe('the pieces of a resume: the stored header, its items and its stored outputs', () => {
  it('a header made from results assembles back into them (steering included), and names the same items', async () => {
    const full: RunResults = await runSuites(model(), suites, methods, { modelId: 'fake', seed: 3, batchSize: 3 });
    const steered = { ...full, suites: full.suites.map((s, i) => (i ? s : { ...s, steering: { sc: [0.5, -1] } })) };
    const meta = { id: 'r', name: 'r', createdAt: 1, status: 'done' as const, config: '' };
    const header = headerFor(steered, meta);
    expect(JSON.stringify(header)).not.toContain('outputs');
    const records = steered.suites.flatMap((s) =>
      s.items.flatMap((item, itemIndex) =>
        Object.entries(item.outputs).map(([methodId, output]) => ({
          runId: 'r',
          suiteName: s.suiteName,
          itemIndex,
          methodId,
          output,
        })),
      ),
    );
    expect(assemble(header, records)).toEqual(JSON.parse(JSON.stringify(steered)));
    expect(sameItems(suites, header.suites)).toBe(true);
    expect(sameItems(suites.slice(1), header.suites)).toBe(false);
    expect(sameItems([{ ...suites[0]!, items: suites[0]!.items.slice(1) }, suites[1]!], header.suites)).toBe(false);
  });

  it('storedOutputs lists the stored outputs under their own method ids, read through the column names', () => {
    const stored = storedOutputKeys([
      {
        suiteName: 'toy-a',
        items: [{ itemId: 'toy-a-0', question: '', answer: '', tags: {}, outputs: { 'm1.sc': {} as MethodOutput } }],
      },
    ]);
    expect(storedOutputs(suites, methods, stored, (id) => `m1.${id}`)).toEqual([outputKey('toy-a', 0, 'sc')]);
    expect(storedOutputs(suites, methods, stored)).toEqual([]);
  });
});
