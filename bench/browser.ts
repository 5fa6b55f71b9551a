import type { BenchReport } from '../src/worker/bench/run-bench.ts';
import { launch, serveDist } from '../tools/chromium.ts';

/**
 * The same benchmark inside the built page's worker (Chromium, WASM), plus the page's longest main-thread task
 * (PerformanceObserver 'longtask') while a comparison runs through the UI.
 */
export async function browserBench(
  models: readonly string[],
  quick: boolean,
): Promise<{ reports: BenchReport[]; longestTaskMs: number; longTasks: number; firstRunLongestMs: number }> {
  const { server, url } = await serveDist();
  const { browser, close } = await launch('wasm');
  try {
    const reports: BenchReport[] = [];
    let longestTaskMs = 0;
    let longTasks = 0;
    let firstRunLongestMs = 0;
    for (const id of models) {
      const page = await browser.newPage();
      await page.addInitScript(() => {
        const w = window as unknown as { __longTasks: number[] };
        w.__longTasks = [];
        new PerformanceObserver((list) => list.getEntries().forEach((e) => w.__longTasks.push(e.duration))).observe({
          type: 'longtask',
          buffered: true,
        });
      });
      await page.goto(`${url}?backend=wasm&model=${encodeURIComponent(id)}`);
      await page.getByTestId('model-ready').waitFor({ timeout: 300_000 });
      // Long tasks are counted during runs, not during start-up and model load. The first run in a fresh page
      // also pays one-off costs (first layout of the results, first use of a font); the second is steady state.
      const runOnce = async (items: number) => {
        await page.evaluate(() => ((window as unknown as { __longTasks: number[] }).__longTasks = []));
        await page.getByTestId('suite-size').fill(String(items));
        await page.getByTestId('run').click();
        await page.waitForFunction(
          () => document.querySelector('[data-testid=run-status]')?.textContent === 'running',
          null,
          { timeout: 60_000 },
        );
        await page.waitForFunction(
          () =>
            ['done', 'failed', 'cancelled'].includes(
              document.querySelector('[data-testid=run-status]')?.textContent ?? '',
            ),
          null,
          { timeout: 600_000 },
        );
        return page.evaluate(() => (window as unknown as { __longTasks: number[] }).__longTasks);
      };
      const first = await runOnce(quick ? 2 : 5);
      const steady = await runOnce(quick ? 4 : 20);
      firstRunLongestMs = Math.max(firstRunLongestMs, ...first, 0);
      longestTaskMs = Math.max(longestTaskMs, ...steady, 0);
      longTasks += steady.length;
      reports.push(
        await page.evaluate(
          (q) =>
            (
              globalThis as unknown as { coax: { worker: { bench(q: boolean): Promise<BenchReport> } } }
            ).coax.worker.bench(q),
          quick,
        ),
      );
      await page.close();
    }
    return { reports, longestTaskMs, longTasks, firstRunLongestMs };
  } finally {
    await close();
    await server.close();
  }
}
