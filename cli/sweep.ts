/**
 * coax sweep: activation steering over layer × scale. The contrastive (CAA) vector comes from the first suite's
 * exemplar pool, layer and scale are chosen on that pool, and the choice is measured on the test items of every
 * suite against the unsteered method (accuracy with Wilson intervals, share of reasoning outputs, exact McNemar).
 */
import type { LanguageModel } from '../src/core/decode/language-model.ts';
import type { MethodSpec } from '../src/core/methods/method.ts';
import type { RunResults } from '../src/core/run/results.ts';
import { runSuites } from '../src/core/run/run-suite.ts';
import { caaPairs, computeCaa, type CaaVectors } from '../src/core/steer/caa.ts';
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
import { logitLens, logitLensAfter, settleLayer } from '../src/core/steer/lens.ts';
import { modelAsSteered } from '../src/core/steer/steered-model.ts';
import type { SaeSource } from '../src/core/methods/execute.ts';
import { PLAIN_PROMPT, buildPrompt } from '../src/core/methods/prompt.ts';
import {
  contrastFeatures,
  encodeSae,
  rankOverTraces,
  traceResiduals,
  type PoolFeature,
  type Sae,
} from '../src/core/steer/sae.ts';

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
  /**
   * Steer by SAE features instead of the CAA vector: at each layer, the top `k` features of the feature browser's
   * ranking over the worked answers of the first suite's exemplar pool (rankOverTraces), each swept over the scales.
   */
  features?: { k: number; sae: SaeSource; rank: 'votes' | 'contrast' };
}

export interface SweepReport {
  caa: CaaVectors | null;
  /** With features: per layer, the ranked features tried. */
  ranked: Record<number, PoolFeature[]>;
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
  const ranked: Record<number, PoolFeature[]> = {};
  let caa: CaaVectors | null = null;
  let candidates: MethodSpec[];
  if (o.features) {
    for (const layer of o.layers) {
      const sae = await o.features.sae(layer);
      if (o.features.rank === 'contrast') {
        const pairs = caaPairs(source, o.pairs);
        const last = async (prompts: string[]) =>
          Promise.all(
            prompts.map(async (p) => encodeSae(sae, (await traceResiduals(model, model.encode(p), [], layer))[0]!)),
          );
        const hits = contrastFeatures(
          sae,
          await last(pairs.map((p) => p.positive)),
          await last(pairs.map((p) => p.negative)),
          o.features.k,
        );
        ranked[layer] = hits.map((h) => ({ feature: h.feature, votes: 0, sumMax: h.diff }));
        o.log(
          `layer ${layer}: top ${o.features.k} SAE features by mean activation at the last prompt token, ${o.pairs} pairs of ${source.name}'s exemplar pool (positive − negative): ${hits
            .map((h) => `#${h.feature} (${h.diff.toFixed(3)})`)
            .join(', ')}`,
        );
      } else {
        ranked[layer] = (await rankPoolFeatures(model, sae, source, layer)).slice(0, o.features.k);
        o.log(
          `layer ${layer}: top ${o.features.k} SAE features over ${source.exemplars.length} worked exemplar answers (votes in a trace's top 5): ${ranked[
            layer
          ]!.map((f) => `#${f.feature} (${f.votes})`).join(', ')}`,
        );
      }
    }
    candidates = o.positions.flatMap((where) =>
      o.layers.flatMap((layer) =>
        ranked[layer]!.flatMap((f) =>
          o.scales.map((scale) =>
            steeredMethod(o.base, { layer, scale, feature: f.feature, positions: where }, `f${f.feature}-${where}`),
          ),
        ),
      ),
    );
  } else {
    const vectors = (caa = await computeCaa(model, source, o.pairs));
    o.log(
      `CAA vectors from ${vectors.count} ${o.pairs} pairs of ${source.name}'s exemplar pool; norms by layer: ${vectors.vectors
        .map((v) => Math.hypot(...v).toFixed(2))
        .join(', ')}`,
    );
    candidates = o.positions.flatMap((where) =>
      o.layers.flatMap((layer) =>
        o.scales.map((scale) =>
          steeredMethod(o.base, { layer, scale, vector: vectors.vectors[layer]!, positions: where }, where),
        ),
      ),
    );
  }
  const pool = exemplarSuite(source);
  const chooseRun = await runSuites(model, [pool], [o.base, ...candidates], {
    modelId: o.modelId,
    seed: o.seed,
    batchSize: o.batchSize,
    signal: o.signal,
    sae: o.features?.sae,
    onProgress: (p) => o.progress?.(p.done, p.total, `choose · ${p.methodId}`),
  });
  const choice = sweepCells(chooseRun, pool.name);
  o.log(
    `\nchoice on ${pool.name} (n=${pool.items.length}), ${o.base.id} steered: accuracy % [95% CI], r = % reasoning`,
  );
  if (o.features) {
    for (const c of choice) o.log(`  ${c.methodId.padEnd(44)} ${cellText(c)}`);
  } else
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
  const method = candidates.find((m) => m.id === best.methodId)!;
  o.log(
    `\nbest on the exemplar pool: positions ${best.positions}, layer ${best.layer}, scale ${best.scale} (${cellText(best)}): ${method.id}`,
  );
  const test = await runSuites(model, suites, [o.base, method], {
    modelId: o.modelId,
    seed: o.seed,
    batchSize: o.batchSize,
    signal: o.signal,
    sae: o.features?.sae,
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
  return { caa, ranked, choice, best, test, method };
}

/**
 * The feature browser's ranking on a suite's exemplar pool: for each exemplar, the trace of its worked answer after
 * its plain prompt, read at `layer` and ranked by highest activation; votes over the pool (never test items).
 */
export async function rankPoolFeatures<C>(
  model: LanguageModel<C>,
  sae: Sae,
  suite: Suite,
  layer: number,
): Promise<PoolFeature[]> {
  const traces: Float32Array[][] = [];
  for (const ex of suite.exemplars) {
    const prompt = buildPrompt(PLAIN_PROMPT, ex, suite, 0);
    const rows = await traceResiduals(model, model.encode(prompt), model.encode(` ${ex.worked}`), layer);
    traces.push(rows.map((x) => encodeSae(sae, x)));
  }
  return rankOverTraces(sae, traces);
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
        // A steered method's answers are read through the same steering (the direction the run stored).
        const method = results.methods.find((m) => m.id === id);
        const before = o.tokens.slice(0, first).map((t) => t.id);
        const grid = method?.steer
          ? await logitLensAfter(modelAsSteered(model, method.steer, s.steering?.[id]), model.encode(o.prompt), before)
          : await logitLens(model, [...model.encode(o.prompt), ...before]);
        const layer = settleLayer(grid, o.tokens[first]!.id);
        counts[layer ?? io.layers]!++;
        n++;
      }
    out[id] = { counts, n };
  }
  return out;
}
