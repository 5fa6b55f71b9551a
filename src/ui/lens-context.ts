import { getContext, setContext } from 'svelte';
import type { LensGrid } from '../core/steer/lens.ts';
import type { MethodSpec } from '../core/methods/method.ts';
import type { ContrastFeature, FeatureHit } from '../core/steer/sae.ts';
import type { SteerRead, TraceRef } from '../worker/protocol.ts';

/**
 * How a token trace reads inside the loaded model (set by the App, read by TokenTrace): the logit lens and the SAE
 * features of a trace, through the same steering as the method that wrote it, and a way to add a feature-steered
 * method to the playground.
 */
export interface LensAccess {
  /** Why the lens is off, or null when it is on. */
  reason: () => string | null;
  read: (prompt: string, ids: number[], steer?: SteerRead) => Promise<LensGrid>;
  /** Layers with a shipped SAE ([] when the model has none). */
  featureLayers?: () => Promise<number[]>;
  features?: (prompt: string, ids: number[], layer: number, steer?: SteerRead) => Promise<FeatureHit[]>;
  featureContrast?: (a: TraceRef, b: TraceRef, layer: number) => Promise<ContrastFeature[]>;
  /** Add (and enable) greedy decoding of the plain prompt steered by this feature; returns the method's label. */
  steerBy?: (layer: number, feature: number, scale: number) => string;
}

const KEY = Symbol('coax-lens');

export function provideLens(access: LensAccess): void {
  setContext(KEY, access);
}

export function useLens(): LensAccess | undefined {
  return getContext<LensAccess | undefined>(KEY);
}

/** How the trace of method `id` is read: its steering and the direction its run stored for the suite, if it steers. */
export function steerReadOf(
  methods: readonly MethodSpec[],
  steering: Record<string, number[]> | undefined,
  id: string,
): SteerRead | undefined {
  const steer = methods.find((m) => m.id === id)?.steer;
  const direction = steering?.[id];
  return steer && direction ? { steer, direction } : undefined;
}
