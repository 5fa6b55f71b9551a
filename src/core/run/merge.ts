import type { RunResults } from './results.ts';

/**
 * Two runs in one comparison: each method is prefixed with its run's name, suites are matched by name and
 * items by id (items only one run has are kept, with the other's outputs missing).
 */
export function mergeRuns(a: RunResults, nameA: string, b: RunResults, nameB: string): RunResults {
  const tag = (prefix: string, name: string, r: RunResults) =>
    r.methods.map((m) => ({ ...m, id: `${prefix}/${m.id}`, label: `${name}: ${m.label}` }));
  const methods = [...tag('A', nameA, a), ...tag('B', nameB, b)];
  const suiteNames = [...new Set([...a.suites, ...b.suites].map((s) => s.suiteName))];
  const suites = suiteNames.map((name) => {
    const sa = a.suites.find((s) => s.suiteName === name);
    const sb = b.suites.find((s) => s.suiteName === name);
    const ids = [...new Set([...(sa?.items ?? []), ...(sb?.items ?? [])].map((it) => it.itemId))];
    const items = ids.map((id) => {
      const ia = sa?.items.find((it) => it.itemId === id);
      const ib = sb?.items.find((it) => it.itemId === id);
      const base = (ia ?? ib)!;
      const outputs = {
        ...Object.fromEntries(Object.entries(ia?.outputs ?? {}).map(([k, v]) => [`A/${k}`, v])),
        ...Object.fromEntries(Object.entries(ib?.outputs ?? {}).map(([k, v]) => [`B/${k}`, v])),
      };
      return { itemId: id, question: base.question, answer: base.answer, tags: base.tags, outputs };
    });
    return { suiteName: name, relation: sa?.relation ?? sb?.relation, split: sa?.split ?? sb?.split, items };
  });
  return {
    version: 1,
    modelId: a.modelId === b.modelId ? a.modelId : `${a.modelId} | ${b.modelId}`,
    seed: a.seed,
    methods,
    suites,
  };
}
