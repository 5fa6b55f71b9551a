import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSuite } from '../../src/core/schema/suite-schema.ts';

describe('the organism pipeline, smoke run (a few training steps)', () => {
  it('generates a corpus, trains, exports, and the CLI loads the export and runs its suites', () => {
    const out = execFileSync('sh', ['training/train_organism.sh', '--smoke'], {
      encoding: 'utf8',
      env: { ...process.env, OMP_NUM_THREADS: '1', KEEP: '1' },
      timeout: 240_000,
    });
    const dir = /smoke ok: (.+)$/m.exec(out)?.[1]?.trim();
    expect(dir).toBeTruthy();
    const suites = readdirSync(join(dir!, 'suites'));
    expect(suites.length).toBeGreaterThanOrEqual(8);
    for (const f of suites)
      expect(parseSuite(readFileSync(join(dir!, 'suites', f), 'utf8'), f).items.length).toBeGreaterThan(0);
    expect(JSON.parse(readFileSync(join(dir!, 'data_card.json'), 'utf8'))).toHaveProperty('corpus');
    // The exported folder, loaded through transformers.js by the CLI as a user would.
    const cli = execFileSync(
      process.execPath,
      [
        '--import',
        'tsx',
        'cli/coax.ts',
        'run',
        '--model',
        basename(dir!),
        '--models-dir',
        dirname(dir!),
        '--suite',
        'arith-id,facts-head',
        '--methods',
        'greedy-plain,cot-decoding',
        '--limit',
        '2',
        '--seed',
        '1',
      ],
      { encoding: 'utf8', timeout: 120_000 },
    );
    expect(cli).toMatch(/arith-id +greedy-plain/);
    expect(cli).toMatch(/facts-head +cot-decoding/);
    rmSync(dirname(dir!), { recursive: true, force: true });
  }, 300_000);
});
