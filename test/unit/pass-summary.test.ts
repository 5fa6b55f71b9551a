import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { summarise, summaryName } from '../../tools/pass-summary.ts';
import { claims } from '../../tools/variant-claims.ts';
import { formatComparison, formatSummaryComparison } from '../../cli/compare.ts';
import { parseRunFile } from '../../src/core/run/export.ts';
import { mergeRuns } from '../../src/core/run/models.ts';
import { parsePassSummary } from '../../src/core/run/pass-summary.ts';

// Two items of two real pass@k chunks (measure_variants.sh, seed 1, n = 256), base and RLVR on arith-id.
const FIXTURES = ['organism-v1', 'organism-v1-rlvr'].map((m) =>
  join(__dirname, `../fixtures/pass-summary/${m}-arith-id-pass-0.json`),
);
const dir = mkdtempSync(join(tmpdir(), 'pass-summary-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('pass summaries: the committed counts give the numbers the full results files give', () => {
  const summaries = FIXTURES.map((f) => {
    const out = join(dir, summaryName(f));
    writeFileSync(out, JSON.stringify(summarise(readFileSync(f, 'utf8'), f)));
    return out;
  });

  it('counts every sample of every item', () => {
    const s = JSON.parse(readFileSync(summaries[0]!, 'utf8'));
    expect(s.groups).toHaveLength(1);
    expect(s.groups[0].items.map((i: { n: number }) => i.n)).toEqual([256, 256]);
    expect(s.seed).toBe(1);
    expect(s.methodsHash).toMatch(/^[0-9a-f]{16}$/);
  });

  it('pass@k under both criteria, solved sets, coverage and crossover are equal', () => {
    const full = claims(FIXTURES);
    const fromSummaries = claims(summaries);
    expect(fromSummaries.passAtK).toEqual(full.passAtK);
    expect(full.comparisons.coverage.length).toBeGreaterThan(0);
    expect(fromSummaries.comparisons.coverage).toEqual(full.comparisons.coverage);
    expect(fromSummaries.comparisons.paired).toEqual(full.comparisons.paired);
    // The curves are not trivial: the base's verified pass@1 is below its right-answer pass@1.
    const base = full.passAtK.filter((c) => c.modelId === 'coax/organism-v1');
    expect(base.find((c) => c.criterion === 'verified-trace')!.mean[0]).toBeLessThan(
      base.find((c) => c.criterion === 'answer')!.mean[0]!,
    );
  });

  it('a summary and the full file of the same chunk cannot both be counted', () => {
    expect(() => claims([FIXTURES[0]!, summaries[0]!])).toThrow(/twice/);
  });

  it('coax compare prints the same pass@k, crossover and coverage sections from the summaries as from the files', () => {
    const only = { criteria: ['answer', 'verified'] as const };
    const full = formatComparison(
      mergeRuns(FIXTURES.map((f) => parseRunFile(readFileSync(f, 'utf8'), f).results)),
      only,
    ).split('\n');
    const fromSummaries = formatSummaryComparison(
      summaries.map((f) => parsePassSummary(readFileSync(f, 'utf8'), f)),
      only,
    ).split('\n');
    // The first line names the source (a run, or summaries); every section after it is the same text.
    expect(fromSummaries[0]).toMatch(/from 2 pass summaries/);
    expect(fromSummaries.slice(1)).toEqual(full.slice(1));
    expect(full.filter((l) => l.startsWith('### '))).toHaveLength(2);
    expect(full.join('\n')).toMatch(/crossover: organism-v1 reaches/);
  });

  it('a summary that counts more successes than samples is refused, naming the field', () => {
    const s = JSON.parse(readFileSync(summaries[0]!, 'utf8'));
    s.groups[0].items[0].verified = s.groups[0].items[0].n + 1;
    expect(() => parsePassSummary(JSON.stringify(s), 'bad.summary.json')).toThrow(
      /bad\.summary\.json[\s\S]*groups\[0\]\.items\[0\][\s\S]*exceed n/,
    );
  });
});
