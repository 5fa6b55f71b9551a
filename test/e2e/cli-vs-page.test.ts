import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PreviewServer } from 'vite';
import { findMethod, type MethodSpec } from '../../src/core/methods/method.ts';
import type { RunResults, SuiteResults } from '../../src/core/run/results.ts';
import { launch, openWithModel, screenshotDir, serveDist } from './harness.ts';

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
let cli: RunResults;

function methodsForCli(): MethodSpec[] {
  return METHOD_IDS.map(findMethod).map((m) => {
    if (m.decoding.kind === 'sample') return { ...m, decoding: { ...m.decoding, n: SAMPLES } };
    if (m.decoding.kind === 'cot-decoding') return { ...m, decoding: { ...m.decoding, k: BRANCHES } };
    return m;
  });
}

beforeAll(async () => {
  ({ server, url } = await serveDist());
  const dir = mkdtempSync(join(tmpdir(), 'coax-cli-'));
  writeFileSync(join(dir, 'methods.json'), JSON.stringify(methodsForCli()));
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
      'addition',
      '--count',
      '3',
      '--methods',
      join(dir, 'methods.json'),
      '--seed',
      '7',
      '--out',
      join(dir, 'out.json'),
    ],
    { stdio: 'pipe' },
  );
  cli = JSON.parse(readFileSync(join(dir, 'out.json'), 'utf8')) as RunResults;
});
afterAll(async () => {
  await server?.close();
});

/** What must agree between two runs: every path's text, answer and verdict, the choice and the votes. */
function essence(suites: SuiteResults[]) {
  return suites.map((s) => ({
    suite: s.suiteName,
    items: s.items.map((item) => ({
      id: item.itemId,
      outputs: Object.fromEntries(
        Object.entries(item.outputs).map(([id, o]) => [
          id,
          {
            text: o.text,
            answer: o.extracted?.value ?? null,
            correct: o.correct,
            chosen: o.chosen ?? null,
            paths: o.paths?.map((p) => p.text) ?? null,
            votes: o.votes?.map((v) => `${v.answer}:${v.count}`) ?? null,
          },
        ]),
      ),
    })),
  }));
}

describe('the CLI and the page give the same results for the same configuration and seed', () => {
  it('runs six methods in Chromium (WASM) and matches the CLI output', async () => {
    const { browser, close } = await launch('wasm');
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
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
      await page.getByTestId('run').click();
      await page.waitForFunction(
        () =>
          ['done', 'failed', 'cancelled'].includes(
            document.querySelector('[data-testid=run-status]')?.textContent ?? '',
          ),
        null,
        { timeout: 240_000 },
      );
      expect(await page.getByTestId('run-status').textContent()).toBe('done');
      await page.screenshot({ path: join(screenshotDir(), 'methods-wasm.png'), fullPage: true });
      const pageResults = await page.evaluate(
        () => (globalThis as unknown as { coax: { experiment: { results: unknown } } }).coax.experiment.results,
      );
      const ours = essence(pageResults as SuiteResults[]);
      expect(ours).toEqual(essence(cli.suites));
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
    } finally {
      await close();
    }
  });
});
