/**
 * Base (not instruct) models on the Hugging Face hub with ONNX weights in the layout transformers.js loads
 * (onnx/model*.onnx). Parameter counts are the model authors' published figures; download sizes are never listed
 * here: the page asks the hub for them once downloads are switched on. The ids could not be checked against the hub
 * from this (offline) machine; one that does not exist shows "not found on this hub" once downloads are on.
 */
export interface HubModel {
  id: string;
  /** The original model this ONNX export is of. */
  base: string;
  /** Published parameter count, for display. */
  parameters: string;
  architecture: string;
  note: string;
}

export const HUB_MODELS: readonly HubModel[] = [
  {
    id: 'onnx-community/SmolLM2-135M-ONNX',
    base: 'HuggingFaceTB/SmolLM2-135M',
    parameters: '135M',
    architecture: 'llama',
    note: 'smallest useful English base model; q4 and q8 run well on WASM',
  },
  {
    id: 'onnx-community/SmolLM2-360M-ONNX',
    base: 'HuggingFaceTB/SmolLM2-360M',
    parameters: '360M',
    architecture: 'llama',
    note: 'same family, larger',
  },
  {
    id: 'onnx-community/Qwen2.5-0.5B',
    base: 'Qwen/Qwen2.5-0.5B',
    parameters: '0.49B',
    architecture: 'qwen2',
    note: 'multilingual base model; prefer q4/q4f16 in the browser',
  },
  {
    id: 'Xenova/gpt2',
    base: 'openai-community/gpt2',
    parameters: '124M',
    architecture: 'gpt2',
    note: 'the classic; 1024-token context',
  },
  {
    id: 'Xenova/distilgpt2',
    base: 'distilbert/distilgpt2',
    parameters: '82M',
    architecture: 'gpt2',
    note: 'distilled GPT-2, fastest to try',
  },
];
