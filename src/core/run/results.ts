import type { RowResult, StopReason, TokenTrace } from '../decode/trace.ts';
import type { MethodSpec } from '../methods/method.ts';
import type { Extracted } from '../tasks/extract.ts';

/** What one method produced for one item. Plain data: stored, exported and rendered as is. */
export interface MethodOutput {
  prompt: string;
  promptTokens: number;
  text: string;
  tokens: TokenTrace[];
  stopReason: StopReason;
  extracted: Extracted | null;
  correct: boolean;
}

export interface ItemResult {
  itemId: string;
  question: string;
  answer: string;
  tags: Record<string, string | number>;
  outputs: Record<string, MethodOutput>;
}

export interface RunResults {
  version: 1;
  modelId: string;
  suiteName: string;
  seed: number;
  methods: MethodSpec[];
  items: ItemResult[];
}

export function toMethodOutput(prompt: string, promptTokens: number, row: RowResult, extracted: Extracted | null, answer: string): MethodOutput {
  return {
    prompt,
    promptTokens,
    text: row.text,
    tokens: row.tokens,
    stopReason: row.stopReason,
    extracted,
    correct: extracted !== null && extracted.value === answer,
  };
}
