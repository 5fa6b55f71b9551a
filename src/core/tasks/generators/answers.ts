import type { ExtractorSpec } from '../extract.ts';

/** The last "yes"/"no" (any case) in the output: the final word of a worked solution, or a direct answer. */
export function lastOf(words: readonly string[]): ExtractorSpec {
  return { kind: 'regex', pattern: `\\b(?:${words.join('|')})\\b`, flags: 'i', select: 'last', lowercase: true };
}

/**
 * A free-form word answer: at the very start of the output (a direct answer) or after "answer is" (a worked one),
 * the last such; quotes around it are skipped and case is ignored.
 */
export function wordAnswer(word: string): ExtractorSpec {
  return {
    kind: 'regex',
    pattern: `(?<=answer is:?\\s*["']?|^\\s*["']?)${word}`,
    flags: 'i',
    select: 'last',
    lowercase: true,
  };
}

export const DEFAULT_TRIGGER = "Let's think step by step.";

/** "a", "two", … "ten" for counts, as BIG-bench writes them. */
export const NUMBER_WORDS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten'];

/** "a, b, and c" */
export function listText(parts: readonly string[]): string {
  if (parts.length <= 1) return parts.join('');
  if (parts.length === 2) return `${parts[0]} and ${parts[1]}`;
  return `${parts.slice(0, -1).join(', ')}, and ${parts.at(-1)}`;
}
