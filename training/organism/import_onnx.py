"""
Rebuild a PyTorch checkpoint (model.py's save_checkpoint format) from a shipped model folder:
config.json gives the LlamaConfig, onnx/model.onnx's initializers give the weights.

Why: the organism's training checkpoint is not in git (training/runs/ is ignored), and the
variants (grpo.py, distill.py) start from organism-v1 as shipped. The ONNX graph of
export.py keeps the named initializers (embedding, norms) under their module names with a
"model." prefix, while every nn.Linear becomes an anonymous `onnx::MatMul_N` holding the
transposed weight; the MatMul node that reads it is named after the module
("/model/layers.0/self_attn/q_proj/MatMul"), and the lm_head is the MatMul that writes
`logits`.

With --parity, the rebuilt model's logits are checked against a parity fixture (export.py
--parity-out: the float32 PyTorch logits that the ONNX model matches within 1e-4 in the
TypeScript tests), and the script fails if any logit differs by more than --tol.
"""

import argparse
import json
import os
import sys

import numpy as np
import onnx
from onnx import numpy_helper
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
from model import Llama, LlamaConfig, save_checkpoint  # noqa: E402


def config_from_hf(path):
    """LlamaConfig from an exported config.json (only the fields LlamaConfig has)."""
    with open(path) as f:
        hf = json.load(f)
    assert hf.get("model_type") == "llama", f"{path}: model_type {hf.get('model_type')!r}, expected 'llama'"
    fields = LlamaConfig.__dataclass_fields__
    return LlamaConfig(**{k: v for k, v in hf.items() if k in fields})


def state_dict_from_onnx(path):
    """{state_dict key: tensor} from the graph's initializers; see the module docstring."""
    graph = onnx.load(path).graph
    inits = {i.name: numpy_helper.to_array(i) for i in graph.initializer}
    sd = {}
    for name, arr in inits.items():
        if name.startswith("model."):
            sd[name[len("model."):]] = arr
    for node in graph.node:
        if node.op_type != "MatMul":
            continue
        weights = [x for x in node.input if x in inits]
        if not weights:
            continue
        if not node.name.startswith("/model/") and "logits" not in node.output:
            continue  # export.py --hidden-io --lens: the logit lens reuses the lm_head outside /model/
        assert len(weights) == 1, f"MatMul {node.name} reads two initializers"
        if "logits" in node.output:
            key = "lm_head.weight"
        else:
            # "/model/layers.0/self_attn/q_proj/MatMul" -> "layers.0.self_attn.q_proj.weight"
            parts = node.name.strip("/").split("/")
            assert parts[0] == "model" and parts[-1] == "MatMul", f"unexpected MatMul node name {node.name!r}"
            key = ".".join(parts[1:-1]) + ".weight"
        assert key not in sd, f"two initializers for {key}"
        sd[key] = inits[weights[0]].T  # MatMul holds W^T of x @ W^T
    return {k: torch.from_numpy(np.array(v, dtype=np.float32)) for k, v in sd.items()}


def import_model(model_dir):
    cfg = config_from_hf(os.path.join(model_dir, "config.json"))
    model = Llama(cfg)
    sd = state_dict_from_onnx(os.path.join(model_dir, "onnx", "model.onnx"))
    want = set(model.state_dict())
    assert set(sd) == want, f"missing {sorted(want - set(sd))}, unexpected {sorted(set(sd) - want)}"
    model.load_state_dict(sd, strict=True)
    return model.eval()


@torch.no_grad()
def parity_error(model, fixture_path):
    """Largest |logit - fixture logit| over every case and position (full forward, empty past)."""
    with open(fixture_path) as f:
        fx = json.load(f)
    worst = 0.0
    for c in fx["cases"]:
        ids = c["input_ids"]
        T = len(ids)
        logits, _ = model(torch.tensor([ids]), torch.ones(1, T, dtype=torch.int64), torch.arange(T)[None],
                          model.empty_past(1), torch.tensor(0))  # (1, T, V)
        want = torch.tensor(c["logits"], dtype=torch.float32)  # (T, V)
        assert want.shape == logits[0].shape, f"fixture case {c['prompt']!r}: shape {tuple(want.shape)}"
        worst = max(worst, float((logits[0] - want).abs().max()))
    return worst


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model-dir", default="public/models/coax/organism-v1", help="exported model folder")
    p.add_argument("--out", required=True, help="checkpoint to write (model.py save_checkpoint format)")
    p.add_argument("--parity", default="test/fixtures/parity-organism-v1.json",
                   help="parity fixture to check the rebuilt logits against ('' to skip)")
    p.add_argument("--tol", type=float, default=1e-4, help="largest allowed absolute logit difference")
    args = p.parse_args()
    model = import_model(args.model_dir)
    if args.parity:
        err = parity_error(model, args.parity)
        print(f"parity: max |logit diff| = {err:.3g} over {args.parity}")
        assert err <= args.tol, f"rebuilt model differs from {args.parity} by {err:.3g} > {args.tol}"
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    save_checkpoint(model, args.out)
    print(f"wrote {args.out} ({sum(p_.numel() for p_ in model.parameters()) / 1e6:.2f}M params)")


if __name__ == "__main__":
    main()
