import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PreviewServer } from 'vite';
import { parseRunFile } from '../../src/core/run/export.ts';
import type { SuiteResults } from '../../src/core/run/results.ts';
import { launch, methodsWith, openWithModel, serveDist, runToEnd } from './harness.ts';

// Issue 13: a model folder that holds onnx/model_prefix.onnx (export.py --prefix-cache) is loaded through it on
// WASM, and shared prompts are decoded against one prefix cache. fixture-gqa has both graphs with the same weights:
// the page (prefix graph, onnxruntime-web) must give what the CLI (stock graph, onnxruntime-node) gives.
const MODEL = 'coax/fixture-gqa';
const METHOD_IDS = ['fewshot-worked', 'self-consistency', 'cot-decoding-agg'];
const SAMPLES = 4;
const BRANCHES = 5;

let server: PreviewServer;
let url: string;
let close: (() => Promise<void>) | undefined;
let cli: SuiteResults[];

beforeAll(async () => {
  ({ server, url } = await serveDist());
  const dir = mkdtempSync(join(tmpdir(), 'coax-prefix-'));
  writeFileSync(join(dir, 'methods.json'), JSON.stringify(methodsWith(METHOD_IDS, SAMPLES, BRANCHES)));
  const out = join(dir, 'out.json');
  execFileSync(
    process.execPath,
    ['--import', 'tsx', 'cli/coax.ts', 'run', '--model', MODEL, '--suite', 'addition', '--count', '3'].concat([
      '--methods',
      join(dir, 'methods.json'),
      '--seed',
      '7',
      '--out',
      out,
    ]),
    { encoding: 'utf8', stdio: 'pipe' },
  );
  cli = parseRunFile(readFileSync(out, 'utf8'), out).results.suites;
});
afterAll(async () => {
  await close?.();
  await server?.close();
});

/** Every path's token ids and the choice, per item and method (the page may run its default methods too). */
function essence(suites: SuiteResults[]) {
  return suites.flatMap((s) =>
    s.items.map((item) =>
      Object.fromEntries(
        Object.entries(item.outputs)
          .filter(([id]) => METHOD_IDS.includes(id))
          .map(([id, o]) => [
            id,
            { text: o.text, chosen: o.chosen ?? null, paths: (o.paths ?? [o]).map((p) => p.tokens.map((t) => t.id)) },
          ]),
      ),
    ),
  );
}

describe('the shared-prefix graph in Chromium (WASM)', () => {
  it('loads onnx/model_prefix.onnx and gives the tokens and logprobs the CLI gets from model.onnx', async () => {
    let browser;
    ({ browser, close } = await launch('wasm'));
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    await openWithModel(page, url, 'wasm', MODEL);
    type Coax = { coax: { engine: { loaded: { sharedPrefix?: boolean } | null } } };
    expect(await page.evaluate(() => (globalThis as unknown as Coax).coax.engine.loaded?.sharedPrefix)).toBe(true);
    for (const id of METHOD_IDS) {
      const toggle = page.locator(`[data-method="${id}"] [data-testid=method-toggle]`);
      if (!(await toggle.isChecked())) await toggle.check();
    }
    const n = page.locator('[data-method="self-consistency"]').getByLabel('Samples n');
    await n.fill(String(SAMPLES));
    await n.dispatchEvent('change');
    const k = page.locator('[data-method="cot-decoding-agg"]').getByLabel('Branches k');
    await k.fill(String(BRANCHES));
    await k.dispatchEvent('change');
    await page.getByTestId('suite-size').fill('3');
    await page.getByTestId('seed').fill('7');
    await runToEnd(page);
    const ours = (await page.evaluate(
      () => (globalThis as unknown as { coax: { experiment: { results: unknown } } }).coax.experiment.results,
    )) as SuiteResults[];
    expect(essence(ours)).toEqual(essence(cli));
    const logprobs = (suites: SuiteResults[]) =>
      suites.flatMap((s) =>
        s.items.flatMap((i) =>
          METHOD_IDS.flatMap((id) => i.outputs[id]!)
            .flatMap((o) => o.paths ?? [o])
            .flatMap((p) => p.tokens.map((t) => t.logprob)),
        ),
      );
    const theirs = logprobs(cli);
    const mine = logprobs(ours);
    expect(mine.length).toBe(theirs.length);
    expect(mine.length).toBeGreaterThan(100);
    mine.forEach((lp, i) => expect(Math.abs(lp - theirs[i]!)).toBeLessThan(1e-4));
    expect(ours[0]!.items[0]!.outputs['self-consistency']!.paths).toHaveLength(SAMPLES);
  });
});
