import { describe, expect, it } from 'vitest';
import { extractAnswer, isCorrect } from '../../src/core/tasks/extract.ts';
import { generateSuite, type SuiteGenerator } from '../../src/core/tasks/generators/generator.ts';
import { GENERATORS, findGenerator } from '../../src/core/tasks/generators/registry.ts';
import { formatSuiteSpec, generatedSuiteFromSpec, parseSuiteSpec } from '../../src/core/tasks/generators/spec.ts';
import { KINDS } from '../../src/core/tasks/generators/words.ts';
import { suiteSchema } from '../../src/core/schema/suite-schema.ts';

/*
 * Every answer a generator writes is checked against a second solver that reads only the question text. The
 * solvers below are written differently from the generators (parsers over the text, BigInt, Intl.Collator, regexes).
 */

/** Recursive descent over "((3 + -4) * 7) =" with BigInt: products bind tighter than sums. */
function solveArithmetic(q: string): string {
  const tokens = q.replace(/=\s*$/, '').match(/-?\d+|[()+*-]/g)!;
  // A "-" directly followed by digits is a sign only where an operand is expected.
  let i = 0;
  const operand = (): bigint => {
    const t = tokens[i++]!;
    if (t === '(') {
      const v = sum();
      expect(tokens[i++]).toBe(')');
      return v;
    }
    return BigInt(t);
  };
  const product = (): bigint => {
    let v = operand();
    while (tokens[i] === '*') {
      i++;
      v *= operand();
    }
    return v;
  };
  const sum = (): bigint => {
    let v = product();
    while (tokens[i] === '+' || tokens[i] === '-' || /^-\d/.test(tokens[i] ?? '')) {
      const t = tokens[i]!;
      // A signed number right after an operand ("4 -3") would be a missing operator.
      if (/^-\d/.test(t)) throw new Error(`unexpected signed number ${t} after an operand in ${q}`);
      i++;
      v = t === '+' ? v + product() : v - product();
    }
    return v;
  };
  const v = sum();
  expect(i).toBe(tokens.length);
  return v.toString();
}

function solveCoinFlip(q: string): string {
  const flips = q.match(/ flips the coin\./g)?.length ?? 0;
  const people = flips + (q.match(/ does not flip the coin\./g)?.length ?? 0);
  expect(q.startsWith('A coin is heads up.')).toBe(true);
  expect(people).toBeGreaterThan(0);
  return flips % 2 === 0 ? 'yes' : 'no';
}

function solveLastLetters(q: string): string {
  const quoted = /"([^"]+)"/.exec(q)![1]!;
  return quoted
    .split(/\s+/)
    .map((w) => w.charAt(w.length - 1))
    .join('')
    .toLowerCase();
}

const WORD_VALUE: Record<string, number> = {
  a: 1,
  an: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
};
function solveObjectCounting(q: string): string {
  const m = /^I have (.*)\. How many (.+) do I have\?$/.exec(q)!;
  const kind = m[2]!;
  const nouns = new Map<string, string>();
  for (const [k, things] of Object.entries(KINDS))
    for (const t of things) for (const w of [t.one, t.many]) nouns.set(w, k);
  let total = 0;
  for (const entry of m[1]!.split(/, and |, | and /)) {
    const [, qty, noun] = /^(\w+) (.+)$/.exec(entry)!;
    expect(WORD_VALUE[qty!], entry).toBeDefined();
    expect(nouns.has(noun!), noun).toBe(true);
    if (nouns.get(noun!) === kind) total += WORD_VALUE[qty!]!;
  }
  return String(total);
}

function solveWebOfLies(q: string): string {
  const truth = new Map<string, boolean>();
  const sentences = q.split(/(?<=[.?])\s+/);
  const first = /^(\w+) (lies|tells the truth)\.$/.exec(sentences[0]!)!;
  truth.set(first[1]!, first[2] === 'tells the truth');
  for (const s of sentences.slice(1, -1)) {
    const [, who, about, claim] = /^(\w+) says (\w+) (lies|tells the truth)\.$/.exec(s)!;
    // A speaker is honest exactly when the claim matches the truth about the other person.
    truth.set(who!, truth.get(about!)! === (claim === 'tells the truth'));
  }
  const asked = /^Does (\w+) tell the truth\?$/.exec(sentences.at(-1)!)![1]!;
  return truth.get(asked) ? 'yes' : 'no';
}

/** Shunting-yard with Python's precedence (not > and > or), evaluated on a stack. */
function solveBoolean(q: string): string {
  const tokens = q.replace(/ is$/, '').split(/\s+/);
  const prec: Record<string, number> = { or: 1, and: 2, not: 3 };
  const out: string[] = [];
  const ops: string[] = [];
  for (const t of tokens) {
    if (t === 'True' || t === 'False') out.push(t);
    else if (t === '(') ops.push(t);
    else if (t === ')') {
      while (ops.at(-1) !== '(') out.push(ops.pop()!);
      ops.pop();
    } else {
      // "not" is right-associative and unary: it never pops another "not".
      while (
        ops.length &&
        ops.at(-1) !== '(' &&
        (prec[ops.at(-1)!]! > prec[t]! || (prec[ops.at(-1)!] === prec[t] && t !== 'not'))
      )
        out.push(ops.pop()!);
      ops.push(t);
    }
  }
  while (ops.length) out.push(ops.pop()!);
  const stack: boolean[] = [];
  for (const t of out) {
    if (t === 'True' || t === 'False') stack.push(t === 'True');
    else if (t === 'not') stack.push(!stack.pop()!);
    else {
      const b = stack.pop()!;
      const a = stack.pop()!;
      stack.push(t === 'and' ? a && b : a || b);
    }
  }
  expect(stack.length).toBe(1);
  return String(stack[0]);
}

function solveSorting(q: string): string {
  const list = /List: (.*)$/.exec(q)![1]!.split(' ');
  return list.sort(new Intl.Collator('en').compare).join(' ');
}

/** Reads each sentence of a word problem and applies it to the running amount. */
function solveWordProblem(q: string): string {
  const sentences = q.split(/(?<=[.?])\s+/);
  const n = /^How many \w+ does (\w+) have now\?$/.exec(sentences.at(-1)!)![1]!;
  let x = Number(/(\d+)/.exec(sentences[0]!)![1]);
  for (const s of sentences.slice(1, -1)) {
    const nums = (s.match(/\d+/g) ?? []).map(Number);
    if (/ends up with twice as many/.test(s)) x *= 2;
    else if (/ends up with three times as many/.test(s)) x *= 3;
    else if (/keeps half of/.test(s)) x /= 2;
    else if (/keeps a third of/.test(s)) x /= 3;
    else if (/keeps a quarter of/.test(s)) x /= 4;
    else if (/has \d+ more \w+ than/.test(s)) x += x + nums[0]!;
    else if (/(bags|sheets|boxes) of|works \d+ hours/.test(s)) x += nums[0]! * nums[1]!;
    else if (new RegExp(`^${n} (wins|buys|bakes|finds|earns)|gives ${n} |brings ${n} `).test(s)) x += nums[0]!;
    else if (new RegExp(`^${n} (gives|loses|uses|eats|donates|lends|drops|spends|pays)`).test(s)) x -= nums[0]!;
    else throw new Error(`the test's solver cannot read "${s}"`);
    expect(Number.isInteger(x) && x >= 1).toBe(true);
  }
  return String(x);
}

const SOLVERS: Record<string, (q: string) => string> = {
  addition: (q) => String(q.split(' + ').reduce((s, t) => s + Number(t), 0)),
  arithmetic: solveArithmetic,
  'word-problems': solveWordProblem,
  'coin-flip': solveCoinFlip,
  'last-letters': solveLastLetters,
  'object-counting': solveObjectCounting,
  'web-of-lies': solveWebOfLies,
  'boolean-expressions': solveBoolean,
  sorting: solveSorting,
};

describe.each(GENERATORS.map((g) => [g.name, g] as [string, SuiteGenerator]))('generator %s', (name, gen) => {
  const solve = SOLVERS[name]!;
  it('has a solver in this test, a paragraph of explanation and ID/OOD presets on the right side', () => {
    expect(solve).toBeDefined();
    expect(gen.explanation.length).toBeGreaterThan(200);
    expect(generateSuite(gen, gen.id, 1, 1).split).toBe('id');
    expect(generateSuite(gen, gen.ood, 1, 1).split).toMatch(/^ood-/);
  });

  it.each([
    ['in-distribution', 1],
    ['in-distribution', 2],
    ['out-of-distribution', 3],
  ] as const)('every answer of the %s preset (seed %i) matches an independent solver', (preset, seed) => {
    const suite = generateSuite(gen, preset === 'in-distribution' ? gen.id : gen.ood, seed, 150);
    expect(suite.items).toHaveLength(150);
    for (const item of suite.items) expect(item.answer, item.question).toBe(solve(item.question));
    for (const ex of suite.exemplars) {
      expect(ex.answer, ex.question).toBe(solve(ex.question));
      // The worked solution's answer is what the suite's own extractor reads from it.
      expect(isCorrect(extractAnswer(suite.extractor, ex.worked), ex.answer), ex.worked).toBe(true);
      expect(ex.worked.startsWith(suite.trigger!)).toBe(true);
      expect(ex.worked).not.toContain('\n\n');
    }
  });

  it('at the extremes of every setting, answers still match (seed 4)', () => {
    for (const s of gen.settings)
      for (const v of [s.min, s.max]) {
        const suite = generateSuite(gen, { ...gen.id, [s.key]: v }, 4, 20);
        for (const item of suite.items) expect(item.answer, item.question).toBe(solve(item.question));
      }
  });

  it('is a valid suite: exemplars never repeat a test question, the pool is the same for any size (seed 5)', () => {
    const big = generateSuite(gen, gen.id, 5, 200);
    const small = generateSuite(gen, gen.id, 5, 1);
    expect(suiteSchema.safeParse(big).success).toBe(true);
    expect(big.exemplars.length).toBeGreaterThanOrEqual(8);
    // Addition keeps its original construction (exemplars drawn after the items), which the fixtures' tests use.
    if (name !== 'addition') {
      expect(small.exemplars).toEqual(big.exemplars);
      expect(small.items[0]).toEqual(big.items[0]);
    }
    expect(generateSuite(gen, gen.id, 5, 200)).toEqual(big);
    expect(generateSuite(gen, gen.id, 6, 200).items).not.toEqual(big.items);
  });
});

describe('generated suite specs', () => {
  it.each([
    ['coin-flip', 'coin-flip', 'id'],
    ['coin-flip:n=4', 'coin-flip:n=4', 'ood-n'],
    ['coin-flip:n=2', 'coin-flip', 'id'],
    ['arithmetic:digits=2:depth=3', 'arithmetic:depth=3:digits=2', 'ood-depth-digits'],
    [' sorting:n=3 ', 'sorting:n=3', 'id'],
  ])('%j names the suite %s (split %s)', (text, name, split) => {
    const spec = parseSuiteSpec(text)!;
    expect(formatSuiteSpec(spec)).toBe(name);
    const suite = generatedSuiteFromSpec(text, 1, 3);
    expect(suite.name).toBe(name);
    expect(suite.split).toBe(split);
  });

  it('is null for a name that is no generator (a file or a shipped suite)', () => {
    expect(parseSuiteSpec('arith-id')).toBeNull();
    expect(parseSuiteSpec('data/test.jsonl')).toBeNull();
  });

  it.each([
    ['coin-flip:m=4', /coin-flip" has no setting "m"; its settings: n/],
    ['coin-flip:n=0', /n \(people\) must be a whole number from 1 to 12, got 0/],
    ['coin-flip:n=2.5', /"n=2.5" should be key=whole number, as in coin-flip:n=4/],
    ['coin-flip:n', /"n" should be key=whole number/],
  ])('%j is an error that says which setting and why', (text, message) => {
    expect(() => parseSuiteSpec(text)).toThrow(message);
  });

  it('generatedSuiteFromSpec lists the known generators for an unknown name', () => {
    expect(() => generatedSuiteFromSpec('coin-toss', 1, 1)).toThrow(
      /unknown generated suite "coin-toss"; known: addition, arithmetic/,
    );
  });

  it('the default addition suite is unchanged', () => {
    expect(findGenerator('addition')).toBeDefined();
    const s = generatedSuiteFromSpec('addition', 1, 5);
    expect(s.name).toBe('addition');
    expect(s.items.map((i) => i.question)).toEqual(['9 + 5 + 0', ...s.items.slice(1).map((i) => i.question)]);
  });
});

describe('word answers are read from real-looking outputs', () => {
  const coin = findGenerator('coin-flip')!.extractor;
  const letters = findGenerator('last-letters')!.extractor;
  const sort = findGenerator('sorting')!.extractor;
  const bool = findGenerator('boolean-expressions')!.extractor;
  it.each([
    [coin, ' No, it is tails up now.', 'no'],
    [coin, " Let's think. Ana flips it once. So the answer is Yes.", 'yes'],
    [letters, ' "nk".', 'nk'],
    [letters, ' The last letters are n and k. The answer is NK.', 'nk'],
    [sort, ' cabin candle oven', 'cabin candle oven'],
    [sort, ' First c, then o. The answer is: Cabin, candle, oven.', 'cabin candle oven'],
    [bool, ' False', 'false'],
    [bool, ' not True is False, and False or True is True. The answer is True.', 'true'],
  ])('%j on %j gives %j', (spec, text, value) => {
    expect(extractAnswer(spec, text)?.value).toBe(value);
  });
  it('an answer that is not at the start nor after "answer is" is not read', () => {
    expect(extractAnswer(letters, ' I think it might be nk')?.value).toBe('i');
  });
});
