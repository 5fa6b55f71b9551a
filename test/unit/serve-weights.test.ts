/**
 * The preview server (the e2e tests' and the benchmark's) and the dev server send model weights whole, as
 * application/octet-stream with their Content-Length (#13): compressed on the fly they cost minutes for a 622 MB file,
 * and without a length transformers.js grows its read buffer chunk by chunk.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { preview, type PreviewServer } from 'vite';
import { BINARY_MODEL_FILE, modelManifest } from '../../tools/vite/model-manifest.ts';

let root = '';
let server: PreviewServer;
let url = '';
// Text-like bytes: gzip would shrink them a lot, so only the Content-Type keeps them whole.
const weights = new TextEncoder().encode('0123456789abcdef'.repeat(4096));

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'coax-serve-'));
  const onnx = join(root, 'dist', 'models', 'org', 'm', 'onnx');
  mkdirSync(onnx, { recursive: true });
  writeFileSync(join(onnx, 'model.onnx'), weights);
  writeFileSync(join(root, 'dist', 'models', 'org', 'm', 'config.json'), JSON.stringify({ pad: 'x'.repeat(4096) }));
  server = await preview({
    configFile: false,
    root,
    logLevel: 'silent',
    plugins: [modelManifest()],
    preview: { port: 0, host: '127.0.0.1' },
  });
  url = server.resolvedUrls!.local[0]!;
});

afterAll(async () => {
  await server?.close();
  rmSync(root, { recursive: true, force: true });
});

describe('model files from the preview server', () => {
  it('sends weights uncompressed, as octet-stream, with their Content-Length, to a client that accepts gzip', async () => {
    const res = await fetch(`${url}models/org/m/onnx/model.onnx`, { headers: { 'accept-encoding': 'gzip' } });
    expect(res.headers.get('content-encoding')).toBeNull();
    expect(res.headers.get('content-type')).toBe('application/octet-stream');
    expect(res.headers.get('content-length')).toBe(String(weights.length));
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(weights);
  });

  it('still compresses text (config.json), so the rule is the weights only', async () => {
    const res = await fetch(`${url}models/org/m/config.json`, { headers: { 'accept-encoding': 'gzip' } });
    expect(res.headers.get('content-encoding')).toBe('gzip');
  });

  it('counts external data and SAE weights as bytes, and nothing outside models/', () => {
    for (const p of ['/models/a/b/onnx/model.onnx_data', '/models/a/b/onnx/model.onnx_data_2', '/models/a/sae/l2.bin'])
      expect(BINARY_MODEL_FILE.test(p)).toBe(true);
    for (const p of ['/models/a/b/config.json', '/assets/x.onnx.js', '/ort/ort-wasm.wasm'])
      expect(BINARY_MODEL_FILE.test(p)).toBe(false);
  });
});
