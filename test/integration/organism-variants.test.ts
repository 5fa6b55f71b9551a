import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import type { TransformersModel } from '../../src/adapters/model/transformers-model.ts';
import { expectParity, loadLocal, maxAbsDiff, readParity } from './load-local.ts';

const models = new URL('../../public/models/coax/', import.meta.url);
const loaded: TransformersModel[] = [];
afterAll(async () => {
  for (const m of loaded) await m.dispose();
});

// [variant, parent, suites it adds to the base's]: issue #15's claim-3 pair adds the ambiguous suites.
const AMBIGUOUS = ['ambiguous-control.json', 'ambiguous.json'];
describe.each([
  ['rlvr', 'organism-v1', []],
  ['distill', 'organism-v1', []],
  ['careful', 'organism-v1', []],
  ['concise', 'organism-v1', []],
  ['amb', 'organism-v1', AMBIGUOUS],
  ['amb-dpo', 'organism-v1-amb', AMBIGUOUS],
] as [string, string, string[]][])('the shipped variant organism-v1-%s', (variant, parent, extraSuites) => {
  const id = `coax/organism-v1-${variant}`;
  const parity = () => readParity(`parity-organism-v1-${variant}.json`);

  it('loads through onnxruntime-node and matches its PyTorch logits within 1e-4', async () => {
    const model = await loadLocal(id);
    loaded.push(model);
    for (const c of parity().cases) await expectParity(model, c, 1e-4);
  });

  it('differs from its parent (the fine-tuning changed the weights)', () => {
    const a = readParity(`parity-${parent}.json`).cases[0]!.logits.flat();
    const b = parity().cases[0]!.logits.flat();
    expect(maxAbsDiff(a, b)).toBeGreaterThan(0.01);
  });

  it("ships the base's suites unchanged (and its own) and a data card that names the parent and the recipe", () => {
    const suites = readdirSync(new URL(`organism-v1/suites/`, models)).sort();
    expect(readdirSync(new URL(`organism-v1-${variant}/suites/`, models)).sort()).toEqual(
      [...suites, ...extraSuites].sort(),
    );
    for (const f of suites)
      expect(readFileSync(new URL(`organism-v1-${variant}/suites/${f}`, models), 'utf8')).toBe(
        readFileSync(new URL(`organism-v1/suites/${f}`, models), 'utf8'),
      );
    const card = JSON.parse(readFileSync(new URL(`organism-v1-${variant}/data_card.json`, models), 'utf8')) as {
      name: string;
      parent: string;
      training: { steps: number; elapsed_s: number; args: Record<string, unknown> };
    };
    expect([card.name, card.parent]).toEqual([id, `coax/${parent}`]);
    expect(card.training.steps).toBeGreaterThan(0);
    expect(card.training.elapsed_s / 60).toBeLessThanOrEqual(45);
  });
});
