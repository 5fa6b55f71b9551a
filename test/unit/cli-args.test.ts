import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { commandHelp, intFlag, parseArgs, SEED_RANGE, type CommandSpec } from '../../cli/args.ts';
import { checkOutPath, readTextFile, writeResults } from '../../cli/files.ts';

const COMMANDS: Record<string, CommandSpec> = {
  run: {
    usage: 'coax run --model <id>',
    summary: 'runs',
    flags: [
      { name: 'model', value: '<id>', help: 'the model' },
      { name: 'seed', value: '<n>', help: 'the seed\non two lines' },
    ],
  },
  show: { usage: 'coax show <file>', summary: 'shows', argument: 'a results file', flags: [] },
};

describe('CLI arguments', () => {
  it('--help anywhere after a command asks for that command’s help, before any other check', () => {
    expect(parseArgs(['run', '--help'], COMMANDS)).toMatchObject({ command: 'run', help: true });
    expect(parseArgs(['run', '--model', 'x', '--bogus', '-h'], COMMANDS)).toMatchObject({ command: 'run', help: true });
    expect(parseArgs([], COMMANDS)).toMatchObject({ command: 'help' });
    expect(parseArgs(['--help'], COMMANDS)).toMatchObject({ command: 'help' });
    expect(parseArgs(['help'], COMMANDS)).toMatchObject({ command: 'help' });
  });

  it('reads --name value, --name=value and a command’s file argument', () => {
    expect(parseArgs(['run', '--model', 'a', '--seed=3'], COMMANDS)).toEqual({
      command: 'run',
      flags: { model: 'a', seed: '3' },
      argument: undefined,
      help: false,
    });
    expect(parseArgs(['show', 'r.json'], COMMANDS)).toMatchObject({ argument: 'r.json' });
    expect(parseArgs(['run', '--model=a=b'], COMMANDS).flags['model']).toBe('a=b');
  });

  it.each<[string[], string]>([
    [['nope'], 'unknown command "nope"; commands: run, show'],
    [['run', '--bogus', '1'], 'unknown flag --bogus for "run"; flags: --model, --seed (coax run --help)'],
    [['run', '--model'], 'flag --model needs a value'],
    [['run', '--model', '--seed', '1'], 'flag --model needs a value'],
    [['run', '--seed', '1', '--seed', '2'], 'flag --seed is given twice ("1" and "2")'],
    [['run', 'stray'], 'unexpected argument "stray" for "run"'],
    [['show'], '"show" needs a results file'],
    [['show', 'a.json', 'b.json'], 'unexpected argument "b.json" for "show"'],
  ])('refuses %j', (argv, message) => {
    expect(() => parseArgs(argv, COMMANDS)).toThrow(message);
  });

  it('the help lists every flag of the table, continuation lines aligned', () => {
    const help = commandHelp('run', COMMANDS['run']!);
    expect(help).toContain('coax run — runs');
    expect(help).toContain('  --model <id>  the model');
    expect(help).toContain('  --seed <n>    the seed\n                on two lines');
  });

  it.each<[string, number | string]>([
    ['0', 0],
    ['4294967295', 4294967295],
    [' 17 ', 17],
    ['4294967296', '--seed must be between 0 and 4294967295, got 4294967296'],
    ['-1', '--seed must be between 0 and 4294967295, got -1'],
    ['1.5', '--seed must be a whole number, got "1.5"'],
    ['1e3', '--seed must be a whole number, got "1e3"'],
    ['0x10', '--seed must be a whole number, got "0x10"'],
    ['', '--seed must be a whole number, got ""'],
    ['99999999999999999999', '--seed must be between 0 and 4294967295'],
  ])('seed %j', (raw, expected) => {
    const read = () => intFlag({ seed: raw }, 'seed', 1, SEED_RANGE);
    if (typeof expected === 'number') expect(read()).toBe(expected);
    else expect(read).toThrow(expected);
  });

  it('a flag with only a minimum says so; an absent flag gives the fallback', () => {
    expect(() => intFlag({ batch: '0' }, 'batch', 8, { min: 1 })).toThrow('--batch must be at least 1, got 0');
    expect(intFlag({}, 'batch', 8, { min: 1 })).toBe(8);
    expect(intFlag({}, 'limit')).toBeUndefined();
  });
});

describe('CLI files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'coax-cli-files-'));

  it('reads a file with a byte-order mark as the page does (File.text() drops it)', () => {
    writeFileSync(join(dir, 'bom.json'), '\uFEFF{"a": 1}');
    expect(readTextFile(join(dir, 'bom.json'), '--suite')).toBe('{"a": 1}');
    expect(JSON.parse(readTextFile(join(dir, 'bom.json'), '--suite'))).toEqual({ a: 1 });
  });

  it('a directory or a missing file is an error naming the path (and the JSON files a directory holds)', () => {
    mkdirSync(join(dir, 'suites'));
    writeFileSync(join(dir, 'suites', 'a.json'), '{}');
    expect(() => readTextFile(join(dir, 'suites'), '--suite')).toThrow(
      `--suite: ${join(dir, 'suites')} is a directory, not a JSON file (it holds a.json: name one)`,
    );
    expect(() => readTextFile(join(dir, 'none.json'), '--methods')).toThrow(
      `--methods: no file at ${join(dir, 'none.json')}`,
    );
  });

  it('--out is checked before a run: a directory, a missing folder', () => {
    expect(() => checkOutPath(dir)).toThrow(`--out: ${dir} is a directory; give a file path such as`);
    expect(() => checkOutPath(join(dir, 'missing', 'r.json'))).toThrow(
      `--out: the folder ${join(dir, 'missing')} does not exist`,
    );
    expect(() => checkOutPath(join(dir, 'suites', 'a.json', 'r.json'))).toThrow('is not a folder');
    expect(() => checkOutPath(join(dir, 'ok.json'))).not.toThrow();
  });

  it('a write that fails after the run goes to a fallback file, and says why', () => {
    mkdirSync(join(dir, 'fallback'));
    const written = writeResults(join(dir, 'suites'), '{"x":1}', join(dir, 'fallback'));
    expect(written.error).toMatch(/EISDIR/);
    expect(written.path.startsWith(join(dir, 'fallback', 'coax-results-'))).toBe(true);
    expect(readFileSync(written.path, 'utf8')).toBe('{"x":1}');
    const ok = writeResults(join(dir, 'fine.json'), '{"y":2}', join(dir, 'fallback'));
    expect(ok).toEqual({ path: join(dir, 'fine.json'), error: null });
  });
});
