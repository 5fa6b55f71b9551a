import type { RunResults } from '../run/results.ts';
import { countCorrect } from './accuracy.ts';
import type { DataCard } from '../schema/data-card-schema.ts';

export type { DataCard };

export interface RelationRow {
  relation: string;
  methodId: string;
  correct: number;
  n: number;
  accuracy: number;
  /** Tokens of this relation type the model was trained on, and their share of all trained tokens. */
  trainedTokens: number;
  share: number;
}

/** Accuracy per relation type (over its in-distribution suites) beside how much of training it made up. */
export function relationCompetence(results: RunResults, card: DataCard): RelationRow[] {
  const table = card.corpus?.by_relation_style ?? {};
  const total = Object.entries(table)
    .filter(([k]) => k.endsWith('/all'))
    .reduce((n, [, v]) => n + (v.trained_tokens ?? v.tokens), 0);
  const rows: RelationRow[] = [];
  const relations = [
    ...new Set(results.suites.map((s) => s.relation).filter((r): r is string => !!r && r !== 'open-ended')),
  ];
  for (const relation of relations) {
    const entry = table[`${relation}/all`];
    const trainedTokens = entry ? (entry.trained_tokens ?? entry.tokens) : 0;
    for (const m of results.methods) {
      const inDistribution = results.suites.filter(
        (x) => x.relation === relation && !x.split?.startsWith('ood') && x.split !== 'unseen',
      );
      const { correct, n } = countCorrect(
        inDistribution.flatMap((x) => x.items),
        m.id,
      );
      if (n > 0)
        rows.push({
          relation,
          methodId: m.id,
          correct,
          n,
          accuracy: correct / n,
          trainedTokens,
          share: total ? trainedTokens / total : 0,
        });
    }
  }
  return rows;
}

export const FREQUENCY_BUCKETS: readonly { label: string; min: number; max: number }[] = [
  { label: 'never', min: 0, max: 0 },
  { label: '1', min: 1, max: 1 },
  { label: '2', min: 2, max: 2 },
  { label: '3–5', min: 3, max: 5 },
  { label: '6–20', min: 6, max: 20 },
  { label: '21+', min: 21, max: Infinity },
];

export interface FrequencyRow {
  bucket: string;
  methodId: string;
  correct: number;
  n: number;
  accuracy: number;
}

/**
 * Factual items by how often their fact was seen in training: the card's trained count for the item's
 * (entity, relation) tags, else the item's own `count` tag.
 */
export function factFrequency(results: RunResults, card: DataCard): FrequencyRow[] {
  const seen = new Map((card.facts ?? []).map((f) => [`${f.entity}\u0000${f.relation}`, f.trained_count ?? f.count]));
  const byBucket = results.suites
    .filter((x) => x.relation === 'factual')
    .flatMap((s) => s.items)
    .flatMap((item) => {
      const key = `${String(item.tags['entity'] ?? '')}\u0000${String(item.tags['relation'] ?? '')}`;
      const count = seen.get(key) ?? (typeof item.tags['count'] === 'number' ? item.tags['count'] : undefined);
      if (count === undefined) return [];
      return [{ item, bucket: FREQUENCY_BUCKETS.findIndex((x) => count >= x.min && count <= x.max) }];
    });
  const rows: FrequencyRow[] = [];
  for (const m of results.methods) {
    FREQUENCY_BUCKETS.forEach((bucket, b) => {
      const { correct, n } = countCorrect(
        byBucket.filter((x) => x.bucket === b).map((x) => x.item),
        m.id,
      );
      if (n > 0) rows.push({ bucket: bucket.label, methodId: m.id, correct, n, accuracy: correct / n });
    });
  }
  return rows;
}
