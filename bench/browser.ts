import { writeFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { watchRendererMemory } from './renderer-memory.ts';
import type { BenchReport } from '../src/worker/bench/run-bench.ts';
import type { PrefixGraphBench } from '../src/worker/bench/prefix-bench.ts';
import type { LoadPhases } from '../src/worker/load-phases.ts';
import { launch, serveDist } from '../tools/chromium.ts';

export interface BrowserBenchOptions {
  quick: boolean;
  /** Items of the steady-state page run whose main-thread tasks are counted (default 4 quick, 20 full). */
  items?: number;
  /** Run the worker benchmark too (false: only the page run's long tasks, `--only main-thread`). */
  workerBench?: boolean;
  /** Write a Chromium performance trace (devtools timeline) of the steady-state run here, to see what ran long. */
  tracePath?: string;
  /** How long the model may take to load in the page (the 135M model takes minutes on a loaded machine). */
  loadTimeoutMs?: number;
  /** Load this dtype in the page instead of the page's default (fp32 where the model has it). */
  dtype?: string;
  /** Run a comparison through the page's UI and count its main-thread tasks (default true). */
  pageRuns?: boolean;
  /** Also run the shared-prefix graph's row in the worker (the page must have loaded a prefix graph). */
  prefixGraph?: boolean;
}

/** How the model loaded in the page: its total time and where it went (src/worker/load-phases.ts). */
export interface PageLoad {
  model: string;
  dtype: string;
  /** The page loaded the shared-prefix graph (onnx/model_prefix*.onnx): its worker benchmark ran on that graph. */
  sharedPrefix: boolean;
  loadMs: number;
  phases: LoadPhases;
}

export interface BrowserBench {
  reports: BenchReport[];
  longestTaskMs: number;
  longTasks: number;
  firstRunLongestMs: number;
  loads: PageLoad[];
  prefixGraphs: PrefixGraphBench[];
}

/** Wait until the page's model is ready, saying every minute how its load goes; a load error ends the wait. */
async function waitForModel(page: Page, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const ready = page.getByTestId('model-ready');
    if (await ready.isVisible()) return;
    const error = page.getByTestId('model-error');
    if (await error.isVisible()) throw new Error(`model failed to load: ${await error.textContent()}`);
    if (Date.now() > until) throw new Error(`model not ready after ${timeoutMs / 1000} s`);
    const progress = await page
      .getByTestId('load-progress')
      .innerText({ timeout: 1000 })
      .catch(() => '(no progress shown)');
    console.log(`  waiting for the model in the page: ${progress.replace(/\s+/g, ' ').slice(0, 200)}`);
    await ready.waitFor({ timeout: 60_000 }).catch(() => {});
  }
}

/**
 * The same benchmark inside the built page's worker (Chromium, WASM), plus the page's longest main-thread task
 * (PerformanceObserver 'longtask') while a comparison runs through the UI.
 */
export async function browserBench(models: readonly string[], options: BrowserBenchOptions): Promise<BrowserBench> {
  const { quick } = options;
  const { server, url } = await serveDist();
  const { browser, close } = await launch('wasm');
  try {
    const reports: BenchReport[] = [];
    const loads: PageLoad[] = [];
    const prefixGraphs: PrefixGraphBench[] = [];
    let longestTaskMs = 0;
    let longTasks = 0;
    let firstRunLongestMs = 0;
    for (const id of models) {
      const page = await browser.newPage();
      // Say what the page says went wrong: a run that waits on a dead worker otherwise just stops printing.
      const t0 = Date.now();
      const say = (what: string) =>
        console.log(`  page, ${((Date.now() - t0) / 1000).toFixed(0)} s: ${what.slice(0, 300)}`);
      page.on('pageerror', (e) => say(`error: ${String(e)}`));
      page.on('crash', () => say('the page crashed'));
      page.on('console', (m) => {
        if (m.type() === 'error' || m.type() === 'warning') say(`${m.type()}: ${m.text()}`);
      });
      // A call into a worker that died never returns: the benchmark's calls race against the inference worker's end.
      let workerDied: (why: Error) => void = () => {};
      const died = new Promise<never>((_, reject) => (workerDied = reject));
      died.catch(() => {});
      page.on('worker', (w) =>
        w.on('close', () => {
          say(`worker closed: ${w.url().slice(0, 80)}`);
          if (w.url().includes('inference.worker')) workerDied(new Error(`the page's inference worker ended (${id})`));
        }),
      );
      const orDeath = <T>(p: Promise<T>) => Promise.race([p, died]);
      await page.addInitScript(() => {
        const w = window as unknown as { __longTasks: number[] };
        w.__longTasks = [];
        new PerformanceObserver((list) => list.getEntries().forEach((e) => w.__longTasks.push(e.duration))).observe({
          type: 'longtask',
          buffered: true,
        });
      });
      await page.goto(`${url}?backend=wasm&model=${encodeURIComponent(id)}`);
      if (options.dtype) {
        // The page starts loading its default dtype at once: stop that worker and load the one asked for.
        await page.getByTestId('backend').waitFor({ timeout: 120_000 });
        await page.evaluate(
          async ([model, dtype]) => {
            const { engine } = (
              globalThis as unknown as {
                coax: {
                  engine: {
                    restartWorker(): Promise<void>;
                    select(source: string, id: string): void;
                    chooseDtype(d: string): void;
                    load(): Promise<void>;
                  };
                };
              }
            ).coax;
            await engine.restartWorker();
            engine.select('bundled', model!);
            engine.chooseDtype(dtype!);
            void engine.load();
          },
          [id, options.dtype],
        );
      }
      await waitForModel(page, options.loadTimeoutMs ?? 300_000);
      loads.push(
        await page.evaluate((model) => {
          const { loaded } = (
            globalThis as unknown as {
              coax: {
                engine: { loaded: { dtype: string; sharedPrefix?: boolean; loadMs: number; phases: LoadPhases } };
              };
            }
          ).coax.engine;
          return {
            model,
            dtype: loaded.dtype,
            sharedPrefix: loaded.sharedPrefix === true,
            loadMs: loaded.loadMs,
            phases: loaded.phases,
          };
        }, id),
      );
      // Long tasks are counted during runs, not during start-up and model load. The first run in a fresh page
      // also pays one-off costs (first layout of the results, first use of a font); the second is steady state.
      const runOnce = async (items: number) => {
        await page.evaluate(() => ((window as unknown as { __longTasks: number[] }).__longTasks = []));
        await page.getByTestId('suite-size').fill(String(items));
        // A quick run on a tiny model can go from 'running' to 'done' between two polls, so the start is recorded by
        // an observer of the status text rather than polled for (CI timed out here on coax/organism-v1-amb).
        await page.evaluate(() => {
          const w = window as unknown as { __runStarted: boolean; __runWatch?: MutationObserver };
          w.__runStarted = false;
          w.__runWatch?.disconnect();
          w.__runWatch = new MutationObserver(() => {
            if (document.querySelector('[data-testid=run-status]')?.textContent === 'running') w.__runStarted = true;
          });
          w.__runWatch.observe(document.body, { subtree: true, childList: true, characterData: true });
        });
        await page.getByTestId('run').click();
        await page.waitForFunction(
          () => (window as unknown as { __runStarted: boolean }).__runStarted,
          null,
          // Polled on a timer, not every animation frame: Playwright's frame polling ran on the page's main thread and
          // was itself most of the long tasks counted (a trace showed them as rAF callbacks named "next").
          { timeout: 60_000, polling: 500 },
        );
        await page.waitForFunction(
          () =>
            ['done', 'failed', 'cancelled'].includes(
              document.querySelector('[data-testid=run-status]')?.textContent ?? '',
            ),
          null,
          { timeout: 1_800_000, polling: 500 },
        );
        return page.evaluate(() => (window as unknown as { __longTasks: number[] }).__longTasks);
      };
      if (options.pageRuns !== false) {
        const steadyItems = options.items ?? (quick ? 4 : 20);
        const first = await runOnce(options.items !== undefined ? Math.min(2, steadyItems) : quick ? 2 : 5);
        if (options.tracePath)
          await browser.startTracing(page, {
            categories: [
              'devtools.timeline',
              'disabled-by-default-devtools.timeline',
              'v8.execute',
              'blink.user_timing',
            ],
          });
        const steady = await runOnce(steadyItems);
        if (options.tracePath) writeFileSync(options.tracePath, await browser.stopTracing());
        firstRunLongestMs = Math.max(firstRunLongestMs, ...first, 0);
        longestTaskMs = Math.max(longestTaskMs, ...steady, 0);
        longTasks += steady.length;
      }
      if (options.workerBench !== false) {
        // The page cannot see its WASM heap; the renderers' RSS, read from outside, holds it. The peak is over the
        // whole worker benchmark (WASM memory never shrinks), the stock graph's load and the prefix graph's reload too.
        const [report, memory] = await watchRendererMemory(() =>
          orDeath(
            page.evaluate(
              (q) =>
                (
                  globalThis as unknown as { coax: { worker: { bench(q: boolean): Promise<BenchReport> } } }
                ).coax.worker.bench(q),
              quick,
            ),
          ),
        );
        reports.push({ ...report, memory });
      }
      if (options.prefixGraph)
        prefixGraphs.push(
          await orDeath(
            page.evaluate(
              (q) =>
                (
                  globalThis as unknown as {
                    coax: { worker: { benchPrefixGraph(q: boolean): Promise<PrefixGraphBench> } };
                  }
                ).coax.worker.benchPrefixGraph(q),
              quick,
            ),
          ),
        );
      await page.close();
    }
    return { reports, longestTaskMs, longTasks, firstRunLongestMs, loads, prefixGraphs };
  } finally {
    await close();
    await server.close();
  }
}
