"""
A small sparse autoencoder (SAE) on the organism's residual stream at one layer, trained on its own corpus
(regenerated from the seed by organism/corpus.py), exported as plain JSON the page and the CLI can load.

    f = relu(W_enc (x - b_dec) + b_enc)        (F,) features of a residual x (C,)
    x_hat = W_dec f + b_dec                    decoder columns normalised to unit length
    loss = |x - x_hat|^2 / C + l1 * sum(f)

Reported on held-out tokens: fraction of variance unexplained (FVU = sum|x - x_hat|^2 / sum|x - mean x|^2),
L0 (mean number of active features per token) and dead features (never active on the held-out tokens). Each feature
ships its top-activating contexts (the 24 characters before and the token itself).

    OMP_NUM_THREADS=1 /usr/bin/python3 training/sae/train_sae.py --layer 2 --out public/models/coax/organism-v1/sae/layer2.json
"""

import argparse
import json
import os
import random
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


@torch.no_grad()
def residuals(model, docs, layer, block):
    """Residual after block `layer` at every position of each document chunk: (N, C) and the (doc, pos) of each."""
    xs, where = [], []
    for d, text in enumerate(docs):
        ids = bpe.encode(text)[:block]
        T = len(ids)
        acts = []
        hook = model.layers[layer].register_forward_hook(lambda _m, _i, out: acts.append(out[0][0]))
        try:
            model(torch.tensor([ids]), torch.ones(1, T, dtype=torch.int64), torch.arange(T)[None],
                  model.empty_past(1), torch.tensor(1))
        finally:
            hook.remove()
        xs.append(acts[0])  # (T, C)
        where += [(d, t, ids) for t in range(T)]
    return torch.cat(xs), where


class SAE(torch.nn.Module):
    def __init__(self, c, f):
        super().__init__()
        g = torch.Generator().manual_seed(0)
        w = torch.randn(c, f, generator=g)
        self.W_dec = torch.nn.Parameter(w / w.norm(dim=0, keepdim=True))  # (C, F)
        self.W_enc = torch.nn.Parameter(self.W_dec.detach().T.clone())  # (F, C)
        self.b_enc = torch.nn.Parameter(torch.zeros(f))
        self.b_dec = torch.nn.Parameter(torch.zeros(c))

    def encode(self, x):  # (N, C) -> (N, F)
        return F.relu((x - self.b_dec) @ self.W_enc.T + self.b_enc)

    def forward(self, x):
        f = self.encode(x)
        return f @ self.W_dec.T + self.b_dec, f


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model-dir", default="public/models/coax/organism-v1", help="exported model folder")
    p.add_argument("--layer", type=int, default=2, help="residual after this block (0-based)")
    p.add_argument("--features", type=int, default=512, help="dictionary size F")
    p.add_argument("--l1", type=float, default=3e-3, help="L1 coefficient on feature activations")
    p.add_argument("--mchars", type=float, default=0.6, help="corpus size to regenerate, millions of characters")
    p.add_argument("--seed", type=int, default=1234, help="corpus seed (the organism's)")
    p.add_argument("--steps", type=int, default=3000, help="optimizer steps")
    p.add_argument("--batch", type=int, default=1024, help="tokens per step")
    p.add_argument("--block", type=int, default=256, help="tokens per document chunk")
    p.add_argument("--top", type=int, default=6, help="top-activating contexts kept per feature")
    p.add_argument("--out", required=True, help="JSON to write")
    args = p.parse_args()
    torch.manual_seed(0)
    random.seed(0)
    t0 = time.time()
    with tempfile.TemporaryDirectory() as d:
        os.system(f"{sys.executable} {os.path.join(os.path.dirname(HERE), 'organism', 'corpus.py')} "
                  f"--out-dir {d} --seed {args.seed} --mchars {args.mchars} > /dev/null")
        with open(os.path.join(d, "corpus.txt")) as f:
            docs = [t for t in f.read().split("<|endoftext|>") if t.strip()]
    random.shuffle(docs)
    model = import_model(args.model_dir)
    x, where = residuals(model, docs, args.layer, args.block)  # (N, C)
    n = x.shape[0]
    perm = torch.randperm(n)
    held = perm[: n // 10]
    train = perm[n // 10:]
    scale = x[train].norm(dim=1).mean()  # train on residuals of mean norm 1; the export undoes it
    sae = SAE(x.shape[1], args.features)
    opt = torch.optim.Adam(sae.parameters(), lr=1e-3)
    for step in range(args.steps):
        xb = x[train[torch.randint(len(train), (args.batch,))]] / scale
        x_hat, f = sae(xb)
        loss = (xb - x_hat).pow(2).sum(1).mean() + args.l1 * f.sum(1).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        with torch.no_grad():
            sae.W_dec /= sae.W_dec.norm(dim=0, keepdim=True)
        if step % 500 == 0:
            print(f"step {step} loss {loss.item():.4f}", flush=True)
    with torch.no_grad():
        xh = x[held] / scale
        x_hat, f = sae(xh)
        fvu = float((xh - x_hat).pow(2).sum() / (xh - xh.mean(0)).pow(2).sum())
        l0 = float((f > 0).float().sum(1).mean())
        dead = int(((f > 0).sum(0) == 0).sum())
        fa = sae.encode(x / scale)  # (N, F)
        contexts = []
        for j in range(args.features):
            vals, idx = fa[:, j].topk(args.top)
            ctx = []
            for v, i in zip(vals.tolist(), idx.tolist()):
                if v <= 0:
                    break
                dd, t, ids = where[i]
                ctx.append({"before": bpe.decode(ids[max(0, t - 12):t])[-24:], "token": bpe.decode(ids[t:t + 1]),
                            "act": round(v, 4)})
            contexts.append(ctx)
    r = lambda t: [[round(v, 5) for v in row] for row in t.tolist()]  # noqa: E731
    out = {
        "model": os.path.basename(os.path.normpath(args.model_dir)), "layer": args.layer,
        "features": args.features, "width": x.shape[1], "l1": args.l1, "scale": round(float(scale), 6),
        "notes": "f = relu(W_enc (x/scale - b_dec) + b_enc); x ≈ scale (W_dec f + b_dec); W_dec columns unit norm "
                 "(W_dec is stored transposed: decoder[j] is feature j's direction in the residual).",
        "metrics": {"fvu": round(fvu, 4), "l0": round(l0, 2), "dead": dead, "held_out_tokens": len(held),
                    "train_tokens": len(train), "steps": args.steps, "seconds": round(time.time() - t0, 1)},
        "encoder": r(sae.W_enc), "b_enc": [round(v, 5) for v in sae.b_enc.tolist()],
        "decoder": r(sae.W_dec.T), "b_dec": [round(v, 5) for v in sae.b_dec.tolist()],
        "top_contexts": contexts,
    }
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w") as f:
        json.dump(out, f, ensure_ascii=False, separators=(",", ":"))
    print(json.dumps(out["metrics"]))


if __name__ == "__main__":
    main()
