/**
 * Decoding many rows that share a prompt in waves. The exported graphs return `present = concat(past, new)`, so every
 * step allocates and copies the whole cache, and a wave plan bounds one copy: the prompt is still prefilled once and
 * each wave starts from the same prefill. The budget is a memory bound, not a speed guess: below it WaveTuner
 * (wave-tuner.ts) splits further where the measured step time says that is faster.
 */

/**
 * One cache copy above this many bytes is split into waves. On the 135M model's 4-shot n = 16 run (266 MB a copy)
 * one batch of 16 peaked at 1113 MB over the RSS before it, 8 + 8 at 533 MB (the memory target is model + 2 copies);
 * one batch was faster in four of six quiet Node runs (by 11–25 %) and slower in two (by 3 and 13 %). Memory wins:
 * in a page the WASM heap ends at 4 GB and a worker that reaches it dies, while a slower wave only costs time.
 * Below the budget WaveTuner decides: README, "Performance".
 */
export const WAVE_CACHE_BUDGET_BYTES = 256 * 2 ** 20;

/**
 * `rows` rows in the fewest waves of at most `most` rows each, evened out (16 rows at most 7 at a time: waves of
 * 6, 5, 5 — three waves either way, the largest as small as possible).
 */
export function evenWaves(rows: number, most: number): number[] {
  if (!(Number.isInteger(rows) && rows >= 1)) throw new Error(`waves: need rows >= 1, got ${rows}`);
  const fit = Math.max(1, Math.min(rows, Math.floor(most)));
  const waves = Math.ceil(rows / fit);
  const base = Math.floor(rows / waves);
  return Array.from({ length: waves }, (_, i) => base + (i < rows % waves ? 1 : 0));
}

/**
 * How many rows each wave holds, for `rows` rows whose cache will reach `positions` tokens at `bytesPerToken`
 * bytes per row and token: all rows in one wave when that fits the budget, else the fewest waves that fit, evened
 * out.
 */
export function planWaves(
  rows: number,
  positions: number,
  bytesPerToken: number,
  budget: number = WAVE_CACHE_BUDGET_BYTES,
): number[] {
  const perRow = positions * bytesPerToken;
  return evenWaves(rows, perRow > 0 ? budget / perRow : rows);
}
