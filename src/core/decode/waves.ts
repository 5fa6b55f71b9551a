/**
 * Decoding many rows that share a prompt in waves. The exported graphs return `present = concat(past, new)`, so every
 * step allocates and copies the whole cache: with 16 rows of a 330-token few-shot prompt on a 135M model that copy
 * is hundreds of MB per step, and one batch of 16 can be slower than two batches of 8 (measured in issue 13). A wave
 * plan bounds one cache copy; the prompt is still prefilled once and each wave starts from the same prefill.
 * Below that bound, WaveTuner (wave-tuner.ts) splits further where the measured step time says it is faster.
 */

/** One cache copy above this many bytes is split into waves (`npm run bench -- --realistic` compares both). */
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
