import { posix } from 'node:path';
import type { Connect, Plugin } from 'vite';
import { HUB_WORKER_ENTRY } from '../../src/worker/entries.ts';

/**
 * The Content-Security-Policy Coax ships, one definition for dist/_headers (public/_headers, checked against this
 * by test/unit/csp.test.ts) and the dev and preview servers (the middleware below). Measured in Chromium: the page,
 * its worker and ONNX Runtime's WASM need exactly this. 'wasm-unsafe-eval' compiles WebAssembly; blob: in script-src
 * and worker-src is where ONNX Runtime starts its threads (without it a model load stops at 100 % with no error).
 *
 * connect-src is 'self' for the page and the offline inference worker. Only the hub entry of the inference worker
 * (src/worker/entries.ts), which the page starts while hub downloads are switched on, is served with the Hugging
 * Face hosts: the hub itself, which answers listings and /resolve/ URLs, and the hosts its /resolve/ redirects send
 * large files to (cdn-lfs*.huggingface.co, cdn-lfs*.hf.co, cas-bridge.xethub.hf.co). A dedicated worker's fetches
 * obey its own script response's policy, not the page's (test/e2e/csp-worker-policy.test.ts).
 */
export const HUB_HOSTS = ['https://huggingface.co', 'https://*.huggingface.co', 'https://*.hf.co'];

/** The dev and preview servers' hub worker may also reach loopback servers on any port: the tests' hub stand-in. */
export const LOOPBACK = ['http://127.0.0.1:*', 'http://localhost:*'];

export function contentSecurityPolicy(connect: readonly string[] = []): string {
  return [
    "default-src 'self'",
    "script-src 'self' 'wasm-unsafe-eval' blob:",
    "worker-src 'self' blob:",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    `connect-src ${["'self'", ...connect].join(' ')}`,
    "object-src 'none'",
    "base-uri 'self'",
  ].join('; ');
}

/** The page and the offline worker, everywhere. */
export const PAGE_CSP = contentSecurityPolicy();
/** The hub worker's entry as dist/_headers serves it. */
export const HUB_CSP = contentSecurityPolicy(HUB_HOSTS);
/** The hub worker's entry as the dev and preview servers serve it (loopback added for the hub stand-in). */
export const LOCAL_HUB_CSP = contentSecurityPolicy([...HUB_HOSTS, ...LOOPBACK]);

/** Whether a request path (below the site's base) is the hub worker's entry. */
export function isHubEntry(pathname: string, base = '/'): boolean {
  return pathname === `${base.replace(/\/?$/, '/')}${HUB_WORKER_ENTRY}`;
}

/** The policy the dev and preview servers send for a path: the hub entry's, or the page's for every other path. */
export function localPolicy(pathname: string, base = '/'): string {
  return isHubEntry(pathname, base) ? LOCAL_HUB_CSP : PAGE_CSP;
}

/** The hub entry's text: one import of the offline worker bundle (a URL relative to the entry, or absolute). */
export function hubEntrySource(workerUrl: string): string {
  return `// The inference worker with hub downloads on: the same code as the offline entry, served from this path with the\n// Hugging Face hosts in its connect-src (tools/vite/csp.ts).\nimport ${JSON.stringify(workerUrl)};\n`;
}

/** Sets each response's policy by its path (the hub entry is never cached: it names the current worker bundle). */
function policyMiddleware(base: () => string): Connect.NextHandleFunction {
  return (req, res, next) => {
    const pathname = (req.url ?? '/').split('?')[0]!;
    res.setHeader('Content-Security-Policy', localPolicy(pathname, base()));
    if (isHubEntry(pathname, base())) res.setHeader('Cache-Control', 'no-cache');
    next();
  };
}

/**
 * The policy per path in the dev and preview servers (their `headers` option is one value for every path), and the
 * hub entry: written into the build next to the worker bundle it imports, and served by the dev server.
 */
export function cspHeaders(): Plugin {
  let base = '/';
  return {
    name: 'coax-csp',
    configResolved(config) {
      // A relative build base ('./') is served from the root by the dev and preview servers.
      base = config.base.startsWith('/') ? config.base : '/';
    },
    configureServer(server) {
      server.middlewares.use(policyMiddleware(() => base));
      server.middlewares.use((req, res, next) => {
        if (!isHubEntry((req.url ?? '/').split('?')[0]!, base)) return next();
        // Answered here, before Vite's own middlewares add the server's headers: cross-origin isolation too.
        for (const [name, value] of Object.entries(server.config.server.headers ?? {}))
          if (value !== undefined) res.setHeader(name, value);
        res.setHeader('Content-Type', 'text/javascript; charset=utf-8');
        res.end(hubEntrySource(`${base}src/worker/inference.worker.ts?worker_file&type=module`));
      });
    },
    configurePreviewServer(server) {
      server.middlewares.use(policyMiddleware(() => base));
    },
    generateBundle(_, bundle) {
      const worker = Object.keys(bundle).find((f) => /(^|\/)inference\.worker-[\w-]+\.js$/.test(f));
      if (!worker) this.error('the inference worker bundle (inference.worker-<hash>.js) is not in the build');
      const relative = posix.relative(posix.dirname(HUB_WORKER_ENTRY), worker);
      this.emitFile({
        type: 'asset',
        fileName: HUB_WORKER_ENTRY,
        source: hubEntrySource(relative.startsWith('.') ? relative : `./${relative}`),
      });
    },
  };
}
