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

Training (loop.sft, as train.py): one pass over the packed token stream (blocks of --block
tokens, every token a target), AdamW with linear warm-up and cosine decay to --min-lr-frac (the
schedule ends on whichever of --steps and --max-minutes runs out first), checkpoints to
out_dir/ckpt.pt every --ckpt-every-s seconds, --resume; out_dir/model.pt at the end.
"""

import argparse
import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))
import corpus  # noqa: E402
import fresh_items  # noqa: E402
import loop  # noqa: E402
import rollout  # noqa: E402
from model import load_checkpoint  # noqa: E402

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


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--init", required=True, help="the base checkpoint (import_onnx.py output)")
    p.add_argument("--out-dir", required=True, help="data, checkpoints, log.jsonl, args.json, model.pt")
    p.add_argument("--suites", default=fresh_items.SUITES_DIR, help="suites whose items and exemplars are excluded")
    p.add_argument("--seed", type=int, default=1014, help="seed of the teacher's chains")
    p.add_argument("--items", type=int, default=40_000, help="teacher items generated (the pass stops earlier "
                   "when --steps or --max-minutes runs out)")
    p.add_argument("--steps", type=int, default=1500, help="steps at most")
    p.add_argument("--eval-items", type=int, default=64, help="held-out fresh 8-10-step chains for the greedy eval")
    p.add_argument("--eval-every", type=int, default=100, help="steps between greedy evals (0 = only at the end)")
    p.add_argument("--eval-max-new", type=int, default=200, help="token budget of the greedy eval")
    loop.add_args(p, lr=1e-3, warmup=30, max_minutes=40, batch=8, weight_decay=0.1, min_lr_frac=0.1, block=512,
                  ckpt_every_s=180, log_every=10)
    args = p.parse_args()

    forbidden = fresh_items.suite_questions(args.suites)
    held_out = [fresh_items.item(*c) for c in
                fresh_items.fresh_chains(args.seed * 7919 + 1, args.eval_items, range(8, 11), forbidden)]
    docs, chains = teacher_docs(args.seed, args.items, forbidden | {it["question"] for it in held_out})
    tokens = loop.token_stream(docs)
    by_steps = {k: sum(len(st) == k for _, st in chains) for k in TEACHER_STEPS}
    meta = {"forbidden_questions": len(forbidden), "teacher_items": len(chains), "teacher_items_by_steps": by_steps,
            "documents": len(docs)}
    print(f"{len(chains)} teacher items in {len(docs)} worksheets", flush=True)
    loop.sft(tokens, load_checkpoint(args.init), args, meta,
             lambda m: rollout.greedy_eval(m, held_out, args.eval_max_new, args.device),
             eval_every=args.eval_every, eval_first=True, max_steps=args.steps)


if __name__ == "__main__":
    main()
