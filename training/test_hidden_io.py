"""
Checks for export.py --hidden-io: the residual-stream steering input, the hidden_states and
lens_logits outputs, on the seeded tiny Llama and GPT-2 (float64, so a semantic difference
cannot hide in rounding). The ONNX graph's numbers are checked against the parity fixture by
test/integration/hidden-io.test.ts (onnxruntime-node; there is no Python onnxruntime here).
Run:  OMP_NUM_THREADS=1 /usr/bin/python3 training/test_hidden_io.py
"""

import os
import sys
import tempfile

import onnx
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import export  # noqa: E402
import gpt2_model  # noqa: E402
import model as llama_model  # noqa: E402
from testing import run_tests  # noqa: E402

TOL = 1e-9
IDS = [5, 40, 77, 12, 9, 101]


def tiny(arch, seed=0):
    torch.manual_seed(seed)
    if arch == "llama":
        m = llama_model.Llama(llama_model.LlamaConfig(num_hidden_layers=3))
        llama_model.init_weights(m, seed, embed_std=1.0, linear_std=0.3)
    else:
        m = gpt2_model.GPT2(gpt2_model.GPT2Config(n_layer=3))
        gpt2_model.init_weights(m, seed, embed_std=1.0, linear_std=0.3)
    return m.double().eval()


def blocks(m):
    return m.layers if hasattr(m, "layers") else m.transformer.h


def run(m, steering):
    T = len(IDS)
    return m.forward_hidden(torch.tensor([IDS]), torch.ones(1, T, dtype=torch.int64), torch.arange(T)[None],
                            m.empty_past(1), torch.tensor(0), steering)


def hooked(m, add):
    """Independent reference: forward hooks add add[l] to block l's output and record it."""
    seen = []

    def hook(i):
        def f(_mod, _inp, out):
            x = out[0] + add[i]
            seen.append(x[:, -1])
            return (x, out[1])
        return f
    handles = [b.register_forward_hook(hook(i)) for i, b in enumerate(blocks(m))]
    try:
        T = len(IDS)
        logits, _ = m(torch.tensor([IDS]), torch.ones(1, T, dtype=torch.int64), torch.arange(T)[None],
                      m.empty_past(1), torch.tensor(0))
    finally:
        for h in handles:
            h.remove()
    return logits, torch.stack(seen, dim=1)


@torch.no_grad()
def check_arch(arch):
    m = tiny(arch)
    L, C = len(blocks(m)), export.residual_width(m)
    zero = torch.zeros(L, C, dtype=torch.float64)
    stock, _ = m(torch.tensor([IDS]), torch.ones(1, len(IDS), dtype=torch.int64),
                 torch.arange(len(IDS))[None], m.empty_past(1), torch.tensor(0))
    logits0, _, hidden0 = run(m, zero)
    assert (logits0 - stock).abs().max() == 0, "zero steering must give the stock logits exactly"
    g = torch.Generator().manual_seed(3)
    steer = torch.zeros(L, C, dtype=torch.float64)
    steer[1] = torch.randn(C, generator=g, dtype=torch.float64) * 4
    logits1, _, hidden1 = run(m, steer)
    ref_logits, ref_hidden = hooked(m, steer)
    assert (logits1 - ref_logits).abs().max() < TOL
    assert (hidden1 - ref_hidden).abs().max() < TOL
    assert (logits1 - stock).abs().max() > 1e-3, "steering must change the logits"
    assert (hidden1[:, 0] - hidden0[:, 0]).abs().max() == 0, "steering at layer 1 leaves layer 0 alone"
    # the lens of the last layer is the model's own last-position logits
    assert (m.lens(hidden1)[:, -1] - logits1[:, -1]).abs().max() < TOL


def test_llama_steering_and_hidden():
    check_arch("llama")


def test_gpt2_steering_and_hidden():
    check_arch("gpt2")


def test_cached_steps_with_steering():
    """Steering applies to every new position: a prefill of all ids equals a prefill of some then
    one cached step at a time."""
    m = tiny("llama")
    L, C = len(blocks(m)), export.residual_width(m)
    steer = torch.randn(L, C, generator=torch.Generator().manual_seed(5), dtype=torch.float64)
    full, _, hid_full = run(m, steer)
    past, mask = m.empty_past(1), torch.ones(1, 0, dtype=torch.int64)
    with torch.no_grad():
        for t, chunk in ((0, IDS[:3]), (3, IDS[3:5]), (5, IDS[5:])):
            x = torch.tensor([chunk])
            mask = torch.cat((mask, torch.ones_like(x)), dim=1)
            logits, past, hid = m.forward_hidden(x, mask, torch.arange(t, t + len(chunk))[None], past,
                                                 torch.tensor(0), steer)
            assert (logits[0] - full[0, t:t + len(chunk)]).abs().max() < TOL
    assert (hid - hid_full).abs().max() < TOL


def test_export_signature():
    for arch, lens in (("llama", True), ("gpt2", False)):
        m = tiny(arch).float()
        L, C, V = len(blocks(m)), export.residual_width(m), m.config.vocab_size
        with tempfile.TemporaryDirectory() as d:
            graph = export.export_onnx(m, os.path.join(d, "onnx", "model.onnx"), 14, hidden_io=True, lens=lens)
            stock = export.export_onnx(m, os.path.join(d, "stock", "model.onnx"), 14)
        sig = {v.name: [x.dim_param or x.dim_value for x in v.type.tensor_type.shape.dim]
               for v in list(graph.graph.input) + list(graph.graph.output)}
        assert sig["steering"] == [L, C]
        assert sig["hidden_states"] == ["batch_size", L, C]
        assert ("lens_logits" in sig) == lens
        if lens:
            assert sig["lens_logits"] == ["batch_size", L, V]
        assert [i.name for i in stock.graph.input][-1] == "num_logits_to_keep"
        assert [o.name for o in stock.graph.output][-1] == f"present.{L - 1}.value"
        onnx.checker.check_model(graph, full_check=True)


if __name__ == "__main__":
    run_tests(globals())
