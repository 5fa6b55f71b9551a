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
  /**
   * Answer confidence Δ: the mean over the answer's tokens of p(chosen) − max p(other), which is p(top-1) − p(top-2)
   * where the path took the top-1 and negative where it did not (see methods/confidence.ts); null without an answer.
   */
  delta: number | null;
  /**
   * The model's probability of this path's answer: the product of the answer tokens' probabilities (raw, T = 1);
   * null without an answer. Absent in results stored before it was recorded.
   */
  answerProb?: number | null;
}

/** Where a method's probability of its answer comes from. */
export type ProbabilitySource = 'answer-tokens' | 'vote-share';

/** What one method produced for one item: the chosen path, and for several paths all of them and the vote. */
export interface MethodOutput extends PathOutput {
  /** The model that produced it, in a run over several models (see RunResults.models). */
  modelId?: string;
  prompt: string;
  promptTokens: number;
  /** Tokens generated over all paths of this item. */
  generatedTokens: number;
  ms: number;
  paths?: PathOutput[];
  /** Index of the chosen path in `paths`. */
  chosen?: number;
  votes?: Vote[];
  /**
   * The method's probability of its answer, the calibration view's default confidence: the winning vote share for a
   * majority vote over n >= 4 samples, else the chosen path's `answerProb`. Null without an answer.
   */
  probability?: number | null;
  probabilitySource?: ProbabilitySource;
  /** pass@k and maj@k for k = 1…n over the paths (sampling methods). */
  passAtK?: number[];
  /** maj@k: the expected majority-vote accuracy over all k-subsets of the paths (see metrics/pass-at-k.ts). */
  majAtK?: number[];
  /** Standard error of each majAtK value when it is a seeded estimate rather than exact; absent when exact. */
  majAtKError?: number[];
  /** Why this item produced nothing (its prompt does not fit the model's context); it counts as not correct. */
  error?: string;
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
  /**
   * Per steered method id: the direction (before the spec's scale) it added on this suite — the CAA vector or SAE
   * feature direction as numbers, so the run file reproduces (see pinSteer).
   */
  steering?: Record<string, number[]>;
}

/** Where one entry of a multi-model run's `methods` comes from: which model ran which method. */
export interface RunColumn {
  modelId: string;
  /** The method's own id (the entry's id is prefixed with the model's short name). */
  methodId: string;
}

export interface RunResults {
  version: 1;
  /** The model of a one-model run; in a run over several models, the first of `models`. */
  modelId: string;
  /**
   * A run over several models (same suites, methods and seed, one model after another): the models in order.
   * Its `methods` then hold every method once per model, each with its own id (`organism-v1-rlvr.greedy-plain`),
   * and `columns` says which model and method each is. Absent for a one-model run.
   */
  models?: string[];
  columns?: Record<string, RunColumn>;
  seed: number;
  methods: MethodSpec[];
  suites: SuiteResults[];
}
