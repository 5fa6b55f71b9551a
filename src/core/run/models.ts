import type { SaeSource } from '../methods/execute.ts';
import { throwIfCancelled, type CancelSignal } from '../decode/cancel.ts';
import type { LanguageModel } from '../decode/language-model.ts';
import type { MethodSpec } from '../methods/method.ts';
import type { Suite } from '../tasks/suite.ts';
import type { MethodOutput, RunColumn, RunResults } from './results.ts';
import { runSuites, type RunOptions, type RunProgress } from './run-suite.ts';

/**
 * Runs over several models: the same suites, methods and seed on each model, one model after another, kept in one
 * `RunResults` whose methods are model × method (see RunResults.models). Every view that reads a one-model run
 * reads it unchanged; `columnsOf` says which model and method each entry is.
 */

/** One entry of a run's methods, with the model that ran it. */
export interface Column extends RunColumn {
  /** The entry's id in `results.methods` and in every item's outputs. */
  id: string;
  method: MethodSpec;
}

/** The models of a run, in order: its `models`, or its one model. */
export function modelsOf(results: RunResults): string[] {
  return results.models ?? [results.modelId];
}

/** Every method of a run with its model: for a one-model run, its methods with the run's model. */
export function columnsOf(results: RunResults): Column[] {
  return results.methods.map((method) => {
    const c = results.columns?.[method.id];
    return {
      id: method.id,
      modelId: c?.modelId ?? results.modelId,
      methodId: c?.methodId ?? method.id,
      method,
    };
  });
}

/** The methods of a run once each, with their own ids and labels (a multi-model run lists each once per model). */
export function modelMethods(results: RunResults): MethodSpec[] {
  if (!results.columns) return results.methods;
  const first = modelsOf(results)[0]!;
  const prefix = `${shortModelName(first)}: `;
  return columnsOf(results)
    .filter((c) => c.modelId === first)
    .map((c) => ({
      ...c.method,
      id: c.methodId,
      label: c.method.label.startsWith(prefix) ? c.method.label.slice(prefix.length) : c.method.label,
    }));
}

/** A model's short name: the last part of its id (`coax/organism-v1-rlvr` → `organism-v1-rlvr`). */
export function shortModelName(modelId: string): string {
  return modelId.replace(/\/+$/, '').split('/').pop() || modelId;
}

/**
 * The prefix each model's methods get in a multi-model run: its short name in the characters a method id allows,
 * made unique with its position when two models share a short name.
 */
export function modelKeys(models: readonly string[]): string[] {
  const names = models.map((m) =>
    shortModelName(m)
      .replace(/[^A-Za-z0-9._-]/g, '_')
      .replace(/^[^A-Za-z0-9]/, 'm'),
  );
  return names.map((n, i) => (names.filter((x) => x === n).length > 1 ? `${n}-${i + 1}` : n));
}

/** The methods of a run over several models, one per model × method, and which model and method each is. */
export function modelColumns(
  models: readonly string[],
  methods: readonly MethodSpec[],
): { methods: MethodSpec[]; columns: Record<string, RunColumn> } {
  const keys = modelKeys(models);
  const columns: Record<string, RunColumn> = {};
  const out: MethodSpec[] = [];
  models.forEach((modelId, mi) =>
    methods.forEach((m) => {
      const id = columnId(keys, mi, m.id);
      columns[id] = { modelId, methodId: m.id };
      out.push({ ...m, id, label: `${shortModelName(modelId)}: ${m.label}` });
    }),
  );
  return { methods: out, columns };
}

/** The id of model `index`'s entry for a method (`organism-v1-rlvr.greedy-plain`); `keys` from modelKeys. */
export function columnId(keys: readonly string[], index: number, methodId: string): string {
  return `${keys[index]}.${methodId}`;
}

/**
 * One-model runs of the same suites, methods and seed as one multi-model run, in the order given. A single run
 * comes back unchanged. Each output is marked with its model.
 */
export function combineModelRuns(runs: readonly RunResults[]): RunResults {
  if (runs.length === 0) throw new Error('a run needs at least one model');
  const first = runs[0]!;
  if (runs.length === 1) return first;
  const models = runs.map((r) => r.modelId);
  if (new Set(models).size !== models.length) throw new Error(`a model appears twice in ${models.join(', ')}`);
  for (const r of runs) {
    if (r.models) throw new Error(`${r.modelId}: combine one-model runs, not multi-model ones`);
    if (r.seed !== first.seed)
      throw new Error(`${r.modelId} ran with seed ${r.seed}, ${first.modelId} with ${first.seed}`);
    if (JSON.stringify(r.methods.map((m) => m.id)) !== JSON.stringify(first.methods.map((m) => m.id)))
      throw new Error(`${r.modelId} ran other methods than ${first.modelId}`);
    if (JSON.stringify(r.suites.map((s) => s.suiteName)) !== JSON.stringify(first.suites.map((s) => s.suiteName)))
      throw new Error(`${r.modelId} ran other suites than ${first.modelId}`);
  }
  const { methods, columns } = modelColumns(models, first.methods);
  const keys = modelKeys(models);
  const suites = first.suites.map((s, si) => ({
    ...s,
    items: s.items.map((item, ii) => {
      const outputs: Record<string, MethodOutput> = {};
      runs.forEach((r, mi) => {
        const other = r.suites[si]!.items[ii];
        if (!other || other.itemId !== item.itemId || other.question !== item.question)
          throw new Error(`${r.modelId} ran other items than ${first.modelId} in ${s.suiteName} (item ${ii + 1})`);
        for (const m of r.methods) {
          const out = other.outputs[m.id];
          if (out) outputs[columnId(keys, mi, m.id)] = { ...out, modelId: r.modelId };
        }
      });
      return { ...item, outputs };
    }),
  }));
  return { version: 1, modelId: models[0]!, models, columns, seed: first.seed, methods, suites };
}

/** A model a multi-model run loads when its turn comes, and frees after. */
export interface ModelHandle<C> {
  model: LanguageModel<C>;
  /** The model's SAEs (for methods that steer by an SAE feature), when its folder ships them. */
  sae?: SaeSource;
  dispose(): Promise<void>;
}

export interface ModelsProgress extends RunProgress {
  /** The model being run (0-based) of how many, and its id. */
  modelIndex: number;
  models: number;
  modelId: string;
  /** 'loading' while the model loads, 'running' while it decodes. */
  phase: 'loading' | 'running';
}

export interface ModelsOptions extends Omit<RunOptions, 'modelId' | 'onProgress' | 'onOutput' | 'signal'> {
  signal?: CancelSignal;
  onProgress?: (p: ModelsProgress) => void;
  onOutput?: (modelId: string, suiteName: string, itemIndex: number, methodId: string, output: MethodOutput) => void;
  /** Called with each model's results as it finishes, so a cancelled run keeps the models already done. */
  onModelDone?: (results: RunResults) => void;
}

/**
 * Run the same suites and methods with the same seed on each model in turn: load it, run, free it, then the next.
 * Each model's results equal a one-model run of it with the same options.
 */
export async function runModels(
  modelIds: readonly string[],
  load: (modelId: string) => Promise<ModelHandle<unknown>>,
  suites: readonly Suite[],
  methods: readonly MethodSpec[],
  options: ModelsOptions,
): Promise<RunResults> {
  if (modelIds.length === 0) throw new Error('a run needs at least one model');
  if (new Set(modelIds).size !== modelIds.length) throw new Error(`a model appears twice in ${modelIds.join(', ')}`);
  const runs: RunResults[] = [];
  const perModel = suites.reduce((n, s) => n + s.items.length, 0) * methods.length;
  for (const [modelIndex, modelId] of modelIds.entries()) {
    throwIfCancelled(options.signal);
    const base = { modelIndex, models: modelIds.length, modelId, suiteName: '', methodId: '' };
    options.onProgress?.({ ...base, phase: 'loading', done: 0, total: perModel });
    const handle = await load(modelId);
    try {
      const run = await runSuites(handle.model, suites, methods, {
        ...options,
        modelId,
        sae: handle.sae ?? options.sae,
        onProgress: (p) => options.onProgress?.({ ...base, ...p, phase: 'running' }),
        onOutput: (suiteName, i, methodId, output) => options.onOutput?.(modelId, suiteName, i, methodId, output),
      });
      runs.push(run);
      options.onModelDone?.(run);
    } finally {
      await handle.dispose();
    }
  }
  return combineModelRuns(runs);
}

const stripModel = (label: string, modelId: string) => {
  const prefix = `${shortModelName(modelId)}: `;
  return label.startsWith(prefix) ? label.slice(prefix.length) : label;
};

/** A run over several models as one-model runs, one per model (the inverse of combineModelRuns). */
export function splitModelRuns(results: RunResults): RunResults[] {
  if (!results.models) return [results];
  const columns = columnsOf(results);
  return results.models.map((modelId) => {
    const mine = columns.filter((c) => c.modelId === modelId);
    return {
      version: results.version,
      modelId,
      seed: results.seed,
      methods: mine.map((c) => ({ ...c.method, id: c.methodId, label: stripModel(c.method.label, modelId) })),
      suites: results.suites.map((s) => ({
        ...s,
        items: s.items.map((it) => {
          const outputs: Record<string, MethodOutput> = {};
          for (const c of mine) {
            const o = it.outputs[c.id];
            if (o) {
              const { modelId: _, ...rest } = o;
              outputs[c.methodId] = rest;
            }
          }
          return { ...it, outputs };
        }),
      })),
    };
  });
}

/**
 * Several results files of one setup read as one run: runs of one model or several, possibly each over a part of a
 * suite's items
 * (a long measurement split into chunks, each run with the same seed: every path's seed derives from the item's id,
 * so a chunk's outputs equal those of the whole run). Runs of the same model are joined item by item (an item twice
 * is an error), each suite's items sorted by id; then the models are combined in order of first appearance (a run
 * over several models counts as its one-model runs).
 */
export function mergeRuns(runs: readonly RunResults[]): RunResults {
  if (runs.length === 0) throw new Error('no runs to merge');
  if (runs.length === 1) return runs[0]!;
  const byModel = new Map<string, RunResults[]>();
  for (const r of runs.flatMap(splitModelRuns)) byModel.set(r.modelId, [...(byModel.get(r.modelId) ?? []), r]);
  const joined = [...byModel.values()].map((parts) => {
    const first = parts[0]!;
    const methods = JSON.stringify(first.methods.map((m) => m.id));
    for (const p of parts) {
      if (p.seed !== first.seed) throw new Error(`${p.modelId}: parts ran with seeds ${first.seed} and ${p.seed}`);
      if (JSON.stringify(p.methods.map((m) => m.id)) !== methods)
        throw new Error(`${p.modelId}: parts ran different methods`);
    }
    const names = [...new Set(parts.flatMap((p) => p.suites.map((s) => s.suiteName)))];
    const suites = names.map((name) => {
      const pieces = parts.flatMap((p) => p.suites.filter((s) => s.suiteName === name));
      const items = pieces.flatMap((s) => s.items);
      const seen = new Set<string>();
      for (const it of items) {
        if (seen.has(it.itemId)) throw new Error(`${first.modelId}: item ${it.itemId} of ${name} appears twice`);
        seen.add(it.itemId);
      }
      return {
        ...pieces[0]!,
        items: [...items].sort((a, b) => (a.itemId < b.itemId ? -1 : a.itemId > b.itemId ? 1 : 0)),
      };
    });
    return { ...first, suites };
  });
  return combineModelRuns(joined);
}
