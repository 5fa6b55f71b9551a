import { additionSuite } from './addition-suite.ts';
import type { Suite } from './suite.ts';

/** Suites generated in code (no file needed), by name. */
export const GENERATED_SUITES: Record<string, { description: string; make: (seed: number, count: number) => Suite }> = {
  addition: {
    description: 'sums of 2–3 integers from 0 to 9 (seeded generator)',
    make: (seed, count) => additionSuite({ seed, count }),
  },
};

export function generatedSuite(name: string, seed: number, count: number): Suite {
  const g = GENERATED_SUITES[name];
  if (!g) throw new Error(`unknown generated suite "${name}"; known: ${Object.keys(GENERATED_SUITES).join(', ')}`);
  return g.make(seed, count);
}

/** The first `limit` items of a suite (exemplars untouched). */
export function limitItems(suite: Suite, limit: number | undefined): Suite {
  if (limit === undefined) return suite;
  if (!(Number.isInteger(limit) && limit >= 1)) throw new Error(`item limit must be a whole number >= 1, got ${limit}`);
  return { ...suite, items: suite.items.slice(0, limit) };
}
