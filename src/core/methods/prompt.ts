import { createRng, deriveSeed, shuffled } from '../rng.ts';
import type { Exemplar, Suite, TaskItem } from '../tasks/suite.ts';

/** How the text the model receives is built from an item. */
export type PromptSpec = { kind: 'plain' } | { kind: 'few-shot'; k: number; form: 'direct' | 'worked' };

export function plainPrompt(question: string): string {
  return `Q: ${question}\nA:`;
}

function exemplarBlock(ex: Exemplar, form: 'direct' | 'worked'): string {
  return `${plainPrompt(ex.question)} ${form === 'worked' ? ex.worked : ex.answer}\n\n`;
}

/**
 * The k exemplars a few-shot prompt uses: a seeded shuffle of the suite's pool, the same for every item,
 * so the few-shot prefix is shared across the suite.
 */
export function chooseExemplars(suite: Suite, k: number, seed: number): Exemplar[] {
  if (k > suite.exemplars.length) throw new Error(`few-shot k=${k} but suite "${suite.name}" has only ${suite.exemplars.length} exemplars`);
  return shuffled(suite.exemplars, createRng(deriveSeed(seed, 'exemplars', suite.name))).slice(0, k);
}

export function buildPrompt(spec: PromptSpec, item: TaskItem, suite: Suite, seed: number): string {
  switch (spec.kind) {
    case 'plain':
      return plainPrompt(item.question);
    case 'few-shot':
      return chooseExemplars(suite, spec.k, seed).map((ex) => exemplarBlock(ex, spec.form)).join('') + plainPrompt(item.question);
  }
}
