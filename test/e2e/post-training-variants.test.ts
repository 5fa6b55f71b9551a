/**
 * Issue 15's variants in the page (Chromium, WASM): organism-v1-amb-dpo is in the picker with its data card, runs its
 * own `ambiguous` suite beside arith-id, and the page's leaderboard shows the registry's metrics (grounding acts on
 * `ambiguous`, shortcut rate and top answer share on arith-id) with the values the CLI computes for the same
 * configuration and seed; the leaderboard CSV the page exports equals the one computed from the CLI's run.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PreviewServer } from 'vite';
import { leaderboard } from '../../src/core/metrics/comparison.ts';
import { formatMetric, SUITE_METRICS } from '../../src/core/metrics/suite-metrics.ts';
import { leaderboardCsv, parseRunFile } from '../../src/core/run/export.ts';
import type { RunResults, SuiteResults } from '../../src/core/run/results.ts';
import {
  chooseMethods,
  chooseSuites,
  launch,
  openWithModel,
  pageErrors,
  runToEnd,
  screenshotDir,
  serveDist,
} from './harness.ts';

const MODEL = 'coax/organism-v1-amb-dpo';
const SUITES = ['ambiguous', 'arith-id'];
const ITEMS = 6;
const SEED = 5;

let server: PreviewServer;
let url: string;
let cli: RunResults;

beforeAll(async () => {
  ({ server, url } = await serveDist());
  const out = join(mkdtempSync(join(tmpdir(), 'coax-variants-e2e-')), 'run.json');
  execFileSync(
    process.execPath,
    [
      '--import',
      'tsx',
      'cli/coax.ts',
      'run',
      '--model',
      MODEL,
      '--suite',
      SUITES.join(','),
      '--limit',
      String(ITEMS),
    ].concat(['--methods', 'greedy-plain', '--seed', String(SEED), '--out', out]),
    { encoding: 'utf8', stdio: 'pipe' },
  );
  cli = parseRunFile(readFileSync(out, 'utf8'), out).results;
});
afterAll(async () => {
  await server?.close();
});

const texts = (suites: SuiteResults[]) =>
  suites.map((s) => [s.suiteName, s.items.map((it) => [it.itemId, it.outputs['greedy-plain']?.text])]);

describe('a post-training variant of issue 15 in the page', () => {
  it('organism-v1-amb-dpo: data card, its ambiguous suite, and the registry metrics equal to the CLI', async () => {
    const { browser, close } = await launch('wasm');
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
      const errors = pageErrors(page);
      await openWithModel(page, url, 'wasm', MODEL);
      // Its data card names its parent and its recipe.
      const card = (await page.getByTestId('data-card').textContent()) ?? '';
      expect(card).toContain('organism-v1-amb');
      expect(card).toMatch(/DPO/);

      await chooseSuites(page, SUITES);
      await chooseMethods(page, ['greedy-plain']);
      await page.getByTestId('suite-size').fill(String(ITEMS));
      await page.getByTestId('seed').fill(String(SEED));
      await runToEnd(page);
      expect(errors).toEqual([]);
      const ours = await page.evaluate(
        () => (globalThis as unknown as { coax: { runs: { open: { results: RunResults } } } }).coax.runs.open.results,
      );
      expect(texts(ours.suites)).toEqual(texts(cli.suites));

      // The leaderboard's metric cells: the registry's values on the CLI's run, as the page formats them.
      await page.getByTestId('tab-leaderboard').click();
      const cells = await page
        .locator('[data-testid=lb-metric]')
        .evaluateAll((tds) =>
          tds.map((td) => [
            td.closest('table')?.querySelector('caption')?.textContent?.split('·')[0]?.trim(),
            td.getAttribute('data-metric'),
            td.textContent?.trim(),
          ]),
        );
      const rows = leaderboard(cli);
      const want = (suite: string, id: string) => {
        const row = rows.find((r) => r.suiteName === suite && r.methodId === 'greedy-plain')!;
        return formatMetric(
          SUITE_METRICS.find((m) => m.id === id)!,
          row.metrics[id],
          true,
        );
      };
      for (const [suite, id] of [
        ['ambiguous', 'grounding-act-rate'],
        ['arith-id', 'shortcut-rate'],
        ['arith-id', 'top-answer-share'],
      ] as const) {
        const cell = cells.find((c) => c[0] === suite && c[1] === id);
        expect(cell, `${suite} ${id}`).toBeDefined();
        expect(cell![2]).toBe(want(suite, id));
      }
      // Grounding acts apply only to the ambiguous suite.
      expect(cells.some((c) => c[0] === 'arith-id' && c[1] === 'grounding-act-rate')).toBe(false);
      await page.getByTestId('leaderboard').screenshot({ path: join(screenshotDir(), 'variants-leaderboard.png') });

      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByTestId('export-leaderboard-csv').click(),
      ]);
      const csv = readFileSync((await download.path())!, 'utf8');
      expect(csv).toBe(leaderboardCsv(cli));
      expect(csv.split('\n')[0]).toContain('grounding-act-rate');
    } finally {
      await close();
    }
  });
});
