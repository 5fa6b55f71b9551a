/**
 * Compact storage (#12) round trip in Chromium: a run stored compact (token traces for each item's chosen path only)
 * comes back after a reload with the same outputs and the same leaderboard, its outputs are those of the same run
 * stored in full less the paths' traces, it takes less room, and every view opens on it.
 */
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { encodeConfig } from '../../src/core/run/url-config.ts';
import { findMethod } from '../../src/core/methods/method.ts';
import type { MethodOutput, RunResults } from '../../src/core/run/results.ts';
import { runToEnd, sharedSite } from './harness.ts';
import { openRunId, outputs, stored, timeless, type CoaxGlobal } from './stored-runs.ts';

const site = sharedSite();

const sc = findMethod('self-consistency');
const CONFIG = encodeConfig({
  model: 'coax/fixture-tiny',
  suites: ['generated:addition', 'generated:coin-flip'],
  itemLimit: 4,
  generatedSeed: 3,
  methods: ['greedy-plain', { ...sc, decoding: { ...sc.decoding, n: 4 } as typeof sc.decoding, maxNewTokens: 16 }],
  seed: 5,
  batchSize: 2,
});
const TOTAL = 2 * 4 * 2;

async function open(page: Page): Promise<void> {
  await page.goto(`${site.url}?backend=wasm&config=${CONFIG}`);
  await page.getByTestId('model-ready').waitFor({ timeout: 120_000 });
}

/** An output as compact storage keeps it, without its wall time: the paths' token traces dropped. */
function compacted({ ms: _ms, ...o }: MethodOutput): Omit<MethodOutput, 'ms'> {
  return o.paths ? { ...o, paths: o.paths.map((p) => ({ ...p, tokens: [] })) } : o;
}

/** The leaderboard as shown: every table's text, row by row. */
const leaderboardText = (page: Page) =>
  page
    .getByTestId('leaderboard')
    .locator('table')
    .evaluateAll((tables) => tables.map((t) => (t as HTMLElement).innerText));

describe('compact storage (Chromium, WASM, fixture-tiny)', () => {
  it('a compact run reloads with the same outputs and leaderboard, equals the full run less path traces, and is smaller', async () => {
    const page = await site.browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await open(page);

    // The same run stored in full, then compact.
    await runToEnd(page);
    const fullId = await openRunId(page);
    expect(await page.getByTestId('compact').isChecked()).toBe(false);
    await page.getByTestId('compact').check();
    await runToEnd(page);
    const compactId = await openRunId(page);
    expect(compactId).not.toBe(fullId);
    const shown = await page.evaluate(() => (globalThis as unknown as CoaxGlobal).coax.runs.open!.results);
    const board = await leaderboardText(page);
    expect(board.length).toBe(2);

    await page.reload();
    await page.getByTestId('model-ready').waitFor({ timeout: 120_000 });
    const row = page.locator(`[data-testid=run-row][data-run="${compactId}"]`);
    await row.getByTestId('open-run').click();
    await page.waitForFunction(
      (id) => (globalThis as unknown as CoaxGlobal).coax.runs.open?.header.id === id,
      compactId,
    );
    // What the page shows after the reload is what it showed before: every output, and the leaderboard's numbers.
    const reopened = await page.evaluate(() => (globalThis as unknown as CoaxGlobal).coax.runs.open!.results);
    expect(outputs(reopened).size).toBe(TOTAL);
    expect(outputs(reopened)).toEqual(outputs(shown));
    expect(await leaderboardText(page)).toEqual(board);

    // Compact: the outputs of the full run (text, answers, verdicts, votes, Δ, every path's text) without the
    // paths' traces; each chosen path keeps its trace.
    const full = await stored(page, fullId);
    const compact = await stored(page, compactId);
    expect(compact.header.compact).toBe(true);
    expect(full.header.compact).toBeUndefined();
    const fullOut = outputs(full.results);
    const compactOut = outputs(compact.results);
    expect(fullOut.size).toBe(TOTAL);
    expect(new Map([...compactOut].map(([k, o]) => [k, compacted(o)]))).toEqual(
      new Map([...fullOut].map(([k, o]) => [k, compacted(o)])),
    );
    const sampled = [...compactOut].filter(([k]) => k.endsWith('/self-consistency')).map(([, o]) => o);
    expect(sampled.length).toBe(TOTAL / 2);
    for (const o of sampled) {
      expect(o.paths?.length).toBe(4);
      expect(o.paths!.every((p) => p.tokens.length === 0)).toBe(true);
      expect(o.tokens.length).toBeGreaterThan(0);
    }
    expect(
      [...fullOut].some(([k, o]) => k.endsWith('/self-consistency') && o.paths!.some((p) => p.tokens.length > 0)),
    ).toBe(true);

    // Smaller, by the bytes the run list shows (the stored outputs' JSON).
    const sizes = await page.evaluate(() =>
      Object.fromEntries((globalThis as unknown as CoaxGlobal).coax.runs.runs.map((r) => [r.id, r.bytes ?? -1])),
    );
    const bytesOf = (r: RunResults) => [...outputs(r).values()].reduce((n, o) => n + JSON.stringify(o).length, 0);
    expect(sizes[fullId]).toBe(bytesOf(full.results));
    expect(sizes[compactId]).toBe(bytesOf(compact.results));
    // The saving is exactly the paths' traces, and it is most of what a sampled method stores.
    const traces = [...fullOut.values()]
      .flatMap((o) => o.paths ?? [])
      .reduce((n, p) => n + JSON.stringify(p.tokens).length - '[]'.length, 0);
    expect(traces).toBeGreaterThan(0);
    // (Wall times aside: they differ between the two runs by a few digits.)
    const bytesWithoutTime = (r: RunResults) =>
      [...timeless(r).values()].reduce((n, o) => n + JSON.stringify(o).length, 0);
    expect(bytesWithoutTime(full.results) - bytesWithoutTime(compact.results)).toBe(traces);
    expect(sizes[compactId]!).toBeLessThan(sizes[fullId]!);
    console.log(`compact storage: ${sizes[compactId]} B against ${sizes[fullId]} B in full`);

    // Every view opens on the compact run.
    for (const tab of await page.locator('[data-testid^=tab-]').all()) await tab.click();
    expect(errors).toEqual([]);
    await page.close();
  }, 900_000);
});
