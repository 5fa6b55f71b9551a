/**
 * A site whose Content-Security-Policy lacks blob: in worker-src (#12): ONNX Runtime cannot start its threads there,
 * and a model load used to stop at 100 % with no error. The worker detects it, runs on one thread and says why.
 */
import { describe, expect, it } from 'vitest';
import { sharedSite } from './harness.ts';

const site = sharedSite();

describe('worker-src without blob: (Chromium, WASM)', () => {
  it('the model loads on one thread and the page says the policy is why', async () => {
    const context = await site.browser.newContext();
    // Every response of the site, the worker's script included, comes with worker-src 'self' only.
    await context.route(`${site.url}**`, async (route) => {
      // A fetch cut off by the context closing at the end of the case is expected, not a failure.
      const res = await route.fetch().catch(() => null);
      if (!res) return;
      const headers = res.headers();
      const csp = headers['content-security-policy'];
      if (csp) headers['content-security-policy'] = csp.replace("worker-src 'self' blob:", "worker-src 'self'");
      await route.fulfill({ response: res, headers });
    });
    const page = await context.newPage();
    await page.goto(`${site.url}?backend=wasm&model=coax/fixture-tiny`);
    await page.getByTestId('backend').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('threads').textContent()).toBe('1');
    expect(await page.getByTestId('backend').textContent()).toContain('does not allow blob: workers');
    await page.getByTestId('model-ready').waitFor({ timeout: 60_000 });
    await context.unrouteAll({ behavior: 'ignoreErrors' });
    await context.close();
  });
});
