/**
 * Renders the chart functions of src/ui/charts.ts in Chromium for given data, through Vite's dev server (which serves
 * the TypeScript module as it is in the source tree), and returns each chart's markup.
 */
import type { Browser, Page } from 'playwright-core';
import { createServer, type ViteDevServer } from 'vite';
import type { FactPoint, PassAtKChartData, SamplesChartData } from '../../src/ui/charts.ts';

export interface ChartRenderer {
  samples(data: SamplesChartData): Promise<string>;
  factFrequency(facts: FactPoint[]): Promise<string>;
  passAtK(data: PassAtKChartData): Promise<string>;
  close(): Promise<void>;
}

export async function chartRenderer(browser: Browser): Promise<ChartRenderer> {
  const server: ViteDevServer = await createServer({
    server: { port: 0, host: '127.0.0.1', strictPort: false, hmr: false },
    // Only Plot is pre-bundled: the chart module needs nothing else, and the model runtime is large.
    optimizeDeps: { noDiscovery: true, include: ['@observablehq/plot'] },
    logLevel: 'warn',
  });
  await server.listen();
  const url = server.resolvedUrls?.local[0];
  if (!url) throw new Error('dev server has no local URL');
  const page: Page = await browser.newPage();
  // Any document of the server's origin can import its modules; the module's own source is one.
  await page.goto(`${url}src/ui/charts.ts`);
  // A string, not a function: vitest would rewrite a dynamic import() inside a function passed to the page.
  const render = (fn: 'samplesChart' | 'factFrequencyChart' | 'passAtKChart', arg: unknown): Promise<string> =>
    page.evaluate(
      `import('/src/ui/charts.ts').then((charts) => charts.${fn}(${JSON.stringify(arg)}).outerHTML)`,
    ) as Promise<string>;
  return {
    samples: (data) => render('samplesChart', data),
    factFrequency: (facts) => render('factFrequencyChart', facts),
    passAtK: (data) => render('passAtKChart', data),
    close: async () => {
      await page.close();
      await server.close();
    },
  };
}
