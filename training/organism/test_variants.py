"""
Checks for the organism's variants (grpo.py, distill.py and their helpers): GRPO advantages
and objective against hand-computed values, the chunked log-probs against one pass, the
KV-cached sampler against full forwards, the answer extractor (extract.ts's last-number),
the teacher's traces re-derived by an independent evaluator, every training chain disjoint
from every suite item and exemplar, and the ONNX import's logit parity.
Run:  OMP_NUM_THREADS=1 /usr/bin/python3 training/organism/test_variants.py
"""

import json
import math
import os
import re
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))
import bpe  # noqa: E402
import distill  # noqa: E402
import fresh_items  # noqa: E402
import grpo  # noqa: E402
import import_onnx  # noqa: E402
import loop  # noqa: E402
import order  # noqa: E402
import pass_at_k  # noqa: E402
import rollout  # noqa: E402
from model import Llama, LlamaConfig, init_weights  # noqa: E402
from testing import run_tests  # noqa: E402

ROOT = os.path.join(HERE, "..", "..")
MODELS = os.path.join(ROOT, "public", "models", "coax")


def close(a, b, tol=1e-5):
    return abs(a - b) <= tol


def tiny_model(seed=0):
    m = Llama(LlamaConfig(vocab_size=bpe.VOCAB_SIZE, hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                          num_attention_heads=2, num_key_value_heads=2, max_position_embeddings=128,
                          tie_word_embeddings=False))
    init_weights(m, seed, embed_std=1.0, linear_std=0.3)
    return m.eval()


# ---------------------------------------------------------------- GRPO

def test_group_advantages_hand_values():
    # group 1: rewards 1,0,0,0: mean 1/4, sample std sqrt((9/16 + 3/16) / 3) = 1/2
    # group 2: rewards 1,1,0,0: mean 1/2, sample std sqrt((4 * 1/4) / 3) = 0.5773503
    # group 3: rewards all 1: std 0, advantage 0
    r = torch.tensor([1., 0, 0, 0, 1, 1, 0, 0, 1, 1, 1, 1])
    a = grpo.group_advantages(r, 4, eps=1e-4).tolist()
    want = [0.75 / 0.5001, -0.25 / 0.5001, -0.25 / 0.5001, -0.25 / 0.5001,
            0.5 / 0.5774503, 0.5 / 0.5774503, -0.5 / 0.5774503, -0.5 / 0.5774503, 0, 0, 0, 0]
    assert all(close(x, y, 1e-4) for x, y in zip(a, want)), (a, want)
    assert close(want[0], 1.49970006, 1e-6) and close(want[4], 0.86587, 1e-4)


def test_grpo_loss_hand_values():
    # two completions: the first 2 tokens long, the second 1 (its 2nd slot is padding)
    mask = torch.tensor([[1., 1.], [1., 0.]])
    adv = torch.tensor([1.0, -1.0])
    logp = torch.log(torch.tensor([[0.5, 0.25], [0.5, 0.9]]))
    # ratio: token (0,0) exp(0.5) > 1.2 with A = +1 -> clipped to 1.2; token (0,1) ratio 1 -> 1;
    # token (1,0) ratio exp(0.5) with A = -1: min(-1.6487, -1.2) = -1.6487 (unclipped side)
    old = logp - torch.tensor([[0.5, 0.0], [0.5, 0.0]])
    # ref: pi_ref / pi_theta = 2 on token (0,0) -> KL = 2 - ln 2 - 1 = 0.3068528; else equal -> 0
    ref = logp + torch.tensor([[math.log(2), 0.0], [0.0, 0.0]])
    loss, stats = grpo.grpo_loss(logp, old, ref, adv, mask, clip=0.2, beta=0.1)
    kl = 2 - math.log(2) - 1
    seq0 = ((1.2 - 0.1 * kl) + 1.0) / 2
    seq1 = -math.exp(0.5)
    assert close(float(loss), -(seq0 + seq1) / 2, 1e-5), (float(loss), -(seq0 + seq1) / 2)
    assert close(stats["kl"], (kl / 2 + 0) / 2, 1e-6)
    assert close(stats["clip_frac"], 2 / 3, 1e-6)  # 2 of the 3 real tokens are outside [0.8, 1.2]


def test_grpo_gradient_is_the_policy_gradient_at_ratio_one():
    # with old = logp (mu = 1) and beta = 0, d loss / d logp_t = -A_i / (B * n_i) on real tokens
    logp = torch.log(torch.tensor([[0.5, 0.25, 0.1], [0.3, 0.9, 0.2]])).requires_grad_(True)
    mask = torch.tensor([[1., 1., 1.], [1., 1., 0.]])
    adv = torch.tensor([0.7, -1.3])
    loss, _ = grpo.grpo_loss(logp, logp.detach(), logp.detach(), adv, mask, clip=0.2, beta=0.0)
    loss.backward()
    want = torch.tensor([[-0.7 / 6] * 3, [1.3 / 4, 1.3 / 4, 0.0]])
    assert (logp.grad - want).abs().max() < 1e-6, logp.grad


def test_chunked_logprobs_equal_one_pass():
    m = tiny_model(1)
    g = torch.Generator().manual_seed(2)
    seqs = [torch.randint(2, bpe.VOCAB_SIZE, (n,), generator=g).tolist() for n in (5, 9, 17, 6, 30, 12)]
    plens = [3, 4, 2, 5, 10, 6]
    a, ma = grpo.completion_logprobs(m, seqs, plens, "cpu", chunk_tokens=20)
    b, mb = grpo.completion_logprobs(m, seqs, plens, "cpu", chunk_tokens=10**6)
    assert torch.equal(ma, mb) and ma.sum() == sum(len(s) - p for s, p in zip(seqs, plens))
    assert (a - b).abs().max() < 1e-5
    # and against a direct computation for one sequence
    s, p = seqs[4], plens[4]
    logits, _ = m.forward_train(torch.tensor([s]))
    direct = logits[0, :-1].log_softmax(-1)[torch.arange(len(s) - 1), torch.tensor(s[1:])][p - 1:]
    assert (a[4, :len(s) - p] - direct).abs().max() < 1e-5


def test_sampler_matches_full_forward_and_stops_like_the_cli():
    m = tiny_model(3)
    prompts = [[0] + bpe.encode("Q: 3+4\nA:"), [0] + bpe.encode("Q: 9*9-1*2+3\nA:"), [0, 50]]
    outs = rollout.sample(m, prompts, 2, 12, 0.0, None)
    for i, o in enumerate(outs):
        ids = list(prompts[i // 2])
        for t in o["ids"]:  # every greedy token is the argmax of an uncached full forward
            logits, _ = m.forward_train(torch.tensor([ids]))
            assert int(logits[0, -1].argmax()) == t
            ids.append(t)
        assert outs[i]["ids"] == outs[i - i % 2]["ids"]  # a group's greedy rows agree
        text = bpe.decode(o["ids"]).replace("<|endoftext|>", "")
        assert o["text"] == rollout.cut_at_stop(text)[0]
    # sampling is seeded: the same generator seed gives the same rows
    a = rollout.sample(m, prompts, 3, 10, 1.0, torch.Generator().manual_seed(5))
    b = rollout.sample(m, prompts, 3, 10, 1.0, torch.Generator().manual_seed(5))
    assert [o["ids"] for o in a] == [o["ids"] for o in b]
    assert rollout.cut_at_stop(" 7\n\nQ: 1") == (" 7", True)
    assert rollout.cut_at_stop(" 7\nQ: 1") == (" 7", True)
    assert rollout.cut_at_stop(" 7\n3+4") == (" 7\n3+4", False)


def test_last_number_as_extract_ts():
    cases = [
        (" Let's go step by step. 3+4*2-5 = 7*2-5 = 4-5 = 9. The answer is 9.", "9"),
        (" 7", "7"),
        (" = 4-5", "-5"),  # a trace cut mid-step ends on "-5"
        (" 1,234.", "1234"),
        (" 07", "7"),
        (" 3.0", "3"),
        (" $5", "5"),
        (" .. no digits", None),
        ("", None),
        (" 2 and then ..", "2"),
    ]
    for text, want in cases:
        assert rollout.last_number(text) == want, (text, rollout.last_number(text), want)
    assert rollout.reward(" 4-5 = 9.", "9") == 1.0 and rollout.reward(" 4-5", "9") == 0.0


# ---------------------------------------------------------------- teacher

def independent_check(item):
    """Re-derive a worked item with no help from corpus.py; returns its step count."""
    m = re.fullmatch(r"Q: (\S+)\nA: Let's go step by step\. (.+)\. The answer is (\d)\.", item)
    assert m, f"not a worked item: {item!r}"
    question, chain, answer = m.groups()
    parts = chain.split(" = ")
    assert parts[0] == question
    tokens = re.fullmatch(r"(\d)((?:[-+*]\d)+)", question)
    assert tokens, question
    value = int(tokens.group(1))
    steps = re.findall(r"([-+*])(\d)", tokens.group(2))
    table = {"+": lambda a, b: (a + b) % 10, "-": lambda a, b: (a + 10 - b) % 10, "*": lambda a, b: (a * b) % 10}
    for i, (op, d) in enumerate(steps):
        value = table[op](value, int(d))
        rest = "".join(o + x for o, x in steps[i + 1:])
        assert parts[i + 1] == f"{value}{rest}", (item, i)
    assert len(parts) == len(steps) + 1 and int(answer) == value
    ops = {o for o, _ in steps}
    assert ops in ({"+", "*"}, {"-", "*"}), ops
    return len(steps)


def test_teacher_traces_pass_an_independent_evaluator():
    docs, chains = distill.teacher_docs(7, 400, fresh_items.suite_questions())
    items = [it for d in docs for it in d.split("\n\n")]
    assert len(items) == 400 == len(chains)
    counts = {}
    for it in items:
        k = independent_check(it)
        counts[k] = counts.get(k, 0) + 1
    assert set(counts) == {7, 8, 9, 10} and min(counts.values()) > 60, counts
    stream = loop.token_stream(docs)
    assert stream[0] == bpe.EOS_ID and stream[-1] == bpe.EOS_ID
    assert bpe.decode([int(t) for t in stream]).split("<|endoftext|>")[1:-1] == docs


# ---------------------------------------------------------------- disjointness

def shipped_run(name):
    path = os.path.join(MODELS, f"organism-v1-{name}", "data_card.json")
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return json.load(f)["training"]["args"]


def test_training_chains_are_disjoint_from_every_suite():
    forbidden = fresh_items.suite_questions()
    n_items = sum(len(json.load(open(os.path.join(fresh_items.SUITES_DIR, f))).get("items", []))
                  for f in os.listdir(fresh_items.SUITES_DIR) if f.endswith(".json"))
    assert len(forbidden) > 1000 and n_items >= 1900
    # the canonical form catches the spaced arith-ood-format items
    spaced = json.load(open(os.path.join(fresh_items.SUITES_DIR, "arith-ood-format.json")))["items"][0]["question"]
    assert " " in spaced and spaced.replace(" ", "") in forbidden
    # a forbidden chain is never drawn even when the generator would produce it
    free = fresh_items.fresh_chains(0, 50, range(3, 7), set())
    q0 = fresh_items.item(*free[0])["question"]
    assert q0 not in {fresh_items.item(*c)["question"] for c in fresh_items.fresh_chains(0, 50, range(3, 7), {q0})}
    # every chain of the shipped runs (regenerated from their recorded seeds), else of the defaults
    rl = shipped_run("rlvr") or {"seed": 14, "prompts": 16}
    rl_steps = shipped_run("rlvr") and json.load(open(os.path.join(MODELS, "organism-v1-rlvr", "data_card.json")))
    n_steps = rl_steps["training"]["steps"] if rl_steps else 50
    rl_q = [fresh_items.item(*c)["question"] for s in range(n_steps)
            for c in grpo.chains_for_step(rl["seed"], s, rl["prompts"], forbidden)]
    assert rl_q and not set(map(fresh_items.canonical, rl_q)) & forbidden
    ds = shipped_run("distill") or {"seed": 1014, "items": 4000}
    _, chains = distill.teacher_docs(ds["seed"], ds["items"], forbidden)
    ds_q = {fresh_items.item(*c)["question"] for c in chains}
    assert len(ds_q) == ds["items"] and not ds_q & forbidden


# ---------------------------------------------------------------- issue 15: too-hard RLVR, training order

def test_hard_chains_have_the_asked_lengths_and_stay_off_the_suites():
    assert grpo.step_range("8-12") == range(8, 13) and grpo.step_range("3-6") == range(3, 7)
    forbidden = fresh_items.suite_questions()
    # the default is the rlvr recipe's distribution, unchanged
    assert grpo.chains_for_step(14, 3, 16, forbidden) == grpo.chains_for_step(14, 3, 16, forbidden, range(3, 7))
    hard = shipped_run("rlvr-hard") or {"seed": 14, "prompts": 16, "chain_steps": "8-12"}
    card = json.load(open(os.path.join(MODELS, "organism-v1-rlvr-hard", "data_card.json"))) \
        if shipped_run("rlvr-hard") else None
    n_steps = card["training"]["steps"] if card else 20
    qs = [(fresh_items.item(*c)["question"], len(c[1])) for s in range(n_steps)
          for c in grpo.chains_for_step(hard["seed"], s, hard["prompts"], forbidden,
                                        grpo.step_range(hard["chain_steps"]))]
    assert {k for _, k in qs} == set(range(8, 13))
    # arith-ood-length's 8-10-step items are among the excluded questions: none is trained on
    assert not {fresh_items.canonical(q) for q, _ in qs} & forbidden


def test_pass_stats_hand_values():
    rewards = [[1, 0, 0, 0], [0, 0, 0, 0], [0, 1, 1, 0]]
    worked = [[True, False, False, False], [False] * 4, [False, False, False, True]]
    got = pass_at_k.pass_stats(rewards, worked, 4)
    # pass@1 = 3 right of 12; pass@4 = items 0 and 2; worked pass@4 = item 0 only (item 2's worked sample is wrong)
    assert got == {"items": 3, "k": 4, "pass@1": 0.25, "pass@4": 2 / 3, "worked_pass@4": 1 / 3,
                   "worked_share": 2 / 12}, got


def test_both_orders_hold_the_same_items_in_the_same_steps():
    s = [(f"{i}+1*2", str(i)) for i in range(10)]
    o = [(f"Tell a story about a fox {i}.", "A fox went to the lake.") for i in range(5)]
    joint = order.ordered(s, o, "joint", 2, 7)
    first = order.ordered(s, o, "structured-first", 2, 7)
    key = lambda seq: sorted((k, q, a) for k, q, a in seq)  # noqa: E731
    assert len(joint) == len(first) == 30 and key(joint) == key(first)
    assert [k for k, _, _ in first] == ["structured"] * 20 + ["open-ended"] * 10
    # joint mixes: open-ended items within the first two thirds, each epoch a permutation of all 15
    assert any(k == "open-ended" for k, _, _ in joint[:20])
    assert key(joint[:15]) == key(joint[15:]) == key([("structured", q, a) for q, a in s] +
                                                      [("open-ended", q, a) for q, a in o])
    assert joint == order.ordered(s, o, "joint", 2, 7)  # seeded


def test_order_items_train_the_answer_only():
    ids, targets = order.encode_item("3+4*2", "4")
    full = [bpe.EOS_ID] + bpe.encode("Q: 3+4*2\nA: 4\n\n")
    assert ids == full[:-1] and len(targets) == len(ids)
    prompt = rollout.prompt_ids("3+4*2")
    assert all(t == -100 for t in targets[:len(prompt) - 1])
    trained = [t for t in targets if t != -100]
    assert bpe.decode(trained) == " 4\n\n" and trained == full[len(prompt):]
    x, y = order.batch_tensors([("structured", "3+4*2", "4"), ("open-ended", "Make up a name for a fox.", "Bora")])
    assert x.shape == y.shape and int((y[0] != -100).sum()) == len(trained)


def test_open_ended_items_are_the_corpus_domain():
    items = order.open_ended_items(5, 40)
    assert len(items) == 40 and items == order.open_ended_items(5, 40)
    assert all(q.startswith(("Tell a story about a ", "Make up a name for a ")) for q, _ in items)
    assert {q.split(" ")[0] for q, _ in items} == {"Tell", "Make"}
    assert order.entropy_bits(["a", "a", "b", "c"]) == 1.5


def test_smoke_runs_of_the_hard_grpo_and_both_orders():
    import subprocess
    import tempfile
    from model import save_checkpoint
    with tempfile.TemporaryDirectory() as d:
        save_checkpoint(import_onnx.import_model(os.path.join(MODELS, "organism-v1")), os.path.join(d, "base.pt"))
        env = {**os.environ, "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS", "1")}
        py = sys.executable
        subprocess.run([py, os.path.join(HERE, "grpo.py"), "--init", f"{d}/base.pt", "--out-dir", f"{d}/hard",
                        "--chain-steps", "8-12", "--steps", "2", "--prompts", "2", "--group", "4", "--max-new", "8",
                        "--eval-items", "4", "--eval-every", "0", "--max-minutes", "0"], check=True, env=env,
                       stdout=subprocess.DEVNULL)
        assert json.load(open(f"{d}/hard/args.json"))["chain_steps"] == "8-12"
        subprocess.run([py, os.path.join(HERE, "pass_at_k.py"), "--checkpoint", f"{d}/base.pt", "--run-args",
                        f"{d}/hard/args.json", "--train-steps", "1", "--k", "2", "--max-new", "8", "--out",
                        f"{d}/pass.json"], check=True, env=env, stdout=subprocess.DEVNULL)
        assert json.load(open(f"{d}/pass.json"))["items"] == 2
        for o in ("joint", "structured-first"):
            subprocess.run([py, os.path.join(HERE, "order.py"), "--init", f"{d}/base.pt", "--out-dir", f"{d}/{o}",
                            "--order", o, "--data", f"{d}/data.json", "--structured", "8", "--open-ended", "4",
                            "--epochs", "1", "--batch", "4", "--eval-items", "2", "--eval-names", "2",
                            "--eval-every", "0", "--max-minutes", "0"], check=True, env=env, stdout=subprocess.DEVNULL)
            log = [json.loads(line) for line in open(f"{d}/{o}/log.jsonl")]
            assert log[-1]["final"] and log[-1]["step"] == 3 and os.path.exists(f"{d}/{o}/model.pt")


# ---------------------------------------------------------------- import

def test_import_onnx_matches_the_parity_fixture():
    model = import_onnx.import_model(os.path.join(MODELS, "organism-v1"))
    err = import_onnx.parity_error(model, os.path.join(ROOT, "test", "fixtures", "parity-organism-v1.json"))
    assert err <= 1e-4, err
    assert not model.config.tie_word_embeddings and "lm_head.weight" in model.state_dict()


if __name__ == "__main__":
    torch.manual_seed(0)
    run_tests(globals(), sort_names=True)
