import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { PreviewServer } from 'vite';
import { DEFAULT_METHOD_IDS, findMethod } from '../../src/core/methods/method.ts';
import { additionSuite } from '../../src/core/tasks/addition-suite.ts';
import { runSuites } from '../../src/core/run/run-suite.ts';
import type { RunResults } from '../../src/core/run/results.ts';
import type { ThroughputResult } from '../../src/worker/protocol.ts';
import { loadLocal } from '../integration/load-local.ts';
import {
  launch,
  openWithModel,
  recordRequests,
  screenshotDir,
  serveDist,
  type BrowserKind,
  runToEnd,
} from './harness.ts';

const MODEL = 'coax/fixture-tiny';
let server: PreviewServer;
let url: string;
let reference: RunResults;

beforeAll(async () => {
  ({ server, url } = await serveDist());
  // The same configuration run in Node through onnxruntime-node: the page must agree with it.
  const model = await loadLocal(MODEL);
  reference = await runSuites(model, [additionSuite({ seed: 1, count: 5 })], DEFAULT_METHOD_IDS.map(findMethod), {
    modelId: MODEL,
    seed: 1,
    batchSize: 8,
  });
  await model.dispose();
});
afterAll(async () => {
  await server?.close();
});

async function runComparison(page: Page, items: number): Promise<void> {
  await page.getByTestId('suite-size').fill(String(items));
  await runToEnd(page);
  await page.getByTestId('tab-answers').click();
}

/** What the table shows, cell by cell: the output text (whitespace made visible) and the verdict. */
async function readTable(page: Page) {
  const accuracies = await page.getByTestId('accuracy-row').evaluateAll((rows) =>
    rows.map((r) => ({
      method: r.getAttribute('data-method'),
      accuracy: r.querySelector('[data-testid=accuracy]')?.textContent,
      counts: r.querySelector('[data-testid=counts]')?.textContent,
    })),
  );
  const cells = await page.getByTestId('cell').evaluateAll((cs) =>
    cs.map((c) => ({
      method: c.getAttribute('data-method'),
      output: c.querySelector('code')?.textContent ?? '',
      correct: c.classList.contains('correct'),
    })),
  );
  return { accuracies, cells, rows: await page.getByTestId('item-row').count() };
}

function expectedCells(results: RunResults) {
  return results.suites[0]!.items.flatMap((item) =>
    results.methods.map((m) => ({
      method: m.id,
      output: item.outputs[m.id]!.text.replace(/\n/g, '⏎'),
      correct: item.outputs[m.id]!.correct,
    })),
  );
}

describe.each<[BrowserKind, 'wasm' | 'webgpu']>([
  ['wasm', 'wasm'],
  ['webgpu-swiftshader', 'webgpu'],
])('the page in Chromium (%s)', (kind, backend) => {
  let browser: Browser;
  let close: () => Promise<void>;
  let page: Page;
  let requests: string[];

  beforeAll(async () => {
    ({ browser, close } = await launch(kind));
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    requests = recordRequests(page);
  });
  afterAll(async () => {
    await close?.();
  });

  it('loads the bundled model with per-file progress on the expected backend', async () => {
    await openWithModel(page, url, backend, MODEL);
    const backendText = await page.getByTestId('backend').textContent();
    expect(backendText).toContain(backend === 'wasm' ? 'WASM' : 'WebGPU');
    if (backend === 'wasm') expect(Number(await page.getByTestId('threads').textContent())).toBeGreaterThanOrEqual(1);
    const progress = await page.getByTestId('load-progress').innerText();
    expect(progress).toContain('onnx/model.onnx');
    expect(progress).toMatch(/572\.4 KB \/ 572\.4 KB/);
  });

  it('runs both methods on 5 items and shows a table that matches the same run in Node', async () => {
    await runComparison(page, 5);
    await page.screenshot({ path: join(screenshotDir(), `spine-${kind}.png`), fullPage: true });
    const table = await readTable(page);
    expect(table.rows).toBe(5);
    expect(table.accuracies.map((a) => a.method)).toEqual(DEFAULT_METHOD_IDS);
    for (const a of table.accuracies) {
      const correct = table.cells.filter((c) => c.method === a.method && c.correct).length;
      expect(a.counts).toBe(`${correct} / 5`);
      expect(a.accuracy).toBe(`${Math.round((correct / 5) * 100)}%`);
    }
    const expected = expectedCells(reference);
    if (backend === 'wasm') {
      // Same fp32 CPU arithmetic as onnxruntime-node: identical outputs, character for character.
      expect(table.cells).toEqual(expected);
    } else {
      // WebGPU sums in another order; greedy paths can part ways late, but the first characters agree.
      table.cells.forEach((c, i) => expect(c.output.slice(0, 2)).toBe(expected[i]!.output.slice(0, 2)));
    }
  });

  it('cancels a run between steps and keeps what was computed', async () => {
    // 500 items at batch 1 take far longer than a click: the cancel lands mid-run.
    await page.getByTestId('suite-size').fill('500');
    await page.getByTestId('batch').fill('1');
    await page.getByTestId('run').click();
    await page.getByTestId('tab-answers').click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=cell] code').length >= 2, null, {
      timeout: 120_000,
    });
    await page.getByTestId('cancel').click();
    await page.waitForFunction(
      () => document.querySelector('[data-testid=run-status]')?.textContent === 'cancelled',
      null,
      { timeout: 60_000 },
    );
    const filled = await page.locator('[data-testid=cell] code').count();
    expect(filled).toBeGreaterThanOrEqual(2);
    expect(filled).toBeLessThan(1000);
    await page.getByTestId('batch').fill('8');
  });

  it('answers 404 for a missing model file instead of the index page', async () => {
    const status = await page.evaluate(async () => (await fetch('models/coax/no-such-model/config.json')).status);
    expect(status).toBe(404);
  });

  it('measures decoding throughput at batch 1 and 8', async () => {
    const result = await page.evaluate(async () => {
      const w = (
        globalThis as unknown as {
          coax: { worker: { throughput(b: number, n: number): Promise<ThroughputResult> } };
        }
      ).coax.worker;
      return [await w.throughput(1, 32), await w.throughput(8, 32)];
    });
    console.log(`[throughput ${kind}]`, JSON.stringify(result));
    // Every row decodes exactly 32 tokens (no stop rule), so the rate is batch × 32 tokens over the measured time.
    expect(result.map((r) => [r.batch, r.newTokens])).toEqual([
      [1, 32],
      [8, 32],
    ]);
    for (const r of result) {
      expect(r.ms).toBeGreaterThan(0);
      expect(r.tokensPerSecond).toBeCloseTo(((r.batch * r.newTokens) / r.ms) * 1000, 6);
    }
  });

  it('made no request outside its own origin', () => {
    const origin = new URL(url).origin;
    const outside = requests.filter(
      (u) => !u.startsWith(origin) && !u.startsWith(`blob:${origin}`) && !u.startsWith('data:'),
    );
    expect(outside).toEqual([]);
    expect(requests.some((u) => u.includes('/ort/ort-wasm-simd-threaded'))).toBe(true);
  });
});
