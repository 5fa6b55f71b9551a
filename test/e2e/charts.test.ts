/**
 * Snapshot tests of the chart functions (Observable Plot's own practice): each chart, rendered in Chromium for a fixed
 * input, must give the SVG stored under __snapshots__/. A change to a chart shows up as a diff of that file; when the
 * change is meant, run `npx vitest run test/e2e/charts.test.ts -u` and review the new SVG.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launch } from './harness.ts';
import { chartRenderer, type ChartRenderer } from './chart-render.ts';

let browser: Browser;
let close: () => Promise<void>;
let charts: ChartRenderer;

beforeAll(async () => {
  ({ browser, close } = await launch('wasm'));
  charts = await chartRenderer(browser);
});

afterAll(async () => {
  await charts?.close();
  await close?.();
});

describe('chart snapshots', () => {
  it('samples: maj@k with ±1 SE bars (estimated) and pass@k for k = 1…4, greedy at 0.4', async () => {
    const curves = [1, 2, 3, 4].flatMap((k) => [
      { k, value: 0.3 + 0.05 * k, low: 0.25 + 0.05 * k, high: 0.35 + 0.05 * k, series: 'Self-consistency · maj@k' },
      { k, value: 0.3 + 0.15 * k, low: 0.3 + 0.15 * k, high: 0.3 + 0.15 * k, series: 'Self-consistency · pass@k' },
    ]);
    const svg = await charts.samples({ suite: 'arith', curves, exact: false, greedy: 0.4 });
    await expect(svg).toMatchFileSnapshot('__snapshots__/samples-chart.svg');
  });

  it('samples: exact maj@k draws no error bars', async () => {
    const curves = [1, 2].flatMap((k) => [
      { k, value: 0.5, low: 0.5, high: 0.5, series: 'SC · maj@k' },
      { k, value: 0.5 + 0.2 * k, low: 0.5 + 0.2 * k, high: 0.5 + 0.2 * k, series: 'SC · pass@k' },
    ]);
    const svg = await charts.samples({ suite: 'arith', curves, exact: true, greedy: 0.25 });
    await expect(svg).toMatchFileSnapshot('__snapshots__/samples-chart-exact.svg');
  });

  it('fact frequency: two methods over the six frequency buckets', async () => {
    const buckets = ['never', '1', '2', '3–5', '6–20', '21+'];
    const facts = buckets.flatMap((bucket, i) => [
      { bucket, accuracy: i / 5, method: 'Greedy' },
      { bucket, accuracy: Math.min(1, 0.1 + i / 4), method: 'Few-shot' },
    ]);
    const svg = await charts.factFrequency(facts);
    await expect(svg).toMatchFileSnapshot('__snapshots__/fact-frequency-chart.svg');
  });

  it("pass@k of two models over k = 1…16 on a log axis, labelled at the curves' ends", async () => {
    // pass@k of one item with c right of n = 16 samples is 1 − C(16 − c, k)/C(16, k); base c = 4, tuned c = 12.
    const choose = (a: number, b: number) => {
      let r = 1;
      for (let i = 0; i < b; i++) r = (r * (a - i)) / (i + 1);
      return r;
    };
    const curve = (c: number) => Array.from({ length: 16 }, (_, i) => 1 - choose(16 - c, i + 1) / choose(16, i + 1));
    const svg = await charts.passAtK({
      title: 'arith-id · sample-16 · n = 16 samples per item',
      n: 16,
      curves: [
        { model: 'organism-v1', passAtK: curve(4) },
        { model: 'organism-v1-rlvr', passAtK: curve(12) },
      ],
    });
    expect(svg).toContain('arith-id · sample-16 · n = 16 samples per item');
    expect(svg.match(/organism-v1(-rlvr)?</g)?.length).toBe(2); // one end label per curve
    await expect(svg).toMatchFileSnapshot('__snapshots__/pass-at-k-chart.svg');
  });
});
