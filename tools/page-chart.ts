/**
 * Export the page's pass@k chart of a results file as SVG, as a user would: the built page (npm run build) in
 * Chromium, the file imported, the Models tab, the chart's SVG button. For the README's figure.
 *   npx tsx tools/page-chart.ts <results.json> <method id> <out.svg>
 */
import { copyFileSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { launch, serveDist } from '../test/e2e/harness.ts';

async function main(): Promise<void> {
  const [file, method, out] = process.argv.slice(2);
  if (!file || !method || !out) throw new Error('usage: tsx tools/page-chart.ts <results.json> <method id> <out.svg>');
  const { server, url } = await serveDist();
  const { browser, close } = await launch('wasm');
  try {
    const page = await (await browser.newContext({ acceptDownloads: true })).newPage();
    await page.goto(`${url}?backend=wasm#playground`);
    await page.getByTestId('import-run').waitFor({ timeout: 120_000 });
    await page
      .getByTestId('import-run')
      .setInputFiles({ name: basename(file), mimeType: 'application/json', buffer: readFileSync(file) });
    await page.getByTestId('tab-models').click({ timeout: 120_000 });
    await page.getByTestId('curves-method').selectOption(method);
    await page.getByTestId('pass-at-k-chart').locator('svg').first().waitFor();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('pass-at-k-chart').getByTestId('export-svg').click(),
    ]);
    copyFileSync((await download.path())!, out);
    console.log(`${out}: the pass@k chart of ${file} (${method}) as the page exports it`);
  } finally {
    await close();
    await server.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`page-chart: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
