import { describe, expect, it } from 'vitest';
import { findMethod, type MethodSpec } from '../../src/core/methods/method.ts';
import {
  crossoverK,
  isWorked,
  modelCoverage,
  modelGapMatrix,
  modelLeaderboard,
  modelPassCurves,
} from '../../src/core/metrics/models.ts';
import { parseRunFile, runFile, serializeRunFile, RUN_FILE_VERSION_MODELS } from '../../src/core/run/export.ts';
import { columnsOf, combineModelRuns, modelKeys, modelMethods, modelsOf } from '../../src/core/run/models.ts';
import type { MethodOutput, PathOutput, RunResults } from '../../src/core/run/results.ts';
import { decodeConfig } from '../../src/core/run/url-config.ts';
import { majAtKCurve } from '../../src/core/metrics/pass-at-k.ts';
import { configFor } from '../../src/core/run/export.ts';

const path = (correct: boolean, text = correct ? ' 1' : ' 2'): PathOutput => ({
  text,
  tokens: [],
  stopReason: 'eos',
  extracted: { value: correct ? '1' : '2', start: 1, end: 2 },
  correct,
  delta: 0.1,
});

const output = (correct: boolean, paths?: boolean[], text?: string): MethodOutput => ({
  ...path(correct, text),
  prompt: 'Q: q\nA:',
  promptTokens: 4,
  generatedTokens: 1,
  ms: 2,
  ...(paths ? { paths: paths.map((c) => path(c)), chosen: 0 } : {}),
});

const sampling: MethodSpec = {
  ...findMethod('self-consistency'),
  id: 'sample-4',
  decoding: { kind: 'sample', n: 4, chain: [], aggregate: 'majority' },
};

/** A one-model run of greedy-plain and 4 samples on 3 items: greedy verdicts, and each item's sample verdicts. */
function oneModel(modelId: string, greedy: boolean[], samples: boolean[][], seed = 3): RunResults {
  return {
    version: 1,
    modelId,
    seed,
    methods: [findMethod('greedy-plain'), sampling],
    suites: [
      {
        suiteName: 'arith-id',
        split: 'id',
        items: greedy.map((g, i) => ({
          itemId: `arith-id-00${i}`,
          question: `${i}+1`,
          answer: '1',
          tags: {},
          outputs: {
            'greedy-plain': output(g, undefined, g ? ' 1 = 1. The answer is 1.' : ' 2'),
            'sample-4': output(samples[i]!.some(Boolean), samples[i]),
          },
        })),
      },
    ],
  };
}

// Base: greedy right on item 0 only; samples right 1/4, 0/4, 2/4. Tuned: greedy right on 0 and 1; 4/4, 1/4, 0/4.
const base = () =>
  oneModel(
    'coax/organism-v1',
    [true, false, false],
    [
      [true, false, false, false],
      [false, false, false, false],
      [false, true, true, false],
    ],
  );
const tuned = () =>
  oneModel(
    'coax/organism-v1-rlvr',
    [true, true, false],
    [
      [true, true, true, true],
      [false, false, true, false],
      [false, false, false, false],
    ],
  );

describe('combineModelRuns: one-model runs as one run over several models', () => {
  it('lists the models, gives every model × method its own id and column, and marks each output with its model', () => {
    const r = combineModelRuns([base(), tuned()]);
    expect(r.models).toEqual(['coax/organism-v1', 'coax/organism-v1-rlvr']);
    expect(r.modelId).toBe('coax/organism-v1');
    expect(r.methods.map((m) => m.id)).toEqual([
      'organism-v1.greedy-plain',
      'organism-v1.sample-4',
      'organism-v1-rlvr.greedy-plain',
      'organism-v1-rlvr.sample-4',
    ]);
    expect(r.methods[2]!.label).toBe('organism-v1-rlvr: Greedy, plain prompt');
    expect(columnsOf(r).map((c) => [c.modelId, c.methodId])).toEqual([
      ['coax/organism-v1', 'greedy-plain'],
      ['coax/organism-v1', 'sample-4'],
      ['coax/organism-v1-rlvr', 'greedy-plain'],
      ['coax/organism-v1-rlvr', 'sample-4'],
    ]);
    const item = r.suites[0]!.items[1]!;
    expect(item.outputs['organism-v1.greedy-plain']!.modelId).toBe('coax/organism-v1');
    expect(item.outputs['organism-v1-rlvr.greedy-plain']!.correct).toBe(true);
    expect(modelMethods(r).map((m) => [m.id, m.label])).toEqual([
      ['greedy-plain', 'Greedy, plain prompt'],
      ['sample-4', sampling.label],
    ]);
  });

  it('gives back a single run unchanged, and refuses runs that differ in seed or items', () => {
    const b = base();
    expect(combineModelRuns([b])).toBe(b);
    expect(modelsOf(b)).toEqual(['coax/organism-v1']);
    expect(() => combineModelRuns([base(), { ...tuned(), seed: 4 }])).toThrow(/seed 4/);
    const other = tuned();
    other.suites[0]!.items[2]!.question = '9+9';
    expect(() => combineModelRuns([base(), other])).toThrow(/other items .* \(item 3\)/);
    expect(() => combineModelRuns([base(), base()])).toThrow(/appears twice/);
  });

  it('keys models with the same short name apart', () => {
    expect(modelKeys(['a/model', 'b/model', 'c/x y'])).toEqual(['model-1', 'model-2', 'x_y']);
  });
});

describe('comparisons between models', () => {
  const r = combineModelRuns([base(), tuned()]);
  const suite = r.suites[0]!;

  it('pass@k per model by the unbiased estimator, and items solved at any k with Wilson intervals', () => {
    const curves = modelPassCurves(r, suite, 'sample-4');
    expect(curves.map((c) => [c.modelId, c.n, c.items, c.solved])).toEqual([
      ['coax/organism-v1', 4, 3, 2],
      ['coax/organism-v1-rlvr', 4, 3, 2],
    ]);
    // pass@k = 1 − C(n−c, k)/C(n, k) per item, by hand: base c = 1, 0, 2; tuned c = 4, 1, 0.
    const base2 = (1 - 3 / 6 + 0 + (1 - 1 / 6)) / 3;
    const tuned2 = (1 + (1 - 3 / 6) + 0) / 3;
    expect(curves[0]!.passAtK[0]).toBeCloseTo((1 / 4 + 0 + 2 / 4) / 3, 12);
    expect(curves[0]!.passAtK[1]).toBeCloseTo(base2, 12);
    expect(curves[1]!.passAtK[0]).toBeCloseTo((1 + 1 / 4 + 0) / 3, 12);
    expect(curves[1]!.passAtK[1]).toBeCloseTo(tuned2, 12);
    expect(curves[0]!.passAtK[3]).toBeCloseTo(2 / 3, 12);
    // Wilson 95% for 2/3.
    expect(curves[0]!.low).toBeCloseTo(0.2077, 3);
    expect(curves[0]!.high).toBeCloseTo(0.9385, 3);
    // A greedy method is a curve with n = 1: its accuracy.
    expect(modelPassCurves(r, suite, 'greedy-plain').map((c) => c.passAtK)).toEqual([[1 / 3], [2 / 3]]);
  });

  it('CoT-decoding branches are not samples: the method counts as its one chosen answer', () => {
    const cot = { ...findMethod('cot-decoding'), id: 'cot' };
    const run = (modelId: string, chosen: boolean) => {
      const r = oneModel(modelId, [true, false, false], [[true], [false], [false]]);
      r.methods = [cot];
      r.suites[0]!.items.forEach((it) => (it.outputs = { cot: output(chosen, [false, true, true]) }));
      return r;
    };
    const both = combineModelRuns([run('a/base', false), run('a/tuned', true)]);
    const curves = modelPassCurves(both, both.suites[0]!, 'cot');
    expect(curves.map((c) => [c.n, c.solved])).toEqual([
      [1, 0],
      [1, 3],
    ]);
  });

  it('crossover k: the first k at which the first curve reaches the second', () => {
    expect(crossoverK([0.1, 0.5, 0.9], [0.4, 0.5, 0.6])).toBe(2);
    expect(crossoverK([0.1, 0.2], [0.4, 0.5])).toBeNull();
    const [b, t] = modelPassCurves(r, suite, 'sample-4');
    // By hand at k = 3: base (3/4 + 0 + 1)/3, tuned (1 + 3/4 + 0)/3: equal, so the base has caught up; at k = 2 not.
    expect(b!.passAtK[2]).toBeCloseTo(1.75 / 3, 12);
    expect(crossoverK(b!.passAtK, t!.passAtK)).toBe(3);
  });

  it('coverage: items solved at any k by each model, grouped by the exact set of models that solve them', () => {
    const cov = modelCoverage(r, suite, 'sample-4');
    expect(cov.items).toBe(3);
    expect(cov.solved).toEqual({
      'coax/organism-v1': ['arith-id-000', 'arith-id-002'],
      'coax/organism-v1-rlvr': ['arith-id-000', 'arith-id-001'],
    });
    expect(cov.groups).toEqual([
      { models: ['coax/organism-v1', 'coax/organism-v1-rlvr'], itemIds: ['arith-id-000'] },
      { models: ['coax/organism-v1'], itemIds: ['arith-id-002'] },
      { models: ['coax/organism-v1-rlvr'], itemIds: ['arith-id-001'] },
    ]);
  });

  it('leaderboard rows carry their model and McNemar against the first model on the same items', () => {
    const rows = modelLeaderboard(r);
    const greedyTuned = rows.find((x) => x.methodId === 'organism-v1-rlvr.greedy-plain')!;
    expect([greedyTuned.modelId, greedyTuned.method, greedyTuned.correct, greedyTuned.n]).toEqual([
      'coax/organism-v1-rlvr',
      'greedy-plain',
      2,
      3,
    ]);
    // One item gained (item 1), none lost: exact two-sided McNemar p = 1.
    expect(greedyTuned.vsFirstModel).toMatchObject({ gained: 1, lost: 0, p: 1 });
    expect(rows.find((x) => x.methodId === 'organism-v1.greedy-plain')!.vsFirstModel).toBeNull();
  });

  it('the elicitation-gap matrix has methods as rows and models as columns', () => {
    const [m] = modelGapMatrix(r);
    expect(m!.models).toEqual(['coax/organism-v1', 'coax/organism-v1-rlvr']);
    expect(m!.methods).toEqual(['greedy-plain', 'sample-4']);
    expect(m!.cells.map((row) => row.map((c) => `${c!.correct}/${c!.n}`))).toEqual([
      ['1/3', '2/3'],
      ['2/3', '2/3'],
    ]);
  });

  it('a worked output writes an intermediate result', () => {
    expect(isWorked({ text: " Let's go step by step. 7*6 = 2. The answer is 2." })).toBe(true);
    expect(isWorked({ text: ' 2' })).toBe(false);
  });
});

describe('maj@k stays a probability at n = 64', () => {
  it('the answers of a real item (60 of 64 right) give maj@k <= 1 at every k (float sums once gave 1 + 2e-16)', () => {
    const answers = Array.from({ length: 64 }, (_, i) => ({ 6: '0', 9: '2', 47: '0', 54: '4' })[i] ?? '6');
    const { values } = majAtKCurve(answers, (a) => a === '6');
    expect(values).toHaveLength(64);
    expect(Math.max(...values)).toBeLessThanOrEqual(1);
    expect(values[63]).toBeCloseTo(1, 12);
  });
});

describe('results file version 3: a run over several models', () => {
  const r = combineModelRuns([base(), tuned()]);
  const file = runFile({ name: 'two models', createdAt: 5, config: configFor(r), backend: undefined, results: r });

  it('is written as version 3 and read back unchanged; its link names every model and each method once', () => {
    expect(file.version).toBe(RUN_FILE_VERSION_MODELS);
    const text = serializeRunFile(file);
    expect(serializeRunFile(parseRunFile(text, 'f.json'))).toBe(text);
    const config = decodeConfig(file.config);
    expect(config.models).toEqual(['coax/organism-v1', 'coax/organism-v1-rlvr']);
    expect(config.methods).toEqual(['greedy-plain', sampling]);
    expect(runFile({ ...file, results: base() }).version).toBe(2);
  });

  it('refuses columns that name a model the run does not list, and methods without a column', () => {
    const bad = JSON.parse(serializeRunFile(file)) as { results: RunResults };
    bad.results.columns!['organism-v1.greedy-plain']!.modelId = 'coax/other';
    expect(() => parseRunFile(JSON.stringify(bad), 'bad.json')).toThrow(
      /columns\.organism-v1\.greedy-plain\.modelId: "coax\/other" is not one of models/,
    );
    const missing = JSON.parse(serializeRunFile(file)) as { results: RunResults };
    delete missing.results.columns!['organism-v1-rlvr.sample-4'];
    expect(() => parseRunFile(JSON.stringify(missing), 'm.json')).toThrow(
      /methods\[3\]: "organism-v1-rlvr.sample-4" has no entry/,
    );
  });
});
