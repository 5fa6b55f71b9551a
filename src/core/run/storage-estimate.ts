/**
 * What a run will cost in storage, before it runs: an upper bound from its size (every path running to its token
 * limit), so the page can warn before a run that would not fit the browser's quota.
 */
import { pathsPerItem, type MethodSpec } from '../methods/method.ts';
import type { Suite } from '../tasks/suite.ts';

/** JSON bytes of one token's trace with its top-5 alternatives (id, text, offset, p, log p, rank, entropy). */
export const TRACE_BYTES_PER_TOKEN = 420;
/** JSON bytes of an output besides its traces (prompt, answer, votes, pass@k…). */
export const OUTPUT_OVERHEAD_BYTES = 2048;

/**
 * At most how many bytes one item's outputs take stored: every path generating its method's maxNewTokens. `compact`:
 * the paths of a method with several keep no token traces (the chosen path's trace stays, as the output's own).
 */
export function estimateItemBytes(methods: readonly MethodSpec[], compact = false): number {
  return methods.reduce((n, m) => {
    // A method with several paths keeps its chosen path's trace once more, as the output's own.
    const paths = pathsPerItem(m.decoding);
    const traces = paths > 1 && !compact ? paths + 1 : 1;
    const promptChars = 4 * m.maxNewTokens;
    return n + traces * m.maxNewTokens * TRACE_BYTES_PER_TOKEN + OUTPUT_OVERHEAD_BYTES + promptChars;
  }, 0);
}

/** At most how many bytes a run's outputs take stored (see estimateItemBytes). */
export function estimateRunBytes(suites: readonly Suite[], methods: readonly MethodSpec[], compact = false): number {
  return suites.reduce((n, s) => n + s.items.length, 0) * estimateItemBytes(methods, compact);
}
