/**
 * npx tsx bench/long-tasks.ts trace.json [minMs]: the page's main-thread tasks over minMs (default 50) in a Chromium
 * performance trace (`npm run bench -- --trace trace.json`), each with what it spent its time on: the trace events
 * inside it (script, style, layout, paint, GC) by total time, and the script functions it called.
 */
import { readFileSync } from 'node:fs';

interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  ts: number;
  dur?: number;
  args?: { name?: string; data?: { functionName?: string; url?: string; type?: string } };
}

const [file, min = '50'] = process.argv.slice(2);
if (!file) throw new Error('usage: tsx bench/long-tasks.ts trace.json [minMs]');
const raw = JSON.parse(readFileSync(file, 'utf8')) as { traceEvents?: TraceEvent[] } | TraceEvent[];
const events = Array.isArray(raw) ? raw : (raw.traceEvents ?? []);
const mains = new Set(
  events.filter((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain').map((e) => `${e.pid}:${e.tid}`),
);
const onMain = events.filter((e) => mains.has(`${e.pid}:${e.tid}`) && e.ph === 'X' && e.dur !== undefined);
const tasks = onMain.filter((e) => e.name === 'RunTask' && e.dur! / 1000 > Number(min));
const label = (e: TraceEvent) => {
  const d = e.args?.data;
  if (e.name === 'FunctionCall' || e.name === 'EventDispatch' || e.name === 'TimerFire')
    return `${e.name} ${d?.type ?? ''}${d?.functionName ?? ''} ${(d?.url ?? '').split('/').pop() ?? ''}`.trim();
  return e.name;
};
console.log(`${tasks.length} main-thread task(s) over ${min} ms`);
for (const t of tasks) {
  const inside = onMain.filter((e) => e !== t && e.ts >= t.ts && e.ts + e.dur! <= t.ts + t.dur!);
  const by = new Map<string, number>();
  for (const e of inside) by.set(label(e), (by.get(label(e)) ?? 0) + e.dur! / 1000);
  const top = [...by.entries()].sort((a, b) => b[1] - a[1]).slice(0, 12);
  console.log(`\ntask of ${(t.dur! / 1000).toFixed(1)} ms at ${(t.ts / 1000).toFixed(0)} ms:`);
  for (const [name, ms] of top) console.log(`  ${ms.toFixed(1).padStart(8)} ms  ${name}`);
}
