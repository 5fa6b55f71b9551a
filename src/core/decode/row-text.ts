import type { LanguageModel } from './language-model.ts';

/**
 * Incremental text of one generated row. Each token's text is the growth of decode(all generated ids),
 * so multi-token characters and tokenizer decoders that join pieces get offsets that match the final text.
 */
export class RowText {
  private readonly ids: number[] = [];
  text = '';

  constructor(private readonly model: Pick<LanguageModel, 'decode'>) {}

  /** Append a token; returns its text piece and the offset where the piece starts. */
  push(id: number): { piece: string; offset: number } {
    this.ids.push(id);
    const next = this.model.decode(this.ids);
    // A partial multi-byte character can decode to U+FFFD and then change: keep the common prefix.
    let common = 0;
    const max = Math.min(next.length, this.text.length);
    while (common < max && next.charCodeAt(common) === this.text.charCodeAt(common)) common++;
    const offset = common;
    this.text = next;
    return { piece: next.slice(common), offset };
  }
}

/** Earliest occurrence of any stop string at or after `from` (search starts early enough to catch strings spanning tokens). */
export function findStop(text: string, stops: readonly string[], from: number): number {
  let best = -1;
  for (const s of stops) {
    if (s.length === 0) continue;
    const at = text.indexOf(s, Math.max(0, from - s.length + 1));
    if (at >= 0 && (best < 0 || at < best)) best = at;
  }
  return best;
}
