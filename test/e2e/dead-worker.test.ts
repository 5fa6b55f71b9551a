/**
 * A dead or hung inference worker (#12): the page notices the death, marks the run interrupted, restarts the worker
 * and resumes the run from the stored outputs with results equal to an uninterrupted run; a worker that hangs is
 * noticed by its missing heartbeat and handled the same way; Cancel always gives the page back, even when the worker
 * no longer answers.
 */
import { describe, expect, it } from 'vitest';
import type { Page, Worker } from 'playwright-core';
import { encodeConfig } from '../../src/core/run/url-config.ts';
import { findMethod } from '../../src/core/methods/method.ts';
import type { MethodOutput, RunResults } from '../../src/core/run/results.ts';
import { runToEnd, sharedSite } from './harness.ts';

const site = sharedSite();

const sc = findMethod('self-consistency');
const CONFIG = encodeConfig({
  model: 'coax/fixture-tiny',
  suites: ['generated:addition', 'generated:coin-flip'],
  itemLimit: 6,
  generatedSeed: 3,
  methods: ['greedy-plain', { ...sc, decoding: { ...sc.decoding, n: 4 } as typeof sc.decoding, maxNewTokens: 16 }],
  seed: 5,
  batchSize: 2,
});
const TOTAL = 2 * 6 * 2;

async function open(page: Page, params = ''): Promise<string[]> {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${site.url}?backend=wasm${params}&config=${CONFIG}`);
  await page.getByTestId('model-ready').waitFor({ timeout: 120_000 });
  return errors;
}

function inferenceWorker(page: Page): Worker {
  const w = page.workers().find((x) => x.url().includes('inference'));
  if (!w) throw new Error(`no inference worker among ${page.workers().map((x) => x.url())}`);
  return w;
}

const status = (page: Page) => page.getByTestId('run-status').textContent();

/** The stored run (IndexedDB), read back through the page's run store. */
function stored(page: Page, id: string): Promise<RunResults> {
  return page.evaluate(async (runId) => {
    const c = (
      globalThis as unknown as { coax: { runs: { store: { load(id: string): Promise<{ results: unknown }> } } } }
    ).coax;
    return (await c.runs.store.load(runId)).results as RunResults;
  }, id);
}

const openRunId = (page: Page) =>
  page.evaluate(() => (globalThis as unknown as { coax: { experiment: { runId: string } } }).coax.experiment.runId);

/** Every output of a run by (suite, item, method), without its wall time. */
function outputs(r: RunResults): Map<string, Omit<MethodOutput, 'ms'>> {
  const out = new Map<string, Omit<MethodOutput, 'ms'>>();
  for (const s of r.suites)
    s.items.forEach((item, i) => {
      for (const [m, { ms: _ms, ...rest }] of Object.entries(item.outputs)) out.set(`${s.suiteName}/${i}/${m}`, rest);
    });
  return out;
}

/** Wait until the open run is running and has stored at least 4 outputs. */
function someOutputsStored(page: Page): Promise<unknown> {
  return page.waitForFunction(
    () => {
      const open = (
        globalThis as unknown as { coax: { runs: { open: { header: { status: string }; results: RunResults } } } }
      ).coax.runs.open;
      const n = open.results.suites.flatMap((s) => s.items).reduce((k, it) => k + Object.keys(it.outputs).length, 0);
      return open.header.status === 'running' && n >= 4;
    },
    null,
    { polling: 20 },
  );
}

describe('a dead or hung worker (Chromium, WASM, fixture-tiny)', () => {
  it('a worker that dies mid-run is noticed; restart and resume gives the uninterrupted run, keeping what was stored', async () => {
    const page = await site.browser.newPage();
    const errors = await open(page);
    await runToEnd(page);
    const reference = await stored(page, await openRunId(page));
    expect(outputs(reference).size).toBe(TOTAL);

    // The same run again; the worker closes itself mid-run (as a crash or an out-of-memory kill would end it).
    await page.getByTestId('run').click();
    await someOutputsStored(page);
    await inferenceWorker(page).evaluate(() => self.close());
    await page.waitForFunction(
      () => document.querySelector('[data-testid=run-status]')?.textContent === 'interrupted',
      null,
      {
        timeout: 15_000,
      },
    );
    const runId = await openRunId(page);
    expect(await page.getByTestId('run-error').textContent()).toContain('inference worker stopped');
    expect(await page.getByTestId('cancel').isDisabled()).toBe(true);
    const row = page.locator(`[data-testid=run-row][data-run="${runId}"] [data-testid=run-row-status]`);
    await expect.poll(() => row.textContent()).toBe('interrupted');
    const before = await stored(page, runId);
    const kept = outputs(before);
    expect(kept.size).toBeGreaterThanOrEqual(4);
    expect(kept.size).toBeLessThan(TOTAL);

    await page.getByTestId('resume').click();
    await page.waitForFunction(() => document.querySelector('[data-testid=run-status]')?.textContent === 'done', null, {
      timeout: 120_000,
    });
    // The run list row follows once the header is stored, a moment after the status line.
    await expect.poll(() => row.textContent()).toBe('done');
    const after = await stored(page, runId);
    // Equal to the uninterrupted run, output for output (the wall time aside).
    expect(outputs(after)).toEqual(outputs(reference));
    // What was stored before the worker died was kept, not computed again (its wall time is the first one's).
    for (const s of before.suites)
      s.items.forEach((item, i) => {
        for (const [m, out] of Object.entries(item.outputs))
          expect(after.suites.find((x) => x.suiteName === s.suiteName)!.items[i]!.outputs[m]!.ms).toBe(out.ms);
      });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('a worker that hangs mid-run is noticed by its missing heartbeat, without Cancel; resume gives the uninterrupted run', async () => {
    const page = await site.browser.newPage();
    // heartbeat=4000: 4 s of silence counts as hung (the default is 30 s, more for loads and slow steps). The reference
    // run below also shows that a normal run is not mistaken for a hung one under this short limit.
    const errors = await open(page, '&heartbeat=4000');
    await runToEnd(page);
    const reference = await stored(page, await openRunId(page));
    expect(outputs(reference).size).toBe(TOTAL);

    await page.getByTestId('run').click();
    await someOutputsStored(page);
    // The worker's event loop stops (as in a runtime call that never returns): it lives, holds its life lock, sends
    // nothing. Nobody presses Cancel. The loop would run for 10 minutes; the page terminates the worker long before.
    const hangStarted = Date.now();
    void inferenceWorker(page)
      .evaluate(() => {
        const end = Date.now() + 600_000;
        while (Date.now() < end);
      })
      .catch(() => {});
    await page.waitForFunction(
      () => document.querySelector('[data-testid=run-status]')?.textContent === 'interrupted',
      null,
      { timeout: 30_000 },
    );
    const noticedMs = Date.now() - hangStarted;
    expect(noticedMs).toBeLessThan(30_000);
    const runId = await openRunId(page);
    expect(await page.getByTestId('run-error').textContent()).toMatch(
      /the inference worker stopped answering \((no heartbeat for|one step has run for) \d+ s/,
    );
    const before = outputs(await stored(page, runId));
    expect(before.size).toBeGreaterThanOrEqual(4);
    expect(before.size).toBeLessThan(TOTAL);

    await page.getByTestId('resume').click();
    await page.waitForFunction(() => document.querySelector('[data-testid=run-status]')?.textContent === 'done', null, {
      timeout: 120_000,
    });
    expect(outputs(await stored(page, runId))).toEqual(outputs(reference));
    expect(errors).toEqual([]);
    await page.close();
  });

  it('Cancel gives the page back when the worker hangs: it is restarted, the model loaded again, and a run works', async () => {
    const page = await site.browser.newPage();
    const errors = await open(page);
    await page.getByTestId('run').click();
    await page.waitForFunction(() => document.querySelector('[data-testid=run-status]')?.textContent === 'running');
    // The worker stops answering (a step that never ends).
    void inferenceWorker(page)
      .evaluate(() => {
        const end = Date.now() + 20_000;
        while (Date.now() < end);
      })
      .catch(() => {});
    await page.getByTestId('cancel').click();
    expect(await status(page)).toBe('cancelling');
    await page.waitForFunction(
      () => document.querySelector('[data-testid=run-status]')?.textContent === 'cancelled',
      null,
      {
        timeout: 30_000,
      },
    );
    await page.getByTestId('model-ready').waitFor({ timeout: 60_000 });
    await runToEnd(page);
    expect(errors).toEqual([]);
    await page.close();
  });
});
