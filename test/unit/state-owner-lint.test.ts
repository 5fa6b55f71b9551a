/**
 * The lint rule that keeps the page's state with one owner (eslint.config.js): a state class (src/ui/**\/*.svelte.ts)
 * exposes no field that another module could write, and no module writes a state object's fields. Checked on small
 * classes and modules through the project's own ESLint configuration.
 */
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: process.cwd() });

/** The lines the state-owner rules flag in `code`, as if it were the file at `filePath`. */
async function flagged(code: string, filePath: string): Promise<number[]> {
  const [result] = await eslint.lintText(code, { filePath });
  const lines = result!.messages.filter((m) => m.ruleId === 'no-restricted-syntax').map((m) => m.line);
  return [...new Set(lines)];
}

describe('state with one owner (lint)', () => {
  it('a state class: public $state, $state.raw, mutable and non-readonly $derived fields are flagged; #fields, getters, readonly and private ones are not', async () => {
    const code = [
      'export class EngineState {',
      '  backend = $state<string | null>(null);',
      '  files = $state.raw<number[]>([]);',
      '  readonly shared = $state({ n: 1 });',
      '  #loaded = $state(false);',
      '  generation = 0;',
      '  readonly limit = 4;',
      '  private choice = "auto";',
      '  readonly total = $derived(this.files.length);',
      '  ready = $derived(this.#loaded);',
      '  get loaded(): boolean {',
      '    return this.#loaded;',
      '  }',
      '  finish(): void {',
      '    this.#loaded = true;',
      '  }',
      '}',
    ].join('\n');
    expect(await flagged(code, 'src/ui/state/engine.svelte.ts')).toEqual([2, 3, 4, 6, 10]);
    // Every state class file is covered, wherever it lives under src/ui.
    expect(await flagged(code, 'src/ui/components/explore/tree.svelte.ts')).toEqual([2, 3, 4, 6, 10]);
  }, 60_000);

  it('another module writing a state object: a field, a field of a field, ++ and bind: are flagged; method calls are not', async () => {
    const code = [
      'import type { EngineState } from "./state/engine.svelte.ts";',
      'export function use(engine: EngineState, experiment: { setup: { seed: number } }): void {',
      '  engine.error = null;',
      '  experiment.setup.seed = 3;',
      '  engine.generation++;',
      '  engine.select("bundled", "coax/fixture-tiny");',
      '}',
    ].join('\n');
    expect(await flagged(code, 'src/ui/wire.ts')).toEqual([3, 4, 5]);
  }, 60_000);
});
