import { describe, expect, it } from 'vitest';
import { RowText } from '../../src/core/decode/row-text.ts';

/** A byte-level decoder, as byte-level BPE models have: partial UTF-8 sequences decode to U+FFFD. */
const bytes = { decode: (ids: readonly number[]) => new TextDecoder().decode(Uint8Array.from(ids)) };
/** A SentencePiece-like decoder that drops the leading space of what it decodes. */
const pieces = ['▁the', '▁cat', 's', '▁sat', '.'];
const sentencePiece = {
  decode: (ids: readonly number[]) =>
    ids
      .map((i) => pieces[i])
      .join('')
      .replace(/▁/g, ' ')
      .replace(/^ /, ''),
};

describe('incremental row text', () => {
  it.each([2, 3, 8, 100])('rebuilds multi-byte text exactly with a window of %i tokens', (window) => {
    const text = 'héllo wörld ★ and 12 more';
    const ids = [...new TextEncoder().encode(text)];
    const row = new RowText(bytes, window);
    let rebuilt = '';
    for (const id of ids) {
      const { piece, offset } = row.push(id);
      rebuilt = rebuilt.slice(0, offset) + piece;
      expect(row.text).toBe(rebuilt);
    }
    expect(row.text).toBe(text);
  });

  it('keeps inner spaces of a decoder that strips the leading one, while sliding', () => {
    const row = new RowText(sentencePiece, 2);
    const got = [0, 1, 2, 3, 4].map((id) => row.push(id));
    expect(row.text).toBe('the cats sat.');
    expect(got.map((g) => g.piece)).toEqual(['the', ' cat', 's', ' sat', '.']);
    expect(got.map((g) => g.offset)).toEqual([0, 3, 7, 8, 12]);
  });
});
