/** What the commands print beside their results: a progress bar on stderr, the methods of a run one line each. */
import { chainOrderNote } from '../src/core/logits/chain-order.ts';
import type { MethodSpec } from '../src/core/methods/method.ts';

export function progressBar(done: number, total: number, label: string): void {
  if (!process.stderr.isTTY && done !== total && done % Math.max(1, Math.floor(total / 20)) !== 0) return;
  const width = 30;
  const filled = Math.round((done / total) * width);
  const line = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} ${label}`;
  process.stderr.write(process.stderr.isTTY ? `\r${line.padEnd(90)}` : `${line}\n`);
}

/** The methods of a run, one line each; a sampling chain says its processor order and whether it is HF's. */
export function methodLines(methods: readonly MethodSpec[]): string[] {
  const width = Math.max(...methods.map((m) => m.id.length));
  return methods.map((m) => {
    const order = m.decoding.kind === 'sample' ? chainOrderNote(m.decoding.chain) : null;
    return `  ${m.id.padEnd(width)}  ${m.label}${order ? ` — ${order}` : ''}`;
  });
}
