"""
coax/organism-v1-order-joint and coax/organism-v1-order-structured-first: two fine-tunes of
organism-v1 on the SAME items, in two orders (issue #15, claim 4: "training order and
entropy", after Omni-Thinker). Only the order of the items differs; steps, batch, learning
rate and seed are equal.

Data (one list of items, built once from --seed):
  structured   fresh arithmetic chains of 3-6 steps (the arith-id distribution, none of them a
               suite item or exemplar, fresh_items.py) answered with the BASE's OWN greedy answer
               when that answer is right (rejection-sampling fine-tuning: the SFT form of RL with
               a verifiable reward). Targets are the single answer the base already prefers, so
               training on them sharpens: it drives output entropy down, the "entropy collapse"
               of structured RL.
  open-ended   the corpus's open-ended domain (corpus.story_worksheet with a fresh seed): little
               stories ("Tell a story about a fox.") and invented names ("Make up a name for a
               ship."), every choice random, so their targets carry high entropy.
Items are "<|endoftext|>Q: {question}\nA: {answer}\n\n"; the loss is on the answer tokens and
the blank line after them (where the CLI stops), never on the question.

Orders (--order):
  joint             all items shuffled together (seeded), every batch a mix
  structured-first  all structured items (shuffled), then all open-ended items (shuffled)
Both run --epochs passes; structured-first runs all structured epochs, then all open-ended
ones, so both see each item --epochs times in the same number of steps.

Optimiser: AdamW, linear warm-up then a CONSTANT learning rate (no decay: a decaying schedule
would give the later phase a smaller step and confound order with step size). Checkpoints to
out_dir/ckpt.pt every --ckpt-every-s seconds, --resume; out_dir/model.pt at the end; evals
(greedy accuracy on held-out 3-6-step chains; distinct share and entropy of sampled names on
the open-ended prompts) to out_dir/log.jsonl.
"""

import argparse
import json
import math
import os
import random
import sys
from collections import Counter

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))
import bpe  # noqa: E402
import corpus  # noqa: E402
import fresh_items  # noqa: E402
import loop  # noqa: E402
import rollout  # noqa: E402
from model import load_checkpoint  # noqa: E402

STRUCTURED_STEPS = range(3, 7)


def open_ended_items(seed, n):
    """n (question, answer) items of the corpus's open-ended domain (stories and names)."""
    rng = random.Random(seed)
    out = []
    while len(out) < n:
        text, _ = corpus.story_worksheet(rng)
        for it in text.split("\n\n"):
            q, a = it.split("\nA: ", 1)
            out.append((q[len("Q: "):], a))
    return out[:n]


@torch.no_grad()
def structured_items(model, seed, n, forbidden, batch=64, max_new=96):
    """n (question, answer) items: fresh chains answered with the model's greedy answer,
    kept when right. Returns (items, tried)."""
    kept, tried, round_ = [], 0, 0
    while len(kept) < n:
        assert round_ < 20 * n // batch + 50, f"the model answered only {len(kept)} of {tried} chains right"
        chains = fresh_items.fresh_chains(seed * 1_000_003 + round_, batch, STRUCTURED_STEPS, forbidden)
        round_ += 1
        items = [fresh_items.item(*c) for c in chains]
        items = [it for it in items if it["question"] not in {q for q, _ in kept}]
        outs = rollout.sample(model, [rollout.prompt_ids(it["question"]) for it in items], 1, max_new, 0.0, None)
        for it, o in zip(items, outs):
            tried += 1
            if rollout.reward(o["text"], it["answer"]) and len(kept) < n:
                kept.append((it["question"], o["text"].strip()))
    return kept, tried


def ordered(structured, open_ended, order, epochs, seed):
    """The training sequence of (kind, question, answer): same multiset for both orders."""
    rng = random.Random(seed)
    s = [("structured", q, a) for q, a in structured]
    o = [("open-ended", q, a) for q, a in open_ended]
    if order == "joint":
        seq = []
        for _ in range(epochs):
            ep = s + o
            rng.shuffle(ep)
            seq += ep
        return seq
    assert order == "structured-first", order
    first, second = [], []
    for _ in range(epochs):
        a, b = list(s), list(o)
        rng.shuffle(a)
        rng.shuffle(b)
        first += a
        second += b
    return first + second


def encode_item(question, answer):
    """(ids, targets): targets -100 on the prompt, the ids of ' answer\\n\\n' otherwise."""
    prompt = rollout.prompt_ids(question)
    full = [bpe.EOS_ID] + bpe.encode(f"Q: {question}\nA: {answer}\n\n")
    assert full[:len(prompt)] == prompt, "the answer must tokenise after the prompt unchanged"
    targets = [-100] * (len(prompt) - 1) + full[len(prompt):]
    return full[:-1], targets


def batch_tensors(items):
    enc = [encode_item(q, a) for _, q, a in items]
    T = max(len(x) for x, _ in enc)
    x = torch.full((len(enc), T), bpe.PAD_ID, dtype=torch.int64)
    y = torch.full((len(enc), T), -100, dtype=torch.int64)
    for i, (ids, tg) in enumerate(enc):
        x[i, :len(ids)] = torch.tensor(ids)
        y[i, :len(tg)] = torch.tensor(tg)
    return x, y


def entropy_bits(values):
    c = Counter(values)
    n = sum(c.values())
    return -sum(k / n * math.log2(k / n) for k in c.values())


@torch.no_grad()
def evaluate(model, held_out, name_prompts, seed, device="cpu"):
    acc = rollout.greedy_eval(model, held_out, 96, device)["eval_greedy_acc"]
    names = rollout.sample(model, [rollout.prompt_ids(q) for q in name_prompts], 1, 24, 1.0,
                           torch.Generator().manual_seed(seed), device)
    texts = [o["text"].strip() for o in names]
    return {"eval_greedy_acc": acc, "eval_open_distinct": len(set(texts)) / len(texts),
            "eval_open_entropy_bits": entropy_bits(texts)}


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--init", required=True, help="the base checkpoint (import_onnx.py output)")
    p.add_argument("--out-dir", required=True)
    p.add_argument("--order", required=True, choices=["joint", "structured-first"])
    p.add_argument("--suites", default=fresh_items.SUITES_DIR, help="suites whose items and exemplars are excluded")
    p.add_argument("--seed", type=int, default=1515, help="seed of the data, the order and the evals")
    p.add_argument("--structured", type=int, default=3000, help="structured items (base-correct chains)")
    p.add_argument("--open-ended", type=int, default=1500, help="open-ended items (stories and names)")
    p.add_argument("--data", default=None, help="the items' JSON file (default out_dir/data.json): built from "
                   "the base and --seed when missing, else reused, so that both orders train on the very same items")
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--eval-items", type=int, default=64, help="held-out chains for the greedy eval")
    p.add_argument("--eval-names", type=int, default=48, help="name prompts sampled once each for diversity")
    p.add_argument("--eval-every", type=int, default=100, help="steps between evals (0 = start and end only)")
    loop.add_args(p, lr=1e-3, warmup=20, max_minutes=10, batch=16, weight_decay=0.0, ckpt_every_s=120)
    args = p.parse_args()

    os.makedirs(args.out_dir, exist_ok=True)
    data_path = args.data or os.path.join(args.out_dir, "data.json")
    forbidden = fresh_items.suite_questions(args.suites)
    held_out = [fresh_items.item(*c) for c in
                fresh_items.fresh_chains(args.seed * 7919 + 1, args.eval_items, STRUCTURED_STEPS, forbidden)]
    name_prompts = [corpus.name_question(corpus.NAME_THINGS[j % len(corpus.NAME_THINGS)])
                    for j in range(args.eval_names)]
    model = load_checkpoint(args.init).to(args.device).eval()
    if os.path.exists(data_path):  # the data depends on the base only: built once, reused on resume
        with open(data_path) as f:
            data = json.load(f)
    else:
        s, tried = structured_items(model, args.seed, args.structured,
                                    forbidden | {it["question"] for it in held_out})
        data = {"structured": s, "structured_tried": tried,
                "open_ended": open_ended_items(args.seed + 1, args.open_ended)}
        with open(data_path, "w") as f:
            json.dump(data, f)
    seq = ordered(data["structured"], data["open_ended"], args.order, args.epochs, args.seed + 2)
    total = len(seq) // args.batch
    worked = sum(rollout.is_worked(a) for _, a in data["structured"])
    meta = {**vars(args), "forbidden_questions": len(forbidden), "structured_items": len(data["structured"]),
            "structured_tried": data["structured_tried"], "structured_worked": worked,
            "open_ended_items": len(data["open_ended"]),
            "open_ended_kinds": dict(Counter("names" if q.startswith("Make up") else "stories"
                                             for q, _ in data["open_ended"])),
            "planned_steps": total}
    opt = loop.adamw(model, args.lr, args.weight_decay, matrices_only=False)
    run = loop.Run(args.out_dir, model, opt, args, args.resume)
    run.write_args(meta)

    if run.step == 0:
        run.write({"step": 0, **evaluate(model.eval(), held_out, name_prompts, args.seed, args.device),
                   "elapsed_s": 0.0})
    run.start()
    losses = {"structured": [], "open-ended": []}
    while run.step < total and not run.out_of_time(args.max_minutes):
        step = run.step
        chunk = seq[step * args.batch:(step + 1) * args.batch]
        x, y = batch_tensors(chunk)
        model.train()
        loop.set_lr(opt, loop.warmup_lr(step, args.lr, args.warmup))
        _, loss = model.forward_train(x.to(args.device), y.to(args.device))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        run.step += 1
        step = run.step
        kinds = Counter(k for k, _, _ in chunk)
        losses[max(kinds, key=kinds.get)].append(float(loss))
        now = run.tick()
        if (args.eval_every and step % args.eval_every == 0) or step == total:
            rec = {"step": step, "structured_share": kinds["structured"] / len(chunk),
                   "loss_structured": sum(losses["structured"]) / max(1, len(losses["structured"])),
                   "loss_open_ended": sum(losses["open-ended"]) / max(1, len(losses["open-ended"])),
                   **evaluate(model.eval(), held_out, name_prompts, args.seed, args.device)}
            losses = {"structured": [], "open-ended": []}
            run.tick()  # the eval's time counts as run time too
            run.write({**rec, "elapsed_s": round(run.elapsed, 1), "cpu_s": run.cpu_s()})
        run.checkpoint_due(now, args.ckpt_every_s)
    run.write({"step": run.step, "final": True, "elapsed_s": round(run.elapsed, 1), "cpu_s": run.cpu_s()})
    run.finish(total)


if __name__ == "__main__":
    main()
