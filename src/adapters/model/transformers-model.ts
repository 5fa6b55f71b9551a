import {
  AutoModelForCausalLM,
  AutoTokenizer,
  Tensor,
  type PreTrainedModel,
  type PreTrainedTokenizer,
  type ProgressInfo,
} from '@huggingface/transformers';
import { checkModelConfig } from '../../core/schema/model-config.ts';
import type {
  ForwardInput,
  ForwardOptions,
  ForwardOutput,
  HiddenIo,
  LanguageModel,
} from '../../core/decode/language-model.ts';
import { NO_HIDDEN_IO } from '../../core/steer/steer.ts';
import { GpuRowGather, type OrtTensorLike } from './gpu-gather.ts';
import { gatherRows, halfToFloat32, int64Rows, type NumericArray } from './tensor-rows.ts';

/** The KV cache as transformers.js feeds it: `past_key_values.{i}.key|value` tensors, batch first. */
export type KvCache = Record<string, Tensor>;

export interface LoadOptions {
  device: 'wasm' | 'webgpu' | 'cpu';
  dtype?: 'fp32' | 'fp16' | 'q8' | 'q4' | 'q4f16';
  onProgress?: (info: ProgressInfo) => void;
  /** Pick cache rows on the GPU when the cache lives there (default true; false keeps the download-and-upload path). */
  gpuGather?: boolean;
  /**
   * The ONNX file's stem under onnx/ (default 'model'; transformers.js adds the dtype's suffix). 'model_prefix' is
   * a Coax `export.py --prefix-cache` graph: see PREFIX_GRAPH and chooseGraph in src/worker/dtypes.ts.
   */
  modelFileName?: string;
  /**
   * onnxruntime-node only (device 'cpu'): the session's intra-op threads. Left out, ONNX Runtime picks its own
   * default, which on this project's 2-core machine was one thread (CPU time / wall time 1.07 over a 16-row step):
   * the Node entry points pass one per core (cli/node-model.ts).
   */
  threads?: number;
}

interface ModelConfigLike {
  vocab_size?: number;
  eos_token_id?: number | number[] | null;
  pad_token_id?: number | null;
  model_type?: string;
  architectures?: string[];
  max_position_embeddings?: number;
  n_positions?: number;
  n_ctx?: number;
  num_hidden_layers?: number;
  n_layer?: number;
  hidden_size?: number;
  n_embd?: number;
}

/** What a loaded model is, from its config.json and tokenizer files (for the model card). */
export interface ModelDescription {
  modelType: string;
  architectures: string[];
  /** max_position_embeddings / n_positions / n_ctx, when config.json gives one. */
  contextLength: number | null;
  layers: number | null;
  hiddenSize: number | null;
  /** The residual-stream I/O of a Coax --hidden-io export (steering, logit lens); null for stock graphs. */
  hiddenIo: HiddenIo | null;
  /** Whether the loaded graph takes a shared prefix cache (onnx/model_prefix*.onnx, export.py --prefix-cache). */
  sharedPrefix: boolean;
  tokenizer: {
    /** The tokenizer.json model type: BPE, Unigram, WordPiece, … */
    type: string;
    /** tokenizer_config.json's tokenizer_class, when it names one. */
    className: string | null;
    /** Entries in the tokenizer's vocabulary, added tokens included. */
    vocabSize: number;
  };
}

/** max_position_embeddings / n_positions / n_ctx: the first that is a positive whole number, else null. */
function contextLengthOf(c: ModelConfigLike): number | null {
  for (const n of [c.max_position_embeddings, c.n_positions, c.n_ctx])
    if (typeof n === 'number' && Number.isInteger(n) && n > 0) return n;
  return null;
}

/**
 * The first forward pass gave NaN or infinite logits: the backend computes garbage for this model (seen with fp16
 * on some WebGPU drivers). The worker answers it by loading the model again on WASM.
 */
export class NonFiniteLogitsError extends Error {
  override readonly name = 'NonFiniteLogitsError';
}

const bytesPerElement = (type: string) => (type === 'float16' ? 2 : type === 'float32' ? 4 : 1);

/** How many entries are NaN or ±Infinity. */
export function countNonFinite(values: Float32Array): number {
  let n = 0;
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i]!)) n++;
  return n;
}

/**
 * LanguageModel over a transformers.js causal LM. We call the model's forward step by step ourselves
 * (transformers.js `generate()` has no top-p/min-p and returns no per-step scores) and keep the cache as
 * plain named tensors, renaming `present.*` outputs to `past_key_values.*` inputs.
 */
export class TransformersModel implements LanguageModel<KvCache> {
  readonly vocabSize: number;
  readonly eosTokenIds: readonly number[];
  readonly padTokenId: number;
  readonly contextLength: number | null;
  readonly hiddenIo: HiddenIo | null;
  readonly sharedPrefix: boolean;
  private readonly keepsLogits: boolean;
  /** The graph's prefix_key_values.* inputs as a blank one-position prefix, fed (masked out) when none is given. */
  private readonly blankPrefix: Record<string, Tensor>;
  /** Zero steering, fed when a hidden-I/O graph is run unsteered. */
  private readonly zeroSteering: Float32Array | null;
  private readonly tokenTexts = new Map<number, string>();
  private firstForwardChecked = false;
  /** The GPU row gather: undefined until first needed, null when off or when its session could not be made. */
  private gpuGather: GpuRowGather | null | undefined;
  /** Cache tensors gathered on the GPU so far (the e2e check that the GPU path really ran). */
  gpuGathers = 0;

  private constructor(
    readonly id: string,
    readonly model: PreTrainedModel,
    readonly tokenizer: PreTrainedTokenizer,
    readonly device: string,
  ) {
    const config = model.config as unknown as ModelConfigLike;
    // Checked here, so that a page load and a CLI run both refuse a bad config naming the file and the field.
    checkModelConfig({ ...config }, `${id}/config.json`);
    this.vocabSize = config.vocab_size!;
    const eos = config.eos_token_id;
    this.eosTokenIds = eos === undefined || eos === null ? [] : Array.isArray(eos) ? eos : [eos];
    this.padTokenId = config.pad_token_id ?? this.eosTokenIds[0] ?? 0;
    this.contextLength = contextLengthOf(config);
    const session = this.session();
    this.keepsLogits = session.inputNames.includes('num_logits_to_keep');
    this.hiddenIo = detectHiddenIo(session, config);
    this.blankPrefix = blankPrefixFeeds(session);
    this.sharedPrefix = Object.keys(this.blankPrefix).length > 0;
    this.zeroSteering = this.hiddenIo ? new Float32Array(this.hiddenIo.layers * this.hiddenIo.width) : null;
  }

  static async load(id: string, options: LoadOptions): Promise<TransformersModel> {
    const progress_callback = options.onProgress;
    const session_options = nodeSessionOptions(options);
    const tokenizer = await AutoTokenizer.from_pretrained(id, { progress_callback });
    const model = await AutoModelForCausalLM.from_pretrained(id, {
      device: options.device,
      dtype: options.dtype ?? 'fp32',
      progress_callback,
      ...(options.modelFileName ? { model_file_name: options.modelFileName } : {}),
      ...(session_options ? { session_options } : {}),
    });
    const m = new TransformersModel(id, model, tokenizer, options.device);
    if (options.gpuGather === false) m.gpuGather = null;
    return m;
  }

  private session(): SessionNames {
    const s = (this.model as unknown as { sessions: Record<string, SessionNames> }).sessions['model'];
    if (!s) throw new Error(`model ${this.id}: no decoder session named "model"`);
    return s;
  }

  encode(text: string): number[] {
    return this.tokenizer.encode(text);
  }

  decode(ids: readonly number[]): string {
    if (ids.length === 1) {
      const cached = this.tokenTexts.get(ids[0]!);
      if (cached !== undefined) return cached;
      const text = this.tokenizer.decode([ids[0]!], { skip_special_tokens: false });
      this.tokenTexts.set(ids[0]!, text);
      return text;
    }
    return this.tokenizer.decode(ids as number[], { skip_special_tokens: false });
  }

  async forward(
    input: ForwardInput,
    cache: KvCache | null,
    options?: ForwardOptions<KvCache>,
  ): Promise<ForwardOutput<KvCache>> {
    const ids = int64Rows(input.inputIds);
    const prefix = options?.prefix;
    const blank = this.sharedPrefix && !prefix;
    // The blank prefix's one position is masked out: exp(-inf) adds exactly nothing to any row's softmax.
    const mask = int64Rows(blank ? input.attentionMask.map((m) => [0, ...m]) : input.attentionMask);
    const pos = int64Rows(input.positionIds);
    const [B, T] = ids.dims;
    const feeds: Record<string, unknown> = {
      input_ids: new Tensor('int64', ids.data, ids.dims),
      attention_mask: new Tensor('int64', mask.data, mask.dims),
      position_ids: new Tensor('int64', pos.data, pos.dims),
    };
    const all = options?.allLogits ?? false;
    if (this.keepsLogits) feeds['num_logits_to_keep'] = new Tensor('int64', new BigInt64Array([all ? 0n : 1n]), []);
    if (this.hiddenIo) {
      const { layers, width } = this.hiddenIo;
      const steering = options?.steering ?? this.zeroSteering!;
      if (steering.length !== layers * width)
        throw new Error(`model ${this.id}: steering has ${steering.length} values, expected ${layers} × ${width}`);
      feeds['steering'] = new Tensor('float32', steering, [layers, width]);
    } else if (options?.steering) {
      throw new Error(`model ${this.id}: ${NO_HIDDEN_IO}`);
    }
    if (this.sharedPrefix) {
      // A prefix is a batch-1 cache of this model: its past_key_values.{i}.* feed prefix_key_values.{i}.*.
      for (const [name, zeros] of Object.entries(this.blankPrefix)) {
        const t = prefix ? prefix[name.replace('prefix_key_values', 'past_key_values')] : zeros;
        if (!t) throw new Error(`model ${this.id}: the prefix cache has no ${name}`);
        feeds[name] = t;
      }
    } else if (prefix) {
      throw new Error(`model ${this.id}: this graph takes no shared prefix (export.py --prefix-cache)`);
    }
    // With no cache, transformers.js fills in empty past tensors of the right shape and dtype.
    if (cache) feeds['past_key_values'] = cache;
    const out = (await this.model.forward(feeds)) as Record<string, Tensor>;
    const next: KvCache = {};
    for (const [name, t] of Object.entries(out))
      if (name.startsWith('present')) next[name.replace('present', 'past_key_values')] = t;
    const logitsT = out['logits'];
    if (!logitsT) throw new Error(`model ${this.id}: forward returned no logits`);
    const [lb, L, V] = logitsT.dims as [number, number, number];
    if (lb !== B || V !== this.vocabSize)
      throw new Error(
        `model ${this.id}: logits shape [${logitsT.dims.join(', ')}], expected batch ${B} and vocab ${this.vocabSize}`,
      );
    let logits = await toFloat32(logitsT);
    logitsT.dispose?.();
    if (!this.firstForwardChecked) {
      const bad = countNonFinite(logits);
      if (bad > 0) {
        this.release(next);
        throw new NonFiniteLogitsError(
          `model ${this.id} on ${this.device}: the first forward pass gave ${bad} of ${logits.length} logits that are NaN or infinite`,
        );
      }
      this.firstForwardChecked = true;
    }
    if (!all && L !== 1) logits = gatherLastPositions(logits, B, L, V);
    const hiddenT = out['hidden_states'];
    const lensT = out['lens_logits'];
    const hidden = hiddenT ? await toFloat32(hiddenT) : undefined;
    const lensLogits = lensT ? await toFloat32(lensT) : undefined;
    return { logits, positions: all ? T : 1, cache: next, hidden, lensLogits };
  }

  describe(): ModelDescription {
    const c = this.model.config as unknown as ModelConfigLike;
    const t = this.tokenizer as unknown as {
      _tokenizerJSON?: { model?: { type?: string } };
      config?: { tokenizer_class?: string };
      get_vocab(): Map<string, number> | Record<string, number>;
    };
    const vocab = t.get_vocab();
    return {
      modelType: c.model_type ?? 'unknown',
      architectures: c.architectures ?? [],
      contextLength: contextLengthOf(c),
      layers: c.num_hidden_layers ?? c.n_layer ?? null,
      hiddenSize: c.hidden_size ?? c.n_embd ?? null,
      hiddenIo: this.hiddenIo,
      sharedPrefix: this.sharedPrefix,
      tokenizer: {
        type: t._tokenizerJSON?.model?.type ?? 'unknown',
        className: t.config?.tokenizer_class ?? null,
        vocabSize: vocab instanceof Map ? vocab.size : Object.keys(vocab).length,
      },
    };
  }

  async selectRows(cache: KvCache, rows: readonly number[]): Promise<KvCache> {
    const out: KvCache = {};
    for (const [name, t] of Object.entries(cache)) {
      const onGpu = t.location === 'gpu-buffer' ? await this.gatherOnGpu(t, rows) : null;
      if (onGpu) {
        out[name] = onGpu;
        continue;
      }
      // Without the GPU gather a WebGPU cache is downloaded here and the copy uploaded on the next forward pass.
      const data = (t.location === 'gpu-buffer' ? await t.ort_tensor.getData() : t.data) as NumericArray;
      const [batch, ...rest] = t.dims as number[];
      out[name] = new Tensor(t.type as 'float32', gatherRows(data, batch!, rows) as Float32Array, [
        rows.length,
        ...rest,
      ]);
    }
    return out;
  }

  /** Rows of a GPU-resident tensor gathered on the GPU, or null to take the download path (off, dtype, or failure). */
  private async gatherOnGpu(t: Tensor, rows: readonly number[]): Promise<Tensor | null> {
    if (this.gpuGather === undefined)
      this.gpuGather = GpuRowGather.fromRuntime(this.model.sessions['model'], t.ort_tensor);
    if (!this.gpuGather || !GpuRowGather.serves(t.type)) return null;
    try {
      const picked = await this.gpuGather.gather(t.ort_tensor as unknown as OrtTensorLike, rows);
      this.gpuGathers++;
      return new Tensor(picked as unknown as Tensor['ort_tensor']);
    } catch (err) {
      console.warn(`model ${this.id}: GPU row gather failed, downloading the cache instead:`, err);
      this.gpuGather = null;
      return null;
    }
  }

  /** Switch the GPU row gather on (made again on next use) or off (the download path), as LoadOptions.gpuGather. */
  setGpuGather(on: boolean): void {
    this.gpuGather = on ? (this.gpuGather ?? undefined) : null;
  }

  release(cache: KvCache): void {
    for (const t of Object.values(cache)) if (t.location === 'gpu-buffer') t.dispose();
  }

  cacheBytesPerToken(cache: KvCache): number {
    let bytes = 0;
    // each past tensor is [batch, heads, positions, head_dim]: one row's share of one position
    for (const t of Object.values(cache)) bytes += (t.dims[1] ?? 0) * (t.dims[3] ?? 0) * bytesPerElement(t.type);
    return bytes;
  }

  async dispose(): Promise<void> {
    await this.model.dispose();
  }
}

/** The ONNX Runtime session options LoadOptions.threads asks for, or undefined to leave the runtime's defaults. */
export function nodeSessionOptions(options: LoadOptions): { intraOpNumThreads: number } | undefined {
  const { threads, device } = options;
  if (threads === undefined) return undefined;
  if (!(Number.isInteger(threads) && threads >= 1))
    throw new Error(`threads must be a whole number of at least 1, got ${threads}`);
  if (device !== 'cpu') throw new Error(`threads applies to onnxruntime-node (device 'cpu'), not ${device}`);
  return { intraOpNumThreads: threads };
}

interface SessionNames {
  inputNames: string[];
  outputNames: string[];
  inputMetadata?: readonly { name: string; type?: string; shape?: readonly (number | string)[] }[];
}

/**
 * Zero tensors for an export.py --prefix-cache graph's prefix_key_values.* inputs, shape [1, G, 1, D]: fed with
 * their position masked out, the graph computes what the stock graph does. Not an empty prefix (P = 0): the
 * graph's Reshape reads a 0 in its target shape as "keep the input's dimension" and fails. {} for other graphs.
 */
export function blankPrefixFeeds(session: SessionNames): Record<string, Tensor> {
  const out: Record<string, Tensor> = {};
  for (const name of session.inputNames) {
    if (!name.startsWith('prefix_key_values.')) continue;
    const meta = session.inputMetadata?.find((m) => m.name === name);
    if (!meta?.shape || meta.shape.length !== 4)
      throw new Error(`input ${name}: expected a 4-dimensional shape [1, heads, prefix, head_dim] in the graph`);
    // Symbolic dimensions: the batch is 1 (every row shares the prefix), the prefix length 1.
    const dims = meta.shape.map((d) => (typeof d === 'number' ? d : 1));
    const size = dims.reduce((a, b) => a * b, 1);
    const type = meta.type === 'float16' ? 'float16' : 'float32';
    out[name] = new Tensor(type, type === 'float16' ? new Uint16Array(size) : new Float32Array(size), dims);
  }
  return out;
}

/** The residual-stream I/O of an export.py --hidden-io graph, from its input and output names; null for stock graphs. */
export function detectHiddenIo(session: SessionNames, config: ModelConfigLike): HiddenIo | null {
  if (!session.inputNames.includes('steering') || !session.outputNames.includes('hidden_states')) return null;
  const layers = config.num_hidden_layers ?? config.n_layer;
  const width = config.hidden_size ?? config.n_embd;
  if (!layers || !width) return null;
  return { layers, width, lens: session.outputNames.includes('lens_logits') };
}

async function toFloat32(t: Tensor): Promise<Float32Array> {
  const data = (t.location === 'gpu-buffer' ? await t.ort_tensor.getData() : t.data) as unknown;
  if (data instanceof Float32Array) return data;
  if (data instanceof Uint16Array) return halfToFloat32(data);
  if (typeof data === 'object' && data !== null && 'length' in data)
    return Float32Array.from(data as ArrayLike<number>);
  throw new Error(`unsupported logits type ${t.type}`);
}

function gatherLastPositions(logits: Float32Array, B: number, L: number, V: number): Float32Array {
  const out = new Float32Array(B * V);
  for (let b = 0; b < B; b++) out.set(logits.subarray((b * L + L - 1) * V, (b * L + L) * V), b * V);
  return out;
}
