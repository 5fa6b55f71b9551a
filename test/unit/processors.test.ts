import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { applyChain, processorNames, type ProcessorSpec } from '../../src/core/logits/processors.ts';
import { logSoftmax } from '../../src/core/logits/distribution.ts';

interface Case {
  name: string;
  logits: (number | null)[];
  context: number[];
  chain: ProcessorSpec[];
  expected: (number | null)[];
  expectedProbs: number[];
}

// Reference values computed independently with PyTorch by training/reference_processors.py, which mirrors the
// Hugging Face transformers processors line by line; null stands for -Infinity.
const fixture = JSON.parse(readFileSync(new URL('../fixtures/processor-references.json', import.meta.url), 'utf8')) as {
  cases: Case[];
};
const toLogits = (xs: (number | null)[]) => Float32Array.from(xs.map((x) => (x === null ? -Infinity : x)));

describe('logit processors against PyTorch references', () => {
  it('covers every registered processor with at least one reference case', () => {
    const covered = new Set(fixture.cases.flatMap((c) => c.chain.map((p) => p.name)));
    expect([...covered].sort()).toEqual([...processorNames()].sort());
  });

  it.each(fixture.cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const out = applyChain(toLogits(c.logits), c.chain, { tokens: c.context });
    // Which tokens survive must match exactly; the surviving values to float32 precision.
    expect([...out].map((x) => x === -Infinity)).toEqual(c.expected.map((x) => x === null));
    c.expected.forEach((x, i) => {
      if (x !== null) expect(Math.abs(out[i]! - x)).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(x)));
    });
    const probs = logSoftmax(out);
    c.expectedProbs.forEach((p, i) => expect(Math.exp(probs[i]!)).toBeCloseTo(p, 6));
  });
});

describe('processor edge cases', () => {
  it('does not modify its input', () => {
    const logits = Float32Array.from([1, 2, 3]);
    applyChain(
      logits,
      [
        { name: 'top-k', k: 1 },
        { name: 'temperature', temperature: 2 },
      ],
      { tokens: [] },
    );
    expect([...logits]).toEqual([1, 2, 3]);
  });

  it('rejects parameters out of range with the rule broken', () => {
    const l = Float32Array.from([1, 2]);
    expect(() => applyChain(l, [{ name: 'top-p', p: 1.5 }], { tokens: [] })).toThrow(/top-p must be in \[0, 1\]/);
    expect(() => applyChain(l, [{ name: 'top-k', k: 0 }], { tokens: [] })).toThrow(/top-k needs an integer k >= 1/);
    expect(() => applyChain(l, [{ name: 'typical', mass: 1 }], { tokens: [] })).toThrow(
      /typical mass must be in \(0, 1\)/,
    );
    expect(() => applyChain(l, [{ name: 'min-p', p: 0.1, minTokensToKeep: 0 }], { tokens: [] })).toThrow(
      /minTokensToKeep/,
    );
  });
});
