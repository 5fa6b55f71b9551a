/**
 * Temporaries of vocabulary size that never outlive one synchronous call (a processor's log-probabilities, its
 * softmax terms): one buffer per name and length, reused, so that a decoding step does not allocate and zero a
 * fresh array for each. Contents are garbage on entry; nothing holding one may be returned or kept.
 */
const float64 = new Map<string, Float64Array>();

export function scratchFloat64(name: string, length: number): Float64Array {
  let buf = float64.get(name);
  if (!buf || buf.length !== length) {
    buf = new Float64Array(length);
    float64.set(name, buf);
  }
  return buf;
}
