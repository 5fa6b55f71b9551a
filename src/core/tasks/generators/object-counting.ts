import { randomInt, type Rng } from '../../rng.ts';
import { DEFAULT_TRIGGER, listText, NUMBER_WORDS } from './answers.ts';
import type { GeneratorParams, Problem, SuiteGenerator } from './generator.ts';
import { pick, pickDistinct } from './pick.ts';
import { KINDS, type Thing } from './words.ts';

const KIND_NAMES = Object.keys(KINDS);

function phrase(thing: Thing, quantity: number): string {
  return quantity === 1 ? `${thing.an ? 'an' : 'a'} ${thing.one}` : `${NUMBER_WORDS[quantity]} ${thing.many}`;
}

function draw(rng: Rng, p: GeneratorParams): Problem {
  const n = p['n']!;
  const asked = pick(rng, KIND_NAMES);
  // At least one entry of the asked kind; the others from any kind (the asked one included).
  const pool = KIND_NAMES.flatMap((k) => KINDS[k]!.map((thing) => ({ kind: k, thing })));
  const first = pick(
    rng,
    pool.filter((e) => e.kind === asked),
  );
  const rest = pickDistinct(
    rng,
    pool.filter((e) => e !== first),
    n - 1,
  );
  const entries = [first, ...rest]
    .map((e) => ({ ...e, quantity: randomInt(rng, 1, p['max']!), order: rng.next() }))
    .sort((a, b) => a.order - b.order);
  const counted = entries.filter((e) => e.kind === asked);
  const total = counted.reduce((s, e) => s + e.quantity, 0);
  const shown = counted.map((e) => `${phrase(e.thing, e.quantity)} (${e.quantity})`).join(', ');
  const sum = counted.length > 1 ? ` ${counted.map((e) => e.quantity).join(' + ')} = ${total}.` : '';
  return {
    question: `I have ${listText(entries.map((e) => phrase(e.thing, e.quantity)))}. How many ${asked} do I have?`,
    answer: String(total),
    worked: `${DEFAULT_TRIGGER} The ${asked} are: ${shown}.${sum} The answer is ${total}.`,
    tags: { n, kind: asked },
  };
}

export const objectCounting: SuiteGenerator = {
  name: 'object-counting',
  title: 'Object counting',
  explanation:
    'A list of n possessions of mixed kinds ("a piano, two flutes, a cat, …"): how many of one kind (fruits, ' +
    'vegetables, animals, musical instruments, objects)? After BIG-bench object_counting: the model has to pick ' +
    'the items of the asked kind, read number words and add. Each entry counts 1 to "max" things. In distribution: ' +
    '2–6 entries of at most 3 things; longer lists or larger counts are out of distribution. The answer is the ' +
    'last number in the output.',
  settings: [
    { key: 'n', label: 'entries in the list', min: 1, max: 12, inDistribution: [2, 6] },
    { key: 'max', label: 'most things per entry', min: 1, max: 10, inDistribution: [1, 3] },
  ],
  id: { n: 5, max: 3 },
  ood: { n: 10, max: 3 },
  extractor: { kind: 'last-number' },
  relation: 'procedural',
  trigger: DEFAULT_TRIGGER,
  draw,
};
