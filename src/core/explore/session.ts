import type { CancelSignal } from '../decode/cancel.ts';
import { decodeFrom, type DecodeStart } from '../decode/decode-loop.ts';
import type { LanguageModel } from '../decode/language-model.ts';
import { findStop, RowText } from '../decode/row-text.ts';
import type { RowResult, TokenTrace } from '../decode/trace.ts';
import { topKIndices } from '../logits/distribution.ts';
import { createRng, deriveSeed } from '../rng.ts';
import { pathsFor, samplerFor, type ExploreSettings } from './method.ts';
import { keepFirstVisible, PrefixStore } from './prefix-store.ts';

/** What one Explore call cost: the number a fork that reuses the cache keeps small. */
export interface ExploreCallStats {
  /** Tokens run through the model before decoding: the prompt on a first start; on a fork, what no cache held plus the forked token. */
  prefillTokens: number;
  /** Tokens of the starting context taken from a cache instead. */
  reusedTokens: number;
  forwardCalls: number;
  generatedTokens: number;
}

/** New paths, each traced from the first generated token (a fork's trace starts with its parent's prefix). */
export interface ExplorePaths {
  rows: RowResult[];
  stats: ExploreCallStats;
}

export interface ExploreCall {
  settings: ExploreSettings;
  /** Names this call's random streams (the id of its first new path), so a path's draws do not depend on others. */
  label: string;
  signal?: CancelSignal;
  yieldToHost?: () => Promise<void>;
}

/**
 * One prompt explored: paths from the prompt and forks from any token of any path. The session keeps the KV caches
 * of the prompt and of every path it decoded, so a fork runs only the tokens no cache holds (usually just the
 * forked token) and then continues with the current method.
 */
export class ExploreSession<C> {
  readonly promptIds: readonly number[];
  readonly #model: LanguageModel<C>;
  readonly #store: PrefixStore<C>;
  #promptLogits: Float32Array | null = null;

  constructor(model: LanguageModel<C>, promptIds: readonly number[], maxCached = 32) {
    if (promptIds.length === 0) throw new Error('the prompt has no tokens');
    this.#model = model;
    this.promptIds = promptIds.slice();
    this.#store = new PrefixStore(model, maxCached);
  }

  get model(): LanguageModel<C> {
    return this.#model;
  }

  /** Paths from the prompt with the method (the prompt runs through the model once per session). */
  async start(call: ExploreCall): Promise<ExplorePaths> {
    const { method } = call.settings;
    const V = this.#model.vocabSize;
    const P = this.promptIds;
    let prefillTokens = 0;
    let forwardCalls = 0;
    if (!this.#promptLogits) {
      const out = await this.#model.forward(
        { inputIds: [P.slice()], attentionMask: [P.map(() => 1)], positionIds: [P.map((_, i) => i)] },
        null,
      );
      this.#store.put('prompt', { cache: out.cache, mask: P.map(() => 1), tokens: P.slice() });
      this.#promptLogits = out.logits.slice(0, V);
      prefillTokens = P.length;
      forwardCalls = 1;
    }
    const n = pathsFor(method, 'prompt');
    let forced: number[] | undefined;
    if (method.kind === 'cot-decoding') {
      forced = topKIndices(this.#promptLogits, n);
      if (forced.length < n) throw new Error(`cannot branch on ${n} first tokens: the vocabulary has ${forced.length}`);
    }
    const promptCache = this.#store.get('prompt');
    if (!promptCache) throw new Error('the prompt cache is gone');
    const start: DecodeStart<C> = {
      cache: await this.#model.selectRows(promptCache.cache, new Array<number>(n).fill(0)),
      logits: repeatRows(this.#promptLogits, n),
      masks: rowsOf(n, () => P.map(() => 1)),
      contexts: rowsOf(n, () => P.slice()),
    };
    const res = await this.#decode(start, call, n, forced);
    return {
      rows: res.rows,
      stats: {
        prefillTokens,
        reusedTokens: prefillTokens > 0 ? 0 : P.length,
        forwardCalls: forwardCalls + res.forwardCalls,
        generatedTokens: res.generatedTokens,
      },
    };
  }

  /**
   * Fork a path: `prefix` is its trace before the fork, `at` its trace at the fork (whose alternatives list
   * `token`), and the new paths take `token` there and continue with the method. The forked token's trace is the
   * distribution at `at` (the same context), so only the tokens no cache holds run through the model.
   */
  async fork(prefix: readonly TokenTrace[], at: TokenTrace, token: number, call: ExploreCall): Promise<ExplorePaths> {
    const { settings } = call;
    const alt = at.top.find((a) => a.id === token);
    if (!alt)
      throw new Error(
        `token ${token} is not among the ${at.top.length} alternatives at position ${prefix.length} (${at.top.map((a) => a.id).join(', ')})`,
      );
    const prefixIds = prefix.map((t) => t.id);
    if (prefixIds.some((id) => this.#model.eosTokenIds.includes(id)))
      throw new Error('a fork prefix cannot contain an end-of-text token');
    const text = new RowText(this.#model);
    for (const id of prefixIds) text.push(id);
    const isEos = this.#model.eosTokenIds.includes(token);
    const { piece, offset } = isEos ? { piece: alt.text, offset: text.text.length } : text.push(token);
    const forked: TokenTrace = {
      id: token,
      text: piece,
      offset,
      prob: alt.prob,
      logprob: Math.log(alt.prob),
      rank: 1 + at.top.filter((a) => a.prob > alt.prob).length,
      entropy: at.entropy,
      top: at.top,
    };
    const head = [...prefix, forked];
    const n = pathsFor(settings.method, 'fork');
    const stop = isEos ? -1 : findStop(text.text, settings.stopStrings, offset);
    const budget = settings.maxNewTokens - head.length;
    if (isEos || stop >= 0 || budget <= 0) {
      // The fork itself ends the path: nothing to run.
      const row: RowResult = {
        text: stop >= 0 ? text.text.slice(0, stop) : text.text,
        tokens: head,
        stopReason: isEos ? 'eos' : stop >= 0 ? 'stop-string' : 'max-tokens',
      };
      return { rows: [row], stats: { prefillTokens: 0, reusedTokens: 0, forwardCalls: 0, generatedTokens: 0 } };
    }

    const context = [...this.promptIds, ...prefixIds];
    const match = this.#store.best(context);
    const shared = match?.shared ?? 0;
    const mask = match ? keepFirstVisible(match.entry.mask, shared) : [];
    const feed = [...context.slice(shared), token];
    const out = await this.#model.forward(
      {
        inputIds: [feed],
        attentionMask: [[...mask, ...feed.map(() => 1)]],
        positionIds: [feed.map((_, i) => shared + i)],
      },
      match ? match.entry.cache : null,
    );
    let cache = out.cache;
    if (n > 1) {
      try {
        cache = await this.#model.selectRows(out.cache, new Array<number>(n).fill(0));
      } finally {
        this.#model.release(out.cache);
      }
    }
    const fullMask = [...mask, ...feed.map(() => 1)];
    const res = await this.#decode(
      {
        cache,
        logits: repeatRows(out.logits.subarray(0, this.#model.vocabSize), n),
        masks: rowsOf(n, () => fullMask.slice()),
        contexts: rowsOf(n, () => [...context, token]),
        generated: rowsOf(n, () => [...prefixIds, token]),
      },
      { ...call, settings: { ...settings, maxNewTokens: budget } },
      n,
    );
    return {
      rows: res.rows.map((r) => ({ ...r, tokens: [...head, ...r.tokens] })),
      stats: {
        prefillTokens: feed.length,
        reusedTokens: shared,
        forwardCalls: 1 + res.forwardCalls,
        generatedTokens: res.generatedTokens,
      },
    };
  }

  async #decode(
    start: DecodeStart<C>,
    call: ExploreCall,
    n: number,
    forced?: number[],
  ): Promise<{ rows: RowResult[]; forwardCalls: number; generatedTokens: number }> {
    const s = call.settings;
    const res = await decodeFrom(this.#model, start, {
      maxNewTokens: s.maxNewTokens,
      sampler: samplerFor(s.method),
      rngs: rowsOf(n, (i) => createRng(deriveSeed(s.seed, 'explore', call.label, i))),
      stopStrings: s.stopStrings,
      topAlternatives: s.topAlternatives,
      forcedFirst: forced,
      signal: call.signal,
      yieldToHost: call.yieldToHost,
      keepCaches: true,
    });
    res.caches.forEach((c, i) => this.#store.put(`${call.label}/${i}`, c));
    return { rows: res.rows, forwardCalls: res.stats.forwardCalls, generatedTokens: res.stats.generatedTokens };
  }

  /** Caches held now (the prompt's and recent paths'). */
  get cachedPaths(): number {
    return this.#store.size;
  }

  dispose(): void {
    this.#store.dispose();
    this.#promptLogits = null;
  }
}

function rowsOf<T>(n: number, make: (i: number) => T): T[] {
  return Array.from({ length: n }, (_, i) => make(i));
}

function repeatRows(row: Float32Array, n: number): Float32Array {
  const out = new Float32Array(row.length * n);
  for (let i = 0; i < n; i++) out.set(row, i * row.length);
  return out;
}
