import { existsSync, readdirSync, readFileSync } from 'node:fs';
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

  it("reads every shipped card: each model under public/models/coax with a data_card.json passes the page's check", () => {
    const root = new URL('../../public/models/coax/', import.meta.url);
    const ids = readdirSync(root).filter((id) => existsSync(new URL(`${id}/data_card.json`, root)));
    expect(ids.length).toBeGreaterThanOrEqual(10);
    for (const id of ids) expect(summarizeDataCard(card(id)).error, id).toBeNull();
  });

  it('summarises a post-trained variant by its parent and recipe, with or without a corpus section', () => {
    const rlvr = summarizeDataCard(card('organism-v1-rlvr'));
    expect(rlvr.error).toBeNull();
    expect(rlvr.summary?.recipe).toMatchObject({ parent: 'coax/organism-v1', method: expect.stringMatching(/^GRPO/) });
    const raw = card('organism-v1-rlvr') as { training: { elapsed_s: number; steps: number } };
    expect(rlvr.summary?.recipe?.minutes).toBeCloseTo(raw.training.elapsed_s / 60, 9);
    expect(rlvr.summary?.steps).toBe(raw.training.steps);
    expect(summarizeDataCard(card('organism-v1')).summary?.recipe).toBeNull();
    expect(summarizeDataCard(card('organism-v1-amb-dpo')).summary?.recipe?.parent).toBe('coax/organism-v1-amb');
  });

  it("reads the distilled variant's card with the teacher's worksheets as its corpus", () => {
    const distill = parseDataCard(card('organism-v1-distill'));
    const raw = card('organism-v1-distill') as { training: { tokens: number } };
    expect(distill?.corpus?.trained_tokens).toBe(raw.training.tokens);
    expect(distill?.corpus?.procedural_items_trained?.direct).toBe(0);
    expect(distill?.corpus?.procedural_items_trained?.worked).toBeGreaterThan(0);
    expect(summarizeDataCard(card('organism-v1-distill')).error).toBeNull();
  });

  it("reads issue 15's variants: the hard GRPO run's own samples, and the two orders' shared items", () => {
    const hard = parseDataCard(card('organism-v1-rlvr-hard'));
    const raw = card('organism-v1-rlvr-hard') as { base_pass_at_k: { k: number; items: number } };
    expect(hard?.training?.steps).toBe(200);
    expect(raw.base_pass_at_k).toMatchObject({ k: 16, items: 800 });
    expect(summarizeDataCard(card('organism-v1-rlvr-hard')).error).toBeNull();
    const joint = parseDataCard(card('organism-v1-order-joint'));
    const first = parseDataCard(card('organism-v1-order-structured-first'));
    // the same items, as many steps: only the order differs
    expect(joint?.corpus?.by_relation_style).toEqual(first?.corpus?.by_relation_style);
    expect(joint?.training?.steps).toBe(first?.training?.steps);
    for (const id of ['organism-v1-order-joint', 'organism-v1-order-structured-first'])
      expect(summarizeDataCard(card(id)).error).toBeNull();
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
