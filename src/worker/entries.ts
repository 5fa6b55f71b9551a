/**
 * The inference worker's two entry URLs. The offline entry is the worker bundle itself (served, like the page, with
 * connect-src 'self'); the hub entry is a one-line module at a fixed path that imports the same bundle and is served
 * with the Hugging Face hosts in its connect-src (tools/vite/csp.ts). A dedicated worker's fetches obey the policy
 * of its own script response (test/e2e/csp-worker-policy.test.ts), so only a worker started from the hub entry can
 * download from the hub, and the page never needs the hub in its own policy.
 */

/** The hub entry, relative to the site's base URL. */
export const HUB_WORKER_ENTRY = 'hub/inference.worker.js';
