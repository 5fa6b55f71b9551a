import { suiteSchema } from '../../schema/suite-schema.ts';
import { parseJson, validate, ValidationError } from '../../schema/validate.ts';
import type { Suite } from '../suite.ts';
import { parseCsv, sniffDelimiter } from './csv.ts';
import { parseJsonArray, parseJsonl } from './jsonl.ts';
import { checkImportSize, utf8Bytes } from './limits.ts';
import { guessMapping, tableToSuite, type ColumnMapping, type ImportOptions } from './mapping.ts';
import type { Table } from './table.ts';

export type ImportFormat = 'coax-json' | 'json-records' | 'jsonl' | 'csv' | 'tsv';

export const FORMAT_LABELS: Record<ImportFormat, string> = {
  'coax-json': "Coax's suite JSON",
  'json-records': 'JSON list of records',
  jsonl: 'JSONL (one record per line)',
  csv: 'CSV',
  tsv: 'TSV',
};

/** A file read but not yet a suite: either a complete Coax suite, or records that need a column mapping. */
export type ReadImport =
  { format: 'coax-json'; suite: Suite } | { format: Exclude<ImportFormat, 'coax-json'>; table: Table };

/** The file name without folders and extension, as a suite name. */
export function baseName(fileName: string): string {
  const base = fileName.split(/[\\/]/).pop() ?? fileName;
  return base.replace(/\.(jsonl|ndjson|json|csv|tsv|txt)$/i, '') || base;
}

function detect(text: string, fileName: string): ImportFormat {
  const ext = /\.([a-z]+)$/i.exec(fileName)?.[1]?.toLowerCase();
  if (ext === 'jsonl' || ext === 'ndjson') return 'jsonl';
  if (ext === 'csv') return 'csv';
  if (ext === 'tsv') return 'tsv';
  const head = text.replace(/^\uFEFF/, '').trimStart();
  if (head.startsWith('[')) return 'json-records';
  // A .json file is JSON, whatever it starts with: an empty or damaged one is refused as JSON, not read as a table.
  if (ext === 'json' && !head.startsWith('{')) return 'coax-json';
  if (head.startsWith('{')) {
    if (ext === 'json') return 'coax-json';
    // One object per line is JSONL; one object over many lines (or one with "items") is Coax's suite format.
    try {
      const first: unknown = JSON.parse(head.split('\n', 1)[0]!);
      return Array.isArray((first as { items?: unknown }).items) ? 'coax-json' : 'jsonl';
    } catch {
      return 'coax-json';
    }
  }
  return sniffDelimiter(text) === '\t' ? 'tsv' : 'csv';
}

/** Read an import by its extension (or, without one, by its content); errors name the line, field and value. */
export function readImport(text: string, fileName: string): ReadImport {
  checkImportSize(utf8Bytes(text), fileName);
  const format = detect(text, fileName);
  switch (format) {
    case 'coax-json':
      return { format, suite: validate(suiteSchema, parseJson(text, fileName), fileName) };
    case 'json-records': {
      const data = parseJson(text, fileName);
      if (!Array.isArray(data)) throw new ValidationError(`${fileName}: expected a list of records [{…}, …]`);
      return { format, table: parseJsonArray(data, text, fileName) };
    }
    case 'jsonl':
      return { format, table: parseJsonl(text, fileName) };
    case 'csv':
      return { format, table: parseCsv(text, fileName, sniffDelimiter(text) === ';' ? ';' : ',') };
    case 'tsv':
      return { format, table: parseCsv(text, fileName, '\t') };
  }
}

/** Mapping overrides as `key=value` (CLI: `data.csv:question=prompt:answer=gold:exemplars=4`). */
export type MappingOverrides = Partial<
  Record<'question' | 'answer' | 'id' | 'worked' | 'format' | 'exemplars' | 'name', string>
>;

export const DEFAULT_EXEMPLARS = 8;

/**
 * A whole import without a dialog (the CLI, and files whose columns are recognised): the guessed mapping with any
 * overrides; an error lists the columns when the question column cannot be found.
 */
export function importSuite(text: string, fileName: string, overrides: MappingOverrides = {}): Suite {
  const read = readImport(text, fileName);
  if (read.format === 'coax-json') return read.suite;
  const guess = guessMapping(read.table);
  const column = (v: string | undefined, fallback: string | null) =>
    v === undefined ? fallback : v === '' || v === '-' ? null : v;
  const question = column(overrides.question, guess.question);
  if (!question)
    throw new ValidationError(
      `${fileName}: which column is the question? Its columns: ${read.table.columns.join(', ')}. ` +
        'Name one, as in file.csv:question=<column>:answer=<column>',
    );
  const mapping: ColumnMapping = {
    question,
    answer: column(overrides.answer, guess.answer),
    id: column(overrides.id, guess.id),
    worked: column(overrides.worked, guess.worked),
    answerFormat: overrides.format === 'gsm8k' ? 'gsm8k' : overrides.format === 'plain' ? 'plain' : guess.answerFormat,
  };
  if (overrides.format !== undefined && !['gsm8k', 'plain'].includes(overrides.format))
    throw new ValidationError(`${fileName}: format=${overrides.format} is not one of gsm8k, plain`);
  const exemplars = overrides.exemplars === undefined ? DEFAULT_EXEMPLARS : Number(overrides.exemplars);
  if (!(Number.isInteger(exemplars) && exemplars >= 0))
    throw new ValidationError(`${fileName}: exemplars=${overrides.exemplars} is not a whole number >= 0`);
  const options: ImportOptions = { name: overrides.name ?? baseName(fileName), source: fileName, exemplars };
  return tableToSuite(read.table, mapping, options);
}
