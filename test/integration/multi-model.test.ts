/**
 * A run over several models on the real organisms: organism-v1 and its GRPO variant organism-v1-rlvr, loaded one
 * after another, give the same outputs as each run alone; the CLI's `--model a,b` writes them as one results file
 * that `coax show` and `coax compare` read.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findMethod, type MethodSpec } from '../../src/core/methods/method.ts';
import { modelPassCurves } from '../../src/core/metrics/models.ts';
import { answerText, verifiedChainTrace } from '../../src/core/metrics/verified.ts';
import { parseRunFile, runFile, serializeRunFile } from '../../src/core/run/export.ts';
import { runModels, splitModelRuns, type ModelsProgress } from '../../src/core/run/models.ts';
import { runSuites } from '../../src/core/run/run-suite.ts';
import { parseSuite } from '../../src/core/schema/suite-schema.ts';
import { limitItems } from '../../src/core/tasks/builtin-suites.ts';
import { loadLocal } from './load-local.ts';

const MODELS = ['coax/organism-v1', 'coax/organism-v1-rlvr'];
const suitePath = new URL('../../public/models/coax/organism-v1/suites/arith-id.json', import.meta.url);
const suite = limitItems(parseSuite(readFileSync(suitePath, 'utf8'), 'arith-id.json'), 3);
const sample4: MethodSpec = {
  ...findMethod('self-consistency'),
  id: 'sample-4',
  decoding: { kind: 'sample', n: 4, chain: [], aggregate: 'majority' },
};
const methods = [findMethod('greedy-plain'), sample4];
const options = { seed: 5, batchSize: 4 };

/** An output without its timing (the only field that differs between two runs of the same thing). */
const untimed = (o: object) => JSON.parse(JSON.stringify(o, (k, v: unknown) => (k === 'ms' ? 0 : v))) as unknown;

describe('a run over organism-v1 and organism-v1-rlvr (3 arith-id items, seed 5)', () => {
  it('loads the models one after another and gives each model the outputs of a run of it alone', async () => {
    const progress: ModelsProgress[] = [];
    const loadedAt: string[] = [];
    const both = await runModels(
      MODELS,
      async (id) => {
        loadedAt.push(`load ${id}`);
        const model = await loadLocal(id);
        return {
          model,
          dispose: async () => {
            loadedAt.push(`free ${id}`);
            await model.dispose();
          },
        };
      },
      [suite],
      methods,
      { ...options, onProgress: (p) => progress.push(p) },
    );
    expect(loadedAt).toEqual(MODELS.flatMap((m) => [`load ${m}`, `free ${m}`]));
    expect(progress.filter((p) => p.phase === 'loading').map((p) => p.modelId)).toEqual(MODELS);
    expect(progress.at(-1)).toMatchObject({ modelIndex: 1, models: 2, done: 6, total: 6 });
    expect(both.models).toEqual(MODELS);

    for (const [mi, id] of MODELS.entries()) {
      const model = await loadLocal(id);
      const alone = await runSuites(model, [suite], methods, { ...options, modelId: id });
      await model.dispose();
      const key = ['organism-v1', 'organism-v1-rlvr'][mi]!;
      for (const [ii, item] of alone.suites[0]!.items.entries())
        for (const m of methods) {
          const got = both.suites[0]!.items[ii]!.outputs[`${key}.${m.id}`]!;
          expect(got.modelId).toBe(id);
          const { modelId: _, ...rest } = got;
          expect(untimed(rest)).toEqual(untimed(item.outputs[m.id]!));
        }
    }
    // The two models differ somewhere: the tuned model writes worked steps where the base answers bare.
    const texts = (key: string) => both.suites[0]!.items.map((it) => it.outputs[`${key}.greedy-plain`]!.text);
    expect(texts('organism-v1-rlvr')).not.toEqual(texts('organism-v1'));
    const curves = modelPassCurves(both, both.suites[0]!, 'sample-4');
    expect(curves.map((c) => [c.modelId, c.n, c.items])).toEqual(MODELS.map((m) => [m, 4, 3]));
  }, 240_000);

  it('coax run --model a,b writes a version 3 file with both models; show and compare group by model', () => {
    const dir = mkdtempSync(join(tmpdir(), 'coax-models-'));
    const out = join(dir, 'two.json');
    const run = (args: string[]) =>
      spawnSync(process.execPath, ['--import', 'tsx', 'cli/coax.ts', ...args], { encoding: 'utf8', timeout: 200_000 });
    const r = run([
      'run',
      '--model',
      MODELS.join(','),
      '--suite',
      'arith-id',
      '--limit',
      '3',
      '--methods',
      'greedy-plain',
      '--seed',
      '5',
      '--out',
      out,
    ]);
    expect(r.stderr).not.toContain('coax:');
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('model 2/2 coax/organism-v1-rlvr · arith-id · greedy-plain');
    const file = parseRunFile(readFileSync(out, 'utf8'), out);
    expect(file.version).toBe(3);
    expect(file.results.models).toEqual(MODELS);
    expect(file.results.methods.map((m) => m.id)).toEqual([
      'organism-v1.greedy-plain',
      'organism-v1-rlvr.greedy-plain',
    ]);
    expect(r.stdout).toMatch(/^arith-id +organism-v1 +greedy-plain .* first /m);
    expect(r.stdout).toMatch(/^arith-id +organism-v1-rlvr +greedy-plain /m);
    const shown = run(['show', out]);
    expect(shown.stdout).toContain(`models ${MODELS.join(', ')} · seed 5`);
    const compared = run(['compare', out]);
    expect(compared.status).toBe(0);
    const greedy = file.results.suites[0]!.items.filter((it) => it.outputs['organism-v1-rlvr.greedy-plain']!.correct);
    expect(compared.stdout).toContain(`| organism-v1-rlvr | ${((greedy.length / 3) * 100).toFixed(1)} |`);
    // Under the verified criterion a greedy output counts only as a fully correct worked trace.
    const verified = file.results.suites[0]!.items.filter((it) => {
      const o = it.outputs['organism-v1-rlvr.greedy-plain']!;
      return verifiedChainTrace(it.question, answerText(o.prompt, o.text));
    });
    const both = run(['compare', out, '--criterion', 'both']);
    expect(both.stdout).toContain('greedy-plain: accuracy and worked steps; verified traces only');
    expect(both.stdout).toContain(`| organism-v1-rlvr | ${((verified.length / 3) * 100).toFixed(1)} |`);
    // The same run as two one-model files gives the same comparison.
    const [a, b] = splitModelRuns(file.results).map((results, i) => {
      const path = join(dir, `part-${i}.json`);
      writeFileSync(path, serializeRunFile(runFile({ ...file, results })));
      return path;
    });
    expect(run(['compare', `${a},${b}`, '--criterion', 'both']).stdout).toBe(both.stdout);
  }, 240_000);
});
