/**
 * fetch-model against tools/hub-standin.ts on loopback (no network): a full download that the adapter then runs,
 * resume, verification, and the errors a user can meet. Downloads go to a fresh temp folder per test.
 */
import { execFile } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fetchModel, type FetchModelOptions } from '../../cli/fetch/fetch.ts';
import { FetchModelError, type FetchErrorCode } from '../../cli/fetch/hub.ts';
import { decodePrompts } from '../../src/core/decode/decode-loop.ts';
import { GREEDY } from '../../src/core/logits/sampler.ts';
import { createRng } from '../../src/core/rng.ts';
import { REPO_MODELS, startHubStandin, type HubStandin, type HubStandinOptions } from '../../tools/hub-standin.ts';
import { loadLocal } from './load-local.ts';

const GPT2 = 'coax-test/tiny-gpt2';
const LLAMA = 'coax-test/tiny-llama';
const ONNX = 'onnx/model.onnx';
const source = (id: string, file: string) => readFileSync(join(REPO_MODELS[id]!, file));

let hub: HubStandin | null = null;
let out: string;
beforeEach(() => {
  out = mkdtempSync(join(tmpdir(), 'coax-fetch-'));
});
afterEach(async () => {
  await hub?.close();
  hub = null;
  rmSync(out, { recursive: true, force: true });
});

async function serve(options: Partial<HubStandinOptions> = {}): Promise<HubStandin> {
  await hub?.close();
  hub = await startHubStandin({ models: REPO_MODELS, ...options });
  return hub;
}

const fetchInto = (hubId: string, options: Partial<FetchModelOptions> = {}) =>
  fetchModel({ hubId, outDir: out, host: hub!.url, ...options });

async function expectFailure(run: Promise<unknown>, code: FetchErrorCode, ...fragments: string[]): Promise<void> {
  const err = await run.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(FetchModelError);
  expect((err as FetchModelError).code, (err as Error).message).toBe(code);
  for (const f of fragments) expect((err as Error).message).toContain(f);
}

const filesUnder = (dir: string): string[] =>
  existsSync(dir)
    ? readdirSync(dir, { recursive: true, encoding: 'utf8' })
        .filter((f) => statSync(join(dir, f)).isFile())
        .sort()
    : [];
/** GET requests for a file's bytes (at the CDN path the stand-in's resolve redirects to, as the hub does). */
const gets = (file: string) =>
  hub!.requests.filter((r) => r.method === 'GET' && r.path.startsWith('/cdn/') && r.path.endsWith(`/${file}`));

async function greedyIds(id: string, modelsDir?: string, dtype?: 'fp32' | 'fp16'): Promise<number[]> {
  const model = await loadLocal(id, { modelsDir, dtype });
  const { rows } = await decodePrompts(model, [model.encode('Q: 2 + 3\nA:')], {
    maxNewTokens: 6,
    sampler: GREEDY,
    rngs: [createRng(1)],
  });
  await model.dispose();
  return rows[0]!.tokens.map((t) => t.id);
}

describe('fetch-model against the hub stand-in', () => {
  it('downloads every file a causal LM needs, byte for byte, and the adapter decodes it like the bundled model', async () => {
    await serve();
    const result = await fetchInto(GPT2);
    const want = [
      'config.json',
      'generation_config.json',
      ONNX,
      'special_tokens_map.json',
      'tokenizer.json',
      'tokenizer_config.json',
    ];
    expect(filesUnder(result.dir)).toEqual(want);
    for (const f of want) expect(readFileSync(join(result.dir, f)).equals(source(GPT2, f)), f).toBe(true);
    expect(result.files.every((f) => f.status === 'downloaded')).toBe(true);
    expect(await greedyIds(GPT2, out)).toEqual(await greedyIds('coax/fixture-gpt2'));
  });

  it('without a file listing it probes files, fetches fp16, and a second run downloads nothing', async () => {
    await serve({ listing: false });
    const first = await fetchInto(GPT2, { dtype: 'fp16' });
    expect(filesUnder(first.dir)).toContain('onnx/model_fp16.onnx');
    expect(filesUnder(first.dir)).not.toContain(ONNX);
    expect(await greedyIds(GPT2, out, 'fp16')).toEqual(await greedyIds('coax/fixture-gpt2', undefined, 'fp16'));
    hub!.requests.length = 0;
    const again = await fetchInto(GPT2, { dtype: 'fp16' });
    expect(again.files.map((f) => f.status)).toEqual(again.files.map(() => 'up-to-date'));
    expect(hub!.requests.filter((r) => r.method === 'GET' && !r.path.startsWith('/api/'))).toEqual([]);
  });

  it('resumes a partial .part file with a Range request for the rest only', async () => {
    await serve();
    const whole = source(LLAMA, ONNX);
    const keep = 200_000;
    mkdirSync(join(out, LLAMA, 'onnx'), { recursive: true });
    writeFileSync(join(out, LLAMA, `${ONNX}.part`), whole.subarray(0, keep));
    const result = await fetchInto(LLAMA);
    expect(result.files.find((f) => f.file === ONNX)?.status).toBe('resumed');
    expect(gets(ONNX).map((r) => r.range)).toEqual([`bytes=${keep}-`]);
    expect(readFileSync(join(result.dir, ONNX)).equals(whole)).toBe(true);
    expect(existsSync(join(result.dir, `${ONNX}.part`))).toBe(false);
  });

  it('reports a truncated download, keeps the part, and the next run resumes it', async () => {
    await serve({ faults: { truncate: [`${LLAMA}/${ONNX}`] } });
    await expectFailure(
      fetchInto(LLAMA),
      'truncated',
      'connection closed early',
      'run the same command again to resume',
    );
    const part = join(out, LLAMA, `${ONNX}.part`);
    const kept = statSync(part).size;
    const whole = source(LLAMA, ONNX);
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThan(whole.length);
    await serve();
    await fetchInto(LLAMA);
    expect(gets(ONNX).map((r) => r.range)).toEqual([`bytes=${kept}-`]);
    expect(readFileSync(join(out, LLAMA, ONNX)).equals(whole)).toBe(true);
  });

  it.each([
    ['corrupt', 'checksum-mismatch', 'sha256'],
    ['short', 'size-mismatch', 'the server announced'],
  ] as const)('rejects a %s file (%s) and deletes it', async (fault, code, fragment) => {
    await serve({ faults: { [fault]: [`${GPT2}/${ONNX}`] } });
    await expectFailure(fetchInto(GPT2), code, ONNX, fragment, 'deleted');
    expect(filesUnder(join(out, GPT2)).filter((f) => f.startsWith('onnx/'))).toEqual([]);
  });

  it.each([true, false])(
    'names the dtypes a repository has when the asked one is missing (listing: %s)',
    async (listing) => {
      await serve({ listing });
      await expectFailure(
        fetchInto(GPT2, { dtype: 'q4' }),
        'missing-dtype',
        'no q4 weights (onnx/model_q4.onnx)',
        'it has: fp32 (onnx/model.onnx), fp16 (onnx/model_fp16.onnx)',
      );
      await expectFailure(fetchInto(LLAMA, { dtype: 'fp16' }), 'missing-dtype', 'it has: fp32 (onnx/model.onnx).');
      expect(filesUnder(out).filter((f) => f.endsWith('.onnx'))).toEqual([]);
    },
  );

  it('refuses a config that is not a causal LM before downloading anything else', async () => {
    const repos = mkdtempSync(join(tmpdir(), 'coax-repos-'));
    const configs: Record<string, object> = {
      'x/bert': { model_type: 'bert', architectures: ['BertForMaskedLM'] },
      'x/t5': { model_type: 't5', architectures: ['T5ForConditionalGeneration'], is_encoder_decoder: true },
      'x/whisper': {
        model_type: 'whisper',
        architectures: ['WhisperForConditionalGeneration'],
        is_encoder_decoder: true,
      },
      'x/gpt2-classifier': { model_type: 'gpt2', architectures: ['GPT2ForSequenceClassification'] },
    };
    for (const [id, config] of Object.entries(configs)) {
      mkdirSync(join(repos, id, 'onnx'), { recursive: true });
      writeFileSync(join(repos, id, 'config.json'), JSON.stringify(config));
      writeFileSync(join(repos, id, ONNX), 'not really a graph');
    }
    await serve({ models: Object.fromEntries(Object.keys(configs).map((id) => [id, join(repos, id)])) });
    await expectFailure(
      fetchInto('x/bert'),
      'not-causal-lm',
      '"bert" model (architectures: BertForMaskedLM)',
      'not a causal language model',
    );
    await expectFailure(fetchInto('x/t5'), 'not-causal-lm', '"t5"', 'encoder-decoder');
    await expectFailure(fetchInto('x/whisper'), 'not-causal-lm', '"whisper"');
    await expectFailure(fetchInto('x/gpt2-classifier'), 'not-causal-lm', 'no language-model head');
    expect(filesUnder(out)).toEqual([]);
    expect(hub!.requests.filter((r) => r.method === 'GET' && r.path.endsWith('.onnx'))).toEqual([]);
    rmSync(repos, { recursive: true, force: true });
  });

  it('reports a 404 for an unknown repository and for a missing required file', async () => {
    await serve({ faults: { notFound: [`${GPT2}/tokenizer.json`] } });
    await expectFailure(fetchInto('nobody/nothing'), 'not-found', 'repository nobody/nothing not found');
    await expectFailure(fetchInto(GPT2), 'not-found', 'no tokenizer.json');
  });

  it.each(['config.json', ONNX])('reports an HTML answer instead of %s', async (file) => {
    await serve({ faults: { wrongContentType: [`${GPT2}/${file}`] } });
    await expectFailure(fetchInto(GPT2), 'content-type', 'content-type text/html', file);
    expect(filesUnder(join(out, GPT2))).not.toContain(file);
  });

  it('the CLI prints a bar per file, and a clear error with exit code 1', async () => {
    await serve();
    const run = (...args: string[]) =>
      promisify(execFile)(process.execPath, [
        '--import',
        'tsx',
        'cli/fetch-model.ts',
        ...args,
        '--host',
        hub!.url,
        '--out',
        out,
      ]);
    const [ok, bad] = await Promise.all([
      run(LLAMA),
      run(GPT2, '--dtype', 'q8').then(
        () => null,
        (e: { code: number; stderr: string }) => e,
      ),
    ]);
    expect(ok.stderr).toMatch(/onnx\/model\.onnx +\[#{30}\]/);
    expect(ok.stdout).toContain(`${LLAMA}: 6 files`);
    expect(bad?.code).toBe(1);
    expect(bad?.stderr).toContain(
      'fetch-model: coax-test/tiny-gpt2 has no q8 weights (onnx/model_quantized.onnx); it has: fp32',
    );
  });
});

describe('the hub stand-in', () => {
  it('answers like the hub: CORS headers, a 302 with X-Linked-* for ONNX files, Range as 206 and 416', async () => {
    await serve();
    const url = `${hub!.url}/${GPT2}/resolve/main/${ONNX}`;
    const whole = source(GPT2, ONNX);
    const head = await fetch(url, { method: 'HEAD', redirect: 'manual' });
    expect(head.status).toBe(302);
    expect(head.headers.get('x-linked-size')).toBe(String(whole.length));
    expect(head.headers.get('x-linked-etag')).toMatch(/^"[0-9a-f]{64}"$/);
    expect(head.headers.get('access-control-allow-origin')).toBe('*');
    const part = await fetch(url, { headers: { Range: 'bytes=10-19' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 10-19/${whole.length}`);
    expect(part.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
    expect(Buffer.from(await part.arrayBuffer()).equals(whole.subarray(10, 20))).toBe(true);
    expect((await fetch(url, { headers: { Range: `bytes=${whole.length}-` } })).status).toBe(416);
    const listing = (await (await fetch(`${hub!.url}/api/models/${GPT2}`)).json()) as {
      siblings: { rfilename: string }[];
    };
    expect(listing.siblings.map((s) => s.rfilename)).toContain('onnx/model_fp16.onnx');
  });
});
