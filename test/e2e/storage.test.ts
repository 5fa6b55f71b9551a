/**
 * Storage (#12): the run list shows what each run stores; when the browser's storage fills up mid-run the run goes on,
 * every output stays on screen (and in the exported file), the page says how many were not stored, and the run list
 * marks them.
 */
import { describe, expect, it } from 'vitest';
import type { RunResults } from '../../src/core/run/results.ts';
import { openWithModel, runToEnd, sharedSite } from './harness.ts';

const site = sharedSite();

const count = (r: RunResults) =>
  r.suites.flatMap((s) => s.items).reduce((n, it) => n + Object.keys(it.outputs).length, 0);

describe('storage per run and a full quota (Chromium, WASM, fixture-tiny)', () => {
  it("shows each run's stored size, and keeps every output on screen when storage fills up mid-run", async () => {
    const page = await site.browser.newPage();
    await openWithModel(page, site.url, 'wasm', 'coax/fixture-tiny');
    await page.getByTestId('suite-size').fill('4');
    await runToEnd(page);
    expect(await page.getByTestId('run-warning').count()).toBe(0);
    const row = page.getByTestId('run-row').first();
    const bytes = await page.evaluate(async () => {
      const c = (globalThis as unknown as { coax: { runs: { open: { results: RunResults } } } }).coax;
      return c.runs.open.results.suites
        .flatMap((s) => s.items)
        .flatMap((it) => Object.values(it.outputs))
        .reduce((n, o) => n + JSON.stringify(o).length, 0);
    });
    // The size shown is the outputs' JSON length, formatted.
    // The row follows once the run's size is stored, a moment after the run ends.
    await expect.poll(() => row.getByTestId('run-row-bytes').textContent()).toMatch(/^\d+(\.\d+)? (B|kB|KB|MB)/);
    expect(
      await page.evaluate(
        () => (globalThis as unknown as { coax: { runs: { runs: { bytes?: number }[] } } }).coax.runs.runs[0]!.bytes,
      ),
    ).toBe(bytes);

    // The site's storage fills up after 10 more outputs: the store's writes then fail as IndexedDB fails them.
    // (Chromium's DevTools quota override is not enforced on IndexedDB writes here, so the failure is injected.)
    await page.evaluate(() => {
      const store = (
        globalThis as unknown as {
          coax: { runs: { store: { putOutput: (...args: unknown[]) => Promise<void> } } };
        }
      ).coax.runs.store;
      const put = store.putOutput.bind(store);
      let left = 10;
      store.putOutput = (...args: unknown[]) =>
        left-- > 0
          ? put(...args)
          : Promise.reject(new DOMException('The quota has been exceeded.', 'QuotaExceededError'));
    });
    // The browser says little room is left: the page warns before the run, and runs it anyway.
    await page.evaluate(() => {
      navigator.storage.estimate = async () => ({ usage: 0, quota: 50_000 });
    });
    await page.getByTestId('suite-size').fill('20');
    await runToEnd(page);
    expect(await page.getByTestId('run-warning').textContent()).toMatch(
      /may need up to .* grants the site 48\.8 KB more/,
    );
    const open = await page.evaluate(
      () =>
        (globalThis as unknown as { coax: { runs: { open: { header: { id: string }; results: RunResults } } } }).coax
          .runs.open,
    );
    const total = count(open.results);
    const stored = await page.evaluate(async (id) => {
      const c = (
        globalThis as unknown as { coax: { runs: { store: { load(id: string): Promise<{ results: RunResults }> } } } }
      ).coax;
      return (await c.runs.store.load(id)).results;
    }, open.header.id);
    const kept = count(stored);
    expect(total).toBe(2 * 20);
    expect(kept).toBe(10);
    const error = await page.getByTestId('runs-error').textContent();
    const row2 = page.locator(`[data-testid=run-row][data-run="${open.header.id}"]`);
    expect(await row2.getByTestId('run-row-unsaved').textContent()).toContain(`${total - kept} not stored`);
    expect(await row2.getByTestId('run-row-status').textContent()).toBe('done');
    expect(error).toContain(`${total - kept} outputs of this run could not be stored`);
    expect(error).toContain('storage for this site is full');
    await page.close();
  });
});
