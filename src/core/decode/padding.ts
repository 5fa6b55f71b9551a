/** A left-padded batch: every row ends at the same column, so the next token of every row is appended at the end. */
export interface PaddedBatch {
  ids: number[][];
  mask: number[][];
  positions: number[][];
}

export function leftPadBatch(prompts: readonly (readonly number[])[], padId: number): PaddedBatch {
  const width = Math.max(...prompts.map((p) => p.length));
  if (width === 0) throw new Error('cannot decode from an empty prompt');
  const ids: number[][] = [];
  const mask: number[][] = [];
  const positions: number[][] = [];
  for (const [r, p] of prompts.entries()) {
    if (p.length === 0) throw new Error(`prompt ${r} is empty`);
    const pad = width - p.length;
    ids.push([...new Array<number>(pad).fill(padId), ...p]);
    mask.push([...new Array<number>(pad).fill(0), ...new Array<number>(p.length).fill(1)]);
    // Hugging Face convention: positions count real tokens; pad slots get 1 (they are masked out anyway).
    positions.push([...new Array<number>(pad).fill(1), ...p.map((_, i) => i)]);
  }
  return { ids, mask, positions };
}
