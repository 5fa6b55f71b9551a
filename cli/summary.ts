import { entropyBySuite, type LeaderboardRow } from '../src/core/metrics/comparison.ts';
import { modelLeaderboard, type ModelRow } from '../src/core/metrics/models.ts';
import { shortModelName } from '../src/core/run/models.ts';
import type { RunResults } from '../src/core/run/results.ts';
import { formatPValue } from '../src/core/metrics/mcnemar.ts';
import { formatMetric, metricsShown } from '../src/core/metrics/suite-metrics.ts';

export interface SummaryRow extends LeaderboardRow, Partial<Pick<ModelRow, 'modelId' | 'method' | 'vsFirstModel'>> {
  /** Mean next-token entropy (nats) over all generated tokens, and over content tokens only (metrics/entropy.ts). */
  meanEntropy: number;
  contentEntropy: number;
  /** Distinct answers among the outputs (the diversity of an open-ended suite). */
  distinctAnswers: number;
  outputs: number;
}

/**
 * Accuracy with 95% Wilson intervals, tokens, time, entropy and distinct answers, per suite × method: the page's
 * leaderboard and entropy data. A run over several models has its rows by suite, model and method, each with McNemar
 * against the first model with the same method.
 */
export function summarize(results: RunResults): SummaryRow[] {
  const entropy = entropyBySuite(results);
  return modelLeaderboard(results).map((r) => {
    const e = entropy.find((x) => x.suiteName === r.suiteName && x.methodId === r.methodId);
    return {
      ...r,
      meanEntropy: e?.meanEntropy ?? 0,
      contentEntropy: e?.contentEntropy ?? 0,
      distinctAnswers: e?.distinctAnswers ?? 0,
      outputs: e?.outputs ?? 0,
    };
  });
}
function pairCell(v: SummaryRow['vsBaseline'], n: number): string {
  if (!v) return '—';
  return n ? `${v.p < 0.001 ? '<0.001' : v.p.toFixed(3)} (+${v.gained}/−${v.lost})` : '—';
}

/** Whether the rows come from a run over several models. */
function manyModels(rows: readonly SummaryRow[]): boolean {
  return new Set(rows.map((r) => r.modelId)).size > 1;
}

export function formatTable(rows: readonly SummaryRow[]): string {
  if (manyModels(rows)) return formatModelTable(rows);
  const metrics = metricsShown(rows);
  const header = [
    'suite',
    'method',
    'accuracy',
    '95% CI',
    'correct/n',
    'p vs baseline',
    'tokens',
    'H all',
    'H content',
    'distinct',
    'time',
    ...metrics.map((m) => m.label),
  ];
  const body = rows.map((r) => [
    r.suiteName,
    r.methodId,
    r.n ? `${(r.accuracy * 100).toFixed(1)}%` : '—',
    r.n ? `${(r.low * 100).toFixed(1)}–${(r.high * 100).toFixed(1)}` : '—',
    // Items without a reference answer (open-ended) have no accuracy and nothing to pair with the baseline.
    r.n ? `${r.correct}/${r.n}` : '—',
    !r.vsBaseline
      ? 'baseline'
      : r.n
        ? `${formatPValue(r.vsBaseline.p)} (+${r.vsBaseline.gained}/−${r.vsBaseline.lost})`
        : '—',
    String(r.generatedTokens),
    r.meanEntropy.toFixed(3),
    r.contentEntropy.toFixed(3),
    `${r.distinctAnswers}/${r.outputs}`,
    `${(r.ms / 1000).toFixed(1)}s`,
    ...metrics.map((m) => formatMetric(m, r.metrics[m.id])),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i >= 2 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

/** The table of a run over several models: a model column, and McNemar against the first model, same method. */
function formatModelTable(rows: readonly SummaryRow[]): string {
  const first = shortModelName(rows[0]!.modelId ?? '');
  const metrics = metricsShown(rows);
  const header = [
    'suite',
    'model',
    'method',
    'accuracy',
    '95% CI',
    'correct/n',
    `p vs ${first}`,
    'p vs baseline',
    'tokens',
    'H all',
    'distinct',
    'time',
    ...metrics.map((m) => m.label),
  ];
  const body = rows.map((r) => [
    r.suiteName,
    shortModelName(r.modelId ?? ''),
    r.method ?? r.methodId,
    r.n ? `${(r.accuracy * 100).toFixed(1)}%` : '—',
    r.n ? `${(r.low * 100).toFixed(1)}–${(r.high * 100).toFixed(1)}` : '—',
    r.n ? `${r.correct}/${r.n}` : '—',
    r.vsFirstModel ? pairCell(r.vsFirstModel, r.n) : 'first',
    r.vsBaseline ? pairCell(r.vsBaseline, r.n) : 'baseline',
    String(r.generatedTokens),
    r.meanEntropy.toFixed(3),
    `${r.distinctAnswers}/${r.outputs}`,
    `${(r.ms / 1000).toFixed(1)}s`,
    ...metrics.map((m) => formatMetric(m, r.metrics[m.id])),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i >= 3 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

/** The summary as a Markdown table (the data card's measured table). */
export function formatMarkdown(rows: readonly SummaryRow[]): string {
  const metrics = metricsShown(rows);
  const many = manyModels(rows);
  const lines = [
    `| suite |${many ? ' model |' : ''} method | accuracy % | 95% CI | correct/n | p vs baseline (+gained/−lost) | tokens | entropy, all tokens | entropy, content tokens | distinct answers |${metrics.map((m) => ` ${m.label} |`).join('')}`,
    `|---|${many ? '---|' : ''}---|---|---|---|---|---|---|---|---|${metrics.map(() => '---|').join('')}`,
  ];
  for (const r of rows)
    lines.push(
      `| ${[
        r.suiteName,
        ...(many ? [shortModelName(r.modelId ?? '')] : []),
        many ? (r.method ?? r.methodId) : r.methodId,
        r.n ? (r.accuracy * 100).toFixed(1) : '— (no reference answers)',
        r.n ? `${(r.low * 100).toFixed(1)}–${(r.high * 100).toFixed(1)}` : '—',
        r.n ? `${r.correct}/${r.n}` : '—',
        r.vsBaseline
          ? r.n
            ? `${formatPValue(r.vsBaseline.p)} (+${r.vsBaseline.gained}/−${r.vsBaseline.lost})`
            : '—'
          : 'baseline',
        String(r.generatedTokens),
        r.meanEntropy.toFixed(3),
        r.contentEntropy.toFixed(3),
        `${r.distinctAnswers}/${r.outputs}`,
        ...metrics.map((m) => formatMetric(m, r.metrics[m.id], true)),
      ].join(' | ')} |`,
    );
  return lines.join('\n');
}

/**
 * Suites as rows and methods as columns (the README's table): accuracy % with its 95% interval and, against the
 * baseline, the McNemar p; bold where a method is significantly better than the baseline (p < 0.05, more items
 * gained than lost).
 */
export function formatGrid(rows: readonly SummaryRow[], methodIds: readonly string[]): string {
  const suites = [...new Set(rows.map((r) => r.suiteName))];
  const lines = [`| suite | ${methodIds.join(' | ')} |`, `|---|${methodIds.map(() => '---|').join('')}`];
  for (const s of suites) {
    const cells = methodIds.map((id) => {
      const r = rows.find((x) => x.suiteName === s && x.methodId === id);
      if (!r) return '';
      if (!r.n) return '—';
      const acc = (r.accuracy * 100).toFixed(1);
      const ci = `(${(r.low * 100).toFixed(1)}–${(r.high * 100).toFixed(1)})`;
      const v = r.vsBaseline;
      const better = v !== null && v.p < 0.05 && v.gained > v.lost;
      return `${better ? `**${acc}**` : acc} ${ci}${v ? `, p ${formatPValue(v.p)}` : ''}`;
    });
    lines.push(`| ${s} | ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

/** Correct/n per value of an item tag (e.g. `steps` of an arithmetic chain), for each suite and method. */
export function accuracyByTag(
  results: RunResults,
  tag: string,
): { suiteName: string; methodId: string; cells: { value: string | number; correct: number; n: number }[] }[] {
  return results.suites.flatMap((s) => {
    const values = [...new Set(s.items.map((it) => it.tags[tag]).filter((v) => v !== undefined))].sort((a, b) =>
      typeof a === 'number' && typeof b === 'number' ? a - b : String(a).localeCompare(String(b)),
    );
    if (values.length === 0) return [];
    return results.methods.map((m) => ({
      suiteName: s.suiteName,
      methodId: m.id,
      cells: values.map((value) => {
        const items = s.items.filter((it) => it.tags[tag] === value && it.answer !== '' && it.outputs[m.id]);
        return { value, correct: items.filter((it) => it.outputs[m.id]!.correct).length, n: items.length };
      }),
    }));
  });
}
