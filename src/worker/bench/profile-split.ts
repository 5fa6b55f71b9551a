import type { TransformersModel } from '../../adapters/model/transformers-model.ts';
import { decodeGroups } from '../../core/decode/decode-loop.ts';
import { temperatureSampler } from '../../core/logits/sampler.ts';
import { createRng } from '../../core/rng.ts';
import { fewShotPrompt } from './run-bench.ts';

/**
 * Where a decoding run's wall time goes, split by timing the model's entry points from outside: the engine and the
 * adapter are not changed and pay nothing when no profile is taken (the timers are own properties put on one model
 * instance for one run, and removed after). The pieces nest: `forward` contains `runtime`.
 */
export interface ProfileSplit {
  totalMs: number;
  /** ONNX Runtime's session.run (the graph itself, including its concat of the cache). */
  runtimeMs: number;
  /** Part of runtimeMs: its first call, the shared prompt's prefill (batch 1). */
  prefillMs: number;
  /**
   * forward() less session.run: feeds made into tensors, transformers.js's wrapper around the session, the logits
   * copied out (and on WebGPU downloaded).
   */
  adapterMs: number;
  /** selectRows: the shared prompt's cache expanded to the rows, and finished rows dropped from the batch. */
  cacheCopiesMs: number;
  /** Everything else: sampling, logits processors, trace statistics (log-softmax, top-k, entropy), detokenising, bookkeeping. */
  loopMs: number;
  /** Part of loopMs: token ids turned into text (decode). */
  detokeniseMs: number;
  forwardCalls: number;
  selectRowsCalls: number;
}

interface Timed {
  ms: number;
  calls: number;
  /** The first call's time (the prompt's prefill, for session.run). */
  firstMs?: number;
}

type AnyFn = (...args: never[]) => unknown;

/** Replace `obj[key]` (a method) by a timed call for the time of `fn`, then put the original back. */
function timing<T extends object>(obj: T, key: keyof T & string, now: () => number, into: Timed): () => void {
  const own = Object.prototype.hasOwnProperty.call(obj, key);
  const original = obj[key] as unknown as AnyFn;
  const wrapped = function (this: unknown, ...args: never[]) {
    const t0 = now();
    into.calls++;
    const out = original.apply(this, args);
    const done = () => {
      const ms = now() - t0;
      into.ms += ms;
      into.firstMs ??= ms;
    };
    if (out instanceof Promise) return out.finally(done);
    done();
    return out;
  };
  Object.defineProperty(obj, key, { value: wrapped, configurable: true, writable: true });
  return () => {
    if (own) Object.defineProperty(obj, key, { value: original, configurable: true, writable: true });
    else delete (obj as Record<string, unknown>)[key];
  };
}

/** Run `fn` (one decoding run on `model`) with its time split into runtime, adapter, cache copies and our loop. */
export async function profileSplit<T>(
  model: TransformersModel,
  now: () => number,
  fn: () => Promise<T>,
): Promise<[T, ProfileSplit]> {
  const session = (model.model as unknown as { sessions: Record<string, { run: AnyFn }> }).sessions['model'];
  if (!session) throw new Error(`model ${model.id}: no decoder session to profile`);
  const run: Timed = { ms: 0, calls: 0 };
  const forward: Timed = { ms: 0, calls: 0 };
  const select: Timed = { ms: 0, calls: 0 };
  const decode: Timed = { ms: 0, calls: 0 };
  const undo = [
    timing(session, 'run', now, run),
    timing(model, 'forward', now, forward),
    timing(model, 'selectRows', now, select),
    timing(model, 'decode', now, decode),
  ];
  let result: T;
  const t0 = now();
  try {
    result = await fn();
  } finally {
    undo.reverse().forEach((u) => u());
  }
  const totalMs = now() - t0;
  return [
    result,
    {
      totalMs,
      runtimeMs: run.ms,
      prefillMs: run.firstMs ?? 0,
      adapterMs: forward.ms - run.ms,
      cacheCopiesMs: select.ms,
      loopMs: totalMs - forward.ms - select.ms,
      detokeniseMs: decode.ms,
      forwardCalls: forward.calls,
      selectRowsCalls: select.calls,
    },
  ];
}

/**
 * The 4-shot self-consistency run of the benchmark (n = 16 at T = 0.7, 64 new tokens; quick: 4 and 16), profiled: a
 * separate run after the timed ones, so the comparison with generate() is never measured with timers in place.
 */
export async function profileFewShot(
  model: TransformersModel,
  quick: boolean,
  now: () => number,
): Promise<ProfileSplit & { n: number; promptTokens: number; newTokens: number }> {
  const n = quick ? 4 : 16;
  const newTokens = quick ? 16 : 64;
  const prompt = fewShotPrompt(model);
  // The same seeds as the benchmark's row (rngs(n, 8)), so this is the run that row timed.
  const rngs = Array.from({ length: n }, (_, i) => createRng(8000 + i));
  const [, split] = await profileSplit(model, now, () =>
    decodeGroups(model, [prompt], n, { maxNewTokens: newTokens, sampler: temperatureSampler(0.7), rngs }),
  );
  return { ...split, n, promptTokens: prompt.length, newTokens };
}
