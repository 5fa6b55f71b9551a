/**
 * Issue #15's measured tables (claims 2 and 3), computed from CLI results files (`coax run --out`) with the core's own
 * metrics, so that the README and the data cards only format them.
 *
 *   npx tsx tools/issue15-claims.ts --out claims15.json results-a.json results-b.json …
 *
 * Per model × suite × method: accuracy with its Wilson interval, calibration (ECE over 10 bins of the answer
 * probability, metrics/calibration.ts via metrics/comparison.ts confidenceOf), the check-move rate of the traces
 * (metrics/trace-moves.ts), the grounding-act rate (metrics/grounding.ts), and, for methods with several paths, the
 * share of items where ANY path is a clarifying question (what a decoding change can reach). Also, per model ×
 * method, the ECE pooled over the in-distribution suites and over the out-of-distribution ones (split 'ood-…').
 * Prints a markdown table.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { wilson } from '../src/core/metrics/accuracy.ts';
import { calibrate } from '../src/core/metrics/calibration.ts';
import { confidenceOf, distributionOf } from '../src/core/metrics/comparison.ts';
import { groundingActRate, isClarifyingQuestion, rateOf } from '../src/core/metrics/grounding.ts';
import { checkMoveRate } from '../src/core/metrics/trace-moves.ts';
import type { MethodSpec } from '../src/core/methods/method.ts';
import { parseRunFile } from '../src/core/run/export.ts';
import type { RunResults } from '../src/core/run/results.ts';

export interface Row {
  modelId: string;
  suite: string;
  split: string;
  methodId: string;
  n: number;
  correct: number;
  accuracy: number;
  low: number;
  high: number;
  ece: number;
  meanConfidence: number;
  checkMove: number;
  checkMoveLow: number;
  checkMoveHigh: number;
  grounding: number;
  groundingLow: number;
  groundingHigh: number;
  /** Items with at least one clarifying question among their paths (null for single-path methods). */
  groundingAnyPath: number | null;
  /**
   * Among traces with a "Check:" step: the share whose first pass (the number just before "Check:") already was the
   * right answer; null without such traces. With `accuracy` it shows whether the check fixes or breaks answers.
   */
  firstPassRight: number | null;
  checkedTraces: number;
  meanTokens: number;
  cut: number;
}

/** The value a trace's first pass reached: the last number before "Check:"; null without a check step. */
export function firstPassValue(text: string): string | null {
  const i = text.indexOf('Check:');
  if (i < 0) return null;
  const nums = text.slice(0, i).match(/\d+/g);
  return nums ? nums.at(-1)! : null;
}

export interface PooledEce {
  modelId: string;
  methodId: string;
  group: 'in-distribution' | 'out-of-distribution';
  n: number;
  ece: number;
  accuracy: number;
  meanConfidence: number;
}

export function claims(files: readonly { name: string; run: RunResults }[]): { table: Row[]; pooled: PooledEce[] } {
  const table: Row[] = [];
  const points = new Map<string, { confidence: number; correct: boolean }[]>();
  const seen = new Set<string>();
  for (const { name, run } of files) {
    if (run.version !== 1 || !Array.isArray(run.suites)) throw new Error(`${name}: not a version 1 CLI results file`);
    for (const method of run.methods) {
      // a multi-model run prefixes the method ids with the model's short name; its columns say which is which
      const methodId = run.columns?.[method.id]?.methodId ?? method.id;
      const columnModel = run.columns?.[method.id]?.modelId;
      for (const suite of run.suites) {
        const outs = suite.items.flatMap((it) => {
          const o = it.outputs[method.id];
          return o ? [{ it, o }] : [];
        });
        if (outs.length === 0) continue;
        const modelId = columnModel ?? outs[0]!.o.modelId ?? run.modelId;
        const k = `${modelId}\u0000${suite.suiteName}\u0000${methodId}`;
        if (seen.has(k)) throw new Error(`${name}: ${modelId} · ${suite.suiteName} · ${methodId} measured twice`);
        seen.add(k);
        const scored = outs.filter(({ it }) => it.answer !== '');
        const correct = scored.filter(({ o }) => o.correct).length;
        const conf = scored.map(({ o }) => ({
          confidence: confidenceOf(o, method as MethodSpec, 'answer-probability') ?? 0,
          correct: o.correct,
        }));
        const cal = calibrate(conf);
        const group = distributionOf(suite);
        const pk = `${modelId}\u0000${methodId}\u0000${group}`;
        points.set(pk, [...(points.get(pk) ?? []), ...conf]);
        const texts = outs.map(({ o }) => o.text);
        const moves = checkMoveRate(texts).any;
        const ground = groundingActRate(texts);
        const multi = outs.some(({ o }) => (o.paths?.length ?? 0) > 1);
        const anyPath = multi
          ? outs.filter(({ o }) => (o.paths ?? [o]).some((p) => isClarifyingQuestion(p.text))).length / outs.length
          : null;
        const checked = scored.flatMap(({ it, o }) => {
          const v = firstPassValue(o.text);
          return v === null ? [] : [v === it.answer.trim()];
        });
        const { low, high } = wilson(correct, scored.length);
        table.push({
          modelId,
          suite: suite.suiteName,
          split: suite.split ?? '',
          methodId,
          n: scored.length,
          correct,
          accuracy: scored.length ? correct / scored.length : 0,
          low,
          high,
          ece: cal.ece,
          meanConfidence: conf.length ? conf.reduce((s, c) => s + c.confidence, 0) / conf.length : 0,
          checkMove: moves.rate,
          checkMoveLow: moves.low,
          checkMoveHigh: moves.high,
          grounding: ground.rate,
          groundingLow: ground.low,
          groundingHigh: ground.high,
          groundingAnyPath: anyPath,
          firstPassRight: checked.length ? checked.filter(Boolean).length / checked.length : null,
          checkedTraces: checked.length,
          meanTokens: outs.reduce((s, { o }) => s + o.generatedTokens, 0) / outs.length,
          cut: outs.filter(({ o }) => o.stopReason === 'max-tokens').length / outs.length,
        });
      }
    }
  }
  const pooled: PooledEce[] = [...points].map(([k, pts]) => {
    const [modelId, methodId, group] = k.split('\u0000') as [string, string, PooledEce['group']];
    const c = calibrate(pts);
    return {
      modelId,
      methodId,
      group,
      n: pts.length,
      ece: c.ece,
      accuracy: rateOf(pts.filter((p) => p.correct).length, pts.length).rate,
      meanConfidence: pts.reduce((s, p) => s + p.confidence, 0) / Math.max(1, pts.length),
    };
  });
  return { table, pooled };
}

const pct = (x: number) => (100 * x).toFixed(1);

export function markdown(r: { table: Row[]; pooled: PooledEce[] }): string {
  const lines = [
    '| model | suite | method | n | accuracy (95% CI) | ECE | mean conf. | check moves (95% CI) | first pass right | grounding acts (95% CI) | any path clarifies | mean tokens | cut |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const t of r.table)
    lines.push(
      `| ${t.modelId} | ${t.suite} | ${t.methodId} | ${t.n} | ${pct(t.accuracy)}% (${pct(t.low)}-${pct(t.high)}) | ` +
        `${t.ece.toFixed(3)} | ${t.meanConfidence.toFixed(3)} | ${pct(t.checkMove)}% (${pct(t.checkMoveLow)}-${pct(t.checkMoveHigh)}) | ` +
        `${t.firstPassRight === null ? '-' : `${pct(t.firstPassRight)}% of ${t.checkedTraces}`} | ` +
        `${pct(t.grounding)}% (${pct(t.groundingLow)}-${pct(t.groundingHigh)}) | ` +
        `${t.groundingAnyPath === null ? '-' : pct(t.groundingAnyPath) + '%'} | ${t.meanTokens.toFixed(1)} | ${pct(t.cut)}% |`,
    );
  lines.push('', '| model | method | group | n | accuracy | mean conf. | ECE |', '|---|---|---|---|---|---|---|');
  for (const p of r.pooled)
    lines.push(
      `| ${p.modelId} | ${p.methodId} | ${p.group} | ${p.n} | ${pct(p.accuracy)}% | ${p.meanConfidence.toFixed(3)} | ${p.ece.toFixed(3)} |`,
    );
  return lines.join('\n') + '\n';
}

function main(argv: string[]) {
  const i = argv.indexOf('--out');
  const out = i >= 0 ? argv[i + 1] : undefined;
  const files = i >= 0 ? argv.filter((_, j) => j !== i && j !== i + 1) : argv;
  if (files.length === 0) throw new Error('usage: issue15-claims.ts [--out claims.json] results.json …');
  const r = claims(files.map((f) => ({ name: f, run: parseRunFile(readFileSync(f, 'utf8'), f).results })));
  if (out) writeFileSync(out, JSON.stringify({ ...r, files }, null, 1) + '\n');
  process.stdout.write(markdown(r));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) main(process.argv.slice(2));
