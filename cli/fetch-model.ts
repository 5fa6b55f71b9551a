/**
 * Download a hub model into public/models so Coax (page and CLI) can run it:
 *   npm run fetch-model -- HuggingFaceTB/SmolLM2-135M --dtype q4
 */
import { resolve } from 'node:path';
import { parseArgs } from './args.ts';
import { DEFAULT_HOST, fetchModel } from './fetch/fetch.ts';
import type { DownloadProgress } from './fetch/download.ts';
import { FetchModelError } from './fetch/hub.ts';
import { DTYPE_FILES, DTYPES, parseDtype } from './fetch/model-files.ts';
import { errorMessage } from '../src/core/errors.ts';

const HELP = `fetch-model — download an ONNX causal language model from the Hugging Face hub for Coax

  npm run fetch-model -- <hub-id> [--dtype fp32] [--out public/models] [--host ${DEFAULT_HOST}]

  <hub-id>   org/name of a repository with transformers.js ONNX weights (e.g. onnx-community/…, Xenova/…)
  --dtype    ${DTYPES.map((d) => `${d} (${DTYPE_FILES[d]})`).join(', ')}
  --out      models folder; the files land in <out>/<hub-id>/ (default public/models)
  --host     the hub, or a mirror with the same URL layout

Fetches config.json, tokenizer.json, tokenizer_config.json, generation_config.json and special_tokens_map.json
(when present) and the ONNX file of the dtype with its external data. An interrupted download resumes from its
.part file when run again; sizes and sha256 (where the hub gives them) are checked. HF_TOKEN, when set, is sent for
gated or private repositories.`;

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['kB', 'MB', 'GB'];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(1)} ${units[u]}`;
}

/** One bar per file on stderr: redrawn in place on a terminal, one line per finished file otherwise. */
function progressRenderer(): (p: DownloadProgress) => void {
  const tty = process.stderr.isTTY;
  const finished = new Set<string>();
  let lastFile = '';
  let lastDraw = 0;
  return (p) => {
    const done = p.total !== null && p.received >= p.total;
    const now = Date.now();
    if (finished.has(p.file) || (!done && (!tty || (p.file === lastFile && now - lastDraw < 100)))) return;
    if (done) finished.add(p.file);
    lastFile = p.file;
    lastDraw = now;
    const width = 30;
    const frac = p.total ? Math.min(1, p.received / p.total) : 0;
    const bar = p.total ? `[${'#'.repeat(Math.round(frac * width)).padEnd(width, '.')}]` : `[${'?'.repeat(width)}]`;
    const line = `${p.file.padEnd(32)} ${bar} ${formatBytes(p.received)}${p.total !== null ? ` / ${formatBytes(p.total)}` : ''}`;
    process.stderr.write(tty ? `\r${line.padEnd(100)}${done ? '\n' : ''}` : `${line}\n`);
  };
}

async function main(): Promise<void> {
  const [hubId, ...rest] = process.argv.slice(2);
  if (!hubId || hubId === '--help' || hubId === '-h') {
    console.log(HELP);
    return;
  }
  if (hubId.startsWith('--'))
    throw new FetchModelError(
      'bad-argument',
      `the hub id comes first: npm run fetch-model -- <hub-id> [flags] (got ${hubId})`,
    );
  const { flags, help } = parseArgs(['fetch', ...rest], {
    fetch: {
      usage: 'npm run fetch-model -- <hub-id> [--dtype fp32] [--out public/models] [--host <url>]',
      summary: 'download an ONNX causal language model from the hub',
      flags: ['dtype', 'out', 'host'].map((name) => ({ name, value: '', help: '' })),
    },
  });
  if (help) {
    console.log(HELP);
    return;
  }
  const dtype = parseDtype(flags['dtype'] ?? 'fp32');
  const outDir = resolve(flags['out'] ?? 'public/models');
  const host = flags['host'] ?? DEFAULT_HOST;
  process.stderr.write(`fetching ${hubId} (${dtype}) from ${host}\n`);
  const result = await fetchModel({
    hubId,
    dtype,
    outDir,
    host,
    token: process.env['HF_TOKEN'] || undefined,
    onProgress: progressRenderer(),
    onNote: (line) => process.stderr.write(`  ${line}\n`),
  });
  const bytes = result.files.reduce((n, f) => n + f.bytes, 0);
  const counts = ['downloaded', 'resumed', 'up-to-date']
    .map((s) => [s, result.files.filter((f) => f.status === s).length] as const)
    .filter(([, n]) => n > 0);
  console.log(
    `${hubId}: ${result.files.length} files, ${formatBytes(bytes)} in ${result.dir} (${counts.map(([s, n]) => `${n} ${s}`).join(', ')})`,
  );
  console.log(
    `load it with dtype "${dtype}" (npm run coax -- run --model ${hubId}${dtype === 'fp32' ? '' : ` --dtype ${dtype}`} …)`,
  );
}

main().catch((err: unknown) => {
  const message = err instanceof FetchModelError ? `${err.message} [${err.code}]` : errorMessage(err);
  process.stderr.write(`\nfetch-model: ${message}\n`);
  process.exit(1);
});
