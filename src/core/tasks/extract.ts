import { LinearRegex, MAX_PATTERN_LENGTH } from './linear-regex.ts';

/** Answer extraction: each extractor returns the answer's character span so the UI can highlight it. */
export interface Extracted {
  /** The normalised answer. */
  value: string;
  /** The span [start, end) of the raw match in the generated text. */
  start: number;
  end: number;
}

export type ExtractorSpec =
  // Coax's own rules. The first three read a worked response's "The answer is X" when it has one (see extractAnswer).
  /** The last number-like run (lm-eval's flexible pattern, minus its quirks: digitless runs skipped, "07" read as 7). */
  | { kind: 'last-number' }
  /** The first line, trimmed, without a trailing period. */
  | { kind: 'exact-line' }
  /** The whole output, trimmed. */
  | { kind: 'exact' }
  /** The number after the first "The answer is" (any space after the phrase; the number may end the text). */
  | { kind: 'strict' }
  /**
   * A user pattern: group 1 if it has one, else the whole match; the last match unless `select` says first.
   * With `lowercase` the answer is lowercased, so "Yes" and "yes" both match a reference "yes".
   */
  | { kind: 'regex'; pattern: string; flags?: string; select?: 'first' | 'last'; lowercase?: boolean }
  /** No answers (open-ended suites): nothing is extracted. */
  | { kind: 'none' }
  // lm-evaluation-harness's filters, exactly (lm_eval/tasks/gsm8k/gsm8k.yaml and gsm8k-cot.yaml; see LM_EVAL_FILTERS).
  /** gsm8k "flexible-extract": regex (-?[$0-9.,]{2,})|(-?[0-9]+), group_select -1, then take_first. */
  | { kind: 'lm-eval:flexible-extract' }
  /** gsm8k "strict-match": regex #### (\-?[0-9\.\,]+), the first match. */
  | { kind: 'lm-eval:strict-match' }
  /** gsm8k_cot "strict-match": regex The answer is (\-?[0-9\.\,]+). (the final "." is any character), the first match. */
  | { kind: 'lm-eval:strict-match-cot' };

/** Every kind, for schemas and pickers. */
export const EXTRACTOR_KINDS: readonly ExtractorSpec['kind'][] = [
  'last-number',
  'exact-line',
  'exact',
  'strict',
  'regex',
  'none',
  'lm-eval:flexible-extract',
  'lm-eval:strict-match',
  'lm-eval:strict-match-cot',
];

/** The phrase that closes a worked solution in the organism's corpus and in GSM8K's chain-of-thought exemplars. */
export const ANSWER_IS = 'The answer is';

/** Commas, a leading $, surrounding space, a trailing "." and trailing ".0…" are not part of an answer. */
export function normalizeAnswer(raw: string): string {
  let s = raw
    .trim()
    .replace(/,/g, '')
    .replace(/^\$/, '')
    .replace(/^(-?)\$/, '$1');
  s = s.replace(/\.$/, '');
  if (/^-?\d+\.0+$/.test(s)) s = s.replace(/\.0+$/, '');
  if (/^-?\d+$/.test(s)) s = s.replace(/^(-?)0+(?=\d)/, '$1');
  return s;
}

/** A pattern quoted in a message: at most 40 characters of it. */
function quote(pattern: string): string {
  return pattern.length > 40 ? `/${pattern.slice(0, 37)}…/` : `/${pattern}/`;
}

/**
 * Compile a user pattern, or throw an error that says what is wrong with it. Patterns run on Coax's linear-time
 * matcher (linear-regex.ts), so no pattern can hang a run; RegExp only checks the syntax.
 */
export function compileUserRegex(pattern: string, flags = ''): LinearRegex {
  if (pattern.length === 0) throw new Error('answer regex is empty');
  if (pattern.length > MAX_PATTERN_LENGTH)
    throw new Error(`answer regex is ${pattern.length} characters long; the limit is ${MAX_PATTERN_LENGTH}`);
  if (/[^dgimsuvy]/.test(flags) || flags.length > 8)
    throw new Error(`answer regex flags "${flags.slice(0, 20)}" may only use d, g, i, m, s, u, v, y`);
  try {
    new RegExp(pattern, flags);
  } catch (err) {
    const why = (err as Error).message.replace(/^Invalid regular expression: \/[\s\S]*\/[a-z]*: /, '');
    throw new Error(`answer regex ${quote(pattern)} is not a valid regular expression: ${why}`);
  }
  return new LinearRegex(pattern, flags);
}

/** A match with RegExpExecArray's shape: the groups by number, and `index`. */
type Match = (string | undefined)[] & { index: number };

function matches(re: RegExp | LinearRegex, text: string): Match[] {
  if (re instanceof LinearRegex) return re.matchAll(text).map((m) => Object.assign(m.groups, { index: m.index }));
  const out: Match[] = [];
  re.lastIndex = 0;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    out.push(m);
    if (m[0].length === 0) re.lastIndex++;
  }
  return out;
}

function fromMatch(m: Match, group: number): Extracted | null {
  const raw = m[group];
  if (raw === undefined) return null;
  const offset = group === 0 ? 0 : m[0]!.indexOf(raw);
  const start = m.index + Math.max(0, offset);
  const value = normalizeAnswer(raw);
  // The highlighted span leaves out what normalisation drops around the answer ("$12." highlights "12").
  const lead = raw.length - raw.replace(/^[\s$]+/, '').length;
  const kept = raw.replace(/[\s.,]+$/, '');
  return value === '' ? null : { value, start: start + lead, end: start + kept.length };
}

const FLEXIBLE = /(-?[$0-9.,]{2,})|(-?[0-9]+)/g;
const STRICT = /The answer is\s*(\$?-?[0-9][0-9.,]*)/g;

/**
 * lm-evaluation-harness's filters as its regex filter runs them: Python `re.findall`, the match at `group_select`,
 * of a match with several groups the first non-empty one, stripped; no match is its fallback "[invalid]" (here:
 * no answer). Python's "." (anything but a newline) is written [^\n].
 */
export const LM_EVAL_FILTERS = {
  'lm-eval:flexible-extract': { pattern: /(-?[$0-9.,]{2,})|(-?[0-9]+)/g, groupSelect: -1 },
  'lm-eval:strict-match': { pattern: /#### (-?[0-9.,]+)/g, groupSelect: 0 },
  'lm-eval:strict-match-cot': { pattern: /The answer is (-?[0-9.,]+)[^\n]/g, groupSelect: 0 },
} as const;

type LmEvalKind = keyof typeof LM_EVAL_FILTERS;

function isLmEval(kind: ExtractorSpec['kind']): kind is LmEvalKind {
  return kind in LM_EVAL_FILTERS;
}

/**
 * The normalisation of lm-eval's gsm8k exact_match metric, applied to the filtered answer and to the reference:
 * regexes_to_ignore [",", "\\$", "(?s).*#### ", "\\.$"] removed in that order, then ignore_case. Nothing else: "07"
 * stays "07" and "3.0" stays "3.0". (Python's $ also matches before a final newline.)
 */
export function lmEvalNormalize(s: string): string {
  return s
    .replace(/,/g, '')
    .replace(/\$/g, '')
    .replace(/^[\s\S]*#### /, '')
    .replace(/\.(?=\n?$)/, '')
    .toLowerCase();
}

function lmEvalExtract(kind: LmEvalKind, text: string): Extracted | null {
  const { pattern, groupSelect } = LM_EVAL_FILTERS[kind];
  const all = matches(pattern, text);
  const m = all.at(groupSelect);
  if (!m) return null;
  const group = m.findIndex((g, i) => i > 0 && g !== undefined && g !== '');
  if (group < 0) return null;
  const raw = m[group]!;
  // The group's offset in the match: these patterns put only a digit-free literal before the group.
  const start = m.index + m[0]!.indexOf(raw);
  const value = lmEvalNormalize(raw.trim());
  // The highlighted span leaves out what the metric drops around the answer ("$3." highlights "3"), unless that is all.
  const lead = raw.length - raw.replace(/^[\s$]+/, '').length;
  const kept = raw.replace(/[\s.,]+$/, '').length;
  return kept > lead ? { value, start: start + lead, end: start + kept } : { value, start, end: start + raw.length };
}

/**
 * A worked response's own answer: what follows the first "The answer is" up to the end of its line or sentence (a
 * period followed by space or the end). Null when the phrase is absent.
 */
function answerSentence(text: string): { segment: string; offset: number } | null {
  const at = text.indexOf(ANSWER_IS);
  if (at < 0) return null;
  const after = at + ANSWER_IS.length;
  // Space after the phrase, newlines included, leads to the answer; the answer ends with its line or sentence.
  const offset = after + (text.slice(after).length - text.slice(after).trimStart().length);
  const rest = text.slice(offset);
  const end = rest.search(/\n|\.(?=\s|$)/);
  return { segment: end < 0 ? rest : rest.slice(0, end), offset };
}

function shift(x: Extracted | null, by: number): Extracted | null {
  return x && { value: x.value, start: x.start + by, end: x.end + by };
}

/** Coax's own rules applied to a piece of text (no "The answer is" lookup). */
function byRule(kind: 'last-number' | 'exact-line' | 'exact', text: string): Extracted | null {
  switch (kind) {
    case 'last-number': {
      // The flexible pattern also matches runs such as "..", which normalise to nothing: take the last real number.
      const found = matches(FLEXIBLE, text)
        .map((m) => fromMatch(m, m[1] !== undefined ? 1 : 2))
        .filter((x): x is Extracted => x !== null && /\d/.test(x.value));
      return found.at(-1) ?? null;
    }
    case 'exact-line': {
      const line = text.split('\n')[0] ?? '';
      const lead = line.length - line.trimStart().length;
      const trimmed = line.trim().replace(/\.$/, '').trimEnd();
      return trimmed ? { value: trimmed, start: lead, end: lead + trimmed.length } : null;
    }
    case 'exact': {
      const lead = text.length - text.trimStart().length;
      const trimmed = text.trim();
      return trimmed ? { value: trimmed, start: lead, end: lead + trimmed.length } : null;
    }
  }
}

/**
 * The answer in a generated text, with its span. Coax's last-number, exact-line and exact rules read a worked
 * response the way it states its answer: when the text says "The answer is X", X is the answer (read by the rule
 * from that sentence; no answer if the rule finds none there), else the rule applies to the whole text. strict,
 * regex and lm-eval's filters are applied exactly as written.
 */
export function extractAnswer(spec: ExtractorSpec, text: string): Extracted | null {
  switch (spec.kind) {
    case 'last-number':
    case 'exact-line':
    case 'exact': {
      const stated = answerSentence(text);
      return stated ? shift(byRule(spec.kind, stated.segment), stated.offset) : byRule(spec.kind, text);
    }
    case 'strict': {
      const m = matches(STRICT, text)[0];
      return m ? fromMatch(m, 1) : null;
    }
    case 'regex': {
      const re = compileUserRegex(spec.pattern, spec.flags);
      const all = matches(re, text);
      const m = spec.select === 'first' ? all[0] : all.at(-1);
      const found = m ? fromMatch(m, m.length > 1 ? 1 : 0) : null;
      return found && spec.lowercase ? { ...found, value: found.value.toLowerCase() } : found;
    }
    case 'none':
      return null;
    case 'lm-eval:flexible-extract':
    case 'lm-eval:strict-match':
    case 'lm-eval:strict-match-cot':
      return lmEvalExtract(spec.kind, text);
  }
}

/** The reference as the extractor's answers are normalised: lm-eval's metric for its filters, else Coax's. */
export function referenceValue(spec: ExtractorSpec, reference: string): string {
  return isLmEval(spec.kind) ? lmEvalNormalize(reference.trim()) : normalizeAnswer(reference);
}

/** Whether an extracted answer matches the reference (open-ended suites have no reference). */
export function isCorrect(extracted: Extracted | null, reference: string, spec?: ExtractorSpec): boolean {
  return (
    extracted !== null &&
    reference !== '' &&
    extracted.value === (spec ? referenceValue(spec, reference) : normalizeAnswer(reference))
  );
}
