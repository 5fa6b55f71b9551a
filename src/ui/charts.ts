/**
 * Charts of the comparison view as functions of their data (Observable Plot). Each builds the same SVG for the same
 * input, so a test can render one for a fixed input and compare it with a stored snapshot, as Plot's own tests do.
 * `document` is for rendering outside a page (Plot's option); the page leaves it out.
 */
import * as Plot from '@observablehq/plot';
import { FREQUENCY_BUCKETS } from '../core/metrics/competence.ts';
import { methodLabel, type MethodSpec } from '../core/methods/method.ts';
import { baselineId, samplingCurves } from '../core/metrics/comparison.ts';
import { accuracyOf } from '../core/metrics/accuracy.ts';
import type { SuiteResults } from '../core/run/results.ts';

export type Chart = SVGSVGElement | HTMLElement;

/** One point of a maj@k or pass@k curve, with its error bar (low = high = value where the curve is exact). */
export interface SamplesPoint {
  k: number;
  value: number;
  low: number;
  high: number;
  series: string;
}

export interface SamplesChartData {
  suite: string;
  curves: SamplesPoint[];
  /** Whether every maj@k is exact (every k-subset counted) rather than estimated. */
  exact: boolean;
  /** Accuracy of the baseline (greedy on the plain prompt), drawn as a dashed line. */
  greedy: number;
}

/** The maj@k and pass@k curves of one suite's sampling methods, and the baseline's accuracy. */
export function samplesChartData(suite: SuiteResults, methods: readonly MethodSpec[]): SamplesChartData {
  const points = samplingCurves(suite, methods);
  const curves = points.flatMap((p) => [
    {
      k: p.k,
      value: p.majAtK,
      low: p.majAtK - p.majAtKError,
      high: p.majAtK + p.majAtKError,
      series: `${methodLabel(methods, p.methodId)} · maj@k`,
    },
    {
      k: p.k,
      value: p.passAtK,
      low: p.passAtK,
      high: p.passAtK,
      series: `${methodLabel(methods, p.methodId)} · pass@k`,
    },
  ]);
  return {
    suite: suite.suiteName,
    curves,
    exact: points.every((p) => p.majAtKExact),
    greedy: accuracyOf(suite.items, baselineId(methods)).accuracy,
  };
}

export function samplesChart(data: SamplesChartData, options: { document?: Document } = {}): Chart {
  return Plot.plot({
    document: options.document,
    width: 640,
    height: 280,
    y: { domain: [0, 1], label: 'expected accuracy', grid: true, tickFormat: '%' },
    x: { label: 'k (samples per vote)', tickFormat: 'd' },
    color: { legend: true },
    marks: [
      Plot.ruleY([data.greedy], { stroke: '#555', strokeDasharray: '4 3' }),
      Plot.text([data.greedy], {
        y: (d: number) => d,
        frameAnchor: 'right',
        dy: -6,
        text: () => 'greedy',
      }),
      ...(data.exact ? [] : [Plot.ruleX(data.curves, { x: 'k', y1: 'low', y2: 'high', stroke: 'series' })]),
      Plot.line(data.curves, { x: 'k', y: 'value', stroke: 'series', marker: 'circle' }),
    ],
  });
}

/** One point of the fact-frequency chart: a method's accuracy on facts seen this often in training. */
export interface FactPoint {
  bucket: string;
  accuracy: number;
  /** The method's label. */
  method: string;
}

export function factFrequencyChart(facts: readonly FactPoint[], options: { document?: Document } = {}): Chart {
  return Plot.plot({
    document: options.document,
    width: 640,
    height: 280,
    x: {
      domain: FREQUENCY_BUCKETS.map((b) => b.label),
      label: 'times the fact was seen in training',
      type: 'point',
    },
    y: { domain: [0, 1], label: 'accuracy', grid: true, tickFormat: '%' },
    color: { legend: true },
    marks: [Plot.line(facts, { x: 'bucket', y: 'accuracy', stroke: 'method', marker: 'circle', tip: true })],
  });
}

/** The overlaid pass@k curves of several models (the Models tab): each model's mean pass@k for k = 1…n. */
export interface PassAtKChartData {
  /** Said in the chart's corner: suite, method, n and what counts as solved. */
  title: string;
  /** Samples per item: k runs 1…n. */
  n: number;
  curves: { model: string; passAtK: readonly number[] }[];
}

/** The k axis's ticks: powers of two below n, and n (as the tables' columns). */
function powerTicks(n: number): number[] {
  const ks: number[] = [];
  for (let k = 1; k < n; k *= 2) ks.push(k);
  ks.push(n);
  return ks;
}

export function passAtKChart(data: PassAtKChartData, options: { document?: Document } = {}): Chart {
  const n = Math.max(2, data.n);
  const points = data.curves.flatMap((c) =>
    c.passAtK.slice(0, data.n).map((value, i) => ({ k: i + 1, value, model: c.model })),
  );
  const ends = data.curves.map((c) => ({ k: data.n, value: c.passAtK[data.n - 1] ?? 0, model: c.model }));
  return Plot.plot({
    document: options.document,
    width: 680,
    height: 320,
    marginRight: 130,
    y: { domain: [0, 1], label: 'pass@k', grid: true, tickFormat: '%' },
    x: { type: 'log', base: 2, label: 'k (log scale)', ticks: powerTicks(n), tickFormat: 'd', domain: [1, n] },
    color: { label: 'model', domain: data.curves.map((c) => c.model) },
    // Labels at the curves' ends rather than a legend, so the exported SVG is the whole chart.
    marks: [
      Plot.line(points, { x: 'k', y: 'value', stroke: 'model' }),
      // One label per curve at its end, spread apart so curves that end together stay readable.
      ...ends.map((p, i) =>
        Plot.text([p], {
          x: 'k',
          y: 'value',
          text: 'model',
          fill: 'model',
          dx: 4,
          dy: (i - (ends.length - 1) / 2) * 13,
          textAnchor: 'start',
        }),
      ),
      Plot.text([data.title], { frameAnchor: 'top-left', dx: 4, dy: 4 }),
    ],
  });
}
