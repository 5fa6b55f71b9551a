/**
 * The benchmark's targets (issue "Performance where users will feel it"), each a ratio or size measured in one run,
 * checked against its target and printed in the table and the final JSON line under stable keys. A script's report,
 * never a test assertion: timings on a shared machine are noise outside one run.
 */
import type { BenchReport } from '../src/worker/bench/run-bench.ts';

export interface Target {
  key: string;
  what: string;
  value: number | null;
  /** Printed form of the target, e.g. "≥ 6×". */
  target: string;
  met: boolean | null;
}

export interface TargetContext {
  /** Bytes of the model's weights file(s) that were loaded. */
  modelBytes?: number;
  /** Bytes of one full copy of the KV cache during the 4-shot n-sample run. */
  cacheCopyBytes?: number;
  /** Longest main-thread task during a page run (ms), when measured in the browser. */
  longestTaskMs?: number;
  /** Tasks over 50 ms during that run. */
  longTasks?: number;
  /**
   * An earlier model ran in the same process: its session's memory is not all given back (allocators keep freed
   * pages), so this model's RSS says nothing about its own footprint and the memory target is not judged.
   */
  afterAnotherModel?: boolean;
  /** What the memory reading is, where it is not Node's RSS during the 4-shot run (the browser's renderers). */
  memoryWhat?: string;
}

const atLeast = (key: string, what: string, value: number, min: number, unit = '×'): Target => ({
  key,
  what,
  value,
  target: `≥ ${min}${unit}`,
  met: value >= min,
});

export function targets(r: BenchReport, ctx: TargetContext = {}): Target[] {
  const tps = r.throughput.map((t) => t.tokensPerSecond);
  const nonDecreasing = tps.every((v, i) => i === 0 || v >= tps[i - 1]!);
  const out: Target[] = [
    atLeast(
      'selfConsistencyFewShotSpeedup',
      `self-consistency n=${r.selfConsistencyFewShot.n}, ${r.selfConsistencyFewShot.promptTokens}-token 4-shot prompt vs ${r.selfConsistencyFewShot.n}× generate()`,
      r.selfConsistencyFewShot.speedup,
      6,
    ),
    atLeast(
      'selfConsistencySpeedup',
      `self-consistency n=${r.selfConsistency.n}, ${r.selfConsistency.promptTokens}-token prompt vs ${r.selfConsistency.n}× generate()`,
      r.selfConsistency.speedup,
      8,
    ),
    atLeast(
      'cotDecodingSpeedup',
      `CoT-decoding k=${r.cotDecoding.k} vs ${r.cotDecoding.k}× generate()`,
      r.cotDecoding.speedup,
      5,
    ),
    {
      key: 'throughputNonDecreasing',
      what: `tokens/s from batch ${r.throughput[0]?.batch} to ${r.throughput.at(-1)?.batch}: ${tps.map((v) => v.toFixed(0)).join(' / ')}`,
      value: tps.length > 1 ? tps.at(-1)! / tps[0]! : null,
      target: 'non-decreasing',
      met: nonDecreasing,
    },
    {
      key: 'overheadPercent',
      what: `engine overhead at batch 1 vs bare session.run (${r.overhead.steps} steps)`,
      value: r.overhead.overheadPercent,
      target: '≤ 5 %',
      met: r.overhead.overheadPercent <= 5,
    },
  ];
  if (r.memory && ctx.modelBytes !== undefined && ctx.cacheCopyBytes !== undefined) {
    const limit = ctx.modelBytes + 2 * ctx.cacheCopyBytes;
    const sizes = `model ${mb(ctx.modelBytes)}, one cache copy ${mb(ctx.cacheCopyBytes)}`;
    out.push(
      ctx.afterAnotherModel
        ? {
            key: 'peakMemoryBytes',
            what: `peak RSS during the 4-shot run: not judged, a model loaded earlier in this process still holds memory (${sizes}; measure this dtype alone with --dtypes)`,
            value: null,
            target: `≤ ${mb(limit)} (model + 2 × cache)`,
            met: null,
          }
        : {
            key: 'peakMemoryBytes',
            what: `${ctx.memoryWhat ?? 'peak RSS during the 4-shot run'} (before: ${mb(r.memory.beforeBytes)}; ${sizes})`,
            value: r.memory.peakBytes,
            target: `≤ ${mb(limit)} (model + 2 × cache)`,
            met: r.memory.peakBytes <= limit,
          },
    );
  }
  if (ctx.longestTaskMs !== undefined) out.push(mainThreadTarget(ctx.longestTaskMs, ctx.longTasks));
  return out;
}

/** The page run's longest main-thread task against 50 ms; `count`: the tasks over 50 ms (PerformanceObserver 'longtask'). */
export function mainThreadTarget(longestMs: number, count?: number): Target {
  return {
    key: 'longestMainThreadTaskMs',
    what: `longest main-thread task during a page run${count === undefined ? '' : ` (${count} over 50 ms)`}`,
    value: longestMs,
    target: '≤ 50 ms',
    met: longestMs <= 50,
  };
}

const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MB`;

export function targetTable(rows: readonly Target[]): string {
  const fmt = (t: Target) =>
    t.value === null
      ? '—'
      : t.key === 'peakMemoryBytes'
        ? mb(t.value)
        : t.key.endsWith('Ms')
          ? `${t.value.toFixed(0)} ms`
          : t.key === 'overheadPercent'
            ? `${t.value.toFixed(1)} %`
            : `${t.value.toFixed(2)}×`;
  return rows
    .map(
      (t) =>
        `  ${t.met === null ? '  ' : t.met ? 'ok' : '✗ '}  ${fmt(t).padStart(8)}  ${t.target.padEnd(28)} ${t.what}`,
    )
    .join('\n');
}
