"""
coax/organism-v1-distill: organism-v1 fine-tuned by plain next-token SFT on correct worked
traces that a program "teacher" writes for chains of 7-10 steps, the lengths where the base
fails whatever the elicitation (its corpus stops at 6 steps).

Teacher: for a chain it writes the corpus's own worked answer (corpus.worked_text), each
step rewriting the chain with its first step done and carrying the running value:
    Q: 3+4*2-5+6*3-1*7
    A: Let's go step by step. 3+4*2-5+6*3-1*7 = 7*2-5+6*3-1*7 = ... = 7. The answer is 7.
Chains mix * with + or with - (the training families), 7-10 steps uniformly, none of them a
suite item or exemplar (fresh_items.py). Worksheets hold 4-10 such items, blank lines
between, documents joined by <|endoftext|>, exactly as the corpus's worked worksheets.

Training: one pass over the packed token stream (blocks of --block tokens, every token a
target), AdamW with linear warm-up and cosine decay to --min-lr-frac (the schedule ends on
whichever of --steps and --max-minutes runs out first, as train.py), checkpoints to
out_dir/ckpt.pt every --ckpt-every-s seconds, --resume; out_dir/model.pt at the end.
"""

import argparse
import json
import os
import random
import sys
import time

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))
import bpe  # noqa: E402
import corpus  # noqa: E402
import fresh_items  # noqa: E402
import rollout  # noqa: E402
from train import lr_at  # noqa: E402
from model import load_checkpoint, save_checkpoint  # noqa: E402

TEACHER_STEPS = range(7, 11)


def teacher_item(start, steps):
    """One solved item as the corpus writes worked ones."""
    return corpus.arith_item(start, steps, worked=True)


def teacher_docs(seed, n_items, forbidden):
    """Worksheets of 4-10 teacher items over n_items fresh 7-10-step chains."""
    chains = fresh_items.fresh_chains(seed, n_items, TEACHER_STEPS, forbidden)
    rng = random.Random(seed + 1)
    docs, i = [], 0
    while i < len(chains):
        k = rng.randint(4, 10)
        docs.append("\n\n".join(teacher_item(*c) for c in chains[i:i + k]))
        i += k
    return docs, chains


def token_stream(docs):
    """<|endoftext|> doc <|endoftext|> doc ... as int16 ids."""
    ids = [bpe.EOS_ID]
    for d in docs:
        ids.extend(bpe.encode(d))
        ids.append(bpe.EOS_ID)
    return np.asarray(ids, dtype=np.int16)


@torch.no_grad()
def greedy_eval(model, items, max_new, device):
    outs = rollout.sample(model, [rollout.prompt_ids(it["question"]) for it in items], 1, max_new, 0.0,
                          None, device)
    return sum(rollout.reward(o["text"], it["answer"]) for o, it in zip(outs, items)) / len(items)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--init", required=True, help="the base checkpoint (import_onnx.py output)")
    p.add_argument("--out-dir", required=True, help="data, checkpoints, log.jsonl, args.json, model.pt")
    p.add_argument("--suites", default=fresh_items.SUITES_DIR, help="suites whose items and exemplars are excluded")
    p.add_argument("--device", default="cpu", choices=["cpu", "cuda"], help="training device")
    p.add_argument("--resume", action="store_true", help="continue from out_dir/ckpt.pt")
    p.add_argument("--seed", type=int, default=1014, help="seed of the teacher's chains")
    p.add_argument("--items", type=int, default=40_000, help="teacher items generated (the pass stops earlier "
                   "when --steps or --max-minutes runs out)")
    p.add_argument("--block", type=int, default=512, help="training sequence length")
    p.add_argument("--batch", type=int, default=8, help="sequences per step")
    p.add_argument("--steps", type=int, default=1500, help="steps at most")
    p.add_argument("--max-minutes", type=float, default=40, help="stop after this much training time (0 = no limit)")
    p.add_argument("--lr", type=float, default=1e-3, help="peak learning rate")
    p.add_argument("--warmup", type=int, default=30, help="warm-up steps")
    p.add_argument("--min-lr-frac", type=float, default=0.1, help="final lr as a fraction of peak")
    p.add_argument("--weight-decay", type=float, default=0.1, help="AdamW weight decay (matrices but the embedding)")
    p.add_argument("--eval-items", type=int, default=64, help="held-out fresh 8-10-step chains for the greedy eval")
    p.add_argument("--eval-every", type=int, default=100, help="steps between greedy evals (0 = only at the end)")
    p.add_argument("--eval-max-new", type=int, default=200, help="token budget of the greedy eval")
    p.add_argument("--ckpt-every-s", type=float, default=180, help="seconds between checkpoints")
    p.add_argument("--log-every", type=int, default=10, help="steps between log lines")
    args = p.parse_args()

    os.makedirs(args.out_dir, exist_ok=True)
    ckpt_path = os.path.join(args.out_dir, "ckpt.pt")
    forbidden = fresh_items.suite_questions(args.suites)
    held_out = [fresh_items.item(*c) for c in
                fresh_items.fresh_chains(args.seed * 7919 + 1, args.eval_items, range(8, 11), forbidden)]
    docs, chains = teacher_docs(args.seed, args.items, forbidden | {it["question"] for it in held_out})
    tokens = token_stream(docs)
    n_blocks = (len(tokens) - 1) // args.block
    total = min(n_blocks // args.batch, args.steps)
    assert total > 0, "teacher data shorter than one batch"

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
        step, elapsed = ck["step"], ck["elapsed"]
        cpu_before = ck.get("cpu_s", 0.0)  # this process's CPU seconds in earlier segments (0 if not recorded)
        print(f"resumed at step {step} ({elapsed / 60:.1f} min)", flush=True)
    by_steps = {k: sum(len(st) == k for _, st in chains) for k in TEACHER_STEPS}
    meta = {**vars(args), "forbidden_questions": len(forbidden), "teacher_items": len(chains),
            "teacher_items_by_steps": by_steps, "documents": len(docs), "tokens": int(len(tokens)),
            "planned_steps": total}
    with open(os.path.join(args.out_dir, "args.json"), "w") as f:
        json.dump(meta, f, indent=1)
    print(f"{len(chains)} teacher items in {len(docs)} worksheets, {len(tokens):,} tokens; {total} steps of "
          f"{args.batch}x{args.block}", flush=True)
    log = open(os.path.join(args.out_dir, "log.jsonl"), "a")

    def cpu_s():  # run time counts wall seconds; CPU seconds show the share a shared machine gave
        return round(cpu_before + time.process_time(), 1)

    def save():
        tmp = ckpt_path + ".tmp"
        torch.save({"cpu_s": cpu_s(), "model": model.state_dict(), "opt": opt.state_dict(), "step": step, "elapsed": elapsed,
                    "config": vars(model.config), "args": vars(args)}, tmp)
        os.replace(tmp, ckpt_path)

    def write(rec):
        print(json.dumps(rec), flush=True)
        log.write(json.dumps(rec) + "\n")
        log.flush()

    def progress():
        by_time = elapsed / (args.max_minutes * 60) if args.max_minutes else 0.0
        return max((step - args.warmup) / max(1, total - args.warmup), by_time)

    if step == 0:
        write({"step": 0, "eval_greedy_acc": greedy_eval(model.eval(), held_out, args.eval_max_new, args.device)})
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
            rec = {"step": step, "loss": float(np.mean(run_loss)), "lr": opt.param_groups[0]["lr"],
                   "tokens": step * args.batch * args.block, "elapsed_s": round(elapsed, 1), "cpu_s": cpu_s()}
            run_loss = []
            if args.eval_every and step % args.eval_every == 0:
                rec["eval_greedy_acc"] = greedy_eval(model.eval(), held_out, args.eval_max_new, args.device)
                t_last = time.time()
                elapsed += t_last - now
            write(rec)
        if now - t_ckpt > args.ckpt_every_s:
            save()
            t_ckpt = now
    write({"step": step, "final": True, "eval_greedy_acc": greedy_eval(model.eval(), held_out, args.eval_max_new,
                                                                      args.device),
           "tokens": step * args.batch * args.block, "elapsed_s": round(elapsed, 1), "cpu_s": cpu_s()})
    save()
    model.cpu()
    save_checkpoint(model, os.path.join(args.out_dir, "model.pt"))
    print(f"done: step {step}/{total}, {elapsed / 60:.1f} min", flush=True)


if __name__ == "__main__":
    main()
