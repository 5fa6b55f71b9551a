/**
 * Resuming interrupted runs (#12) in Chromium: a run over two models whose worker dies while the second model runs,
 * and a run whose tab was closed, resume to the outputs of an uninterrupted run without computing again what was
 * stored.
 */
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { encodeConfig, type ExperimentConfig } from '../../src/core/run/url-config.ts';
import { findMethod } from '../../src/core/methods/method.ts';
import type { RunResults } from '../../src/core/run/results.ts';
import { runToEnd, sharedSite } from './harness.ts';
import { inferenceWorker, openRunId, outputs, stored, timeless, type CoaxGlobal } from './stored-runs.ts';

const site = sharedSite();

const sc = findMethod('self-consistency');
const SETUP: ExperimentConfig = {
  model: 'coax/fixture-tiny',
  suites: ['generated:addition', 'generated:coin-flip'],
  itemLimit: 6,
  generatedSeed: 3,
  methods: ['greedy-plain', { ...sc, decoding: { ...sc.decoding, n: 4 } as typeof sc.decoding, maxNewTokens: 32 }],
  seed: 5,
  batchSize: 2,
};
const PER_MODEL = 2 * 6 * 2;
const TWO = ['coax/fixture-tiny', 'coax/fixture-gqa'];

async function open(page: Page, config: ExperimentConfig): Promise<string[]> {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${site.url}?backend=wasm&config=${encodeConfig(config)}`);
  await page.getByTestId('model-ready').waitFor({ timeout: 120_000 });
  return errors;
}

const waitStatus = (page: Page, status: string, timeout = 120_000) =>
  page.waitForFunction((s) => document.querySelector('[data-testid=run-status]')?.textContent === s, status, {
    timeout,
  });

/** What was stored before the interruption stays as it was: same output, same wall time (not computed again). */
function expectKept(before: RunResults, after: RunResults): void {
  const later = outputs(after);
  for (const [key, out] of outputs(before)) expect(later.get(key), key).toEqual(out);
}

describe('resuming interrupted runs (Chromium, WASM)', () => {
  it('a two-model run whose worker dies on the second model resumes without the first model and equals the uninterrupted run', async () => {
    const config = { ...SETUP, models: TWO };
    const first = await site.browser.newPage();
    const errors = await open(first, config);
    await runToEnd(first);
    const reference = (await stored(first, await openRunId(first))).results;
    expect(outputs(reference).size).toBe(2 * PER_MODEL);
    await first.close();

    // The same setup in a fresh page (it starts on the first model again); the worker dies during the second model.
    const page = await site.browser.newPage();
    errors.push(...(await open(page, config)));
    await page.getByTestId('run').click();
    await page.waitForFunction(
      () => (globalThis as unknown as CoaxGlobal).coax.experiment.modelStep?.index === 1,
      null,
      { timeout: 240_000 },
    );
    const runId = await openRunId(page);
    const second = (key: string) => key.split('/')[2]!.startsWith('fixture-gqa.');
    // Polled in the page (a round trip per check would let a fast run finish first).
    await page.waitForFunction(
      () =>
        Object.keys((globalThis as unknown as CoaxGlobal).coax.runs.open!.results.suites[0]!.items[0]!.outputs).some(
          (k) => k.startsWith('fixture-gqa.'),
        ),
      null,
      { polling: 10, timeout: 240_000 },
    );
    await inferenceWorker(page).evaluate(() => self.close());
    await waitStatus(page, 'interrupted', 15_000);
    const before = (await stored(page, runId)).results;
    const kept = [...outputs(before).keys()];
    expect(kept.filter((k) => !second(k)).length).toBe(PER_MODEL);
    expect(kept.filter(second).length).toBeGreaterThanOrEqual(1);
    expect(kept.filter(second).length).toBeLessThan(PER_MODEL);

    // Which models the page loads from here on.
    await page.evaluate(() => {
      const engine = (globalThis as unknown as CoaxGlobal).coax.engine;
      const load = engine.load.bind(engine);
      const log: string[] = [];
      Object.assign(globalThis, { loads: log });
      engine.load = () => {
        log.push(engine.selectedId);
        return load();
      };
    });
    await page.getByTestId('resume').click();
    await waitStatus(page, 'done');
    const after = (await stored(page, runId)).results;
    expect(timeless(after)).toEqual(timeless(reference));
    expectKept(before, after);
    // The restarted worker loaded the second model again, and only it: the first model's outputs were all stored.
    expect(await page.evaluate(() => (globalThis as unknown as { loads: string[] }).loads)).toEqual([
      'coax/fixture-gqa',
    ]);
    expect(errors).toEqual([]);
    await page.close();
  }, 900_000);

  it('a run whose tab closed shows as interrupted in a new tab and resumes there to the uninterrupted run', async () => {
    const context = await site.browser.newContext();
    const page = await context.newPage();
    const errors = await open(page, SETUP);
    await runToEnd(page);
    const reference = (await stored(page, await openRunId(page))).results;
    expect(outputs(reference).size).toBe(PER_MODEL);

    // The same run again; the tab closes once a few outputs are stored.
    const previous = await openRunId(page);
    await page.getByTestId('run').click();
    await page.waitForFunction(
      (prev) => (globalThis as unknown as CoaxGlobal).coax.experiment.runId !== prev,
      previous,
      { timeout: 120_000 },
    );
    const runId = await openRunId(page);
    await page.waitForFunction(
      () =>
        (globalThis as unknown as CoaxGlobal).coax.runs
          .open!.results.suites.flatMap((x) => x.items)
          .reduce((n, it) => n + Object.keys(it.outputs).length, 0) >= 2,
      null,
      { polling: 10, timeout: 240_000 },
    );
    expect(await page.getByTestId('run-status').textContent()).toBe('running');
    await page.close();

    // The same profile, a new tab: the run is interrupted there, and Resume finishes it.
    const next = await context.newPage();
    errors.push(...(await open(next, SETUP)));
    const row = next.locator(`[data-testid=run-row][data-run="${runId}"]`);
    await expect.poll(() => row.getByTestId('run-row-status').textContent()).toBe('interrupted');
    const before = (await stored(next, runId)).results;
    expect(outputs(before).size).toBeGreaterThanOrEqual(1);
    expect(outputs(before).size).toBeLessThan(PER_MODEL);
    await row.getByTestId('resume-run').click();
    await waitStatus(next, 'done');
    await expect.poll(() => row.getByTestId('run-row-status').textContent()).toBe('done');
    const after = (await stored(next, runId)).results;
    expect(timeless(after)).toEqual(timeless(reference));
    expectKept(before, after);
    expect(errors).toEqual([]);
    await context.close();
  }, 900_000);
});
