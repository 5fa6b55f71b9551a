// Screenshots of the first screen and of every lesson, run live on WASM, at 1280 and 390 px wide, into docs/lessons/.
// Usage: npm run build && npm run screenshots [-- <lesson id> ...]   (needs Chromium at /usr/bin/chromium or CHROMIUM_PATH)
// With lesson ids, only those lessons (and the presenter slides of the last) are taken, not the first screen.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { LESSONS } from '../src/core/lessons/catalog.ts';
import { launch, serveDist } from './chromium.ts';

const OUT = join(process.cwd(), 'docs', 'lessons');
const WIDE = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };

async function waitDone(page: Page, testid: string): Promise<void> {
  await page.waitForFunction(
    (id) => ['done', 'failed'].includes(document.querySelector(`[data-testid=${id}-status]`)?.textContent ?? ''),
    testid,
    { timeout: 600_000 },
  );
}

async function both(page: Page, name: string): Promise<void> {
  await page.setViewportSize(WIDE);
  await page.screenshot({ path: join(OUT, `${name}-1280.png`), fullPage: true });
  await page.setViewportSize(PHONE);
  await page.screenshot({ path: join(OUT, `${name}-390.png`), fullPage: true });
  await page.setViewportSize(WIDE);
  console.log(`wrote ${name}-1280.png, ${name}-390.png`);
}

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const { server, url } = await serveDist();
  const { browser, close } = await launch('wasm');
  try {
    const page = await browser.newPage({ viewport: WIDE });
    const only = process.argv.slice(2);
    const unknown = only.filter((id) => !LESSONS.some((l) => l.id === id));
    if (unknown.length) throw new Error(`no lesson is called ${unknown.join(', ')}`);
    if (only.length === 0) {
      await page.goto(`${url}?backend=wasm`);
      await page.getByTestId('model-ready').waitFor({ timeout: 240_000 });
      await page.getByTestId('quick-run').click();
      await waitDone(page, 'quick');
      await both(page, 'home');
    }
    for (const lesson of LESSONS.filter((l) => only.length === 0 || only.includes(l.id))) {
      await page.goto(`${url}?backend=wasm&lesson=${lesson.id}`);
      await page.getByTestId('model-ready').waitFor({ timeout: 240_000 });
      await page.getByTestId('lesson-run').click();
      await waitDone(page, 'lesson');
      await both(page, lesson.id);
    }
    // The playground with the last lesson's setup and results: settings in the side panel, results in the main column.
    await page.getByTestId('lesson-playground').click();
    await page.locator('#compare-heading').waitFor();
    await both(page, 'playground');
    await page.getByTestId('view-lessons').click();
    // Presenter mode at projector size: the view and the what-to-notice slides of the last lesson run.
    await page.setViewportSize({ width: 1280, height: 720 });
    await page.getByTestId('present').click();
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    await page.screenshot({ path: join(OUT, 'presenter-view-1280x720.png') });
    await page.keyboard.press('ArrowRight');
    await page.screenshot({ path: join(OUT, 'presenter-notice-1280x720.png') });
    console.log('wrote presenter-view-1280x720.png, presenter-notice-1280x720.png');
  } finally {
    await close();
    await server.close();
  }
}

await main();
