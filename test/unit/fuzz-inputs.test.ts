import { describe, expect, it } from 'vitest';
import { BUILTIN_METHODS, findMethod } from '../../src/core/methods/method.ts';
import { buildPrompt } from '../../src/core/methods/prompt.ts';
import { createRng, type Rng } from '../../src/core/rng.ts';
import { parseRunFile, runFile } from '../../src/core/run/export.ts';
import type { MethodOutput, RunResults } from '../../src/core/run/results.ts';
import { decodeConfigReport, encodeConfig, expandMethods } from '../../src/core/run/url-config.ts';
import { extractAnswer, isCorrect } from '../../src/core/tasks/extract.ts';
import { importSuite } from '../../src/core/tasks/import/read-import.ts';
import { allViewData } from './view-data.ts';

/**
 * The fuzz harness (seeded, bounded): malformed suites, results files and links, made by mutating valid ones, go
 * through the real parsers; what they accept goes through what uses it (extraction and prompts for a suite, every
 * view's data function for a results file, the method list for a link). No case may crash (throw anything but a
 * refusal), hang (take over a second), or be refused without naming the field or the position.
 */
const CASES_PER_KIND = 700;
const SLOW_MS = 1000;

const int = (rng: Rng, n: number) => Math.floor(rng.next() * n);
const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[int(rng, xs.length)]!;

/** Values that have broken parsers and views before. */
const NASTY: unknown[] = [
  null,
  '',
  '   ',
  '\u0000',
  'a\u202eb',
  '\ufeffx',
  'x'.repeat(5000),
  -1,
  0,
  1.5,
  1e308,
  -1e308,
  2 ** 53,
  true,
  [],
  [null],
  {},
  { kind: 'regex', pattern: '(.*)*Z' },
  { kind: 'regex', pattern: '(a|a)*$', flags: 'v' },
  { kind: 'regex', pattern: 'x'.repeat(2000) },
  { kind: 'regex', pattern: '(?<=\\d+)x(?!y)', flags: 'gimsuy' },
  '=1+1',
  '__proto__',
  { __proto__: { polluted: true } },
  'constructor',
];

function deep(depth: number): unknown {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { a: v };
  return v;
}

/** Every path to a value inside `v` (object keys and array indices). */
function paths(v: unknown, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(prefix);
  if (Array.isArray(v)) v.forEach((x, i) => paths(x, [...prefix, i], out));
  else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) paths(x, [...prefix, k], out);
  return out;
}

/** One to three edits at random places: delete, replace by a nasty value, nest deeply, duplicate, add a key. */
function mutate(rng: Rng, value: unknown): unknown {
  const root = { root: structuredClone(value) } as Record<string, unknown>;
  const edits = 1 + int(rng, 3);
  for (let e = 0; e < edits; e++) {
    const all = paths(root['root'], ['root']);
    const path = pick(rng, all);
    let parent: Record<string | number, unknown> = root;
    for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
    const key = path.at(-1)!;
    const target = parent[key];
    switch (int(rng, 6)) {
      case 0:
        if (path.length === 1) parent[key] = null;
        else if (Array.isArray(parent)) parent.splice(key as number, 1);
        else delete parent[key];
        break;
      case 1:
      case 2:
        parent[key] = structuredClone(pick(rng, NASTY));
        break;
      case 3:
        parent[key] = deep(1 + int(rng, 300));
        break;
      case 4:
        if (Array.isArray(target) && target.length) target.push(structuredClone(target[int(rng, target.length)]));
        else parent[key] = [target, target];
        break;
      default:
        if (target !== null && typeof target === 'object' && !Array.isArray(target))
          (target as Record<string, unknown>)[pick(rng, ['extra', 'id', 'kind', 'version', '__proto__'])] = pick(
            rng,
            NASTY,
          );
        else parent[key] = String(target);
    }
  }
  return root['root'];
}

/** The text of a mutated value, now and then damaged as text: cut short, a BOM, a stray byte. */
function damage(rng: Rng, text: string): string {
  switch (int(rng, 10)) {
    case 0:
      return text.slice(0, int(rng, text.length));
    case 1:
      return `\ufeff${text}`;
    case 2: {
      const at = int(rng, text.length);
      return text.slice(0, at) + pick(rng, ['{', ']', '"', '\\', '\u0000', ',']) + text.slice(at);
    }
    default:
      return text;
  }
}

/**
 * A refusal must say where: a field path ("items[0].id: …"), a line or position; text that is not JSON at all is
 * refused as such (with the engine's excerpt of it when it gives no position).
 */
function checkRefusal(err: unknown, source: string): void {
  expect(err).toBeInstanceOf(Error);
  const message = (err as Error).message;
  if (message.length >= 3000)
    throw new Error(`${source}: a refusal of ${message.length} characters: ${message.slice(0, 600)}`);
  expect(err).not.toBeInstanceOf(RangeError);
  expect(message).not.toMatch(/Maximum call stack|Cannot read propert|is not a function|undefined is not/);
  const namesField =
    /(^|\n {2})[\w$.[\]-]+: |\(top level\)|line \d+|position \d+|version \d+ was written|: not valid JSON/;
  if (!namesField.test(message)) unnamed.add(`${source}: ${message.slice(0, 200)}`);
}

const unnamed = new Set<string>();

interface Tally {
  accepted: number;
  refused: number;
  slowest: number;
}

function runCase(tally: Tally, source: string, fn: () => (() => void) | null): void {
  const t0 = performance.now();
  let use: (() => void) | null = null;
  try {
    use = fn();
  } catch (err) {
    checkRefusal(err, source);
    tally.refused++;
  }
  if (use) {
    use();
    tally.accepted++;
  }
  tally.slowest = Math.max(tally.slowest, performance.now() - t0);
  if (performance.now() - t0 > SLOW_MS) throw new Error(`${source} took ${(performance.now() - t0).toFixed(0)} ms`);
}

const validSuite = {
  name: 'fuzz',
  description: 'd',
  relation: 'procedural',
  split: 'id',
  extractor: { kind: 'regex', pattern: 'answer is (\\d+)', flags: 'i', select: 'last' },
  trigger: "Let's think.",
  formatTokens: ['.'],
  items: [
    { id: 'a', question: 'What is 2+2?', answer: '4', tags: { steps: 1 } },
    { id: 'b', question: 'What is 3+3?', answer: '6' },
  ],
  exemplars: [{ question: 'What is 1+1?', answer: '2', worked: '1+1 = 2. The answer is 2.' }],
};

const TEXTS = ['The answer is 4.', ' 6', 'x'.repeat(3000) + ' answer is 7', '', 'a\u0000b 12 -3 $1,200.50'];

function token(text: string, offset: number) {
  return {
    id: 3,
    text,
    offset,
    prob: 0.5,
    logprob: Math.log(0.5),
    rank: 1,
    entropy: 0.9,
    top: [{ id: 3, text, prob: 0.5 }],
  };
}

function output(answer: string, paths: number): MethodOutput {
  const path = {
    text: ` ${answer}`,
    tokens: [token(` ${answer}`, 0)],
    stopReason: 'eos' as const,
    extracted: { value: answer, start: 1, end: 1 + answer.length },
    correct: answer === '4',
    delta: 0.2,
    answerProb: 0.5,
  };
  const base = { ...path, prompt: 'Q', promptTokens: 2, generatedTokens: paths, ms: 1, probability: 0.5 };
  if (paths === 1) return { ...base, probabilitySource: 'answer-tokens' };
  return {
    ...base,
    probabilitySource: 'vote-share',
    paths: Array.from({ length: paths }, () => structuredClone(path)),
    chosen: 0,
    votes: [{ answer, count: paths, weight: 0.2 * paths, first: 0 }],
    passAtK: Array.from({ length: paths }, () => 1),
    majAtK: Array.from({ length: paths }, () => 1),
  };
}

function validRun(): unknown {
  const methods = [findMethod('greedy-plain'), findMethod('self-consistency')];
  const results: RunResults = {
    version: 1,
    modelId: 'coax/organism-v1',
    seed: 1,
    methods,
    suites: ['arith-id', 'arith-ood-length'].map((name, s) => ({
      suiteName: name,
      relation: 'procedural',
      split: s ? 'ood-length' : 'id',
      items: ['4', '5'].map((a, i) => ({
        itemId: `${name}-${i}`,
        question: '2+2',
        answer: '4',
        tags: { steps: i },
        outputs: { 'greedy-plain': output(a, 1), 'self-consistency': output(a, 4) },
      })),
    })),
  };
  return runFile({ name: 'fuzz', createdAt: 1, config: 'c', backend: 'wasm', results });
}

const validLink = {
  model: 'coax/organism-v1',
  suites: ['generated:addition', 'shipped:arith-id', 'generated:coin-flip:n=4'],
  itemLimit: 20,
  generatedSeed: 1,
  methods: ['greedy-plain', { ...BUILTIN_METHODS[1]!, id: 'edited' }],
  seed: 1,
  batchSize: 8,
};

describe('fuzz: malformed inputs through the real parsers and every view (seed 12)', () => {
  it(`${CASES_PER_KIND} suites, ${CASES_PER_KIND} results files, ${CASES_PER_KIND} links: 0 crashes, 0 hangs, every refusal names the field`, () => {
    const rng = createRng(12);
    const suites: Tally = { accepted: 0, refused: 0, slowest: 0 };
    const runs: Tally = { accepted: 0, refused: 0, slowest: 0 };
    const links: Tally = { accepted: 0, refused: 0, slowest: 0 };
    const run = validRun();
    for (let i = 0; i < CASES_PER_KIND; i++) {
      const suiteText = damage(rng, JSON.stringify(mutate(rng, validSuite)));
      runCase(suites, `suite case ${i}`, () => {
        const suite = importSuite(suiteText, 'fuzz.json');
        return () => {
          for (const item of suite.items) {
            for (const m of ['greedy-plain', 'trigger']) buildPrompt(findMethod(m).prompt, item, suite, 1);
            for (const text of TEXTS) isCorrect(extractAnswer(suite.extractor, text), item.answer, suite.extractor);
          }
        };
      });
      const runText = damage(rng, JSON.stringify(mutate(rng, run)));
      runCase(runs, `results case ${i}`, () => {
        const file = parseRunFile(runText, 'fuzz-run.json');
        return () => void allViewData(file.results);
      });
      const linkParam =
        int(rng, 10) === 0
          ? damage(rng, encodeConfig(validLink as never))
          : encodeURIComponent(JSON.stringify(mutate(rng, validLink)));
      runCase(links, `link case ${i}`, () => {
        const { config } = decodeConfigReport(linkParam);
        return () => void expandMethods(config.methods);
      });
    }
    // Deeply nested and oversized inputs, beyond what the mutations reach.
    const nested = `{"name":"n","extractor":"exact","items":[${'['.repeat(5000)}${']'.repeat(5000)}]}`;
    runCase(suites, 'suite nested 5000 deep', () => (importSuite(nested, 'deep.json'), null));
    runCase(
      runs,
      'results nested 5000 deep',
      () => (
        parseRunFile(`{"format":"coax-run","version":2,"name":${'['.repeat(5000)}${']'.repeat(5000)}}`, 'deep.json'),
        null
      ),
    );
    expect([...unnamed]).toEqual([]);
    const total = [suites, runs, links].reduce((n, t) => n + t.accepted + t.refused, 0);
    expect(total).toBeGreaterThanOrEqual(2000);
    // The mutations must exercise both sides: some inputs accepted (and used), most refused.
    for (const t of [suites, runs, links]) {
      expect(t.accepted).toBeGreaterThan(10);
      expect(t.refused).toBeGreaterThan(100);
    }
    console.log(
      `fuzz: suites ${suites.accepted} accepted / ${suites.refused} refused, results ${runs.accepted} / ${runs.refused}, links ${links.accepted} / ${links.refused}; slowest case ${Math.max(suites.slowest, runs.slowest, links.slowest).toFixed(0)} ms`,
    );
  }, 120_000);
});
