import { errorMessage } from '../core/errors.ts';
/**
 * The fetch transformers.js uses in the worker (env.fetch), wrapped so that a download that cannot be the file fails
 * with an error naming the file and what went wrong, before transformers.js caches it or parses it:
 * no connection, an HTML page in place of the file (a login wall, a captive portal), a body cut short. It also
 * counts the bytes that came from the hub, so a load can say whether it came from the browser cache.
 */

export type FetchFailure = 'network' | 'content-type' | 'truncated' | 'integrity';

export class DownloadError extends Error {
  override readonly name = 'DownloadError';
  constructor(
    readonly code: FetchFailure,
    message: string,
  ) {
    super(message);
  }
}

export interface FetchStats {
  /** Bytes received from URLs under the hub's host. */
  hubBytes: number;
}

const HUB_FILE = /\/[^/]+(?:\/[^/]+)?\/resolve\/[^/]+\/(.+)$/;

/** The file a URL names: the path after /resolve/<revision>/ on a hub, else after models/, else the last segment. */
export function fileOfUrl(url: string): string {
  const path = decodeURIComponent(new URL(url, 'http://x').pathname);
  const hub = HUB_FILE.exec(path);
  if (hub) return hub[1]!;
  const models = path.indexOf('/models/');
  if (models >= 0) {
    const rest = path.slice(models + '/models/'.length);
    const onnx = rest.indexOf('onnx/');
    return onnx >= 0 ? rest.slice(onnx) : rest.slice(rest.lastIndexOf('/') + 1);
  }
  return path.slice(path.lastIndexOf('/') + 1);
}

const isBinary = (file: string) => /\.onnx(_data(_\d+)?)?$/.test(file);

/** An answer that cannot be the file: HTML for anything, or text/JSON/XML for ONNX weights. */
export function wrongContentType(contentType: string | null, file: string): boolean {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'text/html') return !file.endsWith('.html');
  return (
    isBinary(file) &&
    (type.startsWith('text/') || type === 'application/json' || type.endsWith('/xml') || type.endsWith('+xml'))
  );
}

/** Files are hashed (sha256) only up to this size: the whole file is held once more while it is hashed. */
const MAX_HASHED_BYTES = 512 * 1024 * 1024;

/** The sha256 an ETag carries (the hub's LFS files and their CDN answer with it), or null. */
export function sha256OfEtag(etag: string | null): string | null {
  const m = /^(?:W\/)?"?([0-9a-f]{64})"?$/i.exec((etag ?? '').trim());
  return m ? m[1]!.toLowerCase() : null;
}

async function sha256Hex(chunks: readonly Uint8Array[], bytes: number): Promise<string> {
  const all = new Uint8Array(bytes);
  let at = 0;
  for (const c of chunks) {
    all.set(c, at);
    at += c.byteLength;
  }
  const digest = await crypto.subtle.digest('SHA-256', all);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * `expectedSize(file)`: the size the model's manifest or the hub's listing gives for a file, when known. A body of
 * another size, one shorter than its Content-Length (weights, which are never sent compressed), or weights whose sha256
 * differs from the one their ETag carries fail with a DownloadError before transformers.js reads the body to its end,
 * so it never caches them.
 */
export function checkedFetch(
  base: typeof fetch,
  hubHost: () => string,
  stats: FetchStats,
  expectedSize: (file: string) => number | undefined = () => undefined,
): typeof fetch {
  return async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const absolute = new URL(url, self.location.href).href;
    const file = fileOfUrl(absolute);
    const fromHub = absolute.startsWith(`${hubHost()}/`);
    let res: Response;
    try {
      res = await base(input, init);
    } catch (err) {
      throw new DownloadError(
        'network',
        `cannot reach ${new URL(absolute).origin} for ${file} (${errorMessage(err)}): offline, or the server is down`,
      );
    }
    if (res.status !== 200 && res.status !== 206) return res;
    if (wrongContentType(res.headers.get('content-type'), file)) {
      await res.body?.cancel().catch(() => {});
      throw new DownloadError(
        'content-type',
        `${absolute} answered with ${res.headers.get('content-type')} instead of the file ${file}: a login page, a proxy, or a wrong hub address?`,
      );
    }
    if (!res.body || (init?.method ?? 'GET').toUpperCase() === 'HEAD') return res;
    // A body sent compressed arrives decoded: its Content-Length (if any) counts the compressed bytes, not these.
    const encoded = !/^(identity)?$/i.test((res.headers.get('content-encoding') ?? '').trim());
    const announced = encoded ? null : res.headers.get('content-length');
    const of = announced ? ` of ${announced}` : '';
    const reader = res.body.getReader();
    let received = 0;
    const whole = res.status === 200;
    const size = whole ? expectedSize(file) : undefined;
    const headers = new Headers(res.headers);
    // transformers.js reads a body into a buffer of its Content-Length; without one it grows the buffer by each chunk,
    // copying everything read so far every time (quadratic: minutes for a 622 MB file). The file list's size stands in.
    if (size !== undefined && announced === null) headers.set('content-length', String(size));
    const sha = whole && isBinary(file) ? sha256OfEtag(res.headers.get('etag')) : null;
    const chunks: Uint8Array[] = [];
    const origin = new URL(absolute).origin;
    /** Why the complete body cannot be the file, or null. */
    const check = async (): Promise<string | null> => {
      if (size !== undefined && received !== size)
        return `${file} from ${origin} is ${received} bytes where the model's file list says ${size}`;
      if (whole && isBinary(file) && announced !== null && received !== Number(announced))
        return `${file} from ${origin} is ${received} bytes where its Content-Length said ${announced}`;
      if (sha && received <= MAX_HASHED_BYTES) {
        const got = await sha256Hex(chunks, received);
        if (got !== sha)
          return `${file} from ${origin} has sha256 ${got.slice(0, 12)}… where the hub gives ${sha.slice(0, 12)}…`;
      }
      return null;
    };
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        let chunk: ReadableStreamReadResult<Uint8Array>;
        try {
          chunk = await reader.read();
        } catch (err) {
          controller.error(
            new DownloadError(
              'truncated',
              `the download of ${file} from ${new URL(absolute).origin} stopped after ${received}${of} bytes (${errorMessage(err)}): the connection closed early. Nothing of it was cached; load again to retry.`,
            ),
          );
          return;
        }
        if (chunk.done) {
          const wrong = await check();
          if (wrong)
            controller.error(
              new DownloadError(
                'integrity',
                `${wrong}: the download is damaged or incomplete, so it was not cached; load again to retry, or check the server's copy.`,
              ),
            );
          else controller.close();
          return;
        }
        received += chunk.value.byteLength;
        if (sha && received <= MAX_HASHED_BYTES) chunks.push(chunk.value);
        if (fromHub) stats.hubBytes += chunk.value.byteLength;
        controller.enqueue(chunk.value);
      },
      cancel(why) {
        return reader.cancel(why);
      },
    });
    return new Response(body, { status: res.status, statusText: res.statusText, headers });
  };
}
