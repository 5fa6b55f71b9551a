import { describe, expect, it } from 'vitest';
import type { TokenTrace } from '../../src/core/decode/trace.ts';
import { answerOf } from '../../src/core/explore/answer.ts';
import { parseExploreExport, toExploreExport } from '../../src/core/explore/export.ts';
import { DEFAULT_EXPLORE_SETTINGS } from '../../src/core/explore/method.ts';
import type { ExplorePaths } from '../../src/core/explore/session.ts';
import {
  addPaths,
  contextAt,
  forkPoint,
  newTree,
  nextLabel,
  removeBranch,
  setCollapsed,
  setPinned,
  treeRows,
  type ExploreTree,
} from '../../src/core/explore/tree.ts';

/** A trace for `text`, one character per token; alternatives are the token itself and "x". */
function traced(text: string, probs: number[] = []): TokenTrace[] {
  return [...text].map((ch, i) => {
    const p = probs[i] ?? 0.6;
    return {
      id: ch.charCodeAt(0),
      text: ch,
      offset: i,
      prob: p,
      logprob: Math.log(p),
      rank: 1,
      entropy: 0.5,
      top: [
        { id: ch.charCodeAt(0), text: ch, prob: p },
        { id: 120, text: 'x', prob: 0.1 },
      ],
    };
  });
}

const paths = (...texts: string[]): ExplorePaths => ({
  rows: texts.map((t) => ({ text: t, tokens: traced(t), stopReason: 'eos' })),
  stats: { prefillTokens: 3, reusedTokens: 0, forwardCalls: 4, generatedTokens: 9 },
});

function sample(): ExploreTree {
  const s = DEFAULT_EXPLORE_SETTINGS;
  let t = newTree({
    id: 't1',
    modelId: 'm',
    prompt: 'Q: 1+2\nA:',
    promptIds: [5, 6, 7],
    settings: s,
    check: null,
    now: 1,
  });
  t = addPaths(t, paths(' 3.', ' 4.'), { parent: null, forkAt: 0, settings: s, now: 2 });
  t = addPaths(t, paths(' x.'), { parent: 'p1', forkAt: 1, settings: s, now: 3 });
  t = addPaths(t, paths(' xx'), { parent: 'p3', forkAt: 2, settings: s, now: 4 });
  return t;
}

describe('an explore tree', () => {
  it('numbers paths, names the tree after the prompt and lists forks under their parent by position', () => {
    const t = sample();
    expect(t.name).toBe('Q: 1+2');
    expect(nextLabel(t)).toBe('p5');
    expect(treeRows(t).map((r) => `${'  '.repeat(r.depth)}${r.branch.id}`)).toEqual(['p1', '  p3', '    p4', 'p2']);
    const collapsed = setCollapsed(t, 'p1', true, 5);
    expect(treeRows(collapsed).map((r) => [r.branch.id, r.hidden])).toEqual([
      ['p1', 2],
      ['p2', 0],
    ]);
    expect(setPinned(t, 'p2', true, 6).branches.find((b) => b.id === 'p2')!.pinned).toBe(true);
  });

  it('deletes a path with its forks, and says which fork points exist', () => {
    const t = sample();
    expect(removeBranch(t, 'p3', 7).branches.map((b) => b.id)).toEqual(['p1', 'p2']);
    expect(forkPoint(t, 'p1', 1, 120).prefix.map((x) => x.text)).toEqual([' ']);
    expect(() => forkPoint(t, 'p1', 9, 120)).toThrow(/path p1 has 3 tokens; cannot fork at position 9/);
    expect(() => forkPoint(t, 'p1', 1, 99)).toThrow(/token 99 is not among the alternatives at position 1 of path p1/);
    expect(() => removeBranch(t, 'p9', 1)).toThrow(/no path "p9"/);
    expect(contextAt(t, 'p3', 2)).toEqual([5, 6, 7, 32, 120]);
  });

  it('round-trips through its JSON export, and a bad file names the field and value', () => {
    const t = sample();
    expect(parseExploreExport(JSON.stringify(toExploreExport(t)), 'tree.json').tree).toEqual(t);
    const bad = JSON.stringify({ ...toExploreExport(t), tree: { ...t, settings: { ...t.settings, maxNewTokens: 0 } } });
    expect(() => parseExploreExport(bad, 'tree.json')).toThrow(/settings\.maxNewTokens: .*value: 0/);
    const orphan = { ...t, branches: t.branches.map((b) => (b.id === 'p3' ? { ...b, parent: 'p7' } : b)) };
    expect(() => parseExploreExport(JSON.stringify(toExploreExport(orphan)), 'tree.json')).toThrow(
      /tree\.branches\[2\]\.parent: "p7" is not an earlier path/,
    );
    expect(() => parseExploreExport('{"format": "coax-explore",', 'tree.json')).toThrow(/tree\.json: not valid JSON/);
  });
});

describe('the answer check', () => {
  it('reads each path with the extractor, marks it against the expected answer and gives its Δ', () => {
    const text = 'so 12. The answer is 7.';
    const tokens = traced(
      text,
      [...text].map((_, i) => (i === 21 ? 0.9 : 0.5)),
    );
    const check = { expected: '7', extractor: { kind: 'last-number' as const } };
    const a = answerOf({ text, tokens }, check);
    expect(a.extracted).toMatchObject({ value: '7', start: 21, end: 22 });
    expect(a.correct).toBe(true);
    // One answer token with top-1 0.9 and top-2 0.1 ("x"): Δ = 0.8.
    expect(a.delta).toBeCloseTo(0.8, 12);
    expect(answerOf({ text, tokens }, { ...check, expected: '12' }).correct).toBe(false);
    expect(answerOf({ text, tokens }, { ...check, expected: '' }).correct).toBeNull();
    expect(answerOf({ text, tokens }, null)).toEqual({ extracted: null, delta: null, correct: null });
  });
});
