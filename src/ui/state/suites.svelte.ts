import { parseSuite } from '../../core/schema/suite-schema.ts';
import { GENERATED_SUITES, generatedSuite, limitItems } from '../../core/tasks/builtin-suites.ts';
import type { Suite } from '../../core/tasks/suite.ts';

/** A suite the page can offer: generated in code, shipped in a model folder, or imported from a file. */
export type SuiteSource =
  | { kind: 'generated'; name: string }
  | { kind: 'shipped'; name: string; url: string }
  | { kind: 'imported'; name: string; suite: Suite };

export function sourceKey(s: SuiteSource): string {
  return `${s.kind}:${s.name}`;
}

/** Which suites are on offer and chosen, and how many items of each a run uses. */
export class SuitesState {
  generatedSeed = $state(1);
  itemLimit = $state(10);
  shipped = $state.raw<SuiteSource[]>([]);
  imported = $state.raw<SuiteSource[]>([]);
  chosen = $state<string[]>(['generated:addition']);
  importError = $state<string | null>(null);
  /** The first chosen suite, for prompt previews (fetched once per choice). */
  preview = $state.raw<Suite | null>(null);
  private previewKey = '';
  /** Whether the person (or a link) chose suites; until then a model's own suites replace the default. */
  touched = false;

  readonly generated: SuiteSource[] = Object.keys(GENERATED_SUITES).map((name) => ({ kind: 'generated', name }));
  readonly all = $derived([...this.generated, ...this.shipped, ...this.imported]);

  /** Suites shipped with a model: its manifest lists suites/<name>.json. */
  setShipped(baseUrl: string, modelId: string, files: readonly string[]): void {
    this.shipped = files
      .filter((f) => /^suites\/[^/]+\.json$/.test(f))
      .map((f) => ({
        kind: 'shipped' as const,
        name: f.slice(7, -5),
        url: new URL(`models/${modelId}/${f}`, baseUrl).href,
      }));
    const keys = new Set(this.all.map(sourceKey));
    if (!this.touched && this.shipped[0]) this.chosen = [sourceKey(this.shipped[0])];
    this.chosen = this.chosen.filter((k) => keys.has(k));
    if (this.chosen.length === 0 && this.all[0]) this.chosen = [sourceKey(this.shipped[0] ?? this.all[0])];
  }

  toggle(key: string, on: boolean): void {
    this.touched = true;
    this.chosen = on ? [...new Set([...this.chosen, key])] : this.chosen.filter((k) => k !== key);
  }

  /** Validate an imported file; a bad file leaves everything else as it was and says what is wrong. */
  async importFile(file: File): Promise<void> {
    try {
      const suite = parseSuite(await file.text(), file.name);
      this.imported = [
        ...this.imported.filter((s) => s.name !== suite.name),
        { kind: 'imported', name: suite.name, suite },
      ];
      this.toggle(`imported:${suite.name}`, true);
      this.importError = null;
    } catch (err) {
      this.importError = err instanceof Error ? err.message : String(err);
    }
  }

  /** Load the first chosen suite for previews; quietly keeps the last one if it cannot be read. */
  async refreshPreview(): Promise<void> {
    const src = this.all.find((s) => this.chosen.includes(sourceKey(s)));
    const key = src ? sourceKey(src) : '';
    if (key === this.previewKey) return;
    this.previewKey = key;
    try {
      this.preview = src ? ((await this.resolveOne(src, 1)) ?? null) : null;
    } catch {
      this.preview = null;
    }
  }

  private async resolveOne(src: SuiteSource, limit: number): Promise<Suite> {
    if (src.kind === 'generated') return generatedSuite(src.name, this.generatedSeed, limit);
    if (src.kind === 'imported') return limitItems(src.suite, limit);
    const res = await fetch(src.url);
    if (!res.ok) throw new Error(`suite ${src.name}: ${src.url} answered ${res.status}`);
    return limitItems(parseSuite(await res.text(), src.url), limit);
  }

  /** The chosen suites as data, limited to `itemLimit` items each. */
  async resolve(): Promise<Suite[]> {
    const limit = Math.max(1, Math.floor(this.itemLimit));
    const out: Suite[] = [];
    for (const src of this.all.filter((s) => this.chosen.includes(sourceKey(s))))
      out.push(await this.resolveOne(src, limit));
    return out;
  }
}
