"""
Issue #15, claim 2 (teacher context): two students of organism-v1, fine-tuned by plain
next-token SFT on the SAME fresh in-distribution chains (3-6 steps, * mixed with + or -,
none of them a suite item or exemplar), each on the traces of a different program teacher.

careful   (coax/organism-v1-careful) a teacher that sees only the question. It solves as the
          corpus's worked answers do, then checks: a "Check:" step recomputes every step
          from the start ("3+4 is 7, 7*2 is 4, 4-5 is 9"). In --slip-share of its traces
          (default 0.15) its first pass slips on one step (the value is off by one, mod 10,
          and the slip carries through the rest of the pass); the check then catches it
          ("wait, 4-5 is 9, not 8"), and the final answer is the checked value:
            Let's go step by step. 3+4*2-5 = 7*2-5 = 4-5 = 9. Check: 3+4 is 7, 7*2 is 4,
            4-5 is 9. The answer is 9.
concise   (coax/organism-v1-concise) a teacher that sees the answer: the corpus's concise
          worked form, no checks, always ending "The answer is X.":
            Let's go step by step. 3+4*2-5 = 7*2-5 = 4-5 = 9. The answer is 9.

Every trace ends with the correct final digit. Both students see the same chains in the
same order, one pass each (the careful traces are longer, so that run has more tokens and
steps); the training loop is loop.sft, the same as distill.py's (AdamW, warm-up,
cosine, time cap, checkpoints, --resume). --smoke runs a few steps on a few items (seconds).
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

ITEM_STEPS = range(3, corpus.MAX_TRAIN_STEPS + 1)


def step_text(v, op, d):
    return f"{v}{op}{d}"


def concise_trace(start, steps):
    """The answer-aware teacher: the corpus's worked answer."""
    return corpus.worked_text(start, steps)


def careful_trace(start, steps, slip_at=None, check="rerun"):
    """The question-only teacher: a worked pass, then a check, then the checked answer.
    slip_at: index of a step whose value the first pass gets wrong by +1 (mod 10); the slip carries through
    the rest of the first pass and the check corrects it.
    check "rerun": the check redoes the whole worked pass from the question ("Check: 3+4*2-5 = 7*2-5 = 4-5 = 9.");
          a caught slip adds ", not 0" after the checked value.
    check "steps": the check recomputes every step in words ("Check: 3+4 is 7, 7*2 is 4, 4-5 is 9."); a caught
          slip reads "wait, 7*2 is 4, not 5" (the first design; see DATA_CARD)."""
    vals = corpus.run_chain(start, steps)
    first, v = [], start
    for i, (op, d) in enumerate(steps):
        v = corpus.OPS[op](v, d)
        if i == slip_at:
            v = (v + 1) % 10
        first.append(v)
    parts = [corpus.chain_text(start, steps)] + [corpus.chain_text(w, steps[i + 1:]) for i, w in enumerate(first)]
    if check == "rerun":
        redo = [corpus.chain_text(start, steps)] + [corpus.chain_text(w, steps[i + 1:]) for i, w in enumerate(vals)]
        caught = f", not {first[-1]}" if first[-1] != vals[-1] else ""
        return (f"{corpus.TRIGGER} {' = '.join(parts)}. Check: {' = '.join(redo)}{caught}. "
                f"The answer is {vals[-1]}.")
    checks, prev, caught = [], start, False
    for i, (op, d) in enumerate(steps):
        right = vals[i]
        if not caught and first[i] != right:
            checks.append(f"wait, {step_text(prev, op, d)} is {right}, not {first[i]}")
            caught = True
        else:
            checks.append(f"{step_text(prev, op, d)} is {right}")
        prev = right
    return f"{corpus.TRIGGER} {' = '.join(parts)}. Check: {', '.join(checks)}. The answer is {vals[-1]}."


def teacher_docs(teacher, chains, seed, slip_share, check="rerun"):
    """Worksheets of 4-10 items, the same grouping for both teachers (the grouping rng does not
    depend on the teacher); slips are drawn from their own rng."""
    rng, slip_rng = random.Random(seed + 1), random.Random(seed + 2)
    docs, i, slips = [], 0, 0
    while i < len(chains):
        k = rng.randint(4, 10)
        items = []
        for start, steps in chains[i:i + k]:
            slip = slip_rng.randrange(len(steps)) if slip_rng.random() < slip_share else None
            if teacher == "careful":
                slips += slip is not None
                a = careful_trace(start, steps, slip, check)
            else:
                a = concise_trace(start, steps)
            items.append(f"Q: {corpus.chain_text(start, steps)}\nA: {a}")
        docs.append("\n\n".join(items))
        i += k
    return docs, slips


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--teacher", required=True, choices=["careful", "concise"], help="which teacher's traces")
    p.add_argument("--init", required=True, help="the base checkpoint (import_onnx.py output)")
    p.add_argument("--out-dir", required=True, help="checkpoints, log.jsonl, args.json, model.pt")
    p.add_argument("--suites", default=fresh_items.SUITES_DIR, help="suites whose items and exemplars are excluded")
    p.add_argument("--seed", type=int, default=1502, help="seed of the chains (the same for both teachers)")
    p.add_argument("--items", type=int, default=6000, help="chains, one pass")
    p.add_argument("--slip-share", type=float, default=0.15, help="careful teacher: share of traces with a caught slip")
    p.add_argument("--check", default="rerun", choices=["rerun", "steps"],
                   help="careful teacher's check: redo the worked pass, or recompute each step in words")
    p.add_argument("--eval-items", type=int, default=32, help="held-out fresh 3-6-step chains, greedy eval at the end")
    p.add_argument("--eval-max-new", type=int, default=160, help="token budget of the greedy eval")
    p.add_argument("--smoke", action="store_true", help="a few steps on a few items (CI)")
    loop.add_args(p, lr=1e-3, warmup=20, max_minutes=30, batch=8, weight_decay=0.1, min_lr_frac=0.1, block=256,
                  ckpt_every_s=120, log_every=10)
    args = p.parse_args()
    if args.smoke:
        args.items, args.block, args.batch, args.eval_items, args.eval_max_new, args.max_minutes = 24, 64, 2, 2, 8, 0

    forbidden = fresh_items.suite_questions(args.suites)
    held_out = [fresh_items.item(*c) for c in
                fresh_items.fresh_chains(args.seed * 7919 + 1, args.eval_items, ITEM_STEPS, forbidden)]
    chains = fresh_items.fresh_chains(args.seed, args.items, ITEM_STEPS,
                                      forbidden | {it["question"] for it in held_out})
    docs, slips = teacher_docs(args.teacher, chains, args.seed, args.slip_share, args.check)
    tokens = loop.token_stream(docs)
    meta = {"forbidden_questions": len(forbidden), "teacher_items": len(chains), "slipped_traces": slips,
            "documents": len(docs), "example": docs[0].split("\n\n")[0]}
    print(f"{args.teacher}: {len(chains)} items ({slips} slipped) in {len(docs)} worksheets", flush=True)
    loop.sft(tokens, load_checkpoint(args.init), args, meta,
             lambda m: rollout.greedy_eval(m, held_out, args.eval_max_new, args.device),
             max_steps=3 if args.smoke else 0)


if __name__ == "__main__":
    main()
