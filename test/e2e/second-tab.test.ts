/**
 * A second tab must not mark the first tab's live run "interrupted": the first holds a Web Lock per live run, and
 * the second only marks runs whose lock nobody holds (a tab that is gone).
 */
import { describe, expect, it } from 'vitest';
import { openWithModel, sharedSite } from './harness.ts';

const site = sharedSite();

describe('two tabs of the page (Chromium, one profile)', () => {
  it("a second tab leaves the first tab's live run running; a run whose tab closed becomes interrupted", async () => {
    const context = await site.browser.newContext();
    const first = await context.newPage();
    await openWithModel(first, site.url, 'wasm', 'coax/fixture-tiny');
    await first.getByTestId('suite-size').fill('1000');
    await first.getByTestId('run').click();
    await first.waitForFunction(() => document.querySelector('[data-testid=run-status]')?.textContent === 'running');
    await first.getByTestId('run-row').first().waitFor();
    const runId = await first.getByTestId('run-row').first().getAttribute('data-run');

    const second = await context.newPage();
    await second.goto(`${site.url}?backend=wasm&model=coax/fixture-tiny`);
    const row = second.locator(`[data-testid=run-row][data-run="${runId}"] [data-testid=run-row-status]`);
    await row.waitFor({ timeout: 60_000 });
    expect(await first.getByTestId('run-status').textContent()).toBe('running');
    expect(await row.textContent()).toBe('running');

    // The first tab goes away mid-run: a tab opened afterwards marks its run interrupted.
    await first.close();
    const third = await context.newPage();
    await third.goto(`${site.url}?backend=wasm&model=coax/fixture-tiny`);
    const after = third.locator(`[data-testid=run-row][data-run="${runId}"] [data-testid=run-row-status]`);
    await after.waitFor({ timeout: 60_000 });
    expect(await after.textContent()).toBe('interrupted');
    await context.close();
  });
});
