import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';

describe('the organism variants pipeline, smoke run (a few steps of GRPO and of teacher SFT)', () => {
  it('imports the base from ONNX, trains both variants, exports them, and the CLI runs them', () => {
    const out = execFileSync('sh', ['training/train_variants.sh', '--smoke'], {
      encoding: 'utf8',
      env: { ...process.env, OMP_NUM_THREADS: '1', KEEP: '1' },
      timeout: 540_000,
    });
    const dir = /smoke ok: (.+)$/m.exec(out)?.[1]?.trim();
    expect(dir).toBeTruthy();
    expect(out).toMatch(/parity: max \|logit diff\| = /);
    for (const v of ['rlvr', 'distill']) {
      const name = `organism-v1-${v}-smoke`;
      const card = JSON.parse(readFileSync(join(dir!, name, 'data_card.json'), 'utf8')) as {
        parent: string;
        training: { steps: number };
      };
      expect([card.parent, card.training.steps]).toEqual(['coax/organism-v1', 2]);
      const cli = execFileSync(
        process.execPath,
        ['--import', 'tsx', 'cli/coax.ts', 'run', '--model', name, '--models-dir', dir!, '--suite', 'arith-id'].concat([
          '--methods',
          'greedy-plain',
          '--limit',
          '2',
          '--seed',
          '1',
        ]),
        { encoding: 'utf8', timeout: 120_000 },
      );
      expect(cli).toMatch(/arith-id +greedy-plain/);
    }
    rmSync(dirname(dir!), { recursive: true, force: true });
  }, 720_000);
});
