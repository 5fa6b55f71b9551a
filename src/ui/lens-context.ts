import { getContext, setContext } from 'svelte';
import type { LensGrid } from '../core/steer/lens.ts';

/** How a token trace reads the logit lens of the loaded model (set by the App, read by TokenTrace). */
export interface LensAccess {
  /** Why the lens is off, or null when it is on. */
  reason: () => string | null;
  read: (prompt: string, ids: number[]) => Promise<LensGrid>;
}

const KEY = Symbol('coax-lens');

export function provideLens(access: LensAccess): void {
  setContext(KEY, access);
}

export function useLens(): LensAccess | undefined {
  return getContext<LensAccess | undefined>(KEY);
}
