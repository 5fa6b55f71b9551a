import type { ExtractorSpec } from '../extract.ts';
import type { Exemplar, Suite, TaskItem } from '../suite.ts';
import { idProblem } from '../../schema/ids.ts';
import { ValidationError } from '../../schema/validate.ts';
import { isGsm8kAnswer, splitGsm8kAnswer } from './gsm8k.ts';
import { checkItemCount } from './limits.ts';
import { listErrors, showValue, type Table } from './table.ts';

/** Which column holds what; `answer: null` imports an open-ended suite (nothing is scored). */
export interface ColumnMapping {
  question: string;
  answer: string | null;
  id: string | null;
  /** A worked solution that ends in the answer (used when the row becomes a few-shot exemplar). */
  worked: string | null;
  /** 'gsm8k': the answer column holds a worked solution ending in "#### <final answer>". */
  answerFormat: 'plain' | 'gsm8k';
}

/**
 * Column names recognised without asking, most specific first. They cover GSM8K (question, answer), lm-eval-harness
 * generation tasks and BIG-bench (input/target, inputs/targets), lm-eval's logged samples (doc_id, doc.*, target),
 * and common exports (prompt, problem, label, solution).
 */
const NAMES = {
  question: [
    'question',
    'input',
    'inputs',
    'query',
    'problem',
    'prompt',
    'text',
    'instruction',
    'doc.question',
    'doc.input',
    'doc.query',
    'doc.problem',
  ],
  answer: ['answer', 'target', 'targets', 'doc.answer', 'doc.target', 'output', 'label', 'gold', 'final_answer'],
  id: ['id', 'idx', 'doc_id', 'uid', 'qid', 'question_id', 'task_id', 'doc.id'],
  worked: ['worked', 'rationale', 'explanation', 'reasoning', 'cot', 'chain_of_thought', 'solution', 'doc.solution'],
} as const;

/** The file's shape, used to remember a mapping: its column names, sorted. */
export function shapeKey(columns: readonly string[]): string {
  return JSON.stringify([...columns].sort());
}

function find(columns: readonly string[], names: readonly string[], except: readonly (string | null)[]): string | null {
  const lower = new Map(columns.map((c) => [c.toLowerCase(), c]));
  for (const n of names) {
    const c = lower.get(n);
    if (c && !except.includes(c)) return c;
  }
  return null;
}

/** A mapping from recognised column names, or null for the question when none is recognised (the page then asks). */
export function guessMapping(table: Table): Omit<ColumnMapping, 'question'> & { question: string | null } {
  const { columns } = table;
  const question = find(columns, NAMES.question, []);
  // Prefer an answer column in GSM8K's format (it carries the worked solution too), then the first known name.
  const candidates = NAMES.answer.map((n) => find(columns, [n], [question])).filter((c): c is string => c !== null);
  const answer = candidates.find((c) => isGsm8kColumn(table, c)) ?? candidates[0] ?? null;
  const id = find(columns, NAMES.id, [question, answer]);
  const worked = find(columns, NAMES.worked, [question, answer, id]);
  return { question, answer, id, worked, answerFormat: answer && isGsm8kColumn(table, answer) ? 'gsm8k' : 'plain' };
}

/**
 * Most non-empty values of the column end in "#### <answer>" (then the others are reported as errors rather than
 * the whole column silently read as plain answers).
 */
export function isGsm8kColumn(table: Table, column: string): boolean {
  const values = table.rows.map((r) => r.values[column]).filter((v) => v !== undefined && v !== null && v !== '');
  return values.length > 0 && values.filter(isGsm8kAnswer).length * 2 > values.length;
}

/** A cell as text: strings and numbers as they are, a one-element list (lm-eval/BIG-bench targets) as its element. */
function cellText(v: unknown): string | null {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v) && v.length === 1) return cellText(v[0]);
  return null;
}

export interface ImportOptions {
  /** The suite's name. */
  name: string;
  /** Where it came from (the file name), for messages and the suite panel. */
  source: string;
  /** How many rows with answers are held out as the few-shot pool (taken from the end of the file). */
  exemplars: number;
  /** How answers are read from outputs; by default the last number when every answer is a number, else the first line. */
  extractor?: ExtractorSpec;
}

interface Row {
  line: number;
  id: string;
  question: string;
  answer: string;
  worked: string;
}

/** The default extractor for these answers. */
export function defaultExtractor(answers: readonly string[]): ExtractorSpec {
  if (answers.length === 0 || answers.every((a) => a === '')) return { kind: 'none' };
  return answers.every((a) => /^-?[$]?[\d,]*\.?\d+$/.test(a.trim())) ? { kind: 'last-number' } : { kind: 'exact-line' };
}

/**
 * Rows to a suite; every bad cell is reported with its line, column and value. The last `exemplars` rows that have
 * answers become the few-shot pool (their worked solution when the file has one, else the bare answer).
 */
export function tableToSuite(table: Table, mapping: ColumnMapping, options: ImportOptions): Suite {
  checkItemCount(table.rows.length, options.source);
  for (const [role, column] of Object.entries(mapping))
    if (role !== 'answerFormat' && column !== null && !table.columns.includes(column as string))
      throw new ValidationError(
        `${options.source}: the ${role} column "${column}" is not in the file; its columns: ${table.columns.join(', ')}`,
      );
  const errors: string[] = [];
  const rows: Row[] = [];
  const ids = new Map<string, number>();
  table.rows.forEach((r, i) => {
    const at = (column: string, value: unknown, why: string) =>
      errors.push(`line ${r.line}, field "${column}": ${why} (value: ${showValue(value)})`);
    const qv = r.values[mapping.question];
    const question = cellText(qv)?.trim() ?? '';
    if (question === '') return at(mapping.question, qv, 'the question is empty or not text');
    let answer = '';
    let worked = '';
    if (mapping.answer !== null) {
      const av = r.values[mapping.answer];
      const text = cellText(av);
      if (text === null)
        return at(
          mapping.answer,
          av,
          Array.isArray(av)
            ? `a list of ${av.length} answers; Coax scores one reference answer`
            : 'the answer is not text',
        );
      if (mapping.answerFormat === 'gsm8k') {
        const parts = splitGsm8kAnswer(text);
        if (!parts) return at(mapping.answer, av, 'no "#### <final answer>" at the end, as GSM8K answers have');
        answer = parts.final;
        worked = parts.worked;
      } else answer = text.trim();
    }
    if (mapping.worked !== null) {
      const wv = r.values[mapping.worked];
      const w = cellText(wv ?? '');
      if (w === null) return at(mapping.worked, wv, 'the worked solution is not text');
      if (w.trim() !== '') worked = w.trim().replace(/\s*\n\s*/g, ' ');
    }
    let id = String(i + 1);
    if (mapping.id !== null) {
      const iv = r.values[mapping.id];
      const t = cellText(iv)?.trim() ?? '';
      const problem = idProblem(t);
      if (problem) return at(mapping.id, iv, problem);
      if (ids.has(t)) return at(mapping.id, iv, `the same id as line ${ids.get(t)}`);
      ids.set(t, r.line);
      id = t;
    }
    rows.push({ line: r.line, id, question, answer, worked });
  });
  if (errors.length) throw new ValidationError(`${options.source} is not valid:\n${listErrors(errors)}`);

  const scored = mapping.answer !== null;
  const poolSize = scored ? Math.max(0, Math.min(Math.floor(options.exemplars), rows.length - 1)) : 0;
  const pool = rows.slice(rows.length - poolSize);
  const tests = rows.slice(0, rows.length - poolSize);
  const testQuestions = new Set(tests.map((r) => r.question));
  const exemplars: Exemplar[] = pool
    .filter((r) => !testQuestions.has(r.question))
    .map((r) => ({ question: r.question, answer: r.answer, worked: r.worked || r.answer }));
  const items: TaskItem[] = tests.map((r) => ({
    id: r.id,
    question: r.question,
    answer: r.answer,
    tags: { line: r.line },
  }));
  const format = mapping.answerFormat === 'gsm8k' ? 'GSM8K format' : 'records';
  return {
    name: options.name,
    description: `Imported from ${options.source} (${format}: question "${mapping.question}"${scored ? `, answer "${mapping.answer}"` : ', no answers'}); ${items.length} items, ${exemplars.length} held out as few-shot exemplars`,
    items,
    exemplars,
    extractor: options.extractor ?? defaultExtractor(items.map((it) => it.answer)),
    ...(scored ? {} : { relation: 'open-ended' as const }),
  };
}
