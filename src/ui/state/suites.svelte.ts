import { parseSuite } from '../../core/schema/suite-schema.ts';
import { generatedSuite, limitItems } from '../../core/tasks/builtin-suites.ts';
import { splitOf, type GeneratorParams, type SuiteGenerator } from '../../core/tasks/generators/generator.ts';
import { GENERATORS, findGenerator } from '../../core/tasks/generators/registry.ts';
import { formatSuiteSpec, parseSuiteSpec } from '../../core/tasks/generators/spec.ts';
import { checkImportSize } from '../../core/tasks/import/limits.ts';
import { uniqueName } from '../../core/run/suite-names.ts';
import { shapeKey, guessMapping, tableToSuite, type ColumnMapping } from '../../core/tasks/import/mapping.ts';
import {
  baseName,
  DEFAULT_EXEMPLARS,
  FORMAT_LABELS,
  readImport,
  type ImportFormat,
} from '../../core/tasks/import/read-import.ts';
import type { Table } from '../../core/tasks/import/table.ts';
import type { Suite } from '../../core/tasks/suite.ts';
import { errorMessage } from '../../core/errors.ts';
import { resolveUrl } from '../urls.ts';

/** A suite the page can offer: generated in code (`name` is its spec), shipped in a model folder, or imported. */
export type SuiteSource =
  | { kind: 'generated'; name: string }
  | { kind: 'shipped'; name: string; url: string }
  | { kind: 'imported'; name: string; suite: Suite; source: string };

export function sourceKey(s: SuiteSource): string {
  return `${s.kind}:${s.name}`;
}

/** The list without repeats, first occurrences kept (plain arrays: these are values, not reactive state). */
const unique = <T>(list: readonly T[]): T[] => list.filter((x, i) => list.indexOf(x) === i);

/** What a generated suite's settings are and whether they are in distribution, for the suite list. */
export function describeGenerated(spec: string): { settings: string; split: string } | null {
  try {
    const parsed = parseSuiteSpec(spec);
    if (!parsed) return null;
    const { generator: g, params } = parsed;
    return { settings: g.settings.map((s) => `${s.label} ${params[s.key]}`).join(', '), split: splitOf(g, params) };
  } catch {
    return null;
  }
}

/** A file being imported: read, with a column mapping the person can change before the suite is made. */
export interface ImportDraft {
  fileName: string;
  format: ImportFormat;
  formatLabel: string;
  /** Records that need a mapping (null for Coax's own suite JSON, which is complete). */
  table: Table | null;
  suite: Suite | null;
  mapping: Omit<ColumnMapping, 'question'> & { question: string | null };
  name: string;
  exemplars: number;
  /** The mapping came from an earlier import of a file with the same columns. */
  remembered: boolean;
}

/** Mappings remembered per file shape (the sorted column names), in localStorage where the browser allows it. */
const MEMORY_PREFIX = 'coax:import-mapping:';
function recall(columns: readonly string[]): ColumnMapping | null {
  try {
    const raw = globalThis.localStorage?.getItem(MEMORY_PREFIX + shapeKey(columns));
    if (!raw) return null;
    const m = JSON.parse(raw) as ColumnMapping;
    const ok = (c: string | null) => c === null || columns.includes(c);
    return typeof m.question === 'string' && ok(m.question) && ok(m.answer) && ok(m.id) && ok(m.worked) ? m : null;
  } catch {
    return null;
  }
}
function remember(columns: readonly string[], mapping: ColumnMapping): void {
  try {
    globalThis.localStorage?.setItem(MEMORY_PREFIX + shapeKey(columns), JSON.stringify(mapping));
  } catch {
    // Storage can be full or refused (private windows): the mapping is then asked for again next time.
  }
}

/** Which suites are on offer and chosen, how many items of each a run uses, and imports in progress. */
export class SuitesState {
  #generatedSeed = $state(1);
  #itemLimit = $state(10);
  #shipped = $state.raw<SuiteSource[]>([]);
  get shipped(): SuiteSource[] {
    return this.#shipped;
  }
  #imported = $state.raw<SuiteSource[]>([]);
  get imported(): SuiteSource[] {
    return this.#imported;
  }
  #chosen = $state<string[]>(['generated:addition']);
  #importError = $state<string | null>(null);
  get importError(): string | null {
    return this.#importError;
  }
  /** The first chosen suite, for prompt previews (fetched once per choice). */
  #preview = $state.raw<Suite | null>(null);
  get preview(): Suite | null {
    return this.#preview;
  }
  private previewKey = '';
  /** Whether the person (or a link) chose suites; until then a model's own suites replace the default. */
  #touched = false;

  /** The seed of the generated suites. */
  get generatedSeed(): number {
    return this.#generatedSeed;
  }

  setGeneratedSeed(seed: number): void {
    this.#generatedSeed = seed;
  }

  /** How many items of each suite a run uses. */
  get itemLimit(): number {
    return this.#itemLimit;
  }

  setItemLimit(n: number): void {
    this.#itemLimit = n;
  }

  /** Keys of the chosen suites (see sourceKey). */
  get chosen(): readonly string[] {
    return this.#chosen;
  }

  /** Generated suites with settings other than the defaults, added in the panel. */
  #variants = $state.raw<string[]>([]);
  #builderName = $state(GENERATORS[1]!.name);
  #builderParams = $state.raw<GeneratorParams>({ ...GENERATORS[1]!.ood });
  #builderError = $state<string | null>(null);
  #draft = $state.raw<ImportDraft | null>(null);
  #draftError = $state<string | null>(null);

  /** Each generator at its in-distribution defaults, then added variants, then any a link chose. */
  readonly generated: SuiteSource[] = $derived.by(() => {
    const specs = [
      ...GENERATORS.map((g) => g.name),
      ...this.#variants,
      ...this.chosen.filter((k) => k.startsWith('generated:')).map((k) => k.slice('generated:'.length)),
    ];
    return unique(specs)
      .filter((s) => describeGenerated(s))
      .map((name) => ({ kind: 'generated', name }));
  });
  readonly all = $derived([...this.generated, ...this.#shipped, ...this.#imported]);

  get builder(): { generator: SuiteGenerator; params: GeneratorParams; error: string | null } {
    return { generator: findGenerator(this.#builderName)!, params: this.#builderParams, error: this.#builderError };
  }

  get draft(): ImportDraft | null {
    return this.#draft;
  }

  /** The suite the draft makes now, or why it cannot. */
  readonly draftResult: { suite: Suite | null; error: string | null } = $derived.by(() => {
    const d = this.#draft;
    if (!d) return { suite: null, error: null };
    if (d.suite) return { suite: d.suite, error: null };
    const { question } = d.mapping;
    if (!question) return { suite: null, error: 'Choose the column that holds the question.' };
    try {
      const options = { name: d.name.trim() || baseName(d.fileName), source: d.fileName, exemplars: d.exemplars };
      return { suite: tableToSuite(d.table!, { ...d.mapping, question }, options), error: null };
    } catch (err) {
      return { suite: null, error: errorMessage(err) };
    }
  });

  get draftError(): string | null {
    return this.#draftError;
  }

  /** Suites shipped with a model: its manifest lists suites/<name>.json. */
  setShipped(baseUrl: string, modelId: string, files: readonly string[]): void {
    this.#shipped = files
      .filter((f) => /^suites\/[^/]+\.json$/.test(f))
      .map((f) => ({
        kind: 'shipped' as const,
        name: f.slice(7, -5),
        url: resolveUrl(`models/${modelId}/${f}`, baseUrl),
      }));
    const keys = this.all.map(sourceKey);
    if (!this.#touched && this.#shipped[0]) this.#chosen = [sourceKey(this.#shipped[0])];
    this.#chosen = this.chosen.filter((k) => keys.includes(k));
    if (this.chosen.length === 0 && this.all[0]) this.#chosen = [sourceKey(this.#shipped[0] ?? this.all[0])];
  }

  /** Take the suites, item limit and generator seed of a configuration (a link): a choice, as if made here. */
  applyConfig(config: { suites: readonly string[]; itemLimit: number; generatedSeed: number }): void {
    this.#touched = true;
    this.#chosen = [...config.suites];
    this.#itemLimit = config.itemLimit;
    this.#generatedSeed = config.generatedSeed;
  }

  toggle(key: string, on: boolean): void {
    this.#touched = true;
    this.#chosen = on ? unique([...this.chosen, key]) : this.chosen.filter((k) => k !== key);
  }

  /** Pick the generator the "add a suite" row builds, starting from its out-of-distribution preset. */
  chooseBuilder(name: string): void {
    const g = findGenerator(name);
    if (!g) return;
    this.#builderName = name;
    this.#builderParams = { ...g.ood };
    this.#builderError = null;
  }

  setBuilderParam(key: string, value: number): void {
    this.#builderParams = { ...this.#builderParams, [key]: value };
    this.#builderError = null;
  }

  builderPreset(which: 'id' | 'ood'): void {
    const g = this.builder.generator;
    this.#builderParams = { ...g[which] };
    this.#builderError = null;
  }

  /** Add (and choose) the generated suite the row describes; invalid settings are reported and change nothing. */
  addGenerated(): void {
    try {
      const g = this.builder.generator;
      const text = [g.name, ...Object.entries(this.#builderParams).map(([k, v]) => `${k}=${v}`)].join(':');
      const spec = formatSuiteSpec(parseSuiteSpec(text)!);
      if (!GENERATORS.some((x) => x.name === spec)) this.#variants = unique([...this.#variants, spec]);
      this.toggle(`generated:${spec}`, true);
      this.#builderError = null;
    } catch (err) {
      this.#builderError = errorMessage(err);
    }
  }

  /** Forget an added variant (the defaults stay). */
  removeGenerated(spec: string): void {
    this.#variants = this.#variants.filter((s) => s !== spec);
    this.#chosen = this.chosen.filter((k) => k !== `generated:${spec}`);
  }

  /** Read a file and open the import dialog; a file too large or unreadable is reported and changes nothing. */
  async openImport(file: File): Promise<void> {
    this.#importError = null;
    this.#draftError = null;
    try {
      checkImportSize(file.size, file.name);
      const read = readImport(await file.text(), file.name);
      const base = {
        fileName: file.name,
        format: read.format,
        formatLabel: FORMAT_LABELS[read.format],
        name: baseName(file.name),
        exemplars: DEFAULT_EXEMPLARS,
      };
      if (read.format === 'coax-json') {
        const empty = { question: null, answer: null, id: null, worked: null, answerFormat: 'plain' as const };
        this.#draft = {
          ...base,
          name: read.suite.name,
          table: null,
          suite: read.suite,
          mapping: empty,
          remembered: false,
        };
        return;
      }
      const known = recall(read.table.columns);
      const mapping = known ?? guessMapping(read.table);
      const gsm8k = mapping.answerFormat === 'gsm8k' ? ' (GSM8K format)' : '';
      this.#draft = {
        ...base,
        formatLabel: base.formatLabel + gsm8k,
        table: read.table,
        suite: null,
        mapping,
        remembered: known !== null,
      };
    } catch (err) {
      this.#importError = errorMessage(err);
    }
  }

  /** Change the draft's mapping, name or exemplar count (the preview follows). */
  editDraft(
    patch: Partial<Pick<ImportDraft, 'name' | 'exemplars'>> & { mapping?: Partial<ImportDraft['mapping']> },
  ): void {
    const d = this.#draft;
    if (!d) return;
    this.#draft = { ...d, ...patch, mapping: { ...d.mapping, ...patch.mapping } };
    this.#draftError = null;
  }

  cancelImport(): void {
    this.#draft = null;
    this.#draftError = null;
  }

  /** Make the suite, remember the mapping for files of this shape, and choose it; errors keep the dialog open. */
  confirmImport(): void {
    const d = this.#draft;
    const { suite, error } = this.draftResult;
    if (!d || !suite) {
      this.#draftError = error ?? 'Nothing to import.';
      return;
    }
    if (d.table && d.mapping.question) remember(d.table.columns, { ...d.mapping, question: d.mapping.question });
    const source = `${d.fileName} · ${d.formatLabel}`;
    // A name another suite has (a shipped "arith-id", an earlier import) gets " (2)": a run stores outputs by name.
    const name = uniqueName(
      suite.name,
      this.all.map((s) => s.name),
    );
    this.#imported = [...this.#imported, { kind: 'imported', name, suite: { ...suite, name }, source }];
    this.toggle(`imported:${name}`, true);
    this.#draft = null;
    this.#draftError = null;
  }

  /** Load the first chosen suite for previews; quietly keeps the last one if it cannot be read. */
  async refreshPreview(): Promise<void> {
    const src = this.all.find((s) => this.chosen.includes(sourceKey(s)));
    const key = src ? sourceKey(src) : '';
    if (key === this.previewKey) return;
    this.previewKey = key;
    try {
      this.#preview = src ? ((await this.resolveOne(src, 1)) ?? null) : null;
    } catch {
      this.#preview = null;
    }
  }

  private async resolveOne(src: SuiteSource, limit: number): Promise<Suite> {
    if (src.kind === 'generated') return generatedSuite(src.name, this.#generatedSeed, limit);
    if (src.kind === 'imported') return limitItems(src.suite, limit);
    const res = await fetch(src.url);
    if (!res.ok) throw new Error(`suite ${src.name}: ${src.url} answered ${res.status}`);
    return limitItems(parseSuite(await res.text(), src.url), limit);
  }

  /** The chosen suites as data, limited to `itemLimit` items each. */
  async resolve(): Promise<Suite[]> {
    const limit = Math.max(1, Math.floor(this.#itemLimit));
    const out: Suite[] = [];
    for (const src of this.all.filter((s) => this.chosen.includes(sourceKey(s))))
      out.push(await this.resolveOne(src, limit));
    return out;
  }
}
