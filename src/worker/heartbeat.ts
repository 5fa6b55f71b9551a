/// <reference lib="webworker" />
import type { Beat } from '../core/run/heartbeat.ts';
import type { TransformersModel } from '../adapters/model/transformers-model.ts';

/** How often the worker beats (the page's limits are many times this). */
export const BEAT_MS = 1000;

let port: MessagePort | null = null;
/** Runtime calls in progress (Explore may overlap a run): the page hears one span from the first in to the last out. */
let depth = 0;
let entered = 0;
let current: 'load' | 'step' = 'step';

const post = (b: Beat) => port?.postMessage(b);

// From the event loop, on its own port, not through comlink: a loop blocked by a runtime call (or anything else)
// sends nothing, which is what the page watches for.
setInterval(() => post({ kind: 'beat' }), BEAT_MS);

/** The page's end of the heartbeat channel; it hears at once whether a call is in progress. */
export function connectHeartbeat(p: MessagePort): void {
  port = p;
  post(depth > 0 ? { kind: 'enter', call: current, work: 1 } : { kind: 'leave', ms: 0 });
}

/** Run `fn` as one runtime call: the page allows silence during it by its kind and its work (tokens fed). */
export async function inCall<T>(call: 'load' | 'step', work: number, fn: () => Promise<T>): Promise<T> {
  if (depth++ === 0) {
    entered = performance.now();
    current = call;
    post({ kind: 'enter', call, work });
  }
  try {
    return await fn();
  } finally {
    if (--depth === 0) post({ kind: 'leave', ms: performance.now() - entered });
  }
}

/**
 * The model with its runtime calls marked (forward passes, cache row copies, which may run on the GPU): every user of
 * the model (runs, Explore, the lens, the benchmark) is covered without knowing. Marks the instance in place.
 */
export function markCalls(m: TransformersModel): TransformersModel {
  const forward = m.forward.bind(m);
  const selectRows = m.selectRows.bind(m);
  m.forward = (input, cache, options) =>
    inCall('step', input.inputIds.length * (input.inputIds[0]?.length ?? 1), () => forward(input, cache, options));
  m.selectRows = (cache, rows) => inCall('step', rows.length, () => selectRows(cache, rows));
  return m;
}
