/** The CLI's file edges: reading an input the way the page does, and writing results without losing them. */
import {
  accessSync,
  closeSync,
  constants,
  existsSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { errorMessage } from '../src/core/errors.ts';
import { parsePassSummary, type PassSummary } from '../src/core/run/pass-summary.ts';

/**
 * A UTF-8 text file as the page reads one (`File.text()` decodes UTF-8 and drops a leading byte-order mark), so a
 * file saved by an editor that adds a BOM opens in both. A directory or a missing file is an error naming the path.
 */
export function readTextFile(path: string, what: string): string {
  if (!existsSync(path)) throw new Error(`${what}: no file at ${resolve(path)}`);
  if (statSync(path).isDirectory()) {
    const json = readdirSync(path).filter((f) => f.endsWith('.json'));
    throw new Error(
      `${what}: ${resolve(path)} is a directory, not a JSON file${
        json.length ? ` (it holds ${json.slice(0, 8).join(', ')}${json.length > 8 ? ', …' : ''}: name one)` : ''
      }`,
    );
  }
  const text = readFileSync(path, 'utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/**
 * Checked before a run, so a typo in --out does not cost the run: the path is not a directory, its folder exists
 * and both can be written.
 */
export function checkOutPath(path: string): void {
  const full = resolve(path);
  const dir = dirname(full);
  if (existsSync(full) && statSync(full).isDirectory())
    throw new Error(`--out: ${full} is a directory; give a file path such as ${join(full, 'results.json')}`);
  if (!existsSync(dir)) throw new Error(`--out: the folder ${dir} does not exist (create it first)`);
  if (!statSync(dir).isDirectory()) throw new Error(`--out: ${dir} is not a folder`);
  try {
    accessSync(existsSync(full) ? full : dir, constants.W_OK);
  } catch {
    throw new Error(`--out: ${existsSync(full) ? full : dir} cannot be written (permissions)`);
  }
}

/**
 * Write a finished run. If the path fails anyway (the disk filled, the folder went away during the run), the
 * results go to a file in the temp folder instead and the caller says where: a finished run is never dropped.
 */
export function writeResults(
  path: string,
  text: string,
  fallbackDir = tmpdir(),
): { path: string; error: string | null } {
  try {
    writeFileSync(path, text);
    return { path: resolve(path), error: null };
  } catch (err) {
    const fallback = join(fallbackDir, `coax-results-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
    writeFileSync(fallback, text);
    return { path: fallback, error: errorMessage(err) };
  }
}

/**
 * Whether a file is a pass summary (tools/pass-summary.ts writes `"format":"coax-pass-summary"` first), told from
 * its first bytes so that a results file of hundreds of megabytes is not read twice.
 */
export function isSummaryFile(path: string): boolean {
  if (!existsSync(path) || statSync(path).isDirectory()) return false; // readTextFile's error names it later
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(256);
    const n = readSync(fd, head, 0, head.length, 0);
    return /^\uFEFF?\s*\{\s*"format"\s*:\s*"coax-pass-summary"/.test(head.subarray(0, n).toString('utf8'));
  } finally {
    closeSync(fd);
  }
}

export const readSummaryFile = (path: string): PassSummary =>
  parsePassSummary(readTextFile(path, 'pass summary'), path);
