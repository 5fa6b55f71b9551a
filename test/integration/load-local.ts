import { env } from '@huggingface/transformers';
import { fileURLToPath } from 'node:url';
import { TransformersModel, type LoadOptions } from '../../src/adapters/transformers-model.ts';

/** Load a model from this repo's public/models (or `modelsDir`) through onnxruntime-node, never the network. */
export async function loadLocal(
  id: string,
  options: { dtype?: LoadOptions['dtype']; modelsDir?: string } = {},
): Promise<TransformersModel> {
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  env.localModelPath = options.modelsDir
    ? `${options.modelsDir.replace(/\/$/, '')}/`
    : fileURLToPath(new URL('../../public/models/', import.meta.url));
  return TransformersModel.load(id, { device: 'cpu', dtype: options.dtype });
}
