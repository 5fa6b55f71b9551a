import type { MethodSpec } from '../core/methods/method.ts';

/**
 * The method settings a person can change in the page, as a typed table: each row says where the value lives,
 * its bounds and label; the settings panel is generated from it.
 */
export interface ParamDef {
  key: string;
  label: string;
  min: number;
  max: number;
  step: number;
  applies: (m: MethodSpec) => boolean;
  get: (m: MethodSpec) => number;
  set: (m: MethodSpec, v: number) => MethodSpec;
}

const temperatureIndex = (m: MethodSpec) =>
  m.decoding.kind === 'sample' ? m.decoding.chain.findIndex((p) => p.name === 'temperature') : -1;

export const METHOD_PARAMS: readonly ParamDef[] = [
  {
    key: 'steerLayer',
    label: 'Steering layer',
    min: 0,
    max: 63,
    step: 1,
    // An SAE feature belongs to its layer's SAE: moving it to another layer would name another feature.
    applies: (m) => m.steer !== undefined && m.steer.feature === undefined,
    get: (m) => m.steer!.layer,
    set: (m, v) => ({ ...m, steer: { ...m.steer!, layer: v } }),
  },
  {
    key: 'steerScale',
    label: 'Steering scale',
    min: -64,
    max: 64,
    step: 0.25,
    applies: (m) => m.steer !== undefined,
    get: (m) => m.steer!.scale,
    set: (m, v) => ({ ...m, steer: { ...m.steer!, scale: v } }),
  },
  {
    key: 'shots',
    label: 'Few-shot examples',
    min: 0,
    max: 16,
    step: 1,
    applies: () => true,
    get: (m) => m.prompt.shots,
    set: (m, v) => ({ ...m, prompt: { ...m.prompt, shots: v } }),
  },
  {
    key: 'maxNewTokens',
    label: 'Max new tokens',
    min: 1,
    max: 512,
    step: 1,
    applies: () => true,
    get: (m) => m.maxNewTokens,
    set: (m, v) => ({ ...m, maxNewTokens: v }),
  },
  {
    key: 'n',
    label: 'Samples n',
    min: 1,
    max: 64,
    step: 1,
    applies: (m) => m.decoding.kind === 'sample',
    get: (m) => (m.decoding.kind === 'sample' ? m.decoding.n : 0),
    set: (m, v) => (m.decoding.kind === 'sample' ? { ...m, decoding: { ...m.decoding, n: v } } : m),
  },
  {
    key: 'temperature',
    label: 'Temperature',
    min: 0.05,
    max: 5,
    step: 0.05,
    applies: (m) => temperatureIndex(m) >= 0,
    get: (m) => {
      const i = temperatureIndex(m);
      const p = m.decoding.kind === 'sample' ? m.decoding.chain[i] : undefined;
      return p?.name === 'temperature' ? p.temperature : 1;
    },
    set: (m, v) => {
      if (m.decoding.kind !== 'sample') return m;
      const i = temperatureIndex(m);
      return {
        ...m,
        decoding: {
          ...m.decoding,
          chain: m.decoding.chain.map((p, j) => (j === i ? { name: 'temperature' as const, temperature: v } : p)),
        },
      };
    },
  },
  {
    key: 'k',
    label: 'Branches k',
    min: 1,
    max: 32,
    step: 1,
    applies: (m) => m.decoding.kind === 'cot-decoding',
    get: (m) => (m.decoding.kind === 'cot-decoding' ? m.decoding.k : 0),
    set: (m, v) => (m.decoding.kind === 'cot-decoding' ? { ...m, decoding: { ...m.decoding, k: v } } : m),
  },
  {
    key: 'beta',
    label: 'Contrast β',
    min: 0,
    max: 10,
    step: 0.1,
    applies: (m) => m.decoding.kind === 'contrast',
    get: (m) => (m.decoding.kind === 'contrast' ? m.decoding.beta : 0),
    set: (m, v) => (m.decoding.kind === 'contrast' ? { ...m, decoding: { ...m.decoding, beta: v } } : m),
  },
  {
    key: 'alpha',
    label: 'Plausibility α',
    min: 0.001,
    max: 1,
    step: 0.001,
    applies: (m) => m.decoding.kind === 'contrast',
    get: (m) => (m.decoding.kind === 'contrast' ? m.decoding.alpha : 0),
    set: (m, v) => (m.decoding.kind === 'contrast' ? { ...m, decoding: { ...m.decoding, alpha: v } } : m),
  },
];
