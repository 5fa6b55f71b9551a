import type { SuiteResults } from '../../src/core/run/results.ts';

/**
 * What must agree between a page run and a CLI run of the same configuration and seed: per suite and item, every
 * output's model, text, extracted answer, verdict and choice, every path's text and the votes (not timings).
 */
export function runEssence(suites: SuiteResults[]) {
  return suites.map((s) => ({
    suite: s.suiteName,
    items: s.items.map((item) => ({
      id: item.itemId,
      outputs: Object.fromEntries(
        Object.entries(item.outputs)
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([id, o]) => [
            id,
            {
              model: o.modelId ?? null,
              text: o.text,
              answer: o.extracted?.value ?? null,
              correct: o.correct,
              chosen: o.chosen ?? null,
              paths: o.paths?.map((p) => p.text) ?? null,
              votes: o.votes?.map((v) => `${v.answer}:${v.count}`) ?? null,
            },
          ]),
      ),
    })),
  }));
}
