import { evenWaves } from './waves.ts';

/**
 * Wave sizes chosen from the measured step time as well as the cache's size. The budget plan (planWaves) bounds
 * memory; below it a finer split can still be faster where the per-step cost of a batch grows faster than its rows
 * (on a loaded machine a batch of 16 ran slower than one of 8, issue 13), or slower where it does not (the usual
 * case: the weights are read once per step for every row). Nothing here guesses which: for each shape of work
 * (rows, cache length) the tuner runs the budget plan first, then waves half that size, and keeps halving only while
 * that was faster per row-step; after that it runs the fastest plan it has measured, whose time it keeps updating.
 *
 * Only the speed depends on the choice. Each row samples from its own seeded stream, and a row's logits do not
 * depend on the rows beside it in the batch (test/integration/waves-runtime.test.ts checks that on the runtime).
 */
export class WaveTuner {
  /** Per shape of work: largest wave → milliseconds per row-step (a moving average). */
  private readonly measured = new Map<string, Map<number, number>>();

  /** `now`: a clock in milliseconds (the core has none of its own). */
  constructor(private readonly now: () => number) {}

  /** The waves to run `rows` rows in, given the budget plan's largest wave `most` for a cache of `positions`. */
  plan(rows: number, positions: number, most: number): number[] {
    const times = this.measured.get(shapeKey(rows, positions));
    let size = Math.max(...evenWaves(rows, most));
    if (!times) return evenWaves(rows, size);
    for (;;) {
      const here = times.get(size);
      if (here === undefined || size === 1) return evenWaves(rows, size);
      const half = Math.max(...evenWaves(rows, Math.ceil(size / 2)));
      const there = times.get(half);
      // Not tried yet: try it once. Tried and not faster: stay.
      if (there === undefined) return evenWaves(rows, half);
      if (there >= here) return evenWaves(rows, size);
      size = half;
    }
  }

  /** Starts timing a plan; the returned function takes the row-steps the plan ran and records their cost. */
  start(rows: number, positions: number, plan: readonly number[]): (rowSteps: number) => void {
    const t0 = this.now();
    return (rowSteps) => {
      if (rowSteps <= 0) return;
      const perRowStep = (this.now() - t0) / rowSteps;
      const key = shapeKey(rows, positions);
      const times = this.measured.get(key) ?? new Map<number, number>();
      this.measured.set(key, times);
      const size = Math.max(...plan);
      const old = times.get(size);
      // Half the weight on the newest measurement: one slow run moves the choice, but only for as long as it lasts.
      times.set(size, old === undefined ? perRowStep : (old + perRowStep) / 2);
    };
  }

  /** The measurements so far, for the benchmark's report: shape → largest wave → ms per row-step. */
  snapshot(): Record<string, Record<number, number>> {
    return Object.fromEntries([...this.measured].map(([k, m]) => [k, Object.fromEntries(m)]));
  }
}

/**
 * Work of the same shape: the same rows, and a cache within a quarter-octave of the same length (a suite's items
 * differ by a few tokens; a cost that grows with the cache differs by much more across a doubling).
 */
function shapeKey(rows: number, positions: number): string {
  return `${rows}×${Math.round(Math.log2(Math.max(1, positions)) * 4)}`;
}
