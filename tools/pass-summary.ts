/**
 * A compact, committable summary of pass@k results: per model × suite × method × item, the sample count and how
 * many samples had the right answer, a verified trace and a worked trace. The raw chunk files are megabytes
 * each (256 traced paths per item) and live outside git; these counts are all that pass@k (unbiased estimator),
 * solved sets, coverage and the crossover need, so evidence can accumulate across sessions and machines.
 * `tools/variant-claims.ts` reads these summaries as well as full results files.
 *
 *   npx tsx tools/pass-summary.ts <out-dir> <results.json>…   (writes <out-dir>/<name>.summary.json each)
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { createHash } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import type { RunResults } from '../src/core/run/results.ts';
import { parseRunFile } from '../src/core/run/export.ts';
import { columnsOf } from '../src/core/run/models.ts';
import { WORKED_OPENING, answerText, verifiedChainTrace } from '../src/core/metrics/verified.ts';
import { SUMMARY_FORMAT, type PassSummary } from '../src/core/run/pass-summary.ts';

export { SUMMARY_FORMAT, type PassSummary, type SummaryItem } from '../src/core/run/pass-summary.ts';

export function summarise(text: string, source: string): PassSummary {
  const raw = JSON.parse(text) as {
    format?: string;
    createdAt?: string | number;
    config?: string;
    backend?: string;
  } & RunResults;
  const run = raw.format === 'coax-run' ? parseRunFile(text, source).results : raw;
  const columns = new Map(columnsOf(run).map((c) => [c.id, c]));
  const groups = new Map<string, PassSummary['groups'][number]>();
  for (const suite of run.suites)
    for (const item of suite.items)
      for (const [id, o] of Object.entries(item.outputs)) {
        if (!o.paths || !o.passAtK) continue; // only sampling methods have a pass@k curve
        const c = columns.get(id);
        const modelId = c?.modelId ?? run.modelId;
        const methodId = c?.methodId ?? id;
        const k = [modelId, suite.suiteName, methodId].join('\u0000');
        const g = groups.get(k) ?? { modelId, suite: suite.suiteName, methodId, items: [] };
        const texts = o.paths.map((p) => answerText(o.prompt, p.text));
        g.items.push({
          id: item.itemId,
          question: item.question,
          answer: item.answer,
          steps: typeof item.tags['steps'] === 'number' ? item.tags['steps'] : null,
          n: o.paths.length,
          correct: o.paths.filter((p) => p.correct).length,
          verified: texts.filter((t) => verifiedChainTrace(item.question, t)).length,
          worked: texts.filter((t) => t.trimStart().startsWith(WORKED_OPENING)).length,
          chosenCorrect: o.correct,
          chosenWorked: answerText(o.prompt, o.text).trimStart().startsWith(WORKED_OPENING),
          chosenVerified: verifiedChainTrace(item.question, answerText(o.prompt, o.text)),
          chosenStopReason: o.stopReason,
          generatedTokens: o.generatedTokens,
        });
        groups.set(k, g);
      }
  return {
    format: SUMMARY_FORMAT,
    version: 1,
    source,
    seed: run.seed,
    createdAt: raw.format === 'coax-run' ? (raw.createdAt ?? null) : null,
    config: raw.format === 'coax-run' && raw.config ? decodeURIComponent(raw.config) : null,
    backend: raw.format === 'coax-run' ? (raw.backend ?? null) : null,
    methodsHash: createHash('sha256').update(JSON.stringify(run.methods)).digest('hex').slice(0, 16),
    groups: [...groups.values()],
  };
}

/** Where the summary of a results file goes: same name, `.summary.json` in place of `.json`. */
export const summaryName = (file: string) => basename(file).replace(/\.json$/, '') + '.summary.json';

function main(argv: string[]): void {
  const [dir, ...inputs] = argv;
  if (!dir || inputs.length === 0) throw new Error('usage: pass-summary.ts <out-dir> <results.json>…');
  mkdirSync(dir, { recursive: true });
  for (const input of inputs) {
    const s = summarise(readFileSync(input, 'utf8'), basename(input));
    writeFileSync(join(dir, summaryName(input)), JSON.stringify(s, null, 0).replace(/\},\{"id"/g, '},\n{"id"') + '\n');
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main(process.argv.slice(2));
