import { env } from '@huggingface/transformers';
import { fileURLToPath } from 'node:url';
import { TransformersModel } from '../../src/adapters/transformers-model.ts';

/** Load a model from this repo's public/models through onnxruntime-node, never the network. */
export async function loadLocal(id: string): Promise<TransformersModel> {
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  env.localModelPath = fileURLToPath(new URL('../../public/models/', import.meta.url));
  return TransformersModel.load(id, { device: 'cpu' });
}
