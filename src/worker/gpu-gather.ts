import type { TransformersModel } from '../adapters/model/transformers-model.ts';

/** See WorkerApi.gpuGather: on unless a test switched it off; models loaded from then on start with it. */
let on = true;

/** Whether a model loaded now gathers rows on the GPU. */
export function gpuGatherOn(): boolean {
  return on;
}

/** Switch the row gather on the GPU on or off (for the loaded model and the next ones), or only read it. */
export function gpuGather(model: TransformersModel | null, next?: boolean): { on: boolean; gathers: number } {
  if (next !== undefined) {
    on = next;
    model?.setGpuGather(next);
  }
  return { on, gathers: model?.gpuGathers ?? 0 };
}
