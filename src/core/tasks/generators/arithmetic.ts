import { randomInt, type Rng } from '../../rng.ts';
import { DEFAULT_TRIGGER } from './answers.ts';
import type { GeneratorParams, Problem, SuiteGenerator } from './generator.ts';

type Op = '+' | '-' | '*';
/** A parenthesised group: operands (numbers or groups) joined by operators, evaluated with * before + and -. */
interface Group {
  parts: (number | Group)[];
  ops: Op[];
  value: number;
}

/** Intermediate values stay this small, so answers are readable and exact in double precision. */
const LIMIT = 1_000_000;

const OPS = ['+', '-', '*'] as const;

/**
 * A group whose every intermediate value stays within ±LIMIT: children first, then operators, redrawn (a few times,
 * then the children too) when a product grows too large — deep products of products would otherwise overflow.
 */
function drawGroup(rng: Rng, depth: number, terms: number, maxOperand: number): Group {
  for (;;) {
    const parts = Array.from({ length: terms }, () =>
      depth > 1 ? drawGroup(rng, depth - 1, terms, maxOperand) : randomInt(rng, -maxOperand, maxOperand),
    );
    const values = parts.map(valueOf);
    for (let tries = 0; tries < 20; tries++) {
      const ops = Array.from({ length: terms - 1 }, () => OPS[randomInt(rng, 0, 2)]!);
      const value = combine(values, ops, null);
      if (value !== null) return { parts, ops, value };
      // too large: other operators, or after 20 tries other operands
    }
  }
}

function text(x: number | Group): string {
  if (typeof x === 'number') return String(x);
  return `(${x.parts.map((p, i) => (i === 0 ? text(p) : `${x.ops[i - 1]} ${text(p)}`)).join(' ')})`;
}

function apply(a: number, op: Op, b: number): number {
  return op === '+' ? a + b : op === '-' ? a - b : a * b;
}

const valueOf = (x: number | Group): number => (typeof x === 'number' ? x : x.value);

/** Products before sums, left to right; each operation written to `steps`; null when a value passes ±LIMIT. */
function combine(operands: readonly number[], operators: readonly Op[], steps: string[] | null): number | null {
  const values = operands.slice();
  const ops = operators.slice();
  const step = (i: number): boolean => {
    const r = apply(values[i]!, ops[i]!, values[i + 1]!);
    if (Math.abs(r) > LIMIT) return false;
    steps?.push(`${values[i]} ${ops[i]} ${values[i + 1]} = ${r}`);
    values.splice(i, 2, r);
    ops.splice(i, 1);
    return true;
  };
  for (let i = ops.indexOf('*'); i >= 0; i = ops.indexOf('*')) if (!step(i)) return null;
  while (ops.length > 0) if (!step(0)) return null;
  return values[0]!;
}

/** The worked steps of a group, innermost groups first. */
function workSteps(g: Group, steps: string[]): void {
  for (const p of g.parts) if (typeof p !== 'number') workSteps(p, steps);
  combine(g.parts.map(valueOf), g.ops, steps);
}

function draw(rng: Rng, p: GeneratorParams): Problem {
  const maxOperand = p['digits'] === 1 ? 9 : 10 ** p['digits']! - 1;
  const g = drawGroup(rng, p['depth']!, p['terms']!, maxOperand);
  const steps: string[] = [];
  workSteps(g, steps);
  const value = g.value;
  return {
    question: `${text(g)} =`,
    answer: String(value),
    worked: `${DEFAULT_TRIGGER} ${steps.join('. ')}. The answer is ${value}.`,
    tags: { depth: p['depth']!, terms: p['terms']!, digits: p['digits']!, steps: steps.length },
  };
}

export const arithmetic: SuiteGenerator = {
  name: 'arithmetic',
  title: 'Multi-step arithmetic',
  explanation:
    'Nested expressions such as ((-3 + 7) * (2 - -5)) =, as in BIG-bench multistep_arithmetic, one of the tasks on ' +
    'which Wang & Zhou (2024) show CoT-decoding finding reasoning paths that greedy decoding misses. Each group ' +
    'holds "terms" operands joined by +, - or * (products first, as usual), groups nest "depth" levels, and ' +
    'operands have "digits" digits and may be negative. In distribution: depth 1–2, 2–3 terms, one digit; deeper ' +
    'nesting, more terms or two-digit operands are out of distribution. The answer is the last number in the output.',
  settings: [
    { key: 'depth', label: 'nesting depth', min: 1, max: 4, inDistribution: [1, 2] },
    { key: 'terms', label: 'operands per group', min: 2, max: 4, inDistribution: [2, 3] },
    { key: 'digits', label: 'digits per operand', min: 1, max: 2, inDistribution: [1, 1] },
  ],
  id: { depth: 2, terms: 2, digits: 1 },
  ood: { depth: 3, terms: 2, digits: 1 },
  extractor: { kind: 'last-number' },
  relation: 'procedural',
  trigger: DEFAULT_TRIGGER,
  draw,
};
