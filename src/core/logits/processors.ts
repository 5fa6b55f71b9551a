/**
 * Logit processors: pure functions (logits, spec, context) -> new logits, chosen by name from a registry.
 * Each follows the semantics of the Hugging Face transformers class named in its comment; removed tokens get
 * -Infinity. Where HF sorts, ties follow a stable sort (equal values keep ascending token order).
 * The order in which processors apply is explicit data (a `ProcessorSpec[]`), shown in the UI and stored with results.
 */
import { entropyFromLogProbs, logSoftmax, topKIndices } from './distribution.ts';
import { expTerms, maxOf } from './fast-sample.ts';
import { scratchFloat64 } from './scratch.ts';

export type ProcessorSpec =
  | { name: 'repetition-penalty'; penalty: number }
  | { name: 'temperature'; temperature: number }
  | { name: 'top-k'; k: number; minTokensToKeep?: number }
  | { name: 'top-p'; p: number; minTokensToKeep?: number }
  | { name: 'min-p'; p: number; minTokensToKeep?: number }
  | { name: 'typical'; mass: number; minTokensToKeep?: number };

export type ProcessorName = ProcessorSpec['name'];

/** What a processor may look at besides the logits: the row's tokens so far (prompt and generated). */
export interface ProcessorContext {
  readonly tokens: readonly number[];
}

type Processor<S extends ProcessorSpec> = (logits: Float32Array, spec: S, ctx: ProcessorContext) => Float32Array;

function check(ok: boolean, message: string): void {
  if (!ok) throw new Error(message);
}

function keepCount(spec: { minTokensToKeep?: number }): number {
  const m = spec.minTokensToKeep ?? 1;
  check(Number.isInteger(m) && m >= 1, `minTokensToKeep must be an integer >= 1, got ${m}`);
  return m;
}

/** Token ids ordered by value ascending; equal values keep ascending id order (a stable sort). */
function ascendingOrder(values: ArrayLike<number>): Int32Array {
  const idx = new Int32Array(values.length);
  for (let i = 0; i < idx.length; i++) idx[i] = i;
  return idx.sort((a, b) => values[a]! - values[b]! || a - b);
}

function withRemoved(logits: Float32Array, remove: (i: number) => boolean): Float32Array {
  const out = logits.slice();
  for (let i = 0; i < out.length; i++) if (remove(i)) out[i] = -Infinity;
  return out;
}

/** RepetitionPenaltyLogitsProcessor: each token seen so far (once, however often) has its logit divided by the penalty if positive, multiplied if negative. */
function repetitionPenalty(logits: Float32Array, spec: { penalty: number }, ctx: ProcessorContext): Float32Array {
  check(
    spec.penalty > 0 && Number.isFinite(spec.penalty),
    `repetition penalty must be a finite number > 0, got ${spec.penalty}`,
  );
  const out = logits.slice();
  for (const t of new Set(ctx.tokens)) {
    if (t < 0 || t >= out.length) continue;
    const x = logits[t]!;
    out[t] = x < 0 ? x * spec.penalty : x / spec.penalty;
  }
  return out;
}

/** TemperatureLogitsWarper. */
function temperature(logits: Float32Array, spec: { temperature: number }): Float32Array {
  const t = spec.temperature;
  check(t > 0 && Number.isFinite(t), `temperature must be a finite number > 0, got ${t}`);
  const out = new Float32Array(logits.length);
  for (let i = 0; i < logits.length; i++) out[i] = logits[i]! / t;
  return out;
}

/** TopKLogitsWarper: keep every token whose logit is >= the k-th largest (ties at the k-th value all stay). */
function topK(logits: Float32Array, spec: { k: number; minTokensToKeep?: number }): Float32Array {
  check(Number.isInteger(spec.k) && spec.k >= 1, `top-k needs an integer k >= 1, got ${spec.k}`);
  const k = Math.min(Math.max(spec.k, keepCount(spec)), logits.length);
  const kth = kthLargest(logits, k);
  return withRemoved(logits, (i) => logits[i]! < kth);
}

/** The k-th largest value, by quickselect on a copy (no full sort of the vocabulary). */
function kthLargest(values: Float32Array, k: number): number {
  const a = values.slice();
  let lo = 0;
  let hi = a.length - 1;
  const target = k - 1;
  while (lo < hi) {
    const pivot = a[(lo + hi) >>> 1]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! > pivot) i++;
      while (a[j]! < pivot) j--;
      if (i <= j) {
        const tmp = a[i]!;
        a[i] = a[j]!;
        a[j] = tmp;
        i++;
        j--;
      }
    }
    if (target <= j) hi = j;
    else if (target >= i) lo = i;
    else break;
  }
  return a[target]!;
}

/**
 * TopPLogitsWarper: sort ascending, remove tokens whose cumulative probability (from the least likely up)
 * is <= 1 - p; the `minTokensToKeep` most likely tokens always stay.
 */
function topP(logits: Float32Array, spec: { p: number; minTokensToKeep?: number }): Float32Array {
  check(spec.p >= 0 && spec.p <= 1, `top-p must be in [0, 1], got ${spec.p}`);
  const keep = keepCount(spec);
  const V = logits.length;
  // Float32 semantics, as HF computes it: probabilities that underflow in float32 are 0, so even p = 1 drops
  // them; the running sum is accumulated wide and rounded to float32 at each step (torch's CPU cumsum).
  const threshold = Math.fround(1 - Math.fround(spec.p));
  // Only tokens with probability >= (1 − p)/V can survive: all the others together hold less than 1 − p and sit
  // at the bottom of the ascending order, so their running sums stay <= 1 − p. Sort just the candidates.
  const floor = threshold / V;
  const candidates: number[] = [];
  let below = 0;
  const probs = float32Probs(logits);
  for (let i = 0; i < V; i++) {
    const p = probs[i]!;
    if (p >= floor && p > 0) candidates.push(i);
    else below += p;
  }
  const cutoffRank = V - candidates.length;
  candidates.sort((a, b) => logits[a]! - logits[b]! || a - b);
  const remove = new Uint8Array(V).fill(1);
  let cum = below;
  candidates.forEach((id, j) => {
    cum += probs[id]!;
    const rank = cutoffRank + j;
    if (!(Math.fround(cum) <= threshold && rank < V - keep)) remove[id] = 0;
  });
  // minTokensToKeep can reach below the candidates when they are fewer than it.
  if (candidates.length < keep) {
    const order = ascendingOrder(logits);
    for (let r = V - keep; r < V; r++) remove[order[r]!] = 0;
  }
  return withRemoved(logits, (i) => remove[i] === 1);
}

/**
 * logSoftmax(logits), bit for bit, that keeps its terms exp(x − max): exp(lp) is then term · exp(max − logZ) to
 * within a relative `expSlack` (the rounding of the subtractions, of exp and of the product, with room to spare),
 * so a comparison that this interval settles needs no `Math.exp`. Null where logSoftmax's sum is not finite (NaN,
 * +Infinity logits): callers take the plain path. Its arrays are scratch (scratch.ts): valid until the next call.
 */
interface SoftmaxParts {
  logProbs: Float64Array;
  exps: Float64Array;
  max: number;
  shift: number;
  scale: number;
}

function softmaxParts(logits: Float32Array): SoftmaxParts | null {
  const max = maxOf(logits);
  if (max === -Infinity) logSoftmax(logits); // throws what logSoftmax says
  const exps = scratchFloat64('softmax-terms', logits.length);
  const sum = expTerms(logits, max, exps);
  if (!Number.isFinite(sum) || !Number.isFinite(max)) return null;
  const logZ = max + Math.log(sum);
  const logProbs = scratchFloat64('softmax-log-probs', logits.length);
  for (let i = 0; i < logits.length; i++) logProbs[i] = logits[i]! - logZ;
  const shift = max - logZ;
  return { logProbs, exps, max, shift, scale: Math.exp(shift) };
}

/** Relative bound on |term · scale − exp(lp)| for token i, valid when the product is a normal number (> 2⁻⁹⁰⁰). */
function expSlack(parts: SoftmaxParts, x: number, lp: number): number {
  return (Math.abs(x - parts.max) + Math.abs(lp) + Math.abs(parts.shift) + 8) * 2 ** -52;
}

/**
 * fround(exp(lp)) for every token, as top-p needs them (in a scratch buffer: valid until the next call): where every value within expSlack of term · scale rounds to
 * the same float32 (nearly always: float32 steps are 2²⁹ times coarser), that float32; elsewhere exactly so.
 */
export function float32Probs(logits: Float32Array): Float64Array {
  const parts = softmaxParts(logits);
  const out = scratchFloat64('float32-probs', logits.length);
  if (!parts) {
    const logProbs = logSoftmax(logits);
    for (let i = 0; i < logits.length; i++) out[i] = Math.fround(Math.exp(logProbs[i]!));
    return out;
  }
  const { logProbs, exps, scale } = parts;
  for (let i = 0; i < logits.length; i++) {
    const lp = logProbs[i]!;
    if (lp === -Infinity) {
      out[i] = 0;
      continue;
    }
    const a = exps[i]! * scale;
    const r = expSlack(parts, logits[i]!, lp);
    const lo = Math.fround(a * (1 - r));
    out[i] = a > 2 ** -900 && lo === Math.fround(a * (1 + r)) ? lo : Math.fround(Math.exp(lp));
  }
  return out;
}

/** MinPLogitsWarper: remove tokens with probability < p · p_max; the `minTokensToKeep` most likely always stay. */
function minP(logits: Float32Array, spec: { p: number; minTokensToKeep?: number }): Float32Array {
  check(spec.p >= 0 && spec.p <= 1, `min-p must be in [0, 1], got ${spec.p}`);
  const keep = keepCount(spec);
  const parts = softmaxParts(logits);
  const logProbs = parts?.logProbs ?? logSoftmax(logits);
  let maxLp = -Infinity;
  for (let i = 0; i < logProbs.length; i++) if (logProbs[i]! > maxLp) maxLp = logProbs[i]!;
  const threshold = spec.p * Math.exp(maxLp);
  // HF protects the first `minTokensToKeep` of a descending sort; a stable one puts equal values in ascending id
  // order — the same as a partial top-k selection with ties to the lower id, without sorting the vocabulary.
  const protectedIds = new Set<number>(topKIndices(logits, keep));
  const below = (i: number): boolean => {
    const lp = logProbs[i]!;
    if (lp === -Infinity) return 0 < threshold; // exp(-Infinity) is exactly 0
    if (parts) {
      // exp(lp) lies within expSlack of term · scale: when that interval is on one side of the threshold, so is it.
      const a = parts.exps[i]! * parts.scale;
      const r = expSlack(parts, logits[i]!, lp);
      if (a > 2 ** -900 && a * (1 + r) < threshold) return true;
      if (a > 2 ** -900 && a * (1 - r) >= threshold) return false;
    }
    return Math.exp(lp) < threshold;
  };
  return withRemoved(logits, (i) => below(i) && !protectedIds.has(i));
}

/**
 * TypicalLogitsWarper (locally typical sampling): order tokens by |−log p − H|, keep the smallest set of
 * most-typical tokens whose probability reaches `mass` (HF's cutoff rule), and at least `minTokensToKeep`.
 */
function typical(logits: Float32Array, spec: { mass: number; minTokensToKeep?: number }): Float32Array {
  check(spec.mass > 0 && spec.mass < 1, `typical mass must be in (0, 1), got ${spec.mass}`);
  const keep = keepCount(spec);
  const logProbs = logSoftmax(logits);
  const entropy = entropyFromLogProbs(logProbs);
  const shifted = new Float64Array(logits.length);
  for (let i = 0; i < shifted.length; i++) shifted[i] = Math.abs(-logProbs[i]! - entropy);
  const order = ascendingOrder(shifted);
  let cum = 0;
  let lastInd = 0;
  for (let r = 0; r < order.length; r++) {
    cum += Math.exp(logProbs[order[r]!]!);
    if (cum < spec.mass) lastInd = r + 1;
  }
  lastInd = Math.min(lastInd, order.length - 1);
  const cutoff = shifted[order[lastInd]!]!;
  const protectedIds = new Set<number>();
  for (let r = 0; r < Math.min(keep, order.length); r++) protectedIds.add(order[r]!);
  return withRemoved(logits, (i) => shifted[i]! > cutoff && !protectedIds.has(i));
}

const REGISTRY: { [N in ProcessorName]: Processor<Extract<ProcessorSpec, { name: N }>> } = {
  'repetition-penalty': repetitionPenalty,
  temperature,
  'top-k': topK,
  'top-p': topP,
  'min-p': minP,
  typical,
};

export function processorNames(): ProcessorName[] {
  return Object.keys(REGISTRY) as ProcessorName[];
}

/** Apply `chain` in order; throws on an unknown processor name. */
export function applyChain(logits: Float32Array, chain: readonly ProcessorSpec[], ctx: ProcessorContext): Float32Array {
  let out = logits;
  for (const spec of chain) {
    const fn = REGISTRY[spec.name] as Processor<ProcessorSpec> | undefined;
    if (!fn) throw new Error(`unknown logit processor "${String(spec.name)}"; known: ${processorNames().join(', ')}`);
    out = fn(out, spec, ctx);
  }
  return out;
}
