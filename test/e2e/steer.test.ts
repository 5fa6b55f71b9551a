import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PreviewServer } from 'vite';
import type { TransformersModel } from '../../src/adapters/model/transformers-model.ts';
import { executeMethod } from '../../src/core/methods/execute.ts';
import { findMethod } from '../../src/core/methods/method.ts';
import { gapRows } from '../../src/core/metrics/comparison.ts';
import type { RunResults } from '../../src/core/run/results.ts';
import { parseSuite } from '../../src/core/schema/suite-schema.ts';
import { logitLensAfter } from '../../src/core/steer/lens.ts';
import { modelAsSteered } from '../../src/core/steer/steered-model.ts';
import { sweepCells } from '../../src/core/steer/sweep.ts';
import { NO_HIDDEN_IO } from '../../src/core/steer/steer.ts';
import { loadLocal } from '../integration/load-local.ts';
import {
  type BrowserKind,
  chooseMethods,
  chooseSuites,
  launch,
  openWithModel,
  runToEnd,
  screenshotDir,
  serveDist,
} from './harness.ts';
import { encodeSae, featureDirection, topFeatures, traceResiduals } from '../../src/core/steer/sae.ts';
import { folderSae, saeLayers } from '../../cli/sae-files.ts';

let server: PreviewServer;
let url: string;
let node: TransformersModel;
beforeAll(async () => {
  ({ server, url } = await serveDist());
  node = await loadLocal('coax/organism-v1');
});
afterAll(async () => {
  await server?.close();
  await node?.dispose();
});

const openResults = (page: import('playwright-core').Page) =>
  page.evaluate(
    () => (globalThis as unknown as { coax: { runs: { open: { results: unknown } | null } } }).coax.runs.open?.results,
  ) as Promise<RunResults>;

describe.each<[BrowserKind, 'wasm' | 'webgpu']>([
  ['wasm', 'wasm'],
  ['webgpu-swiftshader', 'webgpu'],
])('activation steering and the logit lens in the page (%s)', (kind, backend) => {
  it('runs the steered method on the organism as Node does, and opens the lens of a token', async () => {
    const { browser, close } = await launch(kind);
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      await openWithModel(page, url, backend, 'coax/organism-v1');
      expect(await page.getByTestId('backend').textContent()).toContain(backend === 'wasm' ? 'WASM' : 'WebGPU');
      await chooseMethods(page, ['greedy-plain', 'steer-caa']);
      await chooseSuites(page, ['arith-id']);
      expect(await page.locator('[data-method="steer-caa"] p.muted').first().textContent()).toContain(
        'residual stream',
      );
      await page.getByTestId('suite-size').fill('4');
      await page.getByTestId('run').click();
      await page.waitForFunction(
        () => ['done', 'failed'].includes(document.querySelector('[data-testid=run-status]')?.textContent ?? ''),
        null,
        { timeout: 240_000 },
      );
      expect(await page.getByTestId('run-status').textContent()).toBe('done');
      const results = await openResults(page);
      const suite = results.suites[0]!;
      expect(suite.items).toHaveLength(4);

      // The same steered method in Node (onnxruntime-node), from the same suite file: the same texts.
      const shipped = parseSuite(
        readFileSync(new URL('../../public/models/coax/organism-v1/suites/arith-id.json', import.meta.url), 'utf8'),
        'arith-id.json',
      );
      const items = suite.items.map((it) => shipped.items.find((x) => x.id === it.itemId)!);
      const method = results.methods.find((m) => m.id === 'steer-caa')!;
      expect(method.steer).toEqual(findMethod('steer-caa').steer);
      const want = await executeMethod(node, method, items, shipped, { seed: results.seed });
      const texts = suite.items.map((it) => it.outputs['steer-caa']!.text);
      if (backend === 'wasm') expect(texts).toEqual(want.map((o) => o.text));
      // WebGPU sums in another order; greedy paths can part ways late, but the steered start agrees.
      else texts.forEach((t, i) => expect(t.slice(0, 12)).toBe(want[i]!.text.slice(0, 12)));
      // Steering changed what greedy decoding writes (it starts a worked chain).
      expect(suite.items.some((it) => it.outputs['steer-caa']!.text !== it.outputs['greedy-plain']!.text)).toBe(true);

      // The lens of the first token of the first item's steered trace: layers × top-5, as logitLens in Node.
      await page.getByTestId('tab-gap').click();
      await page
        .locator('[data-testid=gap-row]')
        .first()
        .locator('[data-testid=gap-cell][data-method="steer-caa"]')
        .click();
      await expect.poll(() => page.getByTestId('item-detail').count()).toBe(1);
      const trace = page.getByTestId('token-trace').nth(1);
      await trace.getByTestId('trace-token').nth(1).click();
      const grid = page.getByTestId('lens-grid');
      await grid.waitFor({ timeout: 60_000 });
      expect(await grid.getByTestId('lens-row').count()).toBe(4);
      const out = gapRows(results)[0]!.item.outputs['steer-caa']!;
      // Read as the method decoded: steering at the prompt's last token only ('last'), with the stored direction.
      const steering = results.suites[0]!.steering!['steer-caa']!;
      const lens = await logitLensAfter(modelAsSteered(node, method.steer, steering), node.encode(out.prompt), [
        out.tokens[0]!.id,
      ]);
      const cells = await grid
        .getByTestId('lens-row')
        .evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => Number(td.dataset['id']))));
      const lensIds = lens.layers.map((tops) => tops.map((t) => t.id));
      if (backend === 'wasm') expect(cells).toEqual(lensIds);
      else expect(cells.map((r) => r[0])).toEqual(lensIds.map((r) => r[0]));
      await page.screenshot({ path: join(screenshotDir(), `steer-lens-${kind}.png`), fullPage: true });
    } finally {
      await close();
    }
  });
});

describe('steering on a stock export', () => {
  it('is switched off with the reason (fixture-gpt2)', async () => {
    const { browser, close } = await launch('wasm');
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      await openWithModel(page, url, 'wasm', 'coax/fixture-gpt2');
      const box = page.locator('[data-method="steer-caa"]');
      await expect.poll(() => box.getByTestId('method-toggle').isDisabled()).toBe(true);
      expect(await box.getByTestId('method-toggle').isChecked()).toBe(false);
      expect(await box.getByTestId('steer-disabled').textContent()).toContain(NO_HIDDEN_IO);
    } finally {
      await close();
    }
  });
});

describe.each<[BrowserKind, 'wasm' | 'webgpu']>([
  ['wasm', 'wasm'],
  ['webgpu-swiftshader', 'webgpu'],
])('SAE features in the page (%s)', (kind, backend) => {
  it("ranks a trace's features and steers by one as Node does", async () => {
    const { browser, close } = await launch(kind);
    // WebGPU sums in another order: activations agree to 1e-2 and greedy texts share their start (as above).
    const exact = backend === 'wasm';
    const shot = (name: string) => join(screenshotDir(), exact ? `${name}.png` : `${name}-${kind}.png`);
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      await openWithModel(page, url, backend, 'coax/organism-v1');
      expect(await page.getByTestId('backend').textContent()).toContain(exact ? 'WASM' : 'WebGPU');
      await chooseMethods(page, ['greedy-plain', 'fewshot-worked']);
      await chooseSuites(page, ['arith-id']);
      await page.getByTestId('suite-size').fill('2');
      await runToEnd(page);
      const first = await openResults(page);

      // The features of the first item's worked trace: the page's ranking equals Node's (same SAE, same residuals).
      await page.getByTestId('tab-gap').click();
      await page
        .locator('[data-testid=gap-row]')
        .first()
        .locator('[data-testid=gap-cell][data-method="fewshot-worked"]')
        .click();
      const trace = page.getByTestId('token-trace').nth(1);
      await trace.getByTestId('features-open').click();
      await expect.poll(() => trace.getByTestId('feature-row').count(), { timeout: 60_000 }).toBe(10);
      await trace.getByTestId('feature-browser').screenshot({ path: shot('steer-features') });
      const rows = await trace
        .getByTestId('feature-row')
        .evaluateAll((lis) => lis.map((li) => [Number(li.dataset['feature']), Number(li.dataset['max'])]));
      const out = gapRows(first)[0]!.item.outputs['fewshot-worked']!;
      const sae = folderSae('public/models/coax/organism-v1');
      const layer = saeLayers('public/models/coax/organism-v1')[0]!;
      const s = await sae(layer);
      const residuals = await traceResiduals(
        node,
        node.encode(out.prompt),
        out.tokens.map((t) => t.id),
        layer,
      );
      const want = topFeatures(
        s,
        residuals.map((x) => encodeSae(s, x)),
        10,
      );
      if (exact) {
        expect(rows.map((r) => r[0])).toEqual(want.map((h) => h.feature));
        rows.forEach((r, i) => expect(Math.abs(r[1]! - want[i]!.max)).toBeLessThan(1e-3));
      } else {
        // Each listed feature's peak equals Node's peak for that feature, and nothing Node ranks higher is missing.
        const all = topFeatures(
          s,
          residuals.map((x) => encodeSae(s, x)),
          s.meta.features,
        );
        const nodeMax = new Map(all.map((h) => [h.feature, h.max]));
        rows.forEach((r) => expect(Math.abs(r[1]! - (nodeMax.get(r[0]!) ?? 0))).toBeLessThan(1e-2));
        expect(rows[0]![0]).toBe(want[0]!.feature);
        const floor = Math.min(...rows.map((r) => r[1]!));
        for (const h of all) if (!rows.some((r) => r[0] === h.feature)) expect(h.max).toBeLessThan(floor + 1e-2);
      }

      // Steer by the top feature: a new method, run on the same items, writes what Node writes with that feature.
      await trace.getByTestId('features-scale').fill('4');
      await trace.getByTestId('feature-steer').first().click();
      await trace.getByTestId('features-added').waitFor();
      // …and a scale sweep of it: 4 again (the same method) and 0.5.
      await trace.getByTestId('features-sweep-scales').fill('0.5, 4');
      await trace.getByTestId('feature-sweep').first().click();
      await runToEnd(page);
      const results = await openResults(page);
      const steered = results.methods.filter((m) => m.steer?.feature === want[0]!.feature);
      expect(steered.map((m) => m.steer!.scale).sort()).toEqual([0.5, 4]);
      const method = steered.find((m) => m.steer!.scale === 4)!;
      expect(method.steer).toEqual({ layer, feature: want[0]!.feature, scale: 4 });
      const direction = featureDirection(s, want[0]!.feature);
      for (const m of steered)
        results.suites[0]!.steering![m.id]!.forEach((v, i) => expect(v).toBeCloseTo(direction[i]!, 5));
      const shipped = parseSuite(
        readFileSync(new URL('../../public/models/coax/organism-v1/suites/arith-id.json', import.meta.url), 'utf8'),
        'arith-id.json',
      );
      const items = results.suites[0]!.items.map((it) => shipped.items.find((x) => x.id === it.itemId)!);
      for (const m of steered) {
        const node2 = await executeMethod(node, m, items, shipped, { seed: results.seed, sae });
        const texts = results.suites[0]!.items.map((it) => it.outputs[m.id]!.text);
        if (exact) expect(texts).toEqual(node2.map((o) => o.text));
        else texts.forEach((t, i) => expect(t.slice(0, 12)).toBe(node2[i]!.text.slice(0, 12)));
      }
      // The sweep view: the steered method's cell (accuracy as sweepCells computes it) and one trace per method.
      await page.getByTestId('tab-steering').click();
      const cell = page.getByTestId('sweep-cell');
      await expect.poll(() => cell.count()).toBe(2);
      const cells = sweepCells(results, 'arith-id');
      for (const m of steered) {
        const c = page.locator(`[data-testid=sweep-cell][data-scale="${m.steer!.scale}"]`);
        expect(await c.getAttribute('data-acc')).toBe(cells.find((x) => x.methodId === m.id)!.accuracy.toFixed(4));
        expect(await c.getAttribute('data-layer')).toBe(String(layer));
      }
      expect(await page.getByTestId('sweep-trace').count()).toBe(4);
      await page.getByTestId('steer-sweep').screenshot({ path: shot('steer-sweep') });
      await page.screenshot({ path: join(screenshotDir(), `steer-features-${kind}.png`), fullPage: true });
    } finally {
      await close();
    }
  });
});
