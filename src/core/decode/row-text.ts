import type { LanguageModel } from './language-model.ts';

/**
 * Incremental text of one generated row. A token's text is the growth of decode() over a short window of the
 * latest tokens, so multi-token characters and tokenizer decoders that join pieces get offsets that match the
 * final text, without decoding the whole row again at every step.
 */
export class RowText {
  private readonly ids: number[] = [];
  /** Decoded text of ids[windowStart..], and where it starts in `text`. */
  private windowStart = 0;
  private windowText = '';
  private windowOffset = 0;
  text = '';

  constructor(
    private readonly model: Pick<LanguageModel, 'decode'>,
    /** Tokens kept in the decode window; long enough for any multi-token character. */
    private readonly window = 8,
  ) {}

  /** Append a token; returns its text piece and the offset where the piece starts. */
  push(id: number): { piece: string; offset: number } {
    this.ids.push(id);
    if (this.ids.length - this.windowStart > this.window && !this.windowText.endsWith('\uFFFD')) {
      // Slide the window: what it drops is final.
      const drop = this.ids.length - 1 - this.window - this.windowStart + 1;
      const kept = this.model.decode(this.ids.slice(this.windowStart + drop, this.ids.length - 1));
      if (this.windowText.endsWith(kept)) {
        this.windowOffset += this.windowText.length - kept.length;
        this.windowStart += drop;
        this.windowText = kept;
      }
    }
    const next = this.model.decode(this.ids.slice(this.windowStart));
    // A partial multi-byte character can decode to U+FFFD and then change: keep the common prefix.
    let common = 0;
    const prev = this.windowText;
    const max = Math.min(next.length, prev.length);
    while (common < max && next.charCodeAt(common) === prev.charCodeAt(common)) common++;
    const offset = this.windowOffset + common;
    this.text = this.text.slice(0, offset) + next.slice(common);
    this.windowText = next;
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
