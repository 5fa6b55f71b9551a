import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { MethodSpec } from '../../src/core/methods/method.ts';
import type { RunResults } from '../../src/core/run/results.ts';
import { openWithModel, runToEnd, sharedSite } from './harness.ts';

/**
 * The WebGPU row gather (src/adapters/model/gpu-gather.ts) picks cache rows on the GPU when self-consistency expands a
 * prompt's cache to n rows and when finished rows leave the batch. It only moves bytes, so a run with it must equal,
 * bit for bit, the same run on the download path (gpuGather off): same tokens, same logprobs. SwiftShader is slow:
 * two items, few samples, short outputs.
 */
const MODEL = 'coax/fixture-tiny';
const site = sharedSite('webgpu-swiftshader');

type Coax = {
  coax: {
    experiment: {
      setup: {
        methods: {
          all: readonly MethodSpec[];
          update(m: MethodSpec): void;
          toggle(id: string, on: boolean): void;
          enabled: readonly string[];
        };
      };
    };
    runs: { open: { results: RunResults } | null };
    worker: { gpuGather(on?: boolean): Promise<{ on: boolean; gathers: number }> };
  };
};

/** Every path's tokens and logprobs of the open run, per item and method. */
async function tokensOf(page: Page) {
  const results = await page.evaluate(() => (globalThis as unknown as Coax).coax.runs.open!.results);
  return results.suites.flatMap((s) =>
    s.items.map((item) =>
      Object.fromEntries(
        Object.entries(item.outputs).map(([method, o]) => [
          method,
          (o.paths ?? [o]).map((p) => ({ ids: p.tokens.map((t) => t.id), logprobs: p.tokens.map((t) => t.logprob) })),
        ]),
      ),
    ),
  );
}

describe('the WebGPU row gather (Chromium, SwiftShader)', () => {
  it('gives the same tokens and logprobs as the download path, bit for bit', { timeout: 900_000 }, async () => {
    const page = await site.browser.newPage();
    await openWithModel(page, site.url, 'webgpu', MODEL);
    expect(await page.getByTestId('backend').textContent()).toContain('WebGPU');
    // Sampling (prefix expanded to n rows, rows dropped as they stop) and CoT-decoding (k branches), kept short.
    await page.evaluate(() => {
      const { experiment } = (globalThis as unknown as Coax).coax;
      for (const m of experiment.setup.methods.all) {
        if (m.id === 'self-consistency' && m.decoding.kind === 'sample')
          experiment.setup.methods.update({ ...m, maxNewTokens: 12, decoding: { ...m.decoding, n: 4 } });
        if (m.id === 'cot-decoding' && m.decoding.kind === 'cot-decoding')
          experiment.setup.methods.update({ ...m, maxNewTokens: 12, decoding: { ...m.decoding, k: 3 } });
      }
      for (const id of [...experiment.setup.methods.enabled]) experiment.setup.methods.toggle(id, false);
      experiment.setup.methods.toggle('self-consistency', true);
      experiment.setup.methods.toggle('cot-decoding', true);
    });
    await page.getByTestId('suite-size').fill('2');
    const gather = (on?: boolean) => page.evaluate((v) => (globalThis as unknown as Coax).coax.worker.gpuGather(v), on);

    expect((await gather()).on).toBe(true);
    await runToEnd(page, 600_000);
    const withGather = await tokensOf(page);
    const gathered = (await gather()).gathers;
    // The GPU path really ran (the cache lives on the GPU and rows were picked there), or this compares nothing.
    expect(gathered).toBeGreaterThan(0);

    await gather(false);
    await runToEnd(page, 600_000);
    const without = await tokensOf(page);
    expect((await gather()).gathers).toBe(gathered);

    expect(withGather.length).toBe(2);
    expect(Object.keys(withGather[0]!).sort()).toEqual(['cot-decoding', 'self-consistency']);
    expect(withGather.flatMap((i) => Object.values(i).flat()).every((p) => p.ids.length > 0)).toBe(true);
    // toEqual compares numbers with Object.is: logprobs must match to the last bit.
    expect(without).toEqual(withGather);
    await page.close();
  });
});
