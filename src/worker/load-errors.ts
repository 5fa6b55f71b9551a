/** transformers.js load failures restated for the person at the page: which file, from where, and what to do. */
import { DownloadError, fileOfUrl } from './checked-fetch.ts';
import type { HubSettings, LoadRequest } from './protocol.ts';
import { errorMessage } from '../core/errors.ts';

export function explainLoadError(err: unknown, request: LoadRequest, hub: HubSettings): string {
  const { id, source, dtype } = request;
  const text = errorMessage(err);
  if (err instanceof DownloadError) return `${id}: ${text}`;

  const notLocal = /not found locally at "([^"]+)"/.exec(text);
  if (notLocal) {
    const file = fileOfUrl(notLocal[1]!);
    if (source === 'bundled') return `${id}: ${file} is missing from the model folder (public/models/${id}/${file})`;
    return `${id} is not in this browser's cache (${file} is missing) and downloads from the hub are off: switch on "Allow downloads from the hub" to fetch it`;
  }
  const located = /(Could not locate file|Unauthorized access to file|Forbidden access to file): "([^"]+)"/.exec(text);
  if (located) {
    const [, what, url] = located as unknown as [string, string, string];
    const file = fileOfUrl(url);
    if (what !== 'Could not locate file') {
      return `${id}: the hub refused ${file} (${url}): the repository does not exist, or it is private or gated (the page cannot send a token)`;
    }
    const weights = file.endsWith('.onnx') || file.includes('.onnx_data');
    const hint = weights
      ? ` — this repository has no ${dtype} weights in that file; choose another dtype`
      : file === 'config.json' && source === 'hub'
        ? ' — is the id right?'
        : ' — the model lacks a file transformers.js needs';
    return `${id}: ${file} not found (404 from ${url})${hint}`;
  }
  if (/Unexpected token|is not valid JSON|JSON\.parse/.test(text))
    return `${id}: a JSON file of the model is not valid JSON (${text})`;
  const where = source === 'hub' ? ` from ${hub.host}` : '';
  return `Could not load ${id} (${dtype})${where}: ${text}`;
}

/** Failures of getting the files (no fallback helps) as opposed to failures of running them (WebGPU may be at fault). */
export function isDownloadFailure(err: unknown): boolean {
  return (
    err instanceof DownloadError ||
    /not found locally|Could not locate file|Unauthorized access to file|Forbidden access to file/.test(
      errorMessage(err),
    )
  );
}
