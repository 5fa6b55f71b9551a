import type { RunResults } from '../run/results.ts';

/** The parts of a model's data card the competence map reads (data_card.json beside the model). */
export interface DataCard {
  corpus?: {
    by_relation_style?: Record<
      string,
      { documents: number; tokens: number; trained_documents?: number; trained_tokens?: number }
    >;
  };
  facts?: { entity: string; relation: string; count: number; trained_count?: number; tier?: string }[];
}

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
      let correct = 0;
      let n = 0;
      for (const s of results.suites.filter(
        (x) => x.relation === relation && !x.split?.startsWith('ood') && x.split !== 'unseen',
      )) {
        for (const it of s.items) {
          const o = it.outputs[m.id];
          if (!o || it.answer === '') continue;
          n++;
          if (o.correct) correct++;
        }
      }
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
  const rows: FrequencyRow[] = [];
  for (const m of results.methods) {
    const acc = FREQUENCY_BUCKETS.map(() => ({ correct: 0, n: 0 }));
    for (const s of results.suites.filter((x) => x.relation === 'factual')) {
      for (const it of s.items) {
        const o = it.outputs[m.id];
        if (!o) continue;
        const key = `${String(it.tags['entity'] ?? '')}\u0000${String(it.tags['relation'] ?? '')}`;
        const count = seen.get(key) ?? (typeof it.tags['count'] === 'number' ? it.tags['count'] : undefined);
        if (count === undefined) continue;
        const b = FREQUENCY_BUCKETS.findIndex((x) => count >= x.min && count <= x.max);
        acc[b]!.n++;
        if (o.correct) acc[b]!.correct++;
      }
    }
    acc.forEach(
      (a, i) =>
        a.n > 0 && rows.push({ bucket: FREQUENCY_BUCKETS[i]!.label, methodId: m.id, ...a, accuracy: a.correct / a.n }),
    );
  }
  return rows;
}
