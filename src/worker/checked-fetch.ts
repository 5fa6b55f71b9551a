import { errorMessage } from '../core/errors.ts';
/**
 * The fetch transformers.js uses in the worker (env.fetch), wrapped so that a download that cannot be the file fails
 * with an error naming the file and what went wrong, before transformers.js caches it or parses it:
 * no connection, an HTML page in place of the file (a login wall, a captive portal), a body cut short. It also
 * counts the bytes that came from the hub, so a load can say whether it came from the browser cache.
 */

export type FetchFailure = 'network' | 'content-type' | 'truncated';

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

export function checkedFetch(base: typeof fetch, hubHost: () => string, stats: FetchStats): typeof fetch {
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
    const announced = res.headers.get('content-length');
    const of = announced ? ` of ${announced}` : '';
    const reader = res.body.getReader();
    let received = 0;
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
          controller.close();
          return;
        }
        received += chunk.value.byteLength;
        if (fromHub) stats.hubBytes += chunk.value.byteLength;
        controller.enqueue(chunk.value);
      },
      cancel(why) {
        return reader.cancel(why);
      },
    });
    return new Response(body, { status: res.status, statusText: res.statusText, headers: res.headers });
  };
}
