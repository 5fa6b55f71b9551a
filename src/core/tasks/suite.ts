import type { ExtractorSpec } from './extract.ts';

/** A task suite: items with known answers, an exemplar pool for few-shot prompts, and how answers are read. */
export interface TaskItem {
  id: string;
  question: string;
  /** The reference answer ('' for open-ended suites, which are scored by entropy only). */
  answer: string;
  /** Free-form labels (number of steps, frequency tier) used to group results. */
  tags?: Record<string, string | number>;
}

export interface Exemplar {
  question: string;
  answer: string;
  /** A worked solution that ends in the answer. */
  worked: string;
}

export type Relation = 'procedural' | 'factual' | 'open-ended';

export interface Suite {
  name: string;
  description: string;
  items: TaskItem[];
  /** Never overlaps `items`. */
  exemplars: Exemplar[];
  extractor: ExtractorSpec;
  relation?: Relation;
  /** Where the suite sits relative to training: 'id', 'ood-length', 'head', 'tail', … */
  split?: string;
  /** The phrase that introduces worked solutions in this suite's world. */
  trigger?: string;
  /**
   * Token texts that are format, not content (matched after trimming whitespace), left out of content-token
   * entropy together with whitespace-only tokens and EOS, which are format in every suite.
   */
  formatTokens?: string[];
}
