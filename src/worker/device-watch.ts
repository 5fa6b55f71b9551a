import { env } from '@huggingface/transformers';

interface GpuDeviceLike {
  lost: Promise<{ reason: string; message: string }>;
}
const watched = new WeakSet<object>();

/**
 * Call `onLost` with the reason when ONNX Runtime's WebGPU device is lost (not destroyed on purpose): the model on it
 * is gone. Each device is watched once.
 */
export async function watchDevice(onLost: (why: string) => void): Promise<void> {
  const webgpu = (env.backends.onnx as { webgpu?: { device?: GpuDeviceLike | Promise<GpuDeviceLike> } }).webgpu;
  let device: GpuDeviceLike | undefined;
  try {
    // A promise of the device in ONNX Runtime's typings; the device itself in some builds.
    device = await webgpu?.device;
  } catch {
    return;
  }
  if (!device || typeof device.lost?.then !== 'function' || watched.has(device)) return;
  watched.add(device);
  void device.lost.then((info) => {
    if (info.reason !== 'destroyed') onLost(`the WebGPU device was lost (${info.message || info.reason})`);
  });
}
