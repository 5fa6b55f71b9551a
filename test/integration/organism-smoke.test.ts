import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodePrompts } from '../../src/core/decode/decode-loop.ts';
import { GREEDY } from '../../src/core/logits/sampler.ts';
import { createRng } from '../../src/core/rng.ts';
import { parseSuite } from '../../src/core/schema/suite-schema.ts';
import { loadLocal } from './load-local.ts';

describe('the organism pipeline, smoke run (a few training steps)', () => {
  it('generates a corpus, trains, exports, and the export loads and decodes through transformers.js', async () => {
    const out = execFileSync('sh', ['training/train_organism.sh', '--smoke'], { encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: '1' }, timeout: 240_000 });
    const dir = /smoke ok: (.+)$/m.exec(out)?.[1]?.trim();
    expect(dir).toBeTruthy();
    const model = await loadLocal(basename(dir!), { modelsDir: dirname(dir!) });
    const { rows } = await decodePrompts(model, [model.encode('Q: 3+4*2\nA:')], { maxNewTokens: 6, sampler: GREEDY, rngs: [createRng(1)] });
    expect(rows[0]!.tokens.length).toBeGreaterThan(0);
    await model.dispose();
    const suites = readdirSync(join(dir!, 'suites'));
    expect(suites.length).toBeGreaterThanOrEqual(8);
    for (const f of suites) expect(parseSuite(readFileSync(join(dir!, 'suites', f), 'utf8'), f).items.length).toBeGreaterThan(0);
    expect(JSON.parse(readFileSync(join(dir!, 'data_card.json'), 'utf8'))).toHaveProperty('corpus');
  }, 300_000);
});
