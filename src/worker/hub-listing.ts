import { z } from 'zod';
import { DTYPES } from './dtypes.ts';
import { filesForDtype } from '../ui/model-files.ts';
import { errorMessage } from '../core/errors.ts';

/** What the hub says about one repository. */
export interface RepoInfo {
  status: 'loading' | 'ok' | 'not-found' | 'error';
  files: string[];
  /** Bytes per file, where the hub told us (the listing's blob sizes, else a HEAD request). */
  sizes: Record<string, number>;
  error: string | null;
}

const listingSchema = z.object({
  siblings: z.array(
    z.object({
      rfilename: z.string(),
      size: z.number().optional(),
      lfs: z.object({ size: z.number().optional() }).optional(),
    }),
  ),
});

/**
 * A repository's files and their sizes: the hub's listing (`/api/models/<id>?blobs=true`), then a HEAD request for
 * each file a load would read whose size the listing left out. Runs in the inference worker started from the hub
 * entry (the page's own policy does not let it reach the hub).
 */
export async function inspectRepo(fetcher: typeof fetch, host: string, id: string): Promise<RepoInfo> {
  const apiUrl = `${host}/api/models/${id}?blobs=true`;
  try {
    const res = await fetcher(apiUrl);
    if (res.status === 404 || res.status === 401)
      return {
        status: 'not-found',
        files: [],
        sizes: {},
        error: `${id} was not found on ${host} (${res.status}); check the id (private and gated repositories cannot be used from the page)`,
      };
    if (!res.ok) throw new Error(`${apiUrl} answered ${res.status}`);
    const parsed = listingSchema.safeParse(await res.json());
    if (!parsed.success)
      throw new Error(
        `${apiUrl} did not answer with a file listing (${parsed.error.issues[0]?.message ?? 'unexpected shape'})`,
      );
    const files = parsed.data.siblings.map((s) => s.rfilename);
    const sizes: Record<string, number> = {};
    for (const s of parsed.data.siblings) {
      const size = s.lfs?.size ?? s.size;
      if (size !== undefined) sizes[s.rfilename] = size;
    }
    const needed = DTYPES.flatMap((d) => filesForDtype(files, d)).filter(
      (f, i, all) => all.indexOf(f) === i && sizes[f] === undefined,
    );
    await Promise.all(
      needed.map(async (f) => {
        const head = await fetcher(`${host}/${id}/resolve/main/${f}`, { method: 'HEAD' });
        const length = head.headers.get('content-length');
        if (head.ok && length !== null) sizes[f] = Number(length);
      }),
    );
    return { status: 'ok', files, sizes, error: null };
  } catch (err) {
    return { status: 'error', files: [], sizes: {}, error: `could not ask ${host} about ${id}: ${errorMessage(err)}` };
  }
}

/** A hub model's data_card.json, or null when it has none or it cannot be read (the card is a bonus). */
export async function hubDataCard(
  fetcher: typeof fetch,
  host: string,
  id: string,
): Promise<Record<string, unknown> | null> {
  try {
    const res = await fetcher(`${host}/${id}/resolve/main/data_card.json`);
    return res.ok ? ((await res.json()) as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
