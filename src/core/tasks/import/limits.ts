import { ValidationError } from '../../schema/validate.ts';

/**
 * How large an import may be. GSM8K's test file is 0.7 MB (1,319 lines) and its training file 4 MB; the limit leaves
 * room for larger sets while keeping the page (which holds the whole suite in memory and in IndexedDB) responsive.
 */
export const MAX_IMPORT_BYTES = 32 * 1024 * 1024;
export const MAX_IMPORT_ITEMS = 50_000;

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

/** Throw before reading a file that is too large (bytes as the browser or the file system reports them). */
export function checkImportSize(bytes: number, source: string): void {
  if (bytes > MAX_IMPORT_BYTES)
    throw new ValidationError(
      `${source} is ${mb(bytes)}; an import may be at most ${mb(MAX_IMPORT_BYTES)} (GSM8K's test file is 0.7 MB). ` +
        'Keep fewer rows (for example the first few thousand lines) and import that file.',
    );
}

export function checkItemCount(rows: number, source: string): void {
  if (rows > MAX_IMPORT_ITEMS)
    throw new ValidationError(
      `${source} has ${rows.toLocaleString('en')} rows; an import may have at most ` +
        `${MAX_IMPORT_ITEMS.toLocaleString('en')}. Keep fewer rows and import that file.`,
    );
}

/** UTF-8 length of a text, for files that arrive as text (TextEncoder is not in the core's library). */
export function utf8Bytes(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}
