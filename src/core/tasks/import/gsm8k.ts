/**
 * GSM8K's answer field: a worked solution, one step per line, with calculator annotations such as "<<48/2=24>>",
 * and a last line "#### 72". The final answer is what follows "####"; the solution becomes a worked exemplar.
 */
export interface Gsm8kAnswer {
  final: string;
  /** The solution on one line (steps joined by spaces, annotations removed), ending "The answer is 72." */
  worked: string;
}

const MARK = /\n?\s*####\s*/;

export function isGsm8kAnswer(value: unknown): boolean {
  return typeof value === 'string' && /####\s*\S/.test(value);
}

/** Null when the text has no "#### answer" part. */
export function splitGsm8kAnswer(text: string): Gsm8kAnswer | null {
  const at = text.lastIndexOf('####');
  if (at < 0) return null;
  const final = text.slice(at + 4).trim();
  if (final === '' || final.includes('\n')) return null;
  const steps = text
    .slice(0, at)
    .replace(MARK, '')
    .replace(/<<[^<>]*>>/g, '')
    .split(/\r?\n/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const lead = steps.length ? `${steps.map((s) => (/[.!?]$/.test(s) ? s : `${s}.`)).join(' ')} ` : '';
  return { final, worked: `${lead}The answer is ${final}.` };
}
