import { createRng, deriveSeed, shuffled } from '../rng.ts';
import type { Exemplar, Suite, TaskItem } from '../tasks/suite.ts';

/**
 * How the text the model receives is built from an item. Templates hold `{question}`; a custom template may
 * also place `{exemplars}` (otherwise exemplars go first). The answer cue is what follows `{question}`.
 */
export interface PromptSpec {
  template: 'qa' | 'lm-eval' | 'custom';
  /** The custom template (only with template 'custom'). */
  custom?: string;
  /** 'suite': the suite's own trigger phrase; 'custom': `trigger`; 'none': no trigger. */
  triggerSource: 'none' | 'suite' | 'custom';
  trigger?: string;
  /** Few-shot exemplars before the question (0 = zero-shot), drawn by seed from the suite's pool. */
  shots: number;
  shotForm: 'direct' | 'worked';
}

export const PLAIN_PROMPT: PromptSpec = { template: 'qa', triggerSource: 'none', shots: 0, shotForm: 'direct' };

export const TEMPLATES = {
  qa: 'Q: {question}\nA:',
  'lm-eval': 'Question: {question}\nAnswer:',
} as const;

export const DEFAULT_TRIGGER = "Let's think step by step.";

/** The template text, checked: it must hold {question} exactly once. */
export function templateText(spec: PromptSpec): string {
  const text = spec.template === 'custom' ? (spec.custom ?? '') : TEMPLATES[spec.template];
  const count = text.split('{question}').length - 1;
  if (count !== 1)
    throw new Error(`prompt template must contain {question} exactly once, found ${count} in ${JSON.stringify(text)}`);
  if (text.split('{exemplars}').length > 2) throw new Error('prompt template may contain {exemplars} at most once');
  return text;
}

/** The k exemplars a few-shot prompt uses: a seeded shuffle of the pool, the same for every item (a shared prefix). */
export function chooseExemplars(suite: Suite, k: number, seed: number): Exemplar[] {
  if (k > suite.exemplars.length)
    throw new Error(`few-shot k=${k} but suite "${suite.name}" has only ${suite.exemplars.length} exemplars`);
  return shuffled(suite.exemplars, createRng(deriveSeed(seed, 'exemplars', suite.name))).slice(0, k);
}

export function triggerText(spec: PromptSpec, suite: Suite): string {
  if (spec.triggerSource === 'none') return '';
  if (spec.triggerSource === 'custom') return spec.trigger ?? '';
  return suite.trigger ?? DEFAULT_TRIGGER;
}

/** Replace the one `{name}` slot literally (no `$` patterns, unlike String.replace with a string). */
function fill(template: string, name: string, value: string): string {
  const at = template.indexOf(`{${name}}`);
  return at < 0 ? template : template.slice(0, at) + value + template.slice(at + name.length + 2);
}

/** The exact text the model receives for `item`. */
export function buildPrompt(spec: PromptSpec, item: Pick<TaskItem, 'question'>, suite: Suite, seed: number): string {
  const template = templateText(spec);
  const ask = (q: string) => fill(fill(template, 'exemplars', ''), 'question', q);
  const exemplars = spec.shots > 0 ? chooseExemplars(suite, spec.shots, seed) : [];
  const solved = exemplars
    .map((ex) => `${ask(ex.question)} ${spec.shotForm === 'worked' ? ex.worked : ex.answer}\n\n`)
    .join('');
  const trigger = triggerText(spec, suite);
  const body = fill(template, 'question', item.question) + (trigger ? ` ${trigger}` : '');
  return template.includes('{exemplars}') ? fill(body, 'exemplars', solved) : solved + body;
}
