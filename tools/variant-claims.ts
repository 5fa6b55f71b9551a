/**
 * The numbers behind the organism variants' data cards and issue #14's claims, computed from CLI results
 * files (`coax run --out`) with the core's own metrics, so that the Python card writer only formats them.
 *
 *   npx tsx tools/variant-claims.ts --out claims.json results-a.json results-b.json …
 *
 * Files may hold any model, suites and methods, and may split a suite into chunks (items are merged by
 * model, suite, method and item id; an item measured twice is an error). Per model × suite × method: accuracy
 * with its Wilson interval and the share of worked answers (text opening with the organism's worked-answer
 * phrase). For sampling methods: the mean pass@k curve over items (the unbiased estimator the core stores per
 * item), the items solved at k = n with a Wilson interval, coverage between models on their common items, and
 * the crossover k where the first model's pass@k reaches each other model's.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { wilson } from '../src/core/metrics/accuracy.ts';
import { mcnemarExact } from '../src/core/metrics/mcnemar.ts';
import { passAtK as passAtKOf } from '../src/core/metrics/pass-at-k.ts';
import type { MethodOutput, PathOutput, RunResults } from '../src/core/run/results.ts';
import { parseRunFile } from '../src/core/run/export.ts';
import { columnsOf } from '../src/core/run/models.ts';
import { WORKED_OPENING, answerText, verifiedChainTrace } from '../src/core/metrics/verified.ts';
import { SUMMARY_FORMAT, parsePassSummary, type PassSummary } from '../src/core/run/pass-summary.ts';

interface Entry {
  id: string;
  question: string;
  answer: string;
  steps: number | null;
  output: MethodOutput;
  /** From a pass summary (tools/pass-summary.ts): the sample counts, in place of the paths. */
  counts?: {
    n: number;
    correct: number;
    verified: number;
    worked: number;
    chosenWorked: boolean;
    chosenVerified: boolean;
  };
}

type Key = string; // model \u0000 suite \u0000 method

const key = (...parts: string[]): Key => parts.join('\u0000');

/** What the claims read of an output (token traces dropped: pass@k files hold 256 traced paths per item). */
function slim(o: MethodOutput): MethodOutput {
  const path = (p: PathOutput): PathOutput => ({ ...p, tokens: [] });
  return { ...path(o), paths: o.paths?.map(path) } as MethodOutput;
}

function load(files: readonly string[]): Map<Key, Map<string, Entry>> {
  const all = new Map<Key, Map<string, Entry>>();
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    const raw = JSON.parse(text) as { format?: string } & RunResults;
    if (raw.format === SUMMARY_FORMAT) {
      loadSummary(all, parsePassSummary(text, file), file);
      continue;
    }
    // A CLI --out file or a page export (any version, one model or several), or a bare version 1 RunResults.
    const run = raw.format === 'coax-run' ? parseRunFile(text, file).results : raw;
    if (run.version !== 1 || !Array.isArray(run.suites)) throw new Error(`${file}: not a Coax results file`);
    const columns = new Map(columnsOf(run).map((c) => [c.id, c]));
    for (const suite of run.suites)
      for (const item of suite.items)
        for (const [id, output] of Object.entries(item.outputs)) {
          const c = columns.get(id);
          const modelId = c?.modelId ?? run.modelId;
          const methodId = c?.methodId ?? id;
          const k = key(modelId, suite.suiteName, methodId);
          const items = all.get(k) ?? new Map<string, Entry>();
          if (items.has(item.itemId))
            throw new Error(`${file}: item ${item.itemId} of ${suite.suiteName} · ${methodId} · ${modelId} twice`);
          const steps = typeof item.tags['steps'] === 'number' ? item.tags['steps'] : null;
          items.set(item.itemId, {
            id: item.itemId,
            question: item.question,
            answer: item.answer,
            steps,
            output: slim(output),
          });
          all.set(k, items);
        }
  }
  return all;
}

/** A pass summary's items as entries whose output carries only what the claims read of a sampling method. */
function loadSummary(all: Map<Key, Map<string, Entry>>, s: PassSummary, file: string): void {
  for (const g of s.groups) {
    const k = key(g.modelId, g.suite, g.methodId);
    const items = all.get(k) ?? new Map<string, Entry>();
    for (const it of g.items) {
      if (items.has(it.id))
        throw new Error(`${file}: item ${it.id} of ${g.suite} · ${g.methodId} · ${g.modelId} twice`);
      const output = {
        text: '',
        prompt: '',
        tokens: [],
        stopReason: it.chosenStopReason ?? null,
        extracted: null,
        correct: it.chosenCorrect,
        delta: null,
        generatedTokens: it.generatedTokens,
        passAtK: Array.from({ length: it.n }, (_, i) => passAtKOf(it.n, it.correct, i + 1)),
      } as unknown as MethodOutput;
      const { n, correct, verified, worked, chosenWorked, chosenVerified } = it;
      const counts = { n, correct, verified, worked, chosenWorked, chosenVerified };
      items.set(it.id, { id: it.id, question: it.question, answer: it.answer, steps: it.steps, output, counts });
    }
    all.set(k, items);
  }
}

const isWorked = (text: string) => text.trimStart().startsWith(WORKED_OPENING);

/**
 * Whether `text` is a fully correct worked solution of the chain `question` (the core's verifiedChainTrace: a final
 * digit can be guessed, a verified trace cannot).
 */
export const verifiedTrace = verifiedChainTrace;
const round = (x: number, d = 4) => Math.round(x * 10 ** d) / 10 ** d;

/** Per item, pass@k for k = 1…n under a criterion: the stored curve (right final answer), or verified traces. */
type Criterion = 'answer' | 'verified-trace';

function itemCurve(e: Entry, criterion: Criterion): number[] | null {
  if (e.counts) {
    const { n, correct, verified } = e.counts;
    const c = criterion === 'answer' ? correct : verified;
    return Array.from({ length: n }, (_, k) => passAtKOf(n, c, k + 1));
  }
  const paths = e.output.paths;
  if (!paths || !e.output.passAtK) return null;
  if (criterion === 'answer') return e.output.passAtK;
  const c = paths.filter((p) => verifiedTrace(e.question, answerText(e.output.prompt, p.text))).length;
  return paths.map((_, k) => passAtKOf(paths.length, c, k + 1));
}

interface CurveRow {
  modelId: string;
  suite: string;
  methodId: string;
  criterion: Criterion;
  items: number;
  samples: number;
  /** Mean over items of pass@k, k = 1…samples. */
  mean: number[];
  solvedAtN: number;
  low: number;
  high: number;
  solvedIds: string[];
  itemIds: string[];
  /** Share of all samples that are worked traces, and that are verified ones. */
  workedShare: number;
  verifiedShare: number;
}

export function claims(files: readonly string[]) {
  const all = load(files);
  const table = [];
  const curves: CurveRow[] = [];
  for (const [k, items] of all) {
    const [modelId, suite, methodId] = k.split('\u0000') as [string, string, string];
    const entries = [...items.values()].filter((e) => e.answer !== '');
    const correct = entries.filter((e) => e.output.correct).length;
    const n = entries.length;
    const ci = wilson(correct, n);
    const bySteps: Record<string, string> = {};
    for (const s of [...new Set(entries.map((e) => e.steps))].sort((a, b) => (a ?? 0) - (b ?? 0))) {
      const group = entries.filter((e) => e.steps === s);
      bySteps[String(s)] = `${group.filter((e) => e.output.correct).length}/${group.length}`;
    }
    const chosen = entries.map((e) => e.output);
    table.push({
      modelId,
      suite,
      methodId,
      correct,
      n,
      accuracy: round(n ? correct / n : 0),
      low: round(ci.low),
      high: round(ci.high),
      /** Of the chosen outputs: worked traces, fully verified traces, and outputs cut at the token budget. */
      workedShare: round(
        entries.filter((e) => e.counts?.chosenWorked ?? isWorked(answerText(e.output.prompt, e.output.text))).length /
          Math.max(1, n),
      ),
      verifiedShare: round(
        entries.filter(
          (e) => e.counts?.chosenVerified ?? verifiedTrace(e.question, answerText(e.output.prompt, e.output.text)),
        ).length / Math.max(1, n),
      ),
      // null when some outputs come from a summary that did not keep why they stopped: unknown, not 0.
      stoppedAtMaxTokens: chosen.some((o) => o.stopReason === null)
        ? null
        : round(chosen.filter((o) => o.stopReason === 'max-tokens').length / Math.max(1, n)),
      meanTokens: round(entries.reduce((s, e) => s + e.output.generatedTokens, 0) / Math.max(1, n), 1),
      bySteps,
    });
    for (const criterion of ['answer', 'verified-trace'] as const) {
      const per = entries.map((e) => ({ id: e.id, curve: itemCurve(e, criterion) }));
      if (per.length === 0 || per.some((p) => p.curve === null)) continue;
      const samples = per[0]!.curve!.length;
      if (per.some((p) => p.curve!.length !== samples)) throw new Error(`${k}: items with different sample counts`);
      const mean = Array.from({ length: samples }, (_, i) => per.reduce((s, p) => s + p.curve![i]!, 0) / per.length);
      const solvedIds = per.filter((p) => p.curve!.at(-1)! > 0).map((p) => p.id);
      const solved = wilson(solvedIds.length, per.length);
      const counted = entries.filter((e) => e.counts).map((e) => e.counts!);
      const paths = entries.flatMap((e) =>
        (e.output.paths ?? []).map((p) => ({ q: e.question, text: answerText(e.output.prompt, p.text) })),
      );
      curves.push({
        modelId,
        suite,
        methodId,
        criterion,
        items: per.length,
        samples,
        mean: mean.map((x) => round(x, 5)),
        solvedAtN: solvedIds.length,
        low: round(solved.low),
        high: round(solved.high),
        solvedIds: solvedIds.sort(),
        itemIds: per.map((p) => p.id).sort(),
        // Summaries and full files may mix: counts from the one, paths from the other.
        workedShare: round(
          (paths.filter((p) => isWorked(p.text)).length + counted.reduce((s, c) => s + c.worked, 0)) /
            Math.max(1, paths.length + counted.reduce((s, c) => s + c.n, 0)),
        ),
        verifiedShare: round(
          (paths.filter((p) => verifiedTrace(p.q, p.text)).length + counted.reduce((s, c) => s + c.verified, 0)) /
            Math.max(1, paths.length + counted.reduce((s, c) => s + c.n, 0)),
        ),
      });
    }
  }
  return { table, passAtK: curves, comparisons: compare(table, curves, all) };
}

/** Coverage, crossover and paired tests between models on the same suite, method and items. */
function compare(
  table: { modelId: string; suite: string; methodId: string }[],
  curves: CurveRow[],
  all: Map<Key, Map<string, Entry>>,
) {
  const coverage = [];
  for (const a of curves)
    for (const b of curves) {
      if (a.suite !== b.suite || a.methodId !== b.methodId || a.criterion !== b.criterion || a.modelId >= b.modelId)
        continue;
      const common = a.itemIds.filter((id) => b.itemIds.includes(id));
      if (common.length === 0) continue;
      const curve = (m: CurveRow) => {
        const items = all.get(key(m.modelId, m.suite, m.methodId))!;
        const cs = common.map((id) => itemCurve(items.get(id)!, m.criterion)!);
        return cs[0]!.map((_, i) => cs.reduce((s, c) => s + c[i]!, 0) / cs.length);
      };
      const ca = curve(a);
      const cb = curve(b);
      const sa = new Set(a.solvedIds.filter((id) => common.includes(id)));
      const sb = new Set(b.solvedIds.filter((id) => common.includes(id)));
      const firstAtLeast = (x: number[], y: number[]) => {
        const i = x.findIndex((v, j) => v >= y[j]!);
        return i < 0 ? null : i + 1;
      };
      coverage.push({
        suite: a.suite,
        methodId: a.methodId,
        criterion: a.criterion,
        a: a.modelId,
        b: b.modelId,
        items: common.length,
        solvedA: sa.size,
        solvedB: sb.size,
        both: [...sa].filter((id) => sb.has(id)).length,
        onlyA: [...sa].filter((id) => !sb.has(id)),
        onlyB: [...sb].filter((id) => !sa.has(id)),
        neither: common.filter((id) => !sa.has(id) && !sb.has(id)).length,
        /** Smallest k with pass@k(a) >= pass@k(b), and the reverse (null: never within n). */
        kAReachesB: firstAtLeast(ca, cb),
        kBReachesA: firstAtLeast(cb, ca),
        /** pass@k of a and b on the common items at k = 1, 4, 16, 64, 256 (as far as n goes). */
        at: [1, 4, 16, 64, 256]
          .filter((k) => k <= ca.length)
          .map((k) => ({ k, a: round(ca[k - 1]!), b: round(cb[k - 1]!) })),
      });
    }
  const paired = [];
  const models = [...new Set(table.map((r) => r.modelId))];
  for (const r of table)
    for (const other of models) {
      if (other <= r.modelId) continue;
      const mine = all.get(key(r.modelId, r.suite, r.methodId))!;
      const theirs = all.get(key(other, r.suite, r.methodId));
      if (!theirs) continue;
      let gained = 0;
      let lost = 0;
      let n = 0;
      for (const [id, e] of mine) {
        const t = theirs.get(id);
        if (!t || e.answer === '') continue;
        n++;
        if (t.output.correct && !e.output.correct) gained++;
        if (!t.output.correct && e.output.correct) lost++;
      }
      /** gained/lost: items `b` gets right and `a` wrong, and the reverse. */
      paired.push({ suite: r.suite, methodId: r.methodId, a: r.modelId, b: other, n, ...mcnemarExact(gained, lost) });
    }
  return { coverage, paired };
}

function main(argv: string[]): void {
  const at = argv.indexOf('--out');
  if (at < 0 || !argv[at + 1]) throw new Error('usage: variant-claims.ts --out claims.json results.json …');
  const out = argv[at + 1]!;
  const files = argv.filter((_, i) => i !== at && i !== at + 1);
  if (files.length === 0) throw new Error('no results files given');
  const result = claims(files);
  writeFileSync(out, JSON.stringify({ files, ...result }, null, 1) + '\n');
  const pct = (x: number) => (100 * x).toFixed(1);
  for (const r of result.table)
    console.log(
      `${r.modelId.padEnd(26)} ${r.suite.padEnd(17)} ${r.methodId.padEnd(14)} ${pct(r.accuracy).padStart(5)}%` +
        ` [${pct(r.low)}, ${pct(r.high)}] ${r.correct}/${r.n} worked ${pct(r.workedShare)}% verified ${pct(r.verifiedShare)}%`,
    );
  for (const p of result.passAtK)
    console.log(
      `${p.modelId.padEnd(26)} ${p.suite.padEnd(17)} ${p.criterion.padEnd(14)} pass@1 ${pct(p.mean[0]!)}%` +
        ` pass@${p.samples} ${pct(p.mean.at(-1)!)}% (${p.solvedAtN}/${p.items})`,
    );
  console.log(`written to ${out}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main(process.argv.slice(2));
