import { createRng, deriveSeed, randomInt, type Rng } from '../rng.ts';
import type { Exemplar, Suite, TaskItem } from './suite.ts';

export interface AdditionSuiteOptions {
  seed: number;
  count: number;
  /** How many exemplars the few-shot pool holds (drawn so that none equals a test question). */
  exemplarCount?: number;
  minTerms?: number;
  maxTerms?: number;
  maxOperand?: number;
}

function drawTerms(rng: Rng, minTerms: number, maxTerms: number, maxOperand: number): number[] {
  const n = randomInt(rng, minTerms, maxTerms);
  return Array.from({ length: n }, () => randomInt(rng, 0, maxOperand));
}

export function additionQuestion(terms: readonly number[]): string {
  return terms.join(' + ');
}

export const ADDITION_TRIGGER = "Let's add step by step.";

/** "Let's add step by step. 3 + 4 = 7, 7 + 5 = 12. The answer is 12." — one running sum per step. */
export function workedAddition(terms: readonly number[]): string {
  if (terms.length < 2) throw new Error('a worked addition needs at least two terms');
  const steps: string[] = [];
  let acc = terms[0]!;
  for (const t of terms.slice(1)) {
    steps.push(`${acc} + ${t} = ${acc + t}`);
    acc += t;
  }
  return `${ADDITION_TRIGGER} ${steps.join(', ')}. The answer is ${acc}.`;
}

/** Seeded two- and three-term additions (by default) with known answers. */
export function additionSuite(options: AdditionSuiteOptions): Suite {
  const { seed, count, exemplarCount = 16, minTerms = 2, maxTerms = 3, maxOperand = 9 } = options;
  if (!(count >= 1)) throw new Error(`suite size must be >= 1, got ${count}`);
  if (minTerms < 2 || maxTerms < minTerms)
    throw new Error(`terms must satisfy 2 <= min <= max, got ${minTerms}..${maxTerms}`);
  const itemRng = createRng(deriveSeed(seed, 'addition', 'items'));
  const items: TaskItem[] = [];
  for (let i = 0; i < count; i++) {
    const terms = drawTerms(itemRng, minTerms, maxTerms, maxOperand);
    const sum = terms.reduce((a, b) => a + b, 0);
    items.push({
      id: `add-${i}`,
      question: additionQuestion(terms),
      answer: String(sum),
      tags: { terms: terms.length },
    });
  }
  const used = new Set(items.map((it) => it.question));
  const exRng = createRng(deriveSeed(seed, 'addition', 'exemplars'));
  const exemplars: Exemplar[] = [];
  for (let tries = 0; exemplars.length < exemplarCount && tries < exemplarCount * 100; tries++) {
    const terms = drawTerms(exRng, minTerms, maxTerms, maxOperand);
    const question = additionQuestion(terms);
    if (used.has(question)) continue;
    used.add(question);
    exemplars.push({ question, answer: String(terms.reduce((a, b) => a + b, 0)), worked: workedAddition(terms) });
  }
  return {
    name: 'addition',
    description: `Sums of ${minTerms}–${maxTerms} integers from 0 to ${maxOperand}`,
    items,
    exemplars,
    extractor: { kind: 'last-number' },
    relation: 'procedural',
    split: 'id',
    trigger: ADDITION_TRIGGER,
  };
}
