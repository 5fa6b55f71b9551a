import type { TokenTrace } from '../decode/trace.ts';
import { answerConfidence } from '../methods/confidence.ts';
import { extractAnswer, isCorrect, type Extracted, type ExtractorSpec } from '../tasks/extract.ts';

/** An optional answer check: the extractor reads each path's answer, the expected answer (if any) marks it. */
export interface AnswerCheck {
  /** '' when only the answers and their Δ are wanted. */
  expected: string;
  extractor: ExtractorSpec;
}

export interface PathAnswer {
  extracted: Extracted | null;
  /** CoT-decoding's confidence over the answer's tokens (null without an answer). */
  delta: number | null;
  /** null when there is no expected answer to compare with. */
  correct: boolean | null;
}

export const NO_ANSWER: PathAnswer = { extracted: null, delta: null, correct: null };

export function answerOf(path: { text: string; tokens: readonly TokenTrace[] }, check: AnswerCheck | null): PathAnswer {
  if (!check || check.extractor.kind === 'none') return NO_ANSWER;
  const extracted = extractAnswer(check.extractor, path.text);
  return {
    extracted,
    delta: answerConfidence(path.tokens, extracted),
    correct: check.expected.trim() === '' ? null : isCorrect(extracted, check.expected),
  };
}
