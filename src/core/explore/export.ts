import { z } from 'zod';
import { processorSchema } from '../schema/method-schema.ts';
import { extractorSchema } from '../schema/suite-schema.ts';
import { parseJson, validate } from '../schema/validate.ts';
import type { ExploreMethod, ExploreSettings } from './method.ts';
import type { ExploreTree } from './tree.ts';

/** An explored prompt as a file: the whole tree with every path's full token traces. */
export interface ExploreExport {
  format: 'coax-explore';
  version: 1;
  tree: ExploreTree;
}

export const exploreMethodSchema: z.ZodType<ExploreMethod> = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('greedy') }).strict(),
  z.object({ kind: z.literal('sample'), chain: z.array(processorSchema) }).strict(),
  z.object({ kind: z.literal('cot-decoding'), k: z.number().int().min(1).max(64) }).strict(),
  z
    .object({ kind: z.literal('samples'), n: z.number().int().min(1).max(64), chain: z.array(processorSchema) })
    .strict(),
]);

export const exploreSettingsSchema: z.ZodType<ExploreSettings> = z
  .object({
    method: exploreMethodSchema,
    maxNewTokens: z.number().int().min(1).max(4096),
    stopStrings: z.array(z.string().min(1)),
    seed: z.number().int(),
    topAlternatives: z.number().int().min(1).max(50),
  })
  .strict();

const probability = z.number().min(0).max(1);
const alternative = z.object({ id: z.number().int().min(0), text: z.string(), prob: probability });
const token = z.object({
  id: z.number().int().min(0),
  text: z.string(),
  offset: z.number().int().min(0),
  prob: probability,
  logprob: z.number().max(0),
  rank: z.number().int().min(1),
  entropy: z.number().min(0),
  top: z.array(alternative),
  score: z.number().optional(),
  format: z.literal(true).optional(),
});
const stats = z.object({
  prefillTokens: z.number().int().min(0),
  reusedTokens: z.number().int().min(0),
  forwardCalls: z.number().int().min(0),
  generatedTokens: z.number().int().min(0),
});
const branch = z.object({
  id: z.string().regex(/^p\d+$/, 'path ids are p1, p2, …'),
  parent: z.string().nullable(),
  forkAt: z.number().int().min(0),
  method: exploreMethodSchema,
  tokens: z.array(token),
  text: z.string(),
  stopReason: z.enum(['eos', 'stop-string', 'max-tokens']),
  stats,
  createdAt: z.number(),
  pinned: z.boolean(),
  collapsed: z.boolean(),
});

const treeSchema = z.object({
  id: z.string().min(1),
  name: z.string(),
  createdAt: z.number(),
  updatedAt: z.number(),
  modelId: z.string().min(1),
  backend: z.string().optional(),
  prompt: z.string().min(1),
  promptIds: z.array(z.number().int().min(0)).min(1),
  settings: exploreSettingsSchema,
  check: z.object({ expected: z.string(), extractor: extractorSchema }).nullable(),
  branches: z.array(branch),
  nextPath: z.number().int().min(1),
});

const exportSchema = z.object({ format: z.literal('coax-explore'), version: z.literal(1), tree: treeSchema });

export function toExploreExport(tree: ExploreTree): ExploreExport {
  return { format: 'coax-explore', version: 1, tree };
}

/** Read an exported tree, or throw naming the field, value and rule that failed (and links that do not hold). */
export function parseExploreExport(text: string, source: string): ExploreExport {
  const data = validate(exportSchema, parseJson(text, source), source) as ExploreExport;
  const ids = new Set<string>();
  data.tree.branches.forEach((b, i) => {
    const where = `${source}: tree.branches[${i}]`;
    if (ids.has(b.id)) throw new Error(`${where}.id: "${b.id}" appears twice`);
    if (b.parent !== null && !ids.has(b.parent))
      throw new Error(`${where}.parent: "${b.parent}" is not an earlier path of this tree`);
    if (b.forkAt >= Math.max(1, b.tokens.length))
      throw new Error(`${where}.forkAt: ${b.forkAt} is past the path's ${b.tokens.length} tokens`);
    const n = Number(b.id.slice(1));
    if (n >= data.tree.nextPath) throw new Error(`${where}.id: "${b.id}" is not below nextPath ${data.tree.nextPath}`);
    ids.add(b.id);
  });
  return data;
}
