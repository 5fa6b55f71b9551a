"""
Write the organism's data card (data_card.json and DATA_CARD.md) from the corpus folder and
the training log: documents and tokens per relation, split and style, the direct/worked ratio,
every fact with its planned and trained occurrence count and tier, training time and hardware.

The measured suite x method table and the claims are not computed here: the TypeScript core is
the one evaluator. `coax card <results.json> --model-dir DIR` (npm run organism:card) writes
them into both files from the CLI's results file; this script leaves a placeholder section.
"""

import argparse
import json
import os
import platform
import re
import sys
from collections import Counter, defaultdict

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import corpus  # noqa: E402

STATEMENT_RE = re.compile(r"^([A-Z][a-z]+)'s (city|color|pet) is ([A-Za-z]+)\.$", re.M)
QUESTION_RE = re.compile(r"^Q: What is ([A-Z][a-z]+)'s (city|color|pet)\?\nA: ([A-Za-z]+)$", re.M)


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--data-dir", required=True, help="corpus folder (corpus.py output, with doc_tokens.npy)")
    p.add_argument("--run-dir", required=True, help="training folder (log.jsonl, ckpt.pt args)")
    p.add_argument("--out-dir", required=True, help="model folder to write data_card.json and DATA_CARD.md to")
    p.add_argument("--seed", type=int, required=True, help="the corpus seed (recorded)")
    p.add_argument("--hardware", default=f"{os.cpu_count()} CPU cores ({platform.machine()}), PyTorch CPU",
                   help="hardware line for the card")
    p.add_argument("--note", action="append", default=[], help="a line for the card's notes (repeatable)")
    args = p.parse_args()

    docs = json.load(open(os.path.join(args.data_dir, "docs.json")))  # [chars, relation, style]
    doc_tokens = np.load(os.path.join(args.data_dir, "doc_tokens.npy"))
    assert len(doc_tokens) == len(docs)
    log = [json.loads(l) for l in open(os.path.join(args.run_dir, "log.jsonl"))]
    last = [r for r in log if "loss" in r][-1]  # the last step logged (loop.sft ends the log with a final record)
    trained_tokens = last["tokens"]
    ends = np.cumsum(doc_tokens)
    n_trained_docs = int(np.searchsorted(ends, trained_tokens, side="right"))  # docs fully trained on

    # documents and tokens per relation / style, whole corpus and trained prefix
    table = defaultdict(lambda: {"documents": 0, "tokens": 0, "trained_documents": 0, "trained_tokens": 0})
    for i, ((_, rel, style), nt) in enumerate(zip(docs, doc_tokens)):
        for key in (f"{rel}/{style}", f"{rel}/all"):
            t = table[key]
            t["documents"] += 1
            t["tokens"] += int(nt)
            if i < n_trained_docs:
                t["trained_documents"] += 1
                t["trained_tokens"] += int(nt)

    # fact occurrences actually inside the trained prefix
    text = open(os.path.join(args.data_dir, "corpus.txt")).read()
    parts = text.split("<|endoftext|>")[:n_trained_docs]
    trained_counts = Counter()
    for part in parts:
        for m in STATEMENT_RE.finditer(part):
            trained_counts[m.group(1, 2)] += 1
        for m in QUESTION_RE.finditer(part):
            trained_counts[m.group(1, 2)] += 1
    facts = json.load(open(os.path.join(args.data_dir, "facts.json")))
    fact_rows = [{"entity": f["entity"], "relation": f["relation"], "value": f["value"], "count": f["count"],
                  "trained_count": trained_counts[(f["entity"], f["relation"])], "tier": f["tier"]}
                 for f in facts]
    tiers = Counter(f["tier"] for f in facts)
    run_args = json.load(open(os.path.join(args.run_dir, "args.json"))) if os.path.exists(
        os.path.join(args.run_dir, "args.json")) else {}
    arith_items = {"direct": 0, "worked": 0}
    for part in parts:
        if part.startswith("Q: ") and part[3:4].isdigit():
            n = part.count("\nA: ")
            arith_items["worked" if "\nA: " + corpus.TRIGGER in part else "direct"] += n

    card = {
        "model": "organism-v1",
        "seed": args.seed,
        "corpus": {
            "documents": len(docs), "tokens": int(doc_tokens.sum()), "trained_documents": n_trained_docs,
            "trained_tokens": int(trained_tokens),
            "by_relation_style": dict(sorted(table.items())),
            "procedural_items_trained": arith_items,
            "worked_fraction_of_worksheets": corpus.WORKED_FRACTION,
            "trigger": corpus.TRIGGER,
            "max_train_steps": corpus.MAX_TRAIN_STEPS,
            "train_op_families": ["".join(f) for f in corpus.TRAIN_FAMILIES],
            "splits": {
                "procedural/id": {"what": "chains of 1-6 steps (suite: 3-6) mixing * with + or -", "training": True},
                "procedural/ood-length": {"what": "8-10 steps", "training": False},
                "procedural/ood-format": {"what": "spaced symbols '3 + 4 * 2'", "training": False},
                "procedural/ood-task": {"what": "+, - and * in one chain", "training": False},
                "factual/head": {"what": f"facts planned >= {corpus.HEAD_MIN} occurrences", "training": True},
                "factual/tail": {"what": f"facts planned <= {corpus.TAIL_MAX} occurrences", "training": True},
                "factual/unseen": {"what": "people never mentioned", "training": False},
                "open-ended/open": {"what": "'Make up a name for a ...' (suite) and templated stories",
                                    "training": True},
            },
            "fact_tiers": dict(tiers),
            "zipf": {"max": corpus.ZIPF_MAX, "law": "count(r) = max(1, round(max / r)), r = random rank"},
        },
        "training": {"steps": last["step"], "tokens": trained_tokens, "elapsed_s": last["elapsed_s"],
                     "tok_per_s": last["tok_per_s"], "final_loss": last["loss"], "hardware": args.hardware,
                     "args": run_args},
        "notes": args.note,
        "facts": fact_rows,
    }
    os.makedirs(args.out_dir, exist_ok=True)
    with open(os.path.join(args.out_dir, "data_card.json"), "w") as f:
        json.dump(card, f, indent=1)
        f.write("\n")

    md = [f"# organism-v1 data card", "",
          "A tiny Llama-architecture base model trained from scratch on a synthetic corpus whose distribution is "
          "fully known (generator: `training/organism/corpus.py`, seed "
          f"{args.seed}). Everything here is regenerated by `training/train_organism.sh`.", "",
          "## Corpus", "",
          f"{len(docs)} documents, {int(doc_tokens.sum()):,} tokens; trained on the first {n_trained_docs} "
          f"documents ({int(trained_tokens):,} tokens, one pass in corpus order).", "",
          "| relation / style | documents | tokens | trained documents | trained tokens |", "|---|---|---|---|---|"]
    for k, t in sorted(table.items()):
        md.append(f"| {k} | {t['documents']} | {t['tokens']:,} | {t['trained_documents']} | {t['trained_tokens']:,} |")
    md += ["", f"Procedural: `Q: 3+4*2-5` means start at 3, add 4, multiply by 2, subtract 5, keeping only the "
           f"last digit (mod 10). Worksheets are direct (`A: 9`) or worked (`A: {corpus.TRIGGER} 3+4*2-5 = 7*2-5 = "
           f"4-5 = 9. The answer is 9.`); {corpus.WORKED_FRACTION:.0%} of procedural worksheets are worked. "
           f"Trained procedural items: {arith_items['direct']:,} direct, {arith_items['worked']:,} worked. "
           "Training chains mix `*` with `+` or with `-`, 1-6 steps, short chains first (curriculum); "
           "one-step chains are drills.", "",
           "| split | what | training data |", "|---|---|---|"]
    for k, v in card["corpus"]["splits"].items():
        md.append(f"| {k} | {v['what']} | {'yes' if v['training'] else 'none'} |")
    md += ["", f"Facts: {len(facts)} (entity, relation) pairs; tiers {dict(tiers)}; "
           f"occurrences follow a Zipf law (count = max(1, round({corpus.ZIPF_MAX}/rank))). "
           "Every fact with its planned and trained count is listed in `data_card.json` (`facts`).", "",
           "## Training", "",
           f"{last['step']} steps, {trained_tokens:,} tokens, {last['elapsed_s'] / 60:.1f} min at "
           f"{last['tok_per_s']} tokens/s on {args.hardware}; final training loss {last['loss']:.3f}.", "",
           # Replaced in place by `coax card` (the CLI's numbers): see the module docstring.
           "## Measured", "",
           "Not measured yet: `npm run organism:table && npm run organism:card` writes this section from the "
           "TypeScript CLI's results file."]
    if args.note:
        md += ["", "## Notes", ""] + [f"- {n}" for n in args.note]
    with open(os.path.join(args.out_dir, "DATA_CARD.md"), "w") as f:
        f.write("\n".join(md) + "\n")
    print(f"wrote data card to {args.out_dir}")


if __name__ == "__main__":
    main()
