/**
 * Downloads are checked before transformers.js caches them (#12): a body of the wrong size, weights shorter than their
 * Content-Length, or weights whose sha256 differs from their ETag's fail while the body is read.
 */
import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkedFetch, sha256OfEtag } from '../../src/worker/checked-fetch.ts';

beforeAll(() => {
  // The worker resolves URLs against its own location.
  (globalThis as unknown as { self: unknown }).self ??= { location: { href: 'http://page.test/' } };
});

const bytes = Uint8Array.from({ length: 4096 }, (_, i) => (i * 7 + 3) % 251);
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** A server that answers every URL with `body` and these headers. */
function server(body: Uint8Array, headers: Record<string, string>): typeof fetch {
  return async () => new Response(body.slice().buffer as ArrayBuffer, { status: 200, headers });
}

async function read(f: typeof fetch, url: string): Promise<Uint8Array> {
  const res = await f(url);
  return new Uint8Array(await res.arrayBuffer());
}

const HUB = 'http://hub.test';
const stats = () => ({ hubBytes: 0 });
const WEIGHTS = `${HUB}/org/m/resolve/main/onnx/model.onnx`;

describe('checked downloads', () => {
  it('passes a whole file through unchanged, with its sha256 checked', async () => {
    const f = checkedFetch(
      server(bytes, { 'content-length': String(bytes.length), etag: `"${sha(bytes)}"` }),
      () => HUB,
      stats(),
      (file) => (file === 'onnx/model.onnx' ? bytes.length : undefined),
    );
    expect(await read(f, WEIGHTS)).toEqual(bytes);
  });

  it('refuses a body shorter than the size the file list gives, naming the file and both sizes', async () => {
    const half = bytes.slice(0, 2048);
    const f = checkedFetch(
      server(half, { 'content-length': '2048' }),
      () => HUB,
      stats(),
      () => 4096,
    );
    await expect(read(f, WEIGHTS)).rejects.toThrow(
      /onnx\/model\.onnx .* is 2048 bytes where the model's file list says 4096.*not cached/,
    );
  });

  it('refuses weights shorter than their Content-Length, but not a JSON file sent compressed', async () => {
    const short = checkedFetch(server(bytes.slice(0, 100), { 'content-length': '4096' }), () => HUB, stats());
    await expect(read(short, WEIGHTS)).rejects.toThrow(/100 bytes where its Content-Length said 4096/);
    const json = new TextEncoder().encode('{"a": 1}');
    const gzipped = checkedFetch(server(json, { 'content-length': '3' }), () => HUB, stats());
    expect(await read(gzipped, `${HUB}/org/m/resolve/main/config.json`)).toEqual(json);
  });

  it("announces the file list's size when the server sends no Content-Length or a compressed one (#13)", async () => {
    // Without a length transformers.js grows its buffer chunk by chunk (quadratic); with the compressed length it
    // preallocates too little. Neither answer is refused: the decoded body is the whole file.
    const size = (file: string) => (file === 'onnx/model.onnx' ? bytes.length : undefined);
    const chunked = await checkedFetch(server(bytes, {}), () => HUB, stats(), size)(WEIGHTS);
    expect(chunked.headers.get('content-length')).toBe(String(bytes.length));
    expect(new Uint8Array(await chunked.arrayBuffer())).toEqual(bytes);
    const gzipped = await checkedFetch(
      server(bytes, { 'content-encoding': 'gzip', 'content-length': '900' }),
      () => HUB,
      stats(),
      size,
    )(WEIGHTS);
    expect(gzipped.headers.get('content-length')).toBe(String(bytes.length));
    expect(new Uint8Array(await gzipped.arrayBuffer())).toEqual(bytes);
    // A length the server gave for the body as sent is kept.
    const plain = await checkedFetch(server(bytes, { 'content-length': '4096' }), () => HUB, stats(), size)(WEIGHTS);
    expect(plain.headers.get('content-length')).toBe('4096');
  });

  it('refuses weights of the right size whose sha256 differs from the ETag (one byte flipped)', async () => {
    const flipped = bytes.slice();
    flipped[1000] = flipped[1000]! ^ 1;
    const f = checkedFetch(
      server(flipped, { 'content-length': String(bytes.length), etag: `"${sha(bytes)}"` }),
      () => HUB,
      stats(),
      () => bytes.length,
    );
    await expect(read(f, WEIGHTS)).rejects.toThrow(/has sha256 .* where the hub gives/);
  });

  it('reads a sha256 from an ETag only when it is one', () => {
    expect(sha256OfEtag(`"${'ab'.repeat(32)}"`)).toBe('ab'.repeat(32));
    expect(sha256OfEtag(`W/"${'AB'.repeat(32)}"`)).toBe('ab'.repeat(32));
    expect(sha256OfEtag('"5f2-1a2b"')).toBeNull();
    expect(sha256OfEtag(null)).toBeNull();
  });
});
