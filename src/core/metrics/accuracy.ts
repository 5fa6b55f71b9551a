import type { ItemResult } from '../run/results.ts';

export interface MethodAccuracy {
  methodId: string;
  correct: number;
  /** Items this method has an output for. */
  n: number;
  accuracy: number;
}

export function accuracyOf(items: readonly ItemResult[], methodId: string): MethodAccuracy {
  let correct = 0;
  let n = 0;
  for (const item of items) {
    const out = item.outputs[methodId];
    if (!out) continue;
    n++;
    if (out.correct) correct++;
  }
  return { methodId, correct, n, accuracy: n === 0 ? 0 : correct / n };
}
