/** Records read from a JSONL, JSON-array or CSV file: the columns in first-seen order, and each row's line. */
export interface Table {
  columns: string[];
  rows: TableRow[];
}

export interface TableRow {
  /** The file line the record starts on (1-based), for error messages. */
  line: number;
  values: Record<string, unknown>;
}

/** The first `n` errors, one per line, and how many more there were. */
export function listErrors(errors: readonly string[], n = 8): string {
  const more = errors.length > n ? `\n  … and ${errors.length - n} more` : '';
  return errors
    .slice(0, n)
    .map((e) => `  ${e}`)
    .join('\n')
    .concat(more);
}

/** A value as the text a user would recognise in an error message (cut at 60 characters). */
export function showValue(v: unknown): string {
  const s = v === undefined ? 'missing' : JSON.stringify(v);
  return s.length > 60 ? `${s.slice(0, 57)}…` : s;
}
