import type { TokenTrace } from '../decode/trace.ts';
import type { PathOutput } from '../run/results.ts';

/**
 * Whether a generated token is format rather than content: whitespace-only text (newlines, spaces), the EOS that
 * ended the path, or a token the suite declares as format (marked `format` when the run recorded it). Format tokens
 * are nearly certain wherever they occur, so they pull a mean entropy towards 0 whatever the task.
 */
export function isFormatToken(t: TokenTrace, index: number, path: Pick<PathOutput, 'tokens' | 'stopReason'>): boolean {
  if (t.format) return true;
  if (path.stopReason === 'eos' && index === path.tokens.length - 1) return true;
  return t.text.trim() === '';
}

export interface EntropySums {
  /** Σ entropy and count over every generated token. */
  all: number;
  tokens: number;
  /** Σ entropy and count over content tokens only. */
  content: number;
  contentTokens: number;
}

export function entropySums(path: Pick<PathOutput, 'tokens' | 'stopReason'>): EntropySums {
  const s: EntropySums = { all: 0, tokens: 0, content: 0, contentTokens: 0 };
  path.tokens.forEach((t, i) => {
    s.all += t.entropy;
    s.tokens++;
    if (!isFormatToken(t, i, path)) {
      s.content += t.entropy;
      s.contentTokens++;
    }
  });
  return s;
}

/**
 * The answer an output gives, for counting distinct answers: its extracted answer, or where the suite extracts none
 * (open-ended suites), its first line, trimmed, without a trailing period. Null for an empty output.
 */
export function givenAnswer(out: Pick<PathOutput, 'extracted' | 'text'>): string | null {
  if (out.extracted) return out.extracted.value;
  const line = (out.text.split('\n')[0] ?? '').trim().replace(/\.$/, '').trimEnd();
  return line === '' ? null : line;
}
