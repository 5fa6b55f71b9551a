import { wilson } from './accuracy.ts';
import { passAtK } from './pass-at-k.ts';

/**
 * pass@k curves and coverage from per-item counts (n draws, c of them successes). These counts are all the unbiased
 * estimator needs, so a run's stored paths (metrics/models.ts) and a committed pass summary (run/pass-summary.ts)
 * go through the same functions and give the same numbers.
 */

export interface ItemCounts {
  itemId: string;
  /** Draws (samples) of the item, and how many of them count as a success under the criterion. */
  n: number;
  c: number;
}

/** One model's (one column's) counts on one suite with one method, items in suite order. */
export interface ModelCounts {
  modelId: string;
  /** The model × method entry the counts are drawn from. */
  columnId: string;
  items: ItemCounts[];
}

export interface ModelCurve {
  modelId: string;
  /** The model × method entry the curve is drawn from. */
  columnId: string;
  /** Samples per item (the same for every item), so k runs 1…n. */
  n: number;
  /** Items with a reference answer and an output. */
  items: number;
  /** Mean unbiased pass@k over the items for k = 1…n (index k − 1). */
  passAtK: number[];
  /** Items solved by at least one of the n samples (pass@n as a count), with its 95% Wilson interval. */
  solved: number;
  low: number;
  high: number;
}

/** The mean pass@k curve of one model's counts; null without items. Every item must have the same n. */
export function curveOfCounts(m: ModelCounts): ModelCurve | null {
  if (m.items.length === 0) return null;
  const n = m.items[0]!.n;
  const other = m.items.find((it) => it.n !== n);
  if (other)
    throw new Error(
      `${m.modelId}: item ${other.itemId} has ${other.n} samples, item ${m.items[0]!.itemId} ${n}; pass@k needs one n`,
    );
  const curve = Array.from(
    { length: n },
    (_, i) => m.items.reduce((a, it) => a + passAtK(n, it.c, i + 1), 0) / m.items.length,
  );
  const solved = m.items.filter((it) => it.c > 0).length;
  return {
    modelId: m.modelId,
    columnId: m.columnId,
    n,
    items: m.items.length,
    passAtK: curve,
    solved,
    ...wilson(solved, m.items.length),
  };
}

export interface CoverageGroup {
  /** The models that solved these items (at any k, i.e. with at least one correct path), in run order; [] = none. */
  models: string[];
  itemIds: string[];
}

export interface Coverage {
  suiteName: string;
  method: string;
  models: string[];
  /** Items each model solved at any k. */
  solved: Record<string, string[]>;
  /** Every combination of models that occurs (upset-style): the most items first, then more models, then run order. */
  groups: CoverageGroup[];
  /** Items with a reference answer that every model answered. */
  items: number;
}

/**
 * Which items each model solves at any k (c > 0), and the items by the exact set of models that solved them. Only
 * items every model has count, so the groups partition them; they keep the first model's item order.
 */
export function coverageOfCounts(suiteName: string, method: string, counts: readonly ModelCounts[]): Coverage {
  const models = counts.map((m) => m.modelId);
  const byModel = counts.map((m) => new Map(m.items.map((it) => [it.itemId, it.c])));
  const itemIds = (counts[0]?.items ?? []).map((it) => it.itemId).filter((id) => byModel.every((m) => m.has(id)));
  const solved: Record<string, string[]> = Object.fromEntries(models.map((m) => [m, []]));
  const byKey = new Map<string, CoverageGroup>();
  for (const id of itemIds) {
    const by = models.filter((_, i) => byModel[i]!.get(id)! > 0);
    for (const m of by) solved[m]!.push(id);
    const key = by.join('\u0000');
    if (!byKey.has(key)) byKey.set(key, { models: by, itemIds: [] });
    byKey.get(key)!.itemIds.push(id);
  }
  const order = (g: CoverageGroup) => g.models.map((m) => models.indexOf(m));
  const groups = [...byKey.values()].sort((a, b) => {
    if (b.itemIds.length !== a.itemIds.length) return b.itemIds.length - a.itemIds.length;
    if (b.models.length !== a.models.length) return b.models.length - a.models.length;
    const oa = order(a);
    const ob = order(b);
    for (let i = 0; i < Math.min(oa.length, ob.length); i++) if (oa[i] !== ob[i]) return oa[i]! - ob[i]!;
    return oa.length - ob.length;
  });
  return { suiteName, method, models, solved, groups, items: itemIds.length };
}
