/** Row gathers and dtype conversions on plain typed arrays (no runtime types), shared by the adapters. */

export type NumericArray =
  Float32Array | Float64Array | Uint16Array | Int32Array | BigInt64Array | Uint8Array | Int8Array;

/** Rows `rows` of a tensor whose first dimension is the batch: out[i] = data[rows[i]]. */
export function gatherRows<T extends NumericArray>(data: T, batch: number, rows: readonly number[]): T {
  const rowSize = data.length / batch;
  if (!Number.isInteger(rowSize))
    throw new Error(`tensor of ${data.length} elements does not split into ${batch} rows`);
  const Ctor = data.constructor as new (n: number) => T;
  const out = new Ctor(rowSize * rows.length);
  rows.forEach((r, i) => {
    if (r < 0 || r >= batch) throw new Error(`row ${r} out of range for batch ${batch}`);
    (out as unknown as { set(a: ArrayLike<unknown>, o: number): void }).set(
      data.subarray(r * rowSize, (r + 1) * rowSize) as ArrayLike<unknown>,
      i * rowSize,
    );
  });
  return out;
}

/** IEEE 754 half-precision bits to float32 (for models whose logits come back as fp16). */
export function halfToFloat32(bits: Uint16Array): Float32Array {
  const out = new Float32Array(bits.length);
  for (let i = 0; i < bits.length; i++) {
    const h = bits[i]!;
    const sign = h & 0x8000 ? -1 : 1;
    const exp = (h >> 10) & 0x1f;
    const frac = h & 0x3ff;
    if (exp === 0) out[i] = sign * frac * 2 ** -24;
    else if (exp === 31) out[i] = frac ? NaN : sign * Infinity;
    else out[i] = sign * (1 + frac / 1024) * 2 ** (exp - 15);
  }
  return out;
}

/** Flatten B rows of equal length into int64 data for ONNX Runtime. */
export function int64Rows(rows: readonly (readonly number[])[]): { data: BigInt64Array; dims: [number, number] } {
  const width = rows[0]?.length ?? 0;
  const data = new BigInt64Array(rows.length * width);
  rows.forEach((row, b) => {
    if (row.length !== width) throw new Error(`ragged batch: row ${b} has ${row.length} entries, expected ${width}`);
    // Masks and positions are small integers: skip BigInt() for the two commonest values.
    row.forEach((v, t) => (data[b * width + t] = v === 0 ? 0n : v === 1 ? 1n : BigInt(v)));
  });
  return { data, dims: [rows.length, width] };
}
