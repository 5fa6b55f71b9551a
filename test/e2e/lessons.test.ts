import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { LESSONS, QUICK_COMPARISON } from '../../src/core/lessons/catalog.ts';
import { entropyBySuite } from '../../src/core/metrics/comparison.ts';
import { modelColumns } from '../../src/core/run/models.ts';
import type { RunResults } from '../../src/core/run/results.ts';
import { expandMethods } from '../../src/core/run/url-config.ts';
import { pageErrors, sharedSite } from './harness.ts';

const site = sharedSite();

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
  'base.greedy': ['arith-id', 'organism-v1.greedy-plain'],
  'rlvr.greedy': ['arith-id', 'organism-v1-rlvr.greedy-plain'],
  'base.trigger': ['arith-id', 'organism-v1.trigger'],
  steered: ['arith-id', 'steer-caa'],
};

/** Outputs of a method on a suite that write an intermediate "=", and all its outputs: counted here from the texts. */
function worked(results: RunResults, suite: string, method: string): { worked: number; outputs: number } {
  const outs = results.suites.find((x) => x.suiteName === suite)!.items.flatMap((it) => it.outputs[method] ?? []);
  return { worked: outs.filter((o) => /=/.test(o.text)).length, outputs: outs.length };
}

/** Mean pass@k over items from each item's sample paths: 1 − C(n − c, k) / C(n, k), computed here directly. */
function meanPassAtK(results: RunResults, suite: string, method: string, k: number): number {
  const choose = (n: number, r: number): number => {
    if (r < 0 || r > n) return 0;
    let x = 1;
    for (let i = 1; i <= r; i++) x = (x * (n - r + i)) / i;
    return x;
  };
  const items = results.suites.find((x) => x.suiteName === suite)!.items.filter((it) => it.answer !== '');
  const each = items.map((it) => {
    const paths = it.outputs[method]!.paths!;
    const c = paths.filter((p) => p.correct).length;
    return 1 - choose(paths.length - c, k) / choose(paths.length, k);
  });
  return each.reduce((a, b) => a + b, 0) / each.length;
}

/** The ids a preset's run stores its methods under (model × method for a preset over several models). */
function presetMethodIds(preset: (typeof LESSONS)[number]['preset']): string[] {
  const methods = expandMethods(preset.methods);
  return preset.models ? modelColumns(preset.models, methods).methods.map((m) => m.id) : methods.map((m) => m.id);
}

/** A preset's methods as a link writes them (ids, or whole specs), comparable regardless of order. */
const methodKeys = (methods: readonly unknown[]): string[] => methods.map((m) => JSON.stringify(m)).sort();

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
    const page = await site.browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(`${site.url}?backend=wasm`);
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
      const page = await site.browser.newPage({ viewport: { width: 1280, height: 800 } });
      const errors = pageErrors(page);
      await page.goto(`${site.url}?backend=wasm&lesson=${lesson.id}`);
      await page.getByTestId('model-ready').waitFor({ timeout: 240_000 });
      expect(await page.getByTestId('lesson').getAttribute('data-lesson')).toBe(lesson.id);
      const { results, seconds } = await runLesson(page, lesson.id);
      console.log(`lesson ${lesson.id}: ${seconds.toFixed(1)} s on WASM (stated: about ${lesson.expectedSeconds} s)`);
      expect(results.suites.map((s) => `shipped:${s.suiteName}`).sort()).toEqual([...lesson.preset.suites].sort());
      expect(results.methods.map((m) => m.id).sort()).toEqual(presetMethodIds(lesson.preset).sort());
      expect(results.models).toEqual(lesson.preset.models);
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
      for (const n of notices) console.log(`  ${n.shown ? 'shown' : 'NOT shown'} · ${n.id}: ${n.text}`);
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
      if (lesson.id === 'post-training-selects') {
        for (const [who, model] of [
          ['base', 'organism-v1'],
          ['rlvr', 'organism-v1-rlvr'],
        ] as const) {
          const w = worked(results, 'arith-id', `${model}.greedy-plain`);
          expect(byId['worked']!.values[`${who}.worked`], who).toBe(w.worked);
          expect(byId['worked']!.values[`${who}.outputs`], who).toBe(w.outputs);
          expect(byId['worked']!.text).toContain(`${w.worked}/${w.outputs}`);
          const column = `${model}.sample-t1`;
          const k = byId['pass-at-k']!.values['k']!;
          expect(k).toBe(8);
          expect(byId['pass-at-k']!.values[`${who}.pass1`]).toBeCloseTo(
            meanPassAtK(results, 'arith-id', column, 1),
            12,
          );
          expect(byId['pass-at-k']!.values[`${who}.passK`]).toBeCloseTo(
            meanPassAtK(results, 'arith-id', column, k),
            12,
          );
        }
        // The Models tab shows the overlaid pass@k of the sampling method.
        await page.getByTestId('pass-at-k-chart').waitFor();
        expect(await page.getByTestId('curves-method').inputValue()).toBe('sample-t1');
      }
      if (lesson.id === 'steering') {
        for (const [who, method] of [
          ['greedy', 'greedy-plain'],
          ['steered', 'steer-caa'],
        ] as const) {
          const w = worked(results, 'arith-id', method);
          expect(byId['worked']!.values[`${who}.worked`], who).toBe(w.worked);
          expect(byId['worked']!.values[`${who}.outputs`], who).toBe(w.outputs);
        }
        // The item the lesson names: greedy wrong, steered right with a worked trace, shown side by side.
        const item = results.suites[0]!.items[byId['trace']!.values['item']!]!;
        expect(item.outputs['greedy-plain']!.correct).toBe(false);
        expect(item.outputs['steer-caa']!.correct).toBe(true);
        expect(item.outputs['steer-caa']!.text).toContain('=');
        await page.getByTestId('item-detail').waitFor();
        expect(await page.getByTestId('token-trace').count()).toBeGreaterThanOrEqual(2);
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
        models?: string[];
        suites: string[];
        methods: unknown[];
        itemLimit: number;
      };
      expect(config.models).toEqual(lesson.preset.models);
      expect([...config.suites].sort()).toEqual([...lesson.preset.suites].sort());
      expect(methodKeys(config.methods)).toEqual(methodKeys(lesson.preset.methods));
      expect(config.itemLimit).toBe(lesson.preset.itemLimit);
      await page.close();
    });
  }

  it('presenter mode steps through a lesson with the keyboard', async () => {
    const page = await site.browser.newPage({ viewport: { width: 1280, height: 720 } });
    await page.goto(`${site.url}?backend=wasm&lesson=${LESSONS[1]!.id}`);
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
