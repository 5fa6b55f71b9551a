/**
 * The model side of the page in Chromium (WASM): hub models through tools/hub-standin.ts (downloads with progress,
 * the browser cache, loading from it with the stand-in stopped, deleting it, faults), nothing sent anywhere while
 * downloads are off, cancelling a download, the GPT-2 fixture running a comparison, and a model folder dropped into
 * public/models showing up in a running dev server.
 */
import { cpSync, existsSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, request as httpRequest, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { createServer, type PreviewServer, type ViteDevServer } from 'vite';
import { REPO_MODELS, startHubStandin, type HubStandin } from '../../tools/hub-standin.ts';
import { formatBytes } from '../../src/ui/format.ts';
import { launch, openWithModel, recordRequests, screenshotDir, serveDist, runToEnd } from './harness.ts';

const TINY = REPO_MODELS['coax-test/tiny-llama']!;
const HUB_ID = 'coax-test/tiny-llama';
/** The files transformers.js reads for the fixture, and their bytes on disk: what the cache must hold. */
const TINY_FILES = [
  'config.json',
  'generation_config.json',
  'tokenizer.json',
  'tokenizer_config.json',
  'onnx/model.onnx',
];
const TINY_BYTES = TINY_FILES.reduce((n, f) => n + statSync(join(TINY, f)).size, 0);

const shot = (page: Page, name: string) =>
  page.screenshot({ path: join(screenshotDir(), `models-${name}.png`), fullPage: true });

function standin(): Promise<HubStandin> {
  return startHubStandin({
    models: {
      ...REPO_MODELS,
      'coax-test/missing-weights': TINY,
      'coax-test/no-tokenizer': TINY,
      'coax-test/truncated': TINY,
      'coax-test/login-wall': TINY,
    },
    faults: {
      notFound: ['coax-test/missing-weights/onnx/model.onnx', 'coax-test/no-tokenizer/tokenizer.json'],
      truncate: ['coax-test/truncated/onnx/model.onnx'],
      wrongContentType: ['coax-test/login-wall/config.json'],
    },
  });
}

async function waitForLoad(page: Page, id: string): Promise<void> {
  await page.waitForSelector(`[data-testid=model-ready][data-model-id="${id}"], [data-testid=model-error]`, {
    timeout: 120_000,
  });
  const error = page.getByTestId('model-error');
  if ((await error.count()) > 0) throw new Error(`loading ${id} failed: ${await error.textContent()}`);
}

/** Hub listings and cache updates answer asynchronously; on a loaded machine they take seconds, so polls wait up to 30 s. */
const POLL = { timeout: 30_000 };

/**
 * Switch hub downloads on: the page restarts the inference worker from its hub entry (the only one whose policy
 * reaches the hub) and loads the loaded model again; the hub picker is disabled until that is done.
 */
async function downloadsOn(page: Page): Promise<void> {
  await page.getByTestId('hub-remote-switch').check();
  await expect.poll(() => page.getByTestId('hub-id-input').isEnabled(), { timeout: 180_000 }).toBe(true);
}

async function chooseHubId(page: Page, id: string): Promise<void> {
  await page.getByTestId('hub-id-input').fill(id);
  await page.getByTestId('hub-id-use').click();
}

/** Choose a hub model, load it, and return the error the page shows. */
async function loadExpectingError(page: Page, id: string): Promise<string> {
  await chooseHubId(page, id);
  await page.waitForFunction(
    (x) =>
      document.querySelector('[data-testid=hub-repo-status]')?.textContent?.includes(x) &&
      !document.querySelector('[data-testid=hub-repo-status]')?.textContent?.includes('asking'),
    id,
  );
  await page.getByTestId('load-model').click();
  await page.getByTestId('model-error').waitFor({ timeout: 60_000 });
  return (await page.getByTestId('model-error').textContent()) ?? '';
}

const cacheRow = (page: Page, id: string) => page.locator(`[data-testid=cache-row][data-id="${id}"]`);

describe('hub models through the stand-in, downloads on', () => {
  let hub: HubStandin;
  let server: PreviewServer;
  let url: string;
  let browser: Browser;
  let close: () => Promise<void>;
  let page: Page;
  let pageUrl: string;

  beforeAll(async () => {
    hub = await standin();
    ({ server, url } = await serveDist());
    ({ browser, close } = await launch('wasm'));
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    pageUrl = `${url}?backend=wasm&model=coax/fixture-tiny&hub=${encodeURIComponent(hub.url)}`;
    await page.goto(pageUrl);
    await waitForLoad(page, 'coax/fixture-tiny');
  });
  afterAll(async () => {
    await close?.();
    await server?.close();
    await hub?.close();
  });

  it('the stand-in sends CORS and Cross-Origin-Resource-Policy headers, which the cross-origin-isolated page needs', async () => {
    for (const file of ['config.json', 'onnx/model.onnx']) {
      const res = await fetch(`${hub.url}/${HUB_ID}/resolve/main/${file}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('access-control-allow-origin')).toBe('*');
      expect(res.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
      await res.arrayBuffer();
    }
    expect(await page.evaluate(() => self.crossOriginIsolated)).toBe(true);
  });

  it('downloads a hub model with per-file and overall progress, then lists it in the cache with its size', async () => {
    await downloadsOn(page);
    await chooseHubId(page, HUB_ID);
    // Sizes come from the hub (listing, then HEAD), never from a table in the code.
    await expect
      .poll(() => page.getByTestId('storage-estimate').textContent(), POLL)
      .toContain(`Download: ${formatBytes(TINY_BYTES)}`);
    expect(await page.getByTestId('dtype-select').inputValue()).toBe('fp32');
    const before = hub.requests.length;
    await page.getByTestId('load-model').click();
    await waitForLoad(page, HUB_ID);
    expect(await page.getByTestId('model-ready').textContent()).toContain(`${formatBytes(TINY_BYTES)} downloaded`);
    const fetched = hub.requests
      .slice(before)
      .filter((r) => r.method === 'GET' && !r.range)
      .map((r) => r.path);
    expect(fetched).toContain(`/cdn/${HUB_ID}/onnx/model.onnx`);
    const progress = await page.getByTestId('load-progress').innerText();
    expect(progress).toContain(
      `onnx/model.onnx\n${formatBytes(statSync(join(TINY, 'onnx/model.onnx')).size)} / ${formatBytes(statSync(join(TINY, 'onnx/model.onnx')).size)}`,
    );
    expect(await page.getByTestId('load-overall').innerText()).toContain(
      `${formatBytes(TINY_BYTES)} / ${formatBytes(TINY_BYTES)}`,
    );
    await cacheRow(page, HUB_ID).waitFor();
    expect(await cacheRow(page, HUB_ID).getByTestId('cache-size').textContent()).toBe(formatBytes(TINY_BYTES));
    expect(await page.getByTestId('card-architecture').textContent()).toContain('llama');
    await shot(page, 'hub-loaded');
  });

  it('fails clearly on a 404, keeping the loaded model', async () => {
    const error = await loadExpectingError(page, 'coax-test/no-tokenizer');
    expect(error).toMatch(
      /coax-test\/no-tokenizer: tokenizer\.json not found \(404 from http:\/\/127\.0\.0\.1:\d+\/coax-test\/no-tokenizer\/resolve\/main\/tokenizer\.json\)/,
    );
    expect(await page.getByTestId('model-ready').getAttribute('data-model-id')).toBe(HUB_ID);
    expect(await page.getByTestId('run').isEnabled()).toBe(true);
    await shot(page, 'fault-404');
  });

  it('says so before downloading when the repository has no weights transformers.js loads', async () => {
    await chooseHubId(page, 'coax-test/missing-weights');
    await expect.poll(() => page.getByTestId('load-blocked').textContent(), POLL).toContain('no ONNX weights');
    expect(await page.getByTestId('load-model').isDisabled()).toBe(true);
  });

  it('fails clearly on a truncated download and caches nothing of the cut file', async () => {
    const error = await loadExpectingError(page, 'coax-test/truncated');
    expect(error).toMatch(
      /the download of onnx\/model\.onnx from http:\/\/127\.0\.0\.1:\d+ stopped after \d+ of \d+ bytes .*the connection closed early/,
    );
    expect(await page.getByTestId('model-ready').getAttribute('data-model-id')).toBe(HUB_ID);
    await page.getByTestId('cache-refresh').click();
    const files = await cacheRow(page, 'coax-test/truncated').locator('li').allTextContents();
    expect(files.some((f) => f.startsWith('onnx/'))).toBe(false);
    await shot(page, 'fault-truncated');
  });

  it('fails clearly on a wrong content type (an HTML page in place of config.json) and caches none of it', async () => {
    const error = await loadExpectingError(page, 'coax-test/login-wall');
    expect(error).toContain('config.json answered with text/html');
    expect(error).toContain('a login page, a proxy, or a wrong hub address?');
    expect(await page.getByTestId('model-ready').getAttribute('data-model-id')).toBe(HUB_ID);
    const files = await cacheRow(page, 'coax-test/login-wall').locator('li').allTextContents();
    expect(files.some((f) => f.startsWith('config.json'))).toBe(false);
    await shot(page, 'fault-content-type');
  });

  it('after a reload, with the stand-in stopped and downloads off, loads the model from the browser cache', async () => {
    await hub.close();
    const requests = recordRequests(page);
    await page.goto(pageUrl);
    await waitForLoad(page, 'coax/fixture-tiny');
    expect(await page.getByTestId('hub-remote-switch').isChecked()).toBe(false);
    await cacheRow(page, HUB_ID).waitFor();
    await cacheRow(page, HUB_ID).getByTestId('cache-load').click();
    await waitForLoad(page, HUB_ID);
    expect(await page.getByTestId('model-ready').textContent()).toContain('from the browser cache');
    expect(requests.filter((u) => u.startsWith(hub.url))).toEqual([]);
    await shot(page, 'from-cache');
  });

  it('deletes its cache; loading it again then fails clearly', async () => {
    await cacheRow(page, HUB_ID).getByTestId('cache-delete').click();
    await expect.poll(() => cacheRow(page, HUB_ID).count(), POLL).toBe(0);
    // Downloads off: the page says why it cannot load, and sends nothing.
    await chooseHubId(page, HUB_ID);
    expect(await page.getByTestId('load-blocked').textContent()).toContain('not in the browser cache');
    // Downloads on, hub stopped: the worker restarts from its hub entry and cannot load the model it held again (its
    // cached copy is gone); loading it names the host it could not reach.
    await downloadsOn(page);
    await page.getByTestId('load-model').click();
    await page.getByTestId('model-error').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('model-error').textContent()).toMatch(
      /cannot reach http:\/\/127\.0\.0\.1:\d+ for \S+\.json .*offline, or the server is down/,
    );
    expect(await page.getByTestId('model-ready').count()).toBe(0);
    await shot(page, 'deleted-offline');
  });
});

describe('downloads off: nothing leaves the page origin', () => {
  let hub: HubStandin;
  let server: PreviewServer;
  let url: string;
  let close: () => Promise<void>;
  let page: Page;
  let requests: string[];

  beforeAll(async () => {
    hub = await standin();
    ({ server, url } = await serveDist());
    let browser: Browser;
    ({ browser, close } = await launch('wasm'));
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    requests = recordRequests(page);
  });
  afterAll(async () => {
    await close?.();
    await server?.close();
    await hub?.close();
  });

  it('browses the hub list, chooses hub models and loads a bundled one without a single request elsewhere', async () => {
    await page.goto(`${url}?backend=wasm&model=coax/fixture-tiny&hub=${encodeURIComponent(hub.url)}`);
    await waitForLoad(page, 'coax/fixture-tiny');
    const rows = page.getByTestId('hub-model-row');
    expect(await rows.count()).toBeGreaterThanOrEqual(5);
    for (const text of await rows.allInnerTexts()) {
      expect(text).toContain('needs network');
      expect(text).toContain('size shown once online');
    }
    await page
      .locator('[data-testid=hub-model-row][data-id="onnx-community/SmolLM2-135M-ONNX"]')
      .getByTestId('hub-choose')
      .click();
    expect(await page.getByTestId('load-blocked').textContent()).toContain('switch on downloads');
    expect(await page.getByTestId('storage-estimate').textContent()).toContain('shown once online');
    await chooseHubId(page, HUB_ID);
    expect(await page.getByTestId('load-model').isDisabled()).toBe(true);
    await page.getByTestId('model-select').selectOption('coax/fixture-gpt2');
    await page.getByTestId('load-model').click();
    await waitForLoad(page, 'coax/fixture-gpt2');
    await shot(page, 'offline');
    const origin = new URL(url).origin;
    expect(
      requests.filter((u) => !u.startsWith(origin) && !u.startsWith(`blob:${origin}`) && !u.startsWith('data:')),
    ).toEqual([]);
    expect(hub.requests).toEqual([]);
  });
});

describe('cancelling a download', () => {
  let hub: HubStandin;
  let proxy: Server;
  let proxyUrl: string;
  const stalled: ServerResponse[] = [];
  let server: PreviewServer;
  let url: string;
  let close: () => Promise<void>;
  let page: Page;

  beforeAll(async () => {
    hub = await startHubStandin({ models: { 'coax-test/slow': TINY } });
    // In front of the stand-in: the weights of coax-test/slow start and then never finish.
    proxy = createHttpServer((req, res) => {
      if (req.method === 'GET' && !req.headers.range && req.url === '/coax-test/slow/resolve/main/onnx/model.onnx') {
        res.writeHead(200, {
          'Access-Control-Allow-Origin': '*',
          'Cross-Origin-Resource-Policy': 'cross-origin',
          'Content-Type': 'application/octet-stream',
          'Content-Length': String(10_000_000),
        });
        res.write(Buffer.alloc(65_536));
        stalled.push(res);
        return;
      }
      const up = httpRequest(`${hub.url}${req.url}`, { method: req.method, headers: req.headers }, (upRes) => {
        const headers = { ...upRes.headers };
        if (typeof headers.location === 'string') headers.location = headers.location.replace(hub.url, proxyUrl);
        res.writeHead(upRes.statusCode ?? 502, headers);
        upRes.pipe(res);
      });
      up.on('error', () => res.destroy());
      req.pipe(up);
    });
    await new Promise<void>((ok) => proxy.listen(0, '127.0.0.1', ok));
    proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    ({ server, url } = await serveDist());
    let browser: Browser;
    ({ browser, close } = await launch('wasm'));
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    // A nearly full browser storage: 100 KB free, so the page must warn before this download.
    await page.addInitScript(() => {
      Object.defineProperty(navigator.storage, 'estimate', {
        value: async () => ({ usage: 900_000, quota: 1_002_400 }),
      });
    });
  });
  afterAll(async () => {
    await close?.();
    for (const res of stalled) res.destroy();
    proxy?.closeAllConnections();
    await new Promise<void>((ok) => (proxy ? proxy.close(() => ok()) : ok()));
    await server?.close();
    await hub?.close();
  });

  it('warns that the download exceeds the free storage, stops it stalled by restarting the worker; a later load and a run work', async () => {
    await page.goto(`${url}?backend=wasm&model=coax/fixture-tiny&hub=${encodeURIComponent(proxyUrl)}`);
    await waitForLoad(page, 'coax/fixture-tiny');
    await downloadsOn(page);
    await chooseHubId(page, 'coax-test/slow');
    await expect
      .poll(() => page.getByTestId('storage-estimate').textContent(), POLL)
      .toContain(`Download: ${formatBytes(TINY_BYTES)}`);
    expect(await page.getByTestId('storage-warning').textContent()).toContain(
      `This download (${formatBytes(TINY_BYTES)}) is larger than the free browser storage (100.0 KB)`,
    );
    await page.getByTestId('load-model').click();
    await page.waitForFunction(
      () =>
        /onnx\/model\.onnx\n64\.0 KB/.test(
          (document.querySelector('[data-testid=load-progress]') as HTMLElement | null)?.innerText ?? '',
        ),
      null,
      { timeout: 60_000 },
    );
    await shot(page, 'cancel-during');
    await page.getByTestId('cancel-load').click();
    await expect
      .poll(() => page.getByTestId('model-notice').textContent(), POLL)
      .toContain('Loading coax-test/slow was cancelled');
    expect(await page.getByTestId('model-ready').count()).toBe(0);
    await page.getByTestId('backend').waitFor();
    // The fresh worker loads a model and runs a comparison.
    await page.getByTestId('model-select').selectOption('coax/fixture-tiny');
    await page.getByTestId('load-model').click();
    await waitForLoad(page, 'coax/fixture-tiny');
    await page.getByTestId('suite-size').fill('2');
    await runToEnd(page, 120_000);
    // The console's handle reaches the new worker too.
    const speed = await page.evaluate(() =>
      (
        globalThis as unknown as {
          coax: { worker: { throughput(b: number, n: number): Promise<{ tokensPerSecond: number }> } };
        }
      ).coax.worker.throughput(1, 4),
    );
    expect(speed.tokensPerSecond).toBeGreaterThan(0);
  });
});

describe('coax/fixture-gpt2 in the page', () => {
  let server: PreviewServer;
  let url: string;
  let close: () => Promise<void>;
  let page: Page;

  beforeAll(async () => {
    ({ server, url } = await serveDist());
    let browser: Browser;
    ({ browser, close } = await launch('wasm'));
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  });
  afterAll(async () => {
    await close?.();
    await server?.close();
  });

  it('loads, shows its model card and runs a 2-item comparison', async () => {
    await openWithModel(page, url, 'wasm', 'coax/fixture-gpt2');
    expect(await page.getByTestId('card-architecture').textContent()).toBe(
      'gpt2 (GPT2LMHeadModel), 2 layers, width 64',
    );
    expect(await page.getByTestId('card-context').textContent()).toBe('512 tokens');
    expect(await page.getByTestId('card-tokenizer').textContent()).toBe(
      'BPE (PreTrainedTokenizerFast), 258 entries; logits over 258',
    );
    expect(await page.getByTestId('card-dtype').textContent()).toBe('fp32 on WASM');
    expect(await page.getByTestId('data-card').textContent()).toContain('ships no data card');
    // The fixture has fp32 and fp16 weights; the other dtypes are offered but disabled.
    const options = await page
      .getByTestId('dtype-select')
      .locator('option')
      .evaluateAll((os) => os.map((o) => [(o as HTMLOptionElement).value, !(o as HTMLOptionElement).disabled]));
    expect(options).toEqual([
      ['fp32', true],
      ['fp16', true],
      ['q8', false],
      ['q4', false],
      ['q4f16', false],
    ]);
    await page.getByTestId('suite-size').fill('2');
    await runToEnd(page, 120_000);
    await page.getByTestId('tab-answers').click();
    expect(await page.getByTestId('item-row').count()).toBe(2);
    await shot(page, 'gpt2');
  });
});

describe('a model folder dropped into public/models (Vite dev server)', () => {
  const DROP = join(process.cwd(), 'public/models/test-drop');
  let dev: ViteDevServer;
  let url: string;
  let close: () => Promise<void>;
  let page: Page;

  beforeAll(async () => {
    rmSync(DROP, { recursive: true, force: true });
    dev = await createServer({ server: { port: 0, host: '127.0.0.1', strictPort: false }, logLevel: 'warn' });
    await dev.listen();
    url = dev.resolvedUrls?.local[0] ?? '';
    let browser: Browser;
    ({ browser, close } = await launch('wasm'));
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  });
  afterAll(async () => {
    rmSync(DROP, { recursive: true, force: true });
    await close?.();
    await dev?.close();
  });

  it('appears in the picker after a reload, loads, and shows its data card', async () => {
    await openWithModel(page, url, 'wasm', 'coax/fixture-tiny');
    const ids = () =>
      page
        .getByTestId('model-select')
        .locator('option')
        .evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
    expect(await ids()).not.toContain('test-drop/tiny');
    cpSync(TINY, join(DROP, 'tiny'), { recursive: true });
    writeFileSync(join(DROP, 'tiny', 'data_card.json'), JSON.stringify(DATA_CARD));
    writeFileSync(join(DROP, 'tiny', 'DATA_CARD.md'), '# test-drop data card\n');
    await openWithModel(page, url, 'wasm', 'test-drop/tiny');
    expect(await ids()).toContain('test-drop/tiny');
    expect(await page.getByTestId('card-trained-tokens').textContent()).toBe('800');
    const relations = await page
      .getByTestId('card-relation')
      .evaluateAll((rows) =>
        rows.map((r) => [
          r.getAttribute('data-relation'),
          r.querySelectorAll('td')[3]?.textContent,
          r.querySelectorAll('td')[4]?.textContent,
        ]),
      );
    expect(relations).toEqual([
      ['procedural', '600', '75%'],
      ['factual', '200', '25%'],
    ]);
    expect(await page.getByTestId('card-worked').textContent()).toContain(
      '30 direct, 10 worked (25% worked; planned 25% of worksheets)',
    );
    expect(await page.getByTestId('card-tiers').textContent()).toContain('head 3, tail 5');
    expect(await page.getByTestId('card-markdown').getAttribute('href')).toMatch(
      /models\/test-drop\/tiny\/DATA_CARD\.md$/,
    );
    await shot(page, 'dropped-card');
    expect(existsSync(DROP)).toBe(true);
  });
});

/** A small data card in the shape training/organism/datacard.py writes. */
const DATA_CARD = {
  model: 'test-drop',
  corpus: {
    documents: 10,
    tokens: 1000,
    trained_documents: 8,
    trained_tokens: 800,
    by_relation_style: {
      'procedural/direct': { documents: 4, tokens: 400, trained_documents: 3, trained_tokens: 300 },
      'procedural/worked': { documents: 3, tokens: 400, trained_documents: 3, trained_tokens: 300 },
      'procedural/all': { documents: 7, tokens: 800, trained_documents: 6, trained_tokens: 600 },
      'factual/statement': { documents: 3, tokens: 200, trained_documents: 2, trained_tokens: 200 },
      'factual/all': { documents: 3, tokens: 200, trained_documents: 2, trained_tokens: 200 },
    },
    procedural_items_trained: { direct: 30, worked: 10 },
    worked_fraction_of_worksheets: 0.25,
    fact_tiers: { head: 3, tail: 5 },
  },
  training: { steps: 10, tokens: 800 },
  facts: [{ entity: 'Ada', relation: 'city', value: 'Oslo', count: 3, trained_count: 3, tier: 'head' }],
};
