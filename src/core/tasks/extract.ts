/** Answer extraction: each extractor returns the answer's character span so the UI can highlight it. */
export interface Extracted {
  /** The normalised answer. */
  value: string;
  /** The span [start, end) of the raw match in the generated text. */
  start: number;
  end: number;
}

export type ExtractorSpec =
  /** lm-eval "flexible-extract": the last number-like run. */
  | { kind: 'last-number' }
  /** The number after the first "The answer is". */
  | { kind: 'strict' }
  /** The first line, trimmed, without a trailing period. */
  | { kind: 'exact-line' }
  /** The whole output, trimmed. */
  | { kind: 'exact' }
  /**
   * A user pattern: group 1 if it has one, else the whole match; the last match unless `select` says first.
   * With `lowercase` the answer is lowercased, so "Yes" and "yes" both match a reference "yes".
   */
  | { kind: 'regex'; pattern: string; flags?: string; select?: 'first' | 'last'; lowercase?: boolean }
  /** No answers (open-ended suites): nothing is extracted. */
  | { kind: 'none' };

export type ExtractorKind = ExtractorSpec['kind'];

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

/** Compile a user pattern, or throw an error that says what is wrong with it. */
export function compileUserRegex(pattern: string, flags = ''): RegExp {
  if (pattern.length === 0) throw new Error('answer regex is empty');
  if (/[^dgimsuy]/.test(flags)) throw new Error(`answer regex flags "${flags}" may only use d, g, i, m, s, u, y`);
  try {
    return new RegExp(pattern, flags.includes('g') ? flags : `${flags}g`);
  } catch (err) {
    throw new Error(`answer regex /${pattern}/ is not a valid regular expression: ${(err as Error).message}`);
  }
}

function matches(re: RegExp, text: string): RegExpExecArray[] {
  const out: RegExpExecArray[] = [];
  re.lastIndex = 0;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    out.push(m);
    if (m[0].length === 0) re.lastIndex++;
  }
  return out;
}

function fromMatch(m: RegExpExecArray, group: number): Extracted | null {
  const raw = m[group];
  if (raw === undefined) return null;
  const offset = group === 0 ? 0 : m[0].indexOf(raw);
  const start = m.index + Math.max(0, offset);
  const value = normalizeAnswer(raw);
  // The highlighted span leaves out what normalisation drops around the answer ("$12." highlights "12").
  const lead = raw.length - raw.replace(/^[\s$]+/, '').length;
  const kept = raw.replace(/[\s.,]+$/, '');
  return value === '' ? null : { value, start: start + lead, end: start + kept.length };
}

const FLEXIBLE = /(-?[$0-9.,]{2,})|(-?[0-9]+)/g;
const STRICT = /The answer is\s*(\$?-?[0-9][0-9.,]*)/g;

export function extractAnswer(spec: ExtractorSpec, text: string): Extracted | null {
  switch (spec.kind) {
    case 'last-number': {
      // The flexible pattern also matches runs such as "..", which normalise to nothing: take the last real number.
      const found = matches(FLEXIBLE, text)
        .map((m) => fromMatch(m, m[1] !== undefined ? 1 : 2))
        .filter((x): x is Extracted => x !== null && /\d/.test(x.value));
      return found.at(-1) ?? null;
    }
    case 'strict': {
      const m = matches(STRICT, text)[0];
      return m ? fromMatch(m, 1) : null;
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
    case 'regex': {
      const re = compileUserRegex(spec.pattern, spec.flags);
      const all = matches(re, text);
      const m = spec.select === 'first' ? all[0] : all.at(-1);
      const found = m ? fromMatch(m, m.length > 1 ? 1 : 0) : null;
      return found && spec.lowercase ? { ...found, value: found.value.toLowerCase() } : found;
    }
    case 'none':
      return null;
  }
}

/** Whether an extracted answer matches the reference, both normalised (open-ended suites have no reference). */
export function isCorrect(extracted: Extracted | null, reference: string): boolean {
  return extracted !== null && reference !== '' && extracted.value === normalizeAnswer(reference);
}
