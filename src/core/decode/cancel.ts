/** Anything with an `aborted` flag (an AbortSignal fits): checked between decoding steps. */
export interface CancelSignal {
  readonly aborted: boolean;
}

export class CancelledError extends Error {
  constructor() {
    super('cancelled');
    this.name = 'CancelledError';
  }
}

export function throwIfCancelled(signal: CancelSignal | undefined): void {
  if (signal?.aborted) throw new CancelledError();
}

/**
 * Whether `err` is a cancellation: a CancelledError, or one that crossed the worker boundary (Comlink rebuilds a thrown
 * error as a plain Error that keeps its name).
 */
export function isCancelled(err: unknown): boolean {
  return err instanceof CancelledError || (err instanceof Error && err.name === 'CancelledError');
}
