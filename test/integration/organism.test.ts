import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TransformersModel } from '../../src/adapters/model/transformers-model.ts';
import { parseSuite } from '../../src/core/schema/suite-schema.ts';
import { expectParity, loadLocal, readParity } from './load-local.ts';

const ID = 'coax/organism-v1';
const dir = new URL(`../../public/models/${ID}/`, import.meta.url);
const parity = readParity('parity-organism-v1.json');
const tokenizerCases = JSON.parse(
  readFileSync(new URL('../fixtures/organism-tokenizer-cases.json', import.meta.url), 'utf8'),
) as { text: string; ids: number[] }[];

let model: TransformersModel;
beforeAll(async () => {
  model = await loadLocal(ID);
});
afterAll(async () => {
  await model?.dispose();
});

describe('the bundled model organism', () => {
  it('matches its PyTorch logits within 1e-4 at every position', async () => {
    for (const c of parity.cases) await expectParity(model, c, 1e-4);
  });

  it('tokenizes like the Python BPE (digits alone, a space merged into the next character)', () => {
    for (const c of tokenizerCases)
      expect(model.tokenizer.encode(c.text, { add_special_tokens: false })).toEqual(c.ids);
  });

  it('starts every prompt with <|endoftext|>, as every training document does', () => {
    const ids = model.encode('Q: 3+4\nA:');
    expect(ids[0]).toBe(0);
    expect(ids.slice(1)).toEqual(model.tokenizer.encode('Q: 3+4\nA:', { add_special_tokens: false }));
  });

  it('ships eight suites of at least 200 items, exemplars apart from test items, and a data card', () => {
    const files = readdirSync(new URL('suites/', dir)).sort();
    expect(files).toEqual(
      [
        'arith-id',
        'arith-ood-format',
        'arith-ood-length',
        'arith-ood-task',
        'facts-head',
        'facts-tail',
        'facts-unseen',
        'open-ended',
      ].map((n) => `${n}.json`),
    );
    for (const f of files) {
      const suite = parseSuite(readFileSync(new URL(`suites/${f}`, dir), 'utf8'), f);
      expect(suite.items.length).toBeGreaterThanOrEqual(200);
      expect(suite.exemplars.length).toBeGreaterThan(0);
    }
    const card = JSON.parse(readFileSync(new URL('data_card.json', dir), 'utf8')) as {
      corpus: unknown;
      facts: unknown[];
    };
    expect(card.corpus).toBeTruthy();
    expect(card.facts.length).toBeGreaterThan(0);
  });
});
