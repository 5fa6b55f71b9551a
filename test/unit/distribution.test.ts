import { describe, expect, it } from 'vitest';
import { entropyFromLogProbs, logSoftmax, rankOf, topKIndices } from '../../src/core/logits/distribution.ts';
import { applyChain } from '../../src/core/logits/processors.ts';
import { argmax } from '../../src/core/logits/select.ts';
import { stepStats, tokenRank } from '../../src/core/decode/token-stats.ts';

describe('distribution statistics', () => {
  it('log-softmax of [0, ln 2, ln 3, -inf] is ln([1, 2, 3, 0] / 6)', () => {
    const lp = logSoftmax([0, Math.log(2), Math.log(3), -Infinity]);
    expect([...lp].slice(0, 3)).toEqual([1 / 6, 2 / 6, 3 / 6].map((p) => expect.closeTo(Math.log(p), 12)));
    expect(lp[3]).toBe(-Infinity);
  });

  it('stays finite for huge logits', () => {
    const lp = logSoftmax([1000, 1000]);
    expect([...lp]).toEqual([expect.closeTo(-Math.LN2, 12), expect.closeTo(-Math.LN2, 12)]);
  });

  it('entropy of uniform over 4 is ln 4, of a point mass 0', () => {
    expect(entropyFromLogProbs(logSoftmax([1, 1, 1, 1]))).toBeCloseTo(Math.log(4), 12);
    expect(entropyFromLogProbs(logSoftmax([0, -Infinity, -Infinity]))).toBe(0);
  });

  it('top-k keeps the largest values, ties to the lower index, without sorting everything', () => {
    expect(topKIndices([0.1, 0.5, 0.2, 0.5, 0.05], 3)).toEqual([1, 3, 2]);
    expect(topKIndices([3, 1], 5)).toEqual([0, 1]);
  });

  it('rank counts strictly larger values; argmax breaks ties to the lowest id', () => {
    expect(rankOf([0.1, 0.5, 0.2, 0.5], 2)).toBe(3);
    expect(rankOf([0.1, 0.5, 0.2, 0.5], 3)).toBe(1);
    expect(argmax([1, 7, 7, 2])).toBe(1);
  });

  it('the statistics of a decoding step reuse the scratch buffer: p = [1, 2, 3] / 6 has H = ln 6 − (2 ln 2 + 3 ln 3) / 6', () => {
    const scratch = new Float64Array(3);
    const stats = stepStats(new Float32Array([0, Math.log(2), Math.log(3)]), 2, scratch);
    expect(stats.logProbs).toBe(scratch);
    expect(stats.entropy).toBeCloseTo(Math.log(6) - (2 * Math.log(2) + 3 * Math.log(3)) / 6, 6);
    expect(stats.top).toEqual([2, 1]);
    expect(tokenRank(stats, 0)).toBe(3);
    expect(stepStats(new Float32Array([0, 0]), 1, scratch).logProbs).not.toBe(scratch);
  });

  it('temperature divides logits and rejects T <= 0; unknown processors throw', () => {
    const out = applyChain(new Float32Array([2, -4]), [{ name: 'temperature', temperature: 0.5 }], { tokens: [] });
    expect([...out]).toEqual([4, -8]);
    expect(() => applyChain(new Float32Array([1]), [{ name: 'temperature', temperature: 0 }], { tokens: [] })).toThrow(
      /temperature/,
    );
    expect(() => applyChain(new Float32Array([1]), [{ name: 'nucleus' } as never], { tokens: [] })).toThrow(
      /unknown logit processor "nucleus"/,
    );
  });
});
