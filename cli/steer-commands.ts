/** `coax sweep` (steering strength by layer, and SAE features) and `coax lens` (the layer where answers form). */
import { resolve } from 'node:path';
import { loadOnNode } from './node-model.ts';
import { configFor, runFile, serializeRunFile } from '../src/core/run/export.ts';
import { runSuites } from '../src/core/run/run-suite.ts';
import { parseMethods } from '../src/core/schema/method-schema.ts';
import type { SteerPositions } from '../src/core/steer/steer.ts';
import { intFlag, numberList } from './args.ts';
import { checkOutPath, writeResults } from './files.ts';
import { chosenSuites, modelFolder, suiteFlags, useLocalModels } from './model-flags.ts';
import { progressBar } from './print.ts';
import { folderSae, saeLayers } from './sae-files.ts';
import { answerDepth, sweep } from './sweep.ts';

export async function sweepCommand(flags: Record<string, string>): Promise<void> {
  const modelsDir = resolve(flags['models-dir'] ?? 'public/models');
  const modelId = flags['model'];
  if (!modelId) throw new Error('--model is required (see coax list)');
  const folder = modelFolder(modelsDir, modelId);
  const suiteArgs = suiteFlags(flags);
  const { seed, suiteSeed, batchSize } = suiteArgs;
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
  const chosen = chosenSuites(flags, modelsDir, modelId, suiteArgs);
  useLocalModels(modelsDir);
  const model = await loadOnNode(modelId, { dtype: 'fp32' });
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

export async function lensCommand(flags: Record<string, string>): Promise<void> {
  const modelsDir = resolve(flags['models-dir'] ?? 'public/models');
  const modelId = flags['model'];
  if (!modelId) throw new Error('--model is required (see coax list)');
  if (!flags['suite']) throw new Error('--suite is required');
  if (!flags['methods']) throw new Error('--methods is required');
  const suiteArgs = suiteFlags(flags);
  const { seed, batchSize } = suiteArgs;
  const methods = parseMethods(flags['methods'], '--methods');
  const suites = chosenSuites(flags, modelsDir, modelId, suiteArgs).map((c) => c.suite);
  useLocalModels(modelsDir);
  const model = await loadOnNode(modelId, { dtype: 'fp32' });
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
