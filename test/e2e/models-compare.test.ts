/**
 * A run over two models in Chromium (WASM): organism-v1 and organism-v1-rlvr, loaded one after another by the page,
 * give the CLI's outputs for the same configuration and seed (`coax run --model a,b`), and the Models tab shows the
 * CLI's numbers: the model × method leaderboard, pass@k per model and the items solved at any k.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PreviewServer } from 'vite';
import { findMethod, type MethodSpec } from '../../src/core/methods/method.ts';
import { modelCoverage, modelLeaderboard } from '../../src/core/metrics/models.ts';
import { parseRunFile } from '../../src/core/run/export.ts';
import type { RunResults, SuiteResults } from '../../src/core/run/results.ts';
import { chooseSuites, launch, openWithModel, pageErrors, screenshotDir, serveDist } from './harness.ts';
import { runEssence } from './essence.ts';

const MODELS = ['coax/organism-v1', 'coax/organism-v1-rlvr'];
const ITEMS = 3;
const SAMPLES = 4;
const SEED = 7;

let server: PreviewServer;
let url: string;
let dir: string;
let cli: RunResults;
let cliCompare: string;
let cliVerified: string;

const coax = (...args: string[]) =>
  execFileSync(process.execPath, ['--import', 'tsx', 'cli/coax.ts', ...args], { encoding: 'utf8', stdio: 'pipe' });

beforeAll(async () => {
  ({ server, url } = await serveDist());
  dir = mkdtempSync(join(tmpdir(), 'coax-models-e2e-'));
  const sc = findMethod('self-consistency');
  if (sc.decoding.kind !== 'sample') throw new Error('self-consistency samples');
  const methods: MethodSpec[] = [findMethod('greedy-plain'), { ...sc, decoding: { ...sc.decoding, n: SAMPLES } }];
  writeFileSync(join(dir, 'methods.json'), JSON.stringify(methods));
  const out = join(dir, 'two.json');
  coax(
    'run',
    '--model',
    MODELS.join(','),
    '--suite',
    'arith-id',
    '--limit',
    String(ITEMS),
    '--methods',
    join(dir, 'methods.json'),
    '--seed',
    String(SEED),
    '--out',
    out,
  );
  cli = parseRunFile(readFileSync(out, 'utf8'), out).results;
  cliCompare = coax('compare', out);
  cliVerified = coax('compare', out, '--criterion', 'verified');
});
afterAll(async () => {
  await server?.close();
});

describe('two models in the page, one after another', () => {
  it('organism-v1 then organism-v1-rlvr: the outputs and the Models tab equal the CLI run', async () => {
    const { browser, close } = await launch('wasm');
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
      const errors = pageErrors(page);
      await openWithModel(page, url, 'wasm', MODELS[0]!);
      await chooseSuites(page, ['arith-id']);
      for (const id of ['greedy-plain', 'fewshot-worked', 'self-consistency']) {
        const toggle = page.locator(`[data-method="${id}"] [data-testid=method-toggle]`);
        await toggle.setChecked(id !== 'fewshot-worked');
      }
      const n = page.locator('[data-method="self-consistency"]').getByLabel('Samples n');
      await n.fill(String(SAMPLES));
      await n.dispatchEvent('change');
      await page.getByTestId('suite-size').fill(String(ITEMS));
      await page.getByTestId('seed').fill(String(SEED));
      await page.getByTestId(`also-${MODELS[1]}`).check();
      await page.getByTestId('run').click();
      // The second model is loaded by the run itself, and the progress says which model the run is at.
      await page
        .getByTestId('run-progress')
        .filter({ hasText: `model 2/2 ${MODELS[1]}` })
        .waitFor({ timeout: 240_000 });
      await page.waitForFunction(
        () =>
          ['done', 'failed', 'cancelled'].includes(
            document.querySelector('[data-testid=run-status]')?.textContent ?? '',
          ),
        null,
        { timeout: 300_000 },
      );
      expect(await page.getByTestId('run-error').count()).toBe(0);
      expect(await page.getByTestId('run-status').textContent()).toBe('done');
      expect(await page.getByTestId('model-select').inputValue()).toBe(MODELS[1]);

      const ours = await page.evaluate(
        () => (globalThis as unknown as { coax: { experiment: { results: SuiteResults[] } } }).coax.experiment.results,
      );
      expect(runEssence(ours)).toEqual(runEssence(cli.suites));

      // The Models tab: the leaderboard by model × method, correct/n and McNemar p against the first model.
      await page.getByTestId('tab-models').click();
      await page.getByTestId('model-row').first().waitFor();
      const rows = await page
        .getByTestId('model-row')
        .evaluateAll((trs) =>
          trs.map((tr) => [
            tr.getAttribute('data-model'),
            tr.getAttribute('data-method'),
            tr.querySelector('[data-testid=mr-n]')?.textContent?.trim(),
            tr.querySelector('[data-testid=mr-p]')?.textContent?.trim(),
          ]),
        );
      const formatP = (p: number) => (p < 0.001 ? '< 0.001' : p.toFixed(3));
      expect(rows).toEqual(
        modelLeaderboard(cli).map((r) => [
          r.modelId,
          r.method,
          `${r.correct}/${r.n}`,
          r.vsFirstModel ? formatP(r.vsFirstModel.p) : '—',
        ]),
      );

      // pass@k per model: the table under the chart is the CLI's `coax compare` table, row for row.
      await page.getByTestId('curves-method').selectOption('self-consistency');
      await expect.poll(() => page.getByTestId('curves-n').textContent()).toContain(`n = ${SAMPLES} samples per item`);
      expect(await page.getByTestId('pass-at-k-chart').locator('svg').count()).toBeGreaterThan(0);
      const table = await page
        .getByTestId('pass-at-k-row')
        .evaluateAll((trs) =>
          trs.map((tr) => `| ${[...tr.children].map((td) => td.textContent?.trim()).join(' | ')} |`),
        );
      expect(table).toHaveLength(2);
      for (const line of table) expect(cliCompare).toContain(line);
      const crossing = (await page.getByTestId('crossover').textContent())!.trim();
      expect(cliCompare).toContain(`crossover: ${crossing}`);

      // Items solved at any k: the groups and their counts are the CLI file's, and a click lists the items.
      const groups = await page
        .getByTestId('coverage-group')
        .evaluateAll((bs) => bs.map((b) => [b.getAttribute('data-models'), Number(b.getAttribute('data-count'))]));
      const coverage = modelCoverage(cli, cli.suites[0]!, 'self-consistency');
      expect(groups).toEqual(coverage.groups.map((g) => [g.models.join(','), g.itemIds.length]));
      await page.getByTestId('coverage-group').first().click();
      const listed = await page.getByTestId('coverage-items').locator('li').allTextContents();
      expect(listed.map((t) => t.split(':')[0])).toEqual(coverage.groups[0]!.itemIds);

      // Solved = a verified worked trace: the table is `coax compare --criterion verified`'s, row for row.
      await page.getByTestId('curves-criterion').selectOption('verified');
      const verifiedTable = await page
        .getByTestId('pass-at-k-row')
        .evaluateAll((trs) =>
          trs.map((tr) => `| ${[...tr.children].map((td) => td.textContent?.trim()).join(' | ')} |`),
        );
      expect(verifiedTable).toHaveLength(2);
      const verifiedSection = cliVerified.slice(cliVerified.indexOf('self-consistency: pass@k'));
      for (const line of verifiedTable) expect(verifiedSection).toContain(line);
      const verifiedGroups = await page
        .getByTestId('coverage-group')
        .evaluateAll((bs) => bs.map((b) => [b.getAttribute('data-models'), Number(b.getAttribute('data-count'))]));
      expect(verifiedGroups).toEqual(
        modelCoverage(cli, cli.suites[0]!, 'self-consistency', 'verified').groups.map((g) => [
          g.models.join(','),
          g.itemIds.length,
        ]),
      );
      await page.getByTestId('curves-criterion').selectOption('answer');

      // The chart exports as SVG like the other views.
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByTestId('pass-at-k-chart').getByTestId('export-svg').click(),
      ]);
      const svg = readFileSync((await download.path())!, 'utf8');
      expect(svg).toContain('<svg');
      expect(svg).toContain('organism-v1-rlvr');
      await page.screenshot({ path: join(screenshotDir(), 'models-wasm.png'), fullPage: true });
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });
});
