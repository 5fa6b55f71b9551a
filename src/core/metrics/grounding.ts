import { wilson } from './accuracy.ts';

/**
 * Grounding acts (Clark & Brennan): an answer that asks the asker to resolve an ambiguity instead of answering, here a
 * clarifying question such as "Which Ana, Ana Ruiz or Ana Kim?". An output is one when its first line, trimmed, opens
 * with an interrogative that asks for a choice (which, who, whom, do you mean) or ends with a question mark.
 */
const CLARIFYING_OPENINGS = ['which', 'who', 'whom', 'do you mean', 'did you mean'];

export function isClarifyingQuestion(text: string): boolean {
  const line = (text.trimStart().split('\n')[0] ?? '').trim();
  if (line === '') return false;
  const lower = line.toLowerCase();
  if (line.endsWith('?')) return true;
  return CLARIFYING_OPENINGS.some((w) => lower === w || new RegExp(`^${w}\\b`).test(lower));
}

export interface RateWithInterval {
  /** Outputs that have the property, and outputs counted. */
  count: number;
  n: number;
  /** count / n (0 for n = 0), and its 95 % Wilson interval. */
  rate: number;
  low: number;
  high: number;
}

export function rateOf(count: number, n: number): RateWithInterval {
  const { low, high } = wilson(count, n);
  return { count, n, rate: n === 0 ? 0 : count / n, low, high };
}

/** The grounding-act rate: clarifying questions over the outputs (one per ambiguous item). */
export function groundingActRate(texts: readonly string[]): RateWithInterval {
  return rateOf(texts.filter(isClarifyingQuestion).length, texts.length);
}
