import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseDataCard } from '../../src/core/schema/data-card-schema.ts';
import { summarizeDataCard } from '../../src/ui/data-card.ts';

const card = (id: string) =>
  JSON.parse(
    readFileSync(new URL(`../../public/models/coax/${id}/data_card.json`, import.meta.url), 'utf8'),
  ) as unknown;

describe('the data card schema (one for the model card panel and the competence map)', () => {
  it("reads the organism's card with its facts typed, and a variant's card that has no corpus", () => {
    const organism = parseDataCard(card('organism-v1'));
    expect(organism?.facts?.length).toBeGreaterThan(0);
    expect(organism?.facts?.[0]).toMatchObject({ entity: expect.any(String), relation: expect.any(String) });
    expect(organism?.corpus?.by_relation_style?.['factual/all']?.tokens).toBeGreaterThan(0);
    const variant = parseDataCard(card('organism-v1-rlvr'));
    expect(variant).not.toBeNull();
    expect(variant?.corpus).toBeUndefined();
  });

  it("reads the distilled variant's card with the teacher's worksheets as its corpus", () => {
    const distill = parseDataCard(card('organism-v1-distill'));
    const raw = card('organism-v1-distill') as { training: { tokens: number } };
    expect(distill?.corpus?.trained_tokens).toBe(raw.training.tokens);
    expect(distill?.corpus?.procedural_items_trained?.direct).toBe(0);
    expect(distill?.corpus?.procedural_items_trained?.worked).toBeGreaterThan(0);
    expect(summarizeDataCard(card('organism-v1-distill')).error).toBeNull();
  });

  it('gives null for no card or one of another shape; the panel names the field that is wrong', () => {
    expect(parseDataCard(null)).toBeNull();
    expect(parseDataCard({ facts: [{ entity: 'x', relation: 'city' }] })).toBeNull();
    expect(summarizeDataCard({ model: 'm' })).toMatchObject({
      summary: null,
      error: expect.stringMatching(/^data_card.json: corpus: /),
    });
  });
});
