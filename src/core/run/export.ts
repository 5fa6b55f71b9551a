import { z } from 'zod';
import { methodSchema } from '../schema/method-schema.ts';
import { methodOutputSchema } from '../schema/results-schema.ts';
import { parseJson, validate, ValidationError } from '../schema/validate.ts';
import type { RunResults } from './results.ts';
import { uniqueNames } from './suite-names.ts';
import { modelMethods } from './models.ts';
import { modelLeaderboard } from '../metrics/models.ts';
import { metricsShown, type SuiteMetric } from '../metrics/suite-metrics.ts';
import { parseSuiteSpec } from '../tasks/generators/spec.ts';
import { compactMethods, encodeConfig, MAX_BATCH_SIZE, MAX_ITEM_LIMIT } from './url-config.ts';

/**
 * The results file, one format for the page and the CLI: the page's "Export JSON" and `coax run --out` both write
 * it, and the page's import and `coax show` both read it. A run as a file: what it was (name, model,
 * configuration, where it ran) and every output with its full traces.
 *
 * Versions: 3 is a run over several models (its results list `models` and `columns`, see RunResults); a one-model
 * run is still written as 2, so a Coax that reads only 2 opens it. 1 is the page's export before the CLI wrote the
 * same file (identical fields), and a bare `RunResults` object (`{version: 1, modelId, seed, methods, suites}`) is
 * what `coax run --out` wrote before; both are still read, and come back as version 2.
 */
export interface RunFile {
  format: 'coax-run';
  version: RunFileVersion;
  name: string;
  createdAt: number;
  /** The setup as a link encodes it (url-config.ts), so the page can set the run up again. */
  config: string;
  /** Where it ran: the page's backend ("wasm", "webgpu"), or the CLI's runtime, device and dtype. */
  backend?: string;
  results: RunResults;
}

/** The name the page used before the CLI wrote this format too. */
export type RunExport = RunFile;

/** The version a one-model run is written as. */
export const RUN_FILE_VERSION = 2;
/** The version a run over several models is written as. */
export const RUN_FILE_VERSION_MODELS = 3;
export const RUN_FILE_VERSIONS_READ = [1, 2, 3] as const;
export type RunFileVersion = typeof RUN_FILE_VERSION | typeof RUN_FILE_VERSION_MODELS;

/** A results file with its fields in the order every writer uses, so files compare byte for byte. */
export function runFile(run: Omit<RunFile, 'format' | 'version'>): RunFile {
  const { name, createdAt, config, backend, results } = run;
  const version = results.models ? RUN_FILE_VERSION_MODELS : RUN_FILE_VERSION;
  return { format: 'coax-run', version, name, createdAt, config, backend, results };
}

/**
 * The page's key for a suite known only by name: a generator spec (`coin-flip:n=4`) is `generated:…`, any other
 * name is taken for a suite the model ships (the page says so when it has none of that name).
 */
export function suiteKeyOf(name: string): string {
  let generated = false;
  try {
    generated = parseSuiteSpec(name) !== null;
  } catch {
    // A generator's name with settings it refuses: not something the page can generate.
  }
  return `${generated ? 'generated' : 'shipped'}:${name}`;
}

/**
 * The setup a link encodes for a run made outside the page (the CLI, or a bare CLI results file): its model,
 * suites, methods and seed, as many items as its largest suite; the suites' page keys, the generator seed and the
 * batch size when known, else guessed from the names and the CLI's defaults.
 */
export function configFor(
  results: RunResults,
  known: { suiteKeys?: string[]; generatedSeed?: number; batchSize?: number } = {},
): string {
  return encodeConfig({
    model: results.modelId,
    ...(results.models ? { models: results.models } : {}),
    suites: known.suiteKeys ?? results.suites.map((s) => suiteKeyOf(s.suiteName)),
    itemLimit: Math.min(MAX_ITEM_LIMIT, Math.max(1, ...results.suites.map((s) => s.items.length))),
    generatedSeed: known.generatedSeed ?? 1,
    methods: compactMethods(modelMethods(results)),
    seed: results.seed,
    batchSize: Math.min(MAX_BATCH_SIZE, known.batchSize ?? 8),
  });
}

const itemSchema = z.object({
  itemId: z.string(),
  question: z.string(),
  answer: z.string(),
  tags: z.record(z.string(), z.union([z.string(), z.number()])),
  outputs: z.record(z.string(), methodOutputSchema),
});

const resultsSchema = z.object({
  version: z.literal(1),
  modelId: z.string(),
  models: z.array(z.string().min(1)).min(2).optional(),
  columns: z.record(z.string(), z.object({ modelId: z.string(), methodId: z.string() }).strict()).optional(),
  seed: z.number().int(),
  methods: z.array(methodSchema).superRefine((methods, ctx) => {
    const seen = new Set<string>();
    methods.forEach((m, i) => {
      if (seen.has(m.id)) ctx.addIssue({ code: 'custom', path: [i, 'id'], message: `duplicate method id "${m.id}"` });
      seen.add(m.id);
    });
  }),
  suites: z.array(
    z.object({
      suiteName: z.string(),
      relation: z.string().optional(),
      split: z.string().optional(),
      items: z.array(itemSchema),
      steering: z.record(z.string(), z.array(z.number().finite()).min(1)).optional(),
    }),
  ),
});

const fileSchema = z.object({
  format: z.literal('coax-run'),
  version: z.union(RUN_FILE_VERSIONS_READ.map((v) => z.literal(v))),
  name: z.string(),
  createdAt: z.number(),
  config: z.string(),
  backend: z.string().optional(),
  results: resultsSchema,
});

export interface ReadOptions {
  /** The date a file without one gets (a bare CLI results file): the file's modification time, say. */
  createdAt?: number;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Read a results file of any version this Coax knows (see `RunFile`) as the current version. Errors name the
 * file, the field and the value; a file of a later version says which versions this Coax reads.
 */
export function parseRunFile(text: string, source: string, options: ReadOptions = {}): RunFile {
  const raw = parseJson(text, source);
  let file: RunFile;
  if (isObject(raw) && 'format' in raw) {
    if (typeof raw['version'] === 'number' && raw['version'] > RUN_FILE_VERSION_MODELS)
      throw new ValidationError(
        `${source} is not valid:\n  version: ${raw['version']} is a later results format than this Coax reads ` +
          `(versions ${RUN_FILE_VERSIONS_READ.join(', ')}); update Coax to open it`,
      );
    // The schema checks the file; what is kept is the file as written (zod's copy would reorder keys and drop
    // fields it does not list), so a file read and written again is the same bytes.
    validate(fileSchema, raw, source);
    file = runFile(raw as unknown as Omit<RunFile, 'version'>);
  } else if (isObject(raw) && 'modelId' in raw && 'suites' in raw) {
    // A bare RunResults: `coax run --out` before version 2.
    validate(resultsSchema, raw, source);
    const results = raw as unknown as RunResults;
    file = runFile({
      name: `${source.replace(/^.*[\\/]/, '').replace(/\.json$/i, '')} (${results.modelId})`,
      createdAt: options.createdAt ?? 0,
      config: configFor(results),
      backend: undefined,
      results,
    });
  } else {
    throw new ValidationError(
      `${source} is not valid:\n  (top level): not a Coax results file (expected {"format": "coax-run", "version": ${RUN_FILE_VERSION}, …}) (value: ${
        isObject(raw)
          ? `an object with keys ${Object.keys(raw).slice(0, 6).join(', ') || 'none'}`
          : JSON.stringify(raw)?.slice(0, 40)
      })`,
    );
  }
  // Outputs are stored by suite name: a repeated name is renamed so that no suite's outputs overwrite another's.
  const names = uniqueNames(file.results.suites.map((s) => s.suiteName));
  if (names.some((n, i) => n !== file.results.suites[i]!.suiteName))
    file = {
      ...file,
      results: { ...file.results, suites: file.results.suites.map((s, i) => ({ ...s, suiteName: names[i]! })) },
    };
  checkModels(file.results, source);
  const ids = new Set(file.results.methods.map((m) => m.id));
  file.results.suites.forEach((s, si) =>
    s.items.forEach((it, ii) => {
      for (const id of Object.keys(it.outputs))
        if (!ids.has(id))
          throw new Error(
            `${source}: results.suites[${si}].items[${ii}].outputs has method "${id}", which the run does not list`,
          );
    }),
  );
  return file;
}

/** A multi-model run lists its models, and says for each of its methods which model ran it and which method it is. */
function checkModels(r: RunResults, source: string): void {
  if (!r.models && !r.columns) return;
  if (!r.models || !r.columns)
    throw new ValidationError(
      `${source} is not valid:\n  results: a run over several models needs both "models" and "columns"`,
    );
  if (r.models[0] !== r.modelId)
    throw new ValidationError(
      `${source} is not valid:\n  results.modelId: "${r.modelId}" is not the first of models (${r.models.join(', ')})`,
    );
  r.methods.forEach((m, i) => {
    const c = r.columns![m.id];
    if (!c)
      throw new ValidationError(`${source} is not valid:\n  results.methods[${i}]: "${m.id}" has no entry in columns`);
    if (!r.models!.includes(c.modelId))
      throw new ValidationError(
        `${source} is not valid:\n  results.columns.${m.id}.modelId: "${c.modelId}" is not one of models (${r.models!.join(', ')})`,
      );
  });
}

/** The name the page used before the CLI read and wrote this format too. */
export const parseRunExport = parseRunFile;

/** A results file as text: compact JSON, as both the page and the CLI write it. */
export function serializeRunFile(file: RunFile): string {
  return JSON.stringify(file);
}
/**
 * One CSV cell. A text starting with =, +, -, @ (or a tab or carriage return) is a formula to a spreadsheet, so a
 * model's output or a question could run one when the file is opened: such text gets a leading apostrophe (OWASP's
 * advice). A text that is just a number ("-3", "+1.5") is no formula and stays as it is.
 */
export function csvCell(v: string | number | boolean | null): string {
  let s = v === null ? '' : String(v);
  if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s) && !/^[+-]?(\d+\.?\d*|\.\d+)$/.test(s)) s = `'${s}`;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One row per item, with each method's output, answer and verdict side by side. */
export function toCsv(results: RunResults): string {
  const header = [
    'suite',
    'item',
    'question',
    'answer',
    ...results.methods.flatMap((m) => [`${m.id}:output`, `${m.id}:answer`, `${m.id}:correct`, `${m.id}:delta`]),
  ];
  const rows = results.suites.flatMap((s) =>
    s.items.map((it) => [
      s.suiteName,
      it.itemId,
      it.question,
      it.answer,
      ...results.methods.flatMap((m) => {
        const o = it.outputs[m.id];
        return o
          ? [o.text, o.extracted?.value ?? null, o.correct, o.delta === null ? null : Number(o.delta.toFixed(6))]
          : [null, null, null, null];
      }),
    ]),
  );
  return [header, ...rows].map((r) => r.map(csvCell).join(',')).join('\n') + '\n';
}

const hasInterval = (m: SuiteMetric) => m.format === 'percent' || m.format === 'nats';

/**
 * The leaderboard as CSV: one row per (model, method, suite) with accuracy, its 95% interval, and every metric of the
 * registry (metrics/suite-metrics.ts) that has a value in some row, as value, low and high columns (low and high only
 * for proportions and token entropy). The page's "Export leaderboard CSV" and `coax show --format csv` write it.
 */

export function leaderboardCsv(results: RunResults): string {
  const rows = modelLeaderboard(results);
  const shown = metricsShown(rows);
  const header = [
    'suite',
    'split',
    'model',
    'method',
    'correct',
    'n',
    'accuracy',
    'low',
    'high',
    ...shown.flatMap((m) => (hasInterval(m) ? [m.id, `${m.id}:low`, `${m.id}:high`] : [m.id])),
  ];
  const num = (v: number | undefined) => (v === undefined ? null : Number(v.toFixed(6)));
  const body = rows.map((r) => [
    r.suiteName,
    r.split ?? null,
    r.modelId,
    r.method,
    r.correct,
    r.n,
    r.n ? num(r.accuracy) : null,
    r.n ? num(r.low) : null,
    r.n ? num(r.high) : null,
    ...shown.flatMap((m) => {
      const v = r.metrics[m.id];
      return hasInterval(m) ? [num(v?.value), num(v?.low), num(v?.high)] : [num(v?.value)];
    }),
  ]);
  return [header, ...body].map((r) => r.map(csvCell).join(',')).join('\n') + '\n';
}
