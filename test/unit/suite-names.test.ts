import { describe, expect, it } from 'vitest';
import { assemble, checkSuiteNames, type RunHeader } from '../../src/adapters/storage/run-store.ts';
import { findMethod } from '../../src/core/methods/method.ts';
import { parseRunFile, runFile, serializeRunFile } from '../../src/core/run/export.ts';
import type { MethodOutput, RunResults } from '../../src/core/run/results.ts';
import { runSuites } from '../../src/core/run/run-suite.ts';
import { uniqueName, uniqueNames } from '../../src/core/run/suite-names.ts';
import type { Suite } from '../../src/core/tasks/suite.ts';
import { FakeModel, logitsFromProbs } from './fake-model.ts';

const out = (text: string): MethodOutput => ({
  text,
  tokens: [],
  stopReason: 'eos',
  extracted: null,
  correct: false,
  delta: null,
  prompt: 'p',
  promptTokens: 1,
  generatedTokens: 0,
  ms: 0,
});

/** Two suites named "arith-id", 9 items each, one method: 18 outputs, all different. */
function twoSameName(): RunResults {
  return {
    version: 1,
    modelId: 'm',
    seed: 1,
    methods: [findMethod('greedy-plain')],
    suites: [0, 1].map((s) => ({
      suiteName: 'arith-id',
      items: Array.from({ length: 9 }, (_, i) => ({
        itemId: `i${i}`,
        question: 'q',
        answer: '1',
        tags: {},
        outputs: { 'greedy-plain': out(`suite ${s} item ${i}`) },
      })),
    })),
  };
}

/** What the run store keeps: one record per (suite name, item, method), the last write winning. */
function storeRoundTrip(results: RunResults): RunResults {
  const header: RunHeader = {
    id: 'r',
    name: 'r',
    createdAt: 0,
    modelId: results.modelId,
    seed: results.seed,
    status: 'done',
    config: '',
    methods: results.methods,
    suites: results.suites.map((s) => ({ suiteName: s.suiteName, items: s.items.map(({ outputs: _, ...it }) => it) })),
  };
  checkSuiteNames(header);
  const records = new Map<string, Parameters<typeof assemble>[1][number]>();
  for (const s of results.suites)
    s.items.forEach((it, itemIndex) => {
      for (const [methodId, output] of Object.entries(it.outputs))
        records.set(JSON.stringify([s.suiteName, itemIndex, methodId]), {
          runId: 'r',
          suiteName: s.suiteName,
          itemIndex,
          methodId,
          output,
        });
    });
  return assemble(header, [...records.values()]);
}

const count = (r: RunResults) => r.suites.flatMap((s) => s.items.flatMap((it) => Object.values(it.outputs))).length;

describe('suites that share a name in one run', () => {
  it('uniqueName / uniqueNames rename repeats "name (2)", "name (3)", skipping names in use', () => {
    expect(uniqueName('arith-id', new Set(['arith-id', 'arith-id (2)']))).toBe('arith-id (3)');
    expect(uniqueName('mine', new Set(['arith-id']))).toBe('mine');
    expect(uniqueNames(['a', 'a', 'b', 'a (2)', 'a'])).toEqual(['a', 'a (3)', 'b', 'a (2)', 'a (4)']);
  });

  it('a run file with two suites of one name is imported with both kept: 18 of 18 outputs survive storing', () => {
    const text = serializeRunFile(runFile({ name: 'r', createdAt: 1, config: 'c', results: twoSameName() }));
    const read = parseRunFile(text, 'r.json');
    expect(read.results.suites.map((s) => s.suiteName)).toEqual(['arith-id', 'arith-id (2)']);
    const stored = storeRoundTrip(read.results);
    expect(count(stored)).toBe(18);
    expect(stored.suites[1]!.items[4]!.outputs['greedy-plain']!.text).toBe('suite 1 item 4');
  });

  it('the run store refuses a run whose suites share a name', () => {
    expect(() => storeRoundTrip(twoSameName())).toThrow(/two suites of this run are named "arith-id"; refusing/);
  });

  it('runSuites refuses two suites of one name before any forward pass', async () => {
    const model = new FakeModel(['<eos>', '<pad>', 'Q'], () => logitsFromProbs([1, 0, 0]));
    const suite: Suite = {
      name: 'arith-id',
      description: '',
      items: [{ id: 'a', question: 'Q', answer: '' }],
      exemplars: [],
      extractor: { kind: 'none' },
    };
    await expect(
      runSuites(model, [suite, { ...suite }], [findMethod('greedy-plain')], { modelId: 'f', seed: 1, batchSize: 1 }),
    ).rejects.toThrow(/two suites share the name "arith-id"/);
    expect(model.batchSizes).toEqual([]);
  });
});
