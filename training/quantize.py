"""
Dynamic int8 quantisation of an exported model, as ONNX Runtime's `quantize_dynamic` does it (that package is not
installable here: only Debian's python3-onnx is), written as plain ONNX: every MatMul whose right-hand side is a
float32 weight (K, N) becomes

    x_q, x_scale, x_zero = DynamicQuantizeLinear(x)               activations: uint8, per tensor, at run time
    y_int = MatMulInteger(x_q, w_q, x_zero, w_zero)               weights: int8, per column, symmetric (w_zero 0)
    y = Cast(y_int, float) * (x_scale * w_scale)                  (N,) scales broadcast over the last axis

and the result is written as `onnx/model_quantized.onnx`, the file transformers.js loads for dtype "q8" (and
`onnx/model_prefix.onnx`, the shared-prefix graph, when present, as `onnx/model_prefix_quantized.onnx`). Embedding
gathers, norms and attention arithmetic stay float32.

    /usr/bin/python3 training/quantize.py <model folder>
"""

import argparse
import os

import numpy as np
import onnx
from onnx import helper, numpy_helper

F32 = onnx.TensorProto.FLOAT


def quantize(model, min_elements=1024):
    """Return a copy of `model` with every float32-weight MatMul (weights of at least min_elements) quantised."""
    m = onnx.ModelProto()
    m.CopyFrom(model)
    g = m.graph
    inits = {t.name: t for t in g.initializer}
    nodes, count = [], 0
    for node in g.node:
        w = inits.get(node.input[1]) if node.op_type == "MatMul" and len(node.input) == 2 else None
        if w is None or w.data_type != F32 or len(w.dims) != 2 or np.prod(w.dims) < min_elements:
            nodes.append(node)
            continue
        wf = numpy_helper.to_array(w)  # (K, N)
        scale = np.maximum(np.abs(wf).max(axis=0), 1e-12) / 127.0  # (N,) per output column
        wq = np.clip(np.round(wf / scale), -127, 127).astype(np.int8)  # (K, N)
        p = f"{node.name or node.output[0]}_q8"
        g.initializer.extend([
            numpy_helper.from_array(wq, p + "_w"),
            numpy_helper.from_array(np.zeros(wf.shape[1], np.int8), p + "_w_zero"),
            numpy_helper.from_array(scale.astype(np.float32), p + "_w_scale"),
        ])
        x = node.input[0]
        nodes += [
            helper.make_node("DynamicQuantizeLinear", [x], [p + "_x", p + "_x_scale", p + "_x_zero"], name=p + "_dql"),
            helper.make_node("MatMulInteger", [p + "_x", p + "_w", p + "_x_zero", p + "_w_zero"], [p + "_int"],
                             name=p + "_mmi"),
            helper.make_node("Cast", [p + "_int"], [p + "_f"], to=F32, name=p + "_cast"),
            helper.make_node("Mul", [p + "_x_scale", p + "_w_scale"], [p + "_scale"], name=p + "_scale_mul"),
            helper.make_node("Mul", [p + "_f", p + "_scale"], [node.output[0]], name=p + "_out"),
        ]
        count += 1
    del g.node[:]
    g.node.extend(nodes)
    used = {i for n in g.node for i in n.input}
    keep = [t for t in g.initializer if t.name in used]
    del g.initializer[:]
    g.initializer.extend(keep)
    del g.value_info[:]
    onnx.checker.check_model(m, full_check=True)
    return m, count


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("model_dir", help="Hugging Face model folder with onnx/model.onnx")
    p.add_argument("--min-elements", type=int, default=1024,
                   help="leave weights smaller than this in float32")
    args = p.parse_args()
    # Each float32 graph of the folder: model.onnx, and model_prefix.onnx when export.py --prefix-cache wrote one
    # (the shared-prefix graph; transformers.js loads model_prefix_quantized.onnx for it at dtype "q8").
    for stem in ("model", "model_prefix"):
        src = os.path.join(args.model_dir, "onnx", f"{stem}.onnx")
        if stem != "model" and not os.path.exists(src):
            continue
        dst = os.path.join(args.model_dir, "onnx", f"{stem}_quantized.onnx")
        q, count = quantize(onnx.load(src), args.min_elements)
        onnx.save(q, dst)
        print(f"quantised {count} MatMul weights to int8: {dst} "
              f"({os.path.getsize(dst) / 2**20:.1f} MB, from {os.path.getsize(src) / 2**20:.1f} MB)")


if __name__ == "__main__":
    main()
