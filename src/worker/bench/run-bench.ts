import type { TransformersModel } from '../../adapters/model/transformers-model.ts';
import { decodeGroups, decodePrompts } from '../../core/decode/decode-loop.ts';
import type { LanguageModel } from '../../core/decode/language-model.ts';
import { GREEDY, temperatureSampler } from '../../core/logits/sampler.ts';
import { createRng, type Rng } from '../../core/rng.ts';
import { bareSessionLoop, generateOnce } from './peers.ts';
import { WaveTuner } from '../../core/decode/wave-tuner.ts';
import { additionSuite } from '../../core/tasks/addition-suite.ts';
import { buildPrompt, PLAIN_PROMPT } from '../../core/methods/prompt.ts';
import { median } from './median.ts';

export interface BenchConfig {
  quick: boolean;
  now: () => number;
  /** Resident memory in bytes now (Node: process RSS); sampled during the 4-shot self-consistency run. */
  memory?: () => number;
}

export interface SelfConsistencyBench {
  n: number;
  promptTokens: number;
  newTokens: number;
  temperature: number;
  coaxMs: number;
  peerMs: number;
  coaxTokens: number;
  peerTokens: number;
  speedup: number;
  tokenRateSpeedup: number;
  /** Rows per wave of Coax's run (one entry: one batch). */
  waves: number[];
}

export interface BenchReport {
  model: string;
  throughput: { batch: number; tokens: number; ms: number; tokensPerSecond: number }[];
  cotDecoding: { k: number; newTokens: number; coaxMs: number; peerMs: number; speedup: number; outputsEqual: boolean };
  selfConsistency: SelfConsistencyBench;
  /** The same with a 4-shot worked prompt (how self-consistency is usually prompted): prefill sharing weighs more. */
  selfConsistencyFewShot: SelfConsistencyBench;
  /**
   * The 4-shot run's wave plan (rows per wave; one entry: a single batch) and, for comparison, the same run as one
   * batch of n rows whatever the cache size: shows whether splitting paid off on this machine. `tuned`: the same
   * work TUNED_CALLS times with one WaveTuner, each call's plan and time (budget plan, halves, then its choice).
   */
  waves: { plan: number[]; coaxMs: number; oneBatchMs: number; tuned: { plan: number[]; ms: number }[] };
  /** Peak and starting resident memory (bytes) around Coax's 4-shot self-consistency run, when measurable. */
  memory: { beforeBytes: number; peakBytes: number } | null;
  /** Medians over `rounds` alternated runs of each loop. */
  overhead: {
    steps: number;
    coaxMs: number;
    bareMs: number;
    overheadPercent: number;
    rounds: number;
    sameTokens: boolean;
  };
}

/** Alternated runs of Coax's loop and the bare loop for the overhead row (a full run; --quick makes one). */
const OVERHEAD_ROUNDS = 5;
/** Calls of the 4-shot work with one WaveTuner: enough for it to try the budget plan and halves, then choose. */
const TUNED_CALLS = 3;

const PROMPT = 'Q: 3 + 4 + 5\nA:';

/** A view of the model that never stops at EOS, so every row does exactly the asked-for work. */
function withoutEos<C>(model: LanguageModel<C>): LanguageModel<C> {
  return Object.assign(Object.create(model) as LanguageModel<C>, { eosTokenIds: [] });
}

async function timed<T>(now: () => number, fn: () => Promise<T>): Promise<[T, number]> {
  const t0 = now();
  const r = await fn();
  return [r, now() - t0];
}

async function selfConsistencyBench(
  model: TransformersModel,
  prompt: number[],
  n: number,
  tokens: number,
  now: () => number,
  rngs: Rng[],
  /** Called when Coax's run starts; returns what to call when it ends (the peer loop is not watched). */
  watch: () => () => void = () => () => {},
): Promise<SelfConsistencyBench> {
  const temperature = 0.7;
  const stop = watch();
  const [sc, coaxMs] = await timed(now, () =>
    decodeGroups(model, [prompt], n, { maxNewTokens: tokens, sampler: temperatureSampler(temperature), rngs }),
  );
  stop();
  const [peer, peerMs] = await timed(now, async () => {
    const out: number[][] = [];
    for (let i = 0; i < n; i++) out.push(await generateOnce(model, prompt, tokens, { temperature }));
    return out;
  });
  const coaxTokens = sc.rows.reduce((s, r) => s + r.tokens.length, 0);
  const peerTokens = peer.reduce((s, r) => s + r.length, 0);
  return {
    n,
    promptTokens: prompt.length,
    newTokens: tokens,
    temperature,
    coaxMs,
    peerMs,
    coaxTokens,
    peerTokens,
    speedup: peerMs / coaxMs,
    tokenRateSpeedup: coaxTokens / coaxMs / (peerTokens / peerMs),
    waves: sc.stats.waves ?? [n],
  };
}

/** The same measurements in Node (onnxruntime-node) and in the browser worker (onnxruntime-web). */
export async function runBench(model: TransformersModel, cfg: BenchConfig): Promise<BenchReport> {
  const { now } = cfg;
  const prompt = model.encode(PROMPT);
  const rngs = (n: number, seed = 1) => Array.from({ length: n }, (_, i) => createRng(seed * 1000 + i));
  const noEos = withoutEos(model);
  // Warm-up: first runs pay for session and kernel set-up.
  await decodePrompts(noEos, [prompt], { maxNewTokens: 4, sampler: GREEDY, rngs: rngs(1) });

  const tokens = cfg.quick ? 16 : 64;
  const throughput = [];
  for (const batch of cfg.quick ? [1, 4] : [1, 4, 8, 16]) {
    const [, ms] = await timed(now, () =>
      decodePrompts(
        noEos,
        Array.from({ length: batch }, () => prompt),
        { maxNewTokens: tokens, sampler: GREEDY, rngs: rngs(batch) },
      ),
    );
    throughput.push({ batch, tokens: batch * tokens, ms, tokensPerSecond: (batch * tokens * 1000) / ms });
  }

  // CoT-decoding: k branches from one prefill vs one generate() per branch (prompt + its first token).
  const k = cfg.quick ? 3 : 10;
  const [coax, coaxMs] = await timed(now, () =>
    decodeGroups(model, [prompt], k, { maxNewTokens: tokens, sampler: GREEDY, rngs: rngs(k), forcedFirst: 'top-n' }),
  );
  const [peer, peerMs] = await timed(now, async () => {
    const out: number[][] = [];
    for (const row of coax.rows)
      out.push([row.tokens[0]!.id, ...(await generateOnce(model, [...prompt, row.tokens[0]!.id], tokens - 1, null))]);
    return out;
  });
  const outputsEqual = coax.rows.every((r, i) => JSON.stringify(r.tokens.map((t) => t.id)) === JSON.stringify(peer[i]));

  // Self-consistency: n samples at T from one prefill vs n sequential generate() calls.
  const n = cfg.quick ? 4 : 16;
  const selfConsistency = await selfConsistencyBench(model, prompt, n, tokens, now, rngs(n, 7));
  const fewShot = fewShotPrompt(model);
  const sample = cfg.memory;
  let memory: BenchReport['memory'] = null;
  const watch = () => {
    if (!sample) return () => {};
    const m = { beforeBytes: sample(), peakBytes: 0 };
    m.peakBytes = m.beforeBytes;
    memory = m;
    // session.run works off the event loop, so a timer keeps sampling while the run is in flight
    const timer = setInterval(() => (m.peakBytes = Math.max(m.peakBytes, sample())), 10);
    return () => {
      clearInterval(timer);
      m.peakBytes = Math.max(m.peakBytes, sample());
    };
  };
  const selfConsistencyFewShot = await selfConsistencyBench(model, fewShot, n, tokens, now, rngs(n, 8), watch);
  const oneBatch = async (waveBudgetBytes?: number, waveTuner?: WaveTuner) => {
    const [res, ms] = await timed(now, () =>
      decodeGroups(model, [fewShot], n, {
        maxNewTokens: tokens,
        sampler: temperatureSampler(0.7),
        rngs: rngs(n, 8),
        waveBudgetBytes,
        waveTuner,
      }),
    );
    return { plan: res.stats.waves ?? [n], ms };
  };
  const whole = await oneBatch(Infinity);
  // What a suite run does: one WaveTuner over the run's items, here the same 4-shot work TUNED_CALLS times.
  const tuner = new WaveTuner(now);
  const tuned: { plan: number[]; ms: number }[] = [];
  for (let call = 0; call < TUNED_CALLS; call++) tuned.push(await oneBatch(undefined, tuner));
  const waves = {
    plan: selfConsistencyFewShot.waves,
    coaxMs: selfConsistencyFewShot.coaxMs,
    oneBatchMs: whole.ms,
    tuned,
  };

  // Engine overhead at batch 1: our loop (traces, processors, bookkeeping) vs the bare session loop.
  const steps = tokens;
  // A few percent of a few seconds: one pair of runs moved between -2 % and +10 % on a quiet machine, so the two
  // loops alternate (ours, bare, ours, …) and each side reports its median, which a single slow run cannot move.
  const oursRuns: number[] = [];
  const bareRuns: number[] = [];
  let ours: Awaited<ReturnType<typeof decodePrompts>> | null = null;
  let bare: number[] = [];
  for (let round = 0; round < (cfg.quick ? 1 : OVERHEAD_ROUNDS); round++) {
    let ms: number;
    [ours, ms] = await timed(now, () =>
      decodePrompts(noEos, [prompt], { maxNewTokens: steps, sampler: GREEDY, rngs: rngs(1) }),
    );
    oursRuns.push(ms);
    [bare, ms] = await timed(now, () => bareSessionLoop(model, prompt, steps));
    bareRuns.push(ms);
  }
  const oursMs = median(oursRuns);
  const bareMs = median(bareRuns);

  return {
    model: model.id,
    throughput,
    cotDecoding: { k, newTokens: tokens, coaxMs, peerMs, speedup: peerMs / coaxMs, outputsEqual },
    selfConsistency,
    selfConsistencyFewShot,
    memory,
    waves,
    overhead: {
      steps,
      coaxMs: oursMs,
      bareMs,
      overheadPercent: ((oursMs - bareMs) / bareMs) * 100,
      rounds: oursRuns.length,
      sameTokens: JSON.stringify(ours!.rows[0]!.tokens.map((t) => t.id)) === JSON.stringify(bare),
    },
  };
}

/** The 4-shot worked prompt of the few-shot self-consistency row (229–315 tokens, by tokenizer). */
export function fewShotPrompt(model: TransformersModel): number[] {
  const suite = additionSuite({ seed: 1, count: 1 });
  return model.encode(buildPrompt({ ...PLAIN_PROMPT, shots: 4, shotForm: 'worked' }, suite.items[0]!, suite, 1));
}
