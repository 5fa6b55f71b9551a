/**
 * One file from the hub to disk: written to `<dest>.part`, continued with an HTTP Range request when a partial file
 * is there, checked against the announced size and sha256, then renamed into place.
 */
import { createHash, type Hash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { checkContentType, FetchModelError, isJsonFile, type Hub, type RemoteFile } from './hub.ts';

export interface DownloadProgress {
  file: string;
  /** Bytes on disk so far, a resumed part included. */
  received: number;
  total: number | null;
}

export interface DownloadResult {
  file: string;
  bytes: number;
  /** 'resumed': continued a partial file; 'up-to-date': the file was already there with the right size and sha256. */
  status: 'downloaded' | 'resumed' | 'up-to-date';
}

export async function downloadFile(
  hub: Hub,
  file: string,
  remote: RemoteFile,
  dest: string,
  onProgress?: (p: DownloadProgress) => void,
): Promise<DownloadResult> {
  if (
    existsSync(dest) &&
    remote.size !== null &&
    (await stat(dest)).size === remote.size &&
    (remote.sha256 === null || (await sha256File(dest)) === remote.sha256)
  ) {
    onProgress?.({ file, received: remote.size, total: remote.size });
    return { file, bytes: remote.size, status: 'up-to-date' };
  }
  await mkdir(dirname(dest), { recursive: true });
  const part = `${dest}.part`;
  let start = existsSync(part) ? (await stat(part)).size : 0;
  if (remote.size !== null && start > remote.size) start = 0; // a part of some other, larger version
  const resumedFrom = start;

  let total = remote.size;
  const hash = createHash('sha256');
  if (start > 0 && start === remote.size) {
    await hashInto(part, hash);
  } else {
    const res = await hub.request(remote.url, { headers: start > 0 ? { Range: `bytes=${start}-` } : {} });
    if (res.status === 416 && start > 0) {
      // The server has nothing after our part: it is either complete (checked below) or from another version.
      await res.body?.cancel();
      await hashInto(part, hash);
    } else {
      if (!res.ok) throw hub.httpError(res, file, remote.url);
      checkContentType(res, file, remote.url);
      if (res.status !== 206)
        start = 0; // the server ignored the Range: start again from byte 0
      else if (!res.headers.get('content-range')?.startsWith(`bytes ${start}-`)) {
        throw new FetchModelError(
          'http',
          `${remote.url} answered the range bytes=${start}- with Content-Range ${res.headers.get('content-range')}`,
        );
      }
      total ??= totalFrom(res);
      if (start > 0) await hashInto(part, hash);
      await receive(res, part, start, total, hash, (received) => onProgress?.({ file, received, total }), remote.url);
    }
  }

  const resumed = resumedFrom > 0 && start > 0;
  const deleted = `the download was deleted${resumed ? ` (it continued a partial file of ${resumedFrom} bytes from an earlier run); run again to download it afresh` : ''}`;
  const size = (await stat(part)).size;
  if (total !== null && size !== total) {
    await rm(part, { force: true });
    throw new FetchModelError(
      'size-mismatch',
      `${file}: got ${size} bytes but the server announced ${total}; ${deleted}`,
    );
  }
  const digest = hash.digest('hex');
  if (remote.sha256 !== null && digest !== remote.sha256) {
    await rm(part, { force: true });
    throw new FetchModelError(
      'checksum-mismatch',
      `${file}: sha256 ${digest} does not match the server's ${remote.sha256}; ${deleted}`,
    );
  }
  if (isJsonFile(file)) await checkJson(part, file);
  await rename(part, dest);
  onProgress?.({ file, received: size, total: size });
  return { file, bytes: size, status: resumed ? 'resumed' : 'downloaded' };
}

/** Stream the body onto the part file from byte `start`; a body that ends early keeps the part for a resume. */
async function receive(
  res: Response,
  part: string,
  start: number,
  total: number | null,
  hash: Hash,
  progress: (received: number) => void,
  url: string,
): Promise<void> {
  const expected = Number(res.headers.get('content-length') ?? NaN);
  const fh = await open(part, start > 0 ? 'a' : 'w');
  let got = 0;
  let failure: unknown = null;
  try {
    const reader = res.body?.getReader();
    while (reader) {
      const { done, value } = await reader.read();
      if (done) break;
      await fh.write(value);
      hash.update(value);
      got += value.length;
      progress(start + got);
    }
  } catch (err) {
    failure = err;
  } finally {
    await fh.close();
  }
  if (failure !== null || (Number.isFinite(expected) && got < expected)) {
    const of = total !== null ? ` of ${total}` : '';
    throw new FetchModelError(
      'truncated',
      `download of ${url} stopped after ${start + got}${of} bytes (the connection closed early); the partial file ${part} is kept: run the same command again to resume`,
    );
  }
}

function totalFrom(res: Response): number | null {
  const range = /\/(\d+)$/.exec(res.headers.get('content-range') ?? '');
  if (range) return Number(range[1]);
  const length = res.headers.get('content-length');
  return res.status === 200 && length !== null ? Number(length) : null;
}

function hashInto(path: string, hash: Hash): Promise<void> {
  return new Promise((ok, fail) => {
    createReadStream(path)
      .on('data', (chunk) => hash.update(chunk))
      .on('end', () => ok())
      .on('error', fail);
  });
}

async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  await hashInto(path, hash);
  return hash.digest('hex');
}

async function checkJson(path: string, file: string): Promise<void> {
  const text = await readFile(path, 'utf8');
  try {
    JSON.parse(text);
  } catch {
    await rm(path, { force: true });
    throw new FetchModelError(
      'content-type',
      `${file} is not JSON (it starts ${JSON.stringify(text.slice(0, 60))}); the download was deleted`,
    );
  }
}
