import { mount } from 'svelte';
import App from './ui/App.svelte';
import { EngineState } from './ui/state/engine.svelte.ts';
import { ExperimentState } from './ui/state/experiment.svelte.ts';
import { startWorker } from './ui/worker-client.ts';
import type { BackendChoice } from './worker/protocol.ts';
import './ui/app.css';

const params = new URLSearchParams(location.search);
const backendParam = params.get('backend');
const choice: BackendChoice = backendParam === 'wasm' || backendParam === 'webgpu' ? backendParam : 'auto';
const baseUrl = new URL(import.meta.env.BASE_URL, document.baseURI).href;

const worker = startWorker();
const engine = new EngineState(worker, baseUrl);
const experiment = new ExperimentState(worker);
mount(App, { target: document.getElementById('app')!, props: { engine, experiment } });
void engine.start(choice, params.get('model'));
// For the browser console and the end-to-end tests: the page's state and the worker, nothing more.
Object.assign(globalThis, { coax: { engine, experiment, worker } });
