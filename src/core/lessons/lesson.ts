import { accuracyOf, type MethodAccuracy } from '../metrics/accuracy.ts';
import type { DataCard } from '../metrics/competence.ts';
import type { ExperimentConfig } from '../run/url-config.ts';
import type { PathOutput, RunResults, SuiteResults } from '../run/results.ts';

/** The comparison view's tabs, by id (the lesson names the one that shows its claim). */
export type CompareTab =
  | 'models'
  | 'leaderboard'
  | 'gap'
  | 'samples'
  | 'item'
  | 'calibration'
  | 'entropy'
  | 'competence'
  | 'answers'
  | 'steering';

/** One item opened side by side: two methods' traces (and branches, for a method with several paths). */
export interface ItemFocus {
  suite: string;
  index: number;
  left: string;
  right: string;
}

/**
 * A "what to notice" sentence, written from a run's results. `values` are the numbers the sentence states, by name,
 * as fractions or counts (the page puts them beside the sentence so a test can check them against the results);
 * `shown` says whether the run showed the effect the lesson is about (false: small n, another seed, a run cut short).
 */
export interface Notice {
  id: string;
  text: string;
  shown: boolean;
  values: Record<string, number>;
}

/** A claim Coax can show, with the experiment that shows it and what to read in the result. */
export interface Lesson {
  id: string;
  /** The claim in plain words. */
  title: string;
  /** 2–4 short paragraphs: what to look for, why it happens, the paper it comes from by name. */
  narration: string[];
  /** The paper(s) the claim comes from, for the lesson list. */
  source: string;
  /** The experiment, exactly as a "Copy link to this setup" link carries it. */
  preset: ExperimentConfig;
  /**
   * Expected run time in seconds on WASM (one thread, on a shared 2-core machine), as the lessons e2e test measured it
   * (it prints the time of every run).
   */
  expectedSeconds: number;
  /** The comparison tab that shows the claim. */
  tab: CompareTab;
  /** The item to open (for tab 'item'), chosen from the run's results; null when the run has none to show. */
  focus: (results: RunResults) => ItemFocus | null;
  /** The sentences, their numbers computed from the results (and the model's data card where the lesson needs it). */
  notice: (results: RunResults, card: DataCard | null) => Notice[];
}

export function suiteOf(results: RunResults, name: string): SuiteResults | undefined {
  return results.suites.find((s) => s.suiteName === name);
}

/** Accuracy of a method on a suite (0 of 0 when the suite or method is missing). */
export function accuracyIn(results: RunResults, suite: string, methodId: string): MethodAccuracy {
  return accuracyOf(suiteOf(results, suite)?.items ?? [], methodId);
}

export const pct = (x: number): string => `${Math.round(x * 100)}%`;

/** "18/40 (45%, 95% CI 31–60%)". */
export function describe(a: MethodAccuracy): string {
  return `${a.correct}/${a.n} (${pct(a.accuracy)}, 95% CI ${Math.round(a.low * 100)}–${pct(a.high)})`;
}

/** Whether a's 95% interval lies wholly above b's. */
export const clearlyAbove = (a: MethodAccuracy, b: MethodAccuracy): boolean => a.n > 0 && b.n > 0 && a.low > b.high;

/** The numbers a notice states about an accuracy, under a prefix. */
export function accuracyValues(prefix: string, a: MethodAccuracy): Record<string, number> {
  return { [`${prefix}.correct`]: a.correct, [`${prefix}.n`]: a.n };
}

/** A path that answers at once: its text, trimmed, is a single token-free word (the answer and nothing else). */
export function answersAtOnce(p: PathOutput): boolean {
  return /^\S+$/.test(p.text.trim());
}

/** Whether every item of every suite has an output from every method. */
export function complete(results: RunResults): boolean {
  return results.suites.every((s) => s.items.every((it) => results.methods.every((m) => it.outputs[m.id])));
}
