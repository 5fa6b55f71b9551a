/**
 * The page under its Content-Security-Policy (tools/vite/csp.ts; the preview server sends it as dist/_headers
 * does): the policy is enforced, and the bundled model still loads and runs on WASM with no violation reported.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { PreviewServer } from 'vite';
import { PAGE_CSP } from '../../tools/vite/csp.ts';
import { launch, openWithModel, serveDist } from './harness.ts';

let server: PreviewServer;
let url: string;
let browser: Browser;
let close: () => Promise<void>;
let page: Page;

beforeAll(async () => {
  ({ server, url } = await serveDist());
  ({ browser, close } = await launch('wasm'));
  page = await browser.newPage();
  await page.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { cspViolations: string[] }).cspViolations = seen;
    document.addEventListener('securitypolicyviolation', (e) => seen.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
});
afterAll(async () => {
  await close?.();
  await server?.close();
});

describe('the page under its Content-Security-Policy (Chromium, WASM)', () => {
  it('the server sends the policy and the browser enforces it', async () => {
    const res = await page.goto(url);
    expect(res?.headers()['content-security-policy']).toBe(PAGE_CSP);
    // An inline script added to the page must not run (script-src has no 'unsafe-inline').
    const inlineBlocked = await page.evaluate(() => {
      const script = document.createElement('script');
      script.textContent = 'window.inlineRan = true';
      document.head.append(script);
      return (window as unknown as { inlineRan?: boolean }).inlineRan !== true;
    });
    expect(inlineBlocked).toBe(true);
    const violations = await page.evaluate(() => (window as unknown as { cspViolations: string[] }).cspViolations);
    expect(violations).toEqual(['script-src-elem inline']);
  });

  it('loads the bundled model and runs a comparison with no violation', async () => {
    await openWithModel(page, url, 'wasm', 'coax/fixture-tiny');
    await page.getByTestId('suite-size').fill('3');
    await page.getByTestId('run').click();
    await page.waitForFunction(
      () =>
        ['done', 'failed', 'cancelled'].includes(document.querySelector('[data-testid=run-status]')?.textContent ?? ''),
      null,
      { timeout: 240_000 },
    );
    expect(await page.getByTestId('run-status').textContent()).toBe('done');
    const violations = await page.evaluate(() => (window as unknown as { cspViolations: string[] }).cspViolations);
    expect(violations).toEqual([]);
  });
});
