import { existsSync, readdirSync, readFileSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import type { Plugin } from 'vite';

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

export function modelManifest(): Plugin {
  let modelsDir = '';
  let outDir = 'dist';
  return {
    name: 'coax-model-manifest',
    configResolved(config) {
      modelsDir = resolve(config.publicDir, 'models');
      outDir = resolve(config.root, config.build.outDir);
    },
    configureServer(server) {
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
