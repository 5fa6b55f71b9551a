import type { StopReason, TokenTrace } from '../decode/trace.ts';
import type { MethodSpec } from '../methods/method.ts';
import type { Vote } from '../methods/aggregate.ts';
import type { Extracted } from '../tasks/extract.ts';

/** One decoded path (a greedy answer, a sample, a CoT-decoding branch). Plain data: stored and rendered as is. */
export interface PathOutput {
  text: string;
  tokens: TokenTrace[];
  stopReason: StopReason;
  extracted: Extracted | null;
  correct: boolean;
  /** Answer confidence Δ: mean p(top-1) − p(top-2) over the answer's tokens; null without an answer. */
  delta: number | null;
}

/** What one method produced for one item: the chosen path, and for several paths all of them and the vote. */
export interface MethodOutput extends PathOutput {
  prompt: string;
  promptTokens: number;
  /** Tokens generated over all paths of this item. */
  generatedTokens: number;
  ms: number;
  paths?: PathOutput[];
  /** Index of the chosen path in `paths`. */
  chosen?: number;
  votes?: Vote[];
  /** pass@k and maj@k for k = 1…n over the paths (sampling methods). */
  passAtK?: number[];
  majAtK?: number[];
}

export interface ItemResult {
  itemId: string;
  question: string;
  answer: string;
  tags: Record<string, string | number>;
  outputs: Record<string, MethodOutput>;
}

/** A suite's results within a run. */
export interface SuiteResults {
  suiteName: string;
  relation?: string;
  split?: string;
  items: ItemResult[];
}

export interface RunResults {
  version: 1;
  modelId: string;
  seed: number;
  methods: MethodSpec[];
  suites: SuiteResults[];
}
