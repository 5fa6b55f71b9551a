/**
 * Download what transformers.js needs to run a hub model as a causal LM into `<outDir>/<hub id>/`: config and
 * tokenizer files and the ONNX weights of one dtype (with their external data). The config and the dtype are
 * checked before any weights move, so a wrong model fails in seconds.
 */
import { readFile, rm, rmdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { downloadFile, type DownloadProgress, type DownloadResult } from './download.ts';
import { FetchModelError, Hub, type RemoteFile } from './hub.ts';
import {
  checkCausalLm,
  configuredDataChunks,
  dataChunkName,
  dataFilesIn,
  DTYPE_FILES,
  DTYPES,
  OPTIONAL_FILES,
  REQUIRED_FILES,
  type Dtype,
} from './model-files.ts';

export const DEFAULT_HOST = 'https://huggingface.co';

export interface FetchModelOptions {
  /** "org/name" (or a legacy single-name id such as "gpt2"). */
  hubId: string;
  dtype?: Dtype;
  /** The models folder; the model lands in `<outDir>/<hubId>/`. */
  outDir: string;
  host?: string;
  /** Sent as a bearer token (gated and private repositories). */
  token?: string;
  onProgress?: (p: DownloadProgress) => void;
  /** One line per decision worth telling (a skipped optional file, where the listing came from). */
  onNote?: (line: string) => void;
}

export interface FetchModelResult {
  dir: string;
  dtype: Dtype;
  files: DownloadResult[];
}

export async function fetchModel(options: FetchModelOptions): Promise<FetchModelResult> {
  const { hubId, outDir } = options;
  const dtype = options.dtype ?? 'fp32';
  if (!/^[\w.-]+(\/[\w.-]+)?$/.test(hubId) || hubId.split('/').some((s) => s === '.' || s === '..')) {
    throw new FetchModelError('bad-argument', `"${hubId}" is not a hub model id (org/name)`);
  }
  const hub = new Hub(options.host ?? DEFAULT_HOST, hubId, options.token);
  const dir = resolve(outDir, hubId);
  const note = options.onNote ?? (() => {});
  const files: DownloadResult[] = [];
  const fetchOne = async (file: string, remote: RemoteFile) =>
    files.push(await downloadFile(hub, file, remote, join(dir, file), options.onProgress));

  // 1. config.json first: refuse what is not a causal LM before anything large moves.
  const configRemote = await hub.head('config.json');
  if (!configRemote)
    throw new FetchModelError(
      'not-found',
      `${hubId} has no config.json (404 from ${hub.fileUrl('config.json')}): is it a model repository?`,
    );
  await fetchOne('config.json', configRemote);
  const config = await readConfig(join(dir, 'config.json'), hubId, dir);

  // 2. The weights of the asked dtype, found in the listing or by asking for the file itself.
  const listing = await hub.listing();
  note(
    listing
      ? `${listing.length} files listed by ${hub.host}/api/models/${hubId}`
      : `no file listing at ${hub.host}/api/models/${hubId}: probing files one by one`,
  );
  const has = async (file: string) => (listing ? listing.includes(file) : (await hub.head(file)) !== null);
  const onnxFile = DTYPE_FILES[dtype];
  if (!(await has(onnxFile))) throw await missingDtype(hub, dtype, listing);
  const dataFiles = listing
    ? dataFilesIn(listing, onnxFile)
    : await probeDataFiles(hub, onnxFile, configuredDataChunks(config, onnxFile));

  // 3. Everything else, small files first.
  for (const file of REQUIRED_FILES.slice(1)) {
    const remote = listing && !listing.includes(file) ? null : await hub.head(file);
    if (!remote)
      throw new FetchModelError(
        'not-found',
        `${hubId} has no ${file}, which transformers.js needs to load its tokenizer`,
      );
    await fetchOne(file, remote);
  }
  for (const file of OPTIONAL_FILES) {
    const remote = listing && !listing.includes(file) ? null : await hub.head(file);
    if (remote) await fetchOne(file, remote);
    else note(`${file}: not in the repository (optional)`);
  }
  for (const file of [onnxFile, ...dataFiles]) {
    const remote = await hub.head(file);
    if (!remote)
      throw new FetchModelError('not-found', `${file} not found in ${hubId} (404 from ${hub.fileUrl(file)})`);
    await fetchOne(file, remote);
  }
  return { dir, dtype, files };
}

/** Parse and check the downloaded config.json; a model we refuse leaves nothing behind. */
async function readConfig(path: string, hubId: string, dir: string): Promise<ReturnType<typeof checkCausalLm>> {
  try {
    return checkCausalLm(JSON.parse(await readFile(path, 'utf8')), hubId);
  } catch (err) {
    await rm(path, { force: true });
    await rmdir(dir).catch(() => {}); // only if empty: a folder the user already had stays
    throw err;
  }
}

/** The error for a dtype the repository does not have, naming the dtypes (and other ONNX files) it does have. */
async function missingDtype(hub: Hub, dtype: Dtype, listing: string[] | null): Promise<FetchModelError> {
  const available: Dtype[] = [];
  for (const d of DTYPES)
    if (listing ? listing.includes(DTYPE_FILES[d]) : (await hub.head(DTYPE_FILES[d])) !== null) available.push(d);
  const want = `${hub.repo} has no ${dtype} weights (${DTYPE_FILES[dtype]})`;
  if (available.length > 0)
    return new FetchModelError(
      'missing-dtype',
      `${want}; it has: ${available.map((d) => `${d} (${DTYPE_FILES[d]})`).join(', ')}. Choose one with --dtype`,
    );
  const others = (listing ?? []).filter((f) => f.endsWith('.onnx'));
  const found = others.length
    ? `ONNX files there: ${others.join(', ')}`
    : listing
      ? 'it has no ONNX files at all'
      : `none of ${Object.values(DTYPE_FILES).join(', ')} exists`;
  return new FetchModelError(
    'missing-dtype',
    `${want}, nor any other dtype transformers.js loads for a causal LM (onnx/model[_fp16|_quantized|_q4|_q4f16].onnx); ${found}`,
  );
}

/** Without a listing: the chunk count config.json gives, else `<file>_data`, `<file>_data_1`, … while they exist. */
async function probeDataFiles(hub: Hub, onnxFile: string, configured: number | null): Promise<string[]> {
  if (configured !== null) return Array.from({ length: configured }, (_, i) => dataChunkName(onnxFile, i));
  const out: string[] = [];
  while ((await hub.head(dataChunkName(onnxFile, out.length))) !== null) out.push(dataChunkName(onnxFile, out.length));
  return out;
}
