import { randomInt, type Rng } from '../../rng.ts';
import { DEFAULT_TRIGGER, lastOf } from './answers.ts';
import type { GeneratorParams, Problem, SuiteGenerator } from './generator.ts';

/** A literal with 0–2 "not"s, or two subexpressions joined by and/or (compound children are parenthesised). */
type Expr =
  | { kind: 'literal'; value: boolean; nots: number }
  | { kind: 'op'; op: 'and' | 'or'; left: Expr; right: Expr; not: boolean };

const word = (b: boolean) => (b ? 'True' : 'False');

function build(rng: Rng, operands: number): Expr {
  if (operands === 1) return { kind: 'literal', value: rng.next() < 0.5, nots: randomInt(rng, 0, 2) };
  const left = randomInt(rng, 1, operands - 1);
  return {
    kind: 'op',
    op: rng.next() < 0.5 ? 'and' : 'or',
    left: build(rng, left),
    right: build(rng, operands - left),
    not: rng.next() < 0.25,
  };
}

function text(e: Expr): string {
  if (e.kind === 'literal') return `${'not '.repeat(e.nots)}${word(e.value)}`;
  const side = (x: Expr) => (x.kind === 'op' ? `( ${text(x)} )` : text(x));
  const inner = `${side(e.left)} ${e.op} ${side(e.right)}`;
  return e.not ? `not ( ${inner} )` : inner;
}

/** The value, with each "not" and each and/or written as a step (innermost first). */
function evaluate(e: Expr, steps: string[]): boolean {
  if (e.kind === 'literal') {
    const v = e.nots % 2 === 0 ? e.value : !e.value;
    if (e.nots > 0) steps.push(`${'not '.repeat(e.nots)}${word(e.value)} = ${word(v)}`);
    return v;
  }
  const l = evaluate(e.left, steps);
  const r = evaluate(e.right, steps);
  const v = e.op === 'and' ? l && r : l || r;
  steps.push(`${word(l)} ${e.op} ${word(r)} = ${word(v)}`);
  if (e.not) steps.push(`not ${word(v)} = ${word(!v)}`);
  return e.not ? !v : v;
}

function draw(rng: Rng, p: GeneratorParams): Problem {
  const e = build(rng, p['n']!);
  const steps: string[] = [];
  const value = evaluate(e, steps);
  const shown = steps.length > 0 ? ` ${steps.join('. ')}.` : '';
  return {
    question: `${text(e)} is`,
    answer: value ? 'true' : 'false',
    worked: `${DEFAULT_TRIGGER}${shown} The answer is ${word(value)}.`,
    tags: { n: p['n']! },
  };
}

export const booleanExpressions: SuiteGenerator = {
  name: 'boolean-expressions',
  title: 'Boolean expressions',
  explanation:
    'Expressions of True and False with not, and, or and parentheses, such as "not ( True or False ) and True is", ' +
    'as in BIG-bench boolean_expressions (part of BIG-Bench Hard). The model has to apply "not" and the ' +
    'connectives inside out. "n" is the number of True/False operands. In distribution: 2–4 operands; 5 or more ' +
    'are out of distribution. The answer is the last "true" or "false" in the output, in any case.',
  settings: [{ key: 'n', label: 'operands', min: 2, max: 10, inDistribution: [2, 4] }],
  id: { n: 3 },
  ood: { n: 6 },
  extractor: lastOf(['true', 'false']),
  relation: 'procedural',
  trigger: DEFAULT_TRIGGER,
  draw,
};
