import { findLesson, LESSONS } from '../../core/lessons/catalog.ts';
import type { Lesson } from '../../core/lessons/lesson.ts';
import { decodeConfig, expandMethods, type ExperimentConfig } from '../../core/run/url-config.ts';
import type { RunResults } from '../../core/run/results.ts';
import type { EngineState } from './engine.svelte.ts';
import type { ExperimentState } from './experiment.svelte.ts';
import type { RunsState } from './runs.svelte.ts';

/** Whether a stored run's setup is this preset (same model or models, suites, methods, items and seeds). */
export function isSetup(encoded: string | undefined, preset: ExperimentConfig): boolean {
  if (!encoded) return false;
  try {
    const c = decodeConfig(encoded);
    const ids = (list: ExperimentConfig['methods']) =>
      expandMethods(list)
        .map((m) => JSON.stringify(m))
        .sort()
        .join('|');
    return (
      c.model === preset.model &&
      (c.models ?? []).join('|') === (preset.models ?? []).join('|') &&
      [...c.suites].sort().join('|') === [...preset.suites].sort().join('|') &&
      c.itemLimit === preset.itemLimit &&
      c.seed === preset.seed &&
      c.generatedSeed === preset.generatedSeed &&
      ids(c.methods) === ids(preset.methods)
    );
  } catch {
    return false;
  }
}

/** Lessons mode: which lesson is open, running its preset, and the presenter's slide. */
export class LessonsState {
  readonly all: readonly Lesson[] = LESSONS;
  #current = $state<string>(LESSONS[0]!.id);
  #presenting = $state(false);
  #slide = $state(0);
  #pending = $state<ExperimentConfig | null>(null);

  constructor(
    private readonly engine: EngineState,
    private readonly experiment: ExperimentState,
    private readonly runs: RunsState,
  ) {
    // A preset waits for its model: once loaded (and its suites offered), it runs.
    $effect.root(() => {
      $effect(() => {
        const want = this.#pending;
        const entry = this.engine.loadedEntry;
        if (!want || this.engine.loading || entry?.id !== want.model) return;
        this.#pending = null;
        queueMicrotask(() => void this.#launch(want));
      });
    });
  }

  get current(): Lesson {
    return findLesson(this.#current) ?? LESSONS[0]!;
  }
  get presenting(): boolean {
    return this.#presenting;
  }
  get slide(): number {
    return this.#slide;
  }
  get waiting(): boolean {
    return this.#pending !== null;
  }

  open(id: string): void {
    if (findLesson(id)) this.#current = id;
    this.#slide = 0;
  }

  /** The open run's results when they are this preset's (a run started here or reopened from the list). */
  resultsFor(preset: ExperimentConfig): RunResults | null {
    const open = this.runs.open;
    return open && isSetup(open.header.config, preset) ? open.results : null;
  }

  /** Apply a preset and run it, loading its model first when another one is loaded. */
  run(preset: ExperimentConfig): void {
    this.experiment.setup.applyConfig(preset);
    if (this.engine.loadedEntry?.id === preset.model && !this.engine.loading) {
      void this.#launch(preset);
      return;
    }
    this.#pending = preset;
    if (!(this.engine.loading && this.engine.selectedId === preset.model)) {
      this.engine.select('bundled', preset.model);
      void this.engine.load();
    }
  }

  async #launch(preset: ExperimentConfig): Promise<void> {
    // The model's own suites were just offered: choose the preset's again (offering them resets a fresh choice).
    this.experiment.setup.applyConfig(preset);
    // A preset over several models loads each in turn (the last one stays loaded).
    await this.experiment.run(preset.model, this.engine.backend?.backend ?? '', (id) => this.engine.loadBundled(id));
  }

  present(on: boolean): void {
    this.#presenting = on;
    this.#slide = 0;
  }

  /** Presenter slides: 0 the claim, 1 the narration, 2 the run and its view, 3 what to notice; then the next lesson. */
  static readonly SLIDES = 4;

  step(delta: number): void {
    const next = this.#slide + delta;
    const index = LESSONS.findIndex((l) => l.id === this.#current);
    if (next >= LessonsState.SLIDES && index < LESSONS.length - 1) {
      this.#current = LESSONS[index + 1]!.id;
      this.#slide = 0;
    } else if (next < 0 && index > 0) {
      this.#current = LESSONS[index - 1]!.id;
      this.#slide = LessonsState.SLIDES - 1;
    } else this.#slide = Math.max(0, Math.min(LessonsState.SLIDES - 1, next));
  }
}
