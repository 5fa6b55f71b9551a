"""
The training loops' shared parts, one copy for every trainer in training/organism:
  lr_at, warmup_lr     the learning-rate schedules (linear warm-up then cosine to a floor; warm-up then constant)
  adamw                AdamW over a model, matrices-but-the-embedding decayed (the SFT scripts) or one group
  token_stream         documents -> one packed <|endoftext|>-separated int16 stream; packed_batch cuts step s's batch
  Run                  a run's folder: ckpt.pt (model, optimizer, step, run time, CPU seconds) saved every
                       --ckpt-every-s seconds and at the end, --resume from it, the run-time cap, args.json,
                       log.jsonl (each record also printed), model.pt (model.py format) at the end
  sft                  plain next-token training over a packed stream with all of the above (train.py, distill.py,
                       teacher_context.py, ambiguous.py); grpo.py, order.py and dpo.py write their own step around Run.
Run time counts wall seconds between steps, evals included (not the evals before the first step); CPU seconds show the
share a shared machine gave.
"""

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
from model import save_checkpoint  # noqa: E402


def add_args(p, lr, warmup, max_minutes, batch=None, weight_decay=None, min_lr_frac=None, block=None,
             ckpt_every_s=None, log_every=None, batch_help="sequences per step"):
    """The options the trainers share, with this trainer's defaults: --device, --lr, --warmup, --max-minutes, and
    those given a default here (None: the trainer has no such option): --batch, --weight-decay, --min-lr-frac
    (lr_at's cosine floor; without it the lr is constant after warm-up), --block, --ckpt-every-s (with it,
    --resume), --log-every."""
    p.add_argument("--device", default="cpu", choices=["cpu", "cuda"], help="training device")
    if ckpt_every_s is not None:
        p.add_argument("--resume", action="store_true", help="continue from out_dir/ckpt.pt")
        p.add_argument("--ckpt-every-s", type=float, default=ckpt_every_s, help="seconds between checkpoints")
    if block is not None:
        p.add_argument("--block", type=int, default=block, help="training sequence length")
    if batch is not None:
        p.add_argument("--batch", type=int, default=batch, help=batch_help)
    cosine = min_lr_frac is not None
    p.add_argument("--lr", type=float, default=lr,
                   help="peak learning rate" if cosine else "learning rate (constant after warm-up)")
    p.add_argument("--warmup", type=int, default=warmup, help="linear warm-up steps")
    if cosine:
        p.add_argument("--min-lr-frac", type=float, default=min_lr_frac, help="final lr as a fraction of peak")
    if weight_decay is not None:
        p.add_argument("--weight-decay", type=float, default=weight_decay,
                       help="AdamW weight decay" + (" (matrices but the embedding)" if cosine else ""))
    p.add_argument("--max-minutes", type=float, default=max_minutes,
                   help="stop after this much run time (0 = no limit)"
                   + ("; the lr schedule then ends at whichever of steps and time runs out first" if cosine else ""))
    if log_every is not None:
        p.add_argument("--log-every", type=int, default=log_every, help="steps between log lines")


def lr_at(step, progress, base, warmup, min_frac):
    """Linear warm-up over `warmup` steps, then cosine from base to min_frac * base as
    progress (0..1, the larger of steps done and time used) goes to 1."""
    if step < warmup:
        return base * (step + 1) / warmup
    return base * (min_frac + (1 - min_frac) * 0.5 * (1 + math.cos(math.pi * min(1.0, progress))))


def warmup_lr(step, base, warmup):
    """Linear warm-up over `warmup` steps, then constant."""
    return base * min(1.0, (step + 1) / max(1, warmup))


def set_lr(opt, lr):
    for g in opt.param_groups:
        g["lr"] = lr


def adamw(model, lr, weight_decay, betas=(0.9, 0.95), matrices_only=True):
    """AdamW over model's parameters. matrices_only: weight decay on the matrices but the embedding (two
    groups); else one group, every parameter decayed by weight_decay."""
    if not matrices_only:
        return torch.optim.AdamW(model.parameters(), lr=lr, betas=betas, weight_decay=weight_decay)
    decay = [q for n, q in model.named_parameters() if q.dim() >= 2 and n != "embed_tokens.weight"]
    no_decay = [q for n, q in model.named_parameters() if q.dim() < 2 or n == "embed_tokens.weight"]
    return torch.optim.AdamW([{"params": decay, "weight_decay": weight_decay},
                              {"params": no_decay, "weight_decay": 0.0}], lr=lr, betas=betas)


def token_stream(docs):
    """<|endoftext|> doc <|endoftext|> doc ... as int16 ids."""
    ids = [bpe.EOS_ID]
    for d in docs:
        ids.extend(bpe.encode(d))
        ids.append(bpe.EOS_ID)
    return np.asarray(ids, dtype=np.int16)


def packed_batch(tokens, step, batch, block, device):
    """Step `step`'s batch of a packed stream: `batch` consecutive blocks of block + 1 tokens. -> (B, T+1) int64."""
    idx = np.arange(step * batch, (step + 1) * batch)[:, None] * block + np.arange(block + 1)[None]  # (B, T+1)
    return torch.from_numpy(tokens[idx].astype(np.int64)).to(device)


class Run:
    """One training run's folder and clock. `step` and `elapsed` (run-time seconds) come back from
    out_dir/ckpt.pt with resume; the caller advances `step`, calls tick() after each step (and after an
    eval it wants counted) and checkpoint_due(now); finish() saves and writes model.pt.
    checkpoints=False: no ckpt.pt and no resume (a run short enough to redo)."""

    def __init__(self, out_dir, model, opt, args, resume=False, checkpoints=True):
        os.makedirs(out_dir, exist_ok=True)
        self.out_dir, self.model, self.opt, self.args, self.checkpoints = out_dir, model, opt, args, checkpoints
        self.ckpt_path = os.path.join(out_dir, "ckpt.pt")
        self.step, self.elapsed, self.cpu_before = 0, 0.0, 0.0
        if resume and checkpoints and os.path.exists(self.ckpt_path):
            ck = torch.load(self.ckpt_path, map_location=args.device)
            model.load_state_dict(ck["model"])
            opt.load_state_dict(ck["opt"])
            # cpu_s: this process's CPU seconds in earlier segments (0 if not recorded)
            self.step, self.elapsed, self.cpu_before = ck["step"], ck["elapsed"], ck.get("cpu_s", 0.0)
            print(f"resumed at step {self.step} ({self.elapsed / 60:.1f} min)", flush=True)
        self.log = None
        self.t_last = self.t_ckpt = time.time()

    def write_args(self, record):
        with open(os.path.join(self.out_dir, "args.json"), "w") as f:
            json.dump(record, f, indent=1)

    def cpu_s(self):
        return round(self.cpu_before + time.process_time(), 1)

    def write(self, rec):
        """One log record: printed, and appended to log.jsonl."""
        if self.log is None:
            self.log = open(os.path.join(self.out_dir, "log.jsonl"), "a")
        print(json.dumps(rec), flush=True)
        self.log.write(json.dumps(rec) + "\n")
        self.log.flush()

    def start(self):
        """Start the clock: time before this (data, a first eval) is not run time."""
        self.t_last = self.t_ckpt = time.time()

    def tick(self):
        """Add the wall time since the last tick to the run time; returns now."""
        now = time.time()
        self.elapsed += now - self.t_last
        self.t_last = now
        return now

    def out_of_time(self, max_minutes):
        return bool(max_minutes) and self.elapsed > max_minutes * 60

    def save(self):
        if not self.checkpoints:
            return
        tmp = self.ckpt_path + ".tmp"
        torch.save({"cpu_s": self.cpu_s(), "model": self.model.state_dict(), "opt": self.opt.state_dict(),
                    "step": self.step, "elapsed": self.elapsed, "config": vars(self.model.config),
                    "args": vars(self.args)}, tmp)
        os.replace(tmp, self.ckpt_path)

    def checkpoint_due(self, now, every_s):
        """Save ckpt.pt when more than every_s seconds have passed since the last one."""
        if now - self.t_ckpt > every_s:
            self.save()
            self.t_ckpt = now

    def finish(self, planned=None):
        """ckpt.pt, then out_dir/model.pt (model.py format, on the CPU)."""
        self.save()
        self.model.cpu()
        save_checkpoint(self.model, os.path.join(self.out_dir, "model.pt"))
        of = f"/{planned}" if planned is not None else ""
        print(f"done: step {self.step}{of}, {self.elapsed / 60:.1f} min", flush=True)


def sft(tokens, model, args, meta, evaluate=None, eval_every=0, eval_first=False, max_steps=0):
    """One pass of plain next-token training over the packed stream `tokens` (int16), from `model`: AdamW
    (matrices but the embedding decayed), lr_at's warm-up then cosine to --min-lr-frac (the schedule ends on
    whichever of the steps and --max-minutes runs out first), a Run in args.out_dir.
    args: out_dir, device, resume, block, batch, lr, warmup, min_lr_frac, weight_decay, max_minutes,
    ckpt_every_s, log_every. evaluate(model) -> dict merged into the final log record, and into the log record
    of every eval_every-th step (0: only at the end), and logged alone at step 0 with eval_first (not on resume).
    max_steps caps the pass (0: the whole stream). Returns the final log record."""
    total = ((len(tokens) - 1) // args.block) // args.batch
    if max_steps:
        total = min(total, max_steps)
    assert total > 0, "data shorter than one batch"
    model.to(args.device)
    opt = adamw(model, args.lr, args.weight_decay)
    run = Run(args.out_dir, model, opt, args, args.resume)
    run.write_args({**vars(args), **meta, "tokens": int(len(tokens)), "planned_steps": total})
    n_params = sum(q.numel() for q in model.parameters())
    print(f"{n_params / 1e6:.2f}M params, {len(tokens):,} tokens; {total} steps of {args.batch}x{args.block}",
          flush=True)

    def progress():  # with --max-minutes the schedule also ends on time if steps run slow
        by_time = run.elapsed / (args.max_minutes * 60) if args.max_minutes else 0.0
        return max((run.step - args.warmup) / max(1, total - args.warmup), by_time)

    if evaluate and eval_first and run.step == 0:
        run.write({"step": 0, **evaluate(model.eval())})
    run.start()
    run_loss = []
    while run.step < total and not run.out_of_time(args.max_minutes):
        model.train()
        batch = packed_batch(tokens, run.step, args.batch, args.block, args.device)  # (B, T+1)
        set_lr(opt, lr_at(run.step, progress(), args.lr, args.warmup, args.min_lr_frac))
        _, loss = model.forward_train(batch[:, :-1], batch[:, 1:])  # (B, T) -> scalar
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        run.step += 1
        run_loss.append(loss.item())
        now = run.tick()
        step = run.step
        if step % args.log_every == 0 or step == total:
            rec = {"step": step, "loss": float(np.mean(run_loss)), "lr": opt.param_groups[0]["lr"],
                   "tokens": step * args.batch * args.block, "elapsed_s": round(run.elapsed, 1),
                   "tok_per_s": round(step * args.batch * args.block / max(run.elapsed, 1e-9)), "cpu_s": run.cpu_s()}
            run_loss = []
            if evaluate and eval_every and step % eval_every == 0:
                rec.update(evaluate(model.eval()))
                run.tick()  # the eval's time counts as run time too
            run.write(rec)
        run.checkpoint_due(now, args.ckpt_every_s)
    rec = {"step": run.step, "final": True, "planned_steps": total, "tokens": run.step * args.batch * args.block,
           "elapsed_s": round(run.elapsed, 1), "cpu_s": run.cpu_s()}
    if evaluate:
        rec.update(evaluate(model.eval()))
    run.write(rec)
    run.finish(total)
    return rec
