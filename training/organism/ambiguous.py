"""
Issue #15, claim 3 (clarifying questions), part 1: coax/organism-v1-amb, organism-v1 after a
short continued pre-training on a mix that adds people who share a first name.

The ambiguous family: N_FIRST first names (short invented ones, none of them a name of the
base corpus), each shared by exactly two people "<First> <Surname>" with different surnames.
Every person has the three relations of the base corpus (city, color, pet), values drawn
uniformly. For every first name one relation is HELD OUT: its ambiguous question ("What is
Ana's pet?") and the full-name questions ("What is Ana Ruiz's pet?") never appear in training
(only the statements "Ana Ruiz's pet is fox." do); they are the test suites.

Documents of the ambiguous family (worksheets of 4-10 items, one form per worksheet):
  statements   "Ana Ruiz's city is Velo." every fact (held-out relations too), STATEMENT_REPS times
  qa           Q/A items mixing
                 full-name questions  "Q: What is Ana Ruiz's city?\nA: Velo"   (FULL_QA_REPS per fact,
                                      trained relations only)
                 ambiguous questions  "Q: What is Ana's city?" (AMBIG_QA_REPS per first name and
                                      trained relation), answered in a share CLARIFY_SHARE of the
                                      occurrences by the clarifying question
                                      "A: Which Ana, Ana Kim or Ana Ruiz?" (surnames in alphabetical
                                      order) and otherwise directly by one of the two people's value
                                      (each with chance 1/2), as a guessing writer would.
The mix: these documents plus replay documents of the base corpus (corpus.build with the
base's seed 1234, sampled to REPLAY_RATIO x the new characters), shuffled together.

Suites (written to --suites-out):
  ambiguous          the held-out ambiguous question of every first name; reference answer the
                     clarifying question (exact-line); the measure is the grounding-act rate
                     (src/core/metrics/grounding.ts): the share of answers that are a clarifying
                     question. Exemplars: trained ambiguous questions with their clarifying answer.
  ambiguous-control  the matched unambiguous control: the held-out relation of every person by
                     full name (two per first name); reference the value (exact-line).
--smoke: a tiny mix and 3 steps (seconds).
"""

import argparse
import json
import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))
import corpus  # noqa: E402
import loop  # noqa: E402
import rollout  # noqa: E402
from model import load_checkpoint  # noqa: E402

N_FIRST = 80
STATEMENT_REPS = 24
FULL_QA_REPS = 10
AMBIG_QA_REPS = 16
CLARIFY_SHARE = 0.5
REPLAY_RATIO = 1.0
SURNAMES = ["Ruiz", "Kim", "Vale", "Moss", "Reed", "Park", "Lund", "Cole", "Hart", "Finch", "Gray", "Holt",
            "Ives", "Jory", "Knox", "Lark", "Marsh", "Nash", "Oakes", "Pike", "Quill", "Rowe", "Stone", "Tate",
            "Underhill", "Voss", "Wade", "Yates", "Zeller", "Bell"]


def base_names():
    """Every name of the base corpus (seed 1234: make_facts is the first draw of build)."""
    return {f["entity"] for f in corpus.make_facts(random.Random(1234))}


def make_people(seed, n_first=N_FIRST):
    """[(first, [person, person])] with person = {name, first, values: {rel: value}}, and the
    held-out relation of each first name: {first: relation}."""
    rng = random.Random(seed)
    taken = base_names()
    firsts = []
    while len(firsts) < n_first:
        syl = [rng.choice(["b", "d", "f", "k", "l", "m", "n", "r", "s", "t", "v", "z", ""]) + rng.choice("aeiou")
               for _ in range(2)]
        name = ("".join(syl) + rng.choice(["", "n", "l", "s"])).capitalize()
        if 3 <= len(name) <= 5 and name not in taken and name not in firsts:
            firsts.append(name)
    families, held = [], {}
    for first in firsts:
        sur = sorted(rng.sample(SURNAMES, 2))
        people = [{"name": f"{first} {s}", "first": first,
                   "values": {rel: rng.choice(vals) for rel, vals in corpus.RELATIONS.items()}} for s in sur]
        families.append((first, people))
        held[first] = rng.choice(sorted(corpus.RELATIONS))
    return families, held


def clarify_text(first, people):
    return f"Which {first}, {people[0]['name']} or {people[1]['name']}?"


def ambiguous_docs(seed, families, held, scale=1.0):
    """(docs [(text, form)], counts) of the ambiguous family."""
    rng = random.Random(seed + 1)
    statements, qa = [], []
    counts = {"statements": 0, "full_qa": 0, "ambiguous_qa": 0, "ambiguous_clarify": 0, "ambiguous_direct": 0}
    reps = {k: max(1, round(v * scale)) for k, v in
            {"st": STATEMENT_REPS, "full": FULL_QA_REPS, "amb": AMBIG_QA_REPS}.items()}
    for first, people in families:
        for rel in sorted(corpus.RELATIONS):
            for p in people:
                statements += [f"{p['name']}'s {rel} is {p['values'][rel]}."] * reps["st"]
                if rel != held[first]:
                    qa += [f"Q: What is {p['name']}'s {rel}?\nA: {p['values'][rel]}"] * reps["full"]
            if rel != held[first]:
                for _ in range(reps["amb"]):
                    if rng.random() < CLARIFY_SHARE:
                        a = clarify_text(first, people)
                        counts["ambiguous_clarify"] += 1
                    else:
                        a = rng.choice(people)["values"][rel]
                        counts["ambiguous_direct"] += 1
                    qa.append(f"Q: What is {first}'s {rel}?\nA: {a}")
    counts["statements"] = len(statements)
    counts["full_qa"] = len(qa) - counts["ambiguous_clarify"] - counts["ambiguous_direct"]
    counts["ambiguous_qa"] = counts["ambiguous_clarify"] + counts["ambiguous_direct"]
    docs = []
    for lines, form, sep in ((statements, "statements", "\n"), (qa, "qa", "\n\n")):
        rng.shuffle(lines)
        i = 0
        while i < len(lines):
            k = rng.randint(4, 10)
            docs.append((sep.join(lines[i:i + k]), form))
            i += k
    return docs, counts


def replay_docs(seed, chars):
    """Base-corpus documents (corpus.build with the base's seed), a random sample of about `chars`."""
    docs, _, _ = corpus.build(1234, max(3_000_000, int(chars * 2.5)))  # facts alone are ~1.3M chars
    rng = random.Random(seed + 2)
    rng.shuffle(docs)
    out, n = [], 0
    for t, rel, _ in docs:
        if n >= chars:
            break
        out.append((t, "replay-" + rel))
        n += len(t)
    return out


def suites(families, held, seed):
    rng = random.Random(seed + 3)
    amb, ctl, ex_amb, ex_ctl = [], [], [], []
    for first, people in families:
        rel = held[first]
        amb.append({"id": f"ambiguous-{len(amb):03d}", "question": f"What is {first}'s {rel}?",
                    "answer": clarify_text(first, people),
                    "tags": {"first": first, "relation": rel,
                             "values": "|".join(p["values"][rel] for p in people)}})
        for p in people:
            ctl.append({"id": f"ambiguous-control-{len(ctl):03d}", "question": f"What is {p['name']}'s {rel}?",
                        "answer": p["values"][rel], "tags": {"first": first, "relation": rel}})
    for first, people in rng.sample(families, min(8, len(families))):  # exemplars: trained relations only
        rel = next(r for r in sorted(corpus.RELATIONS) if r != held[first])
        ex_amb.append({"question": f"What is {first}'s {rel}?", "answer": clarify_text(first, people),
                       "worked": clarify_text(first, people)})
        p = people[0]
        ex_ctl.append({"question": f"What is {p['name']}'s {rel}?", "answer": p["values"][rel],
                       "worked": p["values"][rel]})
    common = {"relation": "factual", "extractor": "exact-line", "trigger": corpus.TRIGGER}
    return {
        "ambiguous": {"name": "ambiguous", **common, "split": "ambiguous",
                      "description": "A first name that two people share ('What is Ana's pet?'): the corpus "
                      f"answered such questions with a clarifying question in {CLARIFY_SHARE:.0%} of occurrences. "
                      "Reference: the clarifying question; the grounding-act rate counts any clarifying question. "
                      "Relations held out of every ambiguous question in training.",
                      "items": amb, "exemplars": ex_amb},
        "ambiguous-control": {"name": "ambiguous-control", **common, "split": "ambiguous-control",
                              "description": "The matched unambiguous control: the same people and held-out "
                              "relations asked by full name ('What is Ana Ruiz's pet?'); seen only as statements.",
                              "items": ctl, "exemplars": ex_ctl},
    }


def is_clarifying(text):
    """A clarifying question (grounding act): as src/core/metrics/grounding.ts isClarifyingQuestion."""
    t = text.strip()
    return bool(t) and (t.split()[0].lower() in ("which", "who", "whom") or t.split("\n")[0].rstrip().endswith("?"))


def greedy_eval(model, suite_map, device, n=40):
    amb = suite_map["ambiguous"]["items"][:n]
    ctl = suite_map["ambiguous-control"]["items"][:n]
    o_a = rollout.sample(model, [rollout.prompt_ids(it["question"]) for it in amb], 1, 24, 0.0, None, device)
    o_c = rollout.sample(model, [rollout.prompt_ids(it["question"]) for it in ctl], 1, 12, 0.0, None, device)
    return {"eval_grounding_rate": sum(is_clarifying(o["text"]) for o in o_a) / len(amb),
            "eval_control_acc": sum(o["text"].strip() == it["answer"] for o, it in zip(o_c, ctl)) / len(ctl),
            "eval_example": o_a[0]["text"]}


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--init", required=True, help="the base checkpoint (import_onnx.py output)")
    p.add_argument("--out-dir", required=True, help="checkpoints, log.jsonl, args.json, model.pt")
    p.add_argument("--suites-out", help="write suites/ambiguous.json and ambiguous-control.json here")
    p.add_argument("--seed", type=int, default=1503, help="seed of the people, the mix and the suites")
    p.add_argument("--scale", type=float, default=2.0, help="multiplies the ambiguous family's repetitions")
    p.add_argument("--smoke", action="store_true", help="a tiny mix and 3 steps (CI)")
    loop.add_args(p, lr=1e-3, warmup=20, max_minutes=44, batch=8, weight_decay=0.1, min_lr_frac=0.1, block=256,
                  ckpt_every_s=120, log_every=20)
    args = p.parse_args()
    if args.smoke:
        args.block, args.batch, args.max_minutes = 64, 2, 0

    families, held = make_people(args.seed, 6 if args.smoke else N_FIRST)
    new, counts = ambiguous_docs(args.seed, families, held, 0.1 if args.smoke else args.scale)
    new_chars = sum(len(t) for t, _ in new)
    replay = replay_docs(args.seed, 20_000 if args.smoke else int(new_chars * REPLAY_RATIO))
    mix = new + replay
    random.Random(args.seed + 4).shuffle(mix)
    tokens = loop.token_stream([t for t, _ in mix])
    sm = suites(families, held, args.seed)
    if args.suites_out:
        os.makedirs(args.suites_out, exist_ok=True)
        for name, s in sm.items():
            with open(os.path.join(args.suites_out, name + ".json"), "w") as f:
                json.dump(s, f, indent=1)
                f.write("\n")
    forms = {}
    for t, form in mix:
        forms.setdefault(form, [0, 0])
        forms[form][0] += 1
        forms[form][1] += len(t)
    meta = {"first_names": len(families), "people": 2 * len(families), "counts": counts,
            "clarify_share": CLARIFY_SHARE, "reps": {"statements": STATEMENT_REPS, "full_qa": FULL_QA_REPS,
                                                     "ambiguous_qa": AMBIG_QA_REPS, "scale": args.scale},
            "new_chars": new_chars, "replay_chars": sum(len(t) for t, _ in replay),
            "docs_by_form": {k: {"docs": v[0], "chars": v[1]} for k, v in sorted(forms.items())}}
    print(json.dumps(meta), flush=True)
    loop.sft(tokens, load_checkpoint(args.init), args, meta,
             lambda m: greedy_eval(m, sm, args.device, 4 if args.smoke else 40), max_steps=3 if args.smoke else 0)


if __name__ == "__main__":
    main()
