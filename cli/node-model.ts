import { availableParallelism } from 'node:os';
import { TransformersModel, type LoadOptions } from '../src/adapters/model/transformers-model.ts';

/**
 * A model on onnxruntime-node with one intra-op thread per core. ONNX Runtime's own default ran this project's
 * 2-core machine on one thread; two made a 16-row step of the 135M model on the 4-shot prompt 1.4× faster (README,
 * "Performance"). The CLI and the benchmark load through here; the tests keep the default, since their files run
 * side by side.
 */
export function loadOnNode(
  id: string,
  options: Omit<LoadOptions, 'device' | 'threads'> = {},
): Promise<TransformersModel> {
  return TransformersModel.load(id, { ...options, device: 'cpu', threads: availableParallelism() });
}
