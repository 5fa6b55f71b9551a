"""
Train the organism: one pass over the tokenized corpus, in corpus order (the corpus is
ordered for the curriculum), AdamW with linear warm-up and cosine decay, checkpoints every
--ckpt-every-s seconds to out_dir/ckpt.pt (model, optimizer, step), resumable with --resume.
Logs loss and tokens/s to stdout and out_dir/log.jsonl; writes out_dir/model.pt at the end.
"""

import argparse
import json
import math
import os
import sys
import time

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))
import bpe  # noqa: E402
from model import Llama, LlamaConfig, init_weights, save_checkpoint  # noqa: E402


def load_tokens(data_dir):
    """corpus.txt -> int16 token array, cached as tokens.npy next to it."""
    cache = os.path.join(data_dir, "tokens.npy")
    src = os.path.join(data_dir, "corpus.txt")
    lens_path = os.path.join(data_dir, "doc_tokens.npy")
    if os.path.exists(cache) and os.path.exists(lens_path) and os.path.getmtime(cache) >= os.path.getmtime(src):
        return np.load(cache)
    with open(src) as f:
        text = f.read()
    docs = text.split("<|endoftext|>")[:-1]
    ids, lens = [], []
    for d in docs:
        n0 = len(ids)
        ids.extend(bpe.encode(d))
        ids.append(bpe.EOS_ID)
        lens.append(len(ids) - n0)
    arr = np.asarray(ids, dtype=np.int16)
    np.save(cache, arr)
    np.save(lens_path, np.asarray(lens, dtype=np.int64))
    return arr


def lr_at(step, progress, base, warmup, min_frac):
    """Linear warm-up over `warmup` steps, then cosine from base to min_frac * base as
    progress (0..1, the larger of steps done and time used) goes to 1."""
    if step < warmup:
        return base * (step + 1) / warmup
    return base * (min_frac + (1 - min_frac) * 0.5 * (1 + math.cos(math.pi * min(1.0, progress))))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data-dir", required=True, help="folder with corpus.txt (from corpus.py)")
    p.add_argument("--out-dir", required=True, help="checkpoints and logs go here")
    p.add_argument("--device", default="cpu", choices=["cpu", "cuda"], help="training device")
    p.add_argument("--resume", action="store_true", help="continue from out_dir/ckpt.pt")
    p.add_argument("--seed", type=int, default=0, help="init seed")
    p.add_argument("--hidden-size", type=int, default=128, help="model width")
    p.add_argument("--layers", type=int, default=4, help="decoder blocks")
    p.add_argument("--heads", type=int, default=4, help="attention heads")
    p.add_argument("--intermediate-size", type=int, default=384, help="SwiGLU width")
    p.add_argument("--tie-embeddings", action="store_true",
                   help="tie lm_head to the embedding (default: untied; tied, the digits' input "
                   "embeddings collapse because digit targets are mostly unpredictable)")
    p.add_argument("--block", type=int, default=512, help="training sequence length")
    p.add_argument("--batch", type=int, default=8, help="sequences per step")
    p.add_argument("--lr", type=float, default=3e-3, help="peak learning rate")
    p.add_argument("--warmup", type=int, default=200, help="warm-up steps")
    p.add_argument("--min-lr-frac", type=float, default=0.1, help="final lr as a fraction of peak")
    p.add_argument("--weight-decay", type=float, default=0.1, help="AdamW weight decay (matrices only)")
    p.add_argument("--max-steps", type=int, default=0, help="stop after this many steps (0 = one epoch)")
    p.add_argument("--max-minutes", type=float, default=0,
                   help="stop after this much training time (0 = no limit); the lr schedule then "
                   "ends at whichever of steps and time runs out first")
    p.add_argument("--ckpt-every-s", type=float, default=180, help="seconds between checkpoints")
    p.add_argument("--log-every", type=int, default=20, help="steps between log lines")
    args = p.parse_args()

    os.makedirs(args.out_dir, exist_ok=True)
    tokens = load_tokens(args.data_dir)
    n_chunks = (len(tokens) - 1) // args.block
    epoch_steps = n_chunks // args.batch
    total = min(epoch_steps, args.max_steps) if args.max_steps else epoch_steps
    assert total > 0, "corpus shorter than one batch"
    ckpt_path = os.path.join(args.out_dir, "ckpt.pt")

    cfg = LlamaConfig(vocab_size=bpe.VOCAB_SIZE, hidden_size=args.hidden_size,
                      intermediate_size=args.intermediate_size, num_hidden_layers=args.layers,
                      num_attention_heads=args.heads, num_key_value_heads=args.heads,
                      max_position_embeddings=args.block, tie_word_embeddings=args.tie_embeddings)
    torch.manual_seed(args.seed)
    model = Llama(cfg)
    init_weights(model, args.seed, embed_std=0.02, linear_std=0.02)
    with torch.no_grad():  # GPT-2 style: residual output projections scaled by depth
        for name, prm in model.named_parameters():
            if name.endswith("o_proj.weight") or name.endswith("down_proj.weight"):
                prm.mul_(1 / math.sqrt(2 * cfg.num_hidden_layers))
    model.to(args.device)
    decay = [p_ for n, p_ in model.named_parameters() if p_.dim() >= 2 and n != "embed_tokens.weight"]
    no_decay = [p_ for n, p_ in model.named_parameters() if p_.dim() < 2 or n == "embed_tokens.weight"]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": args.weight_decay},
                             {"params": no_decay, "weight_decay": 0.0}], lr=args.lr, betas=(0.9, 0.95))
    step, elapsed = 0, 0.0
    if args.resume and os.path.exists(ckpt_path):
        ck = torch.load(ckpt_path, map_location=args.device)
        model.load_state_dict(ck["model"])
        opt.load_state_dict(ck["opt"])
        step, elapsed = ck["step"], ck["elapsed"]
        print(f"resumed at step {step}", flush=True)
    n_params = sum(p_.numel() for p_ in model.parameters())
    print(f"{n_params / 1e6:.2f}M params, {len(tokens) / 1e6:.2f}M tokens, {total} steps of "
          f"{args.batch}x{args.block}", flush=True)

    def save():
        tmp = ckpt_path + ".tmp"
        torch.save({"model": model.state_dict(), "opt": opt.state_dict(), "step": step,
                    "elapsed": elapsed, "config": cfg.__dict__, "args": vars(args)}, tmp)
        os.replace(tmp, ckpt_path)

    def progress():  # with --max-minutes the schedule also ends on time if steps run slow
        by_time = elapsed / (args.max_minutes * 60) if args.max_minutes else 0.0
        return max((step - args.warmup) / max(1, total - args.warmup), by_time)

    with open(os.path.join(args.out_dir, "args.json"), "w") as f:
        json.dump(vars(args), f, indent=1)
    log = open(os.path.join(args.out_dir, "log.jsonl"), "a")
    model.train()
    t_last, t_ckpt, run_loss = time.time(), time.time(), []
    while step < total:
        if args.max_minutes and elapsed > args.max_minutes * 60:
            break
        idx = np.arange(step * args.batch, (step + 1) * args.batch)[:, None] * args.block \
            + np.arange(args.block + 1)[None]  # (B, T+1)
        batch = torch.from_numpy(tokens[idx].astype(np.int64)).to(args.device)
        for g in opt.param_groups:
            g["lr"] = lr_at(step, progress(), args.lr, args.warmup, args.min_lr_frac)
        _, loss = model.forward_train(batch[:, :-1], batch[:, 1:])  # (B, T) -> scalar
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        step += 1
        run_loss.append(loss.item())
        now = time.time()
        elapsed += now - t_last
        t_last = now
        if step % args.log_every == 0 or step == total:
            tok_s = step * args.batch * args.block / max(elapsed, 1e-9)
            rec = {"step": step, "loss": float(np.mean(run_loss)), "lr": opt.param_groups[0]["lr"],
                   "tokens": step * args.batch * args.block, "elapsed_s": round(elapsed, 1),
                   "tok_per_s": round(tok_s)}
            run_loss = []
            print(json.dumps(rec), flush=True)
            log.write(json.dumps(rec) + "\n")
            log.flush()
        if now - t_ckpt > args.ckpt_every_s:
            save()
            t_ckpt = now
    save()
    model.cpu()
    save_checkpoint(model, os.path.join(args.out_dir, "model.pt"))
    print(f"done: step {step}/{total}, {elapsed / 60:.1f} min", flush=True)


if __name__ == "__main__":
    main()
