/**
 * What a model folder or hub repository offers, as plain functions over file lists: which dtypes it has, what a
 * dtype costs to download, which dtypes this device can run, and which model a browser-cache entry belongs to.
 */
import { DTYPES, DTYPE_FILES, HALF_DTYPES, dataFilesIn, type Dtype } from '../worker/dtypes.ts';

/** The files transformers.js reads for a causal LM besides the weights (when the folder has them). */
export const SHARED_FILES = ['config.json', 'generation_config.json', 'tokenizer.json', 'tokenizer_config.json'];

export function availableDtypes(files: readonly string[]): Dtype[] {
  return DTYPES.filter((d) => files.includes(DTYPE_FILES[d]));
}

/** The weight files of one dtype that `files` holds: the graph and its external data chunks in order. */
export function weightFiles(files: readonly string[], dtype: Dtype): string[] {
  const onnx = DTYPE_FILES[dtype];
  if (!files.includes(onnx)) return [];
  return [onnx, ...dataFilesIn(files, onnx)];
}

/** Files a load of `dtype` reads, in the order they are fetched. */
export function filesForDtype(files: readonly string[], dtype: Dtype): string[] {
  return [...SHARED_FILES.filter((f) => files.includes(f)), ...weightFiles(files, dtype)];
}

/** Bytes a load of `dtype` reads, or null when a size is unknown (or the dtype is missing). */
export function bytesForDtype(
  files: readonly string[],
  sizes: Readonly<Record<string, number>>,
  dtype: Dtype,
): number | null {
  const needed = filesForDtype(files, dtype);
  if (weightFiles(files, dtype).length === 0) return null;
  let total = 0;
  for (const f of needed) {
    const size = sizes[f];
    if (size === undefined) return null;
    total += size;
  }
  return total;
}

export interface DeviceCaps {
  backend: 'webgpu' | 'wasm';
  /** The WebGPU adapter has `shader-f16`. */
  shaderF16: boolean;
}

export interface DtypeChoice {
  dtype: Dtype;
  /** The folder or repository has this dtype's weights (true when its file list is unknown). */
  available: boolean;
  /** This device can run it. */
  runnable: boolean;
  /** Why it cannot be chosen, for the option's label. */
  why: string | null;
  bytes: number | null;
}

/** Every dtype with whether it can be chosen here; `files` null: the file list is not known yet. */
export function dtypeChoices(
  files: readonly string[] | null,
  sizes: Readonly<Record<string, number>>,
  caps: DeviceCaps,
): DtypeChoice[] {
  return DTYPES.map((dtype) => {
    const available = files === null || files.includes(DTYPE_FILES[dtype]);
    const runnable = !(caps.backend === 'webgpu' && HALF_DTYPES.includes(dtype) && !caps.shaderF16);
    const why = !available ? `no ${DTYPE_FILES[dtype]}` : !runnable ? 'this GPU has no shader-f16' : null;
    return { dtype, available, runnable, why, bytes: files ? bytesForDtype(files, sizes, dtype) : null };
  });
}

/** The dtype to preselect: the one asked for if it can be chosen, else fp32, else the smallest that can. */
export function defaultDtype(choices: readonly DtypeChoice[], wanted: Dtype | null): Dtype | null {
  const ok = choices.filter((c) => c.available && c.runnable);
  if (wanted && ok.some((c) => c.dtype === wanted)) return wanted;
  if (ok.some((c) => c.dtype === 'fp32')) return 'fp32';
  const sized = ok.filter((c) => c.bytes !== null).sort((a, b) => a.bytes! - b.bytes!);
  return (sized[0] ?? ok[0])?.dtype ?? null;
}

export type CacheSource = 'hub' | 'bundled' | 'other';

export interface CacheEntry {
  url: string;
  bytes: number;
}

export interface CachedModel {
  /** Stable key: source, host and id. */
  key: string;
  source: CacheSource;
  /** Hub id or bundled folder id; for 'other', a description. */
  id: string;
  /** Where it came from: the hub's origin, or the page's. */
  host: string;
  files: { url: string; file: string; bytes: number }[];
  bytes: number;
}

const HUB_PATH = /^\/((?:[^/]+\/)?[^/]+)\/resolve\/[^/]+\/(.+)$/;

/** Which model a cached URL belongs to: a hub file (`<host>/<id>/resolve/<rev>/<file>`), a bundled file, or other. */
export function classifyCacheUrl(
  url: string,
  modelsBase: string,
  bundledIds: readonly string[],
): { source: CacheSource; id: string; host: string; file: string } {
  const u = new URL(url);
  const base = new URL(modelsBase);
  if (u.origin === base.origin && u.pathname.startsWith(base.pathname)) {
    const rest = decodeURIComponent(u.pathname.slice(base.pathname.length));
    const known = [...bundledIds].sort((a, b) => b.length - a.length).find((id) => rest.startsWith(`${id}/`));
    const id =
      known ??
      (rest.includes('/onnx/')
        ? rest.slice(0, rest.indexOf('/onnx/'))
        : rest.slice(0, Math.max(0, rest.lastIndexOf('/'))));
    return { source: 'bundled', id, host: u.origin, file: rest.slice(id.length + 1) };
  }
  const hub = HUB_PATH.exec(decodeURIComponent(u.pathname));
  if (hub) return { source: 'hub', id: hub[1]!, host: u.origin, file: hub[2]! };
  return {
    source: 'other',
    id: 'other files (ONNX Runtime and the like)',
    host: u.origin,
    file: decodeURIComponent(u.pathname),
  };
}

/** Cache entries grouped by model, by id then host; 'other' last. */
export function groupCache(
  entries: readonly CacheEntry[],
  modelsBase: string,
  bundledIds: readonly string[],
): CachedModel[] {
  const groups = new Map<string, CachedModel>();
  for (const e of entries) {
    const c = classifyCacheUrl(e.url, modelsBase, bundledIds);
    const key = c.source === 'other' ? 'other' : `${c.source}:${c.host}:${c.id}`;
    const g = groups.get(key) ?? { key, source: c.source, id: c.id, host: c.host, files: [], bytes: 0 };
    g.files.push({ url: e.url, file: c.file, bytes: e.bytes });
    g.bytes += e.bytes;
    groups.set(key, g);
  }
  const order = (g: CachedModel) => (g.source === 'other' ? 1 : 0);
  return [...groups.values()]
    .map((g) => ({ ...g, files: g.files.sort((a, b) => a.file.localeCompare(b.file)) }))
    .sort((a, b) => order(a) - order(b) || a.id.localeCompare(b.id) || a.host.localeCompare(b.host));
}

/** A hub id as the hub accepts it: "org/name" (or a legacy single name), no path tricks. */
export function checkHubId(id: string): string | null {
  const trimmed = id.trim();
  if (!trimmed) return 'Type a model id such as org/name.';
  if (
    !/^[\w.-]+(\/[\w.-]+)?$/.test(trimmed) ||
    trimmed.split('/').some((s) => s === '.' || s === '..') ||
    trimmed.includes('--')
  ) {
    return `"${trimmed}" is not a hub model id (org/name: letters, digits, ".", "_" and "-").`;
  }
  return null;
}

/** Each dtype a file list has, with the bytes a load of it reads (null where a size is unknown). */
export function dtypeSizes(
  files: readonly string[],
  sizes: Readonly<Record<string, number>>,
): { dtype: Dtype; bytes: number | null }[] {
  return availableDtypes(files).map((dtype) => ({ dtype, bytes: bytesForDtype(files, sizes, dtype) }));
}
