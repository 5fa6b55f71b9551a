/**
 * Hub downloads under the site's Content-Security-Policy (#12), in Chromium on the built page: the page keeps
 * connect-src 'self' whether downloads are on or off; the inference worker can reach the hub only while downloads
 * are on, when the page starts it from its hub entry (src/worker/entries.ts), served with the hub hosts.
 *
 * https://huggingface.co is answered by the test (`context.route`, forwarded to tools/hub-standin.ts on loopback), so
 * no network is needed: a request the policy blocks never leaves the renderer and never reaches the route.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page, Worker } from 'playwright-core';
import { REPO_MODELS, startHubStandin, type HubStandin } from '../../tools/hub-standin.ts';
import { HUB_WORKER_ENTRY } from '../../src/worker/entries.ts';
import { sharedSite } from './harness.ts';

const site = sharedSite();

const HUB = 'https://huggingface.co';
const HUB_ID = 'coax-test/tiny-llama';
const PROBE = `${HUB}/api/models/coax/probe`;

let standin: HubStandin;
beforeAll(async () => {
  standin = await startHubStandin({ models: REPO_MODELS });
});
afterAll(() => standin?.close());

/** Send the hub's requests to the stand-in; returns the paths that reached it, and every worker script's policy. */
async function routeHub(context: BrowserContext): Promise<{ reached: string[]; policies: Map<string, string> }> {
  const reached: string[] = [];
  const policies = new Map<string, string>();
  context.on('response', (res) => {
    const csp = res.headers()['content-security-policy'];
    if (csp && /inference\.worker/.test(res.url())) policies.set(new URL(res.url()).pathname, csp);
  });
  await context.route(`${HUB}/**`, async (route) => {
    const url = new URL(route.request().url());
    reached.push(url.pathname);
    if (url.pathname === '/api/models/coax/probe') {
      await route.fulfill({
        status: 200,
        body: 'hub',
        headers: { 'access-control-allow-origin': '*', 'cross-origin-resource-policy': 'cross-origin' },
      });
      return;
    }
    // A fetch cut off by the context closing at the end of a case is expected, not a failure.
    const res = await route.fetch({ url: `${standin.url}${url.pathname}${url.search}` }).catch(() => null);
    if (res) await route.fulfill({ response: res }).catch(() => {});
  });
  return { reached, policies };
}

async function close(context: BrowserContext): Promise<void> {
  await context.unrouteAll({ behavior: 'ignoreErrors' });
  await context.close();
}

/** Record the page's policy violations from its first script on. */
async function watchViolations(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { cspViolations: string[] }).cspViolations = seen;
    document.addEventListener('securitypolicyviolation', (e) => seen.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
}
const violations = (page: Page) =>
  page.evaluate(() => (window as unknown as { cspViolations: string[] }).cspViolations);

const connectSrc = (policy: string | undefined) =>
  policy
    ?.split('; ')
    .find((d) => d.startsWith('connect-src '))
    ?.split(' ')
    .slice(1);

/** The inference worker started from `entry` ('offline' or 'hub'), once it runs. */
async function workerFrom(page: Page, entry: 'offline' | 'hub'): Promise<Worker> {
  const pick = () =>
    page
      .workers()
      .filter((w) =>
        entry === 'hub' ? w.url().endsWith(HUB_WORKER_ENTRY) : /assets\/inference\.worker-/.test(w.url()),
      )
      .at(-1);
  await expect.poll(() => pick() !== undefined, { timeout: 60_000 }).toBe(true);
  return pick()!;
}

/** A fetch of the hub from a worker: its body or the error that stopped it, and the violations it raised. */
function probeFrom(worker: Worker): Promise<{ result: string; violations: string[] }> {
  return worker.evaluate(async (url) => {
    const seen: string[] = [];
    self.addEventListener('securitypolicyviolation', (e) => seen.push(`${e.violatedDirective} ${e.blockedURI}`));
    const result = await fetch(url).then(
      (r) => r.text(),
      (e: unknown) => `blocked: ${String(e)}`,
    );
    // The violation event is queued as a task after the fetch fails.
    await new Promise((r) => setTimeout(r, 200));
    return { result, violations: seen };
  }, PROBE);
}

const probeFromPage = (page: Page) =>
  page.evaluate(
    (url) =>
      fetch(url).then(
        (r) => r.text(),
        (e: unknown) => `blocked: ${String(e)}`,
      ),
    PROBE,
  );

async function modelReady(page: Page, id: string): Promise<void> {
  await page.waitForSelector(`[data-testid=model-ready][data-model-id="${id}"], [data-testid=model-error]`, {
    timeout: 120_000,
  });
  const error = page.getByTestId('model-error');
  if ((await error.count()) > 0) throw new Error(`loading ${id} failed: ${await error.textContent()}`);
}

describe('hub downloads and the Content-Security-Policy (Chromium, WASM, built page)', () => {
  it("downloads off: the page's connect-src is 'self' and the inference worker's fetch of the hub is blocked", async () => {
    const context = await site.browser.newContext();
    const { reached, policies } = await routeHub(context);
    const page = await context.newPage();
    const nav = await page.goto(`${site.url}?backend=wasm&model=coax/fixture-tiny`);
    expect(connectSrc(nav?.headers()['content-security-policy'])).toEqual(["'self'"]);
    await modelReady(page, 'coax/fixture-tiny');
    const worker = await workerFrom(page, 'offline');
    expect(page.workers().some((w) => w.url().endsWith(HUB_WORKER_ENTRY))).toBe(false);
    expect([...policies.values()].map(connectSrc)).toEqual([["'self'"]]);
    const probe = await probeFrom(worker);
    expect(probe.result).toMatch(/^blocked: TypeError/);
    expect(probe.violations).toEqual([`connect-src ${PROBE}`]);
    expect(reached).toEqual([]);
    await close(context);
  });

  it("downloads on: the worker restarts from its hub entry and downloads a hub model through it; the page's connect-src stays 'self'", async () => {
    const context = await site.browser.newContext();
    const { reached, policies } = await routeHub(context);
    const page = await context.newPage();
    await watchViolations(page);
    const nav = await page.goto(`${site.url}?backend=wasm&model=coax/fixture-tiny`);
    await modelReady(page, 'coax/fixture-tiny');

    await page.getByTestId('hub-remote-switch').check();
    const hubWorker = await workerFrom(page, 'hub');
    // The restarted worker loads the model that was loaded again.
    await modelReady(page, 'coax/fixture-tiny');
    expect(connectSrc(policies.get(new URL(hubWorker.url()).pathname))).toContain(HUB);
    // The listing (files and sizes) comes through the worker: the page could not have asked.
    await page.getByTestId('hub-id-input').fill(HUB_ID);
    await page.getByTestId('hub-id-use').click();
    await expect
      .poll(() => page.getByTestId('storage-estimate').textContent(), { timeout: 30_000 })
      .toContain('Download:');
    await page.getByTestId('load-model').click();
    await modelReady(page, HUB_ID);
    expect(reached).toContain(`/api/models/${HUB_ID}`);
    expect(reached).toContain(`/${HUB_ID}/resolve/main/onnx/model.onnx`);
    expect(await page.getByTestId('model-ready').textContent()).toContain('downloaded');

    // The page never tried the hub, and still cannot reach it; the hub worker can.
    expect(await violations(page)).toEqual([]);
    expect(connectSrc(nav?.headers()['content-security-policy'])).toEqual(["'self'"]);
    expect(await probeFromPage(page)).toMatch(/^blocked: TypeError/);
    expect(await violations(page)).toEqual([`connect-src ${PROBE}`]);
    const before = reached.length;
    const online = await probeFrom(hubWorker);
    expect(online).toEqual({ result: 'hub', violations: [] });
    expect(reached.slice(before)).toEqual(['/api/models/coax/probe']);

    // Off again: back on the offline entry, the hub model loads from the browser cache, the hub is out of reach.
    await page.getByTestId('hub-remote-switch').uncheck();
    const offline = await workerFrom(page, 'offline');
    await modelReady(page, HUB_ID);
    expect(await page.getByTestId('model-ready').textContent()).toContain('from the browser cache');
    expect((await probeFrom(offline)).result).toMatch(/^blocked: TypeError/);
    expect(reached.slice(before)).toEqual(['/api/models/coax/probe']);
    await close(context);
  });
});
