/**
 * Logit processors: pure functions (logits, params) -> new logits, chosen by name from a registry.
 * The order in which they apply is explicit data (a `ProcessorSpec[]`), shown in the UI and stored with results.
 */

export type ProcessorSpec = { name: 'temperature'; temperature: number };

export type ProcessorName = ProcessorSpec['name'];

/** What a processor may look at besides the logits (the row's tokens so far, for penalties). */
export interface ProcessorContext {
  readonly tokens: readonly number[];
}

type Processor<S extends ProcessorSpec> = (logits: Float32Array, spec: S, ctx: ProcessorContext) => Float32Array;

function temperature(logits: Float32Array, spec: { temperature: number }): Float32Array {
  const t = spec.temperature;
  if (!(t > 0) || !Number.isFinite(t)) throw new Error(`temperature must be a finite number > 0, got ${t}`);
  const out = new Float32Array(logits.length);
  for (let i = 0; i < logits.length; i++) out[i] = logits[i]! / t;
  return out;
}

const REGISTRY: { [N in ProcessorName]: Processor<Extract<ProcessorSpec, { name: N }>> } = {
  temperature,
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
