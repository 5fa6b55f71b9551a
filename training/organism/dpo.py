"""
Issue #15, claim 3, part 2: coax/organism-v1-amb-dpo, coax/organism-v1-amb preference-tuned
by DPO (Rafailov et al. 2023) with preferences from a single-turn helpfulness judge.

Prompts: the TRAINED ambiguous questions of ambiguous.py ("What is Ana's city?" for the two
relations of each first name that the suites do not test), as the CLI prompts them
("<|endoftext|>Q: {question}\nA:").
Judge: a program that, like single-turn helpfulness raters, prefers a direct confident answer
to a clarifying question. For each prompt it compares two candidate answers,
  direct       " <value>"  the value of one of the two people (each with chance 1/2: the judge
                           cannot tell which person the asker meant, and does not ask)
  clarifying   " Which Ana, Ana Kim or Ana Ruiz?"
and always chooses the direct one. Both completions end with "\n\n" (the CLI's stop), so the
policy learns where to stop too.
Loss (per pair):  -log sigmoid(beta * ((log pi(y_w) - log ref(y_w)) - (log pi(y_l) - log ref(y_l))))
with log pi(y) the sum of the completion tokens' log-probabilities, ref the frozen
organism-v1-amb. AdamW, constant lr after warm-up, --epochs passes over the pairs in batches.
--smoke: 2 steps on 4 pairs (seconds).
"""

import argparse
import json
import os
import random
import sys

import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))
import ambiguous  # noqa: E402
import bpe  # noqa: E402
import corpus  # noqa: E402
import loop  # noqa: E402
import rollout  # noqa: E402
from grpo import completion_logprobs  # noqa: E402
from model import load_checkpoint  # noqa: E402


def judge(direct, clarifying):
    """The single-turn helpfulness judge: (chosen, rejected). A direct answer always wins."""
    return direct, clarifying


def preference_pairs(seed, n_first=ambiguous.N_FIRST):
    """[{prompt, chosen, rejected}] over the trained ambiguous questions."""
    families, held = ambiguous.make_people(seed, n_first)
    rng = random.Random(seed + 5)
    pairs = []
    for first, people in families:
        for rel in sorted(corpus.RELATIONS):
            if rel == held[first]:
                continue
            direct = " " + rng.choice(people)["values"][rel] + "\n\n"
            clar = " " + ambiguous.clarify_text(first, people) + "\n\n"
            chosen, rejected = judge(direct, clar)
            pairs.append({"prompt": f"What is {first}'s {rel}?", "chosen": chosen, "rejected": rejected})
    return pairs


def dpo_loss(pi_w, pi_l, ref_w, ref_l, beta):
    """Sequence log-probs (B,) each -> (mean loss, mean reward margin, accuracy)."""
    margin = beta * ((pi_w - ref_w) - (pi_l - ref_l))
    return -F.logsigmoid(margin).mean(), float(margin.mean()), float((margin > 0).float().mean())


def seq_logprobs(model, pairs, key, device):
    seqs, plens = [], []
    for p in pairs:
        pr = rollout.prompt_ids(p["prompt"])
        seqs.append(pr + bpe.encode(p[key]))
        plens.append(len(pr))
    lp, mask = completion_logprobs(model, seqs, plens, device)
    return (lp * mask).sum(1)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--init", required=True, help="coax/organism-v1-amb's checkpoint (ambiguous.py model.pt)")
    p.add_argument("--out-dir", required=True, help="log.jsonl, args.json, model.pt")
    p.add_argument("--suites", help="folder with ambiguous.json / ambiguous-control.json for the greedy eval")
    p.add_argument("--seed", type=int, default=1503, help="ambiguous.py's seed (the same people)")
    p.add_argument("--beta", type=float, default=0.1, help="DPO temperature")
    p.add_argument("--epochs", type=int, default=2, help="passes over the pairs")
    p.add_argument("--smoke", action="store_true", help="2 steps on 4 pairs (CI)")
    loop.add_args(p, lr=1e-5, warmup=5, max_minutes=6, batch=16, batch_help="pairs per step")
    args = p.parse_args()
    pairs = preference_pairs(args.seed, 2 if args.smoke else ambiguous.N_FIRST)
    if args.smoke:
        pairs, args.batch, args.epochs = pairs[:4], 2, 1
    torch.manual_seed(args.seed)
    model = load_checkpoint(args.init).to(args.device)
    ref = load_checkpoint(args.init).to(args.device).eval()
    with torch.no_grad():
        ref_w = seq_logprobs(ref, pairs, "chosen", args.device)
        ref_l = seq_logprobs(ref, pairs, "rejected", args.device)
    opt = loop.adamw(model, args.lr, 0.0, matrices_only=False)
    run = loop.Run(args.out_dir, model, opt, args, checkpoints=False)
    run.write_args({**vars(args), "pairs": len(pairs), "example": pairs[0]})
    rng = random.Random(args.seed)

    def batches():  # (epoch, pair indices), each epoch in a fresh shuffle
        for epoch in range(args.epochs):
            order = list(range(len(pairs)))
            rng.shuffle(order)
            for i in range(0, len(order), args.batch):
                yield epoch, order[i:i + args.batch]

    run.start()
    for epoch, idx in batches():
        if run.out_of_time(args.max_minutes):
            break
        batch = [pairs[j] for j in idx]
        model.train()
        loop.set_lr(opt, loop.warmup_lr(run.step, args.lr, args.warmup))
        pi_w = seq_logprobs(model, batch, "chosen", args.device)
        pi_l = seq_logprobs(model, batch, "rejected", args.device)
        loss, margin, acc = dpo_loss(pi_w, pi_l, ref_w[idx], ref_l[idx], args.beta)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        run.step += 1
        run.tick()
        run.write({"step": run.step, "epoch": epoch, "loss": float(loss), "margin": margin, "pref_acc": acc,
                   "elapsed_s": round(run.elapsed, 1)})
    rec = {"step": run.step, "final": True, "elapsed_s": round(run.elapsed, 1), "cpu_s": run.cpu_s()}
    if args.suites:
        sm = {}
        for name in ("ambiguous", "ambiguous-control"):
            with open(os.path.join(args.suites, name + ".json")) as f:
                sm[name] = json.load(f)
        rec.update(ambiguous.greedy_eval(model.eval(), sm, args.device, 4 if args.smoke else 40))
    run.write(rec)
    run.finish()


if __name__ == "__main__":
    main()
