/** What the commands that load a model share: a `--suite` reference resolved, the `--dtype` chosen, local models only. */
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { env } from '@huggingface/transformers';
import { parseSuite } from '../src/core/schema/suite-schema.ts';
import { GENERATED_SUITES, limitItems } from '../src/core/tasks/builtin-suites.ts';
import { resolveSuiteRef } from '../src/core/tasks/import/suite-ref.ts';
import type { Suite } from '../src/core/tasks/suite.ts';
import { availableDtypes } from '../src/ui/model-files.ts';
import { DTYPES, type Dtype } from '../src/worker/dtypes.ts';
import { intFlag, SEED_RANGE } from './args.ts';
import { readTextFile } from './files.ts';
import { modelSuites } from './local-models.ts';

/** A `--suite` reference as a suite, with the key the page gives it (for the results file's setup link). */
export function resolveSuite(
  ref: string,
  modelsDir: string,
  modelId: string,
  seed: number,
  count: number,
): { suite: Suite; key: string } {
  // A file is read as the page reads one (a BOM dropped); a directory is an error naming it.
  let file = false;
  const readText = (p: string) => (existsSync(p) ? ((file = true), readTextFile(p, '--suite')) : null);
  const found = resolveSuiteRef(ref, { seed, count, readText });
  if (found) return { suite: found, key: `${file ? 'imported' : 'generated'}:${found.name}` };
  const shipped = modelSuites(modelsDir, modelId);
  const path = shipped[ref];
  if (path) return { suite: parseSuite(readTextFile(path, '--suite'), path), key: `shipped:${ref}` };
  const known = [...Object.keys(GENERATED_SUITES), ...Object.keys(shipped)];
  throw new Error(`--suite: "${ref}" is neither a file nor a known suite; known for ${modelId}: ${known.join(', ')}`);
}

/** The flags every command that runs suites shares (run, sweep, lens), checked and with their defaults. */
export interface SuiteFlags {
  seed: number;
  /** The seed of generated suites (--suite-seed). */
  suiteSeed: number;
  batchSize: number;
  limit: number | undefined;
  /** Items a generated suite gets (--count). */
  count: number;
}

export function suiteFlags(flags: Record<string, string>): SuiteFlags {
  if (!flags['suite']) throw new Error('--suite is required');
  return {
    seed: intFlag(flags, 'seed', 1, SEED_RANGE)!,
    suiteSeed: intFlag(flags, 'suite-seed', 1, SEED_RANGE)!,
    batchSize: intFlag(flags, 'batch', 8, { min: 1 })!,
    limit: intFlag(flags, 'limit', undefined, { min: 1 }),
    count: intFlag(flags, 'count', 100, { min: 1 })!,
  };
}

/** `--suite`'s comma-separated references resolved for `modelId`, each cut to `--limit` items. */
export function chosenSuites(
  flags: Record<string, string>,
  modelsDir: string,
  modelId: string,
  s: SuiteFlags,
): { suite: Suite; key: string }[] {
  return flags['suite']!.split(',')
    .map((ref) => resolveSuite(ref.trim(), modelsDir, modelId, s.suiteSeed, s.count))
    .map(({ suite, key }) => ({ suite: limitItems(suite, s.limit), key }));
}

/** The model folder `modelsDir/modelId`, which must hold a config.json. */
export function modelFolder(modelsDir: string, modelId: string): string {
  const folder = resolve(modelsDir, modelId);
  if (!existsSync(join(folder, 'config.json')))
    throw new Error(`--model: no model folder with config.json at ${folder}`);
  return folder;
}

/** The dtypes a local model folder has weights for. */
export function folderDtypes(folder: string): Dtype[] {
  const onnx = existsSync(join(folder, 'onnx')) ? readdirSync(join(folder, 'onnx')).map((f) => `onnx/${f}`) : [];
  return availableDtypes(onnx);
}

export function chooseDtype(flag: string | undefined, folder: string, modelId: string): Dtype {
  const offered = folderDtypes(folder);
  if (flag !== undefined) {
    if (!(DTYPES as readonly string[]).includes(flag))
      throw new Error(`--dtype: "${flag}" is not a dtype; dtypes: ${DTYPES.join(', ')}`);
    if (!offered.includes(flag as Dtype))
      throw new Error(`--dtype ${flag}: ${modelId} has no weights for it; it offers ${offered.join(', ') || 'none'}`);
    return flag as Dtype;
  }
  if (offered.includes('fp32') || offered.length === 0) return 'fp32';
  return offered[0]!;
}

/** transformers.js reads models from the local folder `modelsDir` only. */
export function useLocalModels(modelsDir: string): void {
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  env.localModelPath = `${modelsDir}/`;
}
