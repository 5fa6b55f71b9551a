import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { summarize } from '../../cli/summary.ts';
import { parseRunFile } from '../../src/core/run/export.ts';
import { parseSuite } from '../../src/core/schema/suite-schema.ts';
import { summarizeDataCard } from '../../src/ui/data-card.ts';

describe('the organism pipeline, smoke run (a few training steps)', () => {
  it('generates a corpus, trains, exports; the CLI runs the export and its results file makes the data card table', () => {
    const out = execFileSync('sh', ['training/train_organism.sh', '--smoke'], {
      encoding: 'utf8',
      env: { ...process.env, OMP_NUM_THREADS: '1', KEEP: '1' },
      timeout: 240_000,
    });
    const dir = /smoke ok: (.+)$/m.exec(out)?.[1]?.trim();
    expect(dir).toBeTruthy();
    try {
      const suites = readdirSync(join(dir!, 'suites'));
      expect(suites.length).toBeGreaterThanOrEqual(8);
      for (const f of suites)
        expect(parseSuite(readFileSync(join(dir!, 'suites', f), 'utf8'), f).items.length).toBeGreaterThan(0);
      // The exported folder was loaded through transformers.js by the CLI, which wrote the results file.
      const resultsPath = join(dirname(dir!), 'results.json');
      const results = parseRunFile(readFileSync(resultsPath, 'utf8'), resultsPath).results;
      expect(results.suites.map((s) => [s.suiteName, s.items.length])).toEqual([
        ['arith-id', 2],
        ['facts-head', 2],
        ['open-ended', 2],
      ]);
      // The card's measured rows are the CLI's summary of that file, number for number; Python computed none.
      const card = JSON.parse(readFileSync(join(dir!, 'data_card.json'), 'utf8'));
      // The card passes the page's schema, and its counts add up: each relation type's documents and tokens are the
      // sums over its styles, and the corpus's documents the sum over relation types.
      const read = summarizeDataCard(card);
      expect(read.error).toBeNull();
      const summary = read.summary!;
      // (A smoke corpus is cut at a size the facts nearly fill, so which relation types it reaches varies.)
      expect(summary.relations.map((r) => r.relation)).toContain('factual');
      for (const r of summary.relations) {
        expect(r.styles.length).toBeGreaterThan(0);
        expect(r.styles.reduce((n, x) => n + x.documents, 0)).toBe(r.documents);
        expect(r.styles.reduce((n, x) => n + x.tokens, 0)).toBe(r.tokens);
        expect(r.styles.reduce((n, x) => n + x.trainedTokens, 0)).toBe(r.trainedTokens);
      }
      expect(summary.relations.reduce((n, r) => n + r.documents, 0)).toBe(summary.documents);
      expect(card.evaluation).toBeUndefined();
      expect(
        card.measured.rows.map(
          (r: { suite: string; method: string; correct: number; n: number; meanEntropy: number }) => [
            r.suite,
            r.method,
            r.correct,
            r.n,
            r.meanEntropy,
          ],
        ),
      ).toEqual(summarize(results).map((r) => [r.suiteName, r.methodId, r.correct, r.n, r.meanEntropy]));
      const md = readFileSync(join(dir!, 'DATA_CARD.md'), 'utf8');
      expect(md).toMatch(/^\| arith-id \| greedy-plain \| /m);
      expect(md).not.toContain('Not measured yet');
    } finally {
      rmSync(dirname(dir!), { recursive: true, force: true });
    }
  }, 300_000);
});
