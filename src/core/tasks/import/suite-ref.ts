import { generatedSuiteFromSpec, parseSuiteSpec } from '../generators/spec.ts';
import type { Suite } from '../suite.ts';
import { importSuite, type MappingOverrides } from './read-import.ts';

export interface SuiteRefContext {
  /** Seed and size of generated suites. */
  seed: number;
  count: number;
  /** The text of a file, or null when there is none at that path (the caller owns the file system). */
  readText: (path: string) => string | null;
}

const KEYS = new Set(['question', 'answer', 'id', 'worked', 'format', 'exemplars', 'name']);

/**
 * One `--suite` reference: a file in any import format (`test.jsonl`, `data.csv:question=prompt:answer=gold`),
 * or a generated suite spec (`coin-flip:n=4`). Null when it is neither (the CLI then looks for a shipped suite).
 */
export function resolveSuiteRef(ref: string, ctx: SuiteRefContext): Suite | null {
  const parts = ref.split(':');
  // The longest prefix that is a file: paths may hold ":" only before the mapping.
  for (let cut = parts.length; cut >= 1; cut--) {
    const path = parts.slice(0, cut).join(':');
    const text = ctx.readText(path);
    if (text === null) continue;
    const overrides: MappingOverrides = {};
    for (const pair of parts.slice(cut)) {
      const m = /^([a-z]+)=(.*)$/.exec(pair);
      if (!m || !KEYS.has(m[1]!))
        throw new Error(`--suite ${ref}: "${pair}" should be one of ${[...KEYS].map((k) => `${k}=…`).join(', ')}`);
      overrides[m[1] as keyof MappingOverrides] = m[2]!;
    }
    return importSuite(text, path, overrides);
  }
  return parseSuiteSpec(ref) ? generatedSuiteFromSpec(ref, ctx.seed, ctx.count) : null;
}
