import { checkParams, generateSuite, specName, type GeneratorParams, type SuiteGenerator } from './generator.ts';
import { findGenerator, GENERATORS } from './registry.ts';
import type { Suite } from '../suite.ts';

/** A generated suite as text: `coin-flip`, `coin-flip:n=4`, `arithmetic:depth=3:digits=2`. */
export interface SuiteSpec {
  generator: SuiteGenerator;
  params: GeneratorParams;
}

/**
 * Parse a spec; null when the name before the first ":" is no generator (it may be a file or a shipped suite),
 * an error when it is one but a setting is unknown, malformed or out of range.
 */
export function parseSuiteSpec(text: string): SuiteSpec | null {
  const [name = '', ...pairs] = text.trim().split(':');
  const generator = findGenerator(name);
  if (!generator) return null;
  const given: Record<string, number> = {};
  for (const pair of pairs) {
    const m = /^([a-z][\w-]*)=(-?\d+)$/i.exec(pair.trim());
    if (!m)
      throw new Error(
        `suite spec "${text}": "${pair}" should be key=whole number, as in ${generator.name}:${generator.settings[0]!.key}=${generator.ood[generator.settings[0]!.key]}`,
      );
    given[m[1]!] = Number(m[2]);
  }
  return { generator, params: checkParams(generator, given) };
}

/** The canonical text of a spec: settings that differ from the in-distribution defaults, in table order. */
export function formatSuiteSpec(spec: SuiteSpec): string {
  return specName(spec.generator, spec.params);
}

/** A generated suite from its spec text; an unknown generator is an error that lists the known ones. */
export function generatedSuiteFromSpec(text: string, seed: number, count: number): Suite {
  const spec = parseSuiteSpec(text);
  if (!spec) throw new Error(`unknown generated suite "${text}"; known: ${GENERATORS.map((g) => g.name).join(', ')}`);
  return generateSuite(spec.generator, spec.params, seed, count);
}
