/// <reference lib="webworker" />
import { env } from '@huggingface/transformers';
import { errorMessage } from '../core/errors.ts';
import { DAMAGED_CACHE, type LoadRequest } from './protocol.ts';

/** The browser cache transformers.js keeps downloads in (env.cacheKey). */
const CACHE_NAME = 'transformers-cache';

/** A load that failed because a file could not be parsed (ONNX protobuf, JSON): a damaged copy, perhaps cached. */
export function isParseFailure(err: unknown): boolean {
  return /protobuf parsing failed|failed to load model|invalid model|Unexpected token|not valid JSON|JSON\.parse|Unexpected end of/i.test(
    errorMessage(err),
  );
}

/** A load failed on a damaged cached copy, which is now deleted: the page loads the model again in a fresh worker. */
export class DamagedCacheError extends Error {
  override readonly name = DAMAGED_CACHE;
}

/** Delete every cached file of a model (from the bundled folder, or from the hub at `hubHost`); returns how many. */
export async function dropCached(request: LoadRequest, hubHost: string): Promise<number> {
  if (typeof caches === 'undefined') return 0;
  const cache = await caches.open(CACHE_NAME);
  const prefix =
    request.source === 'hub'
      ? `${hubHost}/${request.id}/resolve/`
      : new URL(`${env.localModelPath.replace(/\/?$/, '/')}${request.id}/`, self.location.href).href;
  let n = 0;
  for (const key of await cache.keys())
    if (key.url.startsWith(prefix)) {
      await cache.delete(key);
      n++;
    }
  return n;
}
