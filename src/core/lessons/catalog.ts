import { gapRows } from '../metrics/comparison.ts';
import { factFrequency, type DataCard } from '../metrics/competence.ts';
import { entropyBySuite } from '../metrics/comparison.ts';
import { givenAnswer } from '../metrics/entropy.ts';
import { formatPValue, mcnemarExact, pairedCounts } from '../metrics/mcnemar.ts';
import { isWorked, modelPassCurves, workedShare } from '../metrics/models.ts';
import { findMethod, type MethodSpec } from '../methods/method.ts';
import { columnId, modelKeys } from '../run/models.ts';
import type { RunResults } from '../run/results.ts';
import type { ExperimentConfig } from '../run/url-config.ts';
import {
  accuracyIn,
  accuracyValues,
  answersAtOnce,
  clearlyAbove,
  describe,
  pct,
  suiteOf,
  type ItemFocus,
  type Lesson,
  type Notice,
} from './lesson.ts';

export const ORGANISM = 'coax/organism-v1';
export const ORGANISM_RLVR = 'coax/organism-v1-rlvr';

const preset = (
  suites: string[],
  methods: (string | MethodSpec)[],
  itemLimit: number,
  models?: string[],
): ExperimentConfig => ({
  model: models?.[0] ?? ORGANISM,
  ...(models ? { models } : {}),
  suites: suites.map((s) => `shipped:${s}`),
  itemLimit,
  generatedSeed: 1,
  methods,
  seed: 1,
  batchSize: 8,
});

/** Exact McNemar p of method against baseline on one suite's items both answered. */
function pairedP(results: RunResults, suite: string, methodId: string, baseline: string): number {
  const pairs = (suiteOf(results, suite)?.items ?? []).flatMap((it) => {
    const m = it.outputs[methodId];
    const b = it.outputs[baseline];
    return m && b && it.answer !== '' ? [{ method: m.correct, baseline: b.correct }] : [];
  });
  const { gained, lost } = pairedCounts(pairs);
  return mcnemarExact(gained, lost).p;
}

/** "p = 0.063" or "p < 0.001": the p-value as formatPValue writes it, after "p". */
const fmtP = (p: number): string => {
  const text = formatPValue(p);
  return text.startsWith('<') ? `p ${text}` : `p = ${text}`;
};

// ---- 1. Latent reasoning ------------------------------------------------------------------------------------------

function latentBranchItem(results: RunResults): ItemFocus | null {
  const s = suiteOf(results, 'arith-id');
  if (!s) return null;
  const index = s.items.findIndex((it) => {
    const g = it.outputs['greedy-plain'];
    const c = it.outputs['cot-decoding'];
    const chosen = c?.paths?.[c.chosen ?? -1];
    return g && c && !g.correct && c.correct && chosen && !answersAtOnce(chosen);
  });
  return index < 0 ? null : { suite: 'arith-id', index, left: 'greedy-plain', right: 'cot-decoding' };
}

const latentReasoning: Lesson = {
  id: 'latent-reasoning',
  title: 'A base model can reason that greedy decoding hides',
  source: 'Wang & Zhou 2024, "Chain-of-Thought Reasoning Without Prompting"; Kojima et al. 2022',
  narration: [
    'The bundled organism was trained on arithmetic worksheets, some answered directly and some worked step by step. Asked plainly, greedy decoding takes the single most probable first token — a digit — and answers at once, often wrongly.',
    'Kojima et al. (2022, "Large Language Models are Zero-Shot Reasoners") showed that a trigger phrase ("Let\'s go step by step") makes the model write the steps out. Wang & Zhou (2024, "Chain-of-Thought Reasoning Without Prompting") showed that no prompt is needed: branch on the top-k first tokens, continue each greedily, and the reasoning paths are there, and the model is more confident (a larger answer margin Δ) on the path that reasoned.',
    'Look at the accuracies with their intervals, then at the branch table of an item greedy got wrong: several direct digits with nearly equal first-token probabilities, and one branch that works through the chain.',
  ],
  preset: preset(['arith-id'], ['greedy-plain', 'trigger', 'cot-decoding'], 60),
  expectedSeconds: 30,
  tab: 'item',
  focus: latentBranchItem,
  notice(results) {
    const g = accuracyIn(results, 'arith-id', 'greedy-plain');
    const t = accuracyIn(results, 'arith-id', 'trigger');
    const c = accuracyIn(results, 'arith-id', 'cot-decoding');
    const shown = clearlyAbove(t, g) || clearlyAbove(c, g);
    const notices: Notice[] = [
      {
        id: 'accuracy',
        text:
          `Greedy decoding answered ${describe(g)}; the trigger phrase ${describe(t)}; CoT-decoding ${describe(c)}. ` +
          (shown
            ? 'The intervals do not overlap: the procedure is in the model, and greedy decoding does not use it.'
            : `On this run the intervals overlap, so the gap is not shown at n = ${g.n}: run more items or another seed.`),
        shown,
        values: { ...accuracyValues('greedy', g), ...accuracyValues('trigger', t), ...accuracyValues('cot', c) },
      },
    ];
    const rows = gapRows(results, 'greedy-plain');
    const latent = rows.filter((r) => r.kind === 'latent').length;
    notices.push({
      id: 'latent',
      text: `${latent} of ${rows.length} items are latent: greedy decoding got them wrong and another method got them right.`,
      shown: latent > 0,
      values: { latent, items: rows.length },
    });
    const focus = latentBranchItem(results);
    const item = focus ? suiteOf(results, focus.suite)?.items[focus.index] : undefined;
    const cot = item?.outputs['cot-decoding'];
    const chosen = cot?.paths?.[cot.chosen ?? -1];
    if (!item || !cot?.paths || !chosen) {
      notices.push({
        id: 'branches',
        text: 'No item in this run was wrong under greedy decoding and reasoned to the right answer on a CoT-decoding branch, so there is no branch table to show.',
        shown: false,
        values: {},
      });
      return notices;
    }
    // The branches whose first token was more probable than the reasoning branch's, and that answer at once.
    const chosenP = chosen.tokens[0]?.prob ?? 0;
    const direct = cot.paths.filter((p) => (p.tokens[0]?.prob ?? 0) > chosenP && answersAtOnce(p));
    const ahead = cot.paths.filter((p) => (p.tokens[0]?.prob ?? 0) > chosenP).length;
    const firstP = direct.map((p) => p.tokens[0]?.prob ?? 0);
    const lo = Math.min(...firstP);
    const hi = Math.max(...firstP);
    notices.push({
      id: 'branches',
      text:
        `On ${item.question} (answer ${item.answer}) greedy decoding said ${item.outputs['greedy-plain']?.extracted?.value ?? 'nothing'}. ` +
        (direct.length
          ? `${direct.length} of the ${ahead} first tokens more probable than the reasoning branch's answer at once, at p = ${lo.toFixed(2)}–${hi.toFixed(2)} each: the model has no confident direct answer. `
          : '') +
        `The branch that starts with ${JSON.stringify(chosen.tokens[0]?.text ?? '')} ` +
        `(p = ${(chosen.tokens[0]?.prob ?? 0).toFixed(3)}) works through the steps to ${chosen.extracted?.value ?? '?'} with Δ = ${(chosen.delta ?? 0).toFixed(2)}, the most confident path.`,
      shown: true,
      values: {
        branches: cot.paths.length,
        direct: direct.length,
        chosenProb: chosen.tokens[0]?.prob ?? 0,
        chosenDelta: chosen.delta ?? 0,
      },
    });
    return notices;
  },
};

// ---- 2. Knowing how vs knowing that -------------------------------------------------------------------------------

const knowingHow: Lesson = {
  id: 'knowing-how-vs-that',
  title: 'Elicitation surfaces procedures, not facts the model never stored',
  source: 'Kandpal et al. 2023, "Large Language Models Struggle to Learn Long-Tail Knowledge"; Ruis et al. 2024',
  narration: [
    'Knowing how (a procedure such as the organism’s step-by-step arithmetic) and knowing that (a fact such as an entity’s home town) behave differently under elicitation. A procedure can be drawn out by a better prompt; a fact is either stored or not.',
    'Kandpal et al. (2023, "Large Language Models Struggle to Learn Long-Tail Knowledge") found that a model answers a factual question about as often as its pre-training data mentioned the fact. Ruis et al. (2024, "Procedural Knowledge in Pretraining Drives Reasoning") found that reasoning draws on procedures spread over many documents, while factual answers come from documents that contain the fact.',
    'Worked examples lift the procedure; on facts seen often (head) and rarely (tail) they change little. The competence map sets accuracy beside how much of each kind the model was trained on, and fact recall beside how often each fact was seen.',
  ],
  preset: preset(['arith-id', 'facts-head', 'facts-tail'], ['greedy-plain', 'fewshot-worked'], 40),
  expectedSeconds: 35,
  tab: 'competence',
  focus: () => null,
  notice(results, card: DataCard | null) {
    const ga = accuracyIn(results, 'arith-id', 'greedy-plain');
    const wa = accuracyIn(results, 'arith-id', 'fewshot-worked');
    const p = pairedP(results, 'arith-id', 'fewshot-worked', 'greedy-plain');
    const procShown = wa.accuracy > ga.accuracy && p < 0.05;
    const notices: Notice[] = [
      {
        id: 'procedure',
        text:
          `Procedure (arith-id): worked examples take greedy decoding from ${describe(ga)} to ${describe(wa)} ` +
          `(paired McNemar ${fmtP(p)}). ` +
          (procShown
            ? 'The procedure was there to be elicited.'
            : 'On this run the lift is not significant: try more items or another seed.'),
        shown: procShown,
        values: { ...accuracyValues('arith.greedy', ga), ...accuracyValues('arith.worked', wa) },
      },
    ];
    const gh = accuracyIn(results, 'facts-head', 'greedy-plain');
    const wh = accuracyIn(results, 'facts-head', 'fewshot-worked');
    const gt = accuracyIn(results, 'facts-tail', 'greedy-plain');
    const wt = accuracyIn(results, 'facts-tail', 'fewshot-worked');
    const factsLifted = clearlyAbove(wh, gh) || clearlyAbove(wt, gt);
    notices.push({
      id: 'facts',
      text:
        `Facts: worked examples move frequent facts (facts-head) from ${describe(gh)} to ${describe(wh)}, and rare ones (facts-tail) from ${describe(gt)} to ${describe(wt)}. ` +
        (factsLifted
          ? 'On this run worked examples did lift a fact suite clearly above greedy decoding — not what the claim predicts.'
          : 'Neither rises clearly above greedy decoding: a better prompt cannot surface a fact the model did not store.'),
      shown: !factsLifted,
      values: {
        ...accuracyValues('head.greedy', gh),
        ...accuracyValues('head.worked', wh),
        ...accuracyValues('tail.greedy', gt),
        ...accuracyValues('tail.worked', wt),
      },
    });
    const freqShown = clearlyAbove(gh, gt);
    const freq = card ? factFrequency(results, card).filter((r) => r.methodId === 'greedy-plain') : [];
    const often = freq.filter((r) => r.bucket === '21+' || r.bucket === '6–20');
    const rare = freq.filter((r) => r.bucket === '1' || r.bucket === '2');
    const sum = (rows: typeof freq) => rows.reduce((a, r) => ({ c: a.c + r.correct, n: a.n + r.n }), { c: 0, n: 0 });
    const o = sum(often);
    const r = sum(rare);
    notices.push({
      id: 'frequency',
      text:
        `Recall follows training frequency: greedy decoding recalls ${pct(gh.accuracy)} of head facts and ${pct(gt.accuracy)} of tail facts` +
        (o.n && r.n
          ? `; by the data card, ${o.c}/${o.n} facts seen more than 5 times and ${r.c}/${r.n} seen once or twice.`
          : '.') +
        (freqShown ? '' : ' On this run the head and tail intervals overlap.'),
      shown: freqShown,
      values: { 'often.correct': o.c, 'often.n': o.n, 'rare.correct': r.c, 'rare.n': r.n },
    });
    return notices;
  },
};

// ---- 3. Reasoning is bounded by the data --------------------------------------------------------------------------

const SHIFTS = [
  ['arith-ood-length', 'longer chains'],
  ['arith-ood-format', 'spaces between symbols'],
  ['arith-ood-task', 'a changed task'],
] as const;

/** The first expression a worked answer restates (before " = "), without spaces. */
export function restatedChain(text: string): string | null {
  const m = /^\s*([0-9+\-* ]+?)\s*=/.exec(text);
  return m ? m[1]!.replace(/\s+/g, '') : null;
}

const operands = (chain: string): number => (chain.match(/\d/g) ?? []).length;

function rewrittenItem(results: RunResults): ItemFocus | null {
  const s = suiteOf(results, 'arith-ood-length');
  if (!s) return null;
  const index = s.items.findIndex((it) => {
    const t = it.outputs['trigger'];
    const chain = t ? restatedChain(t.text) : null;
    return chain !== null && operands(chain) < operands(it.question);
  });
  return index < 0 ? null : { suite: 'arith-ood-length', index, left: 'greedy-plain', right: 'trigger' };
}

const boundedByData: Lesson = {
  id: 'bounded-by-data',
  title: 'Step-by-step reasoning works only as far as the training data reached',
  source: 'Zhao et al. 2025, "Is Chain-of-Thought Reasoning of LLMs a Mirage? A Data Distribution Lens"',
  narration: [
    'The organism learned to work chains of 3–6 steps written without spaces. The trigger phrase that makes it reason in distribution is run here on three shifts: longer chains (8–10 steps), the same chains with spaces, and a changed task.',
    'Zhao et al. (2025, "Is Chain-of-Thought Reasoning of LLMs a Mirage? A Data Distribution Lens") trained small models from scratch and found that chain-of-thought generalises along the training distribution and breaks under task, length and format shift: the model writes fluent steps that follow the familiar pattern rather than the question.',
    'Compare the trigger’s accuracy in and out of distribution, then read the trace: on a long chain the model restates a shorter one — an unfamiliar chain rewritten into a familiar shape — and reasons correctly about the wrong problem.',
  ],
  preset: preset(
    ['arith-id', 'arith-ood-length', 'arith-ood-format', 'arith-ood-task'],
    ['greedy-plain', 'trigger'],
    40,
  ),
  expectedSeconds: 35,
  tab: 'item',
  focus: rewrittenItem,
  notice(results) {
    const id = accuracyIn(results, 'arith-id', 'trigger');
    const shifted = SHIFTS.map(([suite, what]) => ({ suite, what, a: accuracyIn(results, suite, 'trigger') }));
    const below = shifted.filter((s) => clearlyAbove(id, s.a));
    const notices: Notice[] = [
      {
        id: 'shift',
        text:
          `With the trigger phrase the model answers ${describe(id)} in distribution; ` +
          shifted.map((s) => `${describe(s.a)} with ${s.what} (${s.suite})`).join(', ') +
          '. ' +
          (below.length === shifted.length
            ? 'Every shift falls clearly below the in-distribution interval.'
            : `${shifted.length - below.length} of ${shifted.length} shifts do not fall clearly below it on this run (small n or another seed).`),
        shown: below.length === shifted.length,
        values: Object.fromEntries([
          ...Object.entries(accuracyValues('id', id)),
          ...shifted.flatMap((s) => Object.entries(accuracyValues(s.suite, s.a))),
        ]),
      },
    ];
    const focus = rewrittenItem(results);
    const item = focus ? suiteOf(results, focus.suite)?.items[focus.index] : undefined;
    const out = item?.outputs['trigger'];
    const chain = out ? restatedChain(out.text) : null;
    if (!item || !out || chain === null) {
      notices.push({
        id: 'rewrite',
        text: 'No long chain in this run was restated as a shorter one, so there is no rewrite to show.',
        shown: false,
        values: {},
      });
      return notices;
    }
    notices.push({
      id: 'rewrite',
      text:
        `Asked ${item.question} (${operands(item.question)} numbers), the model began "${chain} = …" (${operands(chain)} numbers): ` +
        `it rewrote the unfamiliar chain into a length it was trained on, then answered ${out.extracted?.value ?? 'nothing'} (reference ${item.answer}).`,
      shown: true,
      values: { questionOperands: operands(item.question), restatedOperands: operands(chain) },
    });
    return notices;
  },
};

// ---- 4. Entropy: structured vs open-ended -------------------------------------------------------------------------

/** Mean over an item set of distinct answers among a method's paths, divided by the number of paths. */
export function sampleDiversity(results: RunResults, suite: string, methodId: string): { mean: number; n: number } {
  const items = suiteOf(results, suite)?.items ?? [];
  let total = 0;
  let n = 0;
  for (const it of items) {
    const paths = it.outputs[methodId]?.paths;
    if (!paths?.length) continue;
    const answers = new Set(paths.map(givenAnswer).filter((a) => a !== null));
    total += answers.size / paths.length;
    n++;
  }
  return { mean: n ? total / n : 0, n };
}

const entropy: Lesson = {
  id: 'entropy',
  title: 'A model is sure on structured tasks and spread out on open-ended ones',
  source: 'Holtzman et al. 2020, "The Curious Case of Neural Text Degeneration"; Kadavath et al. 2022',
  narration: [
    'Per-token entropy measures how spread out the model’s next-token distribution is. On a task with one right answer a trained model concentrates its probability; on an open-ended request ("Make up a name for a fox") many continuations are equally good, and the distribution stays wide.',
    'Holtzman et al. (2020, "The Curious Case of Neural Text Degeneration") showed why this matters for decoding: the most probable text is not the most human-like, and sampling from the right part of the distribution restores diversity. Kadavath et al. (2022, "Language Models (Mostly) Know What They Know") read the same distributions as confidence.',
    'Compare the mean entropy of content tokens on arithmetic and on open-ended prompts, and the share of distinct answers among 16 samples per item.',
  ],
  preset: preset(['arith-id', 'open-ended'], ['greedy-plain', 'self-consistency'], 12),
  expectedSeconds: 15,
  tab: 'entropy',
  focus: () => null,
  notice(results): Notice[] {
    const rows = entropyBySuite(results);
    const ent = (suite: string) => rows.find((r) => r.suiteName === suite && r.methodId === 'greedy-plain');
    const a = ent('arith-id');
    const o = ent('open-ended');
    const entShown = !!a && !!o && o.contentEntropy > a.contentEntropy;
    const da = sampleDiversity(results, 'arith-id', 'self-consistency');
    const dop = sampleDiversity(results, 'open-ended', 'self-consistency');
    const divShown = dop.n > 0 && da.n > 0 && dop.mean > da.mean;
    return [
      {
        id: 'entropy',
        text:
          `Greedy decoding's content tokens carry ${(a?.contentEntropy ?? 0).toFixed(2)} nats on arithmetic and ${(o?.contentEntropy ?? 0).toFixed(2)} nats on open-ended prompts. ` +
          (entShown
            ? 'The open-ended distribution is wider.'
            : 'On this run the open-ended prompts are not the wider ones.'),
        shown: entShown,
        values: { 'arith.entropy': a?.contentEntropy ?? 0, 'open.entropy': o?.contentEntropy ?? 0 },
      },
      {
        id: 'diversity',
        text:
          `Among 16 samples per item, ${pct(da.mean)} are distinct answers on arithmetic (${da.n} items) and ${pct(dop.mean)} on open-ended prompts (${dop.n} items). ` +
          (divShown
            ? 'Sampling finds one answer again and again where the task has one, and a different one almost every time where it has many.'
            : 'On this run the open-ended samples were not the more diverse.'),
        shown: divShown,
        values: { 'arith.diversity': da.mean, 'open.diversity': dop.mean },
      },
    ];
  },
};

// ---- 5. Post-training selects what the base already has -----------------------------------------------------------

/** Sampling for pass@k: 8 paths per item at T = 1 (few, so the lesson runs in about a minute on WASM). */
export const PASS_AT_K_SAMPLING: MethodSpec = {
  ...findMethod('self-consistency'),
  id: 'sample-t1',
  label: 'Sampling, 8 paths at T = 1',
  decoding: { kind: 'sample', n: 8, chain: [{ name: 'temperature', temperature: 1 }], aggregate: 'majority' },
};

const POST_MODELS = [ORGANISM, ORGANISM_RLVR];
/** The entry of one of lesson 5's models (0 base, 1 RLVR) for a method in its run. */
const postColumn = (model: 0 | 1, method: string): string => columnId(modelKeys(POST_MODELS), model, method);

const postTrainingSelects: Lesson = {
  id: 'post-training-selects',
  title: 'Post-training selects what the base model already has',
  source:
    'Yue et al. 2025, "Does Reinforcement Learning Really Incentivize Reasoning Capacity in LLMs Beyond the Base Model?"',
  narration: [
    'coax/organism-v1-rlvr is the organism after a short reinforcement learning run with a verifiable reward (GRPO, 28 steps): it was rewarded for right answers and never shown a worked trace. Whatever reasoning it writes, it found among the base model’s own samples.',
    'Yue et al. (2025, "Does Reinforcement Learning Really Incentivize Reasoning Capacity in LLMs Beyond the Base Model?") found that such training raises pass@1 but not what the base can reach with many samples: the base’s pass@k catches up as k grows, and the problems the tuned model solves are ones the base already solved. RL selects a behaviour the base had and makes it the default.',
    'Read the Models tab: greedy accuracy per model, the share of greedy outputs that work the steps, the base with the trigger phrase beside RLVR’s plain greedy, and the overlaid pass@k curves. An honest caveat: an arith-id answer is one digit, so with many samples even guessing finds it (a uniform guesser has pass@8 = 1 − 0.9⁸ ≈ 57%). The narrowing gap at large k is partly the answer space, not only latent reasoning.',
  ],
  // 60 items: fewer (30) left the greedy intervals overlapping at seed 1. Two models and 8 samples per item make this
  // about 3.2 times lesson 1's time (30 s where lesson 1 took 9 s, 55 s where it took 18 s): over a minute on a busy machine.
  preset: preset(['arith-id'], ['greedy-plain', 'trigger', PASS_AT_K_SAMPLING], 60, POST_MODELS),
  expectedSeconds: 100,
  tab: 'models',
  focus: () => null,
  notice(results): Notice[] {
    const bg = accuracyIn(results, 'arith-id', postColumn(0, 'greedy-plain'));
    const rg = accuracyIn(results, 'arith-id', postColumn(1, 'greedy-plain'));
    const bt = accuracyIn(results, 'arith-id', postColumn(0, 'trigger'));
    const greedyShown = clearlyAbove(rg, bg);
    const suite = suiteOf(results, 'arith-id');
    const none = { worked: 0, n: 0, low: 0, high: 0 };
    const bw = suite ? workedShare(suite, postColumn(0, 'greedy-plain')) : none;
    const rw = suite ? workedShare(suite, postColumn(1, 'greedy-plain')) : none;
    const workedShown = rw.n > 0 && bw.n > 0 && rw.low > bw.high;
    const selectShown = bt.n > 0 && rg.n > 0 && !clearlyAbove(rg, bt) && !clearlyAbove(bt, rg);
    const curves = suite ? modelPassCurves(results, suite, PASS_AT_K_SAMPLING.id) : [];
    const base = curves.find((c) => c.modelId === ORGANISM);
    const rlvr = curves.find((c) => c.modelId === ORGANISM_RLVR);
    const k = Math.min(base?.n ?? 0, rlvr?.n ?? 0);
    const gap1 = base && rlvr && k ? rlvr.passAtK[0]! - base.passAtK[0]! : 0;
    const gapK = base && rlvr && k ? rlvr.passAtK[k - 1]! - base.passAtK[k - 1]! : 0;
    const passShown = k > 1 && gap1 > 0 && gapK < gap1;
    const points = (x: number) => `${Math.round(x * 1000) / 10} points`;
    return [
      {
        id: 'greedy',
        text:
          `Greedy decoding: the base answers ${describe(bg)}, the RLVR model ${describe(rg)}. ` +
          (greedyShown
            ? 'The intervals do not overlap: post-training raised what the model does by default.'
            : `On this run the intervals overlap, so the rise is not shown at n = ${bg.n}.`),
        shown: greedyShown,
        values: { ...accuracyValues('base.greedy', bg), ...accuracyValues('rlvr.greedy', rg) },
      },
      {
        id: 'worked',
        text:
          `Greedy outputs that work the steps (write an intermediate "="): ${bw.worked}/${bw.n} for the base, ${rw.worked}/${rw.n} for the RLVR model. ` +
          (workedShown
            ? 'The RLVR model starts the worked form by itself; the base rarely does.'
            : 'On this run the shares are not clearly apart.'),
        shown: workedShown,
        values: { 'base.worked': bw.worked, 'base.outputs': bw.n, 'rlvr.worked': rw.worked, 'rlvr.outputs': rw.n },
      },
      {
        id: 'select',
        text:
          `The base with the trigger phrase answers ${describe(bt)}, beside the RLVR model's plain greedy ${describe(rg)}. ` +
          (selectShown
            ? 'The intervals overlap: asked the right way, the base already does what post-training made the default.'
            : clearlyAbove(rg, bt)
              ? 'On this run the RLVR model is clearly above the base’s best elicitation: here it did more than select.'
              : 'On this run the base’s elicitation is clearly above the RLVR model’s greedy.'),
        shown: selectShown,
        values: { ...accuracyValues('base.trigger', bt), ...accuracyValues('rlvr.greedy', rg) },
      },
      base && rlvr && k > 1
        ? {
            id: 'pass-at-k',
            text:
              `pass@k from ${k} samples per item at T = 1: at k = 1 RLVR leads by ${points(gap1)} (${pct(rlvr.passAtK[0]!)} vs ${pct(base.passAtK[0]!)}), at k = ${k} by ${points(gapK)} (${pct(rlvr.passAtK[k - 1]!)} vs ${pct(base.passAtK[k - 1]!)}). ` +
              (passShown
                ? 'The gap shrinks as k grows: with more tries the base finds what RLVR answers at once — though on one-digit answers part of that is guessing.'
                : 'On this run the gap did not shrink as k grew.'),
            shown: passShown,
            values: {
              k,
              'base.pass1': base.passAtK[0]!,
              'rlvr.pass1': rlvr.passAtK[0]!,
              'base.passK': base.passAtK[k - 1]!,
              'rlvr.passK': rlvr.passAtK[k - 1]!,
            },
          }
        : {
            id: 'pass-at-k',
            text: 'This run has no sampled paths from both models, so there is no pass@k curve to compare.',
            shown: false,
            values: {},
          },
    ];
  },
};

// ---- 10. A direction in the activations makes greedy decoding reason ----------------------------------------------

function steeredItem(results: RunResults): ItemFocus | null {
  const s = suiteOf(results, 'arith-id');
  if (!s) return null;
  const index = s.items.findIndex((it) => {
    const g = it.outputs['greedy-plain'];
    const st = it.outputs['steer-caa'];
    return g && st && !g.correct && st.correct && isWorked(st);
  });
  return index < 0 ? null : { suite: 'arith-id', index, left: 'greedy-plain', right: 'steer-caa' };
}

const steering: Lesson = {
  id: 'steering',
  title: 'A direction in the activations makes greedy decoding reason',
  source:
    'Turner et al. 2023, "Steering Language Models With Activation Engineering"; Rimsky et al. 2024, "Steering Llama 2 via Contrastive Activation Addition"',
  narration: [
    'If the model can work the steps but greedy decoding does not, the difference should be visible inside it. Contrastive activation addition takes the mean residual-stream activation after prompts that show worked answers, minus the mean after the same prompts with direct answers, and adds that difference while the model reads a plain question. Nothing else changes: same prompt, greedy decoding.',
    'Turner et al. (2023, "Steering Language Models With Activation Engineering") showed that adding such a difference vector steers what a model writes; Rimsky et al. (2024, "Steering Llama 2 via Contrastive Activation Addition") averaged it over many contrastive pairs. Here the vector comes from the suite’s exemplar pool only, and the layer and scale were chosen by `coax sweep` on that pool.',
    'Compare the two accuracies, then read a steered trace beside greedy. Read it with care: the chosen setting adds the vector at the last layer and the last prompt position, where it acts much like a bias on the first answer token: the model starts by writing the trigger phrase (“Let’s go step by step”) itself, and from there the unsteered model writes the rest. Click a token to see the logit lens.',
  ],
  preset: preset(['arith-id'], ['greedy-plain', 'steer-caa'], 50),
  expectedSeconds: 15,
  tab: 'item',
  focus: steeredItem,
  notice(results): Notice[] {
    const g = accuracyIn(results, 'arith-id', 'greedy-plain');
    const st = accuracyIn(results, 'arith-id', 'steer-caa');
    const p = pairedP(results, 'arith-id', 'steer-caa', 'greedy-plain');
    const accShown = st.accuracy > g.accuracy && p < 0.05;
    const suite = suiteOf(results, 'arith-id');
    const none = { worked: 0, n: 0, low: 0, high: 0 };
    const gw = suite ? workedShare(suite, 'greedy-plain') : none;
    const sw = suite ? workedShare(suite, 'steer-caa') : none;
    const workedShown = gw.n > 0 && sw.n > 0 && sw.low > gw.high;
    const notices: Notice[] = [
      {
        id: 'accuracy',
        text:
          `Greedy decoding answers ${describe(g)}; the same greedy decoding with the vector added ${describe(st)} ` +
          `(paired McNemar ${fmtP(p)}). ` +
          (accShown
            ? 'One added direction lifts accuracy as a prompt would.'
            : 'On this run the lift is not significant: try more items or another seed.'),
        shown: accShown,
        values: { ...accuracyValues('greedy', g), ...accuracyValues('steered', st) },
      },
      {
        id: 'worked',
        text:
          `Outputs that work the steps (write an intermediate "="): ${gw.worked}/${gw.n} unsteered, ${sw.worked}/${sw.n} steered. ` +
          (workedShown
            ? 'The direction switches the model from answering at once to writing its worksheet.'
            : 'On this run the shares are not clearly apart.'),
        shown: workedShown,
        values: {
          'greedy.worked': gw.worked,
          'greedy.outputs': gw.n,
          'steered.worked': sw.worked,
          'steered.outputs': sw.n,
        },
      },
    ];
    const focus = steeredItem(results);
    const item = focus ? suite?.items[focus.index] : undefined;
    const out = item?.outputs['steer-caa'];
    if (!item || !out) {
      notices.push({
        id: 'trace',
        text: 'No item in this run was wrong under greedy decoding and worked to the right answer when steered, so there is no trace to show.',
        shown: false,
        values: {},
      });
      return notices;
    }
    notices.push({
      id: 'trace',
      text:
        `On ${item.question} (answer ${item.answer}) greedy decoding said ${item.outputs['greedy-plain']?.extracted?.value ?? 'nothing'}; ` +
        `steered, the model began with the token ${JSON.stringify(out.tokens[0]?.text ?? '')} ("${out.text.trim().split(/\s+/).slice(0, 5).join(' ')} …"), worked the chain and answered ${out.extracted?.value ?? '?'}.`,
      shown: true,
      values: { item: focus!.index },
    });
    return notices;
  },
};

/** Every shipped lesson, in teaching order (the numbering: 5 and 10 as their models landed). */
export const LESSONS: readonly Lesson[] = [
  latentReasoning,
  knowingHow,
  boundedByData,
  entropy,
  postTrainingSelects,
  steering,
];

export function findLesson(id: string): Lesson | undefined {
  return LESSONS.find((l) => l.id === id);
}

/** The first screen's quick comparison: a real gap on the bundled organism in seconds (greedy vs the trigger). */
export const QUICK_COMPARISON: ExperimentConfig = preset(['arith-id'], ['greedy-plain', 'trigger'], 60);
