import type { ItemResult } from '../run/results.ts';

export interface MethodAccuracy {
  methodId: string;
  correct: number;
  /** Scored items (with a reference answer) this method has an output for. */
  n: number;
  accuracy: number;
  /** 95% Wilson score interval. */
  low: number;
  high: number;
}

/** Wilson score interval for a binomial proportion (z = 1.96 for 95%). */
export function wilson(correct: number, n: number, z = 1.959963984540054): { low: number; high: number } {
  if (n === 0) return { low: 0, high: 1 };
  const p = correct / n;
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const center = (p + z2 / (2 * n)) / denom;
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denom;
  return { low: Math.max(0, center - half), high: Math.min(1, center + half) };
}

/**
 * The one count of right answers: over the items with a reference answer that `methodId` has an output for
 * (open-ended items have no reference answer to be right about).
 */
export function countCorrect(items: Iterable<ItemResult>, methodId: string): { correct: number; n: number } {
  let correct = 0;
  let n = 0;
  for (const item of items) {
    const out = item.outputs[methodId];
    if (!out || item.answer === '') continue;
    n++;
    if (out.correct) correct++;
  }
  return { correct, n };
}

export function accuracyOf(items: readonly ItemResult[], methodId: string): MethodAccuracy {
  const { correct, n } = countCorrect(items, methodId);
  return { methodId, correct, n, accuracy: n === 0 ? 0 : correct / n, ...wilson(correct, n) };
}
