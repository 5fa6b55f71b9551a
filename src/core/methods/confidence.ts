import type { TokenTrace } from '../decode/trace.ts';
import type { PathOutput, ProbabilitySource } from '../run/results.ts';
import type { Extracted } from '../tasks/extract.ts';
import type { Vote } from './aggregate.ts';
import type { DecodingSpec } from './method.ts';

/**
 * The generated tokens that carry the answer: those whose text overlaps the answer's character span.
 * Mapped through the tokens' character offsets, never by re-tokenising the answer.
 */
export function answerTokenIndices(tokens: readonly TokenTrace[], span: Pick<Extracted, 'start' | 'end'>): number[] {
  const out: number[] = [];
  tokens.forEach((t, i) => {
    const end = t.offset + t.text.length;
    if (t.text.length > 0 && t.offset < span.end && end > span.start) out.push(i);
  });
  return out;
}

/**
 * The margin of the token a path took at one step: p(chosen) − max over every other token of p, from the raw
 * softmax (T = 1). When the chosen token is the most probable this is p(top-1) − p(top-2); when it is not (a
 * CoT-decoding branch forced onto its first token, a sampled token) it is negative: the model preferred another.
 * The trace's top list is sorted, so the first entry that is not the chosen token is the most probable other one.
 */
export function tokenMargin(t: Pick<TokenTrace, 'id' | 'prob' | 'top'>): number {
  const other = t.top.find((a) => a.id !== t.id);
  return t.prob - (other?.prob ?? 0);
}

/**
 * Answer confidence Δ: the mean of `tokenMargin` over the answer's tokens. Wang & Zhou 2024 (eq. 1) define it as
 * the mean p(x¹) − p(x²) of the top two tokens over the answer, which equals this margin on their paths: after the
 * branching first token those paths continue greedily, so every answer token is the top-1. On a token the path did
 * not take greedily the top-1 − top-2 gap says how sure the model was of something else; the margin does not hand
 * it that confidence. Null when there is no answer.
 */
export function answerConfidence(tokens: readonly TokenTrace[], extracted: Extracted | null): number | null {
  if (!extracted) return null;
  const idx = answerTokenIndices(tokens, extracted);
  if (idx.length === 0) return null;
  let sum = 0;
  for (const i of idx) sum += tokenMargin(tokens[i]!);
  return sum / idx.length;
}

/**
 * The model's probability of this path's answer given everything before it: the product of the answer tokens'
 * probabilities under the raw distribution (T = 1). Null when there is no answer.
 */
export function answerProbability(tokens: readonly TokenTrace[], extracted: Extracted | null): number | null {
  if (!extracted) return null;
  const idx = answerTokenIndices(tokens, extracted);
  if (idx.length === 0) return null;
  let logp = 0;
  for (const i of idx) logp += tokens[i]!.logprob;
  return Math.exp(logp);
}

/** Majority votes over at least this many samples report their vote share as their probability. */
export const VOTE_SHARE_MIN_PATHS = 4;

/** The share of all paths (answered or not) that gave `answer`; null without an answer. */
export function voteShare(answer: string | null, votes: readonly Vote[], paths: number): number | null {
  if (answer === null || paths === 0) return null;
  return (votes.find((v) => v.answer === answer)?.count ?? 0) / paths;
}

/**
 * A method's probability of its answer: for a majority vote over n >= 4 samples the winning answer's vote share
 * (the vote is what picked it), otherwise — one path, CoT-decoding, Δ-weighted votes, best-of-n — the chosen path's
 * answer probability under the model.
 */
export function methodProbability(
  decoding: DecodingSpec,
  chosen: Pick<PathOutput, 'extracted' | 'answerProb'>,
  votes?: readonly Vote[],
  paths = 1,
): { probability: number | null; probabilitySource: ProbabilitySource } {
  if (decoding.kind === 'sample' && decoding.aggregate === 'majority' && paths >= VOTE_SHARE_MIN_PATHS && votes)
    return { probability: voteShare(chosen.extracted?.value ?? null, votes, paths), probabilitySource: 'vote-share' };
  return { probability: chosen.answerProb ?? null, probabilitySource: 'answer-tokens' };
}
