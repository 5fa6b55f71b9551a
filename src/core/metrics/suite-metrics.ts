import type { MethodSpec } from '../methods/method.ts';
import type { ItemResult, MethodOutput, SuiteResults } from '../run/results.ts';
import { wilson } from './accuracy.ts';
import { entropySums, givenAnswer } from './entropy.ts';
import { isClarifyingQuestion } from './grounding.ts';
import { traceMoves } from './trace-moves.ts';

/**
 * The metric registry: extra numbers per (model × method, suite) beyond accuracy, declared once here and shown
 * everywhere a leaderboard is — the page's leaderboard (a column per metric that applies to the suite), `coax show`
 * (table, markdown, json, csv) and the leaderboard CSV export. Each row of `leaderboard()` carries them in `metrics`.
 *
 * To add a metric, add one entry to SUITE_METRICS: an id, a label and a one-line description (the column's header and
 * tooltip), how to show it (`percent` with its interval, `bits`, `number`), and `compute`, which gets the suite and the
 * method's outputs on it and returns the value, or null where the metric does not apply to that suite. Nothing else
 * needs to change. Metrics read stored outputs only, as the rest of metrics/.
 */

/** One metric's value on one suite for one method. */
export interface MetricValue {
  value: number;
  /** The outputs (or items) it is computed over. */
  n: number;
  /** For a proportion: the count, and its 95% Wilson interval. */
  count?: number;
  low?: number;
  high?: number;
  /** A short explanation of the value (which answer is the most frequent, how the shortcuts split). */
  note?: string;
}

export type MetricFormat = 'percent' | 'bits' | 'nats' | 'number';

/** A method's outputs on one suite: each item with the method's output for it (items it has none for left out). */
export interface MetricInput {
  suite: SuiteResults;
  method: MethodSpec;
  outputs: { item: ItemResult; out: MethodOutput }[];
}

export interface SuiteMetric {
  id: string;
  label: string;
  description: string;
  format: MetricFormat;
  /** The value, or null where the metric does not apply to this suite (no column is shown for it). */
  compute: (input: MetricInput) => MetricValue | null;
}

function proportion(count: number, n: number, note?: string): MetricValue {
  return { value: n ? count / n : 0, n, count, ...wilson(count, n), ...(note ? { note } : {}) };
}

/** Shannon entropy in bits of the empirical distribution of `values`. */
export function entropyBits(values: readonly string[]): number {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  let h = 0;
  for (const c of counts.values()) {
    const p = c / values.length;
    h -= p * Math.log2(p);
  }
  return h === 0 ? 0 : h;
}

// ---------------------------------------------------------------- worked traces of digit chains

const CHAIN = /^\d(?:[-+*]\d)+$/;
const PART = /^(-?\d+)((?:[-+*]\d)*)$/;
const PARTIAL = /^-?\d*(?:[-+*]\d)*[-+*]?$/;

/** A digit chain question ("3+4*2-5", "3 + 4 * 2 - 5"): its steps as "+4", "*2", …; null for any other question. */
export function chainSteps(question: string): string[] | null {
  const q = question.replace(/\s+/g, '');
  return CHAIN.test(q) ? (q.slice(1).match(/[-+*]\d/g) ?? []) : null;
}

export type TraceKind = 'complete' | 'direct' | 'skipped' | 'truncated';

/**
 * How an answer to a digit chain was reached, from its text. A worked trace rewrites the chain with one step done
 * per " = " ("3+4*2-5 = 7*2-5 = 4-5 = 9", after an optional "Let's go step by step."): the first part holds all k
 * steps of the question and each later part one step fewer, down to the bare value. Only the number of steps per
 * part is judged, not the digits: a miscopied digit or a wrong value is an error, not a shortcut.
 *   `complete`   every step written, one per "=", down to the value
 *   `direct`     no rewrite of the chain at all (a bare answer, or text that is not a trace of a k-step chain)
 *   `skipped`    a trace that does two or more steps at one "=" (or starts with steps already done), or that goes
 *                on to state an answer with steps left
 *   `truncated`  a trace right in form so far that stops before the last step without stating an answer (the token
 *                budget ran out), also when the budget cut it inside a part ("… = 4-")
 */
export function traceKind(question: string, text: string): TraceKind {
  const steps = chainSteps(question);
  if (!steps) return 'direct';
  // The trace is the text before its first sentence end ("… = 9. The answer is 9.") or line break.
  const body = text.replace(/^\s*Let's go step by step\.?/, '').split(/[.\n]/)[0]!;
  let parts = body.split('=').map((p) => p.replace(/\s+/g, ''));
  let cut = false;
  if (parts.length >= 2 && !PART.test(parts.at(-1)!) && PARTIAL.test(parts.at(-1)!)) {
    parts = parts.slice(0, -1); // cut by the budget inside a part: judge the parts before it
    cut = true;
  }
  if (parts.length < (cut ? 1 : 2) || !parts.every((p) => PART.test(p))) return 'direct';
  const counts = parts.map((p) => (PART.exec(p)![2]!.match(/[-+*]\d/g) ?? []).length);
  if (counts[0] === 0 || counts[0]! > steps.length) return 'direct'; // a bare value, or not this chain
  if (counts[0]! < steps.length) return 'skipped'; // starts with steps done unwritten
  for (let i = 1; i < counts.length; i++) if (counts[i] !== counts[i - 1]! - 1) return 'skipped';
  if (counts.at(-1) === 0 && !cut) return 'complete';
  // Steps left: cut short by the budget, unless the text goes on to state an answer (it jumped to the end).
  return !cut && /The answer/.test(text) ? 'skipped' : 'truncated';
}

/** Whether there are outputs and every one answers a digit chain (the trace metrics are about chains only). */
function allChains(outputs: MetricInput['outputs']): boolean {
  return outputs.length > 0 && outputs.every(({ item }) => chainSteps(item.question));
}

// ---------------------------------------------------------------- the registry

export const SUITE_METRICS: readonly SuiteMetric[] = [
  {
    id: 'shortcut-rate',
    label: 'shortcut rate',
    description:
      'share of answers to digit chains with no worked trace, or a trace that skips a step (a trace cut short by the token budget is not counted)',
    format: 'percent',
    compute: ({ outputs }) => {
      if (!allChains(outputs)) return null;
      const kinds = outputs.map(({ item, out }) => traceKind(item.question, out.text));
      const count = (k: TraceKind) => kinds.filter((x) => x === k).length;
      const direct = count('direct');
      const skipped = count('skipped');
      return proportion(
        direct + skipped,
        kinds.length,
        `direct ${direct}, skipped ${skipped}, cut short ${count('truncated')}, complete ${count('complete')}`,
      );
    },
  },
  {
    id: 'top-answer-share',
    label: 'top answer share',
    description:
      'share of the outputs that give the single most frequent answer (answer repetition: a model that always says the same thing scores 100%)',
    format: 'percent',
    compute: ({ outputs }) => {
      if (!outputs.some(({ item }) => item.answer !== '')) return null;
      const answers = outputs.flatMap(({ out }) => {
        const a = givenAnswer(out);
        return a === null ? [] : [a];
      });
      const counts = new Map<string, number>();
      for (const a of answers) counts.set(a, (counts.get(a) ?? 0) + 1);
      let top = '';
      let best = 0;
      for (const [a, c] of counts)
        if (c > best) {
          best = c;
          top = a;
        }
      return proportion(best, outputs.length, best ? `"${top}"` : 'no answers');
    },
  },
  {
    id: 'answer-entropy',
    label: 'answer entropy',
    description:
      'entropy (bits) of the answers across items: 0 when every output gives the same answer, log2 of the number of outputs when all differ (outputs with no answer count as one answer, "none")',
    format: 'bits',
    compute: ({ outputs }) => {
      if (outputs.length === 0) return null;
      const answers = outputs.map(({ out }) => givenAnswer(out) ?? '\u0000none');
      return { value: entropyBits(answers), n: answers.length, note: `max ${Math.log2(answers.length).toFixed(2)}` };
    },
  },
  {
    id: 'diversity',
    label: 'diversity',
    description:
      'distinct answers / outputs on a suite without reference answers (an open-ended one): 100% when no answer repeats',
    format: 'percent',
    compute: ({ outputs }) => {
      if (outputs.length === 0 || outputs.some(({ item }) => item.answer !== '')) return null;
      const distinct = new Set(outputs.flatMap(({ out }) => givenAnswer(out) ?? [])).size;
      return proportion(distinct, outputs.length);
    },
  },
  {
    id: 'open-entropy',
    label: 'token entropy',
    description:
      'on a suite without reference answers (an open-ended one): mean next-token entropy (nats) over content tokens, averaged per output, then over outputs, with a 95% normal interval over outputs (mean ± 1.96 standard errors)',
    format: 'nats',
    compute: ({ outputs }) => {
      if (outputs.length === 0 || outputs.some(({ item }) => item.answer !== '')) return null;
      const per = outputs.flatMap(({ out }) => {
        const e = entropySums(out);
        return e.contentTokens ? [e.content / e.contentTokens] : [];
      });
      if (per.length === 0) return null;
      const mean = per.reduce((a, x) => a + x, 0) / per.length;
      const sd = per.length > 1 ? Math.sqrt(per.reduce((a, x) => a + (x - mean) ** 2, 0) / (per.length - 1)) : 0;
      const half = (1.959963984540054 * sd) / Math.sqrt(per.length);
      return { value: mean, n: per.length, low: mean - half, high: mean + half };
    },
  },
  {
    id: 'check-move-rate',
    label: 'check moves',
    description:
      'share of answers to digit chains whose trace has a check or hesitation move ("Check: 3+4 is 7", "wait", "not 8"): the caution a careful solver writes',
    format: 'percent',
    compute: ({ outputs }) => {
      if (!allChains(outputs)) return null;
      const moves = outputs.map(({ out }) => traceMoves(out.text));
      const check = moves.filter((m) => m.check).length;
      const hesitation = moves.filter((m) => m.hesitation).length;
      return proportion(
        moves.filter((m) => m.check || m.hesitation).length,
        moves.length,
        `check ${check}, hesitation ${hesitation}`,
      );
    },
  },
  {
    id: 'grounding-act-rate',
    label: 'grounding acts',
    description:
      'share of answers to ambiguous questions (a suite whose split is "ambiguous") that ask a clarifying question ("Which Ana, Ana Kim or Ana Ruiz?") instead of answering',
    format: 'percent',
    compute: ({ suite, outputs }) => {
      if (suite.split !== 'ambiguous' || outputs.length === 0) return null;
      return proportion(outputs.filter(({ out }) => isClarifyingQuestion(out.text)).length, outputs.length);
    },
  },
];

/** The registry's metrics that apply to one method's outputs on one suite, by id. */
export function suiteMetrics(
  suite: SuiteResults,
  method: MethodSpec,
  registry: readonly SuiteMetric[] = SUITE_METRICS,
): Record<string, MetricValue> {
  const outputs = suite.items.flatMap((item) => {
    const out = item.outputs[method.id];
    return out ? [{ item, out }] : [];
  });
  const values: Record<string, MetricValue> = {};
  for (const m of registry) {
    const v = m.compute({ suite, method, outputs });
    if (v) values[m.id] = v;
  }
  return values;
}

/** The metrics that have a value in any of the rows, in registry order (the columns a table shows). */
export function metricsShown(
  rows: readonly { metrics: Record<string, MetricValue> }[],
  registry: readonly SuiteMetric[] = SUITE_METRICS,
): SuiteMetric[] {
  return registry.filter((m) => rows.some((r) => r.metrics[m.id]));
}

/** A value as a table shows it: "12.5%" or "1.92 bits"; with `interval`, a proportion's 95% interval after it. */
export function formatMetric(metric: SuiteMetric, v: MetricValue | undefined, interval = false): string {
  if (!v) return '—';
  if (metric.format === 'percent') {
    const p = `${(v.value * 100).toFixed(1)}%`;
    return interval && v.low !== undefined && v.high !== undefined
      ? `${p} (${(v.low * 100).toFixed(1)}–${(v.high * 100).toFixed(1)})`
      : p;
  }
  if (metric.format === 'bits') return `${v.value.toFixed(2)} bits`;
  if (metric.format === 'nats')
    return interval && v.low !== undefined && v.high !== undefined
      ? `${v.value.toFixed(3)} nats (${v.low.toFixed(3)}–${v.high.toFixed(3)})`
      : `${v.value.toFixed(3)} nats`;
  return v.value.toFixed(3);
}
