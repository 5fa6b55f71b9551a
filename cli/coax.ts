/**
 * Coax on the command line: the same core and transformers.js adapter as the page, on onnxruntime-node.
 *   npm run coax -- run --model coax/fixture-tiny --suite addition --methods greedy-plain,fewshot-worked --seed 1 --out results.json
 *   npm run coax -- show results.json          (a CLI results file or a page export)
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { env } from '@huggingface/transformers';
import { TransformersModel } from '../src/adapters/model/transformers-model.ts';
import { chainOrderNote } from '../src/core/logits/chain-order.ts';
import { BUILTIN_METHODS, type MethodSpec } from '../src/core/methods/method.ts';
import { explainMethod } from '../src/core/methods/explain.ts';
import {
  configFor,
  leaderboardCsv,
  parseRunFile,
  runFile,
  serializeRunFile,
  type RunFile,
} from '../src/core/run/export.ts';
import { mergeRuns, runModels } from '../src/core/run/models.ts';
import { runSuites } from '../src/core/run/run-suite.ts';
import { parseMethods } from '../src/core/schema/method-schema.ts';
import { parseModelConfig } from '../src/core/schema/model-config.ts';
import { parseSuite } from '../src/core/schema/suite-schema.ts';
import { GENERATED_SUITES, limitItems } from '../src/core/tasks/builtin-suites.ts';
import { resolveSuiteRef } from '../src/core/tasks/import/suite-ref.ts';
import type { Suite } from '../src/core/tasks/suite.ts';
import { availableDtypes } from '../src/ui/model-files.ts';
import { DTYPES, type Dtype } from '../src/worker/dtypes.ts';
import { commandHelp, intFlag, overallHelp, parseArgs, SEED_RANGE } from './args.ts';
import { writeCard } from './card.ts';
import { answerDepth, sweep } from './sweep.ts';
import { folderSae, saeLayers } from './sae-files.ts';
import type { SteerPositions } from '../src/core/steer/steer.ts';
import { formatComparison, formatSummaryComparison, parseCriteria } from './compare.ts';
import { checkOutPath, isSummaryFile, readSummaryFile, readTextFile, writeResults } from './files.ts';
import { formatGrid, formatMarkdown, formatTable, summarize } from './summary.ts';
import { modelSuites, scanLocalModels } from './local-models.ts';
import { errorMessage } from '../src/core/errors.ts';
import { COMMANDS, INTRO } from './commands.ts';
import { isCancelled } from '../src/core/decode/cancel.ts';

function progressBar(done: number, total: number, label: string): void {
  if (!process.stderr.isTTY && done !== total && done % Math.max(1, Math.floor(total / 20)) !== 0) return;
  const width = 30;
  const filled = Math.round((done / total) * width);
  const line = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} ${label}`;
  process.stderr.write(process.stderr.isTTY ? `\r${line.padEnd(90)}` : `${line}\n`);
}

/** A `--suite` reference as a suite, with the key the page gives it (for the results file's setup link). */
function resolveSuite(
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

/** The dtypes a local model folder has weights for. */
function folderDtypes(folder: string): Dtype[] {
  const onnx = existsSync(join(folder, 'onnx')) ? readdirSync(join(folder, 'onnx')).map((f) => `onnx/${f}`) : [];
  return availableDtypes(onnx);
}

function chooseDtype(flag: string | undefined, folder: string, modelId: string): Dtype {
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

/** The methods of a run, one line each; a sampling chain says its processor order and whether it is HF's. */
function methodLines(methods: readonly MethodSpec[]): string[] {
  const width = Math.max(...methods.map((m) => m.id.length));
  return methods.map((m) => {
    const order = m.decoding.kind === 'sample' ? chainOrderNote(m.decoding.chain) : null;
    return `  ${m.id.padEnd(width)}  ${m.label}${order ? ` — ${order}` : ''}`;
  });
}

function describe(file: RunFile): string {
  const r = file.results;
  return [
    `${file.name}`,
    `${r.models ? `models ${r.models.join(', ')}` : `model ${r.modelId}`} · seed ${r.seed}${file.backend ? ` · ${file.backend}` : ''} · ${
      file.createdAt ? new Date(file.createdAt).toISOString().replace('T', ' ').slice(0, 19) : 'date unknown'
    }`,
    'methods:',
    ...methodLines(r.methods),
  ].join('\n');
}

/** A number list flag: "1,2,3". */
function numberList(flags: Record<string, string>, name: string, fallback: number[]): number[] {
  const raw = flags[name];
  if (raw === undefined) return fallback;
  const list = raw.split(',').map((x) => Number(x.trim()));
  if (list.length === 0 || list.some((x) => !Number.isFinite(x)))
    throw new Error(`--${name}: "${raw}" is not a comma-separated list of numbers`);
  return list;
}

async function sweepCommand(flags: Record<string, string>): Promise<void> {
  const modelsDir = resolve(flags['models-dir'] ?? 'public/models');
  const modelId = flags['model'];
  if (!modelId) throw new Error('--model is required (see coax list)');
  const folder = resolve(modelsDir, modelId);
  if (!existsSync(join(folder, 'config.json')))
    throw new Error(`--model: no model folder with config.json at ${folder}`);
  if (!flags['suite']) throw new Error('--suite is required');
  const seed = intFlag(flags, 'seed', 1, SEED_RANGE)!;
  const suiteSeed = intFlag(flags, 'suite-seed', 1, SEED_RANGE)!;
  const batchSize = intFlag(flags, 'batch', 8, { min: 1 })!;
  const limit = intFlag(flags, 'limit', undefined, { min: 1 });
  const count = intFlag(flags, 'count', 100, { min: 1 })!;
  const pairs = flags['pairs'] ?? 'shots';
  if (pairs !== 'shots' && pairs !== 'trigger') throw new Error(`--pairs: "${pairs}" is not shots or trigger`);
  const positions = (flags['positions'] ?? 'all,answer,last').split(',').map((p) => p.trim());
  for (const p of positions)
    if (p !== 'all' && p !== 'answer' && p !== 'last')
      throw new Error(`--positions: "${p}" is not all, answer or last`);
  const maxNewTokens = intFlag(flags, 'max-new-tokens', 96, { min: 1 })!;
  const base = { ...parseMethods(flags['method'] ?? 'greedy-plain', '--method')[0]!, maxNewTokens };
  const scales = numberList(flags, 'scales', [1, 2, 4, 8]);
  const out = flags['out'];
  if (out !== undefined) checkOutPath(out);
  const chosen = flags['suite']
    .split(',')
    .map((ref) => resolveSuite(ref.trim(), modelsDir, modelId, suiteSeed, count))
    .map(({ suite, key }) => ({ suite: limitItems(suite, limit), key }));
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  env.localModelPath = `${modelsDir}/`;
  const model = await TransformersModel.load(modelId, { device: 'cpu', dtype: 'fp32' });
  const featureCount = intFlag(flags, 'features', undefined, { min: 1 });
  const rank = flags['rank'] ?? 'votes';
  if (rank !== 'votes' && rank !== 'contrast') throw new Error(`--rank: "${rank}" is not votes or contrast`);
  const layers = numberList(
    flags,
    'layers',
    featureCount ? saeLayers(folder) : Array.from({ length: model.hiddenIo?.layers ?? 0 }, (_, l) => l),
  );
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort());
  const createdAt = Date.now();
  const report = await sweep(
    model,
    chosen.map((c) => c.suite),
    {
      base,
      layers,
      scales,
      pairs,
      positions: positions as SteerPositions[],
      seed,
      batchSize,
      modelId,
      signal: controller.signal,
      log: (line) => console.log(line),
      progress: progressBar,
      features: featureCount ? { k: featureCount, sae: folderSae(folder), rank } : undefined,
    },
  );
  await model.dispose();
  if (out !== undefined) {
    const file = runFile({
      name: `${modelId} · steering sweep · ${new Date(createdAt).toISOString().slice(0, 16).replace('T', ' ')}`,
      createdAt,
      config: configFor(report.test, {
        suiteKeys: chosen.map((c) => c.key),
        generatedSeed: suiteSeed,
        batchSize,
      }),
      backend: 'onnxruntime-node (cpu, fp32)',
      results: report.test,
    });
    const written = writeResults(out, serializeRunFile(file));
    console.log(written.error ? `could not write ${out}: ${written.error}` : `\nresults written to ${written.path}`);
  }
}

async function lensCommand(flags: Record<string, string>): Promise<void> {
  const modelsDir = resolve(flags['models-dir'] ?? 'public/models');
  const modelId = flags['model'];
  if (!modelId) throw new Error('--model is required (see coax list)');
  if (!flags['suite']) throw new Error('--suite is required');
  if (!flags['methods']) throw new Error('--methods is required');
  const seed = intFlag(flags, 'seed', 1, SEED_RANGE)!;
  const batchSize = intFlag(flags, 'batch', 8, { min: 1 })!;
  const limit = intFlag(flags, 'limit', undefined, { min: 1 });
  const methods = parseMethods(flags['methods'], '--methods');
  const suites = flags['suite']
    .split(',')
    .map((ref) => limitItems(resolveSuite(ref.trim(), modelsDir, modelId, 1, 100).suite, limit));
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  env.localModelPath = `${modelsDir}/`;
  const model = await TransformersModel.load(modelId, { device: 'cpu', dtype: 'fp32' });
  const results = await runSuites(model, suites, methods, {
    modelId,
    seed,
    batchSize,
    sae: folderSae(resolve(modelsDir, modelId)),
  });
  const depth = await answerDepth(
    model,
    results,
    methods.map((m) => m.id),
  );
  await model.dispose();
  const layers = (Object.values(depth)[0]?.counts.length ?? 1) - 1;
  console.log(
    `layer where a right answer's first token becomes top-1 under the logit lens and stays (${suites.map((s) => s.name).join(', ')}):`,
  );
  console.log(['method', 'right', ...Array.from({ length: layers }, (_, l) => `L${l}`), 'never'].join('\t'));
  for (const [id, d] of Object.entries(depth)) console.log([id, d.n, ...d.counts].join('\t'));
}

async function run(flags: Record<string, string>): Promise<void> {
  // Everything a user can get wrong is checked here, before the model loads and long before the run ends.
  const modelsDir = resolve(flags['models-dir'] ?? 'public/models');
  if (!flags['model']) throw new Error('--model is required (see coax list)');
  const modelIds = flags['model'].split(',').map((m) => m.trim());
  if (modelIds.some((m) => m === '')) throw new Error(`--model: an empty model id in "${flags['model']}"`);
  if (new Set(modelIds).size !== modelIds.length)
    throw new Error(`--model: a model appears twice in "${flags['model']}"`);
  for (const m of modelIds) {
    const folder = resolve(modelsDir, m);
    if (!existsSync(join(folder, 'config.json')))
      throw new Error(`--model: no model folder with config.json at ${folder}`);
    // The folder's own files checked before the weights load: errors name the file and the field.
    const configPath = join(folder, 'config.json');
    parseModelConfig(readTextFile(configPath, '--model'), configPath);
    if (!existsSync(join(folder, 'tokenizer.json')))
      throw new Error(`--model: ${join(folder, 'tokenizer.json')} is missing (the model's tokenizer)`);
  }
  const modelId = modelIds[0]!;
  if (!flags['suite']) throw new Error('--suite is required');
  if (!flags['methods']) throw new Error('--methods is required');
  const seed = intFlag(flags, 'seed', 1, SEED_RANGE)!;
  const suiteSeed = intFlag(flags, 'suite-seed', 1, SEED_RANGE)!;
  const batchSize = intFlag(flags, 'batch', 8, { min: 1 })!;
  const limit = intFlag(flags, 'limit', undefined, { min: 1 });
  const count = intFlag(flags, 'count', 100, { min: 1 })!;
  const dtypes = modelIds.map((m) => chooseDtype(flags['dtype'], resolve(modelsDir, m), m));
  const pathTokens = flags['path-tokens'] ?? 'all';
  if (pathTokens !== 'all' && pathTokens !== 'none')
    throw new Error(`--path-tokens: "${pathTokens}" is neither all nor none`);
  const out = flags['out'];
  if (out !== undefined) checkOutPath(out);
  const methodsArg = flags['methods'];
  const methods: MethodSpec[] = existsSync(methodsArg)
    ? parseMethods(readTextFile(methodsArg, '--methods'), methodsArg)
    : parseMethods(methodsArg, '--methods');
  const chosen = flags['suite']
    .split(',')
    .map((ref) => resolveSuite(ref.trim(), modelsDir, modelId, suiteSeed, count))
    .map(({ suite, key }) => ({ suite: limitItems(suite, limit), key }));
  const suites = chosen.map((c) => c.suite);

  console.log(`methods:\n${methodLines(methods).join('\n')}`);
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  env.localModelPath = `${modelsDir}/`;
  const controller = new AbortController();
  process.once('SIGINT', () => {
    process.stderr.write('\ncancelling after the current step…\n');
    controller.abort();
  });
  const createdAt = Date.now();
  const many = modelIds.length > 1;
  const results = await runModels(
    modelIds,
    async (id) => {
      const t0 = performance.now();
      const dtype = dtypes[modelIds.indexOf(id)]!;
      const model = await TransformersModel.load(id, { device: 'cpu', dtype });
      process.stderr.write(
        `${many ? '\n' : ''}loaded ${id} (${dtype}) in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`,
      );
      return { model, sae: folderSae(resolve(modelsDir, id)), dispose: () => model.dispose() };
    },
    suites,
    methods,
    {
      seed,
      batchSize,
      pathTokens,
      signal: controller.signal,
      now: () => performance.now(),
      onProgress: (p) => {
        if (p.phase === 'loading') return;
        const which = many ? `model ${p.modelIndex + 1}/${p.models} ${p.modelId} · ` : '';
        progressBar(p.done, p.total, `${which}${p.suiteName} · ${p.methodId}`);
      },
    },
  );
  process.stderr.write('\n');
  console.log(formatTable(summarize(results)));
  const failed = results.suites.flatMap((s) =>
    s.items.flatMap((it) =>
      Object.entries(it.outputs)
        .filter(([, o]) => o.error)
        .map(([method, o]) => `  ${s.suiteName} · ${it.itemId} · ${method}: ${o.error}`),
    ),
  );
  if (failed.length)
    process.stderr.write(
      `\n${failed.length} output(s) failed and count as wrong:\n${failed.slice(0, 20).join('\n')}${failed.length > 20 ? `\n  … and ${failed.length - 20} more` : ''}\n`,
    );
  if (out !== undefined) {
    const file = runFile({
      name: `${modelIds.join(' vs ')} · ${suites.map((s) => s.name).join(', ')} · ${new Date(createdAt).toISOString().slice(0, 16).replace('T', ' ')}`,
      createdAt,
      config: configFor(results, { suiteKeys: chosen.map((c) => c.key), generatedSeed: suiteSeed, batchSize }),
      backend: `onnxruntime-node (cpu, ${[...new Set(dtypes)].join('/')})`,
      results,
    });
    const written = writeResults(out, serializeRunFile(file));
    if (written.error) {
      process.stderr.write(
        `\ncoax: could not write ${resolve(out)} (${written.error});\nthe results are in ${written.path} instead\n`,
      );
      process.exitCode = 1;
    } else console.log(`\nresults written to ${written.path}`);
  }
}

function list(flags: Record<string, string>): void {
  const modelsDir = resolve(flags['models-dir'] ?? 'public/models');
  const models = scanLocalModels(modelsDir).filter((m) => !flags['model'] || m.id === flags['model']);
  if (flags['model'] && models.length === 0)
    throw new Error(`--model: no model folder "${flags['model']}" in ${modelsDir}`);
  console.log('models:');
  for (const m of models)
    console.log(
      `  ${m.id}  (${m.modelType}; dtypes: ${availableDtypes(m.files).join(', ') || 'none'})  suites: ${
        Object.keys(modelSuites(modelsDir, m.id)).join(', ') || '—'
      }`,
    );
  console.log(`generated suites: ${Object.keys(GENERATED_SUITES).join(', ')}`);
  console.log('methods:');
  for (const m of BUILTIN_METHODS) {
    const order = m.decoding.kind === 'sample' ? chainOrderNote(m.decoding.chain) : null;
    console.log(
      `  ${m.id.padEnd(18)} ${m.label}\n  ${' '.repeat(18)} ${explainMethod(m)}${order ? `\n  ${' '.repeat(18)} ${order}` : ''}`,
    );
  }
}

function readRunFile(path: string): RunFile {
  return parseRunFile(readTextFile(path, 'results file'), path, { createdAt: statSync(path).mtimeMs });
}

function show(path: string, flags: Record<string, string>): void {
  const format = flags['format'] ?? 'table';
  const file = readRunFile(path);
  const rows = summarize(file.results);
  if (format === 'table') console.log(`${describe(file)}\n\n${formatTable(rows)}`);
  else if (format === 'markdown') console.log(formatMarkdown(rows));
  else if (format === 'grid')
    console.log(
      formatGrid(
        rows,
        file.results.methods.map((m) => m.id),
      ),
    );
  else if (format === 'json') console.log(JSON.stringify(rows, null, 1));
  else if (format === 'csv') process.stdout.write(leaderboardCsv(file.results));
  else throw new Error(`--format: "${format}" is not a format; formats: table, markdown, grid, json, csv`);
}

function card(path: string, flags: Record<string, string>): void {
  const dir = flags['model-dir'];
  if (!dir) throw new Error('--model-dir is required (the model folder holding data_card.json)');
  const written = writeCard(resolve(dir), readRunFile(path), path);
  console.log(`measured table from ${path} written to ${written.json} and ${written.markdown}`);
}

async function main(): Promise<void> {
  const { command, flags, argument, help } = parseArgs(process.argv.slice(2), COMMANDS);
  if (command === 'help') console.log(overallHelp(INTRO, COMMANDS));
  else if (help) console.log(commandHelp(command, COMMANDS[command]!));
  else if (command === 'list') list(flags);
  else if (command === 'show') show(argument!, flags);
  else if (command === 'card') card(argument!, flags);
  else if (command === 'sweep') await sweepCommand(flags);
  else if (command === 'lens') await lensCommand(flags);
  else if (command === 'compare') {
    const files = argument!.split(',').filter(Boolean);
    const only = { suite: flags['suite'], method: flags['method'], criteria: parseCriteria(flags['criterion']) };
    const summaries = files.filter(isSummaryFile);
    if (summaries.length > 0 && summaries.length < files.length)
      throw new Error(
        `coax compare: give results files or pass summaries, not both (summaries: ${summaries.join(', ')}); ` +
          'tools/pass-summary.ts makes a summary of a results file',
      );
    console.log(
      summaries.length > 0
        ? formatSummaryComparison(summaries.map(readSummaryFile), only)
        : formatComparison(mergeRuns(files.map((f) => readRunFile(f).results)), only),
    );
  } else await run(flags);
}

main().catch((err: unknown) => {
  process.stderr.write(`\ncoax: ${errorMessage(err)}\n`);
  process.exit(isCancelled(err) ? 130 : 1);
});
