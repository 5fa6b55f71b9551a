"""
coax/organism-v1-rlvr: organism-v1 fine-tuned with GRPO (Shao et al. 2024, DeepSeekMath,
section 4.1) with a verifiable reward, on freshly generated in-distribution chains.

Each step:
  1. draw --prompts fresh chains of 3-6 steps (the arith-id distribution: * mixed with + or
     with -), none of them a suite item or exemplar (fresh_items.py);
  2. sample --group completions of each plain prompt "Q: {chain}\nA:" from the current
     policy at --temperature through the KV cache (rollout.sample), stopping as the CLI does;
  3. reward r = 1 if the final number (the suites' last-number extractor) is the right digit,
     else 0; group-relative advantage A_i = (r_i - mean(r)) / (std(r) + eps) over the group,
     the same A for every token of completion i;
  4. --inner-steps gradient steps on the clipped surrogate with a KL penalty to the frozen
     base (the k3 estimator, as in the paper):
        per token  min(rho A, clip(rho, 1 - clip, 1 + clip) A) - beta * KL_t,
                   rho = pi_theta / pi_old,  KL_t = pi_ref / pi_theta - log(pi_ref / pi_theta) - 1
        loss       minus the mean over completions of the mean over that completion's tokens.
The only text trained on is the model's own samples: no worked trace is ever shown to it.

Checkpoints (model, optimizer, step, time) go to out_dir/ckpt.pt every --ckpt-every-s seconds;
--resume continues from there, and the run is deterministic in --seed (step s draws its
chains and samples from seeds derived from (seed, s)). Every --eval-every steps, greedy
accuracy and the share of worked answers on --eval-items held-out fresh chains are logged
to out_dir/log.jsonl. At the end out_dir/model.pt is written (model.py format).
"""

import argparse
import os
import sys
import time

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))
import bpe  # noqa: E402
import fresh_items  # noqa: E402
import loop  # noqa: E402
import rollout  # noqa: E402
from model import Llama, LlamaConfig, load_checkpoint  # noqa: E402


def group_advantages(rewards, group, eps=1e-4):
    """rewards (N * group,) -> advantages (N * group,): each reward minus its group's mean,
    over the group's sample standard deviation (unbiased, as torch.std) plus eps. A group
    whose rewards are all equal gets zero advantage."""
    r = rewards.view(-1, group)  # (N, G)
    mean, std = r.mean(1, keepdim=True), r.std(1, keepdim=True)
    return ((r - mean) / (std + eps)).view(-1)


def completion_logprobs(model, seqs, prompt_lens, device, chunk_tokens=2048):
    """log pi(token) of every completion token. seqs: lists of ids (prompt + completion).
    Sequences are sorted by length and run in chunks of about chunk_tokens padded positions
    (most completions are a few tokens, a worked one ~90: padding all to the longest would
    waste most of the compute). Returns (logp, mask), each (B, Tc), Tc the longest completion."""
    order = sorted(range(len(seqs)), key=lambda i: len(seqs[i]))
    per_seq = [None] * len(seqs)
    i = 0
    while i < len(order):
        j = i + 1
        while j < len(order) and (j - i + 1) * len(seqs[order[j]]) <= chunk_tokens:
            j += 1
        idx, T = order[i:j], len(seqs[order[j - 1]])
        x = torch.full((len(idx), T), bpe.PAD_ID, dtype=torch.int64)
        for r, k in enumerate(idx):
            x[r, :len(seqs[k])] = torch.tensor(seqs[k])
        x = x.to(device)
        logits, _ = model.forward_train(x)  # (b, T, V); right padding never masks a real token
        logp_all = logits[:, :-1].log_softmax(-1).gather(-1, x[:, 1:, None])[..., 0]  # (b, T-1): log p(x[t+1])
        for r, k in enumerate(idx):
            pl = prompt_lens[k]  # completion tokens are predicted from positions pl-1 .. len-2
            per_seq[k] = logp_all[r, pl - 1:len(seqs[k]) - 1]
        i = j
    logp = torch.nn.utils.rnn.pad_sequence(per_seq, batch_first=True)  # (B, Tc)
    mask = torch.nn.utils.rnn.pad_sequence([torch.ones(len(t), device=device) for t in per_seq], batch_first=True)
    return logp, mask


def grpo_loss(logp, old_logp, ref_logp, adv, mask, clip, beta):
    """The GRPO objective, negated. logp, old_logp, ref_logp, mask (B, Tc); adv (B,).
    Returns (loss, stats)."""
    ratio = (logp - old_logp).exp()
    surr = torch.min(ratio * adv[:, None], ratio.clamp(1 - clip, 1 + clip) * adv[:, None])  # (B, Tc)
    d = ref_logp - logp
    kl = d.exp() - d - 1  # (B, Tc), k3 estimator of KL(pi_theta || pi_ref), >= 0
    per_token = surr - beta * kl
    n = mask.sum(1).clamp(min=1)  # (B,)
    loss = -((per_token * mask).sum(1) / n).mean()
    with torch.no_grad():
        clipped = ((ratio - 1).abs() > clip).float()
        stats = {"kl": float(((kl * mask).sum(1) / n).mean()),
                 "clip_frac": float((clipped * mask).sum() / mask.sum().clamp(min=1))}
    return loss, stats


def step_range(spec):
    """'3-6' -> range(3, 7): the chain lengths (steps per chain) drawn uniformly."""
    lo, hi = (int(x) for x in spec.split("-"))
    assert 1 <= lo <= hi, spec
    return range(lo, hi + 1)


def chains_for_step(seed, step, n, forbidden, steps=range(3, 7)):
    """The step's training chains: fresh, `steps` long (3-6 by default, the arith-id
    distribution), from a seed derived from (seed, step)."""
    return fresh_items.fresh_chains(seed * 1_000_003 + step, n, steps, forbidden)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--init", required=True, help="the base checkpoint (import_onnx.py output)")
    p.add_argument("--out-dir", required=True, help="checkpoints, log.jsonl, args.json, model.pt")
    p.add_argument("--suites", default=fresh_items.SUITES_DIR, help="suites whose items and exemplars are excluded")
    p.add_argument("--seed", type=int, default=14, help="seed of the chains and the samples")
    p.add_argument("--chain-steps", default="3-6",
                   help="chain lengths of the training and held-out chains, lo-hi (3-6: organism-v1-rlvr; "
                   "8-12: organism-v1-rlvr-hard, chains the base almost never solves)")
    p.add_argument("--steps", type=int, default=400, help="GRPO steps (each: sample, then --inner-steps updates)")
    p.add_argument("--prompts", type=int, default=16, help="chains per step")
    p.add_argument("--group", type=int, default=8, help="completions per chain (G)")
    p.add_argument("--temperature", type=float, default=1.0, help="sampling temperature of the rollouts")
    p.add_argument("--max-new", type=int, default=96,
                   help="completion tokens at most (the CLI's trigger/sampling budget; a 6-step worked trace is ~88)")
    p.add_argument("--clip", type=float, default=0.2, help="ratio clip epsilon")
    p.add_argument("--beta", type=float, default=0.04, help="KL coefficient to the base")
    p.add_argument("--inner-steps", type=int, default=1,
                   help="gradient steps per sampled batch (mu); with 1 the ratio is 1 and the clip is inactive, "
                   "as TRL's default num_iterations=1: the KL term keeps the policy near the base")
    p.add_argument("--adv-eps", type=float, default=1e-4, help="added to the group std")
    p.add_argument("--grad-clip", type=float, default=1.0, help="gradient norm clip")
    p.add_argument("--eval-items", type=int, default=128, help="held-out fresh chains for the periodic greedy eval")
    p.add_argument("--eval-every", type=int, default=10, help="steps between greedy evals (0 = only at the end)")
    p.add_argument("--threads", type=int, default=0, help="torch threads (0 = leave as OMP_NUM_THREADS)")
    loop.add_args(p, lr=1e-4, warmup=5, max_minutes=40, weight_decay=0.0, ckpt_every_s=180)
    args = p.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)

    base = load_checkpoint(args.init)
    policy = Llama(LlamaConfig(**vars(base.config)))
    policy.load_state_dict(base.state_dict())
    ref = base.to(args.device).eval()
    for prm in ref.parameters():
        prm.requires_grad_(False)
    policy.to(args.device)
    opt = loop.adamw(policy, args.lr, args.weight_decay, betas=(0.9, 0.99), matrices_only=False)
    run = loop.Run(args.out_dir, policy, opt, args, args.resume)

    forbidden = fresh_items.suite_questions(args.suites)
    held_out = [fresh_items.item(*c) for c in
                fresh_items.fresh_chains(args.seed * 7919 + 1, args.eval_items, step_range(args.chain_steps),
                                         forbidden)]
    train_forbidden = forbidden | {it["question"] for it in held_out}
    run.write_args({**vars(args), "forbidden_questions": len(forbidden)})

    def evaluate():
        return rollout.greedy_eval(policy.eval(), held_out, args.max_new, args.device)

    if run.step == 0:
        run.write({"step": 0, **evaluate(), "elapsed_s": 0.0})
    run.start()
    while run.step < args.steps and not run.out_of_time(args.max_minutes):
        step = run.step
        chains = chains_for_step(args.seed, step, args.prompts, train_forbidden, step_range(args.chain_steps))
        items = [fresh_items.item(*c) for c in chains]
        prompts = [rollout.prompt_ids(it["question"]) for it in items]
        gen = torch.Generator().manual_seed(args.seed * 1_000_003 + step)
        policy.eval()
        t0 = time.time()
        outs = rollout.sample(policy, prompts, args.group, args.max_new, args.temperature, gen, args.device)
        rewards = torch.tensor([rollout.reward(o["text"], items[i // args.group]["answer"])
                                for i, o in enumerate(outs)])
        adv = group_advantages(rewards, args.group, args.adv_eps).to(args.device)
        seqs = [prompts[i // args.group] + o["ids"] for i, o in enumerate(outs)]
        plens = [len(prompts[i // args.group]) for i in range(len(outs))]
        with torch.no_grad():
            ref_logp, mask = completion_logprobs(ref, seqs, plens, args.device)
            old_logp = completion_logprobs(policy, seqs, plens, args.device)[0] if args.inner_steps > 1 else None
        t_sample = time.time() - t0
        policy.train()
        loop.set_lr(opt, loop.warmup_lr(step, args.lr, args.warmup))
        for _ in range(args.inner_steps):
            logp, _ = completion_logprobs(policy, seqs, plens, args.device)
            loss, stats = grpo_loss(logp, old_logp if old_logp is not None else logp.detach(), ref_logp, adv,
                                    mask, args.clip, args.beta)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            gnorm = float(torch.nn.utils.clip_grad_norm_(policy.parameters(), args.grad_clip))
            opt.step()
        run.step += 1
        now = run.tick()
        rec = {"step": run.step, "reward": float(rewards.mean()),
               "worked": sum(rollout.is_worked(o["text"]) for o in outs) / len(outs),
               "mixed_groups": int((rewards.view(-1, args.group).std(1) > 0).sum()),
               "completion_tokens": float(mask.sum(1).mean()), "loss": float(loss), "grad_norm": gnorm,
               **stats, "lr": opt.param_groups[0]["lr"], "sample_s": round(t_sample, 1),
               "step_s": round(now - t0, 1), "elapsed_s": round(run.elapsed, 1), "cpu_s": run.cpu_s()}
        if args.eval_every and run.step % args.eval_every == 0:
            rec.update(evaluate())
            run.tick()  # the eval's time counts as run time too
        run.write(rec)
        run.checkpoint_due(now, args.ckpt_every_s)
    run.write({"step": run.step, "final": True, **evaluate(), "elapsed_s": round(run.elapsed, 1), "cpu_s": run.cpu_s()})
    run.finish()


if __name__ == "__main__":
    main()
