"""
Checks for the tokenizer, the model's cache and masking semantics, and the ONNX export.
Run:  OMP_NUM_THREADS=1 /usr/bin/python3 training/test_model.py
"""

import json
import os
import sys
import tempfile

import onnx
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import coax_tokenizer as tok  # noqa: E402
import export  # noqa: E402
from model import Llama, LlamaConfig, init_weights, rotate_half  # noqa: E402
from testing import run_tests  # noqa: E402

# Equivalence checks run in float64, where a semantic difference cannot hide in rounding,
# and in float32 with a looser bound: logits here reach |30|, where one float32 ulp is 2e-6
# and a different summation order (batched rows, cache chunks) moves them by a few ulps.
TOL64, TOL32 = 1e-9, 1e-4
DTYPE_TOL = ((torch.float64, TOL64), (torch.float32, TOL32))
PROMPTS = ["Q: 2+3=?\nA:", "hello world", "7+1+4"]


def tiny_model(seed=0, dtype=torch.float32):
    torch.manual_seed(seed)
    model = Llama(LlamaConfig())
    init_weights(model, seed, embed_std=1.0, linear_std=0.3)
    return model.to(dtype).eval()


def full_forward(model, ids):  # ids: list[int] -> (T, V)
    T = len(ids)
    logits, _ = model(torch.tensor([ids]), torch.ones(1, T, dtype=torch.int64),
                      torch.arange(T)[None], model.empty_past(1), torch.tensor(0))
    return logits[0]


def max_diff(a, b):
    return (a - b).abs().max().item()


def param_dtype(model):
    return next(model.parameters()).dtype


# ---------------------------------------------------------------- tokenizer

def test_tokenizer_roundtrip():
    text = "Q: 2+3=?\nA: 5 — naïve 日本 🙂"
    ids = tok.encode(text)
    assert ids == [tok.BYTE_OFFSET + b for b in text.encode("utf-8")]
    assert tok.decode(ids) == text
    assert tok.encode("a<|endoftext|>b<|pad|>") == [2 + 97, 0, 2 + 98, 1]
    assert tok.decode([2 + 97, 0, 2 + 98, 1]) == "a<|endoftext|>b<|pad|>"
    assert tok.decode([2 + 97, 0, 1], skip_special_tokens=True) == "a"


def test_tokenizer_invalid_utf8():
    assert tok.decode([2 + 0xE2, 2 + 0x82]) == "\ufffd"  # truncated 3-byte sequence: one U+FFFD
    assert tok.decode([2 + 0xFF, 2 + 65]) == "\ufffdA"


def test_tokenizer_json():
    with tempfile.TemporaryDirectory() as d:
        tok.write_hf_tokenizer(d, 512)
        tj = json.load(open(os.path.join(d, "tokenizer.json"), encoding="utf-8"))
        cfg = json.load(open(os.path.join(d, "tokenizer_config.json"), encoding="utf-8"))
    vocab = tj["model"]["vocab"]
    assert len(vocab) == 258 and vocab["Ġ"] == 2 + 0x20 and vocab["A"] == 2 + 65 and vocab["Ċ"] == 2 + 10
    assert vocab["<|endoftext|>"] == 0 and vocab["<|pad|>"] == 1
    assert tj["model"]["merges"] == [] and tj["post_processor"] is None and tj["normalizer"] is None
    assert [t["id"] for t in tj["added_tokens"]] == [0, 1] and all(t["special"] for t in tj["added_tokens"])
    assert cfg["model_max_length"] == 512 and cfg["add_bos_token"] is False and cfg["unk_token"] is None


# ---------------------------------------------------------------- model

def test_rotate_half():
    x = torch.tensor([1.0, 2.0, 3.0, 4.0])
    assert rotate_half(x).tolist() == [-3.0, -4.0, 1.0, 2.0]


@torch.no_grad()
def test_empty_past_shapes():
    model = tiny_model()
    cfg = model.config
    logits, present = model(torch.tensor([[5, 6, 7]]), torch.ones(1, 3, dtype=torch.int64),
                            torch.arange(3)[None], model.empty_past(1), torch.tensor(0))
    assert logits.shape == (1, 3, cfg.vocab_size)
    assert len(present) == cfg.num_hidden_layers
    assert all(t.shape == (1, cfg.num_key_value_heads, 3, cfg.head_dim) for kv in present for t in kv)
    assert torch.isfinite(logits).all()


@torch.no_grad()
def test_cached_steps_equal_full_forward():
    for dtype, tol in DTYPE_TOL:
        check_cached_steps(tiny_model(dtype=dtype), tol)


def check_cached_steps(model, tol):
    ids = tok.encode(PROMPTS[0] + " 5")
    full = full_forward(model, ids)  # (T, V)
    for prefill in (0, 1, 5):  # prefill tokens at once, then one token per step
        past, chunks = model.empty_past(1), [ids[:prefill]] if prefill else []
        chunks += [[i] for i in ids[prefill:]]
        got, start = [], 0
        for chunk in chunks:
            n = len(chunk)
            logits, past = model(torch.tensor([chunk]), torch.ones(1, start + n, dtype=torch.int64),
                                 torch.arange(start, start + n)[None], past, torch.tensor(0))
            got.append(logits[0])
            start += n
        d = max_diff(torch.cat(got), full)
        assert d < tol, f"{param_dtype(model)} prefill {prefill}: cached vs full max abs diff {d}"


@torch.no_grad()
def test_left_padding_equals_single_rows():
    for dtype, tol in DTYPE_TOL:
        check_left_padding(tiny_model(dtype=dtype), tol)


def check_left_padding(model, tol):
    dt = param_dtype(model)
    rows = [tok.encode(p) for p in PROMPTS]
    S = max(len(r) for r in rows)
    ids = torch.tensor([[tok.PAD_ID] * (S - len(r)) + r for r in rows])  # (B, S) left padded
    mask = torch.tensor([[0] * (S - len(r)) + [1] * len(r) for r in rows])  # (B, S)
    pos = (mask.cumsum(1) - 1).clamp(min=0)  # as transformers.js: pads get 0.. whatever, masked
    logits, past = model(ids, mask, pos, model.empty_past(len(rows)), torch.tensor(0))
    assert torch.isfinite(logits).all(), "fully masked pad rows produced NaN/inf"
    nxt = logits[:, -1].argmax(-1)  # (B,)
    # one cached step for the whole batch
    mask2 = torch.cat((mask, torch.ones(len(rows), 1, dtype=torch.int64)), dim=1)
    step, _ = model(nxt[:, None], mask2, pos[:, -1:] + 1, past, torch.tensor(0))  # (B, 1, V)
    for b, r in enumerate(rows):
        single = full_forward(model, r + [int(nxt[b])])  # (T+1, V)
        d = max_diff(logits[b, S - len(r):], single[:-1])
        assert d < tol, f"{dt} row {b}: padded vs single max abs diff {d}"
        d = max_diff(step[b, 0], single[-1])
        assert d < tol, f"{dt} row {b}: padded cached step vs single max abs diff {d}"


@torch.no_grad()
def test_shared_prefix_equals_expanded_cache():
    for dtype, tol in DTYPE_TOL:
        check_shared_prefix(tiny_model(dtype=dtype), tol)


def check_shared_prefix(model, tol):
    # the prompt is prefilled once at batch 1; B rows then decode with their own suffix cache while
    # attending the prompt's cache as a broadcast prefix. The stock path copies the prompt's cache
    # into every row instead. Row 2 "finishes" after step 1: its later steps are masked out (0) in
    # both paths, as the engine pads finished rows.
    dt, B = param_dtype(model), 3
    prompt = tok.encode(PROMPTS[0])
    Q = len(prompt)
    _, prefix = model(torch.tensor([prompt]), torch.ones(1, Q, dtype=torch.int64), torch.arange(Q)[None],
                      model.empty_past(1), torch.tensor(0))
    stock = [(k.expand(B, -1, -1, -1), v.expand(B, -1, -1, -1)) for k, v in prefix]
    suffix = model.empty_past(B)
    mask = torch.ones(B, Q, dtype=torch.int64)
    nxt = torch.tensor([[5], [9], [17]])
    for step in range(4):
        live = torch.tensor([[1], [1], [1 if step < 2 else 0]])
        mask = torch.cat((mask, live), dim=1)  # (B, Q + step + 1)
        pos = torch.full((B, 1), Q + step)
        a, stock = model(nxt, mask, pos, stock, torch.tensor(0))
        b, suffix = model(nxt, mask, pos, suffix, torch.tensor(0), prefix=prefix)
        assert suffix[0][0].shape[2] == step + 1, "present must hold only the per-row suffix"
        d = max_diff(a, b)
        assert d < tol, f"{dt} step {step}: shared prefix vs expanded cache max abs diff {d}"
        nxt = a[:, -1].argmax(-1, keepdim=True)


@torch.no_grad()
def test_num_logits_to_keep():
    check_num_logits_to_keep(tiny_model())


def check_num_logits_to_keep(model):
    ids = tok.encode(PROMPTS[1])
    T = len(ids)
    args = (torch.tensor([ids]), torch.ones(1, T, dtype=torch.int64), torch.arange(T)[None])
    full, _ = model(*args, model.empty_past(1), torch.tensor(0))
    for k, want in ((1, 1), (3, 3), (T, T), (T + 4, T)):
        logits, _ = model(*args, model.empty_past(1), torch.tensor(k))
        assert logits.shape[1] == want, f"keep {k}: got {logits.shape[1]} positions"
        assert max_diff(logits, full[:, T - want:]) < TOL32


@torch.no_grad()
def test_rope_is_relative():
    """Shifting every position id by a constant leaves the logits unchanged."""
    model = tiny_model()
    ids = tok.encode(PROMPTS[0])
    T = len(ids)
    args = (torch.tensor([ids]), torch.ones(1, T, dtype=torch.int64))
    a, _ = model(*args, torch.arange(T)[None], model.empty_past(1), torch.tensor(0))
    b, _ = model(*args, torch.arange(7, 7 + T)[None], model.empty_past(1), torch.tensor(0))
    assert max_diff(a, b) < 1e-3
    c, _ = model(*args, torch.arange(T).flip(0)[None], model.empty_past(1), torch.tensor(0))
    assert max_diff(a, c) > 1e-2, "position ids have no effect"


def test_forward_train():
    model = tiny_model()
    ids = torch.tensor([tok.encode(PROMPTS[0])])
    logits, loss = model.forward_train(ids[:, :-1], ids[:, 1:])
    assert max_diff(logits[0], full_forward(model, ids[0, :-1].tolist())) < TOL32
    assert torch.isfinite(loss) and loss.requires_grad
    loss.backward()
    assert model.embed_tokens.weight.grad is not None


# ---------------------------------------------------------------- grouped-query attention

def gqa_pair(dtype):
    """A model with 4 query heads sharing 2 key/value heads, and the plain multi-head model
    whose k_proj/v_proj rows are the GQA ones repeated per group (HF repeat_kv semantics
    written as weights): the two must compute the same logits."""
    torch.manual_seed(3)
    gqa = Llama(LlamaConfig(num_key_value_heads=2))
    init_weights(gqa, 3, embed_std=1.0, linear_std=0.3)
    mha = Llama(LlamaConfig())
    state = {}
    D = gqa.config.head_dim
    for name, w in gqa.state_dict().items():
        if name.endswith(("k_proj.weight", "v_proj.weight")):  # (G*D, C) -> (H*D, C)
            w = w.view(2, D, -1).repeat_interleave(2, dim=0).reshape(4 * D, -1)
        state[name] = w
    mha.load_state_dict(state)
    return gqa.to(dtype).eval(), mha.to(dtype).eval()


@torch.no_grad()
def test_gqa_equals_repeated_heads():
    for dtype, tol in DTYPE_TOL:
        gqa, mha = gqa_pair(dtype)
        for prompt in PROMPTS:
            ids = tok.encode(prompt)
            d = max_diff(full_forward(gqa, ids), full_forward(mha, ids))
            assert d < tol, f"{dtype} {prompt!r}: GQA vs repeated-head MHA max abs diff {d}"
        check_cached_steps(gqa, tol)
        check_left_padding(gqa, tol)
        check_shared_prefix(gqa, tol)
    _, present = gqa(torch.tensor([[5, 6]]), torch.ones(1, 2, dtype=torch.int64), torch.arange(2)[None],
                     gqa.empty_past(1), torch.tensor(0))
    assert present[0][0].shape == (1, 2, 2, gqa.config.head_dim), "the cache must hold the 2 key/value heads only"


def test_gqa_config_contract():
    try:
        LlamaConfig(num_attention_heads=4, num_key_value_heads=3)
    except AssertionError:
        return
    raise AssertionError("4 query heads over 3 key/value heads must be refused")


def test_gqa_export_graph():
    gqa, _ = gqa_pair(torch.float32)
    with tempfile.TemporaryDirectory() as d:
        graph = export.export_onnx(gqa, os.path.join(d, "onnx", "model.onnx"), opset=14)
    sig = {v.name: [x.dim_param or x.dim_value for x in v.type.tensor_type.shape.dim]
           for v in list(graph.graph.input) + list(graph.graph.output)}
    assert sig["past_key_values.0.key"] == ["batch_size", 2, "past_sequence_length", 16]
    assert sig["present.1.value"] == ["batch_size", 2, "total_sequence_length", 16]
    assert export.hf_config(gqa.config)["num_key_value_heads"] == 2


# ---------------------------------------------------------------- export

def test_prefix_cache_export_graph():
    gqa, _ = gqa_pair(torch.float32)
    with tempfile.TemporaryDirectory() as d:
        graph = export.export_onnx(gqa, os.path.join(d, "onnx", "model.onnx"), opset=14, prefix_cache=True)
    sig = {v.name: [x.dim_param or x.dim_value for x in v.type.tensor_type.shape.dim] for v in graph.graph.input}
    n = gqa.config.num_hidden_layers
    names = [v.name for v in graph.graph.input]
    assert names[-2 * n:] == [f"prefix_key_values.{i}.{kv}" for i in range(n) for kv in ("key", "value")]
    assert sig["prefix_key_values.0.key"] == [1, 2, "prefix_length", gqa.config.head_dim]
    assert sig["past_key_values.0.key"] == ["batch_size", 2, "past_sequence_length", gqa.config.head_dim]


def test_export_graph():
    check_export_graph(tiny_model())


def check_export_graph(model):
    """model.onnx signature (the fixture sizes: 4 heads of 16, vocab 258) and shape inference
    with an empty past. Returns the graph."""
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "onnx", "model.onnx")
        graph = export.export_onnx(model, path, opset=14)
        size = os.path.getsize(path)
    assert not os.path.exists(path + ".data") and size > 4 * sum(p.numel() for p in model.parameters())
    sig = {v.name: [x.dim_param or x.dim_value for x in v.type.tensor_type.shape.dim]
           for v in list(graph.graph.input) + list(graph.graph.output)}
    assert sig["input_ids"] == ["batch_size", "sequence_length"]
    assert sig["attention_mask"] == ["batch_size", "total_sequence_length"]
    assert sig["num_logits_to_keep"] == []
    assert sig["past_key_values.1.value"] == ["batch_size", 4, "past_sequence_length", 16]
    assert sig["present.0.key"] == ["batch_size", 4, "total_sequence_length", 16]
    assert sig["logits"] == ["batch_size", "logits_length", 258]
    # a past of length 0 must pass shape inference too
    g = onnx.load_from_string(graph.SerializeToString())
    for v in g.graph.input:
        if v.name.startswith("past_key_values."):
            v.type.tensor_type.shape.dim[2].dim_value = 0
    onnx.checker.check_model(onnx.shape_inference.infer_shapes(g, strict_mode=True), full_check=True)
    return graph


if __name__ == "__main__":
    run_tests(globals())
