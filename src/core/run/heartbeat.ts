/**
 * Is the inference worker still answering? The worker posts a beat every second from its event loop, and says when it
 * enters and leaves a runtime call (a forward pass, a model load). A WASM runtime call may block the worker's event
 * loop, so no beat comes during it at all: silence inside a call is allowed for as long as such a call may take,
 * measured on the calls seen so far; silence outside one is not. This module is the decision, on the page's clock,
 * with no timers of its own.
 */

/**
 * What the worker posts on its heartbeat channel. `work`: for a step, the tokens it feeds (rows × new positions); for
 * a load, the MB of weights the runtime turns into a session.
 */
export type Beat =
  { kind: 'beat' } | { kind: 'enter'; call: 'load' | 'step'; work: number } | { kind: 'leave'; ms: number };

export interface Liveness {
  /** Page time (ms) of the last message on the heartbeat channel; null until the first one. */
  heardAt: number | null;
  /** The call the worker entered and has not left yet, with the page time its mark arrived. */
  call: { kind: 'load' | 'step'; work: number; since: number } | null;
  /** The slowest step left so far (ms). */
  slowestMs: number;
  /**
   * ms per token of the step with the most work so far (the least overhead per token: a one-token step's rate would
   * make every long prefill look slow), and that work.
   */
  msPerWork: number;
  largestWork: number;
  /** Page time of the last check (a long gap means the page itself was not running). */
  checkedAt: number | null;
}

export interface HeartbeatLimits {
  /** Silence allowed outside a runtime call (beats come every second there). */
  silenceMs: number;
  /** The least time a step may take before it counts as hung. */
  minStepMs: number;
  /** A step may take this many times the slowest step seen (scaled by its work). */
  stepFactor: number;
  /** Silence allowed while a model loads (WASM compilation and session creation block the event loop). */
  loadMs: number;
  /**
   * ... or this much per MB of weights, when more: session creation grows with the model. Measured (#13): the
   * 622 MB SmolLM2-135M-shaped graph blocked the worker for over 120 s on 2 busy cores, and the page killed it.
   */
  loadMsPerMB: number;
  /** A gap this long between two checks means the page was suspended or throttled: that time is not counted. */
  suspendMs: number;
}

export const DEFAULT_LIMITS: HeartbeatLimits = {
  silenceMs: 30_000,
  minStepMs: 30_000,
  stepFactor: 20,
  loadMs: 120_000,
  loadMsPerMB: 1_000,
  suspendMs: 5_000,
};

/** Limits for a given minimum (tests shorten the wait with it); the load allowance is never below the default. */
export function limitsFor(minMs: number | null): HeartbeatLimits {
  if (minMs === null || !Number.isFinite(minMs) || minMs <= 0) return DEFAULT_LIMITS;
  return {
    ...DEFAULT_LIMITS,
    silenceMs: minMs,
    minStepMs: minMs,
    suspendMs: Math.min(DEFAULT_LIMITS.suspendMs, minMs),
  };
}

export const START: Liveness = {
  heardAt: null,
  call: null,
  slowestMs: 0,
  msPerWork: 0,
  largestWork: 0,
  checkedAt: null,
};

/** The state after a message from the worker arrived at page time `now`. */
export function heard(l: Liveness, beat: Beat, now: number): Liveness {
  if (beat.kind === 'beat') return { ...l, heardAt: now };
  if (beat.kind === 'enter') return { ...l, heardAt: now, call: { kind: beat.call, work: beat.work, since: now } };
  const left = l.call;
  if (!left || left.kind !== 'step') return { ...l, heardAt: now, call: null };
  const work = Math.max(1, left.work);
  const rate = beat.ms / work;
  const larger = work > l.largestWork || (work === l.largestWork && rate > l.msPerWork);
  return {
    ...l,
    heardAt: now,
    call: null,
    slowestMs: Math.max(l.slowestMs, beat.ms),
    ...(larger ? { msPerWork: rate, largestWork: work } : {}),
  };
}

/** How long the worker may stay silent now (ms), given what it is doing. */
export function allowedMs(l: Liveness, limits: HeartbeatLimits): number {
  const call = l.call;
  if (!call) return limits.silenceMs;
  if (call.kind === 'load') return Math.max(limits.loadMs, call.work * limits.loadMsPerMB);
  // Before any step was measured, a step (the first prefill) gets the load's allowance.
  if (l.slowestMs === 0) return Math.max(limits.minStepMs, limits.loadMs);
  const expected = Math.max(l.slowestMs, l.msPerWork * call.work);
  return Math.max(limits.minStepMs, limits.stepFactor * expected);
}

export interface Verdict {
  liveness: Liveness;
  /** Set when the worker counts as hung: how long it was silent (or stuck in one step) and what was allowed. */
  hung: Hung | null;
}

export interface Hung {
  silentMs: number;
  allowedMs: number;
  /** Beats still came, but one step did not end (an asynchronous runtime call that never returns). */
  stuckInStep: boolean;
}

/**
 * Check at page time `now`. Outside a call the clock is the last message; in a step it is the step's start (a step
 * that never returns is hung even if beats still come, as with an asynchronous runtime); in a load it is the last
 * message (downloads may take long, but the worker keeps beating through them).
 */
export function check(l: Liveness, now: number, limits: HeartbeatLimits): Verdict {
  if (l.heardAt === null) return { liveness: { ...l, checkedAt: now }, hung: null };
  let state = l;
  const gap = l.checkedAt === null ? 0 : now - l.checkedAt;
  if (gap > limits.suspendMs) {
    // The page did not run for a while (a sleeping laptop, a throttled background tab): the worker's beats could not
    // be heard either, so that time counts for nothing.
    const shift = (t: number) => Math.min(now, t + gap);
    state = { ...l, heardAt: shift(l.heardAt), call: l.call && { ...l.call, since: shift(l.call.since) } };
  }
  state = { ...state, checkedAt: now };
  const from = state.call?.kind === 'step' ? state.call.since : state.heardAt!;
  const silentMs = now - from;
  const allowed = allowedMs(state, limits);
  if (silentMs <= allowed) return { liveness: state, hung: null };
  const stuckInStep = state.call?.kind === 'step' && state.heardAt! > state.call.since;
  return { liveness: state, hung: { silentMs, allowedMs: allowed, stuckInStep } };
}

/** The page's message for a hung worker. */
export function hungMessage(h: Hung): string {
  const s = (ms: number) => `${Math.round(ms / 1000)} s`;
  return h.stuckInStep
    ? `the inference worker stopped answering (one step has run for ${s(h.silentMs)}, over its allowance of ${s(h.allowedMs)})`
    : `the inference worker stopped answering (no heartbeat for ${s(h.silentMs)})`;
}
