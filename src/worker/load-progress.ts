import type { ProgressInfo } from '@huggingface/transformers';
import { mergeProgress, type FileProgress } from './protocol.ts';

/**
 * transformers.js progress as per-file progress, at most every 100 ms per file (the latest state always arrives):
 * `progress_total` announces every file of the model with its size up front (so the page's overall bar knows the
 * total early). `totals` collects each file's size as it becomes known.
 */
export function progressReporter(
  onProgress: (p: FileProgress) => void,
  totals: Map<string, number>,
): (info: ProgressInfo) => void {
  const latest = new Map<string, FileProgress>();
  const lastSent = new Map<string, number>();
  const pending = new Map<string, ReturnType<typeof setTimeout>>();
  const send = (file: string) => {
    clearTimeout(pending.get(file));
    pending.delete(file);
    lastSent.set(file, performance.now());
    onProgress(latest.get(file)!);
  };
  const update = (file: string, loaded: number, total: number, done: boolean) => {
    const p = mergeProgress(latest.get(file), { file, loaded, total, done });
    if (p.done) p.loaded = Math.max(p.loaded, p.total);
    latest.set(file, p);
    totals.set(file, Math.max(p.total, p.loaded));
    const wait = 100 - (performance.now() - (lastSent.get(file) ?? -Infinity));
    if (p.done || wait <= 0) send(file);
    // A file that stalls still shows the bytes it got: the last update goes out when the interval is over.
    else if (!pending.has(file))
      pending.set(
        file,
        setTimeout(() => send(file), wait),
      );
  };
  return (info) => {
    const i = info as {
      status: string;
      file?: string;
      loaded?: number;
      total?: number;
      files?: Record<string, { loaded: number; total: number }>;
    };
    if (i.status === 'progress_total' && i.files) {
      for (const [file, f] of Object.entries(i.files)) if (!latest.has(file)) update(file, f.loaded, f.total, false);
      return;
    }
    if (!i.file) return;
    if (i.status === 'progress') update(i.file, i.loaded ?? 0, i.total ?? 0, false);
    else if (i.status === 'done') update(i.file, 0, 0, true);
    else if (i.status === 'initiate' && !latest.has(i.file)) update(i.file, 0, 0, false);
  };
}
