import { rateOf, type RateWithInterval } from './grounding.ts';

/**
 * The checking and hesitation moves a careful solver writes in a trace: a check that recomputes ("Check: 3+4 is 7"),
 * and a hesitation or self-correction ("wait", "hmm", "actually", "not 8"). Whole words, any case.
 */
export const CHECK_MOVE = /\b(check|checking|verify|recheck)\b/i;
export const HESITATION_MOVE = /\b(wait|hmm|actually)\b|\bnot -?\d/i;

export interface TraceMoves {
  check: boolean;
  hesitation: boolean;
}

export function traceMoves(text: string): TraceMoves {
  return { check: CHECK_MOVE.test(text), hesitation: HESITATION_MOVE.test(text) };
}

export interface CheckMoveRates {
  /** Outputs with a check or a hesitation move (either). */
  any: RateWithInterval;
  check: RateWithInterval;
  hesitation: RateWithInterval;
}

/** The check-move rate over outputs: the share of traces with a check or hesitation move, and each kind alone. */
export function checkMoveRate(texts: readonly string[]): CheckMoveRates {
  const moves = texts.map(traceMoves);
  const n = texts.length;
  return {
    any: rateOf(moves.filter((m) => m.check || m.hesitation).length, n),
    check: rateOf(moves.filter((m) => m.check).length, n),
    hesitation: rateOf(moves.filter((m) => m.hesitation).length, n),
  };
}
