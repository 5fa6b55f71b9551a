import { z } from 'zod';
import { methodSchema } from '../schema/method-schema.ts';
import { parseJson, validate } from '../schema/validate.ts';
import type { RunResults } from './results.ts';

/** A run as a file: what it was (name, model, configuration) and every output with its full traces. */
export interface RunExport {
  format: 'coax-run';
  version: 1;
  name: string;
  createdAt: number;
  config: string;
  backend?: string;
  results: RunResults;
}

const itemSchema = z.object({
  itemId: z.string(),
  question: z.string(),
  answer: z.string(),
  tags: z.record(z.string(), z.union([z.string(), z.number()])),
  outputs: z.record(
    z.string(),
    z.object({ text: z.string(), correct: z.boolean(), tokens: z.array(z.unknown()) }).passthrough(),
  ),
});

const exportSchema = z.object({
  format: z.literal('coax-run'),
  version: z.literal(1),
  name: z.string(),
  createdAt: z.number(),
  config: z.string(),
  backend: z.string().optional(),
  results: z.object({
    version: z.literal(1),
    modelId: z.string(),
    seed: z.number().int(),
    methods: z.array(methodSchema),
    suites: z.array(
      z.object({
        suiteName: z.string(),
        relation: z.string().optional(),
        split: z.string().optional(),
        items: z.array(itemSchema),
      }),
    ),
  }),
});

export function parseRunExport(text: string, source: string): RunExport {
  const parsed = validate(exportSchema, parseJson(text, source), source) as unknown as RunExport;
  const ids = new Set(parsed.results.methods.map((m) => m.id));
  parsed.results.suites.forEach((s, si) =>
    s.items.forEach((it, ii) => {
      for (const id of Object.keys(it.outputs))
        if (!ids.has(id))
          throw new Error(
            `${source}: results.suites[${si}].items[${ii}].outputs has method "${id}", which the run does not list`,
          );
    }),
  );
  return parsed;
}

function csvCell(v: string | number | boolean | null): string {
  const s = v === null ? '' : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One row per item, with each method's output, answer and verdict side by side. */
export function toCsv(results: RunResults): string {
  const header = [
    'suite',
    'item',
    'question',
    'answer',
    ...results.methods.flatMap((m) => [`${m.id}:output`, `${m.id}:answer`, `${m.id}:correct`, `${m.id}:delta`]),
  ];
  const rows = results.suites.flatMap((s) =>
    s.items.map((it) => [
      s.suiteName,
      it.itemId,
      it.question,
      it.answer,
      ...results.methods.flatMap((m) => {
        const o = it.outputs[m.id];
        return o
          ? [o.text, o.extracted?.value ?? null, o.correct, o.delta === null ? null : Number(o.delta.toFixed(6))]
          : [null, null, null, null];
      }),
    ]),
  );
  return [header, ...rows].map((r) => r.map(csvCell).join(',')).join('\n') + '\n';
}
