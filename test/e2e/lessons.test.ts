import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { PreviewServer } from 'vite';
import { LESSONS, QUICK_COMPARISON } from '../../src/core/lessons/catalog.ts';
import { entropyBySuite } from '../../src/core/metrics/comparison.ts';
import type { RunResults } from '../../src/core/run/results.ts';
import { launch, serveDist } from './harness.ts';

let server: PreviewServer;
let url: string;
let browser: Browser;
let close: () => Promise<void>;
beforeAll(async () => {
  ({ server, url } = await serveDist());
  ({ browser, close } = await launch('wasm'));
});
afterAll(async () => {
  await close?.();
  await server?.close();
});

/** Counted here from the raw outputs: right answers and scored items of one method on one suite. */
function count(results: RunResults, suite: string, method: string): { correct: number; n: number } {
  const s = results.suites.find((x) => x.suiteName === suite);
  let correct = 0;
  let n = 0;
  for (const it of s?.items ?? []) {
    const o = it.outputs[method];
    if (!o || it.answer === '') continue;
    n++;
    if (o.correct) correct++;
  }
  return { correct, n };
}

/** Which suite and method each accuracy a lesson states is about (the prefix of its `.correct` / `.n` values). */
const ACCURACY_KEYS: Record<string, [string, string]> = {
  greedy: ['arith-id', 'greedy-plain'],
  trigger: ['arith-id', 'trigger'],
  cot: ['arith-id', 'cot-decoding'],
  'arith.greedy': ['arith-id', 'greedy-plain'],
  'arith.worked': ['arith-id', 'fewshot-worked'],
  'head.greedy': ['facts-head', 'greedy-plain'],
  'head.worked': ['facts-head', 'fewshot-worked'],
  'tail.greedy': ['facts-tail', 'greedy-plain'],
  'tail.worked': ['facts-tail', 'fewshot-worked'],
  id: ['arith-id', 'trigger'],
  'arith-ood-length': ['arith-ood-length', 'trigger'],
  'arith-ood-format': ['arith-ood-format', 'trigger'],
  'arith-ood-task': ['arith-ood-task', 'trigger'],
};

/** Distinct answers among an item's sample paths / paths, averaged over items: counted here from the paths. */
function diversity(results: RunResults, suite: string, method: string): number {
  const s = results.suites.find((x) => x.suiteName === suite)!;
  const shares = s.items.map((it) => {
    const paths = it.outputs[method]!.paths!;
    const answers = new Set(
      paths
        .map((p) => p.extracted?.value ?? (p.text.split('\n')[0] ?? '').trim().replace(/\.$/, '').trimEnd())
        .filter((a) => a !== ''),
    );
    return answers.size / paths.length;
  });
  return shares.reduce((a, b) => a + b, 0) / shares.length;
}

async function runLesson(page: Page, id: string): Promise<{ results: RunResults; seconds: number }> {
  await page.getByTestId('lesson-run').click();
  await page.waitForFunction(
    () => ['done', 'failed'].includes(document.querySelector('[data-testid=lesson-status]')?.textContent ?? ''),
    null,
    { timeout: 280_000 },
  );
  expect(await page.getByTestId('lesson-status').textContent(), id).toBe('done');
  const { results, ms } = await page.evaluate(() => {
    const c = (
      globalThis as unknown as {
        coax: { runs: { open: { results: unknown } }; experiment: { elapsedMs: number } };
      }
    ).coax;
    return { results: c.runs.open.results as RunResults, ms: c.experiment.elapsedMs };
  });
  return { results, seconds: ms / 1000 };
}

describe('lessons, end to end on WASM', () => {
  it('the first screen lists every lesson and its quick comparison shows the gap', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(`${url}?backend=wasm`);
    await page.getByTestId('home').waitFor();
    expect(
      await page.getByTestId('home-lesson').evaluateAll((a) => a.map((x) => x.getAttribute('data-lesson'))),
    ).toEqual(LESSONS.map((l) => l.id));
    await page.getByTestId('model-ready').waitFor({ timeout: 240_000 });
    await page.getByTestId('quick-run').click();
    await page.waitForFunction(
      () => ['done', 'failed'].includes(document.querySelector('[data-testid=quick-status]')?.textContent ?? ''),
      null,
      { timeout: 200_000 },
    );
    const results = await page.evaluate(
      () => (globalThis as unknown as { coax: { runs: { open: { results: RunResults } } } }).coax.runs.open.results,
    );
    const seconds = await page.evaluate(
      () => (globalThis as unknown as { coax: { experiment: { elapsedMs: number } } }).coax.experiment.elapsedMs / 1000,
    );
    console.log(`quick comparison: ${seconds.toFixed(1)} s on WASM`);
    const shown = await page
      .getByTestId('leaderboard-row')
      .evaluateAll((rows) =>
        rows.map((r) => `${r.getAttribute('data-method')}|${r.querySelector('[data-testid=lb-n]')?.textContent}`),
      );
    const g = count(results, 'arith-id', 'greedy-plain');
    const t = count(results, 'arith-id', 'trigger');
    expect(g.n).toBe(QUICK_COMPARISON.itemLimit);
    expect(shown.sort()).toEqual([`greedy-plain|${g.correct}/${g.n}`, `trigger|${t.correct}/${t.n}`].sort());
    // The gap the first screen promises: at seed 1, the trigger's count is above greedy's by more than a third.
    expect(t.correct - g.correct).toBeGreaterThan(g.n / 3);
    await page.close();
  });

  for (const lesson of LESSONS) {
    it(`lesson ${lesson.id} runs from its link and states the numbers of its run`, async () => {
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(String(e)));
      await page.goto(`${url}?backend=wasm&lesson=${lesson.id}`);
      await page.getByTestId('model-ready').waitFor({ timeout: 240_000 });
      expect(await page.getByTestId('lesson').getAttribute('data-lesson')).toBe(lesson.id);
      const { results, seconds } = await runLesson(page, lesson.id);
      console.log(`lesson ${lesson.id}: ${seconds.toFixed(1)} s on WASM (stated: about ${lesson.expectedSeconds} s)`);
      expect(results.suites.map((s) => `shipped:${s.suiteName}`).sort()).toEqual([...lesson.preset.suites].sort());
      expect(results.methods.map((m) => m.id).sort()).toEqual([...(lesson.preset.methods as string[])].sort());
      for (const s of results.suites) expect(s.items.length).toBe(lesson.preset.itemLimit);

      const notices = await page.getByTestId('notice').evaluateAll((lis) =>
        lis.map((li) => ({
          id: li.getAttribute('data-notice')!,
          shown: li.getAttribute('data-shown') === 'true',
          values: JSON.parse(li.getAttribute('data-values')!) as Record<string, number>,
          text: li.textContent ?? '',
        })),
      );
      expect(notices.length).toBeGreaterThan(0);
      for (const n of notices) {
        for (const [key, value] of Object.entries(n.values)) {
          const m = /^(.*)\.(correct|n)$/.exec(key);
          if (m && ACCURACY_KEYS[m[1]!]) {
            const [suite, method] = ACCURACY_KEYS[m[1]!]!;
            const c = count(results, suite, method);
            expect(value, `${lesson.id} ${key}`).toBe(m[2] === 'n' ? c.n : c.correct);
            // The sentence states the same count.
            if (m[2] === 'correct') expect(n.text).toContain(`${c.correct}/${c.n}`);
          }
        }
      }
      const byId = Object.fromEntries(notices.map((n) => [n.id, n]));
      if (lesson.id === 'latent-reasoning') {
        const latent = results.suites[0]!.items.filter((it) => {
          const g = it.outputs['greedy-plain']!;
          return !g.correct && (it.outputs['trigger']!.correct || it.outputs['cot-decoding']!.correct);
        }).length;
        expect(byId['latent']!.values).toEqual({ latent, items: lesson.preset.itemLimit });
        // The branch table of the item the lesson names is open, and its rows are that item's paths.
        if (byId['branches']!.shown) {
          await page.getByTestId('branch-view').first().waitFor();
          const deltas = await page.getByTestId('branch-view').last().getByTestId('branch-delta').allTextContents();
          expect(deltas).toHaveLength(byId['branches']!.values['branches']!);
          expect(deltas).toContain(byId['branches']!.values['chosenDelta']!.toFixed(3));
        }
      }
      if (lesson.id === 'entropy') {
        const rows = entropyBySuite(results).filter((r) => r.methodId === 'greedy-plain');
        expect(byId['entropy']!.values['arith.entropy']).toBeCloseTo(
          rows.find((r) => r.suiteName === 'arith-id')!.contentEntropy,
          12,
        );
        expect(byId['entropy']!.values['open.entropy']).toBeCloseTo(
          rows.find((r) => r.suiteName === 'open-ended')!.contentEntropy,
          12,
        );
        expect(byId['diversity']!.values['arith.diversity']).toBeCloseTo(
          diversity(results, 'arith-id', 'self-consistency'),
          12,
        );
        expect(byId['diversity']!.values['open.diversity']).toBeCloseTo(
          diversity(results, 'open-ended', 'self-consistency'),
          12,
        );
      }
      if (lesson.id === 'bounded-by-data' && byId['rewrite']!.shown) {
        await page.getByTestId('item-detail').waitFor();
        expect(byId['rewrite']!.values['restatedOperands']).toBeLessThan(byId['rewrite']!.values['questionOperands']!);
      }
      // The lesson's view is the open tab.
      expect(
        await page.locator('.compare.lesson-view [role=tab][aria-selected=true]').getAttribute('data-testid'),
      ).toBe(`tab-${lesson.tab}`);
      // Every claim shows on the bundled organism at the preset's seed.
      expect(
        notices.filter((n) => !n.shown).map((n) => n.id),
        lesson.id,
      ).toEqual([]);
      expect(errors).toEqual([]);

      // "Open in the playground" carries the same setup.
      await page.getByTestId('lesson-playground').click();
      await page.getByTestId('copy-link').click();
      const link = await page.getByTestId('config-link').inputValue();
      const config = JSON.parse(decodeURIComponent(new URL(link).searchParams.get('config')!)) as {
        suites: string[];
        methods: string[];
        itemLimit: number;
      };
      expect([...config.suites].sort()).toEqual([...lesson.preset.suites].sort());
      expect([...config.methods].sort()).toEqual([...(lesson.preset.methods as string[])].sort());
      expect(config.itemLimit).toBe(lesson.preset.itemLimit);
      await page.close();
    });
  }

  it('presenter mode steps through a lesson with the keyboard', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    await page.goto(`${url}?backend=wasm&lesson=${LESSONS[1]!.id}`);
    await page.getByTestId('present').click();
    await expect.poll(() => page.locator('.lesson-title').count()).toBe(1);
    expect(await page.locator('.narration').count()).toBe(0);
    await page.keyboard.press('ArrowRight');
    expect(await page.locator('.narration').count()).toBe(1);
    expect(await page.locator('.lesson-title').count()).toBe(0);
    await page.keyboard.press('ArrowRight');
    await page.getByTestId('lesson-run').waitFor();
    await page.keyboard.press('ArrowRight');
    expect(await page.getByTestId('lesson-run').count()).toBe(0);
    await page.keyboard.press('ArrowRight');
    expect(await page.getByTestId('lesson').getAttribute('data-lesson')).toBe(LESSONS[2]!.id);
    await page.keyboard.press('ArrowLeft');
    expect(await page.getByTestId('lesson').getAttribute('data-lesson')).toBe(LESSONS[1]!.id);
    await page.keyboard.press('Escape');
    expect(await page.locator('.narration').count()).toBe(1);
    await page.close();
  });
});
