import type { Rng } from '../../rng.ts';
import { DEFAULT_TRIGGER, lastOf, listText } from './answers.ts';
import type { GeneratorParams, Problem, SuiteGenerator } from './generator.ts';
import { pickDistinct } from './pick.ts';
import { FIRST_NAMES } from './words.ts';

function draw(rng: Rng, p: GeneratorParams): Problem {
  const people = pickDistinct(rng, FIRST_NAMES, p['n']!);
  const flips = people.map(() => rng.next() < 0.5);
  const sentences = people.map((name, i) => (flips[i] ? `${name} flips the coin.` : `${name} does not flip the coin.`));
  const flippers = people.filter((_, i) => flips[i]);
  const count = flippers.length;
  const even = count % 2 === 0;
  const who = count === 0 ? 'No one flipped the coin.' : `The coin was flipped by ${listText(flippers)}.`;
  const answer = even ? 'yes' : 'no';
  return {
    question: `A coin is heads up. ${sentences.join(' ')} Is the coin still heads up?`,
    answer,
    worked:
      `${DEFAULT_TRIGGER} ${who} So the coin was flipped ${count} time${count === 1 ? '' : 's'}, which is an ` +
      `${even ? 'even' : 'odd'} number. The coin started heads up, so after an ${even ? 'even' : 'odd'} number of ` +
      `flips it is ${even ? 'heads' : 'tails'} up. So the answer is ${answer}.`,
    tags: { n: people.length, flips: count },
  };
}

export const coinFlip: SuiteGenerator = {
  name: 'coin-flip',
  title: 'Coin flip',
  explanation:
    'A coin starts heads up and each of n people flips it or does not: is it still heads up? A symbolic-reasoning ' +
    'task from Wei et al. (2022), used again by Wang & Zhou (2024) for CoT-decoding: the answer is the parity of the ' +
    'number of flips, which a model has to track over the whole question. In distribution: 1–2 people (the ' +
    'papers train and prompt on 2); 3 or more people test whether the tracking generalises to longer sequences. ' +
    'The answer is the last "yes" or "no" in the output, in any case.',
  settings: [{ key: 'n', label: 'people', min: 1, max: 12, inDistribution: [1, 2] }],
  id: { n: 2 },
  ood: { n: 4 },
  extractor: lastOf(['yes', 'no']),
  relation: 'procedural',
  trigger: DEFAULT_TRIGGER,
  draw,
};
