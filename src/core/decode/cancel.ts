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
