import { describe, expect, it } from 'vitest';
import {
  bytesForDtype,
  checkHubId,
  classifyCacheUrl,
  defaultDtype,
  dtypeChoices,
  groupCache,
  weightFiles,
} from '../../src/ui/model-files.ts';
import { summarizeDataCard } from '../../src/ui/data-card.ts';
import { DownloadError, fileOfUrl, wrongContentType } from '../../src/worker/checked-fetch.ts';
import { explainLoadError, isDownloadFailure } from '../../src/worker/load-errors.ts';

const REPO = [
  'config.json',
  'tokenizer.json',
  'tokenizer_config.json',
  'README.md',
  'onnx/model.onnx',
  'onnx/model.onnx_data',
  'onnx/model.onnx_data_1',
  'onnx/model_q4f16.onnx',
  'onnx/model_quantized.onnx',
];
const SIZES: Record<string, number> = {
  'config.json': 1,
  'tokenizer.json': 10,
  'tokenizer_config.json': 2,
  'onnx/model.onnx': 100,
  'onnx/model.onnx_data': 1000,
  'onnx/model.onnx_data_1': 500,
  'onnx/model_q4f16.onnx': 300,
};

describe('dtypes of a file list', () => {
  it('finds the weights of a dtype with its external data chunks, in order', () => {
    expect(weightFiles(REPO, 'fp32')).toEqual(['onnx/model.onnx', 'onnx/model.onnx_data', 'onnx/model.onnx_data_1']);
    expect(weightFiles(REPO, 'fp16')).toEqual([]);
  });

  it.each([
    ['fp32', 1613],
    ['q4f16', 313],
    ['q8', null], // its size is unknown
    ['fp16', null], // it is missing
  ] as const)('%s reads %s bytes', (dtype, bytes) => {
    expect(bytesForDtype(REPO, SIZES, dtype)).toBe(bytes);
  });

  it('offers fp16 and q4f16 on WebGPU only with shader-f16, and only what the repository has', () => {
    const noF16 = dtypeChoices(REPO, SIZES, { backend: 'webgpu', shaderF16: false });
    expect(noF16.map((c) => [c.dtype, c.available && c.runnable, c.why])).toEqual([
      ['fp32', true, null],
      ['fp16', false, 'no onnx/model_fp16.onnx'],
      ['q8', true, null],
      ['q4', false, 'no onnx/model_q4.onnx'],
      ['q4f16', false, 'this GPU has no shader-f16'],
    ]);
    expect(
      dtypeChoices(REPO, SIZES, { backend: 'webgpu', shaderF16: true }).find((c) => c.dtype === 'q4f16')?.runnable,
    ).toBe(true);
    expect(
      dtypeChoices(REPO, SIZES, { backend: 'wasm', shaderF16: false }).find((c) => c.dtype === 'q4f16')?.runnable,
    ).toBe(true);
  });

  it('treats an unknown file list as every dtype possible', () => {
    expect(
      dtypeChoices(null, {}, { backend: 'wasm', shaderF16: false }).every((c) => c.available && c.bytes === null),
    ).toBe(true);
  });

  it('preselects the wanted dtype if possible, else fp32, else the smallest', () => {
    const wasm = dtypeChoices(REPO, SIZES, { backend: 'wasm', shaderF16: false });
    expect(defaultDtype(wasm, 'q4f16')).toBe('q4f16');
    expect(defaultDtype(wasm, 'fp16')).toBe('fp32');
    const noFp32 = dtypeChoices(
      ['onnx/model_q4.onnx', 'onnx/model_quantized.onnx'],
      { 'onnx/model_q4.onnx': 5, 'onnx/model_quantized.onnx': 9 },
      { backend: 'wasm', shaderF16: false },
    );
    expect(defaultDtype(noFp32, null)).toBe('q4');
    expect(defaultDtype(dtypeChoices([], {}, { backend: 'wasm', shaderF16: false }), null)).toBeNull();
  });
});

describe('browser cache entries by model', () => {
  const base = 'http://localhost:4173/app/models/';
  it.each([
    [
      'https://huggingface.co/onnx-community/SmolLM2-135M-ONNX/resolve/main/onnx/model_q4.onnx',
      {
        source: 'hub',
        id: 'onnx-community/SmolLM2-135M-ONNX',
        host: 'https://huggingface.co',
        file: 'onnx/model_q4.onnx',
      },
    ],
    [
      'https://huggingface.co/gpt2/resolve/main/config.json',
      { source: 'hub', id: 'gpt2', host: 'https://huggingface.co', file: 'config.json' },
    ],
    [
      'http://localhost:4173/app/models/coax/fixture-tiny/onnx/model.onnx',
      { source: 'bundled', id: 'coax/fixture-tiny', host: 'http://localhost:4173', file: 'onnx/model.onnx' },
    ],
    [
      'http://localhost:4173/app/models/a/b/c/config.json',
      { source: 'bundled', id: 'a/b/c', host: 'http://localhost:4173', file: 'config.json' },
    ],
    [
      'http://localhost:4173/app/ort/ort-wasm-simd-threaded.asyncify.wasm',
      {
        source: 'other',
        id: 'other files (ONNX Runtime and the like)',
        host: 'http://localhost:4173',
        file: '/app/ort/ort-wasm-simd-threaded.asyncify.wasm',
      },
    ],
  ] as const)('%s', (url, expected) => {
    expect(classifyCacheUrl(url, base, ['coax/fixture-tiny'])).toEqual(expected);
  });

  it('groups files per model and host with their sizes, other files last', () => {
    const groups = groupCache(
      [
        { url: 'http://localhost:4173/app/ort/x.wasm', bytes: 7 },
        { url: 'http://127.0.0.1:9/coax-test/tiny/resolve/main/onnx/model.onnx', bytes: 100 },
        { url: 'http://127.0.0.1:9/coax-test/tiny/resolve/main/config.json', bytes: 3 },
        { url: 'http://127.0.0.1:8/coax-test/tiny/resolve/main/config.json', bytes: 3 },
      ],
      base,
      [],
    );
    expect(groups.map((g) => [g.source, g.id, g.host, g.bytes, g.files.map((f) => f.file)])).toEqual([
      ['hub', 'coax-test/tiny', 'http://127.0.0.1:8', 3, ['config.json']],
      ['hub', 'coax-test/tiny', 'http://127.0.0.1:9', 103, ['config.json', 'onnx/model.onnx']],
      ['other', 'other files (ONNX Runtime and the like)', 'http://localhost:4173', 7, ['/app/ort/x.wasm']],
    ]);
  });
});

describe('hub ids', () => {
  it.each([
    ['Xenova/gpt2', null],
    ['  gpt2 ', null],
    ['', 'Type a model id such as org/name.'],
    ['a/b/c', '"a/b/c" is not a hub model id (org/name: letters, digits, ".", "_" and "-").'],
    ['../etc', '"../etc" is not a hub model id (org/name: letters, digits, ".", "_" and "-").'],
    ['org/na me', '"org/na me" is not a hub model id (org/name: letters, digits, ".", "_" and "-").'],
  ])('%j -> %j', (id, error) => {
    expect(checkHubId(id)).toBe(error);
  });
});

describe('downloads that cannot be the file', () => {
  it.each([
    ['text/html; charset=utf-8', 'config.json', true],
    ['application/json', 'config.json', false],
    ['text/plain', 'tokenizer.json', false],
    ['text/plain', 'onnx/model.onnx', true],
    ['application/json', 'onnx/model.onnx_data_1', true],
    ['application/xml', 'onnx/model.onnx', true],
    ['application/octet-stream', 'onnx/model.onnx', false],
    [null, 'onnx/model.onnx', false],
  ] as const)('%s for %s: wrong %s', (type, file, wrong) => {
    expect(wrongContentType(type, file)).toBe(wrong);
  });

  it.each([
    ['http://127.0.0.1:9/org/name/resolve/main/onnx/model.onnx', 'onnx/model.onnx'],
    ['https://huggingface.co/gpt2/resolve/main/config.json', 'config.json'],
    ['http://localhost/models/coax/fixture-tiny/onnx/model.onnx', 'onnx/model.onnx'],
    ['http://localhost/models/coax/fixture-tiny/tokenizer.json', 'tokenizer.json'],
  ])('%s names %s', (url, file) => {
    expect(fileOfUrl(url)).toBe(file);
  });
});

describe('load errors as the page states them', () => {
  const hub = { allowRemote: true, host: 'http://127.0.0.1:9' };
  const request = { id: 'org/name', source: 'hub' as const, dtype: 'q4' as const };
  it.each([
    [
      new Error('Could not locate file: "http://127.0.0.1:9/org/name/resolve/main/onnx/model_q4.onnx".'),
      'org/name: onnx/model_q4.onnx not found (404 from http://127.0.0.1:9/org/name/resolve/main/onnx/model_q4.onnx) — this repository has no q4 weights in that file; choose another dtype',
    ],
    [
      new Error('Could not locate file: "http://127.0.0.1:9/org/name/resolve/main/config.json".'),
      'org/name: config.json not found (404 from http://127.0.0.1:9/org/name/resolve/main/config.json) — is the id right?',
    ],
    [
      new Error('Unauthorized access to file: "http://127.0.0.1:9/org/name/resolve/main/config.json".'),
      'org/name: the hub refused config.json (http://127.0.0.1:9/org/name/resolve/main/config.json): the repository does not exist, or it is private or gated (the page cannot send a token)',
    ],
    [
      new Error(
        '`local_files_only=true` or `env.allowRemoteModels=false` and file was not found locally at "/models/org/name/tokenizer.json".',
      ),
      'org/name is not in this browser\'s cache (tokenizer.json is missing) and downloads from the hub are off: switch on "Allow downloads from the hub" to fetch it',
    ],
    [
      new DownloadError(
        'network',
        'cannot reach http://127.0.0.1:9 for config.json (Failed to fetch): offline, or the server is down',
      ),
      'org/name: cannot reach http://127.0.0.1:9 for config.json (Failed to fetch): offline, or the server is down',
    ],
    [new Error('session failed'), 'Could not load org/name (q4) from http://127.0.0.1:9: session failed'],
  ])('%s', (err, text) => {
    expect(explainLoadError(err, request, hub)).toBe(text);
  });

  it('falls back from WebGPU only for failures of running, not of downloading', () => {
    expect(isDownloadFailure(new DownloadError('truncated', 'cut'))).toBe(true);
    expect(isDownloadFailure(new Error('Could not locate file: "x".'))).toBe(true);
    expect(
      isDownloadFailure(
        new Error('model x on webgpu: the first forward pass gave 3 of 258 logits that are NaN or infinite'),
      ),
    ).toBe(false);
  });
});

describe('data card summary', () => {
  it('reads relation types, the direct/worked mix and fact tiers', () => {
    const read = summarizeDataCard({
      model: 'organism-v1',
      corpus: {
        tokens: 100,
        trained_tokens: 80,
        by_relation_style: {
          'a/x': { documents: 1, tokens: 30, trained_tokens: 20 },
          'a/all': { documents: 1, tokens: 30, trained_tokens: 20 },
          'b/all': { documents: 3, tokens: 70, trained_tokens: 60 },
        },
        procedural_items_trained: { direct: 3, worked: 1 },
        fact_tiers: { head: 2 },
      },
    });
    expect(read.error).toBeNull();
    expect(
      read.summary?.relations.map((r) => [r.relation, r.trainedTokens, r.share, r.styles.map((s) => s.style)]),
    ).toEqual([
      ['b', 60, 0.75, []],
      ['a', 20, 0.25, ['x']],
    ]);
    expect(read.summary?.procedural).toEqual({ direct: 3, worked: 1, workedShare: 0.25 });
    expect(read.summary?.tiers).toEqual([{ tier: 'head', facts: 2 }]);
  });

  it('says where a card is malformed', () => {
    expect(
      summarizeDataCard({ corpus: { by_relation_style: { 'a/all': { documents: 'many', tokens: 1 } } } }).error,
    ).toBe('data_card.json: corpus.by_relation_style.a/all.documents: Invalid input: expected number, received string');
  });
});
