import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { PreviewServer } from 'vite';
import { afterAll, beforeAll, expect } from 'vitest';
import { launch, serveDist, type BrowserKind } from '../../tools/chromium.ts';
import { findMethod, type MethodSpec } from '../../src/core/methods/method.ts';

export { CHROMIUM, launch, serveDist, type BrowserKind } from '../../tools/chromium.ts';

/**
 * The built page served and one Chromium for a whole test file: started before its first test, closed after its
 * last. Read `url` and `browser` inside tests (they are set once beforeAll has run).
 */
export function sharedSite(kind: BrowserKind = 'wasm'): { readonly url: string; readonly browser: Browser } {
  let server: PreviewServer | undefined;
  let close: (() => Promise<void>) | undefined;
  const site = { url: '', browser: undefined as unknown as Browser };
  beforeAll(async () => {
    ({ server, url: site.url } = await serveDist());
    ({ browser: site.browser, close } = await launch(kind));
  });
  afterAll(async () => {
    await close?.();
    await server?.close();
  });
  return site;
}

/** Every URL the page (and its workers) asked for, to check that nothing left the origin. */
export function recordRequests(page: Page): string[] {
  const urls: string[] = [];
  page.context().on('request', (req) => urls.push(req.url()));
  return urls;
}

export function screenshotDir(): string {
  const dir = join(process.cwd(), 'test-results', 'screenshots');
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** The errors the page throws from now on (the tests expect none). */
export function pageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  return errors;
}

/** Wait until the page shows a loaded model; a load error it shows instead is thrown. */
export async function modelLoaded(page: Page, timeout = 240_000): Promise<void> {
  await Promise.race([
    page.getByTestId('model-ready').waitFor({ timeout }),
    page
      .getByTestId('model-error')
      .waitFor({ timeout })
      .then(async () => {
        throw new Error(`model failed to load: ${await page.getByTestId('model-error').textContent()}`);
      }),
  ]);
}

/** Load the page, pick a model and wait until it is loaded. */
export async function openWithModel(
  page: Page,
  url: string,
  backend: 'wasm' | 'webgpu',
  modelId: string,
): Promise<void> {
  const errors = pageErrors(page);
  // The Vite dev server compiles the page's modules on the first visit: slow on a loaded machine, so not 30 s.
  await page.goto(`${url}?backend=${backend}&model=${encodeURIComponent(modelId)}`, { timeout: 120_000 });
  await page.getByTestId('backend').waitFor({ timeout: 60_000 });
  // The page loads the model named in the URL by itself.
  await modelLoaded(page);
  if ((await page.getByTestId('model-select').inputValue()) !== modelId)
    throw new Error(`the page picked another model than ${modelId}`);
  if (errors.length) throw new Error(`page errors: ${errors.join('; ')}`);
}

/** Tick exactly these methods in the Methods panel (every other one off). */
export async function chooseMethods(page: Page, ids: readonly string[]): Promise<void> {
  for (const toggle of await page.getByTestId('method-toggle').all()) {
    const id = await toggle.evaluate((el) => el.closest('[data-method]')?.getAttribute('data-method'));
    await toggle.setChecked(ids.includes(id ?? ''));
  }
}

/** Tick exactly these suites, once the page offers them all (a model's own suites appear after it loads). */
export async function chooseSuites(page: Page, names: readonly string[]): Promise<void> {
  for (const name of names) await expect.poll(() => page.locator(`input[data-suite="${name}"]`).count()).toBe(1);
  for (const box of await page.locator('input[data-suite]').all())
    await box.setChecked(names.includes((await box.getAttribute('data-suite')) ?? ''));
}

/** Click Run and wait until the run ends (done, failed or cancelled); it must end done. */
export async function runToEnd(page: Page, timeout = 240_000): Promise<void> {
  // The status still shows the previous run's end until the new run has started (its suites are resolved first), so
  // wait for a new open run, not only for an end state.
  type Coax = { coax?: { runs?: { open?: { header: { id: string } } | null } } };
  const before = await page.evaluate(() => (globalThis as unknown as Coax).coax?.runs?.open?.header.id ?? null);
  await page.getByTestId('run').click();
  await page.waitForFunction(
    (prev) => {
      const id = (globalThis as unknown as Coax).coax?.runs?.open?.header.id ?? null;
      const status = document.querySelector('[data-testid=run-status]')?.textContent ?? '';
      return id !== prev && ['done', 'failed', 'cancelled'].includes(status);
    },
    before,
    { timeout },
  );
  expect(await page.getByTestId('run-status').textContent()).toBe('done');
}

/** Built-in methods by id with the sample count and CoT-decoding branches a test sets in the page: the CLI's copy. */
export function methodsWith(ids: readonly string[], samples: number, branches: number): MethodSpec[] {
  return ids.map(findMethod).map((m) => {
    if (m.decoding.kind === 'sample') return { ...m, decoding: { ...m.decoding, n: samples } };
    if (m.decoding.kind === 'cot-decoding') return { ...m, decoding: { ...m.decoding, k: branches } };
    return m;
  });
}
