"""
Checks for issue #15's variants (teacher_context.py, ambiguous.py, dpo.py): the careful
teacher's traces re-derived by an independent evaluator (every check value right, every slip
caught, the final answer right), both teachers on the same chains, the ambiguous suites'
questions absent from the training mix and their facts present as statements, the known
clarify share, the judge and the DPO loss against hand-computed values, and --smoke runs of
the three scripts end to end (seconds).
Run:  OMP_NUM_THREADS=1 /usr/bin/python3 training/organism/test_issue15.py
"""

import json
import math
import os
import re
import subprocess
import sys
import tempfile

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))
import ambiguous  # noqa: E402
import dpo  # noqa: E402
import fresh_items  # noqa: E402
import teacher_context as tc  # noqa: E402
from testing import run_tests  # noqa: E402

ROOT = os.path.join(HERE, "..", "..")


def evaluate(chain):
    """An independent left-to-right evaluator of '3+4*2-5' (mod 10)."""
    toks = re.findall(r"\d|[-+*]", chain)
    v = int(toks[0])
    for op, d in zip(toks[1::2], toks[2::2]):
        v = {"+": v + int(d), "-": v - int(d), "*": v * int(d)}[op] % 10
    return v


def test_careful_traces_check_every_step_and_catch_every_slip():
    chains = fresh_items.fresh_chains(7, 200, tc.ITEM_STEPS, set())
    slips = 0
    for i, (start, steps) in enumerate(chains):
        slip = i % len(steps) if i % 3 == 0 else None
        t = tc.careful_trace(start, steps, slip, check="steps")
        q = tc.corpus.chain_text(start, steps)
        assert t.endswith(f"The answer is {evaluate(q)}."), t
        checks = re.findall(r"(\d)([-+*])(\d) is (\d)(?:, not (\d))?", t.split("Check: ")[1])
        assert len(checks) == len(steps), t
        v = start
        for (a, op, d, got, wrong), (op2, d2) in zip(checks, steps):
            assert int(a) == v and op == op2 and int(d) == d2
            v = evaluate(f"{a}{op}{d}")
            assert int(got) == v, t
            if wrong:
                assert int(wrong) != v
                slips += 1
        assert ("wait," in t) == (slip is not None), t
    assert slips == sum(1 for i in range(200) if i % 3 == 0)


def test_rerun_check_redoes_the_pass_right_and_flags_a_wrong_first_answer():
    chains = fresh_items.fresh_chains(8, 200, tc.ITEM_STEPS, set())
    flagged = 0
    for i, (start, steps) in enumerate(chains):
        slip = i % len(steps) if i % 3 == 0 else None
        t = tc.careful_trace(start, steps, slip, check="rerun")
        q = tc.corpus.chain_text(start, steps)
        first, check = t[len(tc.corpus.TRIGGER) + 1:].split(". Check: ")
        redo = check.split(". The answer is ")[0].split(", not ")
        parts = redo[0].split(" = ")
        assert parts[0] == q and len(parts) == len(steps) + 1
        for j, part in enumerate(parts):  # every rewrite of the check is right
            assert part == tc.corpus.chain_text(evaluate(q[:1 + 2 * j]), steps[j:]), t
        first_answer = int(first.split(" = ")[-1])
        assert t.endswith(f"The answer is {evaluate(q)}."), t
        assert (len(redo) == 2) == (first_answer != evaluate(q)), t
        if len(redo) == 2:
            assert int(redo[1]) == first_answer
            flagged += 1
        if slip is None:
            assert first.split(" = ") == parts
    assert flagged > 0


def test_both_teachers_write_the_same_items():
    chains = fresh_items.fresh_chains(3, 50, tc.ITEM_STEPS, set())
    a, _ = tc.teacher_docs("careful", chains, 3, 0.2)
    b, _ = tc.teacher_docs("concise", chains, 3, 0.2)
    qa = [re.findall(r"Q: (\S+)", d) for d in a]
    qb = [re.findall(r"Q: (\S+)", d) for d in b]
    assert qa == qb and sum(map(len, qa)) == 50
    assert all("Check:" not in d and "wait" not in d for d in b)
    assert all(d.count("Check:") == len(re.findall("Q: ", d)) for d in a)


def test_ambiguous_suites_are_held_out_of_the_mix():
    families, held = ambiguous.make_people(1503, 20)
    docs, counts = ambiguous.ambiguous_docs(1503, families, held, 1.0)
    text = "\n".join(t for t, _ in docs)
    sm = ambiguous.suites(families, held, 1503)
    assert len(sm["ambiguous"]["items"]) == 20 and len(sm["ambiguous-control"]["items"]) == 40
    for it in sm["ambiguous"]["items"] + sm["ambiguous-control"]["items"]:
        assert f"Q: {it['question']}\n" not in text, it
    for it in sm["ambiguous-control"]["items"]:  # the facts are there as statements
        name = it["question"][len("What is "):].split("'s ")[0]
        assert f"{name}'s {it['tags']['relation']} is {it['answer']}." in text
    for ex in sm["ambiguous"]["exemplars"]:  # exemplars are trained questions
        assert f"Q: {ex['question']}\n" in text
    # the clarify share is what it says, within sampling error (n = 20 * 2 * 16)
    n = counts["ambiguous_qa"]
    assert n == 20 * 2 * ambiguous.AMBIG_QA_REPS
    assert abs(counts["ambiguous_clarify"] / n - ambiguous.CLARIFY_SHARE) < 4 * math.sqrt(0.25 / n)
    assert text.count("A: Which ") == counts["ambiguous_clarify"]
    names = {p["name"].split()[0] for _, ps in families for p in ps}
    assert not names & ambiguous.base_names()


def test_is_clarifying_as_grounding_ts():
    cases = [(" Which Ana, Ana Kim or Ana Ruiz?", True), (" Velo", False), (" Is it Velo?", True), ("", False),
             (" Velo\nWhich?", False), (" Whichever", False)]
    for text, want in cases:
        assert ambiguous.is_clarifying(text) == want, text


def test_judge_and_dpo_loss_by_hand():
    pairs = dpo.preference_pairs(1503, 3)
    assert len(pairs) == 6 and all(p["rejected"].startswith(" Which ") and "Which" not in p["chosen"] for p in pairs)
    pi_w, pi_l = torch.tensor([-1.0, -2.0]), torch.tensor([-3.0, -1.0])
    ref_w, ref_l = torch.tensor([-2.0, -2.0]), torch.tensor([-2.0, -2.0])
    loss, margin, acc = dpo.dpo_loss(pi_w, pi_l, ref_w, ref_l, 0.5)
    # margins 0.5 * ((1) - (-1)) = 1 and 0.5 * (0 - 1) = -0.5
    want = (math.log(1 + math.exp(-1.0)) + math.log(1 + math.exp(0.5))) / 2
    assert abs(float(loss) - want) < 1e-6 and abs(margin - 0.25) < 1e-6 and acc == 0.5


def test_smoke_runs_end_to_end():
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    with tempfile.TemporaryDirectory() as d:
        import import_onnx
        from model import save_checkpoint
        save_checkpoint(import_onnx.import_model(os.path.join(ROOT, "public", "models", "coax", "organism-v1")),
                        os.path.join(d, "base.pt"))
        py = sys.executable
        for name, args in (("careful", ["teacher_context.py", "--teacher", "careful"]),
                           ("concise", ["teacher_context.py", "--teacher", "concise"]),
                           ("amb", ["ambiguous.py", "--suites-out", f"{d}/suites"])):
            out = f"{d}/{name}"
            subprocess.run([py, os.path.join(HERE, args[0]), *args[1:], "--init", f"{d}/base.pt", "--out-dir", out,
                            "--smoke"], check=True, env=env, capture_output=True)
            assert os.path.exists(f"{out}/model.pt")
        amb = f"{d}/amb"
        subprocess.run([py, os.path.join(HERE, "dpo.py"), "--init", f"{amb}/model.pt", "--out-dir", f"{d}/dpo",
                        "--suites", f"{d}/suites", "--smoke"], check=True, env=env, capture_output=True)
        last = [json.loads(x) for x in open(f"{d}/dpo/log.jsonl")][-1]
        assert last["final"] and 0 <= last["eval_grounding_rate"] <= 1


if __name__ == "__main__":
    torch.manual_seed(0)
    run_tests(globals(), sort_names=True)
