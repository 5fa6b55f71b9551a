import { describe, expect, it } from 'vitest';
import { chainOrderNote, hfOrdered, isHfOrder } from '../../src/core/logits/chain-order.ts';
import type { ProcessorSpec } from '../../src/core/logits/processors.ts';

const T: ProcessorSpec = { name: 'temperature', temperature: 0.7 };
const K: ProcessorSpec = { name: 'top-k', k: 40 };
const P: ProcessorSpec = { name: 'top-p', p: 0.9 };
const R: ProcessorSpec = { name: 'repetition-penalty', penalty: 1.2 };
const M: ProcessorSpec = { name: 'min-p', p: 0.05 };
const Y: ProcessorSpec = { name: 'typical', mass: 0.9 };

describe("a processor chain in Hugging Face's order or not", () => {
  it.each<[string, ProcessorSpec[], boolean]>([
    ['empty', [], true],
    ['one processor', [K], true],
    ['the full HF order', [R, T, K, P, M, Y], true],
    ['a subset in HF order', [T, P], true],
    ['top-k before temperature', [K, T], false],
    ['the penalty after a warper', [T, R], false],
    ['typical before min-p', [Y, M], false],
    ['a processor twice', [T, T], false],
  ])('%s', (_, chain, expected) => {
    expect(isHfOrder(chain)).toBe(expected);
  });

  it('reorders a chain as HF would apply it (stable)', () => {
    expect(hfOrdered([P, K, T, R]).map((p) => p.name)).toEqual(['repetition-penalty', 'temperature', 'top-k', 'top-p']);
  });

  it('says the order, and when it is not HF’s, which order HF uses', () => {
    expect(chainOrderNote([T])).toBeNull();
    expect(chainOrderNote([T, K])).toBe("order: temperature → top-k (Hugging Face's order)");
    expect(chainOrderNote([K, T])).toBe(
      "order: top-k → temperature (not Hugging Face's order, which is temperature → top-k)",
    );
    expect(chainOrderNote([T, K, T])).toBe(
      "order: temperature → top-k → temperature (not Hugging Face's order, which applies each processor once)",
    );
  });
});
