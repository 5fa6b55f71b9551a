import type { Rng } from '../../rng.ts';
import { DEFAULT_TRIGGER, wordAnswer } from './answers.ts';
import type { GeneratorParams, Problem, SuiteGenerator } from './generator.ts';
import { pick, pickDistinct } from './pick.ts';
import { FIRST_NAMES, LAST_NAMES } from './words.ts';

function draw(rng: Rng, p: GeneratorParams): Problem {
  const n = p['n']!;
  // A first name, then family names (a full name for n = 2, as in Wei et al.).
  const words = [pick(rng, FIRST_NAMES), ...pickDistinct(rng, LAST_NAMES, n - 1)];
  const letters = words.map((w) => w.at(-1)!);
  const answer = letters.join('');
  const steps = words.map((w, i) => `The last letter of "${w}" is "${letters[i]}".`);
  return {
    question: `Take the last letters of the words in "${words.join(' ')}" and concatenate them.`,
    answer,
    worked: `${DEFAULT_TRIGGER} ${steps.join(' ')} Concatenating them is "${answer}". The answer is ${answer}.`,
    tags: { n },
  };
}

export const lastLetters: SuiteGenerator = {
  name: 'last-letters',
  title: 'Last-letter concatenation',
  explanation:
    'Take the last letter of each of n words (names) and join them: "Elena Garcia" gives "aa". A symbolic task ' +
    'from Wei et al. (2022), also in Wang & Zhou (2024): easy to state, hard for a model that reads tokens rather ' +
    'than letters, and one where a worked spelling-out helps. In distribution: 2 words (a first and a family ' +
    'name); 3 or more words are out of distribution. The answer is read at the start of the output or after ' +
    '"answer is", case ignored.',
  settings: [{ key: 'n', label: 'words', min: 1, max: 12, inDistribution: [1, 2] }],
  id: { n: 2 },
  ood: { n: 4 },
  extractor: wordAnswer('[a-z]+'),
  relation: 'procedural',
  trigger: DEFAULT_TRIGGER,
  draw,
};
