"""
Small sparse autoencoders (SAEs) on the organism's residual stream, one per layer, trained on its own corpus
(regenerated from the seed by organism/corpus.py) and shipped as plain files the page and the CLI load:

    f = relu(W_enc (x / scale - b_dec) + b_enc)    (F,) features of a residual x (C,) after block `layer`
    x_hat = scale (W_dec f + b_dec)                  decoder rows unit length: feature j's direction in the residual
    loss = |x/scale - x_hat/scale|^2 + l1 * sum(f)  (scale = mean residual norm on the training tokens)

Per layer: layer<L>.json (sizes, scale, metrics, each feature's top-activating contexts from the corpus) and
layer<L>.bin (float32 little-endian: W_enc (F, C), b_enc (F), W_dec (F, C), b_dec (C)).
Reported on held-out tokens: fraction of variance unexplained (FVU = sum|x - x_hat|^2 / sum|x - mean x|^2),
L0 (mean number of active features per token) and dead features (never active on the held-out tokens).
Also writes a fixture (a few residuals and their activations) for the TypeScript encoder tests.

    npm run organism:sae     # the shipped ones: see training/README.md for the exact command
    OMP_NUM_THREADS=1 /usr/bin/python3 training/sae/train_sae.py --smoke --out-dir /tmp/sae   # seconds, for CI
"""

import argparse
import json
import os
import random
import struct
import subprocess
import sys
import tempfile
import time

import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "organism"))
from organism import bpe  # noqa: E402
from organism.import_onnx import import_model  # noqa: E402


def corpus_docs(seed, mchars):
    """The organism's corpus, regenerated from its seed, split into documents."""
    with tempfile.TemporaryDirectory() as d:
        subprocess.run([sys.executable, os.path.join(os.path.dirname(HERE), "organism", "corpus.py"),
                        "--out-dir", d, "--seed", str(seed), "--mchars", str(mchars)],
                       check=True, stdout=subprocess.DEVNULL)
        with open(os.path.join(d, "corpus.txt")) as f:
            return [t for t in f.read().split("<|endoftext|>") if t.strip()]


@torch.no_grad()
def residuals(model, docs, layers, block, max_tokens):
    """Residual after each block in `layers` at every position of the first chunk of each document, until
    max_tokens: {layer: (N, C)} and the (doc ids, pos) of each row."""
    xs, where = {l: [] for l in layers}, []
    L = len(model.layers)
    for text in docs:
        if len(where) >= max_tokens:
            break
        ids = bpe.encode(text)[:block]
        T = len(ids)
        hidden = []
        for layer in layers:
            hidden.append(model.layers[layer].register_forward_hook(
                lambda _m, _i, out, layer=layer: xs[layer].append(out[0][0])))  # (T, C)
        try:
            model(torch.tensor([ids]), torch.ones(1, T, dtype=torch.int64), torch.arange(T)[None],
                  model.empty_past(1), torch.tensor(1))
        finally:
            for h in hidden:
                h.remove()
        where += [(ids, t) for t in range(T)]
    assert all(0 <= l < L for l in layers)
    return {l: torch.cat(v) for l, v in xs.items()}, where


class SAE(torch.nn.Module):
    def __init__(self, c, f):
        super().__init__()
        g = torch.Generator().manual_seed(0)
        w = torch.randn(f, c, generator=g)
        self.W_dec = torch.nn.Parameter(w / w.norm(dim=1, keepdim=True))  # (F, C) rows unit norm
        self.W_enc = torch.nn.Parameter(self.W_dec.detach().clone())  # (F, C)
        self.b_enc = torch.nn.Parameter(torch.zeros(f))
        self.b_dec = torch.nn.Parameter(torch.zeros(c))

    def encode(self, x):  # (N, C) -> (N, F), x already divided by scale
        return F.relu((x - self.b_dec) @ self.W_enc.T + self.b_enc)

    def forward(self, x):
        f = self.encode(x)
        return f @ self.W_dec + self.b_dec, f


def train_one(x, where, layer, args, out_dir, model_name):
    """Train the SAE of one layer on x (N, C); write layer<L>.json/.bin; return (metrics, sae, scale)."""
    t0 = time.time()
    torch.manual_seed(args.seed_sae)
    n = x.shape[0]
    perm = torch.randperm(n)
    held, train = perm[: n // 10], perm[n // 10:]
    scale = float(x[train].norm(dim=1).mean())
    sae = SAE(x.shape[1], args.features)
    opt = torch.optim.Adam(sae.parameters(), lr=args.lr)
    steps = 0
    for step in range(args.steps):
        if args.max_minutes and time.time() - t0 > 60 * args.max_minutes:
            break
        xb = x[train[torch.randint(len(train), (args.batch,))]] / scale
        x_hat, f = sae(xb)
        loss = (xb - x_hat).pow(2).sum(1).mean() + args.l1 * f.sum(1).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        with torch.no_grad():
            sae.W_dec /= sae.W_dec.norm(dim=1, keepdim=True)
        steps = step + 1
        if step % 500 == 0:
            print(f"layer {layer} step {step} loss {loss.item():.4f}", flush=True)
    with torch.no_grad():
        xh = x[held] / scale
        x_hat, f = sae(xh)
        fvu = float((xh - x_hat).pow(2).sum() / (xh - xh.mean(0)).pow(2).sum())
        l0 = float((f > 0).float().sum(1).mean())
        dead = int(((f > 0).sum(0) == 0).sum())
        k = args.top * 4  # candidates per feature, before dropping repeated contexts
        active, cand_v, cand_i = torch.zeros(args.features), [], []
        for s in range(0, n, 65536):  # (chunk, F) at a time: all N × F would not fit in memory
            fa = sae.encode(x[s:s + 65536] / scale)
            active += (fa > 0).float().sum(0)
            v, i = fa.topk(min(k, fa.shape[0]), dim=0)  # (k, F)
            cand_v.append(v)
            cand_i.append(i + s)
        cand_v, cand_i = torch.cat(cand_v), torch.cat(cand_i)  # (chunks k, F)
        freq = active / n  # (F,)
        contexts = []
        for j in range(args.features):
            vals, pos = cand_v[:, j].topk(k)
            idx = cand_i[pos, j]
            ctx, seen = [], set()
            for v, i in zip(vals.tolist(), idx.tolist()):
                if v <= 0 or len(ctx) == args.top:
                    break
                ids, t = where[i]
                before, token = bpe.decode(ids[max(0, t - 16):t])[-32:], bpe.decode(ids[t:t + 1])
                if (before, token) in seen:
                    continue
                seen.add((before, token))
                ctx.append({"before": before, "token": token, "act": round(v, 4)})
            contexts.append(ctx)
    metrics = {"fvu": round(fvu, 4), "l0": round(l0, 2), "dead": dead, "held_out_tokens": len(held),
               "train_tokens": len(train), "steps": steps, "batch": args.batch,
               "seconds": round(time.time() - t0, 1)}
    meta = {
        "model": model_name, "layer": layer, "features": args.features, "width": x.shape[1], "l1": args.l1,
        "scale": scale, "weights": f"layer{layer}.bin",
        "layout": "float32 little-endian: W_enc (F, C), b_enc (F), W_dec (F, C), b_dec (C)",
        "notes": "f = relu(W_enc (x/scale - b_dec) + b_enc); x ≈ scale (W_dec f + b_dec); W_dec rows unit norm "
                 "(row j is feature j's direction in the residual after block `layer`).",
        "corpus": {"seed": args.seed, "mchars": args.mchars, "block": args.block, "tokens": n},
        "metrics": metrics,
        "frequency": [round(v, 5) for v in freq.tolist()],
        "top_contexts": contexts,
    }
    with open(os.path.join(out_dir, f"layer{layer}.json"), "w") as fh:
        json.dump(meta, fh, ensure_ascii=False, separators=(",", ":"))
    with open(os.path.join(out_dir, f"layer{layer}.bin"), "wb") as fh:
        for t in (sae.W_enc, sae.b_enc, sae.W_dec, sae.b_dec):
            a = t.detach().float().contiguous().view(-1).tolist()
            fh.write(struct.pack(f"<{len(a)}f", *a))
    return metrics, sae, scale


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model-dir", default="public/models/coax/organism-v1", help="exported model folder")
    p.add_argument("--layers", type=int, nargs="+", default=[2, 3], help="residual after these blocks (0-based)")
    p.add_argument("--features", type=int, default=512, help="dictionary size F")
    p.add_argument("--l1", type=float, default=0.03, help="L1 coefficient on feature activations")
    p.add_argument("--lr", type=float, default=1e-3, help="Adam learning rate")
    p.add_argument("--mchars", type=float, default=20.0,
                   help="corpus size to regenerate, millions of characters (its mix of documents is the organism's)")
    p.add_argument("--max-tokens", type=int, default=300_000, help="tokens of residuals taken from shuffled documents")
    p.add_argument("--seed", type=int, default=1234, help="corpus seed (the organism's)")
    p.add_argument("--seed-sae", type=int, default=0, help="seed of the split and the batches")
    p.add_argument("--steps", type=int, default=3000, help="optimizer steps per layer")
    p.add_argument("--max-minutes", type=float, default=0, help="stop a layer's training after this long (0: no cap)")
    p.add_argument("--batch", type=int, default=1024, help="tokens per step")
    p.add_argument("--block", type=int, default=256, help="tokens per document chunk")
    p.add_argument("--top", type=int, default=6, help="top-activating contexts kept per feature")
    p.add_argument("--smoke", action="store_true", help="tiny corpus, 64 features, 30 steps (seconds)")
    p.add_argument("--out-dir", required=True, help="folder to write layer<L>.json/.bin")
    p.add_argument("--fixture", default=None,
                   help="where to write the encoder fixture (a few residuals, activations, reconstructions) for the "
                        "TypeScript tests (default: <out-dir>/fixture.json)")
    args = p.parse_args()
    if args.smoke:
        args.mchars, args.max_tokens, args.features, args.steps, args.batch = 0.01, 8000, 64, 30, 256
    random.seed(0)
    docs = corpus_docs(args.seed, args.mchars)
    random.shuffle(docs)
    model = import_model(args.model_dir)
    xs, where = residuals(model, docs, args.layers, args.block, args.max_tokens)
    os.makedirs(args.out_dir, exist_ok=True)
    name = os.path.basename(os.path.normpath(args.model_dir))
    fixture = {"model": name, "layers": {}}
    g = torch.Generator().manual_seed(1)
    for layer in args.layers:
        metrics, sae, scale = train_one(xs[layer], where, layer, args, args.out_dir, name)
        print(json.dumps({"layer": layer, **metrics}), flush=True)
        rows = torch.randint(xs[layer].shape[0], (4,), generator=g)
        with torch.no_grad():
            x = xs[layer][rows]  # (4, C)
            x_hat, f = sae(x / scale)
        fixture["layers"][str(layer)] = {"x": x.tolist(), "acts": f.tolist(), "recon": (x_hat * scale).tolist()}
    with open(args.fixture or os.path.join(args.out_dir, "fixture.json"), "w") as fh:
        json.dump(fixture, fh, separators=(",", ":"))


if __name__ == "__main__":
    main()
