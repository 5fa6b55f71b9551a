/**
 * The page's memory from outside the browser: the resident set of Chromium's renderer processes (the page, its
 * worker, ONNX Runtime's WASM heap and the JS heap all live there), read from /proc by the benchmark's driver and
 * sampled while the worker benchmark runs. The page cannot measure this itself: `performance.memory` sees only the
 * JS heap, and the WASM heap's size is private to ONNX Runtime. Linux only; elsewhere it reports nothing.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';

/** Bytes resident in all Chromium renderer processes now, or null where /proc cannot tell. */
export function rendererRssBytes(): number | null {
  if (!existsSync('/proc/self/status')) return null;
  let total = 0;
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (!cmd.includes('--type=renderer')) continue;
      const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (rss) total += Number(rss[1]) * 1024;
    } catch {
      // the process ended between the listing and the read
    }
  }
  return total;
}

/** Sample the renderers' RSS every `everyMs` while `fn` runs: the value before and the peak. */
export async function watchRendererMemory<T>(
  fn: () => Promise<T>,
  everyMs = 100,
): Promise<[T, { beforeBytes: number; peakBytes: number } | null]> {
  const before = rendererRssBytes();
  if (before === null) return [await fn(), null];
  const m = { beforeBytes: before, peakBytes: before };
  const timer = setInterval(() => (m.peakBytes = Math.max(m.peakBytes, rendererRssBytes() ?? 0)), everyMs);
  try {
    return [await fn(), m];
  } finally {
    clearInterval(timer);
    m.peakBytes = Math.max(m.peakBytes, rendererRssBytes() ?? 0);
  }
}
