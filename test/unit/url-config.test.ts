import { describe, expect, it } from 'vitest';
import {
  decodeConfig,
  decodeConfigReport,
  encodeConfig,
  type ExperimentConfig,
} from '../../src/core/run/url-config.ts';
import { generatedSuite } from '../../src/core/tasks/builtin-suites.ts';

const base: ExperimentConfig = {
  model: 'coax/fixture-tiny',
  suites: [
    'generated:addition',
    'generated:coin-flip:n=4',
    'generated:arithmetic:depth=3:digits=2',
    'shipped:arith-id',
  ],
  itemLimit: 7,
  generatedSeed: 3,
  methods: ['greedy-plain'],
  seed: 1,
  batchSize: 8,
};

describe('a link carries generator settings', () => {
  it('round-trips suites with their settings, and the same link builds the same suites', () => {
    const back = decodeConfig(encodeConfig(base));
    expect(back).toEqual(base);
    const build = (c: ExperimentConfig) =>
      c.suites
        .filter((k) => k.startsWith('generated:'))
        .map((k) => generatedSuite(k.slice('generated:'.length), c.generatedSeed, c.itemLimit));
    const suites = build(back);
    expect(suites.map((s) => [s.name, s.split, s.items.length])).toEqual([
      ['addition', 'id', 7],
      ['coin-flip:n=4', 'ood-n', 7],
      ['arithmetic:depth=3:digits=2', 'ood-depth-digits', 7],
    ]);
    expect(suites).toEqual(build(base));
    expect(suites[1]!.items[0]!.question.match(/flip/g)).toHaveLength(4);
  });

  it.each([
    [
      'generated:coin-flip:n=99',
      /suites\[0\]: suite "coin-flip": n \(people\) must be a whole number from 1 to 12, got 99/,
    ],
    ['generated:coin-toss', /suites\[0\]: no generated suite is called "coin-toss"/],
  ])('a link with %j says what is wrong', (key, message) => {
    expect(() => decodeConfig(encodeConfig({ ...base, suites: [key] }))).toThrow(message);
  });
});

describe('links are validated like files', () => {
  const link = (over: Record<string, unknown>) => encodeURIComponent(JSON.stringify({ ...base, ...over }));

  it.each<[string, Record<string, unknown>, RegExp]>([
    ['itemLimit 100000', { itemLimit: 100000 }, /itemLimit: .*1000/],
    ['batchSize 256', { batchSize: 256 }, /batchSize: .*64/],
    [
      'an unknown method id',
      { methods: ['greedy-plain', 'telepathy'] },
      /methods\[1\]: no built-in method is called "telepathy"/,
    ],
    ['an empty model', { model: '' }, /model: /],
    ['a later version', { version: 9 }, /version 9 was written by a later Coax/],
  ])('refuses %s, naming the field', (_, over, message) => {
    expect(() => decodeConfig(link(over))).toThrow(message);
  });

  it('writes a version, reads links without one, and reports the keys it ignored', () => {
    expect(JSON.parse(decodeURIComponent(encodeConfig(base)))).toMatchObject({ version: 1 });
    expect(decodeConfigReport(link({})).config).toEqual(base);
    expect(decodeConfigReport(link({ theme: 'dark', limit: 5 })).ignored).toEqual(['theme', 'limit']);
    expect(decodeConfigReport(encodeConfig(base)).ignored).toEqual([]);
  });
});
