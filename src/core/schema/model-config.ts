import { z } from 'zod';
import { parseJson, validate } from './validate.ts';

/**
 * The fields of a model's config.json that Coax and transformers.js read to run it: the vocabulary width, the
 * special tokens, the context length and the shapes of the KV cache. Each is checked when present (vocab_size
 * must be); a config whose fields have the wrong type ("hidden_size": "wide") is refused, naming the file and the field.
 */
const positive = z.number().int().positive();
const tokenId = z.number().int().min(0);

export const modelConfigSchema = z
  .object({
    model_type: z.string().min(1).optional(),
    architectures: z.array(z.string()).optional(),
    vocab_size: positive,
    eos_token_id: z
      .union([tokenId, z.array(tokenId)])
      .nullable()
      .optional(),
    bos_token_id: z
      .union([tokenId, z.array(tokenId)])
      .nullable()
      .optional(),
    pad_token_id: tokenId.nullable().optional(),
    max_position_embeddings: positive.optional(),
    n_positions: positive.optional(),
    n_ctx: positive.optional(),
    hidden_size: positive.optional(),
    n_embd: positive.optional(),
    num_hidden_layers: positive.optional(),
    n_layer: positive.optional(),
    num_attention_heads: positive.optional(),
    n_head: positive.optional(),
    num_key_value_heads: positive.optional(),
    head_dim: positive.optional(),
  })
  .passthrough()
  .superRefine((c, ctx) => {
    const heads = c.num_attention_heads ?? c.n_head;
    const width = c.hidden_size ?? c.n_embd;
    if (c.num_key_value_heads !== undefined && heads !== undefined && heads % c.num_key_value_heads !== 0)
      ctx.addIssue({
        code: 'custom',
        path: ['num_key_value_heads'],
        message: `must divide num_attention_heads (${heads})`,
      });
    if (c.head_dim === undefined && heads !== undefined && width !== undefined && width % heads !== 0)
      ctx.addIssue({
        code: 'custom',
        path: [c.hidden_size !== undefined ? 'hidden_size' : 'n_embd'],
        message: `must be a multiple of the number of attention heads (${heads})`,
      });
  });

/** A model's config.json, checked: `source` names the file in errors ("coax/x/config.json"). */
export function checkModelConfig(config: unknown, source: string): void {
  validate(modelConfigSchema, config, source);
}

/** config.json as text, parsed and checked. */
export function parseModelConfig(text: string, source: string): void {
  checkModelConfig(parseJson(text, source), source);
}
