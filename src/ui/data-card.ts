/**
 * A model's data card (data_card.json, written by training/organism/datacard.py) read into what the model card
 * panel shows: the training distribution per relation type, the direct/worked mix and the fact tiers.
 */
import { dataCardSchema, type CorpusCounts } from '../core/schema/data-card-schema.ts';

export interface StyleRow {
  style: string;
  documents: number;
  tokens: number;
  trainedTokens: number;
}

export interface RelationMixRow extends StyleRow {
  relation: string;
  /** Share of all trained tokens. */
  share: number;
  styles: StyleRow[];
}

export interface DataCardSummary {
  model: string | null;
  /** A post-trained variant: its parent, recipe and data (null for a model trained from scratch). */
  recipe: { parent: string; method: string | null; data: string | null; minutes: number | null } | null;
  documents: number | null;
  tokens: number | null;
  trainedTokens: number | null;
  steps: number | null;
  relations: RelationMixRow[];
  /** Procedural items trained on, answered directly or worked step by step. */
  procedural: { direct: number; worked: number; workedShare: number } | null;
  /** The corpus plan's share of worked worksheets. */
  plannedWorkedFraction: number | null;
  tiers: { tier: string; facts: number }[];
  factsListed: number;
}

/** The summary, or what is wrong with the card (field path and message). */
export function summarizeDataCard(
  raw: unknown,
): { summary: DataCardSummary; error: null } | { summary: null; error: string } {
  const parsed = dataCardSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return {
      summary: null,
      error: `data_card.json: ${issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'unexpected shape'}`,
    };
  }
  const card = parsed.data;
  // A model trained from scratch describes its corpus; a post-trained variant may name its parent instead.
  if (!card.corpus && !card.parent)
    return { summary: null, error: 'data_card.json: corpus: missing (a card describes its corpus or names a parent)' };
  const corpus = card.corpus ?? {};
  const elapsed = card.training?.elapsed_s;
  const recipe = card.parent
    ? {
        parent: card.parent,
        method: card.method ?? null,
        data: card.data ?? null,
        minutes: elapsed === undefined ? null : elapsed / 60,
      }
    : null;
  const table = corpus.by_relation_style ?? {};
  const trained = (c: CorpusCounts) => c.trained_tokens ?? c.tokens;
  const alls = Object.entries(table).filter(([k]) => k.endsWith('/all'));
  const totalTrained = alls.reduce((n, [, c]) => n + trained(c), 0);
  const relations: RelationMixRow[] = alls.map(([key, c]) => {
    const relation = key.slice(0, -'/all'.length);
    const styles = Object.entries(table)
      .filter(([k]) => k.startsWith(`${relation}/`) && k !== key)
      .map(([k, s]) => ({
        style: k.slice(relation.length + 1),
        documents: s.documents,
        tokens: s.tokens,
        trainedTokens: trained(s),
      }));
    return {
      relation,
      style: 'all',
      documents: c.documents,
      tokens: c.tokens,
      trainedTokens: trained(c),
      share: totalTrained ? trained(c) / totalTrained : 0,
      styles,
    };
  });
  const p = corpus.procedural_items_trained;
  return {
    error: null,
    summary: {
      model: card.model ?? null,
      recipe,
      documents: corpus.documents || null,
      tokens: corpus.tokens || null,
      trainedTokens: corpus.trained_tokens || card.training?.tokens || null,
      steps: card.training?.steps ?? null,
      relations: relations.sort((a, b) => b.trainedTokens - a.trainedTokens),
      procedural: p
        ? {
            direct: p.direct,
            worked: p.worked,
            workedShare: p.direct + p.worked ? p.worked / (p.direct + p.worked) : 0,
          }
        : null,
      plannedWorkedFraction: corpus.worked_fraction_of_worksheets ?? null,
      tiers: Object.entries(corpus.fact_tiers ?? {}).map(([tier, facts]) => ({ tier, facts })),
      factsListed: card.facts?.length ?? 0,
    },
  };
}
