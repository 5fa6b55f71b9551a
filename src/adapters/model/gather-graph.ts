/**
 * The bytes of a one-node ONNX model, `out = Gather(data, indices)` on axis 0, for the WebGPU row gather of
 * issue #13: a second ONNX Runtime session fed `gpu-buffer` cache tensors could pick rows without downloading
 * them. Built here in code (a few protobuf fields) so no binary ships in git. Not wired into selectRows yet.
 */

/** ONNX TensorProto.DataType codes of the cache dtypes this gather serves. */
export const ONNX_ELEM = { float32: 1, float16: 10 } as const;
const INT64 = 7;

/** `out = Gather(data, indices)` (axis 0 is the operator's default), opset 13, any rank and batch. */
export function gatherModelBytes(dtype: keyof typeof ONNX_ELEM): Uint8Array {
  const node = concat(str(1, 'data'), str(1, 'indices'), str(2, 'out'), str(4, 'Gather'));
  const graph = concat(
    msg(1, node),
    str(2, 'coax_gather_rows'),
    msg(11, valueInfo('data', ONNX_ELEM[dtype])),
    msg(11, valueInfo('indices', INT64)),
    msg(12, valueInfo('out', ONNX_ELEM[dtype])),
  );
  const opset = concat(str(1, ''), varintField(2, 13));
  return concat(varintField(1, 8), msg(7, graph), msg(8, opset));
}

// ValueInfoProto{name, type: TypeProto{tensor_type: {elem_type}}}; the shape is left out so any rank is accepted.
function valueInfo(name: string, elem: number): Uint8Array {
  return concat(str(1, name), msg(2, msg(1, varintField(1, elem))));
}

function varint(n: number): number[] {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return out;
}

function varintField(field: number, value: number): Uint8Array {
  return Uint8Array.from([...varint(field << 3), ...varint(value)]);
}

function msg(field: number, body: Uint8Array): Uint8Array {
  return concat(Uint8Array.from([...varint((field << 3) | 2), ...varint(body.length)]), body);
}

function str(field: number, s: string): Uint8Array {
  return msg(field, new TextEncoder().encode(s));
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
