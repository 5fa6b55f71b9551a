import { z } from 'zod';
import { BUILTIN_METHODS, type MethodSpec } from '../methods/method.ts';
import { templateText, type PromptSpec } from '../methods/prompt.ts';
import type { ProcessorSpec } from '../logits/processors.ts';
import { parseJson, validate, ValidationError } from './validate.ts';

const keep = z.number().int().min(1).optional();

export const processorSchema: z.ZodType<ProcessorSpec> = z.discriminatedUnion('name', [
  z.object({ name: z.literal('repetition-penalty'), penalty: z.number().positive().max(100) }).strict(),
  z.object({ name: z.literal('temperature'), temperature: z.number().positive().max(1000) }).strict(),
  z.object({ name: z.literal('top-k'), k: z.number().int().min(1), minTokensToKeep: keep }).strict(),
  z.object({ name: z.literal('top-p'), p: z.number().min(0).max(1), minTokensToKeep: keep }).strict(),
  z.object({ name: z.literal('min-p'), p: z.number().min(0).max(1), minTokensToKeep: keep }).strict(),
  z.object({ name: z.literal('typical'), mass: z.number().gt(0).lt(1), minTokensToKeep: keep }).strict(),
]);

export const promptSchema: z.ZodType<PromptSpec> = z
  .object({
    template: z.enum(['qa', 'lm-eval', 'custom']),
    custom: z.string().optional(),
    triggerSource: z.enum(['none', 'suite', 'custom']),
    trigger: z.string().optional(),
    shots: z.number().int().min(0).max(64),
    shotForm: z.enum(['direct', 'worked']),
  })
  .strict()
  .superRefine((p, ctx) => {
    try {
      templateText(p);
    } catch (err) {
      ctx.addIssue({
        code: 'custom',
        path: [p.template === 'custom' ? 'custom' : 'template'],
        message: (err as Error).message,
      });
    }
    if (p.triggerSource === 'custom' && !p.trigger)
      ctx.addIssue({ code: 'custom', path: ['trigger'], message: 'a custom trigger needs its text' });
  });

const decodingSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('greedy') }).strict(),
  z
    .object({
      kind: z.literal('sample'),
      n: z.number().int().min(1).max(256),
      chain: z.array(processorSchema),
      aggregate: z.enum(['majority', 'delta-weighted', 'best-of-n']),
    })
    .strict(),
  z
    .object({ kind: z.literal('cot-decoding'), k: z.number().int().min(1).max(64), aggregate: z.enum(['max', 'sum']) })
    .strict(),
  z
    .object({
      kind: z.literal('contrast'),
      weak: promptSchema,
      beta: z.number().min(0).max(100),
      alpha: z.number().gt(0).max(1),
    })
    .strict(),
]);

export const steerSchema = z
  .object({
    layer: z.number().int().min(0).max(1023),
    scale: z.number().min(-1e4).max(1e4),
    vector: z
      .union([
        z.literal('caa'),
        z
          .array(z.number().finite())
          .min(1)
          .refine((v) => v.some((x) => x !== 0), 'a steering vector cannot be all zeros'),
      ])
      .optional(),
    feature: z.number().int().min(0).max(1_000_000).optional(),
    pairs: z.enum(['shots', 'trigger']).optional(),
    positions: z.enum(['all', 'answer', 'last']).optional(),
  })
  .strict()
  .refine((s) => (s.vector === undefined) !== (s.feature === undefined), {
    message: 'steer needs exactly one of "vector" (\'caa\' or numbers) and "feature" (an SAE feature index)',
  });

export const methodSchema: z.ZodType<MethodSpec> = z
  .object({
    id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'ids use letters, digits, ".", "_" and "-"'),
    label: z.string().min(1),
    prompt: promptSchema,
    decoding: decodingSchema,
    maxNewTokens: z.number().int().min(1).max(4096),
    stopStrings: z.array(z.string().min(1)),
    steer: steerSchema.optional(),
  })
  .strict();

/**
 * A methods list from the CLI or a file: method ids of built-in presets, or full method objects,
 * or a mix. `text` is either JSON (an array) or comma-separated ids.
 */
export function parseMethods(text: string, source: string): MethodSpec[] {
  const trimmed = text.trim();
  const raw: unknown =
    trimmed.startsWith('[') || trimmed.startsWith('{')
      ? parseJson(trimmed, source)
      : trimmed
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean);
  const list = Array.isArray(raw) ? raw : [raw];
  if (list.length === 0) throw new ValidationError(`${source}: no methods given`);
  const methods = list.map((entry, i) => {
    if (typeof entry === 'string') {
      const m = BUILTIN_METHODS.find((x) => x.id === entry);
      if (!m)
        throw new ValidationError(
          `${source}[${i}]: unknown method "${entry}"; built-in methods: ${BUILTIN_METHODS.map((x) => x.id).join(', ')}`,
        );
      return m;
    }
    return validate(methodSchema, entry, `${source}[${i}]`);
  });
  const seen = new Set<string>();
  for (const m of methods) {
    if (seen.has(m.id)) throw new ValidationError(`${source}: two methods share the id "${m.id}"`);
    seen.add(m.id);
  }
  return methods;
}
