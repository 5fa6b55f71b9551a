import type { Aggregation } from './method.ts';

/** One path's contribution to a vote. */
export interface Ballot {
  answer: string | null;
  delta: number | null;
}

export interface Vote {
  answer: string;
  count: number;
  /** Sum of Δ over the paths that gave this answer. */
  weight: number;
  /** Index of the first path that gave it (ties are broken by it). */
  first: number;
}

/** Tally answers in path order; paths without an answer do not vote. */
export function tally(ballots: readonly Ballot[]): Vote[] {
  const votes = new Map<string, Vote>();
  ballots.forEach((b, i) => {
    if (b.answer === null) return;
    const v = votes.get(b.answer) ?? { answer: b.answer, count: 0, weight: 0, first: i };
    v.count++;
    v.weight += b.delta ?? 0;
    votes.set(b.answer, v);
  });
  return [...votes.values()];
}

/**
 * The winning path index under an aggregation, or null if no path has an answer.
 * - majority: most frequent answer; ties go to the answer that appeared first; its first path represents it.
 * - delta-weighted / sum: largest summed Δ; ties as above; the answer's most confident path represents it.
 * - best-of-n / max: the single path with the largest Δ; ties go to the earlier path.
 */
export function choosePath(ballots: readonly Ballot[], how: Aggregation | 'max' | 'sum'): number | null {
  const votes = tally(ballots);
  if (votes.length === 0) return null;
  if (how === 'best-of-n' || how === 'max') {
    let best: number | null = null;
    ballots.forEach((b, i) => {
      if (b.answer === null || b.delta === null) return;
      if (best === null || b.delta > ballots[best]!.delta!) best = i;
    });
    return best ?? votes[0]!.first;
  }
  const key = (v: Vote) => (how === 'majority' ? v.count : v.weight);
  const winner = votes.reduce((a, b) => (key(b) > key(a) || (key(b) === key(a) && b.first < a.first) ? b : a));
  if (how === 'majority') return winner.first;
  let best = winner.first;
  ballots.forEach((b, i) => {
    if (b.answer === winner.answer && (b.delta ?? -Infinity) > (ballots[best]!.delta ?? -Infinity)) best = i;
  });
  return best;
}
