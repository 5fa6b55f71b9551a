import { ValidationError } from '../../schema/validate.ts';
import { listErrors, type Table, type TableRow } from './table.ts';

/** Comma, tab or semicolon, whichever the header line has most of (outside quotes is close enough for a header). */
export function sniffDelimiter(text: string): string {
  const header = text.split(/\r?\n/, 1)[0] ?? '';
  const count = (d: string) => header.split(d).length - 1;
  return ['\t', ';', ','].reduce((best, d) => (count(d) > count(best) ? d : best), ',');
}

/**
 * RFC 4180 records: fields split by `delimiter`, quoted with "…" ("" inside a quote is one "), newlines allowed
 * inside quotes, CRLF or LF. The first record is the header. Each row keeps the line it starts on.
 */
export function parseCsv(text: string, source: string, delimiter = ','): Table {
  const src = text.replace(/^\uFEFF/, '');
  const records: { line: number; fields: string[] }[] = [];
  let fields: string[] = [];
  let field = '';
  let line = 1;
  let start = 1;
  let quoted = false;
  let quoteLine = 0;
  let atFieldStart = true;
  const endField = () => {
    fields.push(field);
    field = '';
    atFieldStart = true;
  };
  const endRecord = () => {
    endField();
    // A line with nothing on it is not a record (trailing newline, blank separator lines).
    if (!(fields.length === 1 && fields[0] === '')) records.push({ line: start, fields });
    fields = [];
    start = line;
  };
  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    if (quoted) {
      if (c === '"' && src[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else {
        if (c === '\n') line++;
        field += c;
      }
      continue;
    }
    if (c === '"' && atFieldStart) {
      quoted = true;
      quoteLine = line;
      atFieldStart = false;
    } else if (c === delimiter) endField();
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && src[i + 1] === '\n') i++;
      line++;
      endRecord();
    } else {
      field += c;
      atFieldStart = false;
    }
  }
  if (quoted)
    throw new ValidationError(`${source}: line ${quoteLine}: a quoted field is never closed (a " is missing)`);
  if (field !== '' || fields.length > 0) endRecord();

  const [header, ...body] = records;
  if (!header) throw new ValidationError(`${source} is empty`);
  const columns = header.fields.map((c) => c.trim());
  const errors: string[] = [];
  columns.forEach((c, i) => {
    if (c === '') errors.push(`line ${header.line}: column ${i + 1} of the header has no name`);
    else if (columns.indexOf(c) !== i) errors.push(`line ${header.line}: the header names "${c}" twice`);
  });
  const rows: TableRow[] = [];
  for (const r of body) {
    if (r.fields.length !== columns.length) {
      errors.push(
        `line ${r.line}: ${r.fields.length} fields, but the header has ${columns.length} (${columns.join(', ')})`,
      );
      continue;
    }
    rows.push({ line: r.line, values: Object.fromEntries(columns.map((c, i) => [c, r.fields[i]!])) });
  }
  const what = delimiter === '\t' ? 'TSV' : 'CSV';
  if (errors.length) throw new ValidationError(`${source} is not valid ${what}:\n${listErrors(errors)}`);
  if (rows.length === 0) throw new ValidationError(`${source} has a header but no rows`);
  return { columns, rows };
}
