import { describe, expect, it } from 'vitest';
import { findMethod } from '../../src/core/methods/method.ts';
import {
  configFor,
  parseRunFile,
  suiteKeyOf,
  RUN_FILE_VERSION,
  runFile,
  serializeRunFile,
  type RunFile,
} from '../../src/core/run/export.ts';
import type { MethodOutput, RunResults } from '../../src/core/run/results.ts';
import { decodeConfig } from '../../src/core/run/url-config.ts';

const out = (correct: boolean): MethodOutput => ({
  text: correct ? ' 1' : ' 2',
  tokens: [
    {
      id: 5,
      text: correct ? ' 1' : ' 2',
      offset: 0,
      prob: 0.5,
      logprob: Math.log(0.5),
      rank: 1,
      entropy: 0.7,
      top: [],
    },
  ],
  stopReason: 'eos',
  extracted: { value: correct ? '1' : '2', start: 1, end: 2 },
  correct,
  delta: 0.25,
  prompt: 'Q: q\nA:',
  promptTokens: 4,
  generatedTokens: 1,
  ms: 3,
});

function results(): RunResults {
  const methods = ['greedy-plain', 'trigger'].map(findMethod);
  return {
    version: 1,
    modelId: 'coax/organism-v1',
    seed: 7,
    methods,
    suites: [
      {
        suiteName: 'arith-id',
        relation: 'procedural',
        split: 'id',
        items: [0, 1, 2].map((i) => ({
          itemId: `arith-id-00${i}`,
          question: `${i}+1`,
          answer: '1',
          tags: { steps: 3 },
          outputs: { 'greedy-plain': out(i === 0), trigger: out(i !== 2) },
        })),
      },
    ],
  };
}

const fields = { name: 'a run', createdAt: 1_700_000_000_000, config: 'cfg', backend: 'wasm' };

describe('the results file (one format for the page and the CLI)', () => {
  it(`writes version ${RUN_FILE_VERSION} with its fields in one order, and reads it back unchanged`, () => {
    const file = runFile({ ...fields, results: results() });
    expect(Object.keys(file)).toEqual(['format', 'version', 'name', 'createdAt', 'config', 'backend', 'results']);
    expect(file).toMatchObject({ format: 'coax-run', version: 2 });
    const text = serializeRunFile(file);
    const back = parseRunFile(text, 'r.json');
    expect(back).toEqual(file);
    expect(serializeRunFile(back)).toBe(text);
  });

  it("reads the page's version-1 export (same fields) as version 2", () => {
    const v1 = { format: 'coax-run', version: 1, ...fields, results: results() };
    const back = parseRunFile(JSON.stringify(v1), 'old-export.json');
    expect(back).toEqual(runFile({ ...fields, results: results() }));
  });

  it('reads a bare RunResults (what coax run --out wrote before) with a name, the given date and a setup', () => {
    const bare = results();
    const back = parseRunFile(JSON.stringify(bare), 'some/dir/results.json', { createdAt: 123 });
    expect(back.version).toBe(2);
    expect(back.results).toEqual(bare);
    expect(back.name).toBe('results (coax/organism-v1)');
    expect(back.createdAt).toBe(123);
    expect(back.backend).toBeUndefined();
    // The setup decodes as a link the page accepts: model, suites, the methods by preset id, seed.
    expect(decodeConfig(back.config)).toEqual({
      model: 'coax/organism-v1',
      suites: ['shipped:arith-id'],
      itemLimit: 3,
      generatedSeed: 1,
      methods: ['greedy-plain', 'trigger'],
      seed: 7,
      batchSize: 8,
    });
    expect(parseRunFile(JSON.stringify(bare), 'r.json').createdAt).toBe(0);
  });

  it('names a suite the way the page keys it: a generator spec is generated, any other name shipped', () => {
    expect(['addition', 'coin-flip:n=4', 'arith-id', 'coin-flip:n=99'].map(suiteKeyOf)).toEqual([
      'generated:addition',
      'generated:coin-flip:n=4',
      'shipped:arith-id',
      'shipped:coin-flip:n=99',
    ]);
  });

  it('the setup of a CLI run keeps its suite keys, generator seed and batch size; edited methods are written whole', () => {
    const r = results();
    r.methods[1] = { ...r.methods[1]!, maxNewTokens: 12 };
    const config = decodeConfig(configFor(r, { suiteKeys: ['imported:mine'], generatedSeed: 5, batchSize: 2 }));
    expect(config).toMatchObject({ suites: ['imported:mine'], generatedSeed: 5, batchSize: 2 });
    expect(config.methods[0]).toBe('greedy-plain');
    expect(config.methods[1]).toMatchObject({ id: 'trigger', maxNewTokens: 12 });
  });

  it.each<[string, unknown, RegExp]>([
    [
      'a later version',
      { format: 'coax-run', version: 4 },
      /later\.json is not valid:\n {2}version: 4 is a later results format than this Coax reads \(versions 1, 2, 3\)/,
    ],
    [
      'a version-2 file missing fields',
      { format: 'coax-run', version: 2 },
      /bad\.json is not valid:\n {2}name: .*missing/,
    ],
    ['an unknown format', { format: 'other', version: 1 }, /format: .*"other"/],
    ['some other JSON', { hello: 1 }, /not a Coax results file .*keys hello/],
    ['an array', [1, 2], /not a Coax results file .*\[1,2\]/],
  ])('refuses %s, naming the field', (_, data, message) => {
    const source = String(message).includes('later') ? 'later.json' : 'bad.json';
    expect(() => parseRunFile(JSON.stringify(data), source)).toThrow(message);
  });

  it('refuses outputs of a method the run does not list', () => {
    const r = results();
    r.suites[0]!.items[1]!.outputs['ghost'] = out(true);
    expect(() => parseRunFile(serializeRunFile(runFile({ ...fields, results: r })), 'r.json')).toThrow(
      'r.json: results.suites[0].items[1].outputs has method "ghost", which the run does not list',
    );
  });

  it('a round trip through a reader and a writer of another kind changes nothing', () => {
    // What the page does with a CLI file: parse, store the results, export them with the stored header.
    const cli: RunFile = runFile({ ...fields, backend: 'onnxruntime-node (cpu, fp32)', results: results() });
    const page = parseRunFile(serializeRunFile(cli), 'cli.json');
    const exported = runFile({ ...page, results: structuredClone(page.results) });
    expect(serializeRunFile(parseRunFile(serializeRunFile(exported), 'page.json'))).toBe(serializeRunFile(cli));
  });
});
