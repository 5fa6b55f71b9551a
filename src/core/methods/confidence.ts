import type { TokenTrace } from '../decode/trace.ts';
import type { Extracted } from '../tasks/extract.ts';

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
 * CoT-decoding's answer confidence (Wang & Zhou 2024, eq. 1): the mean over the answer's tokens of
 * p(top-1) − p(top-2), from the raw softmax (T = 1) at each of those steps. Null when there is no answer.
 */
export function answerConfidence(tokens: readonly TokenTrace[], extracted: Extracted | null): number | null {
  if (!extracted) return null;
  const idx = answerTokenIndices(tokens, extracted);
  if (idx.length === 0) return null;
  let sum = 0;
  for (const i of idx) {
    const top = tokens[i]!.top;
    sum += (top[0]?.prob ?? 0) - (top[1]?.prob ?? 0);
  }
  return sum / idx.length;
}
