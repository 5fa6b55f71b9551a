import type { LoadedModel } from '../worker/protocol.ts';
import type { HubState } from './state/hub.svelte.ts';
import { resolveUrl } from './urls.ts';

/**
 * Where a loaded model's card files are, if it has them: data_card.json and DATA_CARD.md beside the model, in its
 * bundled folder (`bundledFiles`, from the manifest) or in its hub repository when downloads are on.
 */
export function cardUrls(
  loaded: LoadedModel,
  bundledFiles: readonly string[] | undefined,
  baseUrl: string,
  hub: HubState,
): { json: string | null; markdown: string | null } {
  let files: readonly string[] = [];
  let base = '';
  if (loaded.source === 'bundled') {
    files = bundledFiles ?? [];
    base = resolveUrl(`models/${loaded.id}/`, baseUrl);
  } else if (hub.allowRemote && hub.repos[loaded.id]?.status === 'ok') {
    files = hub.repos[loaded.id]!.files;
    base = `${hub.host}/${loaded.id}/resolve/main/`;
  }
  return {
    json: files.includes('data_card.json') ? `${base}data_card.json` : null,
    markdown: files.includes('DATA_CARD.md') ? `${base}DATA_CARD.md` : null,
  };
}

/** The data card at `url`, or null when it does not load: the card is a bonus, the model works without it. */
export async function fetchCardJson(url: string): Promise<Record<string, unknown> | null> {
  try {
    const res = await fetch(url);
    return res.ok ? ((await res.json()) as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
