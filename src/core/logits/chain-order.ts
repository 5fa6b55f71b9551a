import type { ProcessorName, ProcessorSpec } from './processors.ts';

/**
 * The order in which Hugging Face transformers applies these processors when it builds them from a generation
 * config (`_get_logits_processor`: the repetition penalty among the processors, then the warpers temperature,
 * top-k, top-p, min-p, typical). A chain in another order is valid in Coax (the order is data) but gives other
 * results than HF for the same settings, so it is said wherever the chain is shown.
 */
export const HF_ORDER: readonly ProcessorName[] = [
  'repetition-penalty',
  'temperature',
  'top-k',
  'top-p',
  'min-p',
  'typical',
];

/** Whether HF would apply this chain's processors in this order (each once, in HF_ORDER's sequence). */
export function isHfOrder(chain: readonly ProcessorSpec[]): boolean {
  const ranks = chain.map((p) => HF_ORDER.indexOf(p.name));
  return ranks.every((r, i) => i === 0 || r > ranks[i - 1]!);
}

/** The chain reordered as HF would apply it (a stable sort by HF_ORDER). */
export function hfOrdered(chain: readonly ProcessorSpec[]): ProcessorSpec[] {
  return chain
    .map((p, i) => ({ p, i }))
    .sort((a, b) => HF_ORDER.indexOf(a.p.name) - HF_ORDER.indexOf(b.p.name) || a.i - b.i)
    .map(({ p }) => p);
}

/**
 * One line for the UI and the CLI: "order: temperature → top-k (Hugging Face's order)", or for another order
 * "order: top-k → temperature (not Hugging Face's order, which is temperature → top-k)". Null below two
 * processors, where there is no order to speak of.
 */
export function chainOrderNote(chain: readonly ProcessorSpec[]): string | null {
  if (chain.length < 2) return null;
  const names = (c: readonly ProcessorSpec[]) => c.map((p) => p.name).join(' → ');
  if (isHfOrder(chain)) return `order: ${names(chain)} (Hugging Face's order)`;
  const repeated = new Set(chain.map((p) => p.name)).size < chain.length;
  return `order: ${names(chain)} (not Hugging Face's order, which ${
    repeated ? 'applies each processor once' : `is ${names(hfOrdered(chain))}`
  })`;
}
