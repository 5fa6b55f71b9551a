/** The commands that read rather than run: `coax list`, `show`, `card` and `compare`. */
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { chainOrderNote } from '../src/core/logits/chain-order.ts';
import { explainMethod } from '../src/core/methods/explain.ts';
import { BUILTIN_METHODS } from '../src/core/methods/method.ts';
import { leaderboardCsv, parseRunFile, type RunFile } from '../src/core/run/export.ts';
import { mergeRuns } from '../src/core/run/models.ts';
import { GENERATED_SUITES } from '../src/core/tasks/builtin-suites.ts';
import { availableDtypes } from '../src/ui/model-files.ts';
import { writeCard } from './card.ts';
import { formatComparison, formatSummaryComparison, parseCriteria } from './compare.ts';
import { isSummaryFile, readSummaryFile, readTextFile } from './files.ts';
import { modelSuites, scanLocalModels } from './local-models.ts';
import { methodLines } from './print.ts';
import { formatGrid, formatMarkdown, formatTable, summarize } from './summary.ts';

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

export function list(flags: Record<string, string>): void {
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

export function readRunFile(path: string): RunFile {
  return parseRunFile(readTextFile(path, 'results file'), path, { createdAt: statSync(path).mtimeMs });
}

export function show(path: string, flags: Record<string, string>): void {
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

export function card(path: string, flags: Record<string, string>): void {
  const dir = flags['model-dir'];
  if (!dir) throw new Error('--model-dir is required (the model folder holding data_card.json)');
  const written = writeCard(resolve(dir), readRunFile(path), path);
  console.log(`measured table from ${path} written to ${written.json} and ${written.markdown}`);
}

/** `coax compare`: pass@k and the items solved at any k, from results files or from pass summaries. */
export function compare(argument: string, flags: Record<string, string>): void {
  const files = argument.split(',').filter(Boolean);
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
}
