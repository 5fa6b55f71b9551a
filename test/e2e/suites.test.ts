import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { PreviewServer } from 'vite';
import { DEFAULT_METHOD_IDS, findMethod } from '../../src/core/methods/method.ts';
import { buildPrompt } from '../../src/core/methods/prompt.ts';
import type { RunResults } from '../../src/core/run/results.ts';
import { runSuites } from '../../src/core/run/run-suite.ts';
import { limitItems } from '../../src/core/tasks/builtin-suites.ts';
import { importSuite } from '../../src/core/tasks/import/read-import.ts';
import type { Suite } from '../../src/core/tasks/suite.ts';
import { loadLocal } from '../integration/load-local.ts';
import { launch, openWithModel, screenshotDir, serveDist, runToEnd } from './harness.ts';

/*
 * Imports in the real page: a GSM8K-format JSONL that needs no questions asked, and a CSV whose columns are chosen
 * in the mapping dialog; both run on the fixture model, and the page's answers equal the same run in Node.
 */
const MODEL = 'coax/fixture-tiny';
const ITEMS = 3;
const GSM8K = readFileSync('test/fixtures/import/gsm8k-sample.jsonl', 'utf8');
const CSV =
  'uid,prompt_text,gold\n' +
  'a1,"Tom has 3 apples, then buys 4 more. How many apples?",7\n' +
  'a2,"A ""large"" box holds 6 cups. How many cups in 2 boxes?",12\n' +
  'a3,What is 9 minus 4?,5\n' +
  'a4,What is 2 times 8?,16\n' +
  'a5,What is 10 plus 11?,21\n' +
  'a6,What is 7 plus 6?,13\n' +
  'a7,"If 5 birds each lay 2 eggs, how many eggs?",10\n';
// Four exemplars: enough for the 4-shot worked method among the defaults.
const MAPPING = { question: 'prompt_text', answer: 'gold', id: 'uid', exemplars: '4' };

let server: PreviewServer;
let url: string;
let browser: Browser;
let close: () => Promise<void>;
let page: Page;
let gsm8k: Suite;
let csv: Suite;
let reference: RunResults;

beforeAll(async () => {
  ({ server, url } = await serveDist());
  ({ browser, close } = await launch('wasm'));
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  // The suites as the core imports them in Node, and the same run on onnxruntime-node.
  gsm8k = importSuite(GSM8K, 'test.jsonl');
  csv = importSuite(CSV, 'scores.csv', MAPPING);
  const model = await loadLocal(MODEL);
  reference = await runSuites(
    model,
    [limitItems(gsm8k, ITEMS), limitItems(csv, ITEMS)],
    DEFAULT_METHOD_IDS.map(findMethod),
    { modelId: MODEL, seed: 1, batchSize: 8 },
  );
  await model.dispose();
});
afterAll(async () => {
  await close?.();
  await server?.close();
});

async function chooseFile(name: string, text: string): Promise<void> {
  await page.getByTestId('suite-import').setInputFiles({ name, mimeType: 'text/plain', buffer: Buffer.from(text) });
}

/** The prompt the first default method gives the first item, as the dialog must show it. */
const promptOf = (suite: Suite) => buildPrompt(findMethod(DEFAULT_METHOD_IDS[0]!).prompt, suite.items[0]!, suite, 1);

describe('importing suites in Chromium', () => {
  it('loads the fixture model', async () => {
    await openWithModel(page, url, 'wasm', MODEL);
    await page.locator('input[data-suite="addition"]').uncheck();
  });

  it('a malformed file is refused with its line and nothing changes', async () => {
    await chooseFile('broken.csv', 'question,answer\nok,1\n"never closed,2\n');
    await expect
      .poll(() => page.getByTestId('suite-import-error').textContent())
      .toContain('broken.csv: line 3: a quoted field is never closed');
    expect(await page.getByTestId('import-dialog').count()).toBe(0);
  });

  it("imports GSM8K's format as downloaded: answers after ####, exemplars held out, the exact prompt shown", async () => {
    await chooseFile('test.jsonl', GSM8K);
    const dialog = page.getByTestId('import-dialog');
    await dialog.waitFor();
    expect(await page.getByTestId('import-format').textContent()).toContain('GSM8K format');
    expect(await page.locator('[data-role=question]').inputValue()).toBe('question');
    expect(await page.locator('[data-role=answerFormat]').inputValue()).toBe('gsm8k');
    expect(await page.getByTestId('import-summary').textContent()).toContain(
      '4 items, 8 held out as few-shot exemplars',
    );
    const firstRow = await page
      .locator('[data-testid=import-preview] tbody tr')
      .first()
      .locator('td')
      .allTextContents();
    expect(firstRow).toEqual([gsm8k.items[0]!.id, gsm8k.items[0]!.question, gsm8k.items[0]!.answer]);
    expect(await page.getByTestId('import-prompt').textContent()).toBe(promptOf(gsm8k));
    await page.getByTestId('import-confirm').click();
    await dialog.waitFor({ state: 'detached' });
    expect(await page.locator('input[data-suite="test"]').isChecked()).toBe(true);
    expect(await page.locator('li[data-kind=imported]').textContent()).toContain('imported from test.jsonl');
  });

  it('a CSV with unknown columns goes through the mapping dialog', async () => {
    await chooseFile('scores.csv', CSV);
    await page.getByTestId('import-dialog').waitFor();
    expect(await page.locator('[data-role=question]').inputValue()).toBe('');
    expect(await page.getByTestId('import-error').textContent()).toContain(
      'Choose the column that holds the question.',
    );
    expect(await page.getByTestId('import-confirm').isDisabled()).toBe(true);
    await page.locator('[data-role=question]').selectOption(MAPPING.question);
    await page.locator('[data-role=answer]').selectOption(MAPPING.answer);
    await page.locator('[data-role=id]').selectOption(MAPPING.id);
    await page.getByTestId('import-exemplars').fill(MAPPING.exemplars);
    await page.getByTestId('import-exemplars').dispatchEvent('change');
    await expect.poll(() => page.getByTestId('import-summary').textContent()).toContain('3 items, 4 held out');
    expect(await page.getByTestId('import-prompt').textContent()).toBe(promptOf(csv));
    await page.getByTestId('import-confirm').click();
    await page.getByTestId('import-dialog').waitFor({ state: 'detached' });
    expect(await page.locator('input[data-suite="scores"]').isChecked()).toBe(true);
  });

  it('remembers the mapping for a file with the same columns', async () => {
    await chooseFile('scores-2.csv', CSV.replace('What is 9 minus 4?', 'What is 8 minus 4?').replace(',5\n', ',4\n'));
    await page.getByTestId('import-dialog').waitFor();
    expect(await page.getByTestId('import-format').textContent()).toContain('used last time');
    expect(await page.locator('[data-role=question]').inputValue()).toBe(MAPPING.question);
    expect(await page.locator('[data-role=id]').inputValue()).toBe(MAPPING.id);
    await page.getByTestId('import-cancel').click();
    await page.getByTestId('import-dialog').waitFor({ state: 'detached' });
  });

  it('runs both imported suites on the fixture model; the results match the same run in Node', async () => {
    await page.getByTestId('suite-size').fill(String(ITEMS));
    await runToEnd(page);
    await page.getByTestId('tab-answers').click();
    await page.screenshot({ path: join(screenshotDir(), 'suites-import.png'), fullPage: true });
    for (const suite of reference.suites) {
      const table = page.locator(`[data-testid=accuracy-table][data-suite="${suite.suiteName}"]`);
      const counts = await table.getByTestId('counts').allTextContents();
      const expected = DEFAULT_METHOD_IDS.map(
        (m) => `${suite.items.filter((it) => it.outputs[m]!.correct).length} / ${ITEMS}`,
      );
      expect(counts).toEqual(expected);
    }
    const cells = await page
      .getByTestId('cell')
      .evaluateAll((cs) =>
        cs.map((c) => ({ method: c.getAttribute('data-method'), output: c.querySelector('code')?.textContent ?? '' })),
      );
    const expectedCells = reference.suites.flatMap((s) =>
      s.items.flatMap((item) =>
        DEFAULT_METHOD_IDS.map((m) => ({ method: m, output: item.outputs[m]!.text.replace(/\n/g, '⏎') })),
      ),
    );
    expect(cells).toEqual(expectedCells);
    const answers = await page.locator('[data-testid=item-row] td.num').allTextContents();
    expect(answers).toEqual(reference.suites.flatMap((s) => s.items.map((i) => i.answer)));
    expect(answers.slice(0, ITEMS)).toEqual(['54', '297', '82']);
  });

  it('a generated suite added out of distribution is listed with its settings and carried by the link', async () => {
    await page.getByTestId('generator-builder').locator('summary').click();
    await page.getByTestId('generator-select').selectOption('coin-flip');
    expect(await page.getByTestId('generator-explanation').textContent()).toContain('parity');
    await page.locator('[data-setting=n]').fill('5');
    await page.locator('[data-setting=n]').dispatchEvent('change');
    await page.getByTestId('generator-add').click();
    const row = page.locator('li', { has: page.locator('input[data-suite="coin-flip:n=5"]') });
    expect(await row.getByTestId('suite-about').textContent()).toContain('people 5 · out of distribution (n)');
    await page.getByTestId('copy-link').click();
    const link = await page.getByTestId('config-link').inputValue();
    const config = JSON.parse(decodeURIComponent(new URL(link).searchParams.get('config')!)) as { suites: string[] };
    expect(config.suites).toEqual(['imported:test', 'imported:scores', 'generated:coin-flip:n=5']);
    const other = await browser.newPage();
    await other.goto(link);
    await other.locator('input[data-suite="coin-flip:n=5"]').waitFor();
    expect(await other.locator('input[data-suite="coin-flip:n=5"]').isChecked()).toBe(true);
    await other.close();
  });
});
