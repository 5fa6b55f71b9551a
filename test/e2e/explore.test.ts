/**
 * Explore in the built page, in Chromium, on the bundled organism (WASM, and WebGPU through SwiftShader): a greedy
 * path, a fork at the first token onto " L" (the worked path and the right answer), a fork of that fork, the fork's
 * prefill count read from the page, the tree's pin / collapse / delete, its JSON export, and the tree after a reload.
 * Reference paths come from the same core run on onnxruntime-node in this process.
 */
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { PreviewServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TransformersModel } from '../../src/adapters/model/transformers-model.ts';
import { decodeShared } from '../../src/core/decode/decode-loop.ts';
import type { RowResult } from '../../src/core/decode/trace.ts';
import { parseExploreExport } from '../../src/core/explore/export.ts';
import { DEFAULT_EXPLORE_SETTINGS } from '../../src/core/explore/method.ts';
import type { ExploreTree } from '../../src/core/explore/tree.ts';
import { GREEDY } from '../../src/core/logits/sampler.ts';
import { createRng } from '../../src/core/rng.ts';
import { loadLocal } from '../integration/load-local.ts';
import { launch, openWithModel, pageErrors, screenshotDir, serveDist, type BrowserKind } from './harness.ts';

const ID = 'coax/organism-v1';
const suite = JSON.parse(
  readFileSync(new URL(`../../public/models/${ID}/suites/arith-id.json`, import.meta.url), 'utf8'),
) as { items: { id: string; question: string; answer: string }[] };
// arith-id-005: greedy answers a digit with p ≈ 0.2 and is wrong; " L" has p ≈ 0.06 (rank 6) and reasons it out.
const item = suite.items.find((x) => x.id === 'arith-id-005')!;
const PROMPT = `Q: ${item.question}\nA:`;
const S = DEFAULT_EXPLORE_SETTINGS;

let server: PreviewServer;
let url: string;
let model: TransformersModel;
let promptIds: number[];
let L: number;

/** The greedy path after `prefix`, forcing `first` (null: choose), from scratch on onnxruntime-node. */
async function reference(prefix: number[], first: number | null): Promise<RowResult> {
  const { rows } = await decodeShared(model, [...promptIds, ...prefix], 1, {
    maxNewTokens: S.maxNewTokens - prefix.length,
    sampler: GREEDY,
    rngs: [createRng(0)],
    stopStrings: S.stopStrings,
    topAlternatives: S.topAlternatives,
    forcedFirst: first === null ? undefined : [first],
  });
  return rows[0]!;
}

beforeAll(async () => {
  ({ server, url } = await serveDist());
  model = await loadLocal(ID);
  promptIds = model.encode(PROMPT);
  L = model.tokenizer.encode(' L', { add_special_tokens: false })[0]!;
});
afterAll(async () => {
  await server?.close();
  await model?.dispose();
});

const tree = (page: Page) =>
  page.evaluate(() => (globalThis as unknown as { coax: { explore: { tree: ExploreTree | null } } }).coax.explore.tree);
const stats = async (page: Page) => {
  const el = page.getByTestId('explore-stats');
  return {
    prefill: Number(await el.getAttribute('data-prefill')),
    reused: Number(await el.getAttribute('data-reused')),
  };
};
const firstToken = (page: Page) =>
  page.getByTestId('explore-trace').locator('[data-testid=explore-token][data-position="0"]');
const branchRow = (page: Page, id: string) => page.locator(`[data-testid=explore-branch][data-id="${id}"]`);
async function waitIdle(page: Page, paths: number): Promise<void> {
  await expect.poll(() => page.getByTestId('explore-branch').count(), { timeout: 120_000 }).toBe(paths);
  await expect.poll(() => page.getByTestId('explore-status').textContent()).toBe('ready');
  if (await page.getByTestId('explore-error').count())
    throw new Error(`explore error: ${await page.getByTestId('explore-error').textContent()}`);
}

describe.each<[BrowserKind, 'wasm' | 'webgpu']>([
  ['wasm', 'wasm'],
  ['webgpu-swiftshader', 'webgpu'],
])('Explore on the organism in Chromium (%s)', (kind, backend) => {
  it('forks onto " L" for the worked path and the right answer, reusing the cache; the tree survives a reload', async () => {
    const { browser, close } = await launch(kind);
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 1000 }, acceptDownloads: true });
      const errors = pageErrors(page);
      await openWithModel(page, url, backend, ID);
      expect(await page.getByTestId('backend').textContent()).toContain(
        backend === 'webgpu' ? 'Runs on WebGPU' : 'Runs on WASM',
      );
      await page.getByTestId('view-explore').click();
      await page.getByTestId('explore-prompt').fill(PROMPT);
      await page.getByTestId('explore-check').check();
      await page.getByTestId('explore-expected').fill(item.answer);
      await page.getByTestId('explore-expected').dispatchEvent('change');

      // Greedy from the prompt: the page's path is the reference path; the prompt runs through the model once.
      await page.getByTestId('explore-run').click();
      await waitIdle(page, 1);
      const greedy = await reference([], null);
      let t = (await tree(page))!;
      expect(t).toMatchObject({ promptIds, backend, modelId: ID });
      expect(t.branches[0]!.tokens.map((x) => x.id)).toEqual(greedy.tokens.map((x) => x.id));
      expect(await stats(page)).toEqual({ prefill: promptIds.length, reused: 0 });
      expect(await branchRow(page, 'p1').getAttribute('data-correct')).toBe('false');

      // Fork at the first token onto " L": by mouse on WASM, by keyboard (↓ to it, Enter) on WebGPU.
      await firstToken(page).click();
      const alts = page.getByTestId('explore-alt');
      const ids = (await alts.evaluateAll((els) =>
        els.map((e) => Number(e.getAttribute('data-token-id'))),
      )) as number[];
      expect(ids).toContain(L);
      if (backend === 'wasm') await page.locator(`[data-testid=explore-alt][data-token-id="${L}"]`).click();
      else {
        for (let i = 0; i < ids.indexOf(L); i++) await page.keyboard.press('ArrowDown');
        await page.keyboard.press('Enter');
      }
      await waitIdle(page, 2);
      // Only the forked token ran: the prompt came from the greedy path's cache.
      expect(await stats(page)).toEqual({ prefill: 1, reused: promptIds.length });
      const worked = await reference([], L);
      t = (await tree(page))!;
      const p2 = t.branches.find((b) => b.id === 'p2')!;
      expect(p2).toMatchObject({ parent: 'p1', forkAt: 0, text: worked.text });
      expect(p2.text).toMatch(/^ Let's go step by step\. .* The answer is \d\.$/);
      expect(await branchRow(page, 'p2').getAttribute('data-correct')).toBe('true');
      expect(await branchRow(page, 'p2').getByTestId('explore-branch-answer').textContent()).toContain(item.answer);
      const gap = Math.max(...worked.tokens.map((x, i) => Math.abs(x.prob - p2.tokens[i]!.prob)));
      expect(gap).toBeLessThan(1e-3);

      // A fork of the fork, six tokens in, with the keyboard: still one token prefilled.
      await firstToken(page).click();
      for (let i = 0; i < 6; i++) await page.keyboard.press('ArrowRight');
      await page.keyboard.press('ArrowDown');
      await page.keyboard.press('Enter');
      await waitIdle(page, 3);
      expect(await stats(page)).toEqual({ prefill: 1, reused: promptIds.length + 6 });
      t = (await tree(page))!;
      const p3 = t.branches.find((b) => b.id === 'p3')!;
      expect(p3).toMatchObject({ parent: 'p2', forkAt: 6 });
      expect(p3.tokens[6]!.id).toBe(p2.tokens[6]!.top[1]!.id);
      const prefix6 = p2.tokens.slice(0, 6).map((x) => x.id);
      expect(p3.text).toBe(model.decode(prefix6) + (await reference(prefix6, p3.tokens[6]!.id)).text);

      // Collapse hides the fork under p2; pin two paths to compare them side by side.
      await branchRow(page, 'p2').getByRole('button', { name: 'collapse p2' }).click();
      await expect.poll(() => page.getByTestId('explore-branch').count()).toBe(2);
      await branchRow(page, 'p2').getByRole('button', { name: 'expand p2' }).click();
      await branchRow(page, 'p1').getByTestId('explore-pin').click();
      await branchRow(page, 'p2').getByTestId('explore-pin').click();
      await expect.poll(() => page.getByTestId('explore-pinned-trace').count()).toBe(2);
      await branchRow(page, 'p2').click();
      await firstToken(page).click();
      if (backend === 'wasm') {
        await page.getByTestId('explore-view').screenshot({ path: join(screenshotDir(), 'explore.png') });
        mkdirSync('docs', { recursive: true });
        copyFileSync(join(screenshotDir(), 'explore.png'), join('docs', 'explore.png'));
      }

      // The JSON export is the tree, and reads back.
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('explore-export').click()]);
      const file = readFileSync((await download.path())!, 'utf8');
      const exported = parseExploreExport(file, 'export.json');
      expect(exported.tree).toEqual(await tree(page));

      // Delete the fork of the fork; then reload: the tree, its check and pins come back from IndexedDB.
      await branchRow(page, 'p3').getByTestId('explore-delete').click();
      await expect.poll(() => page.getByTestId('explore-branch').count()).toBe(2);
      // The page says when the change is stored; reload only then (a slow IndexedDB write lost the delete once).
      await expect.poll(() => page.getByTestId('explore-view').getAttribute('data-saving')).toBe('false');
      const before = (await tree(page))!;
      await page.reload();
      await page.getByTestId('model-ready').waitFor({ timeout: 240_000 });
      await page.getByTestId('view-explore').click();
      await expect.poll(() => page.getByTestId('explore-branch').count(), { timeout: 30_000 }).toBe(2);
      expect(await tree(page)).toEqual(before);
      expect(await branchRow(page, 'p2').getAttribute('data-correct')).toBe('true');
      expect(await page.getByTestId('explore-pinned-trace').count()).toBe(2);

      // The fresh worker holds no cache for this tree: a fork now runs the whole prompt (the count is real).
      await branchRow(page, 'p1').click();
      await firstToken(page).click();
      await page.locator(`[data-testid=explore-alt][data-token-id="${L}"]`).click();
      await waitIdle(page, 3);
      expect(await stats(page)).toEqual({ prefill: promptIds.length + 1, reused: 0 });
      // Ids are never reused: the deleted p3 stays gone, the new fork is p4.
      expect((await tree(page))!.branches.at(-1)).toMatchObject({ id: 'p4', parent: 'p1', text: worked.text });

      // The export imports back as a new stored tree with the same paths.
      await page.getByTestId('explore-import').setInputFiles({
        name: 'tree.json',
        mimeType: 'application/json',
        buffer: Buffer.from(file),
      });
      await expect.poll(async () => (await tree(page))?.name).toBe(`${exported.tree.name} (imported)`);
      expect((await tree(page))!.branches).toEqual(exported.tree.branches);
      // The saved-tree list is re-read after the import is stored: wait for it rather than read it once.
      await expect.poll(() => page.getByTestId('explore-saved-tree').count()).toBe(2);
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  }, 600_000);
});
