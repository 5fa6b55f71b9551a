import { createRng, deriveSeed, type Rng } from '../../rng.ts';
import type { ExtractorSpec } from '../extract.ts';
import type { Exemplar, Relation, Suite, TaskItem } from '../suite.ts';

/** One difficulty knob of a generator: the UI builds its inputs from this table, the CLI parses `key=value`. */
export interface GeneratorSetting {
  key: string;
  label: string;
  min: number;
  max: number;
  /** The range the in-distribution preset stays within; a value outside it makes the suite out-of-distribution. */
  inDistribution: readonly [number, number];
}

export type GeneratorParams = Record<string, number>;

/** One drawn problem: the question, its reference answer, a worked solution that ends in it, and labels. */
export interface Problem {
  question: string;
  answer: string;
  worked: string;
  tags?: Record<string, string | number>;
}

/** A seeded task family with difficulty settings, an in- and an out-of-distribution preset, and a way to read answers. */
export type SuiteGenerator = GeneratorInfo &
  (
    | {
        /** Draw one problem; `params` are complete and checked. */
        draw(rng: Rng, params: GeneratorParams): Problem;
      }
    | {
        /** Build the whole suite (addition, which predates `draw` and keeps its items). */
        make(params: GeneratorParams, seed: number, count: number): Suite;
      }
  );

interface GeneratorInfo {
  name: string;
  title: string;
  /** One paragraph: what the task is, where it comes from, and what the knobs change. */
  explanation: string;
  settings: readonly GeneratorSetting[];
  /** In-distribution defaults (every value inside its setting's `inDistribution`). */
  id: GeneratorParams;
  /** A harder preset outside the in-distribution ranges. */
  ood: GeneratorParams;
  extractor: ExtractorSpec;
  relation: Relation;
  /** The phrase that opens worked solutions (also the suite's trigger phrase). */
  trigger: string;
}

/** Defaults filled in, unknown keys and values out of range rejected with the setting's name and limits. */
export function checkParams(gen: SuiteGenerator, given: Readonly<Record<string, number>>): GeneratorParams {
  const out: GeneratorParams = { ...gen.id };
  for (const [key, value] of Object.entries(given)) {
    const s = gen.settings.find((x) => x.key === key);
    if (!s)
      throw new Error(
        `suite "${gen.name}" has no setting "${key}"; its settings: ${gen.settings.map((x) => x.key).join(', ')}`,
      );
    if (!Number.isInteger(value) || value < s.min || value > s.max)
      throw new Error(
        `suite "${gen.name}": ${key} (${s.label}) must be a whole number from ${s.min} to ${s.max}, got ${value}`,
      );
    out[key] = value;
  }
  return out;
}

/** 'id' when every setting is inside its in-distribution range, else 'ood-' and the settings that left it. */
export function splitOf(gen: SuiteGenerator, params: GeneratorParams): string {
  const outside = gen.settings.filter((s) => {
    const v = params[s.key]!;
    return v < s.inDistribution[0] || v > s.inDistribution[1];
  });
  return outside.length === 0 ? 'id' : `ood-${outside.map((s) => s.key).join('-')}`;
}

/** The suite's name: the generator's name, then each setting that differs from the in-distribution default. */
export function specName(gen: SuiteGenerator, params: GeneratorParams): string {
  const changed = gen.settings.filter((s) => params[s.key] !== gen.id[s.key]).map((s) => `${s.key}=${params[s.key]}`);
  return [gen.name, ...changed].join(':');
}

const EXEMPLARS = 16;
/** Redraws allowed when a question repeats, before a small problem space is accepted as having repeats. */
const REDRAWS = 20;

/**
 * `count` items and a pool of exemplars from two seeded streams. The exemplars are drawn first and do not depend
 * on `count`, so a one-item preview shows the same few-shot prompt as the run; items never repeat an exemplar.
 */
export function generateSuite(
  gen: SuiteGenerator,
  given: Readonly<Record<string, number>>,
  seed: number,
  count: number,
): Suite {
  if (!(Number.isInteger(count) && count >= 1)) throw new Error(`suite size must be a whole number >= 1, got ${count}`);
  const params = checkParams(gen, given);
  const name = specName(gen, params);
  if ('make' in gen) return { ...gen.make(params, seed, count), name, split: splitOf(gen, params) };
  const exRng = createRng(deriveSeed(seed, gen.name, 'exemplars'));
  const exemplars: Exemplar[] = [];
  const seen = new Set<string>();
  for (let tries = 0; exemplars.length < EXEMPLARS && tries < EXEMPLARS * REDRAWS; tries++) {
    const p = gen.draw(exRng, params);
    if (seen.has(p.question)) continue;
    seen.add(p.question);
    exemplars.push({ question: p.question, answer: p.answer, worked: p.worked });
  }
  const exemplarQuestions = new Set(exemplars.map((e) => e.question));
  const itemRng = createRng(deriveSeed(seed, gen.name, 'items'));
  const items: TaskItem[] = [];
  for (let i = 0; i < count; i++) {
    // Repeats among items are avoided while redraws last; an exemplar's question is never a test item.
    let p = gen.draw(itemRng, params);
    for (let r = 0; (r < REDRAWS && seen.has(p.question)) || exemplarQuestions.has(p.question); r++) {
      if (r > REDRAWS * 50) throw new Error(`suite "${name}": cannot draw a question that is not an exemplar`);
      p = gen.draw(itemRng, params);
    }
    seen.add(p.question);
    items.push({ id: `${gen.name}-${i}`, question: p.question, answer: p.answer, tags: p.tags ?? {} });
  }
  const settings = gen.settings.map((s) => `${s.key} ${params[s.key]}`).join(', ');
  return {
    name,
    description: `${gen.title} (${settings})`,
    items,
    exemplars,
    extractor: gen.extractor,
    relation: gen.relation,
    split: splitOf(gen, params),
    trigger: gen.trigger,
  };
}
