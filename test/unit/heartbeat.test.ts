/**
 * The heartbeat decision (#12): is the inference worker hung, given the beats and call marks heard on the page's
 * clock? Silence outside a call is allowed up to silenceMs; a step may take max(minStepMs, 20 × the slowest step seen,
 * scaled by its tokens); a load may be silent up to loadMs; a gap in the page's own checks is not counted.
 */
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_LIMITS,
  START,
  allowedMs,
  check,
  heard,
  hungMessage,
  limitsFor,
  type Beat,
  type Liveness,
} from '../../src/core/run/heartbeat.ts';

const L = DEFAULT_LIMITS; // silence 30 s, min step 30 s, factor 20, load 120 s or 1 s per MB, suspend gap 5 s

/** Replay [time, message] pairs, checking every second in between as the page does; returns the first hang. */
function replay(events: [number, Beat][], until: number, limits = L): { at: number; silentMs: number } | null {
  let l: Liveness = START;
  let i = 0;
  for (let now = 0; now <= until; now += 1000) {
    while (i < events.length && events[i]![0] <= now) {
      l = heard(l, events[i]![1], events[i]![0]);
      i++;
    }
    const v = check(l, now, limits);
    l = v.liveness;
    if (v.hung) return { at: now, silentMs: v.hung.silentMs };
  }
  return null;
}

const beats = (from: number, to: number): [number, Beat][] => {
  const out: [number, Beat][] = [];
  for (let t = from; t <= to; t += 1000) out.push([t, { kind: 'beat' }]);
  return out;
};

describe('heartbeat decision', () => {
  it('a worker that keeps beating is never hung; one whose beats stop is hung just after silenceMs', () => {
    expect(replay(beats(0, 100_000), 100_000)).toBeNull();
    // Last beat at 10 s: silent 30 s at 40 s (allowed), 31 s at 41 s (hung).
    expect(replay(beats(0, 10_000), 100_000)).toEqual({ at: 41_000, silentMs: 31_000 });
  });

  it('nothing is decided before the first message', () => {
    expect(replay([], 200_000)).toBeNull();
  });

  it('a blocked event loop inside a step is allowed 20 × the slowest step (scaled by its tokens), at least minStepMs', () => {
    let l = heard(START, { kind: 'enter', call: 'step', work: 8 }, 0);
    l = heard(l, { kind: 'leave', ms: 2000 }, 2000); // 2 s for 8 tokens: 250 ms per token
    expect(l.slowestMs).toBe(2000);
    expect(l.msPerWork).toBe(250);
    // A decode step of 8 tokens: 20 × 2 s = 40 s (over the 30 s minimum).
    const step = heard(l, { kind: 'enter', call: 'step', work: 8 }, 10_000);
    expect(allowedMs(step, L)).toBe(40_000);
    expect(check({ ...step, checkedAt: 49_500 }, 50_000, L).hung).toBeNull();
    expect(check({ ...step, checkedAt: 50_500 }, 51_000, L).hung).toEqual({
      silentMs: 41_000,
      allowedMs: 40_000,
      stuckInStep: false,
    });
    // A prefill of 80 tokens: 80 × 250 ms = 20 s expected, 400 s allowed.
    const prefill = heard(l, { kind: 'enter', call: 'step', work: 80 }, 10_000);
    expect(allowedMs(prefill, L)).toBe(400_000);
    // Fast steps: the minimum holds.
    const fast = heard(heard(START, { kind: 'enter', call: 'step', work: 1 }, 0), { kind: 'leave', ms: 5 }, 5);
    expect(allowedMs(heard(fast, { kind: 'enter', call: 'step', work: 1 }, 10), L)).toBe(30_000);
  });

  it("a long prefill is scaled by the rate of the largest step seen, not by a tiny step's overhead", () => {
    let l = heard(START, { kind: 'enter', call: 'step', work: 1 }, 0); // the load's probe: 1 token, 50 ms
    l = heard(l, { kind: 'leave', ms: 50 }, 50);
    l = heard(l, { kind: 'enter', call: 'step', work: 80 }, 100); // a prefill: 80 tokens, 400 ms (5 ms per token)
    l = heard(l, { kind: 'leave', ms: 400 }, 500);
    l = heard(l, { kind: 'enter', call: 'step', work: 2 }, 600); // a decode step: 2 tokens, 60 ms
    l = heard(l, { kind: 'leave', ms: 60 }, 660);
    expect([l.slowestMs, l.msPerWork, l.largestWork]).toEqual([400, 5, 80]);
    // A prefill of 2000 tokens: 10 s expected, 200 s allowed (by the probe's 50 ms per token it would be 2000 s).
    expect(allowedMs(heard(l, { kind: 'enter', call: 'step', work: 2000 }, 1000), L)).toBe(200_000);
    // A prefill of 160 tokens: 800 ms expected, 16 s by the factor, so the 30 s minimum holds.
    expect(allowedMs(heard(l, { kind: 'enter', call: 'step', work: 160 }, 1000), L)).toBe(30_000);
  });

  it('the first step (none measured yet) gets the load allowance', () => {
    const l = heard(START, { kind: 'enter', call: 'step', work: 4 }, 0);
    expect(allowedMs(l, L)).toBe(120_000);
  });

  it('a step that never ends is hung even while beats keep coming (an asynchronous call that never returns)', () => {
    const events: [number, Beat][] = [
      [0, { kind: 'enter', call: 'step', work: 1 }],
      [1000, { kind: 'leave', ms: 1000 }],
      [2000, { kind: 'enter', call: 'step', work: 1 }],
      ...beats(3000, 200_000),
    ];
    // Allowed max(30 s, 20 × 1 s) = 30 s from the step's start at 2 s: hung at 33 s.
    expect(replay(events, 200_000)).toEqual({ at: 33_000, silentMs: 31_000 });
    let l: Liveness = START;
    for (const [t, b] of events.slice(0, 5)) l = heard(l, b, t);
    const hung = check({ ...l, checkedAt: 32_500 }, 33_000, L).hung!;
    expect(hung.stuckInStep).toBe(true);
    expect(hungMessage(hung)).toBe(
      'the inference worker stopped answering (one step has run for 31 s, over its allowance of 30 s)',
    );
  });

  it('a step that ends in time resets the clock: a long run of normal steps is never hung', () => {
    const events: [number, Beat][] = [];
    for (let t = 0; t < 300_000; t += 3000)
      events.push([t, { kind: 'enter', call: 'step', work: 2 }], [t + 2500, { kind: 'leave', ms: 2500 }]);
    expect(replay(events, 300_000)).toBeNull();
  });

  it('a load may be silent up to loadMs; beats during a load (downloads) keep it alive however long it takes', () => {
    expect(replay([[0, { kind: 'enter', call: 'load', work: 0 }]], 300_000)).toEqual({
      at: 121_000,
      silentMs: 121_000,
    });
    expect(replay([[0, { kind: 'enter', call: 'load', work: 0 }], ...beats(1000, 400_000)], 400_000)).toBeNull();
    // After the load ends, the ordinary silence limit applies again.
    expect(
      replay(
        [
          [0, { kind: 'enter', call: 'load', work: 0 }],
          [100_000, { kind: 'leave', ms: 100_000 }],
        ],
        300_000,
      ),
    ).toEqual({ at: 131_000, silentMs: 31_000 });
  });

  it('a large model may load for longer: the allowance grows with its MB of weights (#13)', () => {
    // 622 MB at 1 s per MB: silent for 600 s is fine, for 623 s it is not.
    expect(replay([[0, { kind: 'enter', call: 'load', work: 622 }]], 600_000)).toBeNull();
    expect(replay([[0, { kind: 'enter', call: 'load', work: 622 }]], 700_000)).toEqual({
      at: 623_000,
      silentMs: 623_000,
    });
    // A small model keeps the 120 s floor.
    expect(replay([[0, { kind: 'enter', call: 'load', work: 3 }]], 300_000)).toEqual({
      at: 121_000,
      silentMs: 121_000,
    });
  });

  it('a load does not count as a step: it does not raise the step allowance', () => {
    let l = heard(START, { kind: 'enter', call: 'load', work: 0 }, 0);
    l = heard(l, { kind: 'leave', ms: 90_000 }, 90_000);
    expect(l.slowestMs).toBe(0);
  });

  it('time the page itself did not run (a gap between checks) is not counted', () => {
    const l = heard(START, { kind: 'beat' }, 0);
    const a = check(l, 1000, L).liveness;
    // The page slept from 1 s to 3600 s: the worker could not be heard either.
    const woke = check(a, 3_600_000, L);
    expect(woke.hung).toBeNull();
    // Nothing heard after waking: hung once 30 s of observed silence (1 s before the sleep) have passed.
    let s = woke.liveness;
    let at = 0;
    for (let now = 3_601_000; now < 3_700_000 && !at; now += 1000) {
      const v = check(s, now, L);
      s = v.liveness;
      if (v.hung) at = now;
    }
    expect(at).toBe(3_630_000);
  });

  it('the message names the silence', () => {
    expect(hungMessage({ silentMs: 31_400, allowedMs: 30_000, stuckInStep: false })).toBe(
      'the inference worker stopped answering (no heartbeat for 31 s)',
    );
  });

  it('limitsFor: a test minimum shortens silence and steps, never the load allowance; nonsense keeps the defaults', () => {
    expect(limitsFor(3000)).toEqual({ ...L, silenceMs: 3000, minStepMs: 3000, suspendMs: 3000 });
    for (const bad of [null, 0, -5, Number.NaN, Number.POSITIVE_INFINITY]) expect(limitsFor(bad)).toBe(L);
    const short = limitsFor(3000);
    expect(replay(beats(0, 10_000), 100_000, short)).toEqual({ at: 14_000, silentMs: 4000 });
  });
});
