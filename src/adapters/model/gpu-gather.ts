import { gatherModelBytes, ONNX_ELEM } from './gather-graph.ts';

/** The slice of an ONNX Runtime tensor this gather touches (onnxruntime-common's Tensor, as transformers.js holds it). */
export interface OrtTensorLike {
  readonly type: string;
  readonly dims: readonly number[];
  readonly location: string;
}

interface OrtSessionLike {
  run(feeds: Record<string, unknown>): Promise<Record<string, OrtTensorLike>>;
}

interface OrtSessionClass {
  create(bytes: Uint8Array, options: Record<string, unknown>): Promise<OrtSessionLike>;
}

type OrtTensorClass = new (type: 'int64', data: BigInt64Array, dims: number[]) => unknown;

/**
 * Picks cache rows on the GPU with a one-node Gather session, so that expanding a prefix or dropping finished rows on
 * WebGPU no longer downloads the cache and uploads the copy. The session and tensor classes are taken from the
 * model's own session and tensors, so both sessions share one ONNX Runtime instance and one GPU device (transformers.js
 * v4 does not export its `ort` module; a second copy of onnxruntime-web would own a different device).
 */
export class GpuRowGather {
  readonly #sessions = new Map<keyof typeof ONNX_ELEM, Promise<OrtSessionLike>>();

  constructor(
    private readonly sessionClass: OrtSessionClass,
    private readonly tensorClass: OrtTensorClass,
  ) {}

  /** From a live decoder session and one of its tensors; null when either does not look like ONNX Runtime's. */
  static fromRuntime(session: unknown, tensor: unknown): GpuRowGather | null {
    const S = (session as { constructor?: Partial<OrtSessionClass> } | null)?.constructor;
    const T = (tensor as { constructor?: unknown } | null)?.constructor;
    if (typeof S?.create !== 'function' || typeof T !== 'function') return null;
    return new GpuRowGather(S as OrtSessionClass, T as OrtTensorClass);
  }

  /** True for the dtypes a Gather graph is built for. */
  static serves(type: string): type is keyof typeof ONNX_ELEM {
    return type in ONNX_ELEM;
  }

  /** out[i] = t[rows[i]] along axis 0, returned in a GPU buffer the caller owns (dispose it like any cache tensor). */
  async gather(t: OrtTensorLike, rows: readonly number[]): Promise<OrtTensorLike> {
    if (!GpuRowGather.serves(t.type)) throw new Error(`no GPU gather for ${t.type}`);
    const session = await this.#session(t.type);
    const indices = new this.tensorClass('int64', BigInt64Array.from(rows, BigInt), [rows.length]);
    const out = await session.run({ data: t, indices });
    return out['out']!;
  }

  #session(type: keyof typeof ONNX_ELEM): Promise<OrtSessionLike> {
    let s = this.#sessions.get(type);
    if (!s) {
      s = this.sessionClass.create(gatherModelBytes(type), {
        executionProviders: ['webgpu'],
        preferredOutputLocation: 'gpu-buffer',
      });
      this.#sessions.set(type, s);
    }
    return s;
  }
}
