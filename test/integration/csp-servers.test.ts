/**
 * The dev and preview servers send the Content-Security-Policy per path (#12, tools/vite/csp.ts): connect-src 'self'
 * on the page and the offline inference worker, the hub hosts only on the worker's hub entry. Asks the real servers
 * (the preview server over a small stand-in build folder, so no build is needed).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, preview, type PreviewServer, type ViteDevServer } from 'vite';
import { LOCAL_HUB_CSP, PAGE_CSP } from '../../tools/vite/csp.ts';
import { HUB_WORKER_ENTRY } from '../../src/worker/entries.ts';

const policy = (res: Response) => res.headers.get('content-security-policy');

describe('the dev server', () => {
  let dev: ViteDevServer;
  let url: string;
  beforeAll(async () => {
    dev = await createServer({ server: { port: 0, host: '127.0.0.1', strictPort: false }, logLevel: 'warn' });
    await dev.listen();
    url = dev.resolvedUrls?.local[0] ?? '';
  });
  afterAll(() => dev?.close());

  it("serves the page and the offline worker with connect-src 'self'", async () => {
    const page = await fetch(url);
    expect(policy(page)).toBe(PAGE_CSP);
    expect(page.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
    const worker = await fetch(`${url}src/worker/inference.worker.ts?worker_file&type=module`);
    expect(worker.status).toBe(200);
    expect(policy(worker)).toBe(PAGE_CSP);
  });

  it('serves the hub entry with the hub hosts: one import of the same worker module, never cached', async () => {
    const entry = await fetch(`${url}${HUB_WORKER_ENTRY}`);
    expect(entry.status).toBe(200);
    expect(policy(entry)).toBe(LOCAL_HUB_CSP);
    expect(entry.headers.get('content-type')).toContain('javascript');
    expect(entry.headers.get('cache-control')).toBe('no-cache');
    expect(entry.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
    expect(await entry.text()).toContain('import "/src/worker/inference.worker.ts?worker_file&type=module";');
  });
});

describe('the preview server', () => {
  let dir: string;
  let server: PreviewServer;
  let url: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'coax-csp-'));
    mkdirSync(join(dir, 'assets'));
    mkdirSync(join(dir, 'hub'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>x</title>');
    writeFileSync(join(dir, 'assets/inference.worker-abc.js'), 'export {};');
    writeFileSync(join(dir, HUB_WORKER_ENTRY), 'import "../assets/inference.worker-abc.js";');
    server = await preview({
      preview: { port: 0, host: '127.0.0.1', strictPort: false },
      build: { outDir: dir },
      logLevel: 'warn',
    });
    url = server.resolvedUrls?.local[0] ?? '';
  });
  afterAll(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("serves the page and the offline worker with connect-src 'self', the hub entry with the hub hosts", async () => {
    expect(policy(await fetch(url))).toBe(PAGE_CSP);
    expect(policy(await fetch(`${url}index.html`))).toBe(PAGE_CSP);
    expect(policy(await fetch(`${url}assets/inference.worker-abc.js`))).toBe(PAGE_CSP);
    const entry = await fetch(`${url}${HUB_WORKER_ENTRY}`);
    expect(entry.status).toBe(200);
    expect(policy(entry)).toBe(LOCAL_HUB_CSP);
    expect(entry.headers.get('cache-control')).toBe('no-cache');
    expect(entry.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
  });
});
