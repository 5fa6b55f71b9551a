import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { PreviewServer } from 'vite';
import {
  calibrationGroups,
  CONFIDENCE_MEASURES,
  entropyBySuite,
  gapRows,
  leaderboard,
  samplingCurves,
} from '../../src/core/metrics/comparison.ts';
import type { RunResults } from '../../src/core/run/results.ts';
import { formatPValue } from '../../src/core/metrics/mcnemar.ts';
import { chooseMethods, launch, openWithModel, screenshotDir, serveDist } from './harness.ts';
import { chartRenderer, type ChartRenderer } from './chart-render.ts';
import { samplesChartData } from '../../src/ui/charts.ts';

const MODEL = 'coax/fixture-tiny';

/** RFC 4180 records (quoted fields may hold commas, quotes and newlines). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  const endField = () => {
    row.push(field);
    field = '';
  };
  const endRow = () => {
    endField();
    rows.push(row);
    row = [];
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') endField();
    else if (ch === '\n') endRow();
    else if (ch !== '\r') field += ch;
  }
  if (field || row.length) endRow();
  return rows;
}
const METHODS = ['greedy-plain', 'fewshot-worked', 'self-consistency', 'cot-decoding', 'contrast-trigger'];
let server: PreviewServer;
let url: string;
let browser: Browser;
let close: () => Promise<void>;
let page: Page;
let charts: ChartRenderer;

const shot = (name: string) => page.screenshot({ path: join(screenshotDir(), `compare-${name}.png`), fullPage: true });
const openResults = () =>
  page.evaluate(
    () => (globalThis as unknown as { coax: { runs: { open: { results: unknown } | null } } }).coax.runs.open?.results,
  ) as Promise<RunResults>;

async function waitForStatus(status: string): Promise<void> {
  await page.waitForFunction((s) => document.querySelector('[data-testid=run-status]')?.textContent === s, status, {
    timeout: 240_000,
  });
}

async function setUpMethods(): Promise<void> {
  await chooseMethods(page, METHODS);
  const n = page.locator('[data-method="self-consistency"]').getByLabel('Samples n');
  await n.fill('4');
  await n.dispatchEvent('change');
  const k = page.locator('[data-method="cot-decoding"]').getByLabel('Branches k');
  await k.fill('4');
  await k.dispatchEvent('change');
}

beforeAll(async () => {
  ({ server, url } = await serveDist());
  ({ browser, close } = await launch('wasm'));
  charts = await chartRenderer(browser);
  page = await (await browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true })).newPage();
  await openWithModel(page, url, 'wasm', MODEL);
  await setUpMethods();
  await page.getByTestId('suite-size').fill('6');
  await page.getByTestId('seed').fill('3');
  await page.getByTestId('run').click();
  await waitForStatus('done');
});
afterAll(async () => {
  await charts?.close();
  await close?.();
  await server?.close();
});

describe('the comparison view on a real run of the bundled model', () => {
  it('leaderboard: every method with accuracy, interval, n and the paired p-value of the stored results', async () => {
    const results = await openResults();
    const expected = leaderboard(results);
    await shot('leaderboard');
    const rows = await page.getByTestId('leaderboard-row').evaluateAll((trs) =>
      trs.map((tr) => ({
        method: tr.getAttribute('data-method'),
        baseline: tr.classList.contains('baseline'),
        n: tr.querySelector('[data-testid=lb-n]')?.textContent,
        p: tr.querySelector('[data-testid=lb-p]')?.textContent,
        accuracy: tr.querySelector('[data-testid=lb-accuracy] .value')?.textContent,
      })),
    );
    expect(rows.map((r) => r.method).sort()).toEqual([...METHODS].sort());
    for (const r of rows) {
      const e = expected.find((x) => x.methodId === r.method)!;
      expect(r.n).toBe(`${e.correct}/${e.n}`);
      expect(e.n).toBe(6);
      expect(r.accuracy).toBe(`${Math.round(e.accuracy * 100)}%`);
      expect(r.baseline).toBe(r.method === 'greedy-plain');
      expect(r.p).toBe(e.vsBaseline ? formatPValue(e.vsBaseline.p) : '—');
    }
  });

  it('gap matrix: items in the stored order, latent first, and a click opens the item', async () => {
    const results = await openResults();
    await page.getByTestId('tab-gap').click();
    await shot('gap-matrix');
    const kinds = await page.getByTestId('gap-row').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-kind')));
    expect(kinds).toEqual(gapRows(results).map((r) => r.kind));
    expect(Number(await page.getByTestId('latent-count').textContent())).toBe(
      kinds.filter((k) => k === 'latent').length,
    );
    await page
      .locator('[data-testid=gap-row]')
      .first()
      .locator('[data-testid=gap-cell][data-method="cot-decoding"]')
      .click();
    await expect.poll(() => page.getByTestId('item-detail').count()).toBe(1);
  });

  it('traces: two methods side by side, tokens as stored, top-5 on hover; branches with Δ', async () => {
    const results = await openResults();
    const first = gapRows(results)[0]!;
    const out = first.item.outputs['cot-decoding']!;
    const traces = page.getByTestId('token-trace');
    await expect.poll(() => traces.count()).toBe(2);
    expect(await traces.nth(1).getByTestId('trace-token').count()).toBe(out.tokens.length);
    expect(await traces.nth(1).getByTestId('trace-answer').textContent()).toBe(out.extracted?.value ?? 'none');
    if (out.answerProb != null)
      expect(await traces.nth(1).getByTestId('trace-answer-prob').textContent()).toBe(out.answerProb.toFixed(3));
    await traces.nth(1).getByTestId('trace-token').first().hover();
    await expect.poll(() => page.getByTestId('trace-alternatives').locator('.alt').count()).toBe(5);
    const deltas = await page.getByTestId('branch-delta').allTextContents();
    expect(deltas).toEqual(out.paths!.map((p) => (p.delta === null ? '—' : p.delta.toFixed(3))));
    expect(await page.locator('[data-testid=branch-row].chosen').count()).toBe(1);
    expect(await traces.nth(1).getByTestId('trace-score-note').count()).toBe(0);
    await shot('traces-branches');
  });

  it("contrast traces: the strong prompt's probabilities, the contrast score labelled beside them", async () => {
    const results = await openResults();
    const out = gapRows(results)[0]!.item.outputs['contrast-trigger']!;
    await page.getByTestId('pick-right').selectOption('contrast-trigger');
    const trace = page.getByTestId('token-trace').nth(1);
    await expect.poll(() => trace.getByTestId('trace-score-note').count()).toBe(1);
    const tokens = trace.getByTestId('trace-token');
    expect(
      await tokens.evaluateAll((els) => els.map((e) => [Number(e.dataset['prob']), Number(e.dataset['score'])])),
    ).toEqual(out.tokens.map((t) => [t.prob, t.score]));
    // The trace is the model's own distribution: the chosen token's p is its entry in the stored top-5.
    for (const t of out.tokens) {
      expect(t.score).toEqual(expect.any(Number));
      const self = t.top.find((a) => a.id === t.id);
      if (self) expect(self.prob).toBeCloseTo(t.prob, 6);
    }
    await tokens.first().hover();
    await expect
      .poll(() => page.getByTestId('trace-score').textContent())
      .toBe(`contrast score ${out.tokens[0]!.score!.toFixed(2)}`);
    await shot('traces-contrast');
    await page.getByTestId('pick-right').selectOption('cot-decoding');
  });

  it('accuracy vs samples: maj@k and pass@k curves with the greedy line, saying what is plotted', async () => {
    const results = await openResults();
    await page.getByTestId('tab-samples').click();
    const chart = page.getByTestId('samples-chart');
    // The page draws exactly the chart that the chart function draws for the stored results (its SVG is
    // snapshot-tested for a fixed input in charts.test.ts).
    const expected = results.suites.map((s) => samplesChartData(s, results.methods)).filter((d) => d.curves.length > 0);
    await expect.poll(() => chart.count()).toBe(expected.length);
    for (const [i, data] of expected.entries())
      expect(await chart.nth(i).locator('.plot').innerHTML()).toBe(await charts.samples(data));
    const curves = samplingCurves(results.suites[0]!, results.methods);
    expect(curves.map((c) => c.k)).toEqual([1, 2, 3, 4]);
    expect(curves.every((c) => c.majAtKExact)).toBe(true);
    expect(await page.getByTestId('samples-shown').textContent()).toContain('maj@k exact (every k-subset counted)');
    await shot('samples');
  });

  it('calibration: ECE with bins and n per method and split, under each confidence measure, named', async () => {
    const results = await openResults();
    await page.getByTestId('tab-calibration').click();
    const shownRows = () =>
      page
        .getByTestId('ece-row')
        .evaluateAll((trs) =>
          trs.map((tr) =>
            [
              tr.getAttribute('data-method'),
              tr.getAttribute('data-group'),
              tr.getAttribute('data-measure'),
              tr.querySelector('[data-testid=ece-n]')?.textContent,
              tr.querySelector('[data-testid=ece-bins]')?.textContent,
              tr.querySelector('[data-testid=ece]')?.textContent,
            ].join('|'),
          ),
        );
    expect(await page.getByTestId('measure-answer-probability').isChecked()).toBe(true);
    for (const m of CONFIDENCE_MEASURES) {
      await page.getByTestId(`measure-${m.id}`).check();
      const expected = calibrationGroups(results, m.id, 10).map((g) =>
        [g.methodId, g.group, m.id, g.calibration.n, g.calibration.bins.length, g.calibration.ece.toFixed(3)].join('|'),
      );
      await expect.poll(shownRows).toEqual(expected);
      expect(await page.getByTestId('calibration-shown').textContent()).toContain(`Showing ${m.label}:`);
      expect(await page.getByTestId('calibration-chart').locator('svg').count()).toBeGreaterThan(0);
      await shot(`calibration-${m.id}`);
    }
    // Only methods with several paths have a vote share.
    const voteMethods = calibrationGroups(results, 'vote-share').map((g) => g.methodId);
    expect([...new Set(voteMethods)].sort()).toEqual(['cot-decoding', 'self-consistency']);
    await page.getByTestId('measure-answer-probability').check();
  });

  it('entropy by suite: all-token and content-token means and distinct answers as stored; the chart says which', async () => {
    const results = await openResults();
    await page.getByTestId('tab-entropy').click();
    const shown = await page.getByTestId('entropy-row').evaluateAll((trs) =>
      trs.map((tr) =>
        ['entropy', 'content-entropy', 'diversity']
          .map((id) => tr.querySelector(`[data-testid=${id}]`)?.textContent)
          .join('|')
          .replace(/^/, `${tr.getAttribute('data-method')}|`),
      ),
    );
    expect(shown).toEqual(
      entropyBySuite(results).map(
        (r) =>
          `${r.methodId}|${r.meanEntropy.toFixed(3)}|${r.contentEntropy.toFixed(3)}|${r.distinctAnswers}/${r.outputs} = ${r.diversity.toFixed(2)}`,
      ),
    );
    expect(entropyBySuite(results).some((r) => r.contentTokens < r.tokens)).toBe(true);
    expect(await page.getByTestId('entropy-shown').textContent()).toContain('content tokens');
    await page.getByTestId('over-all').check();
    await expect.poll(() => page.getByTestId('entropy-shown').textContent()).toContain('every generated token');
    await shot('entropy');
  });

  it('competence map: says plainly when the model has no data card', async () => {
    await page.getByTestId('tab-competence').click();
    expect(await page.getByTestId('competence-view').textContent()).toContain('ships no data card');
  });

  it('exports a chart as SVG and PNG', async () => {
    await page.getByTestId('tab-entropy').click();
    const [svg] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('entropy-chart').getByTestId('export-svg').click(),
    ]);
    expect(readFileSync((await svg.path())!, 'utf8')).toMatch(/^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    const [png] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('entropy-chart').getByTestId('export-png').click(),
    ]);
    expect(
      readFileSync((await png.path())!)
        .subarray(1, 4)
        .toString(),
    ).toBe('PNG');
  });

  it('exports JSON and CSV, and a JSON export imports back to the same results', async () => {
    const results = await openResults();
    const [csv] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-csv').click()]);
    const records = parseCsv(readFileSync((await csv.path())!, 'utf8'));
    expect(records).toHaveLength(1 + 6);
    expect(records[0]).toContain('greedy-plain:correct');
    const col = records[0]!.indexOf('greedy-plain:output');
    expect(records.slice(1).map((r) => r[col])).toEqual(
      results.suites[0]!.items.map((it) => it.outputs['greedy-plain']!.text),
    );
    const [json] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-json').click()]);
    const file = (await json.path())!;
    const before = await page.getByTestId('run-row').count();
    await page
      .getByTestId('import-run')
      .setInputFiles({ name: 'run.json', mimeType: 'application/json', buffer: readFileSync(file) });
    await expect.poll(() => page.getByTestId('run-row').count()).toBe(before + 1);
    expect(await openResults()).toEqual(results);
    // Compare the imported copy with the original: both runs' methods side by side, prefixed A/ and B/.
    await page.locator('[data-testid=run-row]').nth(1).getByTestId('compare-run').click();
    await page.getByTestId('tab-leaderboard').click();
    await expect.poll(() => page.getByTestId('leaderboard-row').count()).toBe(2 * METHODS.length);
    const compared = await page
      .getByTestId('leaderboard-row')
      .evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-method')));
    expect(compared.filter((id) => id?.startsWith('A/')).length).toBe(METHODS.length);
    await page.locator('[data-testid=run-row]').nth(1).getByTestId('compare-run').click();
    // A broken file is refused with a message naming the problem; the run list is unchanged.
    await page.getByTestId('import-run').setInputFiles({
      name: 'bad.json',
      mimeType: 'application/json',
      buffer: Buffer.from('{"format": "coax-run", "version": 2}'),
    });
    await expect.poll(() => page.getByTestId('runs-error').textContent()).toContain('bad.json is not valid');
    expect(await page.getByTestId('run-row').count()).toBe(before + 1);
  });

  it('renames and deletes a run', async () => {
    const row = page.getByTestId('run-row').first();
    await row.getByTestId('rename-run').click();
    await page.getByTestId('rename-input').fill('my imported run');
    await page.getByTestId('rename-input').press('Enter');
    await expect
      .poll(() => page.getByTestId('run-row').first().getByTestId('run-name').textContent())
      .toBe('my imported run');
    const before = await page.getByTestId('run-row').count();
    await page.getByTestId('run-row').first().getByTestId('delete-run').click();
    await expect.poll(() => page.getByTestId('run-row').count()).toBe(before - 1);
  });

  it('a link reproduces the configuration', async () => {
    await page.getByTestId('copy-link').click();
    const link = await page.getByTestId('config-link').inputValue();
    const other = await browser.newPage();
    await other.goto(link);
    await other.getByTestId('model-ready').waitFor({ timeout: 120_000 });
    const enabled = await other
      .getByTestId('method-toggle')
      .evaluateAll((els) =>
        els
          .filter((e) => (e as HTMLInputElement).checked)
          .map((e) => e.closest('[data-method]')?.getAttribute('data-method')),
      );
    expect(enabled.sort()).toEqual([...METHODS].sort());
    expect(await other.getByTestId('seed').inputValue()).toBe('3');
    expect(await other.getByTestId('suite-size').inputValue()).toBe('6');
    expect(await other.locator('[data-method="self-consistency"]').getByLabel('Samples n').inputValue()).toBe('4');
    await other.close();
  });

  it('a reload mid-run keeps every completed item', async () => {
    await page.getByTestId('suite-size').fill('300');
    await page.getByTestId('batch').fill('1');
    await page.getByTestId('run').click();
    // Wait until this run (not the last one) has at least 5 outputs written to IndexedDB.
    await page.waitForFunction(
      () => document.querySelector('[data-testid=run-status]')?.textContent === 'running',
      null,
      { timeout: 60_000 },
    );
    const runId = await page.evaluate(
      () =>
        (globalThis as unknown as { coax: { runs: { open: { header: { id: string } } } } }).coax.runs.open.header.id,
    );
    const stored = (id: string) =>
      page.evaluate(
        (run) =>
          new Promise<number>((resolve) => {
            const req = indexedDB.open('coax');
            req.onsuccess = () => {
              const q = req.result.transaction('outputs').objectStore('outputs').index('byRun').count(run);
              q.onsuccess = () => resolve(q.result);
            };
          }),
        id,
      );
    await expect.poll(() => stored(runId), { timeout: 120_000 }).toBeGreaterThanOrEqual(5);
    await page.reload();
    await page.getByTestId('model-ready').waitFor({ timeout: 120_000 });
    const row = page.locator(`[data-testid=run-row][data-run="${runId}"]`);
    await expect.poll(() => row.getByTestId('run-row-status').textContent()).toBe('interrupted');
    await row.getByTestId('open-run').click();
    await expect
      .poll(() =>
        page.evaluate(
          () =>
            (globalThis as unknown as { coax: { runs: { open: { header: { id: string } } | null } } }).coax.runs.open
              ?.header.id,
        ),
      )
      .toBe(runId);
    const reopened = await openResults();
    const done = reopened.suites[0]!.items.reduce((n, it) => n + Object.keys(it.outputs).length, 0);
    expect(done).toBeGreaterThanOrEqual(5);
    expect(done).toBe(await stored(runId));
    await page.getByTestId('tab-answers').click();
    expect(await page.locator('[data-testid=cell] code').count()).toBe(done);
  });

  it('stays readable at phone width', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByTestId('tab-leaderboard').click();
    await shot('phone-leaderboard');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(1);
  });
});
