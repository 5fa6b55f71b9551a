/**
 * The CLI as a user runs it (spawned through tsx): help, flag checks that come before the model loads, reading
 * files the page reads, writing and reading the results file, dtypes, and the processor order it reports.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findMethod } from '../../src/core/methods/method.ts';
import { parseRunFile, type RunFile } from '../../src/core/run/export.ts';
import { additionSuite } from '../../src/core/tasks/addition-suite.ts';

const dir = mkdtempSync(join(tmpdir(), 'coax-cli-test-'));

function coax(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'cli/coax.ts', ...args], {
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, ...env },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const RUN = ['run', '--model', 'coax/fixture-tiny', '--suite', 'addition', '--count', '2', '--methods', 'greedy-plain'];

describe('coax --help', () => {
  it('coax run --help prints every flag of run, and nothing runs', () => {
    const r = coax(['run', '--help']);
    expect(r.status).toBe(0);
    for (const flag of [
      'model',
      'suite',
      'methods',
      'seed',
      'out',
      'limit',
      'batch',
      'dtype',
      'count',
      'suite-seed',
      'models-dir',
    ])
      expect(r.stdout).toMatch(new RegExp(`^  --${flag} `, 'm'));
    expect(r.stdout).toContain('use only the first n items of each suite');
    expect(r.stderr).not.toContain('loaded');
  });

  it('coax --help lists the commands; coax list --help and coax show --help their flags', () => {
    const all = coax(['--help']);
    expect(all.status).toBe(0);
    for (const c of ['coax run', 'coax list', 'coax show', 'coax card']) expect(all.stdout).toContain(c);
    expect(coax(['list', '--help']).stdout).toMatch(/^ {2}--models-dir <dir>/m);
    expect(coax(['show', '--help']).stdout).toMatch(/^ {2}--format <format>/m);
  });
});

describe('bad flags are refused before the model loads (the rest of the rules: test/unit/cli-args.test.ts)', () => {
  it.each<[string, string[], string]>([
    ['--batch 0', ['--batch', '0'], '--batch must be at least 1, got 0'],
    ['a seed above 2^32 − 1', ['--seed', '4294967296'], '--seed must be between 0 and 4294967295, got 4294967296'],
    [
      'a dtype the folder lacks',
      ['--dtype', 'q8'],
      '--dtype q8: coax/fixture-tiny has no weights for it; it offers fp32',
    ],
  ])('%s', (_, extra, message) => {
    const r = coax([...RUN, ...extra]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`coax: ${message}`);
    expect(r.stderr).not.toContain('loaded');
  });

  it('--suite <directory> names the path', () => {
    mkdirSync(join(dir, 'suites'));
    writeFileSync(join(dir, 'suites', 'mine.json'), '{}');
    const r = coax([...RUN.slice(0, 4), join(dir, 'suites'), ...RUN.slice(5)]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(
      `coax: --suite: ${join(dir, 'suites')} is a directory, not a JSON file (it holds mine.json: name one)`,
    );
  });

  it('--out in a missing folder, or naming a folder, is refused before the run', () => {
    const missing = coax([...RUN, '--out', join(dir, 'nowhere', 'r.json')]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain(`coax: --out: the folder ${join(dir, 'nowhere')} does not exist`);
    expect(missing.stderr).not.toContain('loaded');
    const folder = coax([...RUN, '--out', dir]);
    expect(folder.stderr).toContain(`coax: --out: ${dir} is a directory`);
    expect(folder.stderr).not.toContain('loaded');
  });
});

describe('files the page reads, the CLI reads', () => {
  it('a suite and a methods file that start with a byte-order mark', () => {
    const suite = additionSuite({ seed: 3, count: 2 });
    const suiteFile = join(dir, 'bom-suite.json');
    writeFileSync(
      suiteFile,
      '\uFEFF' +
        JSON.stringify({
          name: 'bom-suite',
          extractor: suite.extractor,
          items: suite.items,
          exemplars: suite.exemplars,
        }),
    );
    const methodsFile = join(dir, 'bom-methods.json');
    writeFileSync(methodsFile, '\uFEFF["greedy-plain"]');
    const r = coax(['run', '--model', 'coax/fixture-tiny', '--suite', suiteFile, '--methods', methodsFile]);
    expect(r.stderr).not.toContain('coax:');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/bom-suite +greedy-plain/);
  });
});

describe('the results file', () => {
  it('coax run --out writes the shared format; coax show prints the same table from it and from older files', () => {
    const out = join(dir, 'r.json');
    const r = coax([...RUN.slice(0, -1), 'greedy-plain,greedy-lm-eval', '--seed', '4294967295', '--out', out]);
    expect(r.status).toBe(0);
    const file = parseRunFile(readFileSync(out, 'utf8'), out);
    expect(file).toMatchObject({ format: 'coax-run', version: 2, backend: 'onnxruntime-node (cpu, fp32)' });
    expect(file.results.seed).toBe(4294967295);
    expect(file.results.methods.map((m) => m.id)).toEqual(['greedy-plain', 'greedy-lm-eval']);
    const table = r.stdout.slice(r.stdout.indexOf('suite '), r.stdout.indexOf('\n\nresults written'));
    const shown = coax(['show', out]);
    expect(shown.status).toBe(0);
    expect(shown.stdout).toContain(`model coax/fixture-tiny · seed 4294967295 · onnxruntime-node (cpu, fp32)`);
    // The time column is the run's own; the table is the same.
    expect(shown.stdout.trimEnd().endsWith(table.trimEnd())).toBe(true);
    // A page export of version 1 and a bare RunResults (the CLI's --out before version 2) show the same rows.
    const v1 = join(dir, 'v1.json');
    writeFileSync(v1, JSON.stringify({ ...file, version: 1 }));
    const bare = join(dir, 'bare.json');
    writeFileSync(bare, JSON.stringify(file.results));
    for (const f of [v1, bare]) expect(coax(['show', f]).stdout.trimEnd().endsWith(table.trimEnd())).toBe(true);
    const md = coax(['show', out, '--format', 'markdown']).stdout;
    expect(md).toMatch(/^\| addition \| greedy-plain \| .* \| baseline \|/m);
  });

  it.skipIf(!existsSync('/dev/full'))(
    'a write that fails after the run keeps the results in a fallback file and says where',
    () => {
      const tmp = mkdtempSync(join(tmpdir(), 'coax-fallback-'));
      const r = coax([...RUN, '--out', '/dev/full'], { TMPDIR: tmp });
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(
        /could not write \/dev\/full \(ENOSPC[^)]*\);\nthe results are in .*coax-results-.*\.json instead/,
      );
      const [fallback] = readdirSync(tmp).filter((f) => f.startsWith('coax-results-'));
      expect(fallback).toBeDefined();
      const file: RunFile = parseRunFile(readFileSync(join(tmp, fallback!), 'utf8'), fallback!);
      expect(file.results.suites[0]!.items).toHaveLength(2);
    },
  );
});

describe('dtypes and processor order', () => {
  it('--dtype fp16 loads the fp16 weights (probabilities differ from fp32 at half precision)', () => {
    const probs = (dtype: string) => {
      const out = join(dir, `gpt2-${dtype}.json`);
      const r = coax([
        'run',
        '--model',
        'coax/fixture-gpt2',
        '--suite',
        'addition',
        '--count',
        '1',
        '--methods',
        'greedy-plain',
        '--dtype',
        dtype,
        '--out',
        out,
      ]);
      expect(r.stderr).toContain(`loaded coax/fixture-gpt2 (${dtype})`);
      const file = parseRunFile(readFileSync(out, 'utf8'), out);
      expect(file.backend).toBe(`onnxruntime-node (cpu, ${dtype})`);
      return file.results.suites[0]!.items[0]!.outputs['greedy-plain']!.tokens.map((t) => t.prob);
    };
    const full = probs('fp32');
    const half = probs('fp16');
    expect(half).not.toEqual(full);
    const n = Math.min(full.length, half.length, 3);
    for (let i = 0; i < n; i++) expect(Math.abs(half[i]! - full[i]!)).toBeLessThan(0.05);
  });

  it('a sampling chain in a non-Hugging-Face order is said so in the output', () => {
    const sc = findMethod('self-consistency');
    const methods = join(dir, 'order.json');
    writeFileSync(
      methods,
      JSON.stringify([
        {
          ...sc,
          id: 'sc-k-first',
          decoding: {
            ...sc.decoding,
            n: 2,
            chain: [
              { name: 'top-k', k: 5 },
              { name: 'temperature', temperature: 0.7 },
            ],
          },
        },
      ]),
    );
    const r = coax([
      'run',
      '--model',
      'coax/fixture-tiny',
      '--suite',
      'addition',
      '--count',
      '1',
      '--methods',
      methods,
    ]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(
      "sc-k-first  Self-consistency (majority vote) — order: top-k → temperature (not Hugging Face's order, which is temperature → top-k)",
    );
  });
});
