import { describe, expect, it } from 'vitest';
import { chooseGraph, graphFile, PREFIX_GRAPH } from '../../src/worker/dtypes.ts';

describe('which ONNX graph a model folder loads', () => {
  const folder = ['config.json', 'onnx/model.onnx', 'onnx/model_prefix.onnx', 'onnx/model_quantized.onnx'];

  it('names the prefix graph file per dtype as transformers.js does (stem + dtype suffix)', () => {
    expect(graphFile(PREFIX_GRAPH, 'fp32')).toBe('onnx/model_prefix.onnx');
    expect(graphFile(PREFIX_GRAPH, 'q8')).toBe('onnx/model_prefix_quantized.onnx');
    expect(graphFile('model', 'q4f16')).toBe('onnx/model_q4f16.onnx');
  });

  it('takes the shared-prefix graph only where the folder has it for the chosen dtype', () => {
    expect(chooseGraph(folder, 'fp32')).toBe('model_prefix');
    expect(chooseGraph(folder, 'q8')).toBe('model');
    expect(chooseGraph(['onnx/model.onnx'], 'fp32')).toBe('model');
    expect(chooseGraph([], 'fp32')).toBe('model');
  });
});
