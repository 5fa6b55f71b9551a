import { z } from 'zod';
import type { PassCriterion } from '../metrics/models.ts';
import type { ModelCounts } from '../metrics/pass-counts.ts';
import { parseJson, validate } from '../schema/validate.ts';

/**
 * A compact, committable summary of pass@k results (written by tools/pass-summary.ts): per model × suite × method ×
 * item, the sample count and how many samples had the right answer, a verified trace and a worked trace. The raw
 * chunk files are megabytes each (256 traced paths per item); these counts are all that pass@k, solved sets,
 * coverage and the crossover need, so `coax compare` and tools/variant-claims.ts read them like results files.
 */
export const SUMMARY_FORMAT = 'coax-pass-summary';

const count = z.number().int().nonnegative();

const itemSchema = z
  .object({
    id: z.string().min(1),
    question: z.string(),
    answer: z.string(),
    steps: z.number().int().nullable(),
    /** Samples, and of them: right final answer, fully verified trace, worked trace. */
    n: z.number().int().positive(),
    correct: count,
    verified: count,
    worked: count,
    /** The method's chosen output: right, worked, verified; and its generated tokens summed over paths. */
    chosenCorrect: z.boolean(),
    chosenWorked: z.boolean(),
    chosenVerified: z.boolean(),
    /** Why the chosen output stopped (eos, stop string, token budget); absent in summaries written before it was kept. */
    chosenStopReason: z.string().optional(),
    generatedTokens: count,
  })
  .refine((it) => it.correct <= it.n && it.verified <= it.n && it.worked <= it.n, {
    message: 'correct, verified and worked count samples, so none can exceed n',
  });

const summarySchema = z.object({
  format: z.literal(SUMMARY_FORMAT),
  version: z.literal(1),
  source: z.string(),
  seed: z.number().int(),
  createdAt: z.union([z.string(), z.number()]).nullable(),
  /** The run's share-link config (methods with their decoding and token budget, seed) and backend, as stored. */
  config: z.string().nullable(),
  backend: z.string().nullable(),
  /** sha256 of the run's method definitions: summaries with different methods must not be merged blindly. */
  methodsHash: z.string(),
  groups: z.array(
    z.object({
      modelId: z.string().min(1),
      suite: z.string().min(1),
      methodId: z.string().min(1),
      items: z.array(itemSchema),
    }),
  ),
});

export type PassSummary = z.infer<typeof summarySchema>;
export type SummaryItem = PassSummary['groups'][number]['items'][number];

/** Whether a parsed JSON value claims to be a pass summary (then parsePassSummary checks the rest). */
export const isPassSummary = (raw: unknown): boolean =>
  typeof raw === 'object' && raw !== null && (raw as { format?: unknown }).format === SUMMARY_FORMAT;

export function parsePassSummary(text: string, source: string): PassSummary {
  return validate(summarySchema, parseJson(text, source), source);
}

/** Summaries merged: model × suite × method → item id → item; an item in two summaries is an error. */
export interface SummaryIndex {
  models: string[];
  seeds: number[];
  groups: Map<string, { modelId: string; suite: string; methodId: string; items: Map<string, SummaryItem> }>;
}

const groupKey = (modelId: string, suite: string, methodId: string) => [modelId, suite, methodId].join('\u0000');

export function indexSummaries(summaries: readonly PassSummary[]): SummaryIndex {
  const index: SummaryIndex = { models: [], seeds: [], groups: new Map() };
  for (const s of summaries) {
    if (!index.seeds.includes(s.seed)) index.seeds.push(s.seed);
    for (const g of s.groups) {
      if (!index.models.includes(g.modelId)) index.models.push(g.modelId);
      const k = groupKey(g.modelId, g.suite, g.methodId);
      const entry = index.groups.get(k) ?? {
        modelId: g.modelId,
        suite: g.suite,
        methodId: g.methodId,
        items: new Map(),
      };
      for (const it of g.items) {
        if (entry.items.has(it.id))
          throw new Error(
            `${s.source}: item ${it.id} of ${g.suite} · ${g.methodId} · ${g.modelId} is in two summaries`,
          );
        entry.items.set(it.id, it);
      }
      index.groups.set(k, entry);
    }
  }
  return index;
}

/**
 * Each model's counts with one method on one suite, models in `index.models` order, items in the first model's order
 * (with `common`, only items every model has, as coverage needs).
 */
export function summaryCounts(
  index: SummaryIndex,
  suite: string,
  methodId: string,
  criterion: PassCriterion,
  common = false,
): ModelCounts[] {
  const groups = index.models.flatMap((m) => index.groups.get(groupKey(m, suite, methodId)) ?? []);
  return groups.map((g) => {
    const items = [...g.items.values()].filter((it) => !common || groups.every((x) => x.items.has(it.id)));
    return {
      modelId: g.modelId,
      columnId: `${methodId}@${g.modelId}`,
      items: items.map((it) => ({ itemId: it.id, n: it.n, c: criterion === 'answer' ? it.correct : it.verified })),
    };
  });
}
