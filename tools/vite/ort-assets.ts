import { createRequire } from 'node:module';
import { readFileSync, existsSync, createReadStream, mkdirSync, copyFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Plugin } from 'vite';

/**
 * Serves ONNX Runtime Web's wasm runtime from our own origin at `ort/`, taken from the exact
 * onnxruntime-web that @huggingface/transformers resolves (not whatever version sits at the top of node_modules).
 * `ort/ort-version.json` names that version; the worker compares it with the runtime's own at start-up.
 */
export const ORT_FILES = ['ort-wasm-simd-threaded.asyncify.mjs', 'ort-wasm-simd-threaded.asyncify.wasm'];

export function ortDistDir(root: string): { dir: string; version: string } {
  const fromRoot = createRequire(join(root, 'package.json'));
  // The package's exports hide package.json; its main entry lives in dist/, one level below the package root.
  const transformersEntry = fromRoot.resolve('@huggingface/transformers');
  const fromTransformers = createRequire(resolve(dirname(transformersEntry), '..', 'package.json'));
  // onnxruntime-web's exports hide package.json; resolve a listed file and walk up to the package root.
  const wasmFile = fromTransformers.resolve('onnxruntime-web/ort-wasm-simd-threaded.asyncify.wasm');
  const pkgDir = resolve(dirname(wasmFile), '..');
  const version = (JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as { version: string }).version;
  return { dir: dirname(wasmFile), version };
}

export function ortAssets(): Plugin {
  let root = process.cwd();
  let outDir = 'dist';
  return {
    name: 'coax-ort-assets',
    configResolved(config) {
      root = config.root;
      outDir = resolve(config.root, config.build.outDir);
    },
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const url = (req.url ?? '').split('?')[0]!;
        const m = /\/ort\/([^/]+)$/.exec(url);
        if (!m) return next();
        const { dir, version } = ortDistDir(root);
        const name = m[1]!;
        if (name === 'ort-version.json') {
          res.setHeader('Content-Type', 'application/json');
          res.end(JSON.stringify({ version }));
          return;
        }
        const file = join(dir, name);
        if (!ORT_FILES.includes(name) || !existsSync(file)) {
          res.statusCode = 404;
          res.end('not found');
          return;
        }
        res.setHeader('Content-Type', name.endsWith('.wasm') ? 'application/wasm' : 'text/javascript');
        createReadStream(file).pipe(res);
      });
    },
    closeBundle() {
      const { dir, version } = ortDistDir(root);
      const target = join(outDir, 'ort');
      mkdirSync(target, { recursive: true });
      for (const f of ORT_FILES) copyFileSync(join(dir, f), join(target, f));
      writeFileSync(join(target, 'ort-version.json'), JSON.stringify({ version }));
    },
  };
}
