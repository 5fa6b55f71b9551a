import { z } from 'zod';
import { BUILTIN_METHODS, type MethodSpec } from '../methods/method.ts';
import { methodSchema } from '../schema/method-schema.ts';
import { validate } from '../schema/validate.ts';
import { parseSuiteSpec } from '../tasks/generators/spec.ts';

/** The experiment a link reproduces: model, suites, methods (by id when unchanged from a preset), seeds. */
export interface ExperimentConfig {
  model: string;
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

const configSchema = z.object({
  model: z.string(),
  suites: z.array(suiteKey),
  itemLimit: z.number().int().min(1).max(100000),
  generatedSeed: z.number().int(),
  methods: z.array(z.union([z.string(), methodSchema])).min(1),
  seed: z.number().int(),
  batchSize: z.number().int().min(1).max(256),
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
  return encodeURIComponent(JSON.stringify(config));
}

export function decodeConfig(param: string): ExperimentConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(decodeURIComponent(param));
  } catch {
    throw new Error('the link\'s "config" parameter is not valid JSON');
  }
  return validate(configSchema, raw, "the link's configuration") as ExperimentConfig;
}
