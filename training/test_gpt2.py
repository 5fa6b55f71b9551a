"""
Checks for the GPT-2 model (HF layout and semantics, cache, padding, positions) and its
export (model.onnx, model_fp16.onnx, config.json). The cache/padding checks are the
ones test_model.py runs on the Llama.
Run:  OMP_NUM_THREADS=1 /usr/bin/python3 training/test_gpt2.py
"""

import json
import math
import os
import sys
import tempfile

import numpy as np
import onnx
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import coax_tokenizer as tok  # noqa: E402
import export  # noqa: E402
from testing import run_tests  # noqa: E402
from gpt2_model import GPT2, GPT2Config, gelu_new, init_weights, load_checkpoint, save_checkpoint  # noqa: E402
from test_model import (DTYPE_TOL, PROMPTS, TOL32, check_cached_steps, check_export_graph,  # noqa: E402
                        check_left_padding, check_num_logits_to_keep, full_forward, max_diff)

FIXTURE_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "public", "models", "coax", "fixture-gpt2")


def tiny_gpt2(seed=0, dtype=torch.float32):
    torch.manual_seed(seed)
    model = GPT2(GPT2Config())
    init_weights(model, seed, embed_std=1.0, linear_std=0.3)
    return model.to(dtype).eval()


def reference_logits(model, ids):
    """GPT-2 written out from the HF definition, one query position at a time, from the raw
    state dict (float64): an independent reading of the same parameters. ids: list -> (T, V)."""
    sd = {k: v.double() for k, v in model.state_dict().items()}
    cfg = model.config
    H, D, eps = cfg.n_head, cfg.head_dim, cfg.layer_norm_epsilon
    ln = lambda x, p: F.layer_norm(x, (cfg.n_embd,), sd[p + ".weight"], sd[p + ".bias"], eps)  # noqa: E731
    conv = lambda x, p: x @ sd[p + ".weight"] + sd[p + ".bias"]  # noqa: E731  HF Conv1D
    x = sd["transformer.wte.weight"][ids] + sd["transformer.wpe.weight"][: len(ids)]  # (T, C)
    for i in range(cfg.n_layer):
        p = f"transformer.h.{i}"
        q, k, v = conv(ln(x, p + ".ln_1"), p + ".attn.c_attn").split(cfg.n_embd, dim=-1)  # each (T, C)
        heads = []
        for h in range(H):
            cols = slice(h * D, (h + 1) * D)
            rows = []
            for t in range(len(ids)):  # query t attends to keys 0..t
                w = torch.softmax(k[: t + 1, cols] @ q[t, cols] / math.sqrt(D), dim=0)  # (t+1,)
                rows.append(w @ v[: t + 1, cols])  # (D,)
            heads.append(torch.stack(rows))  # (T, D)
        x = x + conv(torch.cat(heads, dim=-1), p + ".attn.c_proj")
        hidden = conv(ln(x, p + ".ln_2"), p + ".mlp.c_fc")
        x = x + conv(0.5 * hidden * (1 + torch.tanh(math.sqrt(2 / math.pi) * (hidden + 0.044715 * hidden ** 3))),
                     p + ".mlp.c_proj")
    return ln(x, "transformer.ln_f") @ sd["transformer.wte.weight"].T  # (T, V)


# ---------------------------------------------------------------- model

def test_hf_parameter_layout():
    """Names and shapes of GPT2LMHeadModel's parameters (lm_head.weight is wte, tied)."""
    cfg = GPT2Config()
    C, V = cfg.n_embd, cfg.vocab_size
    want = {"transformer.wte.weight": (V, C), "transformer.wpe.weight": (cfg.n_positions, C),
            "transformer.ln_f.weight": (C,), "transformer.ln_f.bias": (C,)}
    for i in range(cfg.n_layer):
        p = f"transformer.h.{i}."
        want.update({p + "ln_1.weight": (C,), p + "ln_1.bias": (C,), p + "ln_2.weight": (C,), p + "ln_2.bias": (C,),
                     p + "attn.c_attn.weight": (C, 3 * C), p + "attn.c_attn.bias": (3 * C,),
                     p + "attn.c_proj.weight": (C, C), p + "attn.c_proj.bias": (C,),
                     p + "mlp.c_fc.weight": (C, 4 * C), p + "mlp.c_fc.bias": (4 * C,),
                     p + "mlp.c_proj.weight": (4 * C, C), p + "mlp.c_proj.bias": (C,)})
    got = {k: tuple(v.shape) for k, v in GPT2(cfg).state_dict().items()}
    assert got == want, f"differs from GPT2LMHeadModel: {set(got.items()) ^ set(want.items())}"


def test_gelu_new_is_the_tanh_approximation():
    x = torch.linspace(-6, 6, 241, dtype=torch.float64)
    assert max_diff(gelu_new(x), F.gelu(x, approximate="tanh")) < 1e-12
    assert max_diff(gelu_new(x), F.gelu(x)) > 1e-4, "gelu_new must differ from the exact erf GELU"


@torch.no_grad()
def test_forward_equals_written_out_reference():
    model = tiny_gpt2(dtype=torch.float64)
    for prompt in PROMPTS:
        ids = tok.encode(prompt)
        d = max_diff(full_forward(model, ids), reference_logits(model, ids))
        assert d < 1e-9, f"{prompt!r}: model vs written-out GPT-2 max abs diff {d}"


@torch.no_grad()
def test_empty_past_shapes():
    model = tiny_gpt2()
    cfg = model.config
    logits, present = model(torch.tensor([[5, 6, 7]]), torch.ones(1, 3, dtype=torch.int64),
                            torch.arange(3)[None], model.empty_past(1), torch.tensor(0))
    assert logits.shape == (1, 3, cfg.vocab_size) and torch.isfinite(logits).all()
    assert len(present) == cfg.n_layer
    assert all(t.shape == (1, cfg.n_head, 3, cfg.head_dim) for kv in present for t in kv)


@torch.no_grad()
def test_cached_steps_equal_full_forward():
    for dtype, tol in DTYPE_TOL:
        check_cached_steps(tiny_gpt2(dtype=dtype), tol)


@torch.no_grad()
def test_left_padding_equals_single_rows():
    for dtype, tol in DTYPE_TOL:
        check_left_padding(tiny_gpt2(dtype=dtype), tol)


@torch.no_grad()
def test_num_logits_to_keep():
    check_num_logits_to_keep(tiny_gpt2())


@torch.no_grad()
def test_positions_are_absolute():
    """Learned absolute positions: unlike RoPE, shifting every position id changes the logits."""
    model = tiny_gpt2()
    ids = tok.encode(PROMPTS[0])
    T = len(ids)
    args = (torch.tensor([ids]), torch.ones(1, T, dtype=torch.int64))
    a, _ = model(*args, torch.arange(T)[None], model.empty_past(1), torch.tensor(0))
    b, _ = model(*args, torch.arange(7, 7 + T)[None], model.empty_past(1), torch.tensor(0))
    assert max_diff(a, b) > 1e-2, "position ids have no effect"
    try:
        model(*args, torch.arange(T)[None] + model.config.n_positions, model.empty_past(1), torch.tensor(0))
    except IndexError:
        return
    raise AssertionError("positions beyond n_positions must fail")


def test_checkpoint_roundtrip():
    model = tiny_gpt2(seed=3)
    with tempfile.TemporaryDirectory() as d:
        save_checkpoint(model, os.path.join(d, "ckpt.pt"))
        back = load_checkpoint(os.path.join(d, "ckpt.pt")).eval()
    ids = tok.encode(PROMPTS[1])
    assert max_diff(full_forward(back, ids), full_forward(model, ids)) == 0


# ---------------------------------------------------------------- export

def test_export_graph():
    check_export_graph(tiny_gpt2())


def test_fp16_variant():
    """float16 at the edges (weights, past, present, logits), int64 ids, float32 inside."""
    graph = check_export_graph(tiny_gpt2())
    half = export.fp16_variant(graph)
    types = {v.name: v.type.tensor_type.elem_type for v in list(half.graph.input) + list(half.graph.output)}
    F16, I64 = onnx.TensorProto.FLOAT16, onnx.TensorProto.INT64
    assert [n for n, t in types.items() if t == I64] == ["input_ids", "attention_mask", "position_ids", "num_logits_to_keep"]
    assert all(t == F16 for n, t in types.items() if n.startswith(("past_key_values.", "present.", "logits")))
    weights = [i for i in half.graph.initializer if np.prod(i.dims) > 1]
    assert weights and all(i.data_type == F16 for i in weights)
    assert half.ByteSize() < 0.6 * graph.ByteSize()
    assert [i.name for i in half.graph.input] == [i.name for i in graph.graph.input]
    assert [o.name for o in half.graph.output] == [o.name for o in graph.graph.output]
    onnx.checker.check_model(onnx.shape_inference.infer_shapes(half, strict_mode=True), full_check=True)


def test_hf_config():
    cfg = export.gpt2_hf_config(GPT2Config())
    assert cfg["model_type"] == "gpt2" and cfg["architectures"] == ["GPT2LMHeadModel"]
    assert cfg["activation_function"] == "gelu_new" and cfg["tie_word_embeddings"] is True
    assert (cfg["n_embd"], cfg["n_layer"], cfg["n_head"], cfg["n_positions"], cfg["vocab_size"]) == (64, 2, 4, 512, 258)
    assert (cfg["bos_token_id"], cfg["eos_token_id"], cfg["pad_token_id"]) == (tok.EOS_ID, tok.EOS_ID, tok.PAD_ID)
    assert cfg["layer_norm_epsilon"] == 1e-5 and cfg["transformers.js_config"] == {"dtype": "fp32"}


def test_committed_fixture_matches_exporter():
    """public/models/coax/fixture-gpt2 is what make_fixture.sh writes today (config and ONNX signature)."""
    with open(os.path.join(FIXTURE_DIR, "config.json"), encoding="utf-8") as f:
        assert json.load(f) == export.gpt2_hf_config(GPT2Config())
    for name in ("model.onnx", "model_fp16.onnx"):
        committed = onnx.load(os.path.join(FIXTURE_DIR, "onnx", name))
        assert [i.name for i in committed.graph.input] == export.io_names(2)[0], name
        assert [o.name for o in committed.graph.output] == export.io_names(2)[1], name


if __name__ == "__main__":
    run_tests(globals())
