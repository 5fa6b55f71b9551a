/** Reading runs back in end-to-end tests: the stored run (IndexedDB, through the page's run store) and its outputs. */
import type { Page, Worker } from 'playwright-core';
import type { MethodOutput, RunResults } from '../../src/core/run/results.ts';

export type CoaxGlobal = {
  coax: {
    engine: { load(): Promise<void>; selectedId: string };
    experiment: { runId: string | null; modelStep: { index: number } | null };
    runs: {
      open: { header: { id: string; status: string; compact?: boolean }; results: RunResults } | null;
      runs: { id: string; bytes?: number; status: string }[];
      store: { load(id: string): Promise<{ header: { compact?: boolean; status: string }; results: RunResults }> };
    };
  };
};

/** The stored run. */
export function stored(page: Page, id: string): Promise<{ header: { compact?: boolean }; results: RunResults }> {
  return page.evaluate((runId) => (globalThis as unknown as CoaxGlobal).coax.runs.store.load(runId), id);
}

/** The id of the last run started or resumed in the page. */
export async function openRunId(page: Page): Promise<string> {
  const id = await page.evaluate(() => (globalThis as unknown as CoaxGlobal).coax.experiment.runId);
  if (!id) throw new Error('no run started in this page');
  return id;
}

/** Every output of a run by (suite, item, method). */
export function outputs(r: RunResults): Map<string, MethodOutput> {
  const out = new Map<string, MethodOutput>();
  for (const s of r.suites)
    s.items.forEach((item, i) => {
      for (const [m, o] of Object.entries(item.outputs)) out.set(`${s.suiteName}/${i}/${m}`, o);
    });
  return out;
}

/** The outputs without their wall time (what two runs of one setup share). */
export function timeless(r: RunResults): Map<string, Omit<MethodOutput, 'ms'>> {
  return new Map([...outputs(r)].map(([k, { ms: _ms, ...rest }]) => [k, rest]));
}

export function inferenceWorker(page: Page): Worker {
  const w = page.workers().find((x) => x.url().includes('inference'));
  if (!w) throw new Error(`no inference worker among ${page.workers().map((x) => x.url())}`);
  return w;
}
