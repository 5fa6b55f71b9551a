/** Display formatting only (no computation of results). */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MB`;
  return `${(n / 1024 ** 3).toFixed(2)} GB`;
}

export function formatPercent(x: number): string {
  return `${(x * 100).toFixed(0)}%`;
}

/** Make whitespace visible in model output (newlines as ⏎). */
export function showWhitespace(text: string): string {
  return text.replace(/\n/g, '⏎');
}

/** A time (ms since the epoch) in the reader's locale. */
export function formatLocalTime(ms: number): string {
  return new Date(ms).toLocaleString();
}
