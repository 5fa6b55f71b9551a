/** Asking the hub about a repository (src/worker/hub-listing.ts, run in the inference worker's hub entry). */
import { describe, expect, it } from 'vitest';
import { hubDataCard, inspectRepo } from '../../src/worker/hub-listing.ts';

const HOST = 'https://hub.test';

/** A fetch that answers from a table of `METHOD url` → response, and records what was asked. */
function fakeFetch(table: Record<string, () => Response>): { fetcher: typeof fetch; asked: string[] } {
  const asked: string[] = [];
  const fetcher = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const key = `${init?.method ?? 'GET'} ${String(input)}`;
    asked.push(key);
    const answer = table[key];
    if (!answer) throw new TypeError('Failed to fetch');
    return answer();
  }) as typeof fetch;
  return { fetcher, asked };
}

describe('inspectRepo', () => {
  it('takes sizes from the listing and asks HEAD only for the files a load reads whose size it left out', async () => {
    const { fetcher, asked } = fakeFetch({
      [`GET ${HOST}/api/models/org/m?blobs=true`]: () =>
        Response.json({
          siblings: [
            { rfilename: 'config.json', size: 10 },
            { rfilename: 'tokenizer.json', size: 20 },
            { rfilename: 'onnx/model.onnx', lfs: { size: 3000 } },
            { rfilename: 'onnx/model_q4.onnx' },
            { rfilename: 'README.md' },
          ],
        }),
      [`HEAD ${HOST}/org/m/resolve/main/onnx/model_q4.onnx`]: () =>
        new Response(null, { headers: { 'content-length': '700' } }),
    });
    const info = await inspectRepo(fetcher, HOST, 'org/m');
    expect(info.status).toBe('ok');
    expect(info.sizes).toEqual({
      'config.json': 10,
      'tokenizer.json': 20,
      'onnx/model.onnx': 3000,
      'onnx/model_q4.onnx': 700,
    });
    expect(asked.filter((a) => a.startsWith('HEAD'))).toEqual([`HEAD ${HOST}/org/m/resolve/main/onnx/model_q4.onnx`]);
  });

  it('says not found on 404 and 401, and names the host and id when the hub cannot be reached', async () => {
    const notFound = fakeFetch({
      [`GET ${HOST}/api/models/org/x?blobs=true`]: () => new Response('', { status: 401 }),
    });
    const a = await inspectRepo(notFound.fetcher, HOST, 'org/x');
    expect(a.status).toBe('not-found');
    expect(a.error).toContain(`org/x was not found on ${HOST} (401)`);
    const b = await inspectRepo(fakeFetch({}).fetcher, HOST, 'org/y');
    expect(b).toEqual({
      status: 'error',
      files: [],
      sizes: {},
      error: `could not ask ${HOST} about org/y: Failed to fetch`,
    });
  });

  it('refuses an answer that is not a listing, naming the URL', async () => {
    const { fetcher } = fakeFetch({ [`GET ${HOST}/api/models/org/m?blobs=true`]: () => Response.json({ id: 'x' }) });
    const info = await inspectRepo(fetcher, HOST, 'org/m');
    expect(info.status).toBe('error');
    expect(info.error).toContain(`${HOST}/api/models/org/m?blobs=true did not answer with a file listing`);
  });
});

describe('hubDataCard', () => {
  it("reads the repository's data_card.json, and gives null when it is missing or unreachable", async () => {
    const { fetcher } = fakeFetch({
      [`GET ${HOST}/org/m/resolve/main/data_card.json`]: () => Response.json({ model: 'm' }),
      [`GET ${HOST}/org/n/resolve/main/data_card.json`]: () => new Response('', { status: 404 }),
    });
    expect(await hubDataCard(fetcher, HOST, 'org/m')).toEqual({ model: 'm' });
    expect(await hubDataCard(fetcher, HOST, 'org/n')).toBeNull();
    expect(await hubDataCard(fetcher, HOST, 'org/o')).toBeNull();
  });
});
