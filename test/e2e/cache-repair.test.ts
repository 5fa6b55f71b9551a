/**
 * A damaged model file in the browser cache must not poison the page (#12): the load that cannot parse it drops the
 * model's cached files, fetches them again and says so; later loads, of it and of other models, work.
 */
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { modelLoaded, openWithModel, sharedSite } from './harness.ts';

const site = sharedSite();

/** The cached weights of a model: URL and size. */
function cachedWeights(page: Page, id: string): Promise<{ url: string; bytes: number } | null> {
  return page.evaluate(async (model) => {
    const cache = await caches.open('transformers-cache');
    for (const req of await cache.keys())
      if (req.url.includes(`/models/${model}/onnx/`) && /\.onnx$/.test(req.url)) {
        const res = await cache.match(req);
        return { url: req.url, bytes: (await res!.arrayBuffer()).byteLength };
      }
    return null;
  }, id);
}

describe('a damaged file in the browser cache (Chromium, WASM)', () => {
  it('is dropped and fetched again, with a notice; the next model loads too', async () => {
    const page = await site.browser.newPage();
    await openWithModel(page, site.url, 'wasm', 'coax/fixture-tiny');
    const whole = await cachedWeights(page, 'coax/fixture-tiny');
    expect(whole).not.toBeNull();
    // Cut the cached weights in half, as an interrupted download that was cached would leave them.
    await page.evaluate(async (u) => {
      const cache = await caches.open('transformers-cache');
      const bytes = await (await cache.match(u))!.arrayBuffer();
      await cache.put(
        u,
        new Response(bytes.slice(0, bytes.byteLength >> 1), {
          headers: { 'content-type': 'application/octet-stream' },
        }),
      );
    }, whole!.url);
    expect((await cachedWeights(page, 'coax/fixture-tiny'))!.bytes).toBe(whole!.bytes >> 1);

    // A fresh page (a fresh worker) loads the model from the cache.
    await page.reload();
    await modelLoaded(page, 120_000);
    expect(await page.getByTestId('model-notice').textContent()).toMatch(
      /deleted from the browser cache and loaded again/,
    );
    expect((await cachedWeights(page, 'coax/fixture-tiny'))!.bytes).toBe(whole!.bytes);

    // The page is not poisoned: another model loads.
    await page.evaluate(async () => {
      const { engine } = (
        globalThis as unknown as {
          coax: {
            engine: {
              select(s: string, id: string): void;
              load(): Promise<void>;
              loaded: { id: string } | null;
              error: string | null;
            };
          };
        }
      ).coax;
      engine.select('bundled', 'coax/organism-v1');
      await engine.load();
    });
    expect(
      await page.evaluate(
        () => (globalThis as unknown as { coax: { engine: { loaded: { id: string } | null } } }).coax.engine.loaded?.id,
      ),
    ).toBe('coax/organism-v1');
    await page.close();
  });
});
