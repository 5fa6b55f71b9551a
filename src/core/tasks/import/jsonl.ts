import { ValidationError } from '../../schema/validate.ts';
import { listErrors, type Table, type TableRow } from './table.ts';

/** Nested objects become dotted columns one level deep ("doc.question", as in lm-eval's logged samples). */
function flatten(record: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) {
    if (value !== null && typeof value === 'object' && !Array.isArray(value))
      for (const [inner, v] of Object.entries(value as Record<string, unknown>)) out[`${key}.${inner}`] = v;
    else out[key] = value;
  }
  return out;
}

function tableOf(rows: TableRow[]): Table {
  const columns: string[] = [];
  const seen = new Set<string>();
  for (const r of rows)
    for (const c of Object.keys(r.values))
      if (!seen.has(c)) {
        seen.add(c);
        columns.push(c);
      }
  return { columns, rows };
}

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** One JSON object per line (blank lines skipped); every bad line is reported with its number. */
export function parseJsonl(text: string, source: string): Table {
  const rows: TableRow[] = [];
  const errors: string[] = [];
  text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .forEach((raw, i) => {
      const line = i + 1;
      if (raw.trim() === '') return;
      let value: unknown;
      try {
        value = JSON.parse(raw);
      } catch (err) {
        errors.push(`line ${line}: not valid JSON: ${(err as Error).message}`);
        return;
      }
      if (!isRecord(value))
        errors.push(`line ${line}: expected a JSON object {…}, got ${JSON.stringify(value).slice(0, 40)}`);
      else rows.push({ line, values: flatten(value) });
    });
  if (errors.length) throw new ValidationError(`${source} is not valid JSONL:\n${listErrors(errors)}`);
  if (rows.length === 0) throw new ValidationError(`${source} has no records (one JSON object per line)`);
  return tableOf(rows);
}

/** A JSON array of objects (Hugging Face datasets' `to_json(lines=False)`); lines are those of each element's start. */
export function parseJsonArray(data: unknown[], text: string, source: string): Table {
  const rows: TableRow[] = [];
  const errors: string[] = [];
  // Element starts, for line numbers: each top-level "{" at depth 1 of the array.
  const starts = elementLines(text);
  data.forEach((value, i) => {
    const line = starts[i] ?? 1;
    if (!isRecord(value)) errors.push(`line ${line} (element ${i}): expected a JSON object {…}`);
    else rows.push({ line, values: flatten(value) });
  });
  if (errors.length) throw new ValidationError(`${source} is not a list of records:\n${listErrors(errors)}`);
  if (rows.length === 0) throw new ValidationError(`${source} is an empty list`);
  return tableOf(rows);
}

function elementLines(text: string): number[] {
  const lines: number[] = [];
  let depth = 0;
  let line = 1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\n') line++;
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === '[' || c === '{') {
      if (depth === 1) lines.push(line);
      depth++;
    } else if (c === ']' || c === '}') depth--;
  }
  return lines;
}
