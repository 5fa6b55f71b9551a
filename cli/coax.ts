/**
 * Coax on the command line: the same core and transformers.js adapter as the page, on onnxruntime-node.
 *   npm run coax -- run --model coax/fixture-tiny --suite addition --methods greedy-plain,fewshot-worked --seed 1 --out results.json
 */
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { env } from '@huggingface/transformers';
import { TransformersModel } from '../src/adapters/transformers-model.ts';
import { BUILTIN_METHODS, type MethodSpec } from '../src/core/methods/method.ts';
import { explainMethod } from '../src/core/methods/explain.ts';
import { runSuites } from '../src/core/run/run-suite.ts';
import { parseMethods } from '../src/core/schema/method-schema.ts';
import { parseSuite } from '../src/core/schema/suite-schema.ts';
import { GENERATED_SUITES, limitItems } from '../src/core/tasks/builtin-suites.ts';
import { resolveSuiteRef } from '../src/core/tasks/import/suite-ref.ts';
import type { Suite } from '../src/core/tasks/suite.ts';
import { intFlag, parseArgs } from './args.ts';
import { formatTable, summarize } from './summary.ts';
import { modelSuites, scanLocalModels } from './local-models.ts';

const COMMANDS = {
  run: ['model', 'suite', 'methods', 'seed', 'out', 'batch', 'limit', 'suite-seed', 'count', 'models-dir'],
  list: ['models-dir', 'model'],
} as const;

const HELP = `coax — run elicitation methods on a local ONNX base model (same core as the page)

  coax run --model <id> --suite <name|file>[,<name|file>…] --methods <file|id,id…> [--seed 1] [--out results.json]
           [--batch 8] [--limit N] [--suite-seed 1] [--count 100] [--models-dir public/models]
  coax list [--model <id>]      models in public/models, their suites, and the built-in methods

  --suite    a generated suite (${Object.keys(GENERATED_SUITES).join(', ')}; settings as coin-flip:n=4),
             a suite shipped with the model (public/models/<id>/suites/<name>.json), or a file: Coax suite JSON,
             JSONL, JSON records, CSV or TSV, GSM8K's format (mapping as data.csv:question=<col>:answer=<col>)
  --methods  built-in method ids separated by commas, or a JSON file with an array of ids and/or method objects
  --limit    use only the first N items of each suite`;

function progressBar(done: number, total: number, label: string): void {
  if (!process.stderr.isTTY && done !== total && done % Math.max(1, Math.floor(total / 20)) !== 0) return;
  const width = 30;
  const filled = Math.round((done / total) * width);
  const line = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} ${label}`;
  process.stderr.write(process.stderr.isTTY ? `\r${line.padEnd(90)}` : `${line}\n`);
}

function resolveSuite(ref: string, modelsDir: string, modelId: string, seed: number, count: number): Suite {
  const readText = (p: string) => (existsSync(p) && statSync(p).isFile() ? readFileSync(p, 'utf8') : null);
  const found = resolveSuiteRef(ref, { seed, count, readText });
  if (found) return found;
  const shipped = modelSuites(modelsDir, modelId);
  const file = shipped[ref];
  if (file) return parseSuite(readFileSync(file, 'utf8'), file);
  const known = [...Object.keys(GENERATED_SUITES), ...Object.keys(shipped)];
  throw new Error(`--suite: "${ref}" is neither a file nor a known suite; known for ${modelId}: ${known.join(', ')}`);
}

async function run(flags: Record<string, string>): Promise<void> {
  const modelsDir = resolve(flags['models-dir'] ?? 'public/models');
  const modelId = flags['model'];
  if (!modelId) throw new Error('--model is required (see `coax list`)');
  if (!existsSync(resolve(modelsDir, modelId, 'config.json')))
    throw new Error(`--model: no model folder with config.json at ${resolve(modelsDir, modelId)}`);
  if (!flags['suite']) throw new Error('--suite is required');
  if (!flags['methods']) throw new Error('--methods is required');
  const seed = intFlag(flags, 'seed', 1)!;
  const methodsArg = flags['methods'];
  const methods: MethodSpec[] = existsSync(methodsArg)
    ? parseMethods(readFileSync(methodsArg, 'utf8'), methodsArg)
    : parseMethods(methodsArg, '--methods');
  const limit = intFlag(flags, 'limit');
  const suites = flags['suite']
    .split(',')
    .map((ref) =>
      limitItems(
        resolveSuite(ref.trim(), modelsDir, modelId, intFlag(flags, 'suite-seed', 1)!, intFlag(flags, 'count', 100)!),
        limit,
      ),
    );

  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  env.localModelPath = `${modelsDir}/`;
  const t0 = performance.now();
  const model = await TransformersModel.load(modelId, { device: 'cpu' });
  process.stderr.write(`loaded ${modelId} in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
  const controller = new AbortController();
  process.once('SIGINT', () => {
    process.stderr.write('\ncancelling after the current step…\n');
    controller.abort();
  });
  const results = await runSuites(model, suites, methods, {
    modelId,
    seed,
    batchSize: intFlag(flags, 'batch', 8)!,
    signal: controller.signal,
    now: () => performance.now(),
    onProgress: (p) => progressBar(p.done, p.total, `${p.suiteName} · ${p.methodId}`),
  });
  process.stderr.write('\n');
  await model.dispose();
  console.log(formatTable(summarize(results)));
  if (flags['out']) {
    writeFileSync(flags['out'], JSON.stringify(results));
    console.log(`\nresults written to ${flags['out']}`);
  }
}

function list(flags: Record<string, string>): void {
  const modelsDir = resolve(flags['models-dir'] ?? 'public/models');
  console.log('models:');
  for (const m of scanLocalModels(modelsDir))
    console.log(`  ${m.id}  (${m.modelType})  suites: ${Object.keys(modelSuites(modelsDir, m.id)).join(', ') || '—'}`);
  console.log(`generated suites: ${Object.keys(GENERATED_SUITES).join(', ')}`);
  console.log('methods:');
  for (const m of BUILTIN_METHODS)
    console.log(`  ${m.id.padEnd(18)} ${m.label}\n  ${' '.repeat(18)} ${explainMethod(m)}`);
}

async function main(): Promise<void> {
  const { command, flags } = parseArgs(process.argv.slice(2), COMMANDS as unknown as Record<string, readonly string[]>);
  if (command === 'help') console.log(HELP);
  else if (command === 'list') list(flags);
  else await run(flags);
}

main().catch((err: unknown) => {
  process.stderr.write(`\ncoax: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(err instanceof Error && err.name === 'CancelledError' ? 130 : 1);
});
