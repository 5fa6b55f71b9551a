/**
 * A Hugging Face hub (or a mirror with its URL layout, such as tools/hub-standin.ts): file URLs, file metadata from
 * HEAD, the repository's file listing, and errors that name the problem.
 */

export type FetchErrorCode =
  | 'bad-argument'
  | 'not-found'
  | 'auth'
  | 'http'
  | 'network'
  | 'content-type'
  | 'not-causal-lm'
  | 'bad-config'
  | 'missing-dtype'
  | 'truncated'
  | 'size-mismatch'
  | 'checksum-mismatch';

export class FetchModelError extends Error {
  override readonly name = 'FetchModelError';
  constructor(
    readonly code: FetchErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** What the server says about a file before we download it. */
export interface RemoteFile {
  url: string;
  /** Bytes: X-Linked-Size (the hub's LFS redirect) or Content-Length; null when the server does not say. */
  size: number | null;
  /** Hex sha256 from X-Linked-ETag (the hub sends it for LFS files); null otherwise. */
  sha256: string | null;
}

const MAX_REDIRECTS = 5;

/** JSON files are text; everything else (ONNX graphs and their external data) is binary. */
export const isJsonFile = (file: string) => file.endsWith('.json');

export class Hub {
  readonly host: string;

  constructor(
    host: string,
    readonly repo: string,
    private readonly token?: string,
  ) {
    this.host = host.replace(/\/+$/, '');
  }

  fileUrl(file: string): string {
    return `${this.host}/${this.repo}/resolve/main/${file.split('/').map(encodeURIComponent).join('/')}`;
  }

  /** fetch with our headers; a failure to connect becomes a 'network' error naming the URL. */
  async request(
    url: string,
    init: { method?: string; headers?: Record<string, string>; redirect?: RequestRedirect } = {},
  ): Promise<Response> {
    // identity: Content-Length must count the bytes we write, not a compressed body
    const headers: Record<string, string> = { 'Accept-Encoding': 'identity', ...init.headers };
    if (this.token) headers['Authorization'] = `Bearer ${this.token}`;
    try {
      return await fetch(url, { ...init, headers });
    } catch (err) {
      const cause = err instanceof Error && err.cause instanceof Error ? err.cause.message : String(err);
      throw new FetchModelError('network', `cannot reach ${url}: ${cause}`);
    }
  }

  /**
   * Size and checksum of a file, or null when the repository has no such file. Redirects are followed by hand: the
   * hub answers an LFS file with a redirect to its CDN, and X-Linked-Size / X-Linked-ETag travel on that redirect.
   */
  async head(file: string): Promise<RemoteFile | null> {
    const url = this.fileUrl(file);
    let at = url;
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      const res = await this.request(at, { method: 'HEAD', redirect: 'manual' });
      const linkedSize = res.headers.get('x-linked-size');
      const linkedEtag = res.headers.get('x-linked-etag');
      const location = res.headers.get('location');
      if (res.status >= 300 && res.status < 400 && location && linkedSize === null && linkedEtag === null) {
        at = new URL(location, at).href;
        continue;
      }
      if (res.status === 404 && res.headers.get('x-error-code') !== 'RepoNotFound') return null;
      if (!res.ok && !(res.status >= 300 && res.status < 400)) throw this.httpError(res, file, at);
      if (res.ok) checkContentType(res, file, at);
      const size = linkedSize ?? res.headers.get('content-length');
      return { url, size: size === null ? null : Number(size), sha256: parseSha256(linkedEtag) };
    }
    throw new FetchModelError('http', `${url}: more than ${MAX_REDIRECTS} redirects`);
  }

  /** The repository's file names from the hub API (`/api/models/<id>`), or null where the host has no such API. */
  async listing(): Promise<string[] | null> {
    const res = await this.request(`${this.host}/api/models/${this.repo}`);
    if (!res.ok) return null;
    try {
      const body = (await res.json()) as { siblings?: { rfilename?: unknown }[] };
      if (!Array.isArray(body.siblings)) return null;
      return body.siblings.map((s) => s.rfilename).filter((f): f is string => typeof f === 'string');
    } catch {
      return null;
    }
  }

  httpError(res: Response, file: string, url: string): FetchModelError {
    const code = res.headers.get('x-error-code');
    if (code === 'RepoNotFound') {
      return new FetchModelError(
        'not-found',
        `repository ${this.repo} not found on ${this.host} (${res.status}); check the id, or set HF_TOKEN if it is private or gated`,
      );
    }
    if (res.status === 404)
      return new FetchModelError('not-found', `${file} not found in ${this.repo} (404 from ${url})`);
    if (res.status === 401 || res.status === 403) {
      return new FetchModelError(
        'auth',
        `${url} answered ${res.status}: ${this.repo} is private or gated; set HF_TOKEN to a token that has access`,
      );
    }
    return new FetchModelError('http', `${url} answered ${res.status} ${res.statusText}`);
  }
}

/**
 * An answer that cannot be the file: an HTML page (a login wall, a proxy, a wrong --host), or for a binary file any
 * text, JSON or XML (the error documents of storage services).
 */
export function checkContentType(res: Response, file: string, url: string): void {
  const type = (res.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  const wrong =
    type === 'text/html' ||
    (!isJsonFile(file) && (type.startsWith('text/') || type === 'application/json' || type.endsWith('/xml')));
  if (wrong)
    throw new FetchModelError(
      'content-type',
      `${url} answered with content-type ${type} instead of the file ${file}: a login page, a proxy, or a wrong --host?`,
    );
}

function parseSha256(etag: string | null): string | null {
  const m = /^(?:W\/)?"?([0-9a-f]{64})"?$/i.exec(etag?.trim() ?? '');
  return m ? m[1]!.toLowerCase() : null;
}
