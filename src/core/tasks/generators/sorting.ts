import type { Rng } from '../../rng.ts';
import { DEFAULT_TRIGGER, wordAnswer } from './answers.ts';
import type { GeneratorParams, Problem, SuiteGenerator } from './generator.ts';
import { pickDistinct } from './pick.ts';
import { SORT_WORDS } from './words.ts';

/** Why `a` comes before `b`: the first letter where they differ, or that `a` is a prefix of `b`. */
function reason(a: string, b: string): string {
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  if (i === a.length) return `"${a}" is the start of "${b}", so ${a} comes first`;
  if (i === 0) return `"${a[0]}" comes before "${b[0]}"`;
  return `${a} and ${b} share "${a.slice(0, i)}", then "${a[i]}" comes before "${b[i]}"`;
}

function draw(rng: Rng, p: GeneratorParams): Problem {
  const words = pickDistinct(rng, SORT_WORDS, p['n']!);
  const sorted = words.slice().sort((a, b) => (a < b ? -1 : 1));
  const firsts = words.map((w) => `${w} (${w[0]})`).join(', ');
  const ties = sorted
    .slice(1)
    .map((w, i) => [sorted[i]!, w] as const)
    .filter(([a, b]) => a[0] === b[0])
    .map(([a, b]) => ` ${reason(a, b)}.`)
    .join('');
  const answer = sorted.join(' ');
  return {
    question: `Sort the following words alphabetically: List: ${words.join(' ')}`,
    answer,
    worked: `${DEFAULT_TRIGGER} The first letters are: ${firsts}.${ties} The answer is ${sorted.join(', ')}.`,
    tags: { n: words.length },
  };
}

export const sorting: SuiteGenerator = {
  name: 'sorting',
  title: 'Word sorting',
  explanation:
    'Sort n English words alphabetically, as in BIG-bench word_sorting: "List: oven cabin candle" gives "cabin ' +
    'candle oven". Words that share a first letter or a prefix make the model compare further letters. In ' +
    'distribution: 2–5 words; 6 or more are out of distribution. The answer is read at the start of the output or ' +
    'after "answer is" (commas between the words are ignored) and must list every word in order.',
  settings: [{ key: 'n', label: 'words', min: 2, max: 15, inDistribution: [2, 5] }],
  id: { n: 4 },
  ood: { n: 8 },
  extractor: wordAnswer('[a-z]+(?:,? [a-z]+)*'),
  relation: 'procedural',
  trigger: DEFAULT_TRIGGER,
  draw,
};
