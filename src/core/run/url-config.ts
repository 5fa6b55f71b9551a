import { z } from 'zod';
import { BUILTIN_METHODS, type MethodSpec } from '../methods/method.ts';
import { methodSchema } from '../schema/method-schema.ts';
import { parseJson, validate, ValidationError } from '../schema/validate.ts';
import { parseSuiteSpec } from '../tasks/generators/spec.ts';

/** The experiment a link reproduces: model, suites, methods (by id when unchanged from a preset), seeds. */
export interface ExperimentConfig {
  model: string;
  /** A run over several models: all of them, in order (`model` is the first). */
  models?: string[];
  /** Chosen suites by key; a generated one carries its settings (`generated:coin-flip:n=4`). */
  suites: string[];
  itemLimit: number;
  generatedSeed: number;
  methods: (string | MethodSpec)[];
  seed: number;
  batchSize: number;
}

/** A generated suite's key must name a generator and valid settings, so a bad link fails here and says why. */
const suiteKey = z.string().superRefine((key, ctx) => {
  if (!key.startsWith('generated:')) return;
  try {
    if (!parseSuiteSpec(key.slice('generated:'.length)))
      ctx.addIssue({ code: 'custom', message: `no generated suite is called "${key.slice(10).split(':')[0]}"` });
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message });
  }
});

/** The link format's version; links without one were written before it had a version, and read the same. */
export const LINK_VERSION = 1;
/** The page's inputs' bounds: a link cannot ask for more than a person could set by hand. */
export const MAX_ITEM_LIMIT = 1000;
export const MAX_BATCH_SIZE = 64;

const configSchema = z.object({
  version: z.literal(LINK_VERSION).optional(),
  model: z.string().min(1),
  models: z.array(z.string().min(1)).min(2).optional(),
  suites: z.array(suiteKey),
  itemLimit: z.number().int().min(1).max(MAX_ITEM_LIMIT),
  generatedSeed: z
    .number()
    .int()
    .min(0)
    .max(2 ** 32 - 1),
  methods: z
    .array(z.union([z.string(), methodSchema]))
    .min(1)
    .superRefine((list, ctx) => {
      list.forEach((m, i) => {
        if (typeof m === 'string' && !BUILTIN_METHODS.some((p) => p.id === m))
          ctx.addIssue({ code: 'custom', path: [i], message: `no built-in method is called "${m}"` });
      });
    }),
  seed: z
    .number()
    .int()
    .min(0)
    .max(2 ** 32 - 1),
  batchSize: z.number().int().min(1).max(MAX_BATCH_SIZE),
});

/** Presets that were not changed are written as their id, so links stay short. */
export function compactMethods(methods: readonly MethodSpec[]): (string | MethodSpec)[] {
  return methods.map((m) => {
    const preset = BUILTIN_METHODS.find((p) => p.id === m.id);
    return preset && JSON.stringify(preset) === JSON.stringify(m) ? m.id : m;
  });
}

export function expandMethods(list: readonly (string | MethodSpec)[]): MethodSpec[] {
  return list.map((m) => {
    if (typeof m !== 'string') return m;
    const preset = BUILTIN_METHODS.find((p) => p.id === m);
    if (!preset) throw new Error(`the link names an unknown method "${m}"`);
    return JSON.parse(JSON.stringify(preset)) as MethodSpec;
  });
}

export function encodeConfig(config: ExperimentConfig): string {
  return encodeURIComponent(JSON.stringify({ version: LINK_VERSION, ...config }));
}

/** A link's setup, and the keys it had that are not part of one (ignored, and worth saying so). */
export interface DecodedConfig {
  config: ExperimentConfig;
  ignored: string[];
}

export function decodeConfigReport(param: string): DecodedConfig {
  let text: string;
  try {
    text = decodeURIComponent(param);
  } catch {
    const at = /%(?![0-9a-fA-F]{2})/.exec(param)?.index;
    throw new ValidationError(
      `the link's "config" parameter has a broken %-escape${at === undefined ? '' : ` at position ${at}`}`,
    );
  }
  const raw = parseJson(text, 'the link\'s "config" parameter');
  const source = "the link's configuration";
  if (raw !== null && typeof raw === 'object' && typeof (raw as { version?: unknown }).version === 'number') {
    const v = (raw as { version: number }).version;
    if (v > LINK_VERSION)
      throw new Error(`${source}: version ${v} was written by a later Coax (this one reads version ${LINK_VERSION})`);
  }
  const parsed = validate(configSchema, raw, source);
  const known = new Set(Object.keys(configSchema.shape));
  const ignored = Object.keys(raw as object).filter((k) => !known.has(k));
  const { version: _version, ...config } = parsed;
  return { config: config as ExperimentConfig, ignored };
}

export function decodeConfig(param: string): ExperimentConfig {
  return decodeConfigReport(param).config;
}
