import { existsSync, readdirSync, readFileSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import type { Connect, Plugin } from 'vite';

/** One model folder under public/models (Hugging Face layout), as the picker lists it. */
export interface ManifestEntry {
  id: string;
  modelType: string;
  bytes: number;
  files: string[];
  /** Bytes per file (the picker shows what each dtype loads). */
  sizes: Record<string, number>;
  hasDataCard: boolean;
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

/** Every folder under `modelsDir` that holds config.json and onnx/*.onnx. Dropping a folder there is enough. */
export function scanModels(modelsDir: string): ManifestEntry[] {
  if (!existsSync(modelsDir)) return [];
  const configs = walk(modelsDir).filter((p) => p.endsWith(`${sep}config.json`));
  const out: ManifestEntry[] = [];
  for (const cfgPath of configs) {
    const folder = cfgPath.slice(0, -'config.json'.length - 1);
    const files = walk(folder).map((p) => relative(folder, p).split(sep).join('/'));
    if (!files.some((f) => f.startsWith('onnx/') && f.endsWith('.onnx'))) continue;
    let modelType = 'unknown';
    try {
      modelType = (JSON.parse(readFileSync(cfgPath, 'utf8')) as { model_type?: string }).model_type ?? 'unknown';
    } catch {
      modelType = 'invalid config.json';
    }
    const sizes = Object.fromEntries(files.map((f) => [f, statSync(join(folder, f)).size]));
    out.push({
      id: relative(modelsDir, folder).split(sep).join('/'),
      modelType,
      bytes: files.reduce((n, f) => n + sizes[f]!, 0),
      files,
      sizes,
      hasDataCard: files.includes('data_card.json'),
    });
  }
  return out.sort((a, b) => a.id.localeCompare(b.id));
}

/** Model files that are bytes (weights, external data, SAE weights), never text. */
export const BINARY_MODEL_FILE = /\/models\/.+\.(?:onnx|onnx_data(?:_\d+)?|bin)$/;

/**
 * Weights served as what they are: application/octet-stream, whole, with their Content-Length. The static server
 * finds no MIME type for .onnx and sends an empty Content-Type, which Vite's preview compression reads as text/plain:
 * it then gzipped every model file on the fly and dropped its Content-Length. For the 622 MB SmolLM2-135M-shaped
 * bench model that cost more than a core for minutes (random weights do not compress) and, with no length, made
 * transformers.js grow its read buffer one chunk at a time (a copy of everything read so far per chunk). Set before
 * the compression and static middlewares run; the static server keeps a Content-Type already set.
 */
export const weightsAsBytes: Connect.NextHandleFunction = (req, res, next) => {
  if (BINARY_MODEL_FILE.test(decodeURIComponent((req.url ?? '').split('?')[0]!)))
    res.setHeader('Content-Type', 'application/octet-stream');
  next();
};

export function modelManifest(): Plugin {
  let modelsDir = '';
  let outDir = 'dist';
  return {
    name: 'coax-model-manifest',
    configResolved(config) {
      modelsDir = resolve(config.publicDir, 'models');
      outDir = resolve(config.root, config.build.outDir);
    },
    configurePreviewServer(server) {
      server.middlewares.use(weightsAsBytes);
    },
    configureServer(server) {
      server.middlewares.use(weightsAsBytes);
      server.middlewares.use((req, res, next) => {
        if ((req.url ?? '').split('?')[0]!.endsWith('/models/index.json')) {
          res.setHeader('Content-Type', 'application/json');
          res.end(JSON.stringify(scanModels(modelsDir)));
          return;
        }
        next();
      });
    },
    closeBundle() {
      mkdirSync(join(outDir, 'models'), { recursive: true });
      writeFileSync(join(outDir, 'models', 'index.json'), JSON.stringify(scanModels(modelsDir)));
    },
  };
}
