/**
 * coax sweep: activation steering over layer × scale. The contrastive (CAA) vector comes from the first suite's
 * exemplar pool, layer and scale are chosen on that pool, and the choice is measured on the test items of every
 * suite against the unsteered method (accuracy with Wilson intervals, share of reasoning outputs, exact McNemar).
 */
import type { LanguageModel } from '../src/core/decode/language-model.ts';
import type { MethodSpec } from '../src/core/methods/method.ts';
import type { RunResults } from '../src/core/run/results.ts';
import { runSuites } from '../src/core/run/run-suite.ts';
import { computeCaa, type CaaVectors } from '../src/core/steer/caa.ts';
import { requireHiddenIo, type CaaPairs, type SteerPositions } from '../src/core/steer/steer.ts';
import {
  bestCell,
  exemplarSuite,
  mcnemarOf,
  steeredMethod,
  sweepCells,
  type SweepCell,
} from '../src/core/steer/sweep.ts';
import type { Suite } from '../src/core/tasks/suite.ts';
import { answerTokenIndices } from '../src/core/methods/confidence.ts';
import { logitLens, settleLayer } from '../src/core/steer/lens.ts';

export interface SweepOptions {
  base: MethodSpec;
  layers: number[];
  scales: number[];
  pairs: CaaPairs;
  positions: SteerPositions[];
  seed: number;
  batchSize: number;
  modelId: string;
  signal?: AbortSignal;
  log: (line: string) => void;
  progress?: (done: number, total: number, label: string) => void;
}

export interface SweepReport {
  caa: CaaVectors;
  choice: SweepCell[];
  best: SweepCell;
  /** Test items: the base method and the best steered one, per suite. */
  test: RunResults;
  method: MethodSpec;
}

const pct = (x: number) => `${(100 * x).toFixed(1)}`;
const cellText = (c: SweepCell) => `${pct(c.accuracy)} [${pct(c.low)}, ${pct(c.high)}] r${pct(c.reasoning)}`;

/** Layers × scales grid of one suite's cells (accuracy [95% CI] and r = % of outputs that reason). */
export function formatSweepGrid(cells: readonly SweepCell[], layers: number[], scales: number[]): string {
  const base = cells.find((c) => c.layer === null);
  const header = ['layer \\ scale', ...scales.map(String)];
  const rows = layers.map((l) => [
    `L${l}`,
    ...scales.map((s) => {
      const c = cells.find((x) => x.layer === l && x.scale === s);
      return c ? cellText(c) : '—';
    }),
  ]);
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((x, i) => x.padEnd(widths[i]!)).join('  ');
  return [base ? `unsteered: ${cellText(base)} (n=${base.n})` : '', line(header), ...rows.map(line)].join('\n');
}

export async function sweep<C>(model: LanguageModel<C>, suites: Suite[], o: SweepOptions): Promise<SweepReport> {
  const io = requireHiddenIo(model);
  for (const l of o.layers)
    if (!(l >= 0 && l < io.layers))
      throw new Error(`--layers: ${l} is not a layer of this model (0 … ${io.layers - 1})`);
  const source = suites[0]!;
  const caa = await computeCaa(model, source, o.pairs);
  o.log(
    `CAA vectors from ${caa.count} ${o.pairs} pairs of ${source.name}'s exemplar pool; norms by layer: ${caa.vectors
      .map((v) => Math.hypot(...v).toFixed(2))
      .join(', ')}`,
  );
  const methodsFor = (positions: SteerPositions[], layers: number[], scales: number[]) => [
    o.base,
    ...positions.flatMap((where) =>
      layers.flatMap((layer) =>
        scales.map((scale) =>
          steeredMethod(o.base, { layer, scale, vector: caa.vectors[layer]!, positions: where }, where),
        ),
      ),
    ),
  ];
  const pool = exemplarSuite(source);
  const chooseRun = await runSuites(model, [pool], methodsFor(o.positions, o.layers, o.scales), {
    modelId: o.modelId,
    seed: o.seed,
    batchSize: o.batchSize,
    signal: o.signal,
    onProgress: (p) => o.progress?.(p.done, p.total, `choose · ${p.methodId}`),
  });
  const choice = sweepCells(chooseRun, pool.name);
  o.log(
    `\nchoice on ${pool.name} (n=${pool.items.length}), ${o.base.id} steered: accuracy % [95% CI], r = % reasoning`,
  );
  for (const where of o.positions) {
    o.log(`positions: ${where}`);
    o.log(
      formatSweepGrid(
        choice.filter((c) => c.layer === null || c.positions === where),
        o.layers,
        o.scales,
      ),
    );
  }
  const best = bestCell(choice);
  const method = methodsFor([best.positions!], [best.layer!], [best.scale])[1]!;
  o.log(
    `\nbest on the exemplar pool: positions ${best.positions}, layer ${best.layer}, scale ${best.scale} (${cellText(best)})`,
  );
  const test = await runSuites(model, suites, [o.base, method], {
    modelId: o.modelId,
    seed: o.seed,
    batchSize: o.batchSize,
    signal: o.signal,
    onProgress: (p) => o.progress?.(p.done, p.total, `test · ${p.suiteName} · ${p.methodId}`),
  });
  o.log('\ntest items: suite, method, accuracy % [95% CI], r = % reasoning, McNemar vs unsteered');
  for (const s of suites) {
    const cells = sweepCells(test, s.name);
    const m = mcnemarOf(test, s.name, method.id, o.base.id);
    for (const c of cells)
      o.log(
        `  ${s.name.padEnd(12)} ${c.methodId.padEnd(34)} ${cellText(c)} n=${c.n}${
          c.layer === null ? '' : `  +${m.gained}/−${m.lost}, p=${m.p.toPrecision(3)}`
        }`,
      );
  }
  return { caa, choice, best, test, method };
}

/**
 * Where the answer appears in depth: for each method's outputs that are right, the first layer from which the logit
 * lens ranks the answer's first token top-1 before it is written (and keeps it there). Returns per method the count
 * of outputs by settle layer (index = layer, last entry = never).
 */
export async function answerDepth<C>(
  model: LanguageModel<C>,
  results: RunResults,
  methodIds: string[],
): Promise<Record<string, { counts: number[]; n: number }>> {
  const io = requireHiddenIo(model, 'the logit lens');
  const out: Record<string, { counts: number[]; n: number }> = {};
  for (const id of methodIds) {
    const counts = new Array<number>(io.layers + 1).fill(0);
    let n = 0;
    for (const s of results.suites)
      for (const item of s.items) {
        const o = item.outputs[id];
        if (!o?.correct || !o.extracted) continue;
        const first = answerTokenIndices(o.tokens, o.extracted)[0];
        if (first === undefined) continue;
        const grid = await logitLens(model, [...model.encode(o.prompt), ...o.tokens.slice(0, first).map((t) => t.id)]);
        const layer = settleLayer(grid, o.tokens[first]!.id);
        counts[layer ?? io.layers]!++;
        n++;
      }
    out[id] = { counts, n };
  }
  return out;
}
