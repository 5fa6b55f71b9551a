import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PreviewServer } from 'vite';
import { factFrequency, relationCompetence, type DataCard } from '../../src/core/metrics/competence.ts';
import type { RunResults } from '../../src/core/run/results.ts';
import { launch, screenshotDir, serveDist, runToEnd } from './harness.ts';
import { chartRenderer } from './chart-render.ts';
import { methodLabel } from '../../src/core/methods/method.ts';

let server: PreviewServer;
let url: string;
beforeAll(async () => {
  ({ server, url } = await serveDist());
});
afterAll(async () => {
  await server?.close();
});

describe('the bundled organism in the page', () => {
  it('is the default model, offers its own suites, and maps competence against its data card', async () => {
    const { browser, close } = await launch('wasm');
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      await page.goto(`${url}?backend=wasm`);
      await page.getByTestId('model-ready').waitFor({ timeout: 240_000 });
      // The page opens on its first screen; the playground is one click away, its loaded model panel one line.
      await page.getByTestId('view-playground').click();
      await page.getByTestId('model-expand').click();
      expect(await page.getByTestId('model-select').inputValue()).toBe('coax/organism-v1');
      // Its suites are offered, and its own first suite replaces the generated default.
      await expect.poll(() => page.locator('input[data-suite="facts-tail"]').count()).toBe(1);
      for (const name of ['arith-id', 'facts-head', 'facts-tail']) {
        const box = page.locator(`input[data-suite="${name}"]`);
        if (!(await box.isChecked())) await box.check();
      }
      await page.getByTestId('suite-size').fill('6');
      await runToEnd(page);
      await page.getByTestId('tab-competence').click();
      const state = await page.evaluate(() => {
        const c = (
          globalThis as unknown as { coax: { runs: { open: { results: unknown } }; engine: { card: unknown } } }
        ).coax;
        return { results: c.runs.open.results as RunResults, card: c.engine.card as DataCard };
      });
      const rows = await page
        .getByTestId('competence-row')
        .evaluateAll((trs) =>
          trs.map(
            (tr) =>
              `${tr.getAttribute('data-relation')}|${tr.getAttribute('data-method')}|${tr.querySelector('[data-testid=competence-accuracy]')?.textContent}`,
          ),
        );
      expect(rows).toEqual(
        relationCompetence(state.results, state.card).map(
          (r) => `${r.relation}|${r.methodId}|${Math.round(r.accuracy * 100)}%`,
        ),
      );
      expect(rows.some((r) => r.startsWith('factual|'))).toBe(true);
      // The page draws exactly the chart the chart function draws for the run's fact frequencies.
      const facts = factFrequency(state.results, state.card).map((r) => ({
        ...r,
        method: methodLabel(state.results.methods, r.methodId),
      }));
      expect(facts.length).toBeGreaterThan(0);
      const charts = await chartRenderer(browser);
      try {
        expect(await page.getByTestId('competence-chart').locator('.plot').innerHTML()).toBe(
          await charts.factFrequency(facts),
        );
      } finally {
        await charts.close();
      }
      await page.screenshot({ path: join(screenshotDir(), 'organism-competence.png'), fullPage: true });
    } finally {
      await close();
    }
  });
});
