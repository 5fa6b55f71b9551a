/**
 * Export the page's pass@k chart of a results file as SVG, as a user would: the built page (npm run build) in
 * Chromium, the file imported, the Models tab, the chart's SVG button. For the README's figures.
 *   npx tsx tools/page-chart.ts <results.json>[,…] <method id> <out.svg> [suite] [answer|verified]
 * Several files (one-model runs of one setup, or chunks of them; see coax compare) are merged into one run first.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { launch, serveDist } from './chromium.ts';
import { parseRunFile, runFile, serializeRunFile } from '../src/core/run/export.ts';
import { mergeRuns } from '../src/core/run/models.ts';

/** The files as one results file the page imports. */
function merged(files: string[]): { name: string; buffer: Buffer } {
  if (files.length === 1) return { name: basename(files[0]!), buffer: readFileSync(files[0]!) };
  const parsed = files.map((f) => parseRunFile(readFileSync(f, 'utf8'), f));
  const first = parsed[0]!;
  const results = mergeRuns(parsed.map((p) => p.results));
  const file = runFile({ ...first, name: `${first.name} (merged)`, results });
  return { name: 'merged.json', buffer: Buffer.from(serializeRunFile(file)) };
}

async function main(): Promise<void> {
  const [files, method, out, suite, criterion] = process.argv.slice(2);
  if (!files || !method || !out)
    throw new Error(
      'usage: tsx tools/page-chart.ts <results.json>[,…] <method id> <out.svg> [suite] [answer|verified]',
    );
  const input = merged(files.split(',').filter(Boolean));
  const { server, url } = await serveDist();
  let tmp: string | null = null;
  const { browser, close } = await launch('wasm');
  try {
    const page = await (await browser.newContext({ acceptDownloads: true })).newPage();
    await page.goto(`${url}?backend=wasm#playground`);
    await page.getByTestId('import-run').waitFor({ timeout: 120_000 });
    // Playwright takes at most 50 MB as a buffer; a larger merged run (three models × 250 items × 256 paths) goes
    // through a file.
    let upload: string | { name: string; mimeType: string; buffer: Buffer } = {
      name: input.name,
      mimeType: 'application/json',
      buffer: input.buffer,
    };
    if (input.buffer.length > 45e6) {
      tmp = mkdtempSync(join(tmpdir(), 'page-chart-'));
      upload = join(tmp, input.name);
      writeFileSync(upload, input.buffer);
    }
    await page.getByTestId('import-run').setInputFiles(upload);
    await page.getByTestId('tab-models').click({ timeout: 120_000 });
    if (suite) await page.getByTestId('curves-suite').selectOption(suite);
    await page.getByTestId('curves-method').selectOption(method);
    if (criterion) await page.getByTestId('curves-criterion').selectOption(criterion);
    await page.getByTestId('pass-at-k-chart').locator('svg').first().waitFor();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('pass-at-k-chart').getByTestId('export-svg').click(),
    ]);
    copyFileSync((await download.path())!, out);
    console.log(
      `${out}: the pass@k chart of ${files} (${suite ?? ''} ${method} ${criterion ?? ''}) as the page exports it`,
    );
  } finally {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
    await close();
    await server.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`page-chart: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
