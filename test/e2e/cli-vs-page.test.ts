import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { PreviewServer } from 'vite';
import { leaderboard } from '../../src/core/metrics/comparison.ts';
import { findMethod } from '../../src/core/methods/method.ts';
import { parseRunFile, type RunFile } from '../../src/core/run/export.ts';
import type { SuiteResults } from '../../src/core/run/results.ts';
import { launch, methodsWith, openWithModel, screenshotDir, serveDist, runToEnd } from './harness.ts';
import { runEssence } from './essence.ts';

const MODEL = 'coax/fixture-tiny';
const METHOD_IDS = [
  'greedy-plain',
  'fewshot-worked',
  'trigger',
  'self-consistency',
  'cot-decoding-agg',
  'contrast-trigger',
];
// Fewer paths than the presets so the test stays quick; set through the page's own parameter fields.
const SAMPLES = 4;
const BRANCHES = 5;

let server: PreviewServer;
let url: string;
let dir: string;
let cliPath: string;
let cliFile: RunFile;
let cli: RunFile['results'];

const coax = (...args: string[]) =>
  execFileSync(process.execPath, ['--import', 'tsx', 'cli/coax.ts', ...args], { encoding: 'utf8', stdio: 'pipe' });

beforeAll(async () => {
  ({ server, url } = await serveDist());
  dir = mkdtempSync(join(tmpdir(), 'coax-cli-'));
  writeFileSync(join(dir, 'methods.json'), JSON.stringify(methodsWith(METHOD_IDS, SAMPLES, BRANCHES)));
  cliPath = join(dir, 'out.json');
  coax(
    'run',
    '--model',
    MODEL,
    '--suite',
    'addition',
    '--count',
    '3',
    '--methods',
    join(dir, 'methods.json'),
    '--seed',
    '7',
    '--out',
    cliPath,
  );
  cliFile = parseRunFile(readFileSync(cliPath, 'utf8'), cliPath);
  cli = cliFile.results;
});
let page: Page;
let close: (() => Promise<void>) | undefined;
afterAll(async () => {
  await close?.();
  await server?.close();
});

/** The leaderboard on screen, row by row: suite, method, accuracy, interval, correct/n, p and tokens (not time). */
async function leaderboardOnScreen(): Promise<string[][]> {
  await page.getByTestId('tab-leaderboard').click();
  await page.getByTestId('leaderboard-row').first().waitFor();
  return page.getByTestId('leaderboard-row').evaluateAll((trs) =>
    trs.map((tr) => {
      const cell = (id: string) => tr.querySelector(`[data-testid=${id}]`)?.textContent?.trim() ?? '';
      return [
        tr.closest('[data-suite]')?.getAttribute('data-suite') ?? '',
        tr.getAttribute('data-method') ?? '',
        tr.querySelector('[data-testid=lb-accuracy] .value')?.textContent?.trim() ?? '',
        cell('lb-interval'),
        cell('lb-n'),
        cell('lb-p'),
        tr.children[6]?.textContent?.trim() ?? '',
      ];
    }),
  );
}

describe('the CLI and the page give the same results for the same configuration and seed', () => {
  let pageBoard: string[][];

  it('runs six methods in Chromium (WASM) and matches the CLI output', async () => {
    let browser;
    ({ browser, close } = await launch('wasm'));
    page = await (
      await browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true })
    ).newPage();
    await openWithModel(page, url, 'wasm', MODEL);
    for (const id of METHOD_IDS) {
      const toggle = page.locator(`[data-method="${id}"] [data-testid=method-toggle]`);
      if (!(await toggle.isChecked())) await toggle.check();
    }
    await page.locator('[data-method="self-consistency"]').getByLabel('Samples n').fill(String(SAMPLES));
    await page.locator('[data-method="self-consistency"]').getByLabel('Samples n').dispatchEvent('change');
    await page.locator('[data-method="cot-decoding-agg"]').getByLabel('Branches k').fill(String(BRANCHES));
    await page.locator('[data-method="cot-decoding-agg"]').getByLabel('Branches k').dispatchEvent('change');
    await page.getByTestId('suite-size').fill('3');
    await page.getByTestId('seed').fill('7');
    await runToEnd(page);
    await page.screenshot({ path: join(screenshotDir(), 'methods-wasm.png'), fullPage: true });
    const pageResults = await page.evaluate(
      () => (globalThis as unknown as { coax: { experiment: { results: unknown } } }).coax.experiment.results,
    );
    const ours = runEssence(pageResults as SuiteResults[]);
    expect(ours).toEqual(runEssence(cli.suites));
    // Confidences agree to float32 precision (WASM and onnxruntime-node sum in slightly different orders).
    const deltas = (suites: SuiteResults[]) =>
      suites.flatMap((s) =>
        s.items.flatMap((i) => Object.values(i.outputs).flatMap((o) => (o.paths ?? [o]).map((p) => p.delta ?? NaN))),
      );
    const theirs = deltas(cli.suites);
    deltas(pageResults as SuiteResults[]).forEach((d, i) =>
      Number.isNaN(d) ? expect(theirs[i]).toBeNaN() : expect(d).toBeCloseTo(theirs[i]!, 4),
    );
    // The run really exercised several paths per item.
    const first = (pageResults as SuiteResults[])[0]!.items[0]!.outputs;
    expect(first['self-consistency']!.paths).toHaveLength(SAMPLES);
    expect(first['cot-decoding-agg']!.paths).toHaveLength(BRANCHES);
    pageBoard = await leaderboardOnScreen();
  });

  it("the CLI's results file, imported into the page, shows the same leaderboard as the page's own run", async () => {
    const before = await page.getByTestId('run-row').count();
    await page
      .getByTestId('import-run')
      .setInputFiles({ name: 'out.json', mimeType: 'application/json', buffer: readFileSync(cliPath) });
    await expect.poll(() => page.getByTestId('run-row').count()).toBe(before + 1);
    expect(await page.getByTestId('runs-error').count()).toBe(0);
    const imported = await leaderboardOnScreen();
    await page.screenshot({ path: join(screenshotDir(), 'cli-run-imported.png'), fullPage: true });
    expect(imported).toEqual(pageBoard);
    // And the rows are the core's leaderboard of the CLI file (accuracy order within a suite, correct/n).
    const expected = leaderboard(cli).sort(
      (a, b) =>
        cli.suites.findIndex((s) => s.suiteName === a.suiteName) -
          cli.suites.findIndex((s) => s.suiteName === b.suiteName) || b.accuracy - a.accuracy,
    );
    expect(imported.map((r) => [r[0], r[1], r[4]])).toEqual(
      expected.map((r) => [r.suiteName, r.methodId, `${r.correct}/${r.n}`]),
    );
    expect(imported).toHaveLength(METHOD_IDS.length);
  });

  it('round trip CLI → page (stored, reloaded) → export → CLI: the same file, and coax show prints the same', async () => {
    // Reload so the run comes back from IndexedDB, not from memory, then export it.
    await page.reload();
    const row = page.getByTestId('run-row').filter({ hasText: '(imported)' });
    await row.getByTestId('open-run').click();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-json').click()]);
    const exportedPath = join(dir, 'exported.json');
    writeFileSync(exportedPath, readFileSync((await download.path())!));
    const exported = parseRunFile(readFileSync(exportedPath, 'utf8'), exportedPath);
    // The documented normalisation: the page names an import "<name> (imported)", and its store gives an item's
    // outputs back in method-id order (key order is not data). Everything else is the CLI's file, value for value.
    expect(exported.name).toBe(`${cliFile.name} (imported)`);
    expect({ ...exported, name: cliFile.name }).toEqual(cliFile);
    const sortKeys = (v: unknown): unknown =>
      Array.isArray(v)
        ? v.map(sortKeys)
        : v && typeof v === 'object'
          ? Object.fromEntries(
              Object.keys(v)
                .sort()
                .map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]),
            )
          : v;
    expect(JSON.stringify(sortKeys({ ...exported, name: cliFile.name }))).toBe(JSON.stringify(sortKeys(cliFile)));
    // The CLI reads the page's export: the same summary, only the name line differs.
    const [, ...fromPage] = coax('show', exportedPath).split('\n');
    const [, ...fromCli] = coax('show', cliPath).split('\n');
    expect(fromPage).toEqual(fromCli);
  });

  it("the method panel says when a sampling chain is not in Hugging Face's order", async () => {
    const sc = page.locator('[data-method="self-consistency"]');
    const toggle = sc.getByTestId('method-toggle');
    if (!(await toggle.isChecked())) await toggle.check();
    const spec = findMethod('self-consistency');
    if (spec.decoding.kind !== 'sample') throw new Error('self-consistency samples');
    const edited = {
      ...spec,
      decoding: { ...spec.decoding, chain: [{ name: 'top-k', k: 5 }, ...spec.decoding.chain] },
    };
    await sc.getByText('Edit as data (JSON)').click();
    await sc.locator('textarea').fill(JSON.stringify(edited));
    await sc.locator('textarea').dispatchEvent('change');
    await expect
      .poll(() => sc.getByTestId('processor-order').textContent())
      .toContain("order: top-k → temperature (not Hugging Face's order, which is temperature → top-k)");
    const inOrder = {
      ...edited,
      decoding: { ...edited.decoding, chain: [...spec.decoding.chain, { name: 'top-k', k: 5 }] },
    };
    await sc.locator('textarea').fill(JSON.stringify(inOrder));
    await sc.locator('textarea').dispatchEvent('change');
    await expect
      .poll(() => sc.getByTestId('processor-order').textContent())
      .toContain("order: temperature → top-k (Hugging Face's order)");
  });
});
