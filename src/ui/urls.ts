/**
 * URL arithmetic for the state classes, as plain functions returning strings: a URL object built inside a `.svelte.ts`
 * class reads to the Svelte linter as state that should be reactive, and none of these values are state.
 */

/** `path` resolved against `base`, as an absolute URL string. */
export function resolveUrl(path: string, base: string): string {
  return new URL(path, base).href;
}

/** The origin (scheme, host, port) of an absolute URL. */
export function originOf(url: string): string {
  return new URL(url).origin;
}

/** `text` as an http(s) URL without trailing slashes; throws when it is not one. */
export function httpUrl(text: string): string {
  const url = new URL(text);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http(s)');
  return url.href.replace(/\/+$/, '');
}
