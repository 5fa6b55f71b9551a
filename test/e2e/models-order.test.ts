/**
 * A run over two models keeps the order the user chose, run after run (Chromium, WASM, the small fixture models).
 * The first run leaves the second model loaded; the next Run must still start on the first model, so that the Models
 * tab's reference model (the first, McNemar's baseline) does not flip between runs.
 */
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { encodeConfig, type ExperimentConfig } from '../../src/core/run/url-config.ts';
import { modelLeaderboard } from '../../src/core/metrics/models.ts';
import { pageErrors, runToEnd, sharedSite } from './harness.ts';
import { stored, openRunId, type CoaxGlobal } from './stored-runs.ts';

const site = sharedSite();

const TWO = ['coax/fixture-tiny', 'coax/fixture-gqa'];
const SETUP: ExperimentConfig = {
  model: TWO[0]!,
  suites: ['generated:addition'],
  itemLimit: 3,
  generatedSeed: 3,
  methods: ['greedy-plain', 'trigger'],
  seed: 5,
  batchSize: 3,
};

/** The Models tab's rows: model, method and the McNemar cell against the first model ('—' on the first's rows). */
async function modelRows(page: Page): Promise<string[][]> {
  await page.getByTestId('tab-models').click();
  await page.getByTestId('model-row').first().waitFor();
  return page
    .getByTestId('model-row')
    .evaluateAll((trs) =>
      trs.map((tr) => [
        tr.getAttribute('data-model') ?? '',
        tr.getAttribute('data-method') ?? '',
        tr.querySelector('[data-testid=mr-p]')?.textContent?.trim() ?? '',
      ]),
    );
}

/** The models of the run the page shows, as stored, and the model the leaderboard compares the others against. */
async function runModels(page: Page): Promise<{ models: string[] | undefined; first: string }> {
  const { results } = await stored(page, await openRunId(page));
  const rows = modelLeaderboard(results);
  return { models: results.models, first: rows.find((r) => r.vsFirstModel === null)!.modelId };
}

describe('the order of models in a run over several models', () => {
  it('two runs in a row go through the models in the order chosen, the first model first both times', async () => {
    const page = await site.browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors = pageErrors(page);
    await page.goto(`${site.url}?backend=wasm&config=${encodeConfig(SETUP)}`);
    await page.getByTestId('model-ready').waitFor({ timeout: 120_000 });
    const selected = () => page.evaluate(() => (globalThis as unknown as CoaxGlobal).coax.engine.selectedId);
    expect(await selected()).toBe(TWO[0]);
    await page.getByTestId(`also-${TWO[1]}`).check();

    const seen: { models: string[] | undefined; first: string; rows: string[][] }[] = [];
    for (let run = 0; run < 2; run++) {
      await runToEnd(page);
      // The run leaves the last model loaded; the list of other models still shows it ticked, after the first.
      expect(await selected()).toBe(TWO[1]);
      const also = page.getByTestId(`also-${TWO[1]}`);
      expect.soft(await also.count()).toBe(1);
      if ((await also.count()) === 1) expect.soft(await also.isChecked()).toBe(true);
      expect.soft(await page.getByTestId(`also-${TWO[0]}`).count()).toBe(0);
      const ran = await runModels(page);
      expect(ran.models, `run ${run + 1}`).toEqual(TWO);
      seen.push({ ...ran, rows: await modelRows(page) });
    }
    for (const { first, rows } of seen) {
      expect(first).toBe(TWO[0]);
      // The first model's rows have no p-value (they are the reference); the second model's rows have one.
      expect(rows.length).toBe(2 * SETUP.methods.length);
      for (const [model, method, p] of rows) expect(p === '—', `${model} ${method}: ${p}`).toBe(model === TWO[0]);
    }
    // Same setup, same seeds: the two runs' leaderboards are the same rows in the same order.
    expect(seen[1]!.rows).toEqual(seen[0]!.rows);
    expect(errors).toEqual([]);
    await page.close();
  }, 600_000);
});
