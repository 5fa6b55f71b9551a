/** The weight formats Coax offers and the ONNX file transformers.js loads for each (its DEFAULT_DTYPE_SUFFIX_MAPPING). */
export const DTYPES = ['fp32', 'fp16', 'q8', 'q4', 'q4f16'] as const;
export type Dtype = (typeof DTYPES)[number];

export const DTYPE_FILES: Record<Dtype, string> = {
  fp32: 'onnx/model.onnx',
  fp16: 'onnx/model_fp16.onnx',
  q8: 'onnx/model_quantized.onnx',
  q4: 'onnx/model_q4.onnx',
  q4f16: 'onnx/model_q4f16.onnx',
};

/**
 * The stem of a Coax shared-prefix graph (`training/export.py --prefix-cache`, Llama): the same weights as
 * onnx/model.onnx plus prefix_key_values.* inputs, so rows that share a prompt attend its cache once instead of each
 * copying it every step. transformers.js loads `onnx/<stem><dtype suffix>.onnx` (its `model_file_name`).
 */
export const PREFIX_GRAPH = 'model_prefix';

/** The file a dtype loads for a graph stem: onnx/model_prefix_quantized.onnx for the prefix graph at q8. */
export function graphFile(stem: string, dtype: Dtype): string {
  return DTYPE_FILES[dtype].replace(/^onnx\/model/, `onnx/${stem}`);
}

/**
 * Which graph to load from a model folder whose files are `listing`: the shared-prefix graph when the folder holds
 * it for this dtype (it gives the same tokens with fewer copies), else the stock graph. Hub models have none.
 */
export function chooseGraph(listing: readonly string[], dtype: Dtype): string {
  return listing.includes(graphFile(PREFIX_GRAPH, dtype)) ? PREFIX_GRAPH : 'model';
}

/** Dtypes whose arithmetic is half precision: on WebGPU they need the adapter's `shader-f16` feature. */
export const HALF_DTYPES: readonly Dtype[] = ['fp16', 'q4f16'];

export function isDtype(value: unknown): value is Dtype {
  return typeof value === 'string' && (DTYPES as readonly string[]).includes(value);
}

/** `onnx/model.onnx` -> `onnx/model.onnx_data`, `onnx/model.onnx_data_1`, … (transformers.js external data chunks). */
export function dataChunkName(onnxFile: string, i: number): string {
  return `${onnxFile}_data${i === 0 ? '' : `_${i}`}`;
}

/** The external data files of an ONNX file that a listing holds, in chunk order. */
export function dataFilesIn(listing: readonly string[], onnxFile: string): string[] {
  const out: string[] = [];
  for (let i = 0; listing.includes(dataChunkName(onnxFile, i)); i++) out.push(dataChunkName(onnxFile, i));
  return out;
}
