/**
 * A loopback stand-in for the Hugging Face hub, for tests and offline demos: serves local model folders as
 *   GET|HEAD /<org>/<name>/resolve/main/<file>   files; LFS-like files (*.onnx, *.onnx_data*) answer, as the hub
 *                                                does, with a 302 to /cdn/… carrying X-Linked-Size and
 *                                                X-Linked-ETag: "<sha256>"; the bytes support Range (206)
 *   GET /api/models/<org>/<name>                 { id, siblings: [{ rfilename }] }
 * with CORS and Cross-Origin-Resource-Policy headers, so a cross-origin-isolated page can fetch it too.
 * Faults, by "<hub id>/<file>", make one file misbehave the way real downloads do.
 *
 *   npx tsx tools/hub-standin.ts [--port 8123]     serves this repo's own models (REPO_MODELS)
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export interface HubFaults {
  /** Answered 404 (and left out of the listing). */
  notFound?: string[];
  /** The connection drops halfway through the body; Content-Length announces all of it. */
  truncate?: string[];
  /** A 200 HTML page instead of the file (a login wall, a captive portal). */
  wrongContentType?: string[];
  /** One byte flipped: right size, wrong sha256. */
  corrupt?: string[];
  /** Only the first half is served, with a matching Content-Length; X-Linked-Size still announces the whole file. */
  short?: string[];
}

export interface HubStandinOptions {
  /** 0 (default): any free port. */
  port?: number;
  /** Hub id ("org/name") -> local model folder. */
  models: Record<string, string>;
  faults?: HubFaults;
  /** false: /api/models/… answers 404, as a plain static mirror would (clients must probe files instead). */
  listing?: boolean;
}

export interface HubRequest {
  method: string;
  path: string;
  range: string | null;
}

export interface HubStandin {
  /** http://127.0.0.1:<port>, no trailing slash. */
  url: string;
  /** Every request received, in order. */
  requests: HubRequest[];
  close(): Promise<void>;
}

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** This repo's bundled models under hub-like ids. */
export const REPO_MODELS: Record<string, string> = {
  'coax-test/tiny-llama': join(ROOT, 'public/models/coax/fixture-tiny'),
  'coax-test/tiny-gpt2': join(ROOT, 'public/models/coax/fixture-gpt2'),
};

const CORS_HEADERS = {
  'Access-Control-Allow-Origin': '*',
  'Cross-Origin-Resource-Policy': 'cross-origin',
  'Access-Control-Expose-Headers':
    'Content-Length, Content-Range, Accept-Ranges, ETag, X-Linked-Size, X-Linked-ETag, X-Error-Code, Location',
};

const isLfs = (file: string) => /\.onnx(_data(_\d+)?)?$/.test(file);

function listFiles(root: string, dir = root): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? listFiles(root, p) : [relative(root, p).split(sep).join('/')];
  });
}

export async function startHubStandin(options: HubStandinOptions): Promise<HubStandin> {
  const faults = options.faults ?? {};
  const has = (kind: keyof HubFaults, key: string) => faults[kind]?.includes(key) ?? false;
  const requests: HubRequest[] = [];
  const hashes = new Map<string, string>();
  const sha256 = (path: string) => {
    if (!hashes.has(path)) hashes.set(path, createHash('sha256').update(readFileSync(path)).digest('hex'));
    return hashes.get(path)!;
  };
  let base = '';

  /** The local file behind hub id + file name, or null (unknown repo, missing file, path escaping the folder). */
  function localFile(hubId: string, file: string): string | null {
    const folder = options.models[hubId];
    if (!folder || has('notFound', `${hubId}/${file}`)) return null;
    const path = resolve(folder, file);
    if (!path.startsWith(resolve(folder) + sep) || !existsSync(path) || !statSync(path).isFile()) return null;
    return path;
  }

  function notFound(res: ServerResponse, code: string, message: string): void {
    res.writeHead(404, { ...CORS_HEADERS, 'Content-Type': 'text/plain; charset=utf-8', 'X-Error-Code': code });
    res.end(message);
  }

  function serveBytes(req: IncomingMessage, res: ServerResponse, key: string, path: string): void {
    if (has('wrongContentType', key)) {
      res.writeHead(200, { ...CORS_HEADERS, 'Content-Type': 'text/html; charset=utf-8' });
      res.end(
        req.method === 'HEAD' ? undefined : '<!doctype html><title>Sign in</title><p>Please sign in to continue.</p>',
      );
      return;
    }
    let body = readFileSync(path);
    if (has('corrupt', key)) {
      body = Buffer.from(body);
      body[body.length >> 1] = body[body.length >> 1]! ^ 0xff;
    }
    if (has('short', key)) body = body.subarray(0, body.length >> 1);
    const total = body.length;
    const headers: Record<string, string> = {
      ...CORS_HEADERS,
      'Content-Type': path.endsWith('.json') ? 'application/json; charset=utf-8' : 'application/octet-stream',
      'Accept-Ranges': 'bytes',
      ETag: `"${sha256(path)}"`,
    };
    const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
    let status = 200;
    if (range) {
      const start = Number(range[1]);
      const end = range[2] ? Math.min(Number(range[2]), total - 1) : total - 1;
      if (start >= total || start > end) {
        res.writeHead(416, { ...headers, 'Content-Range': `bytes */${total}` });
        res.end();
        return;
      }
      status = 206;
      headers['Content-Range'] = `bytes ${start}-${end}/${total}`;
      body = body.subarray(start, end + 1);
    }
    headers['Content-Length'] = String(body.length);
    res.writeHead(status, headers);
    if (req.method === 'HEAD') {
      res.end();
    } else if (has('truncate', key)) {
      res.write(body.subarray(0, body.length >> 1), () => res.destroy());
    } else {
      res.end(body);
    }
  }

  function handle(req: IncomingMessage, res: ServerResponse): void {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    requests.push({ method: req.method ?? 'GET', path, range: req.headers.range ?? null });
    if (req.method === 'OPTIONS') {
      res.writeHead(204, {
        ...CORS_HEADERS,
        'Access-Control-Allow-Methods': 'GET, HEAD, OPTIONS',
        'Access-Control-Allow-Headers': 'Range, Authorization, Content-Type',
        'Access-Control-Max-Age': '600',
      });
      res.end();
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, CORS_HEADERS);
      res.end();
      return;
    }
    const m = /^\/api\/models\/([^/]+\/[^/]+)(?:\/revision\/main)?$/.exec(path);
    if (m) {
      const folder = options.models[m[1]!];
      if (options.listing === false || !folder) return notFound(res, 'RepoNotFound', `Repository ${m[1]} not found`);
      const siblings = listFiles(folder)
        .filter((f) => !has('notFound', `${m[1]}/${f}`))
        .map((rfilename) => ({ rfilename }));
      res.writeHead(200, { ...CORS_HEADERS, 'Content-Type': 'application/json; charset=utf-8' });
      res.end(req.method === 'HEAD' ? undefined : JSON.stringify({ id: m[1], modelId: m[1], siblings }));
      return;
    }
    // /<org>/<name>/resolve/main/<file>, or /cdn/<org>/<name>/<file> where its redirect points
    const cdn = /^\/cdn\/([^/]+\/[^/]+)\/(.+)$/.exec(path);
    const parts = cdn ?? /^\/([^/]+\/[^/]+)\/resolve\/main\/(.+)$/.exec(path);
    if (!parts) return notFound(res, 'EntryNotFound', 'Not found');
    const [, hubId, file] = parts as unknown as [string, string, string];
    if (!options.models[hubId]) return notFound(res, 'RepoNotFound', `Repository ${hubId} not found`);
    const local = localFile(hubId, file);
    if (!local) return notFound(res, 'EntryNotFound', `Entry ${file} not found in ${hubId}`);
    const key = `${hubId}/${file}`;
    if (!cdn && isLfs(file) && !has('wrongContentType', key)) {
      // The hub answers LFS files with a redirect to its CDN; the size and sha256 travel on the redirect.
      const size = statSync(local).size;
      res.writeHead(302, {
        ...CORS_HEADERS,
        Location: `${base}/cdn/${hubId}/${file}`,
        'X-Linked-Size': String(size),
        'X-Linked-ETag': `"${sha256(local)}"`,
        'Content-Length': '0',
      });
      res.end();
      return;
    }
    serveBytes(req, res, key, local);
  }

  const server = createServer((req, res) => {
    try {
      handle(req, res);
    } catch (err) {
      res.writeHead(500, CORS_HEADERS);
      res.end(String(err));
    }
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(options.port ?? 0, '127.0.0.1', () => ok());
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    requests,
    close: () =>
      new Promise<void>((ok) => {
        server.close(() => ok());
        server.closeAllConnections();
      }),
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const at = process.argv.indexOf('--port');
  const hub = await startHubStandin({ port: at > 0 ? Number(process.argv[at + 1]) : 8123, models: REPO_MODELS });
  console.log(`hub stand-in at ${hub.url}; models: ${Object.keys(REPO_MODELS).join(', ')}`);
  console.log(`  npm run fetch-model -- coax-test/tiny-gpt2 --host ${hub.url} --out /tmp/models`);
  process.once('SIGINT', () => void hub.close().then(() => process.exit(0)));
}
