/** Which files a transformers.js causal LM needs, by dtype, and whether a config.json describes such a model. */
import { AutoModelForCausalLM } from '@huggingface/transformers';
import { FetchModelError } from './hub.ts';

// One table of dtypes and their files, shared with the page's worker.
import { DTYPES, DTYPE_FILES, dataChunkName, dataFilesIn, type Dtype } from '../../src/worker/dtypes.ts';
export { DTYPES, DTYPE_FILES, dataChunkName, dataFilesIn, type Dtype };

export const REQUIRED_FILES = ['config.json', 'tokenizer.json', 'tokenizer_config.json'];
export const OPTIONAL_FILES = ['generation_config.json', 'special_tokens_map.json'];

export function parseDtype(value: string): Dtype {
  if (!(DTYPES as readonly string[]).includes(value))
    throw new FetchModelError('bad-argument', `--dtype must be one of ${DTYPES.join(', ')}, got "${value}"`);
  return value as Dtype;
}

/** Chunk count that config.json's `transformers.js_config.use_external_data_format` gives a file (as transformers.js reads it), or null if unset. */
export function configuredDataChunks(config: ModelConfig, onnxFile: string): number | null {
  const setting = config['transformers.js_config']?.use_external_data_format;
  if (setting === undefined || setting === null) return null;
  if (typeof setting === 'object') {
    const name = onnxFile.split('/').pop()!;
    const value = setting[name] ?? setting['model'];
    return value === undefined ? 0 : Number(value);
  }
  return Number(setting);
}

export interface ModelConfig {
  model_type?: unknown;
  architectures?: unknown;
  is_encoder_decoder?: unknown;
  'transformers.js_config'?: { use_external_data_format?: boolean | number | Record<string, boolean | number> | null };
}

let causalTypes: ReadonlySet<string> | null = null;

/** The model types transformers.js loads with AutoModelForCausalLM. */
export function causalLmTypes(): ReadonlySet<string> {
  causalTypes ??= new Set(AutoModelForCausalLM.MODEL_CLASS_MAPPINGS.flatMap((m) => [...m.keys()]));
  return causalTypes;
}

const HEADLESS =
  /(ForSequenceClassification|ForTokenClassification|ForQuestionAnswering|ForMaskedLM|ForMultipleChoice|(?<!LMHead)Model)$/;

/** Throws unless config.json describes a decoder-only language model that transformers.js can run as a causal LM. */
export function checkCausalLm(raw: unknown, repo: string): ModelConfig {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new FetchModelError('bad-config', `config.json of ${repo} is not a JSON object`);
  const config = raw as ModelConfig;
  const type = config.model_type;
  if (typeof type !== 'string') throw new FetchModelError('bad-config', `config.json of ${repo} has no model_type`);
  const archs = Array.isArray(config.architectures)
    ? config.architectures.filter((a): a is string => typeof a === 'string')
    : [];
  const what = `${repo} is a "${type}" model${archs.length ? ` (architectures: ${archs.join(', ')})` : ''}`;
  if (!causalLmTypes().has(type)) {
    const kind = config.is_encoder_decoder === true ? 'an encoder-decoder model, ' : '';
    throw new FetchModelError(
      'not-causal-lm',
      `${what}: ${kind}not a causal language model. Coax needs a decoder-only base model that transformers.js loads with AutoModelForCausalLM (model types such as gpt2, llama, qwen2, phi3, smollm3)`,
    );
  }
  if (archs.length > 0 && archs.every((a) => HEADLESS.test(a))) {
    throw new FetchModelError(
      'not-causal-lm',
      `${what}: these architectures have no language-model head, so the ONNX graph gives no next-token logits`,
    );
  }
  return config;
}
