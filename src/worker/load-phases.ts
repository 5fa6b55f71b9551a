/**
 * Where a model load's time goes, from transformers.js's own progress events (no patching): per file, the first and
 * the last byte read, and its `done` (which transformers.js sends after it has written the file into the browser
 * cache). What is left after the last file is done is ONNX Runtime's session creation; the probe is our first forward.
 */

/** One transformers.js progress event as the worker saw it, with the worker's clock. */
export interface LoadEvent {
  at: number;
  status: string;
  file?: string;
  loaded?: number;
  total?: number;
}

export interface LoadPhases {
  /** From the load's start to the last byte of the last file read (requests, downloads, reading the bodies). */
  readMs: number;
  /** Bytes read, and the largest file's read time and size (the weights: its MB/s is the download's speed). */
  bytes: number;
  largestFile: string;
  largestReadMs: number;
  largestBytes: number;
  /** Last byte to `done`, summed over files: writing them into the browser cache. */
  cacheMs: number;
  /** Last file done to the model's return: parsing the graph and creating the ONNX Runtime session. */
  sessionMs: number;
  /** The first forward pass (a few tokens) after the session exists. */
  probeMs: number;
}

/** The phases of a load that started at `start`, returned a model at `loaded` and finished its probe at `probed`. */
export function loadPhases(events: readonly LoadEvent[], start: number, loaded: number, probed: number): LoadPhases {
  const files = new Map<string, { first: number; last: number; bytes: number; done: number | null }>();
  for (const e of events) {
    if (!e.file) continue;
    const f = files.get(e.file) ?? { first: e.at, last: e.at, bytes: 0, done: null };
    if (e.status === 'progress') {
      if (f.bytes === 0) f.first = e.at;
      f.last = e.at;
      f.bytes = Math.max(f.bytes, e.loaded ?? 0);
    } else if (e.status === 'done') f.done = e.at;
    files.set(e.file, f);
  }
  const all = [...files.entries()];
  const lastByte = Math.max(start, ...all.map(([, f]) => f.last));
  const lastDone = Math.max(lastByte, ...all.map(([, f]) => f.done ?? f.last));
  const [name, largest] = all.reduce<[string, { first: number; last: number; bytes: number }]>(
    (a, b) => (b[1].bytes > a[1].bytes ? b : a),
    ['', { first: start, last: start, bytes: 0 }],
  );
  return {
    readMs: lastByte - start,
    bytes: all.reduce((n, [, f]) => n + f.bytes, 0),
    largestFile: name,
    largestReadMs: largest.last - largest.first,
    largestBytes: largest.bytes,
    cacheMs: all.reduce((n, [, f]) => n + Math.max(0, (f.done ?? f.last) - f.last), 0),
    sessionMs: Math.max(0, loaded - lastDone),
    probeMs: probed - loaded,
  };
}

/** The phases in one line, e.g. for the benchmark's table. */
export function formatPhases(p: LoadPhases): string {
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  const mbps = p.largestReadMs > 0 ? (p.largestBytes / 2 ** 20 / (p.largestReadMs / 1000)).toFixed(0) : '—';
  return (
    `read ${s(p.readMs)} (${(p.bytes / 2 ** 20).toFixed(0)} MB; ${p.largestFile} at ${mbps} MB/s) · ` +
    `browser-cache write ${s(p.cacheMs)} · session creation ${s(p.sessionMs)} · first forward ${s(p.probeMs)}`
  );
}
