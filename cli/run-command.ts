/** `coax run`: suites × methods on one model or several in turn, a table, and a results file the page opens. */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadOnNode } from './node-model.ts';
import type { MethodSpec } from '../src/core/methods/method.ts';
import { configFor, runFile, serializeRunFile } from '../src/core/run/export.ts';
import { runModels } from '../src/core/run/models.ts';
import { parseMethods } from '../src/core/schema/method-schema.ts';
import { parseModelConfig } from '../src/core/schema/model-config.ts';
import { checkOutPath, readTextFile, writeResults } from './files.ts';
import { chooseDtype, chosenSuites, modelFolder, suiteFlags, useLocalModels } from './model-flags.ts';
import { methodLines, progressBar } from './print.ts';
import { folderSae } from './sae-files.ts';
import { formatTable, summarize } from './summary.ts';

export async function run(flags: Record<string, string>): Promise<void> {
  // Everything a user can get wrong is checked here, before the model loads and long before the run ends.
  const modelsDir = resolve(flags['models-dir'] ?? 'public/models');
  if (!flags['model']) throw new Error('--model is required (see coax list)');
  const modelIds = flags['model'].split(',').map((m) => m.trim());
  if (modelIds.some((m) => m === '')) throw new Error(`--model: an empty model id in "${flags['model']}"`);
  if (new Set(modelIds).size !== modelIds.length)
    throw new Error(`--model: a model appears twice in "${flags['model']}"`);
  for (const m of modelIds) {
    const folder = modelFolder(modelsDir, m);
    // The folder's own files checked before the weights load: errors name the file and the field.
    const configPath = join(folder, 'config.json');
    parseModelConfig(readTextFile(configPath, '--model'), configPath);
    if (!existsSync(join(folder, 'tokenizer.json')))
      throw new Error(`--model: ${join(folder, 'tokenizer.json')} is missing (the model's tokenizer)`);
  }
  const modelId = modelIds[0]!;
  if (!flags['suite']) throw new Error('--suite is required');
  if (!flags['methods']) throw new Error('--methods is required');
  const suiteArgs = suiteFlags(flags);
  const { seed, suiteSeed, batchSize } = suiteArgs;
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
  const chosen = chosenSuites(flags, modelsDir, modelId, suiteArgs);
  const suites = chosen.map((c) => c.suite);

  console.log(`methods:\n${methodLines(methods).join('\n')}`);
  useLocalModels(modelsDir);
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
      const model = await loadOnNode(id, { dtype });
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
