import { describe, expect, it } from 'vitest';
import { decodeConfig, encodeConfig, type ExperimentConfig } from '../../src/core/run/url-config.ts';
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
