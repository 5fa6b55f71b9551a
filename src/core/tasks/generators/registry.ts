import { additionSuite } from '../addition-suite.ts';
import { arithmetic } from './arithmetic.ts';
import { booleanExpressions } from './boolean-expressions.ts';
import { coinFlip } from './coin-flip.ts';
import type { SuiteGenerator } from './generator.ts';
import { lastLetters } from './last-letters.ts';
import { objectCounting } from './object-counting.ts';
import { sorting } from './sorting.ts';
import { webOfLies } from './web-of-lies.ts';
import { wordProblems } from './word-problems.ts';

const addition: SuiteGenerator = {
  name: 'addition',
  title: 'Addition',
  explanation:
    'Sums of small integers written as "3 + 4 + 5", the smallest procedural task: a baseline that every model ' +
    'should get right and that the bundled fixtures are tested on. "terms" is the most numbers in a sum (at least ' +
    'two) and "max" the largest number. In distribution: 2–3 terms up to 9; longer sums or larger numbers are out ' +
    'of distribution. The answer is the last number in the output.',
  settings: [
    { key: 'terms', label: 'most terms', min: 2, max: 10, inDistribution: [2, 3] },
    { key: 'max', label: 'largest number', min: 1, max: 999, inDistribution: [1, 9] },
  ],
  id: { terms: 3, max: 9 },
  ood: { terms: 6, max: 9 },
  extractor: { kind: 'last-number' },
  relation: 'procedural',
  trigger: "Let's add step by step.",
  make: (p, seed, count) => additionSuite({ seed, count, maxTerms: p['terms']!, maxOperand: p['max']! }),
};

/** Every generated suite, in the order the page and `coax list` show them. */
export const GENERATORS: readonly SuiteGenerator[] = [
  addition,
  arithmetic,
  wordProblems,
  coinFlip,
  lastLetters,
  objectCounting,
  webOfLies,
  booleanExpressions,
  sorting,
];

export function findGenerator(name: string): SuiteGenerator | undefined {
  return GENERATORS.find((g) => g.name === name);
}
