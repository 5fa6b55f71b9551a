import type { z } from 'zod';

/** An input file or value that failed validation; the message names where and what. */
export class ValidationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ValidationError';
  }
}

function lineColumn(text: string, offset: number): string {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return `line ${line}, column ${offset - before.lastIndexOf('\n')}`;
}

/** JSON.parse with the error's line and column (when the engine gives a position, or the text ends too soon). */
export function parseJson(text: string, source: string): unknown {
  try {
    // A leading byte-order mark is dropped, as File.text() and the CLI's reader drop it.
    return JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (err) {
    const msg = (err as Error).message;
    const pos = /position (\d+)/.exec(msg);
    // "Unexpected end of JSON input" gives no position: the text ends too soon.
    const at = pos ? Number(pos[1]) : /end of JSON/i.test(msg) ? text.length : null;
    const where = at !== null ? ` at ${lineColumn(text, at)}` : '';
    throw new ValidationError(`${source}: not valid JSON${where}: ${msg}`);
  }
}

function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = data;
  for (const key of path)
    v = v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[key] : undefined;
  return v;
}

class Raw {
  constructor(readonly text: string) {}
}

/**
 * The start of a value as JSON, at most 60 characters. Written piece by piece and stopped early, so a value nested
 * thousands deep or megabytes long costs no more than its first characters (JSON.stringify would overflow the stack).
 */
export function show(v: unknown): string {
  if (v === undefined) return 'missing';
  const LIMIT = 60;
  let out = '';
  // Values still to write, last first; punctuation is pushed as Raw so that no user string can pass for it.
  const stack: unknown[] = [v];
  while (stack.length && out.length <= LIMIT) {
    const x = stack.pop();
    if (x instanceof Raw) out += x.text;
    else if (Array.isArray(x)) {
      out += '[';
      stack.push(new Raw(']'));
      for (let k = Math.min(x.length, LIMIT) - 1; k >= 0; k--) stack.push(x[k], ...(k > 0 ? [new Raw(',')] : []));
    } else if (x !== null && typeof x === 'object') {
      out += '{';
      stack.push(new Raw('}'));
      const keys = Object.keys(x).slice(0, LIMIT);
      for (let k = keys.length - 1; k >= 0; k--) {
        const key = keys[k]!;
        stack.push(
          (x as Record<string, unknown>)[key],
          new Raw(`${k > 0 ? ',' : ''}${JSON.stringify(key.slice(0, LIMIT))}:`),
        );
      }
    } else if (typeof x === 'string') out += JSON.stringify(x.slice(0, LIMIT + 1));
    else out += JSON.stringify(x) ?? 'null';
  }
  return out.length > LIMIT ? `${out.slice(0, 57)}…` : out;
}

/** Validate `data` against `schema`, or throw naming each bad field (path), its value and the rule it broke. */
export function validate<T>(schema: z.ZodType<T>, data: unknown, source: string): T {
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  const lines = result.error.issues.slice(0, 8).map((issue) => {
    const path = issue.path.length
      ? issue.path
          .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
          .join('')
          .replace(/^\./, '')
      : '(top level)';
    // A message may quote the value (a 5000-character id): each line stays readable.
    const message = issue.message.length > 200 ? `${issue.message.slice(0, 199)}…` : issue.message;
    return `  ${path.length > 200 ? `${path.slice(0, 199)}…` : path}: ${message} (value: ${show(valueAt(data, issue.path))})`;
  });
  const more = result.error.issues.length > 8 ? `\n  … and ${result.error.issues.length - 8} more` : '';
  throw new ValidationError(`${source} is not valid:\n${lines.join('\n')}${more}`);
}
