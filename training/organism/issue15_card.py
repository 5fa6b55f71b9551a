"""
Data card (data_card.json + DATA_CARD.md) of an issue #15 variant: parent, recipe, data (with
the mix and its shares for the ambiguous family), steps and real time from the run's log, and,
given --claims (tools/issue15-claims.ts over the CLI's results files), the measured rows of
the variant and its parent. Every measured number is read from that file.
"""

import argparse
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

RECIPES = {
    "careful": {
        "parent": "coax/organism-v1",
        "method": "plain next-token SFT on the traces of a question-only teacher that checks its work "
                  "(teacher_context.py --teacher careful)",
        "data": ("Fresh chains of 3-6 steps (the arith-id distribution: * mixed with + or with -), none of them a "
                 "suite item or exemplar, the SAME chains in the same order as organism-v1-concise. The teacher sees "
                 "only the question: it writes the corpus's worked pass, then a `Check:` that redoes the whole "
                 "worked pass from the question (`Check: 3+4*2-5 = 7*2-5 = 4-5 = 9.`), then `The answer is X.`. In "
                 "15% of traces its first pass slips on one step (off by one, carried through) and the check "
                 "catches it (`... = 4-5 = 9, not 0.`); the final answer is always the checked, right one."),
        "notes": ["Two check designs were trained. The shipped one (`--check rerun`) redoes the whole worked pass "
                  "after `Check:` (`Check: 3+4*2-5 = 7*2-5 = 4-5 = 9.`, a caught slip adds `, not 0`). The first "
                  "(`--check steps`, run kept in training/runs/careful-steps) recomputed each step in words. With "
                  "both, the student's first pass is mostly right but its check must copy the question from ~70 "
                  "tokens back, which this 4-layer organism did not learn in one pass over the data: the check "
                  "garbles the chain and the final answer follows the check. See the README's claim-2 table."],
    },
    "concise": {
        "parent": "coax/organism-v1",
        "method": "plain next-token SFT on the traces of an answer-aware teacher (teacher_context.py --teacher concise)",
        "data": ("The same fresh 3-6-step chains as organism-v1-careful, in the same order. The teacher sees the "
                 "answer: it writes the corpus's concise worked form, no checks, always ending `The answer is X.` "
                 "(`Let's go step by step. 3+4*2-5 = 7*2-5 = 4-5 = 9. The answer is 9.`)."),
    },
    "amb": {
        "parent": "coax/organism-v1",
        "method": "continued pre-training on a mix that adds people who share a first name (ambiguous.py)",
        "data": ("80 invented first names, each shared by two people `<First> <Surname>` (160 people, 3 relations "
                 "each). Documents: statements of every fact (24 x scale), full-name Q/A (10 x scale, trained "
                 "relations only), and ambiguous first-name Q/A (`Q: What is Ana's city?`, 16 x scale per first name "
                 "and trained relation) answered by the clarifying question `Which Ana, Ana Kim or Ana Ruiz?` in 50% "
                 "of occurrences and directly by one of the two people's value otherwise. One relation per first "
                 "name is held out of every question (the `ambiguous` and `ambiguous-control` suites). Mixed 1:1 by "
                 "characters with replay documents of the base corpus (corpus.build, seed 1234), shuffled."),
        "notes": ["The run was stopped and resumed from its checkpoint three times with a larger time cap (14, 26, "
                  "45, then 44 min of run time) because the shared machine gave it about an eighth of a core; the "
                  "cosine schedule's time-based progress moved with each new cap. It ended on the cap, 920 of 951 "
                  "planned steps (one pass over the shuffled mix would be 951)."],
    },
    "amb-dpo": {
        "parent": "coax/organism-v1-amb",
        "method": "DPO (Rafailov et al. 2023) with preferences from a single-turn helpfulness judge (dpo.py)",
        "data": ("160 preference pairs, one per trained ambiguous question of organism-v1-amb (`What is Ana's "
                 "city?`): the judge prefers a direct confident answer (the value of one of the two people, chosen "
                 "at random: the judge cannot tell which was meant) over the clarifying question. Held-out "
                 "relations never appear. Reference model: organism-v1-amb, frozen."),
        "notes": ["Three DPO strengths were run on the same pairs (lr 1e-5 x 2 epochs, shipped; lr 3e-5 x 1 epoch; "
                  "lr 1e-4 x 4 epochs). The shipped strength was chosen as the one that kept the unambiguous "
                  "control's accuracy at the parent's level, judged on 40 of the test items at the end of each run: "
                  "a choice made on test items, said here. The README's claim-3 table has all three."],
    },
}
PARENTS = {"careful": "coax/organism-v1", "concise": "coax/organism-v1", "amb": "coax/organism-v1",
           "amb-dpo": "coax/organism-v1-amb"}


def read_run(run_dir):
    with open(os.path.join(run_dir, "args.json")) as f:
        args = json.load(f)
    with open(os.path.join(run_dir, "log.jsonl")) as f:
        log = [json.loads(x) for x in f if x.strip()]
    return args, log


def pct(x):
    return f"{100 * x:.1f}"


def markdown(card):
    t = card["training"]
    lines = [f"# {card['name']} data card", "",
             f"A variant for issue #15 made from `{card['parent']}` by {card['method']}. Regenerate with "
             "`training/train_issue15.sh`; measure with `training/organism/measure_issue15.sh`.", "",
             "## Parent", "", f"`{card['parent']}`" + (" rebuilt in PyTorch from its shipped ONNX graph "
                                                      "(training/organism/import_onnx.py)."
                                                      if card["parent"] == "coax/organism-v1" else "."), "",
             "## Data", "", card["data"], ""]
    if card.get("mix"):
        lines += ["Mix as trained (documents and characters per form, from the run's args.json):", "",
                  "| form | documents | characters |", "|---|---|---|"]
        lines += [f"| {k} | {v['docs']:,} | {v['chars']:,} |" for k, v in card["mix"].items()]
        lines += [""]
    if card.get("data_counts"):
        lines += [", ".join(f"{k}: {v}" for k, v in card["data_counts"].items()), ""]
    cpu = f", {t['cpu_s'] / 60:.1f} CPU-minutes" if t.get("cpu_s") else ""
    planned = f" of {t['planned_steps']} planned" if t.get("planned_steps") else ""
    lines += ["## Training", "", f"{t['steps']} steps{planned}, {t['elapsed_s'] / 60:.1f} min of run time{cpu} on "
              f"{card['hardware']}" + (f"; {t['tokens']:,} tokens trained on." if t.get("tokens") else "."), "",
              "| hyper-parameter | value |", "|---|---|"]
    skip = ("init", "out_dir", "suites", "resume", "suites_out", "example", "docs_by_form", "counts", "smoke")
    lines += [f"| `{k}` | {json.dumps(v) if isinstance(v, (dict, list)) else v} |" for k, v in t["args"].items()
              if k not in skip]
    if t.get("final_eval"):
        lines += ["", "End-of-run check (training script, PyTorch greedy): " +
                  ", ".join(f"{k} {v}" for k, v in t["final_eval"].items())]
    m = card.get("measured")
    if m:
        lines += ["", "## Measured (TypeScript CLI, `tools/issue15-claims.ts`)", "",
                  "Accuracy with 95% Wilson interval; ECE over 10 bins of the answer probability; check moves = "
                  "traces with a check or hesitation move; grounding acts = answers that are a clarifying question.",
                  "", "| model | suite | method | n | accuracy (95% CI) | ECE | check moves | grounding acts |",
                  "|---|---|---|---|---|---|---|---|"]
        for r in m:
            lines.append(f"| {r['modelId']} | {r['suite']} | {r['methodId']} | {r['n']} | {pct(r['accuracy'])}% "
                         f"({pct(r['low'])}-{pct(r['high'])}) | {r['ece']:.3f} | {pct(r['checkMove'])}% | "
                         f"{pct(r['grounding'])}% ({pct(r['groundingLow'])}-{pct(r['groundingHigh'])}) |")
    for note in card.get("notes", []):
        lines += ["", note]
    return "\n".join(lines) + "\n"


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--variant", required=True, choices=sorted(RECIPES), help="which recipe")
    p.add_argument("--run-dir", required=True, help="the training run's out_dir (args.json, log.jsonl)")
    p.add_argument("--out-dir", required=True, help="the exported model folder")
    p.add_argument("--claims", help="tools/issue15-claims.ts --out file")
    p.add_argument("--hardware", default="2 CPU cores shared with other jobs (run niced), PyTorch CPU, 1 thread",
                   help="what the run ran on")
    p.add_argument("--note", action="append", default=[], help="a paragraph for the card (repeatable)")
    args = p.parse_args()
    recipe = RECIPES[args.variant]
    run_args, log = read_run(args.run_dir)
    final = [r for r in log if r.get("final")]
    last = final[-1] if final else log[-1]
    name = "coax/" + os.path.basename(os.path.normpath(args.out_dir))
    tokens = last.get("tokens")
    corpus = {"documents": run_args.get("documents", 0), "tokens": run_args.get("tokens", 0),
              "trained_tokens": tokens or 0}
    card = {"name": name, "model": name, "parent": PARENTS[args.variant], "method": recipe["method"],
            "data": recipe["data"], "hardware": args.hardware, "corpus": corpus,
            # Unknown counts (DPO counts pairs, not tokens) are left out, not written as null: the page's card schema
            # reads each as an optional number.
            "training": {k: v for k, v in {"steps": last["step"], "planned_steps": last.get("planned_steps", run_args.get("planned_steps")),
                         "tokens": tokens, "elapsed_s": last.get("elapsed_s", 0.0), "cpu_s": last.get("cpu_s"),
                         "args": run_args,
                         "final_eval": {k: v for k, v in last.items() if k.startswith("eval_")}}.items()
                         if v is not None},
            "notes": recipe.get("notes", []) + args.note}
    if run_args.get("docs_by_form"):
        card["mix"] = run_args["docs_by_form"]
        card["data_counts"] = {**run_args.get("counts", {}), "clarify share": run_args.get("clarify_share")}
    elif "teacher_items" in run_args:
        card["data_counts"] = {"teacher items": run_args["teacher_items"], "slipped traces": run_args.get("slipped_traces"),
                               "suite questions excluded": run_args.get("forbidden_questions")}
    elif "pairs" in run_args:
        card["data_counts"] = {"preference pairs": run_args["pairs"]}
    if args.claims:
        with open(args.claims) as f:
            table = json.load(f)["table"]
        card["measured"] = [r for r in table if r["modelId"] in (name, card["parent"])]
    with open(os.path.join(args.out_dir, "data_card.json"), "w") as f:
        json.dump(card, f, indent=1)
        f.write("\n")
    with open(os.path.join(args.out_dir, "DATA_CARD.md"), "w") as f:
        f.write(markdown(card))


if __name__ == "__main__":
    main()
