/** Plain, serializable records of what was generated. The UI renders these; it never recomputes them. */

export interface Alternative {
  id: number;
  text: string;
  prob: number;
}

export interface TokenTrace {
  id: number;
  /** The token's text as it appears in the generated text (empty for EOS). */
  text: string;
  /** Character offset of `text` in the row's generated text. */
  offset: number;
  /** Probability and log-probability of this token under the model's raw distribution (softmax at T=1). */
  prob: number;
  logprob: number;
  /** 1-based rank of this token in the raw distribution. */
  rank: number;
  /** Entropy in nats of the full raw next-token distribution at this step. */
  entropy: number;
  /** The most probable tokens of the raw distribution, most probable first. */
  top: Alternative[];
  /**
   * The score the token was chosen by, when that is not the raw distribution above: for prompt contrast,
   * (1+β)·log p_strong − β·log p_weak (the raw distribution is the strong prompt's). Absent otherwise.
   */
  score?: number;
  /** Set on tokens the suite declares as format, not content (Suite.formatTokens); see metrics/entropy.ts. */
  format?: true;
}

/** 'too-long': nothing was generated, the prompt plus its new tokens do not fit the model's context. */
export type StopReason = 'eos' | 'stop-string' | 'max-tokens' | 'too-long';

export interface RowResult {
  /** Generated text, cut before the stop string if one ended the row. */
  text: string;
  tokens: TokenTrace[];
  stopReason: StopReason;
}
