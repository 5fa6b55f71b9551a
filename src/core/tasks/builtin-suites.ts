import { generatedSuiteFromSpec } from './generators/spec.ts';
import { GENERATORS } from './generators/registry.ts';
import type { Suite } from './suite.ts';

/** Suites generated in code (no file needed), by name; settings go in a spec such as `coin-flip:n=4`. */
export const GENERATED_SUITES: Record<string, { description: string; make: (seed: number, count: number) => Suite }> =
  Object.fromEntries(
    GENERATORS.map((g) => [
      g.name,
      {
        description: `${g.title} (${g.settings.map((s) => `${s.key} ${g.id[s.key]}`).join(', ')}; seeded generator)`,
        make: (seed: number, count: number) => generatedSuiteFromSpec(g.name, seed, count),
      },
    ]),
  );

/** A generated suite by name or spec (`addition`, `coin-flip:n=4`). */
export function generatedSuite(spec: string, seed: number, count: number): Suite {
  return generatedSuiteFromSpec(spec, seed, count);
}

/** The first `limit` items of a suite (exemplars untouched). */
export function limitItems(suite: Suite, limit: number | undefined): Suite {
  if (limit === undefined) return suite;
  if (!(Number.isInteger(limit) && limit >= 1)) throw new Error(`item limit must be a whole number >= 1, got ${limit}`);
  return { ...suite, items: suite.items.slice(0, limit) };
}
