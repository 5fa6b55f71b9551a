"""
One pass of plain next-token training over a packed token stream, from a checkpoint: AdamW
(matrices but the embedding decayed), linear warm-up then cosine decay to --min-lr-frac
(train.lr_at; the schedule ends on whichever of the steps and --max-minutes runs out first),
checkpoints to out_dir/ckpt.pt every ckpt_every_s seconds, resumable, log.jsonl, and
out_dir/model.pt at the end. Shared by the issue #15 variants (teacher_context.py,
ambiguous.py); the same loop as distill.py.
"""

import json
import os
import sys
import time

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))
from train import lr_at  # noqa: E402
from model import load_checkpoint, save_checkpoint  # noqa: E402


def run(tokens, args, out_dir, meta, final_eval=None, max_steps=0):
    """tokens: int16 array. args: init, device, resume, block, batch, lr, warmup, min_lr_frac,
    weight_decay, max_minutes, ckpt_every_s, log_every. final_eval(model) -> dict merged into
    the last log line. Returns the final log record."""
    os.makedirs(out_dir, exist_ok=True)
    ckpt_path = os.path.join(out_dir, "ckpt.pt")
    total = ((len(tokens) - 1) // args.block) // args.batch
    if max_steps:
        total = min(total, max_steps)
    assert total > 0, "data shorter than one batch"
    model = load_checkpoint(args.init).to(args.device)
    decay = [q for n, q in model.named_parameters() if q.dim() >= 2 and n != "embed_tokens.weight"]
    no_decay = [q for n, q in model.named_parameters() if q.dim() < 2 or n == "embed_tokens.weight"]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": args.weight_decay},
                             {"params": no_decay, "weight_decay": 0.0}], lr=args.lr, betas=(0.9, 0.95))
    step, elapsed, cpu_before = 0, 0.0, 0.0
    if args.resume and os.path.exists(ckpt_path):
        ck = torch.load(ckpt_path, map_location=args.device)
        model.load_state_dict(ck["model"])
        opt.load_state_dict(ck["opt"])
        step, elapsed, cpu_before = ck["step"], ck["elapsed"], ck.get("cpu_s", 0.0)
        print(f"resumed at step {step} ({elapsed / 60:.1f} min)", flush=True)
    with open(os.path.join(out_dir, "args.json"), "w") as f:
        json.dump({**vars(args), **meta, "tokens": int(len(tokens)), "planned_steps": total}, f, indent=1)
    print(f"{len(tokens):,} tokens; {total} steps of {args.batch}x{args.block}", flush=True)
    log = open(os.path.join(out_dir, "log.jsonl"), "a")

    def cpu_s():
        return round(cpu_before + time.process_time(), 1)

    def save():
        tmp = ckpt_path + ".tmp"
        torch.save({"cpu_s": cpu_s(), "model": model.state_dict(), "opt": opt.state_dict(), "step": step,
                    "elapsed": elapsed, "config": vars(model.config), "args": vars(args)}, tmp)
        os.replace(tmp, ckpt_path)

    def write(rec):
        print(json.dumps(rec), flush=True)
        log.write(json.dumps(rec) + "\n")
        log.flush()

    def progress():
        by_time = elapsed / (args.max_minutes * 60) if args.max_minutes else 0.0
        return max((step - args.warmup) / max(1, total - args.warmup), by_time)

    t_last = t_ckpt = time.time()
    run_loss = []
    while step < total and not (args.max_minutes and elapsed > args.max_minutes * 60):
        model.train()
        idx = np.arange(step * args.batch, (step + 1) * args.batch)[:, None] * args.block \
            + np.arange(args.block + 1)[None]  # (B, T+1)
        batch = torch.from_numpy(tokens[idx].astype(np.int64)).to(args.device)
        for g in opt.param_groups:
            g["lr"] = lr_at(step, progress(), args.lr, args.warmup, args.min_lr_frac)
        _, loss = model.forward_train(batch[:, :-1], batch[:, 1:])
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
            write({"step": step, "loss": float(np.mean(run_loss)), "lr": opt.param_groups[0]["lr"],
                   "tokens": step * args.batch * args.block, "elapsed_s": round(elapsed, 1), "cpu_s": cpu_s()})
            run_loss = []
        if now - t_ckpt > args.ckpt_every_s:
            save()
            t_ckpt = now
    rec = {"step": step, "final": True, "planned_steps": total, "tokens": step * args.batch * args.block,
           "elapsed_s": round(elapsed, 1), "cpu_s": cpu_s()}
    if final_eval:
        rec.update(final_eval(model.eval()))
    write(rec)
    save()
    model.cpu()
    save_checkpoint(model, os.path.join(out_dir, "model.pt"))
    print(f"done: step {step}/{total}, {elapsed / 60:.1f} min", flush=True)
    return rec
