import { randomInt, type Rng } from '../../rng.ts';
import { DEFAULT_TRIGGER } from './answers.ts';
import type { GeneratorParams, Problem, SuiteGenerator } from './generator.ts';
import { pick, pickDistinct } from './pick.ts';
import { FIRST_NAMES } from './words.ts';

/** A setting for a problem: what is counted and how quantities come and go (templates take {n} {f} {k} {x}). */
interface Scene {
  /** What the question asks for ("marbles", "dollars"). */
  unit: string;
  start: string;
  gain: readonly string[];
  lose: readonly string[];
  /** "{n} buys {p} packs … with {k} in each" (a product added). */
  packs?: string;
}

const SCENES: readonly Scene[] = [
  {
    unit: 'marbles',
    start: '{n} has {k} marbles.',
    gain: ['{n} wins {k} more marbles at school.', '{f} gives {n} {k} marbles.'],
    lose: ['{n} gives {k} marbles to {f}.', '{n} loses {k} marbles in the park.'],
    packs: '{n} buys {p} bags of marbles with {k} marbles in each bag.',
  },
  {
    unit: 'stickers',
    start: '{n} has a collection of {k} stickers.',
    gain: ['{n} buys {k} more stickers.', '{f} gives {n} {k} stickers.'],
    lose: ['{n} uses {k} stickers to decorate a notebook.', '{n} gives {k} stickers to {f}.'],
    packs: '{n} buys {p} sheets of stickers with {k} stickers on each sheet.',
  },
  {
    unit: 'cookies',
    start: '{n} bakes {k} cookies.',
    gain: ['{n} bakes {k} more cookies.', '{f} brings {n} {k} cookies.'],
    lose: ['{n} eats {k} cookies.', '{n} gives {k} cookies to {f}.'],
    packs: '{n} buys {p} boxes of cookies with {k} cookies in each box.',
  },
  {
    unit: 'books',
    start: "There are {k} books on {n}'s shelf.",
    gain: ['{n} buys {k} more books.', '{f} gives {n} {k} books.'],
    lose: ['{n} donates {k} books to the library.', '{n} lends {k} books to {f}.'],
  },
  {
    unit: 'seashells',
    start: '{n} collects {k} seashells on the beach.',
    gain: ['{n} finds {k} more seashells.', '{f} gives {n} {k} seashells.'],
    lose: ['{n} gives {k} seashells to {f}.', '{n} drops {k} seashells on the way home.'],
  },
  {
    unit: 'dollars',
    start: '{n} has ${k}.',
    gain: ['{n} earns ${k} walking dogs.', '{f} gives {n} ${k}.'],
    lose: ['{n} spends ${k} on a book.', '{n} pays {f} back ${k}.'],
    packs: '{n} works {p} hours and earns ${k} per hour.',
  },
];

const MAX = 999;
const fill = (t: string, v: Record<string, string | number>) =>
  t.replace(/\{(\w)\}/g, (_, key: string) => String(v[key]));

interface Step {
  kind: number;
  sentence: string;
  work: string;
  value: number;
}

const KINDS = 6;
const step = (kind: number, sentence: string, work: string, value: number): Step | null =>
  value >= 1 && value <= MAX && Number.isInteger(value) ? { kind, sentence, work, value } : null;

/** One operation on the running value `x`, or null when the result would not be a whole number from 1 to MAX. */
function drawStep(rng: Rng, scene: Scene, x: number, n: string, f: string, kind: number): Step | null {
  const { unit } = scene;
  switch (kind) {
    case 0: {
      const k = randomInt(rng, 2, 30);
      return step(kind, fill(pick(rng, scene.gain), { n, f, k }), `${x} + ${k} = ${x + k}`, x + k);
    }
    case 1: {
      const k = randomInt(rng, 1, Math.min(30, x - 1));
      return step(kind, fill(pick(rng, scene.lose), { n, f, k }), `${x} - ${k} = ${x - k}`, x - k);
    }
    case 2: {
      const m = randomInt(rng, 2, 3);
      const sentence = `Then ${n} ends up with ${m === 2 ? 'twice' : 'three times'} as many ${unit} as before.`;
      return step(kind, sentence, `${x} * ${m} = ${x * m}`, x * m);
    }
    case 3: {
      const [part, d] = pick(rng, [
        ['half', 2],
        ['a third', 3],
        ['a quarter', 4],
      ] as const);
      return step(
        kind,
        `${n} keeps ${part} of the ${unit} and gives the rest to ${f}.`,
        `${x} / ${d} = ${x / d}`,
        x / d,
      );
    }
    case 4: {
      // Two calculations in one sentence: the friend's amount, then the sum.
      if (unit === 'dollars') return null;
      const k = randomInt(rng, 2, 12);
      const sentence = `${f} has ${k} more ${unit} than ${n} and gives them all to ${n}.`;
      return step(kind, sentence, `${x} + ${k} = ${x + k}, ${x} + ${x + k} = ${2 * x + k}`, 2 * x + k);
    }
    default: {
      if (!scene.packs) return null;
      const p = randomInt(rng, 2, 6);
      const k = randomInt(rng, 2, 12);
      return step(
        kind,
        fill(scene.packs, { n, f, p, k }),
        `${p} * ${k} = ${p * k}, ${x} + ${p * k} = ${x + p * k}`,
        x + p * k,
      );
    }
  }
}

function draw(rng: Rng, p: GeneratorParams): Problem {
  for (;;) {
    const scene = pick(rng, SCENES);
    const [n, f] = pickDistinct(rng, FIRST_NAMES, 2) as [string, string];
    const start = randomInt(rng, 5, 60);
    const steps: Step[] = [];
    let x = start;
    for (let tries = 0; steps.length < p['steps']! && tries < 50; tries++) {
      // The same kind of sentence twice in a row reads like a template; the next one differs.
      const kind = randomInt(rng, 0, KINDS - 1);
      if (kind === steps.at(-1)?.kind) continue;
      const s = drawStep(rng, scene, x, n, f, kind);
      if (!s) continue;
      steps.push(s);
      x = s.value;
    }
    if (steps.length < p['steps']!) continue;
    const question = [fill(scene.start, { n, k: start }), ...steps.map((s) => s.sentence)].join(' ');
    const work = steps.map((s) => `${s.sentence.replace(/\.$/, '')}: ${s.work}.`).join(' ');
    const ask =
      scene.unit === 'dollars' ? `How many dollars does ${n} have now?` : `How many ${scene.unit} does ${n} have now?`;
    return {
      question: `${question} ${ask}`,
      answer: String(x),
      worked: `${DEFAULT_TRIGGER} ${n} starts with ${start} ${scene.unit}. ${work} The answer is ${x}.`,
      tags: { steps: steps.length, scene: scene.unit },
    };
  }
}

export const wordProblems: SuiteGenerator = {
  name: 'word-problems',
  title: 'Grade-school word problems',
  explanation:
    'Short stories in the style of GSM8K: a person starts with some marbles, stickers, cookies, books, seashells or ' +
    'dollars, and each following sentence changes the amount once (adds, takes away, multiplies, keeps a ' +
    'fraction, or adds packs of equal size), with names and wording drawn from templates; every answer is a whole ' +
    'number. "steps" is the number of sentences after the first. In distribution: 2–4 steps, as in most GSM8K ' +
    'problems; 5 or more are out of distribution. The answer is the last number in the output.',
  settings: [{ key: 'steps', label: 'steps', min: 1, max: 8, inDistribution: [2, 4] }],
  id: { steps: 3 },
  ood: { steps: 6 },
  extractor: { kind: 'last-number' },
  relation: 'procedural',
  trigger: DEFAULT_TRIGGER,
  draw,
};
