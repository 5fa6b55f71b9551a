import './zod-jitless.ts';
import { mount } from 'svelte';
import App from './ui/App.svelte';
import { EngineState } from './ui/state/engine.svelte.ts';
import { ExperimentState } from './ui/state/experiment.svelte.ts';
import { RunsState } from './ui/state/runs.svelte.ts';
import { HubState } from './ui/state/hub.svelte.ts';
import { ModelCacheState } from './ui/state/model-cache.svelte.ts';
import { ExploreState } from './ui/state/explore.svelte.ts';
import { LessonsState } from './ui/state/lessons.svelte.ts';
import { findLesson } from './core/lessons/catalog.ts';
import { WorkerHost } from './ui/worker-host.ts';
import { limitsFor } from './core/run/heartbeat.ts';
import { encodeConfig } from './core/run/url-config.ts';
import type { BackendChoice } from './worker/protocol.ts';
import './ui/app.css';

const params = new URLSearchParams(location.search);
const backendParam = params.get('backend');
const choice: BackendChoice = backendParam === 'wasm' || backendParam === 'webgpu' ? backendParam : 'auto';
const baseUrl = new URL(import.meta.env.BASE_URL, document.baseURI).href;

// The worker behind a stable handle: cancelling a model load restarts it. heartbeat=<ms>: the shortest silence that
// counts as a hung worker (tests shorten it; the default is 30 s, longer for loads and slow steps).
const host = new WorkerHost(limitsFor(Number(params.get('heartbeat')) || null));
const worker = host.api;
// hub=<url>: a mirror of the Hugging Face hub (tests point it at tools/hub-standin.ts). Nothing is sent to it until
// the user switches downloads on; then the worker asks it (the page's own policy cannot reach the hub).
const hub = HubState.fromParam(params.get('hub'), (id) => host.race(host.api.inspectRepo(id)));
const cache = new ModelCacheState(new URL('models/', baseUrl).href);
const engine = new EngineState(host, baseUrl, hub, cache);
const runs = new RunsState();
const experiment = new ExperimentState(host, runs);
const explore = new ExploreState(worker);
const lessons = new LessonsState(engine, experiment, runs);

/** A link that reproduces the current setup (model, suites, methods, seeds). */
function linkToSetup(): string {
  const url = new URL(location.href);
  url.search = '';
  if (choice !== 'auto') url.searchParams.set('backend', choice);
  url.searchParams.set('config', encodeConfig(experiment.setup.config(engine.selectedId)));
  return url.href;
}

function rerun(config: string): void {
  const model = experiment.applyLink(config);
  if (model && model !== engine.loaded?.id && engine.models.some((m) => m.id === model)) {
    engine.select('bundled', model);
    void engine.load();
  }
}

/** A link that opens a lesson (?lesson=<id>), or with no id the first screen; the backend choice is kept. */
function lessonLink(id: string | null): string {
  const url = new URL(location.href);
  url.search = '';
  url.hash = '';
  if (choice !== 'auto') url.searchParams.set('backend', choice);
  if (id) url.searchParams.set('lesson', id);
  return url.href;
}

const configParam = params.get('config');
const linkedModel = configParam ? experiment.applyLink(configParam) : null;
// The page opens on the first screen, unless its link names a lesson, a view, a setup or a model.
const lessonParam = params.get('lesson');
const lesson = lessonParam ? findLesson(lessonParam) : undefined;
if (lesson) {
  lessons.open(lesson.id);
  experiment.setup.applyConfig(lesson.preset);
}
const initialView =
  lesson !== undefined
    ? 'lessons'
    : location.hash === '#explore'
      ? 'explore'
      : location.hash === '#playground' || configParam || params.has('model') || params.has('hub')
        ? 'playground'
        : 'home';

mount(App, {
  target: document.getElementById('app')!,
  props: { engine, experiment, runs, explore, lessons, initialView, onlink: linkToSetup, lessonLink, onrerun: rerun },
});
void runs.start();
void explore.start();
void engine.start(choice, linkedModel ?? lesson?.preset.model ?? params.get('model')).then(() => {
  if (linkedModel && !engine.models.some((m) => m.id === linkedModel))
    experiment.report(
      `This link's model "${linkedModel.slice(0, 80)}" is not one of the bundled models; ${engine.selectedId || 'none'} was chosen instead.`,
    );
});
// For the browser console and the end-to-end tests: the page's state and the worker, nothing more.
Object.assign(globalThis, { coax: { engine, experiment, runs, explore, lessons, worker } });
