"""
Data card (data_card.json + DATA_CARD.md) of an organism variant (grpo.py or distill.py run):
parent model, data, reward, hyper-parameters, steps, time, the training curve, and, given
--claims (tools/variant-claims.ts over the TypeScript CLI's results files), the measured
table of the variant beside its parent. Every measured number is read from that file;
nothing here recomputes a metric.
"""

import argparse
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)


PARENT = "coax/organism-v1"
KS = (1, 4, 16, 64, 256)
METHOD_ORDER = ["greedy-plain", "greedy-long", "trigger", "cot-decoding", "sample-256"]
METHOD_NAMES = {"sample-256": "sample-256 (majority of 256 at T 1)"}

RECIPES = {
    "rlvr": {
        "title": "organism-v1-rlvr",
        "method": "GRPO (group-relative policy optimisation, Shao et al. 2024) with a verifiable reward",
        "data": ("Fresh procedural chains of 3-6 steps mixing * with + or with - (the arith-id distribution), "
                 "drawn per step from a seed derived from (seed, step), none of them a suite item or exemplar "
                 "of any shipped suite (compared with spaces removed). No worked trace is ever shown: the only "
                 "text trained on is the model's own samples after the plain prompt `Q: {chain}\\nA:`."),
        "reward": ("1 if the last number in the completion (the suites' last-number extractor, cut at the CLI's "
                   "stop strings) equals the chain's final digit, else 0. Group-relative advantage "
                   "A = (r - mean) / (std + eps) over the completions of one prompt."),
    },
    "rlvr-hard": {
        "title": "organism-v1-rlvr-hard",
        "method": ("GRPO with a verifiable reward, the recipe of organism-v1-rlvr (same hyper-parameters and "
                   "code, training/organism/grpo.py), on chains too long for the base: 8-12 steps"),
        "data": ("Fresh procedural chains of 8-12 steps (uniform) mixing * with + or with -, drawn per step from a "
                 "seed derived from (seed, step), none of them a suite item or exemplar of any shipped suite "
                 "(arith-ood-length's 8-10-step items included; compared with spaces removed). The base was "
                 "trained on chains of at most 6 steps, and a worked 12-step trace (~180 tokens) does not fit the "
                 "recipe's 96-token completion budget: the only reward within reach is a guessed or heuristic "
                 "final digit. No worked trace is ever shown."),
        "reward": ("1 if the last number in the completion (the suites' last-number extractor, cut at the CLI's "
                   "stop strings) equals the chain's final digit, else 0. Group-relative advantage "
                   "A = (r - mean) / (std + eps) over the completions of one prompt: a group with one lucky "
                   "guess among eight gives that guess the largest advantage."),
        "regenerate": "training/train_failure_variants.sh",
    },
    "order-joint": {
        "title": "organism-v1-order-joint",
        "method": ("SFT on one fixed list of structured and open-ended items, shuffled together "
                   "(training/organism/order.py --order joint)"),
        "reward": None,
        "regenerate": "training/train_failure_variants.sh",
    },
    "order-structured-first": {
        "title": "organism-v1-order-structured-first",
        "method": ("SFT on the same items and steps as organism-v1-order-joint, all structured items first, then all "
                   "open-ended ones (training/organism/order.py --order structured-first)"),
        "reward": None,
        "regenerate": "training/train_failure_variants.sh",
    },
    "distill": {
        "title": "organism-v1-distill",
        "method": "plain next-token SFT on a program teacher's worked traces",
        "data": ("Fresh procedural chains of 7-10 steps (uniform) mixing * with + or with -, none of them a suite "
                 "item or exemplar, each solved by the teacher in the corpus's worked form "
                 "(`A: Let's go step by step. 3+4*2-5 = 7*2-5 = 4-5 = 9. The answer is 9.`), 4-10 items per "
                 "worksheet, worksheets joined by <|endoftext|>, packed in blocks; every token is a target."),
        "reward": None,
    },
}


def read_run(run_dir):
    with open(os.path.join(run_dir, "args.json")) as f:
        args = json.load(f)
    log = []
    path = os.path.join(run_dir, "log.jsonl")
    if os.path.exists(path):
        with open(path) as f:
            log = [json.loads(line) for line in f if line.strip()]
    return args, log


def rlvr_corpus(run_args, log):
    """What GRPO trained on, in the page's data-card shape: the model's own completions (the log
    records per step their mean length and the share that were worked traces)."""
    per_step = run_args["prompts"] * run_args["group"]
    steps = [r for r in log if "completion_tokens" in r]
    n = per_step * len(steps)
    tokens = round(sum(r["completion_tokens"] * per_step for r in steps))
    worked = round(sum(r["worked"] * per_step for r in steps))
    counts = {"documents": n, "tokens": tokens, "trained_documents": n, "trained_tokens": tokens}
    return {"documents": n, "tokens": tokens, "trained_documents": n, "trained_tokens": tokens,
            "by_relation_style": {"procedural/all": counts, "procedural/own-samples": counts},
            "procedural_items_trained": {"direct": n - worked, "worked": worked}}


def distill_corpus(run_args, tokens_trained):
    """What the SFT trained on, in the page's data-card shape, counted by regenerating the teacher's
    worksheets (deterministic in the run's seed) up to the tokens the run consumed."""
    import bpe
    import distill
    import fresh_items
    forbidden = fresh_items.suite_questions()
    held_out = fresh_items.fresh_chains(run_args["seed"] * 7919 + 1, run_args["eval_items"], range(8, 11), forbidden)
    docs, _ = distill.teacher_docs(run_args["seed"], run_args["items"],
                                   forbidden | {fresh_items.item(*c)["question"] for c in held_out})
    pos, trained_docs, trained_items, all_tokens = 1, 0, 0, 1
    for d in docs:
        n = len(bpe.encode(d)) + 1
        all_tokens += n
        if pos + n <= tokens_trained + 1:  # whole worksheets inside the trained prefix
            trained_docs += 1
            trained_items += d.count("Q: ")
        pos += n
    counts = {"documents": len(docs), "tokens": all_tokens, "trained_documents": trained_docs,
              "trained_tokens": tokens_trained}
    return {"documents": len(docs), "tokens": all_tokens, "trained_documents": trained_docs,
            "trained_tokens": tokens_trained,
            "by_relation_style": {"procedural/all": counts, "procedural/worked": counts},
            "procedural_items_trained": {"direct": 0, "worked": trained_items}}


ORDER_DATA = ("One list of items, built once from the base and the seed (training/organism/order.py) and shared by "
              "both orders. Structured: {structured} fresh arithmetic chains of 3-6 steps (the arith-id "
              "distribution, none a suite item or exemplar), each answered with the BASE's own greedy answer, kept "
              "only when right (rejection-sampling fine-tuning, the SFT form of RL with a verifiable reward; "
              "{tried} chains tried; {worked} of the kept answers are worked traces, the rest a bare digit): "
              "targets the base already prefers, so training on them sharpens, as structured RL does. "
              "Open-ended: {open} items of the corpus's open-ended domain (corpus.story_worksheet, fresh seed): "
              "{kinds}; every choice random, so their targets carry high entropy. Item text "
              "`<|endoftext|>Q: {{question}}\\nA: {{answer}}\\n\\n`, loss on the answer and the blank line only. "
              "{epochs} epochs, batch {batch}: {planned} steps. Order: {order}. Learning rate {lr} after "
              "{warmup} warm-up steps, constant (no decay, so that neither phase gets smaller steps).")


def order_corpus(run_args):
    """What the order fine-tunes trained on, in the page's data-card shape (tokens counted by encoding the items)."""
    import bpe
    with open(run_args["data"] or os.path.join(run_args["out_dir"], "data.json")) as f:
        data = json.load(f)
    ep = run_args["epochs"]

    def counts(items):
        tokens = sum(len(bpe.encode(f"Q: {q}\nA: {a}\n\n")) + 1 for q, a in items)
        return {"documents": len(items), "tokens": tokens, "trained_documents": len(items) * ep,
                "trained_tokens": tokens * ep}
    s, o = counts(data["structured"]), counts(data["open_ended"])
    worked = sum(a.startswith("Let's go step by step") for _, a in data["structured"])
    return {"documents": s["documents"] + o["documents"], "tokens": s["tokens"] + o["tokens"],
            "trained_documents": s["trained_documents"] + o["trained_documents"],
            "trained_tokens": s["trained_tokens"] + o["trained_tokens"],
            "by_relation_style": {"procedural/all": s, "procedural/own-greedy-answers": s, "open-ended/all": o},
            "procedural_items_trained": {"direct": (len(data["structured"]) - worked) * ep, "worked": worked * ep}}


def pct(x):
    return f"{100 * x:.1f}"


def cut(x):
    """The share stopped at the token budget; None when the measurement did not keep stop reasons."""
    return "n/a" if x is None else f"{pct(x)}%"


def measured(claims, model_id):
    """The rows of claims.json for this variant and its parent."""
    keep = {model_id, PARENT}
    order = lambda r: ([PARENT, model_id].index(r["modelId"]), r["suite"],  # noqa: E731
                       METHOD_ORDER.index(r["methodId"]) if r["methodId"] in METHOD_ORDER else 99, r.get("criterion", ""))
    table = sorted((r for r in claims["table"] if r["modelId"] in keep), key=order)
    curves = sorted((c for c in claims["passAtK"] if c["modelId"] in keep), key=order)
    cov = [c for c in claims["comparisons"]["coverage"] if {c["a"], c["b"]} == keep]
    paired = [p for p in claims["comparisons"]["paired"] if {p["a"], p["b"]} == keep]
    return {"table": table, "passAtK": [{k: v for k, v in c.items() if k not in ("solvedIds", "itemIds")}
                                        for c in curves],
            "coverage": cov, "paired": paired, "files": claims.get("files", [])}


def markdown(card):
    r = card["training"]
    lines = [f"# {card['name']} data card", "",
             f"A post-trained variant of `{card['parent']}` (its data card: `../organism-v1/DATA_CARD.md`), "
             f"made by {card['method']}. Regenerate with `{card.get('regenerate', 'training/train_variants.sh')}`; "
             f"measure with `{card.get('measure', 'training/organism/measure_variants.sh')}`.", "",
             "## Parent", "", f"`{card['parent']}`, rebuilt in PyTorch from its shipped `onnx/model.onnx` by "
             "`training/organism/import_onnx.py` (logits within 1e-4 of its parity fixture).", "",
             "## Data", "", card["data"], ""]
    if card.get("data_counts"):
        lines += [", ".join(f"{k}: {v}" for k, v in card["data_counts"].items()), ""]
    if card.get("reward"):
        lines += ["## Reward", "", card["reward"], ""]
    pa = card.get("base_pass_at_k")
    if pa:
        k = pa["k"]
        lines += ["## How hard the training chains are for the base", "",
                  f"The base `{card['parent']}` sampled {k} times per chain (temperature 1, {pa['max_new']} new tokens, "
                  f"the plain prompt, as GRPO samples) on the {pa['items']} chains of the run's first "
                  f"{pa['train_steps']} steps (`training/organism/pass_at_k.py`):", "",
                  "| measure | value |", "|---|---|",
                  f"| pass@1 (right final digit) | {pct(pa['pass@1'])}% |",
                  f"| pass@{k} (right final digit in at least one of {k}) | {pct(pa[f'pass@{k}'])}% |",
                  f"| worked pass@{k} (a worked trace with the right final digit in at least one of {k}) | {pct(pa[f'worked_pass@{k}'])}% |",
                  f"| worked share of all samples | {pct(pa['worked_share'])}% |",
                  f"| always answering the most common answer (\"{pa['prior_answer']}\") | {pct(pa['prior'])}% |", "",
                  "The base almost never SOLVES these chains (worked pass@k), but a final digit is guessable: one "
                  "in ten by chance, more with the skew of * chains towards 0 and 5, so pass@k of the bare answer "
                  "is high. Nearly every reward GRPO sees here is such a guess.", ""]
    cpu = f" ({r['cpu_s'] / 60:.1f} CPU-minutes: the share of a core this niced process got)" if r.get("cpu_s") else ""
    c = card.get("corpus")
    trained = (f"; {c['trained_tokens']:,} tokens trained on ({c['procedural_items_trained']['worked']:,} worked and "
               f"{c['procedural_items_trained']['direct']:,} direct answers)") if c else ""
    lines += ["## Training", "", f"{r['steps']} steps, {r['elapsed_s'] / 60:.1f} min of run time{cpu} on "
              f"{card['hardware']}{trained}.", "", "| hyper-parameter | value |", "|---|---|"]
    lines += [f"| `{k}` | {v} |" for k, v in r["args"].items() if k not in ("init", "out_dir", "suites", "resume")]
    if r["curve"] and "eval_open_distinct" in r["curve"][0]:
        lines += ["", "During training: greedy accuracy on held-out fresh 3-6-step chains, and one sampled name "
                  "(temperature 1) for each of the eval's name prompts: distinct share and entropy in bits "
                  "(log2 of the prompt count when all differ):", "",
                  "| step | greedy accuracy | structured share of the batch | names distinct | names entropy (bits) |",
                  "|---|---|---|---|---|"]
        lines += [f"| {c['step']} | {pct(c['eval_greedy_acc'])}% | "
                  f"{pct(c['structured_share']) + '%' if 'structured_share' in c else '-'} | "
                  f"{pct(c['eval_open_distinct'])}% | {c['eval_open_entropy_bits']:.2f} |" for c in r["curve"]]
    elif r["curve"]:
        lines += ["", "Held-out greedy accuracy during training (fresh chains, the evaluator of `rollout.py`):", "",
                  "| step | greedy accuracy | worked share |", "|---|---|---|"]
        lines += [f"| {c['step']} | {pct(c['eval_greedy_acc'])}% | "
                  f"{pct(c['eval_greedy_worked']) + '%' if 'eval_greedy_worked' in c else '-'} |" for c in r["curve"]]
    m = card.get("measured")
    if m:
        lines += ["", "## Measured (TypeScript CLI, `tools/variant-claims.ts`)", "",
                  "Accuracy with 95% Wilson interval; worked = share of answers that are worked traces; "
                  "verified = share that are fully correct worked traces (every rewrite right); "
                  "cut = share stopped at the method's token budget.", "",
                  "| model | suite | method | accuracy | 95% CI | correct/n | worked | verified | cut | by steps |",
                  "|---|---|---|---|---|---|---|---|---|---|"]
        for t in m["table"]:
            steps = ", ".join(f"{k}: {v}" for k, v in t["bySteps"].items())
            lines.append(f"| {t['modelId']} | {t['suite']} | {METHOD_NAMES.get(t['methodId'], t['methodId'])} | "
                         f"{pct(t['accuracy'])}% | "
                         f"{pct(t['low'])}-{pct(t['high'])} | {t['correct']}/{t['n']} | {pct(t['workedShare'])}% | "
                         f"{pct(t['verifiedShare'])}% | {cut(t['stoppedAtMaxTokens'])} | {steps} |")
        if m["passAtK"]:
            lines += ["", "pass@k (mean over items of the unbiased estimator from n samples per item); criterion "
                      "`answer` = right final digit (guessable: one in ten), `verified-trace` = a fully correct "
                      "worked trace. solved = items with at least one success in n, with its Wilson interval.", "",
                      "| model | suite | criterion | items | n | " + " | ".join(f"pass@{k}" for k in KS)
                      + " | solved | 95% CI |", "|---|---|---|---|---|" + "---|" * len(KS) + "---|---|"]
            for c in m["passAtK"]:
                vals = " | ".join(pct(c["mean"][k - 1]) if k <= c["samples"] else "-" for k in KS)
                lines.append(f"| {c['modelId']} | {c['suite']} | {c['criterion']} | {c['items']} | {c['samples']} | "
                             f"{vals} | {c['solvedAtN']}/{c['items']} | {pct(c['low'])}-{pct(c['high'])} |")
        if m["coverage"]:
            def never(k):  # null: the curve never reaches the other's within n samples
                return "never (k <= n)" if k is None else k
            lines += ["", "Coverage on common items (solved = at least one success in n samples):", "",
                      "| suite | criterion | a | b | items | solved a | solved b | both | only a | only b | "
                      "first k with a >= b | first k with b >= a |", "|---|---|---|---|---|---|---|---|---|---|---|---|"]
            for c in m["coverage"]:
                lines.append(f"| {c['suite']} | {c['criterion']} | {c['a']} | {c['b']} | {c['items']} | {c['solvedA']} | "
                             f"{c['solvedB']} | {c['both']} | {len(c['onlyA'])} | {len(c['onlyB'])} | "
                             f"{never(c['kAReachesB'])} | {never(c['kBReachesA'])} |")
        if m["paired"]:
            lines += ["", "Paired on the same items (exact McNemar; gained = b right where a is wrong):", "",
                      "| suite | method | a | b | n | gained | lost | p |", "|---|---|---|---|---|---|---|---|"]
            lines += [f"| {p['suite']} | {p['methodId']} | {p['a']} | {p['b']} | {p['n']} | {p['gained']} | "
                      f"{p['lost']} | {p['p']:.3g} |" for p in m["paired"]]
    for note in card.get("notes", []):
        lines += ["", note]
    return "\n".join(lines) + "\n"


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--variant", required=True, choices=sorted(RECIPES), help="which recipe the run followed")
    p.add_argument("--run-dir", help="the grpo.py / distill.py / order.py out_dir (args.json, log.jsonl); without it "
                   "the card already in --out-dir is kept and only its measured table (--claims) and notes are "
                   "written again")
    p.add_argument("--out-dir", required=True, help="the exported model folder")
    p.add_argument("--claims", help="tools/variant-claims.ts output over the CLI results")
    p.add_argument("--pass-at", help="pass_at_k.py output: the base's pass@k on the run's training chains")
    p.add_argument("--measured-md", help="a Markdown file with the variant's measured tables (from coax show), "
                   "appended to DATA_CARD.md as its measured section")
    p.add_argument("--hardware", default="2 CPU cores shared with other jobs (run niced), PyTorch 1.13 CPU, 1 thread",
                   help="what the run ran on")
    p.add_argument("--note", action="append", default=[], help="a paragraph for the card (repeatable; without it "
                   "the notes of the card already in --out-dir are kept)")
    args = p.parse_args()
    recipe = RECIPES[args.variant]
    measured_md = None
    if args.measured_md:
        with open(args.measured_md) as f:
            measured_md = f.read()
    if not args.run_dir:
        with open(os.path.join(args.out_dir, "data_card.json")) as f:
            card = json.load(f)
        if args.note:
            card["notes"] = args.note
        if args.claims:
            with open(args.claims) as f:
                card["measured"] = measured(json.load(f), card["name"])
        if measured_md is not None:
            card["measured_md"] = measured_md
        write_card(card, args.out_dir)
        return
    run_args, log = read_run(args.run_dir)
    final = [r for r in log if r.get("final")]
    last = final[-1] if final else (log[-1] if log else {"step": 0, "elapsed_s": 0.0})
    # a resumed run logs again the steps after its last checkpoint: keep the last record of each step
    by_step = {r["step"]: r for r in log if "eval_greedy_acc" in r}
    curve = [by_step[k] for k in sorted(by_step)]
    name = os.path.basename(os.path.normpath(args.out_dir))
    if args.variant.startswith("order-"):
        corpus = order_corpus(run_args)
    elif args.variant.startswith("rlvr"):
        corpus = rlvr_corpus(run_args, log)
    else:
        corpus = distill_corpus(run_args, last.get("tokens", 0))
    counts = {}
    if args.variant.startswith("order-"):
        recipe = {**recipe, "data": ORDER_DATA.format(
            structured=run_args["structured_items"], tried=run_args["structured_tried"],
            worked=run_args["structured_worked"], open=run_args["open_ended_items"],
            kinds=", ".join(f"{v} {k}" for k, v in sorted(run_args["open_ended_kinds"].items())),
            epochs=run_args["epochs"], batch=run_args["batch"], planned=run_args["planned_steps"],
            order=("all structured items (each epoch shuffled), then all open-ended ones"
                   if run_args["order"] == "structured-first" else "all items shuffled together, each epoch"),
            lr=run_args["lr"], warmup=run_args["warmup"])}
        counts = {"structured items": run_args["structured_items"], "open-ended items": run_args["open_ended_items"],
                  "planned steps": run_args["planned_steps"]}
    elif args.variant == "distill":
        counts = {k: run_args[k] for k in ("teacher_items", "teacher_items_by_steps", "documents", "tokens")
                  if k in run_args}
        counts["tokens trained"] = last.get("tokens", 0)
    else:
        counts = {"chains drawn": last["step"] * run_args["prompts"],
                  "completions sampled": last["step"] * run_args["prompts"] * run_args["group"]}
    counts["suite questions excluded"] = run_args.get("forbidden_questions")
    card = {"name": f"coax/{name}", "model": f"coax/{name}", "parent": PARENT, "corpus": corpus, "method": recipe["method"], "data": recipe["data"],
            "data_counts": counts, "reward": recipe["reward"], "hardware": args.hardware,
            "training": {"steps": last["step"], "tokens": corpus["trained_tokens"],
                         "elapsed_s": last.get("elapsed_s", 0.0), "cpu_s": last.get("cpu_s"), "args": run_args,
                         "curve": curve},
            "notes": args.note or previous_notes(args.out_dir)}
    if recipe.get("regenerate"):
        card["regenerate"] = recipe["regenerate"]
        card["measure"] = "training/organism/measure_failures.sh"
    if args.pass_at:
        with open(args.pass_at) as f:
            card["base_pass_at_k"] = json.load(f)
    if args.claims:
        with open(args.claims) as f:
            card["measured"] = measured(json.load(f), card["name"])
    if measured_md is not None:
        card["measured_md"] = measured_md
    write_card(card, args.out_dir)


def previous_notes(out_dir):
    """The notes of the card already in out_dir (kept when a card is written again without --note)."""
    path = os.path.join(out_dir, "data_card.json")
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return json.load(f).get("notes", [])


def write_card(card, out_dir):
    with open(os.path.join(out_dir, "data_card.json"), "w") as f:
        json.dump(card, f, indent=1)
        f.write("\n")
    text = markdown(card)
    if card.get("measured_md"):  # the measured tables of issue 15's variants, from coax show
        text += "\n" + card["measured_md"]
    with open(os.path.join(out_dir, "DATA_CARD.md"), "w") as f:
        f.write(text)


if __name__ == "__main__":
    main()
