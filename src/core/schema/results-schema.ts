import { z } from 'zod';

/**
 * The schema of a run's outputs as the results file stores them (run/results.ts), field for field: every view
 * reads these fields, so a file that passes has what each view needs. Optional fields are those older files lack.
 */
const finite = z.number().refine(Number.isFinite, 'must be a finite number');
const probability = finite.refine((p) => p >= 0 && p <= 1, 'must be a probability in [0, 1]');
const count = z.number().int().min(0);

const alternativeSchema = z.object({ id: count, text: z.string(), prob: probability });

export const tokenTraceSchema = z.object({
  id: count,
  text: z.string(),
  offset: count,
  prob: probability,
  // A probability that underflowed to 0 has log-probability -Infinity, which JSON writes as null.
  logprob: z.number().max(0, 'must be a log-probability (<= 0)').nullable(),
  rank: z.number().int().min(1),
  entropy: finite.refine((v) => v >= 0, 'must be >= 0'),
  top: z.array(alternativeSchema),
  score: finite.optional(),
  format: z.literal(true).optional(),
});

const extractedSchema = z
  .object({ value: z.string(), start: count, end: count })
  .refine((e) => e.end >= e.start, { message: 'end must be >= start', path: ['end'] });

export const pathOutputSchema = z.object({
  text: z.string(),
  tokens: z.array(tokenTraceSchema),
  stopReason: z.enum(['eos', 'stop-string', 'max-tokens', 'too-long']),
  extracted: extractedSchema.nullable(),
  correct: z.boolean(),
  delta: finite.nullable(),
  answerProb: probability.nullable().optional(),
});

const voteSchema = z.object({ answer: z.string(), count: z.number().int().min(1), weight: finite, first: count });
// maj@k written before it was clamped could exceed 1 by float rounding (1.0000000000000002 at n = 64): tolerated.
const curve = z.array(finite.refine((p) => p >= 0 && p <= 1 + 1e-9, 'must be a probability in [0, 1]'));

export const methodOutputSchema = pathOutputSchema
  .extend({
    modelId: z.string().min(1).optional(),
    prompt: z.string(),
    promptTokens: count,
    generatedTokens: count,
    ms: finite.refine((v) => v >= 0, 'must be >= 0'),
    paths: z.array(pathOutputSchema).min(1).optional(),
    chosen: count.optional(),
    votes: z.array(voteSchema).optional(),
    probability: probability.nullable().optional(),
    probabilitySource: z.enum(['answer-tokens', 'vote-share']).optional(),
    passAtK: curve.optional(),
    majAtK: curve.optional(),
    majAtKError: z.array(finite).optional(),
    error: z.string().optional(),
  })
  .superRefine((o, ctx) => {
    if (o.chosen !== undefined && (o.paths === undefined || o.chosen >= o.paths.length))
      ctx.addIssue({
        code: 'custom',
        path: ['chosen'],
        message: `must index one of the ${o.paths?.length ?? 0} paths`,
      });
    if (o.votes !== undefined) {
      const total = o.votes.reduce((n, v) => n + v.count, 0);
      const paths = o.paths?.length ?? 1;
      if (total > paths)
        ctx.addIssue({ code: 'custom', path: ['votes'], message: `count ${total} votes over ${paths} paths` });
      const answers = new Set<string>();
      o.votes.forEach((v, i) => {
        if (answers.has(v.answer))
          ctx.addIssue({ code: 'custom', path: ['votes', i, 'answer'], message: `"${v.answer}" is counted twice` });
        answers.add(v.answer);
      });
    }
    if (o.paths !== undefined && o.chosen === undefined)
      ctx.addIssue({ code: 'custom', path: ['chosen'], message: 'is required when paths are given' });
  });
