/** coax sweep and coax lens as a user runs them (spawned through tsx), on the organism and on a stock export. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRunFile } from '../../src/core/run/export.ts';
import { NO_HIDDEN_IO } from '../../src/core/steer/steer.ts';
import { featureDirection } from '../../src/core/steer/sae.ts';
import { folderSae } from '../../cli/sae-files.ts';

function coax(args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'cli/coax.ts', ...args], {
    encoding: 'utf8',
    timeout: 240_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A command on the organism and its arith-id suite, as every test here but one runs it. */
const onOrganism = (command: string) => [command, '--model', 'coax/organism-v1', '--suite', 'arith-id'];

describe('coax sweep', () => {
  it('chooses on the exemplar pool, measures on test items, and stores the steering vector with the run', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'coax-sweep-')), 'sweep.json');
    const r = coax([
      ...onOrganism('sweep'),
      '--layers',
      '2,3',
      '--scales',
      '0.5',
      '--positions',
      'last',
      '--limit',
      '3',
      '--out',
      out,
    ]);
    expect(r.stderr).not.toMatch(/coax: /);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("CAA vectors from 8 shots pairs of arith-id's exemplar pool");
    expect(r.stdout).toContain('choice on arith-id:exemplars (n=8)');
    expect(r.stdout).toMatch(/best on the exemplar pool: positions last, layer [23], scale 0\.5/);
    const file = parseRunFile(readFileSync(out, 'utf8'), out);
    const steered = file.results.methods.find((m) => m.steer)!;
    expect(steered.steer!.positions).toBe('last');
    expect(Array.isArray(steered.steer!.vector) && steered.steer!.vector.length).toBe(128);
    const items = file.results.suites[0]!.items;
    expect(items).toHaveLength(3);
    expect(items.every((it) => it.outputs['greedy-plain'] && it.outputs[steered.id])).toBe(true);
  });

  it('steers by an SAE feature ranked on the pool and stores its direction with the run', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'coax-sweep-')), 'features.json');
    const r = coax([
      ...onOrganism('sweep'),
      '--features',
      '1',
      '--rank',
      'contrast',
      '--layers',
      '3',
      '--scales',
      '0.25',
      '--positions',
      'last',
      '--limit',
      '2',
      '--out',
      out,
    ]);
    expect(r.stderr).not.toMatch(/coax: /);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/layer 3: top 1 SAE features by mean activation at the last prompt token/);
    const file = parseRunFile(readFileSync(out, 'utf8'), out);
    const steered = file.results.methods.find((m) => m.steer)!;
    expect(steered.steer).toMatchObject({ layer: 3, scale: 0.25, positions: 'last' });
    const feature = steered.steer!.feature!;
    expect(r.stdout).toContain(`#${feature} (`);
    const sae = await folderSae('public/models/coax/organism-v1')(3);
    const stored = file.results.suites[0]!.steering![steered.id]!;
    const want = featureDirection(sae, feature);
    stored.forEach((v, i) => expect(v).toBeCloseTo(want[i]!, 4));
    expect(file.results.suites[0]!.items.every((it) => it.outputs[steered.id])).toBe(true);
  });

  it('says why on a model without hidden-state I/O', () => {
    const r = coax(['sweep', '--model', 'coax/fixture-tiny', '--suite', 'addition', '--count', '2']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(NO_HIDDEN_IO);
  });
});

describe('coax lens', () => {
  it("prints where right answers' first tokens settle, by layer", () => {
    const r = coax([...onOrganism('lens'), '--methods', 'greedy-plain', '--limit', '4']);
    expect(r.status).toBe(0);
    const row = r.stdout.split('\n').find((l) => l.startsWith('greedy-plain\t'))!;
    const [, right, ...byLayer] = row.split('\t').map(Number);
    expect(byLayer).toHaveLength(5);
    expect(byLayer.reduce((a, b) => a + b, 0)).toBe(right);
  });
});
