/**
 * Debian's Chromium and the built page, for the e2e tests, the benchmark's browser phase and the screenshot tools:
 * the one place that knows how Coax launches a browser (flags from the project's machine notes).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { preview, type PreviewServer } from 'vite';

/** The built app (dist/) served by Vite's preview server on a free loopback port. */
export async function serveDist(): Promise<{ server: PreviewServer; url: string }> {
  const server = await preview({ preview: { port: 0, host: '127.0.0.1', strictPort: false }, logLevel: 'warn' });
  const url = server.resolvedUrls?.local[0];
  if (!url) throw new Error('preview server has no local URL');
  return { server, url };
}

export const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

const BASE_ARGS = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
  '--disable-quic',
];

export type BrowserKind = 'wasm' | 'webgpu-swiftshader';

/** Debian's Chromium, headless, with a fresh profile; WebGPU through SwiftShader when asked. */
export async function launch(kind: BrowserKind): Promise<{ browser: Browser; close: () => Promise<void> }> {
  const profile = mkdtempSync(join(tmpdir(), 'coax-chromium-'));
  const args =
    kind === 'wasm'
      ? [...BASE_ARGS, '--disable-gpu']
      : [...BASE_ARGS, '--enable-unsafe-webgpu', '--use-webgpu-adapter=swiftshader', '--enable-features=Vulkan'];
  const browser = await chromium
    .launch({ executablePath: CHROMIUM, headless: true, args: [...args, `--user-data-dir=${profile}`] })
    .catch(async () =>
      // Playwright refuses --user-data-dir in launch(); its own launch already uses a fresh temporary profile.
      chromium.launch({ executablePath: CHROMIUM, headless: true, args }),
    );
  return {
    browser,
    close: async () => {
      await browser.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
