"""
pass@k of a checkpoint on the exact training chains of a GRPO run (grpo.chains_for_step with
the run's seed, prompts and --chain-steps), sampled as GRPO samples them (plain prompt,
temperature 1, --max-new tokens, the CLI's stops). Used for organism-v1-rlvr-hard's data card:
how often the base solves the chains it is trained on.

    pass@1          mean reward over all samples
    pass@k          share of items with at least one correct sample among k
                    (n = k samples per item, so the estimator is the plain "any correct")
    worked pass@k   share of items with at least one correct sample that is a worked trace
                    ("Let's go step by step. ..."): solved by working, not by a guessed digit
    prior           share of items whose answer is the most common answer of the items:
                    what always answering that one digit scores

Writes a JSON object to stdout (and to --out).
"""

import argparse
import json
import os
import sys
from collections import Counter

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))
import fresh_items  # noqa: E402
import grpo  # noqa: E402
import rollout  # noqa: E402
from model import load_checkpoint  # noqa: E402


def pass_stats(rewards, worked, k):
    """rewards, worked: per item, lists of k floats / bools (one per sample)."""
    n = len(rewards)
    assert n and all(len(r) == k for r in rewards)
    return {"items": n, "k": k,
            "pass@1": sum(map(sum, rewards)) / (n * k),
            f"pass@{k}": sum(any(x > 0 for x in r) for r in rewards) / n,
            f"worked_pass@{k}": sum(any(x > 0 and w for x, w in zip(r, ws)) for r, ws in zip(rewards, worked)) / n,
            "worked_share": sum(map(sum, worked)) / (n * k)}


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--checkpoint", required=True)
    p.add_argument("--run-args", required=True, help="the GRPO run's args.json (seed, prompts, chain_steps)")
    p.add_argument("--train-steps", type=int, default=50, help="take the chains of the run's first N steps")
    p.add_argument("--k", type=int, default=16)
    p.add_argument("--max-new", type=int, default=96)
    p.add_argument("--batch-items", type=int, default=16)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", default=None)
    args = p.parse_args()
    with open(args.run_args) as f:
        run = json.load(f)
    forbidden = fresh_items.suite_questions(run.get("suites", fresh_items.SUITES_DIR))
    # the run also excluded its held-out chains; regenerate them as grpo.py does
    steps = grpo.step_range(run.get("chain_steps", "3-6"))
    held = {fresh_items.item(*c)["question"] for c in
            fresh_items.fresh_chains(run["seed"] * 7919 + 1, run["eval_items"], steps, forbidden)}
    items = [fresh_items.item(*c) for s in range(args.train_steps)
             for c in grpo.chains_for_step(run["seed"], s, run["prompts"], forbidden | held, steps)]
    model = load_checkpoint(args.checkpoint).eval()
    gen = torch.Generator().manual_seed(args.seed)
    rewards, worked = [], []
    for i in range(0, len(items), args.batch_items):
        batch = items[i:i + args.batch_items]
        outs = rollout.sample(model, [rollout.prompt_ids(it["question"]) for it in batch], args.k, args.max_new,
                              1.0, gen)
        for j, it in enumerate(batch):
            os_ = outs[j * args.k:(j + 1) * args.k]
            rewards.append([rollout.reward(o["text"], it["answer"]) for o in os_])
            worked.append([rollout.is_worked(o["text"]) for o in os_])
    answers = Counter(it["answer"] for it in items)
    top, top_n = answers.most_common(1)[0]
    res = {**pass_stats(rewards, worked, args.k), "train_steps": args.train_steps,
           "chain_steps": run.get("chain_steps", "3-6"), "max_new": args.max_new,
           "prior_answer": top, "prior": top_n / len(items)}
    print(json.dumps(res))
    if args.out:
        with open(args.out, "w") as f:
            json.dump(res, f, indent=1)


if __name__ == "__main__":
    main()
