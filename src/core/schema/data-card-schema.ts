/**
 * A model's data card (data_card.json beside the model, written by training/organism/datacard.py): the one schema
 * that both the model card panel and the competence map read it through. Every part is optional here, because a
 * variant's card carries only some of them; a reader that needs a part says so (the panel: a corpus or a parent).
 */
import { z } from 'zod';

const countsSchema = z.object({
  documents: z.number(),
  tokens: z.number(),
  trained_documents: z.number().optional(),
  trained_tokens: z.number().optional(),
});
export type CorpusCounts = z.infer<typeof countsSchema>;

const corpusSchema = z.object({
  documents: z.number().optional(),
  tokens: z.number().optional(),
  trained_documents: z.number().optional(),
  trained_tokens: z.number().optional(),
  /** Counts per `relation/style`, and per `relation/all`. */
  by_relation_style: z.record(z.string(), countsSchema).optional(),
  procedural_items_trained: z.object({ direct: z.number(), worked: z.number() }).optional(),
  worked_fraction_of_worksheets: z.number().optional(),
  fact_tiers: z.record(z.string(), z.number()).optional(),
});

const factSchema = z.object({
  entity: z.string(),
  relation: z.string(),
  count: z.number(),
  trained_count: z.number().optional(),
  tier: z.string().optional(),
});

export const dataCardSchema = z.object({
  model: z.string().optional(),
  /** A post-trained variant's parent model, its recipe and its data, in words (training/organism/*_card.py). */
  parent: z.string().optional(),
  method: z.string().optional(),
  data: z.string().optional(),
  corpus: corpusSchema.optional(),
  training: z
    .object({ steps: z.number().optional(), tokens: z.number().optional(), elapsed_s: z.number().optional() })
    .optional(),
  facts: z.array(factSchema).optional(),
});
export type DataCard = z.infer<typeof dataCardSchema>;

/** `raw` as a data card, or null when it is none (absent, or not of the card's shape). */
export function parseDataCard(raw: unknown): DataCard | null {
  if (raw === null || raw === undefined) return null;
  const parsed = dataCardSchema.safeParse(raw);
  return parsed.success ? parsed.data : null;
}
