import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseModelConfig } from '../../src/core/schema/model-config.ts';

const bundled = readdirSync('public/models/coax')
  .map((d) => join('public/models/coax', d, 'config.json'))
  .filter((p) => existsSync(p));

describe("a model folder's config.json", () => {
  it.each(bundled)('the bundled %s passes', (path) => {
    expect(() => parseModelConfig(readFileSync(path, 'utf8'), path)).not.toThrow();
  });

  const base = { model_type: 'llama', vocab_size: 64, hidden_size: 32, num_attention_heads: 4, num_key_value_heads: 2 };
  it.each<[string, Record<string, unknown>, RegExp]>([
    ['hidden_size "wide"', { hidden_size: 'wide' }, /m\/config\.json is not valid:\n {2}hidden_size: .*number.*"wide"/],
    ['no vocab_size', { vocab_size: undefined }, /vocab_size: .*missing/],
    ['a fractional layer count', { num_hidden_layers: 2.5 }, /num_hidden_layers: /],
    [
      'key/value heads that do not divide the heads',
      { num_key_value_heads: 3 },
      /num_key_value_heads: must divide num_attention_heads \(4\)/,
    ],
    [
      'a width the heads do not divide',
      { hidden_size: 30 },
      /hidden_size: must be a multiple of the number of attention heads \(4\)/,
    ],
    ['a negative context', { max_position_embeddings: -5 }, /max_position_embeddings: /],
    ['an eos id that is text', { eos_token_id: '</s>' }, /eos_token_id: /],
  ])('refuses %s, naming the file and the field', (_, edit, message) => {
    expect(() => parseModelConfig(JSON.stringify({ ...base, ...edit }), 'm/config.json')).toThrow(message);
  });

  it('refuses a config.json that is not JSON, naming the file', () => {
    expect(() => parseModelConfig('{"vocab_size": 5,', 'm/config.json')).toThrow(
      /m\/config\.json: not valid JSON at line 1/,
    );
  });
});
