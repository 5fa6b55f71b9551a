import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { scanModels } from '../tools/vite/model-manifest.ts';

export { scanModels as scanLocalModels };

/** Suites shipped in a model folder: suites/<name>.json, by name. */
export function modelSuites(modelsDir: string, modelId: string): Record<string, string> {
  const dir = join(modelsDir, modelId, 'suites');
  if (!existsSync(dir)) return {};
  return Object.fromEntries(
    readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .map((f) => [f.slice(0, -5), join(dir, f)]),
  );
}
