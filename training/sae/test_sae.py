"""
Checks for train_sae.py: the --smoke run writes an SAE whose .bin, read back independently of the trainer, gives
the activations and reconstructions of its fixture; features are sparse and contexts are real corpus text; and the
shipped organism-v1 SAEs are consistent with their metadata and the test fixture the TypeScript encoder is checked
against (test/fixtures/sae-organism-v1.json).
Run:  OMP_NUM_THREADS=1 /usr/bin/python3 training/sae/test_sae.py
"""

import json
import os
import subprocess
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.dirname(HERE))
from testing import run_tests  # noqa: E402

SHIPPED = os.path.join(ROOT, "public", "models", "coax", "organism-v1", "sae")


def read_sae(folder, layer):
    """(meta, W_enc (F, C), b_enc, W_dec (F, C), b_dec) from layer<L>.json/.bin, with numpy only."""
    with open(os.path.join(folder, f"layer{layer}.json")) as f:
        meta = json.load(f)
    F, C = meta["features"], meta["width"]
    w = np.fromfile(os.path.join(folder, meta["weights"]), dtype="<f4")
    assert w.size == 2 * F * C + F + C, (w.size, F, C)
    return (meta, w[:F * C].reshape(F, C), w[F * C:F * C + F], w[F * C + F:2 * F * C + F].reshape(F, C),
            w[2 * F * C + F:])


def encode(sae, x):  # (N, C) -> (N, F)
    meta, we, be, _, bd = sae
    return np.maximum((x / meta["scale"] - bd) @ we.T + be, 0)


def decode(sae, f):  # (N, F) -> (N, C)
    meta, _, _, wd, bd = sae
    return meta["scale"] * (f @ wd + bd)


def check_folder(folder, layers):
    with open(os.path.join(folder, "fixture.json") if os.path.exists(os.path.join(folder, "fixture.json"))
              else os.path.join(ROOT, "test", "fixtures", "sae-organism-v1.json")) as f:
        fixture = json.load(f)
    for layer in layers:
        sae = read_sae(folder, layer)
        meta = sae[0]
        assert meta["layer"] == layer and len(meta["top_contexts"]) == meta["features"]
        assert np.allclose(np.linalg.norm(sae[3], axis=1), 1, atol=1e-4), "decoder rows are unit norm"
        case = fixture["layers"][str(layer)]
        x, acts = np.array(case["x"]), np.array(case["acts"])
        assert np.abs(encode(sae, x) - acts).max() < 1e-4
        assert np.abs(decode(sae, acts) - np.array(case["recon"])).max() < 1e-3
        m = meta["metrics"]
        assert 0 <= m["fvu"] < 1 and 0 < m["l0"] < meta["features"] and 0 <= m["dead"] <= meta["features"]
        ctx = [c for cs in meta["top_contexts"] for c in cs]
        assert ctx and all(c["act"] > 0 and c["token"] for c in ctx)
        assert any("Q:" in c["before"] or "A:" in c["before"] for c in ctx), "contexts come from the corpus"


def test_smoke_run_writes_a_readable_sae():
    with tempfile.TemporaryDirectory() as d:
        subprocess.run([sys.executable, os.path.join(HERE, "train_sae.py"), "--smoke", "--layers", "1", "2",
                        "--out-dir", d, "--model-dir", os.path.join(ROOT, "public", "models", "coax", "organism-v1")],
                       check=True, stdout=subprocess.DEVNULL)
        assert sorted(os.listdir(d)) == ["fixture.json", "layer1.bin", "layer1.json", "layer2.bin", "layer2.json"]
        check_folder(d, [1, 2])


def test_shipped_saes_match_their_fixture_and_size():
    layers = sorted(int(n[5:-5]) for n in os.listdir(SHIPPED) if n.endswith(".json"))
    assert layers, "no shipped SAE"
    check_folder(SHIPPED, layers)
    total = sum(os.path.getsize(os.path.join(SHIPPED, n)) for n in os.listdir(SHIPPED))
    assert total < 3.2e6, total
    for layer in layers:
        m = read_sae(SHIPPED, layer)[0]["metrics"]
        assert m["fvu"] < 0.2 and m["steps"] >= 1000, m  # the shipped ones are trained, not the smoke run


if __name__ == "__main__":
    run_tests(globals())
