/**
 * Which Content-Security-Policy governs the inference worker's fetches in Chromium (#12, connect-src for hub
 * downloads): the page's, or the one on the worker script's own response? CSP Level 3 says a dedicated worker loaded
 * from a URL (not blob: or data:) gets its policy from its own response. If Chromium does so, the page can keep
 * connect-src 'self' while only a worker served with the hub hosts in its connect-src can download from the hub.
 *
 * Each case serves the page and the worker script with different connect-src lists (rewritten in flight) and asks
 * the page and the worker to fetch a hub address (answered by the test, so no network is needed: a request the
 * policy blocks never leaves the renderer, one it allows reaches the route).
 */
import { describe, expect, it } from 'vitest';
import type { BrowserContext } from 'playwright-core';
import { sharedSite } from './harness.ts';
import { inferenceWorker } from './stored-runs.ts';

const site = sharedSite();

const HUB = 'https://huggingface.co';
const PROBE = `${HUB}/api/models/coax/probe`;

/** A context whose page is served with connect-src `page` and whose inference worker with connect-src `worker`. */
async function serve(context: BrowserContext, page: string, worker: string): Promise<string[]> {
  const reached: string[] = [];
  await context.route(`${site.url}**`, async (route) => {
    // The page keeps loading (model files, lazy chunks) while the context closes: a fetch cut off by that close is
    // expected, not a failure of the case.
    const res = await route.fetch().catch(() => null);
    if (!res) return;
    const headers = res.headers();
    const csp = headers['content-security-policy'];
    if (csp) {
      const connect = route.request().url().includes('inference.worker') ? worker : page;
      headers['content-security-policy'] = csp.replace(/connect-src [^;]*/, `connect-src ${connect}`);
    }
    await route.fulfill({ response: res, headers });
  });
  await context.route(`${HUB}/**`, async (route) => {
    reached.push(route.request().url());
    await route.fulfill({
      status: 200,
      body: 'hub',
      headers: { 'access-control-allow-origin': '*', 'cross-origin-resource-policy': 'cross-origin' },
    });
  });
  return reached;
}

/** What a fetch of the hub address gives: its body, or the error that stopped it. */
const probe = (url: string) =>
  fetch(url).then(
    (r) => r.text(),
    (e: unknown) => `blocked: ${String(e)}`,
  );

async function attempt(page: string, worker: string) {
  const context = await site.browser.newContext();
  const reached = await serve(context, page, worker);
  const tab = await context.newPage();
  await tab.goto(`${site.url}?backend=wasm`);
  await tab.getByTestId('backend').waitFor({ timeout: 60_000 });
  const fromPage = await tab.evaluate(probe, PROBE);
  const fromWorker = await inferenceWorker(tab).evaluate(probe, PROBE);
  await context.unrouteAll({ behavior: 'ignoreErrors' });
  await context.close();
  return { fromPage, fromWorker, reached: reached.length };
}

describe("the worker's own Content-Security-Policy (Chromium, dedicated module worker)", () => {
  it("a worker served with the hub in connect-src reaches it while the page, served with 'self' only, cannot", async () => {
    const r = await attempt("'self'", `'self' ${HUB}`);
    expect(r.fromPage).toMatch(/^blocked: TypeError/);
    expect(r.fromWorker).toBe('hub');
    expect(r.reached).toBe(1);
  });

  it("a worker served with 'self' only cannot reach the hub even when the page's connect-src names it", async () => {
    const r = await attempt(`'self' ${HUB}`, "'self'");
    expect(r.fromPage).toBe('hub');
    expect(r.fromWorker).toMatch(/^blocked: TypeError/);
    expect(r.reached).toBe(1);
  });
});
