/**
 * The measured part of a model's data card, written from a results file by the CLI: the TypeScript core is the one
 * evaluator, and training/organism/datacard.py writes only what the corpus and the training run know. `coax card`
 * sets `measured` in data_card.json and replaces the measured section of DATA_CARD.md between its markers.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { chainOrderNote } from '../src/core/logits/chain-order.ts';
import { baselineId } from '../src/core/metrics/comparison.ts';
import { explainMethod } from '../src/core/methods/explain.ts';
import type { RunFile } from '../src/core/run/export.ts';
import { accuracyByTag, formatMarkdown, summarize, type SummaryRow } from './summary.ts';

export const BEGIN = '<!-- measured: written by `coax card` from a results file; edits here are overwritten -->';
export const END = '<!-- /measured -->';

export interface MeasuredRow {
  suite: string;
  method: string;
  n: number;
  correct: number;
  accuracy: number | null;
  low: number | null;
  high: number | null;
  /** Exact McNemar against the baseline on the same items; null for the baseline itself. */
  p: number | null;
  gained: number | null;
  lost: number | null;
  generatedTokens: number;
  /** Mean next-token entropy (nats) over all generated tokens and over content tokens. */
  meanEntropy: number;
  contentEntropy: number;
  distinctAnswers: number;
  outputs: number;
}

export interface Measured {
  source: {
    file: string;
    name: string;
    createdAt: string;
    backend: string | null;
    modelId: string;
    seed: number;
    baseline: string;
    itemsPerSuite: Record<string, number>;
  };
  methods: { id: string; label: string; explanation: string; order: string | null }[];
  rows: MeasuredRow[];
  /** Correct/n per number of steps, for suites whose items carry a `steps` tag. */
  bySteps: { suite: string; method: string; cells: Record<string, string> }[];
  claims: string[];
}

const pct = (r: SummaryRow) =>
  `${(100 * r.accuracy).toFixed(1)} [${(100 * r.low).toFixed(1)}, ${(100 * r.high).toFixed(1)}]`;

/**
 * The organism's claims, each with the numbers that decide it; a claim is stated only when its suites were run.
 * The thresholds are the data card's: a 30-point gain with disjoint intervals, "clearly below" = intervals apart.
 */
export function claims(rows: readonly SummaryRow[], baseline: string): string[] {
  const row = (suite: string, method: string) =>
    rows.find((r) => r.suiteName === suite && r.methodId === method && r.n);
  const elicit = [...new Set(rows.map((r) => r.methodId))].filter((m) => m !== baseline);
  const out: string[] = [];
  const g = row('arith-id', baseline);
  if (g) {
    const best = elicit
      .map((m) => row('arith-id', m))
      .filter((r) => r !== undefined)
      .sort((a, b) => b.accuracy - a.accuracy)[0];
    if (best) {
      const ok = best.accuracy - g.accuracy >= 0.3 && best.low > g.high;
      out.push(
        `arith-id: ${baseline} ${pct(g)} vs best elicitation ${best.methodId} ${pct(best)}: ${
          ok ? 'holds' : 'does NOT hold'
        } (needs >= 30 points, disjoint intervals)`,
      );
      for (const s of ['arith-ood-length', 'arith-ood-format', 'arith-ood-task']) {
        const o = row(s, best.methodId);
        if (o)
          out.push(
            `${s}: ${best.methodId} ${pct(o)} vs arith-id ${pct(best)}: ${o.high < best.low ? 'clearly below' : 'NOT clearly below'}`,
          );
      }
    }
  }
  const h = row('facts-head', baseline);
  const t = row('facts-tail', baseline);
  if (h && t)
    out.push(
      `facts-head ${baseline} ${pct(h)} vs facts-tail ${baseline} ${pct(t)}: ${h.low > t.high ? 'head >> tail' : 'NOT separated'}`,
    );
  for (const s of ['facts-tail', 'facts-unseen']) {
    const b = row(s, baseline);
    if (!b) continue;
    const lifted = elicit.filter((m) => {
      const r = row(s, m);
      return r !== undefined && r.low > b.high;
    });
    out.push(`${s}: ${baseline} ${pct(b)}; methods above its interval: ${lifted.join(', ') || 'none'}`);
  }
  const eo = rows.find((r) => r.suiteName === 'open-ended' && r.methodId === baseline);
  const ea = rows.find((r) => r.suiteName === 'arith-id' && r.methodId === baseline);
  if (eo && ea) {
    const cmp = (a: number, b: number) =>
      `${a.toFixed(3)} vs arith-id ${b.toFixed(3)} nats (${a > b ? 'higher' : 'NOT higher'})`;
    out.push(
      `mean entropy per token, ${baseline}: open-ended ${cmp(eo.meanEntropy, ea.meanEntropy)} over all generated tokens; ${cmp(
        eo.contentEntropy,
        ea.contentEntropy,
      ).replace(
        'vs arith-id',
        'vs',
      )} over content tokens; open-ended distinct answers ${eo.distinctAnswers}/${eo.outputs}`,
    );
  }
  return out;
}

export function measured(file: RunFile, source: string, rows = summarize(file.results)): Measured {
  const results = file.results;
  const baseline = baselineId(results.methods);
  return {
    source: {
      file: basename(source),
      name: file.name,
      createdAt: new Date(file.createdAt).toISOString(),
      backend: file.backend ?? null,
      modelId: results.modelId,
      seed: results.seed,
      baseline,
      itemsPerSuite: Object.fromEntries(results.suites.map((s) => [s.suiteName, s.items.length])),
    },
    methods: results.methods.map((m) => ({
      id: m.id,
      label: m.label,
      explanation: explainMethod(m),
      order: m.decoding.kind === 'sample' ? chainOrderNote(m.decoding.chain) : null,
    })),
    rows: rows.map((r) => ({
      suite: r.suiteName,
      method: r.methodId,
      n: r.n,
      correct: r.correct,
      accuracy: r.n ? r.accuracy : null,
      low: r.n ? r.low : null,
      high: r.n ? r.high : null,
      p: r.vsBaseline && r.n ? r.vsBaseline.p : null,
      gained: r.vsBaseline && r.n ? r.vsBaseline.gained : null,
      lost: r.vsBaseline && r.n ? r.vsBaseline.lost : null,
      generatedTokens: r.generatedTokens,
      meanEntropy: r.meanEntropy,
      contentEntropy: r.contentEntropy,
      distinctAnswers: r.distinctAnswers,
      outputs: r.outputs,
    })),
    bySteps: accuracyByTag(results, 'steps').map((b) => ({
      suite: b.suiteName,
      method: b.methodId,
      cells: Object.fromEntries(b.cells.map((c) => [String(c.value), `${c.correct}/${c.n}`])),
    })),
    claims: claims(rows, baseline),
  };
}

/** The measured section of DATA_CARD.md, markers included. */
export function measuredMarkdown(m: Measured, rows: readonly SummaryRow[]): string {
  const s = m.source;
  const sizes = [...new Set(Object.values(s.itemsPerSuite))];
  const lines = [
    BEGIN,
    '## Measured (the TypeScript CLI: the same core as the page)',
    '',
    `From \`${s.file}\` ("${s.name}", ${s.createdAt.slice(0, 10)}${s.backend ? `, ${s.backend}` : ''}): model ${s.modelId}, seed ${s.seed}, ${
      sizes.length === 1
        ? `${sizes[0]} items per suite`
        : `items per suite: ${Object.entries(s.itemsPerSuite)
            .map(([k, v]) => `${k} ${v}`)
            .join(', ')}`
    }. Regenerate with \`npm run organism:table && npm run organism:card\`. Accuracy % with 95% Wilson interval; p = exact McNemar test against the baseline (${s.baseline}) on the same items, with the items gained and lost; tokens = generated over all paths; entropy = mean next-token entropy (nats) of the chosen outputs over all generated tokens, and over content tokens (without whitespace-only tokens, the ending EOS and the format tokens the suite declares); distinct answers = different answers among the outputs. Open-ended items have no reference answer: they count for tokens and entropy only.`,
    '',
    formatMarkdown(rows),
    '',
    'Methods:',
    '',
    ...m.methods.map((x) => `- **${x.id}** (${x.label}): ${x.explanation}${x.order ? ` Processor ${x.order}.` : ''}`),
  ];
  if (m.bySteps.length)
    lines.push(
      '',
      'Accuracy by number of steps (correct/n):',
      '',
      '| suite | method | by steps |',
      '|---|---|---|',
      ...m.bySteps.map(
        (b) =>
          `| ${b.suite} | ${b.method} | ${Object.entries(b.cells)
            .map(([k, v]) => `${k}: ${v}`)
            .join(', ')} |`,
      ),
    );
  lines.push(
    '',
    '## Claims, checked on these numbers',
    '',
    ...(m.claims.length ? m.claims.map((c) => `- ${c}`) : ["- (none of the claims' suites were run)"]),
    END,
  );
  return lines.join('\n');
}

/**
 * Replace the measured section of a DATA_CARD.md: between the markers when the card has them; otherwise (a card
 * written before the CLI wrote this section) every "## Measured…" and "## Claims…" section goes and the new one
 * takes the place of the first, or is appended.
 */
export function replaceMeasured(card: string, section: string): string {
  const b = card.indexOf(BEGIN);
  const e = card.indexOf(END);
  if (b >= 0 && e > b) return card.slice(0, b) + section + card.slice(e + END.length);
  const lines = card.split('\n');
  const out: string[] = [];
  let skipping = false;
  let inserted = false;
  for (const line of lines) {
    if (line.startsWith('## ')) {
      skipping = /^## (Measured|Claims)/.test(line);
      if (skipping && !inserted) {
        out.push(...section.split('\n'), '');
        inserted = true;
      }
    }
    if (!skipping) out.push(line);
  }
  if (!inserted) out.push('', ...section.split('\n'));
  return out
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .replace(/\n*$/, '\n');
}

/** Write the measured table into the model folder's data card (data_card.json and DATA_CARD.md). */
export function writeCard(dir: string, file: RunFile, source: string): { json: string; markdown: string } {
  const jsonPath = join(dir, 'data_card.json');
  const mdPath = join(dir, 'DATA_CARD.md');
  if (!existsSync(jsonPath))
    throw new Error(`--model-dir: no data_card.json in ${dir} (training/organism/datacard.py writes it first)`);
  const rows = summarize(file.results);
  const m = measured(file, source, rows);
  const card = JSON.parse(readFileSync(jsonPath, 'utf8')) as Record<string, unknown>;
  // The Python evaluator's numbers (before the CLI was the one evaluator) go: two tables that disagree mislead.
  delete card['evaluation'];
  delete card['claims'];
  card['measured'] = m;
  writeFileSync(jsonPath, JSON.stringify(card, null, 1) + '\n');
  const md = existsSync(mdPath) ? readFileSync(mdPath, 'utf8') : `# ${basename(dir)} data card\n`;
  writeFileSync(mdPath, replaceMeasured(md, measuredMarkdown(m, rows)));
  return { json: jsonPath, markdown: mdPath };
}
