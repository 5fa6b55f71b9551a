import type { Rng } from '../../rng.ts';
import { DEFAULT_TRIGGER, lastOf } from './answers.ts';
import type { GeneratorParams, Problem, SuiteGenerator } from './generator.ts';
import { pickDistinct } from './pick.ts';
import { FIRST_NAMES } from './words.ts';

const says = (truth: boolean) => (truth ? 'tells the truth' : 'lies');

function draw(rng: Rng, p: GeneratorParams): Problem {
  const people = pickDistinct(rng, FIRST_NAMES, p['n']!);
  const honest: boolean[] = [rng.next() < 0.5];
  const sentences = [`${people[0]} ${says(honest[0]!)}.`];
  const steps = [`${people[0]} ${says(honest[0]!)}.`];
  for (let i = 1; i < people.length; i++) {
    // Person i claims something about person i-1: true claims come from truth-tellers.
    const claim = rng.next() < 0.5;
    honest.push(claim === honest[i - 1]);
    sentences.push(`${people[i]} says ${people[i - 1]} ${says(claim)}.`);
    steps.push(
      `${people[i]} says ${people[i - 1]} ${says(claim)}, which is ${claim === honest[i - 1] ? 'true' : 'false'}, ` +
        `so ${people[i]} ${says(honest[i]!)}.`,
    );
  }
  const last = people.at(-1)!;
  const answer = honest.at(-1) ? 'yes' : 'no';
  return {
    question: `${sentences.join(' ')} Does ${last} tell the truth?`,
    answer,
    worked: `${DEFAULT_TRIGGER} ${steps.join(' ')} So the answer is ${answer}.`,
    tags: { n: people.length },
  };
}

export const webOfLies: SuiteGenerator = {
  name: 'web-of-lies',
  title: 'Web of lies',
  explanation:
    'The first person lies or tells the truth; each next person says whether the one before tells the truth: does ' +
    'the last one tell the truth? After BIG-bench web_of_lies (a Boolean chain in words): each statement flips or ' +
    'keeps the truth value, so the model must carry it through n people. In distribution: 2–4 people; 5 or more ' +
    '(BIG-bench uses 5) are out of distribution. The answer is the last "yes" or "no" in the output.',
  settings: [{ key: 'n', label: 'people', min: 2, max: 12, inDistribution: [2, 4] }],
  id: { n: 3 },
  ood: { n: 6 },
  extractor: lastOf(['yes', 'no']),
  relation: 'procedural',
  trigger: DEFAULT_TRIGGER,
  draw,
};
