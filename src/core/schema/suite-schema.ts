import { z } from 'zod';
import type { ExtractorSpec } from '../tasks/extract.ts';
import { compileUserRegex } from '../tasks/extract.ts';
import type { Suite } from '../tasks/suite.ts';
import { idProblem } from './ids.ts';
import { parseJson, validate } from './validate.ts';

export const extractorSchema: z.ZodType<ExtractorSpec> = z.union([
  z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('last-number') }).strict(),
    z.object({ kind: z.literal('strict') }).strict(),
    z.object({ kind: z.literal('exact-line') }).strict(),
    z.object({ kind: z.literal('exact') }).strict(),
    z.object({ kind: z.literal('none') }).strict(),
    z.object({ kind: z.literal('lm-eval:flexible-extract') }).strict(),
    z.object({ kind: z.literal('lm-eval:strict-match') }).strict(),
    z.object({ kind: z.literal('lm-eval:strict-match-cot') }).strict(),
    z
      .object({
        kind: z.literal('regex'),
        pattern: z.string(),
        flags: z.string().optional(),
        select: z.enum(['first', 'last']).optional(),
        lowercase: z.boolean().optional(),
      })
      .strict()
      .superRefine((r, ctx) => {
        try {
          compileUserRegex(r.pattern, r.flags);
        } catch (err) {
          ctx.addIssue({ code: 'custom', path: ['pattern'], message: (err as Error).message });
        }
      }),
  ]),
  // The organism's suite files name the extractor by kind alone.
  z
    .enum([
      'last-number',
      'strict',
      'exact-line',
      'exact',
      'none',
      'lm-eval:flexible-extract',
      'lm-eval:strict-match',
      'lm-eval:strict-match-cot',
    ])
    .transform((kind) => ({ kind }) as ExtractorSpec),
]);

const tags = z.record(z.string(), z.union([z.string(), z.number()]));

export const suiteSchema: z.ZodType<Suite> = z
  .object({
    name: z.string().min(1),
    description: z.string().default(''),
    relation: z.enum(['procedural', 'factual', 'open-ended']).optional(),
    split: z.string().optional(),
    extractor: extractorSchema,
    trigger: z.string().optional(),
    formatTokens: z.array(z.string()).optional(),
    items: z
      .array(
        z
          .object({
            id: z.string().superRefine((id, ctx) => {
              const problem = idProblem(id);
              if (problem) ctx.addIssue({ code: 'custom', message: problem });
            }),
            question: z.string().refine((q) => q.trim() !== '', 'the question is blank'),
            answer: z.string(),
            tags: tags.optional(),
          })
          .passthrough(),
      )
      .min(1, 'a suite needs at least one item'),
    exemplars: z
      .array(
        z.object({ question: z.string().min(1), answer: z.string(), worked: z.string().default('') }).passthrough(),
      )
      .default([]),
  })
  .passthrough()
  .superRefine((s, ctx) => {
    const ids = new Set<string>();
    s.items.forEach((it, i) => {
      if (ids.has(it.id))
        ctx.addIssue({ code: 'custom', path: ['items', i, 'id'], message: `duplicate item id "${it.id}"` });
      ids.add(it.id);
    });
    // An exemplar that repeats a test question gives its answer away; open-ended suites have no answers to leak.
    const scored = (s.extractor as ExtractorSpec).kind !== 'none';
    const questions = new Set(scored ? s.items.map((it) => it.question) : []);
    s.exemplars.forEach((ex, i) => {
      if (questions.has(ex.question))
        ctx.addIssue({
          code: 'custom',
          path: ['exemplars', i, 'question'],
          message: 'an exemplar repeats a test question',
        });
    });
  }) as unknown as z.ZodType<Suite>;

/** A suite file (the organism's suites, or one a user imports), validated with errors that name the field. */
export function parseSuite(text: string, source: string): Suite {
  return validate(suiteSchema, parseJson(text, source), source);
}
