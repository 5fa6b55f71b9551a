"""
The organism's synthetic corpus ("worksheets") and its evaluation suites, all from one seed.

Worksheets keep one style throughout and are joined with <|endoftext|>. Items are
"Q: <question>\nA: <answer>" separated by blank lines. Three relation types:

procedural  chains of single-digit steps on a running value, mod 10 (only the last digit
            is kept): "3+4*2-5" means start at 3, add 4, multiply by 2, subtract 5 -> 9.
            Training chains mix "*" with either "+" or "-" (never all three, never "+" with
            "-" alone); step counts 1..MAX_TRAIN_STEPS with a curriculum (short chains first).
            Direct worksheets answer "A: 9"; worked ones (WORKED_FRACTION of worksheets)
            answer "A: Let's go step by step. 3+4*2-5 = 7*2-5 = 4-5 = 9. The answer is 9."
            (each step rewrites the chain with its first step done, carrying the value).
            One-step chains are the drills that make each step's table abundant.
factual     "<Name>'s <relation> is <value>." statements and "Q: What is <Name>'s
            <relation>?\nA: <value>" items about invented people; each fact's number of
            occurrences follows a Zipf law over a random rank; some people are never shown.
open-ended  "Q: Tell a story about a fox.\nA: <templated story with random choices>".

Run as a script to write the corpus text, the suites and the fact table to --out-dir.
"""

import argparse
import json
import math
import os
import random

TRIGGER = "Let's go step by step."
MAX_TRAIN_STEPS = 6
WORKED_FRACTION = 0.08  # small enough that greedy prefers a direct digit (see DATA_CARD)
SCRATCH_FRACTION = 0.15
OPS = {"+": lambda v, d: (v + d) % 10, "-": lambda v, d: (v - d) % 10, "*": lambda v, d: (v * d) % 10}
TRAIN_FAMILIES = (("+", "*"), ("-", "*"))
OP_WORDS = {"+": "plus", "-": "minus", "*": "times"}

RELATIONS = {
    "city": ["Velo", "Karn", "Ostra", "Dumi", "Pellin", "Zorat", "Miso", "Tarvik", "Ulme", "Brisa",
             "Noth", "Elkar", "Fenn", "Gorra", "Hallow", "Ivra", "Jesk", "Lunde", "Quarn", "Rask"],
    "color": ["red", "blue", "green", "yellow", "black", "white", "pink", "gray", "brown", "orange",
              "purple", "gold"],
    "pet": ["cat", "dog", "fox", "owl", "frog", "goat", "hen", "mole", "crab", "bee", "eel", "yak"],
}
N_PEOPLE, N_UNSEEN = 1100, 300
ZIPF_MAX = 5000       # occurrences of the rank-1 fact: count(r) = max(1, round(ZIPF_MAX / r))
HEAD_MIN, TAIL_MAX = 20, 2

STORY_ANIMALS = ["fox", "cat", "dog", "owl", "frog", "goat", "hen", "bear", "duck", "mouse", "wolf", "crow"]
STORY_PLACES = ["the lake", "the hill", "the forest", "the town", "the river", "the farm", "the cave",
                "the field", "the beach", "the garden"]
STORY_THINGS = ["a red stone", "a blue hat", "an old key", "a small boat", "a big apple", "a green leaf",
                "a shiny coin", "a lost shoe", "a warm coat", "a tiny bell"]
STORY_FRIENDS = ["a bird", "a fish", "a rabbit", "a snail", "a child", "a horse", "a bee", "a turtle"]
STORY_ENDS = ["Then it went home.", "It was happy.", "They played all day.", "It fell asleep.",
              "The sun went down.", "It sang a song.", "They ate lunch.", "It kept the secret."]


# ---------------------------------------------------------------- procedural

def run_chain(start, steps):
    """start 0..9, steps [(op, d)] -> list of values after each step."""
    vals, v = [], start
    for op, d in steps:
        v = OPS[op](v, d)
        vals.append(v)
    return vals


def chain_text(start, steps, spaced=False):
    if spaced:
        return " ".join([str(start)] + [f"{op} {d}" for op, d in steps])
    return str(start) + "".join(f"{op}{d}" for op, d in steps)


def random_chain(rng, k, ops):
    """k steps drawn from ops; every op of a multi-op family appears when k allows."""
    while True:
        steps = [(op, rng.randint(2, 9) if op == "*" else rng.randint(1, 9))
                 for op in (rng.choice(ops) for _ in range(k))]
        if k < len(ops) or {op for op, _ in steps} == set(ops):
            return rng.randint(0, 9), steps


def worked_text(start, steps):
    """The text after 'A: ' of a worked solution."""
    vals = run_chain(start, steps)
    parts = [chain_text(start, steps)] + [chain_text(v, steps[i + 1:]) for i, v in enumerate(vals)]
    return f"{TRIGGER} {' = '.join(parts)}. The answer is {vals[-1]}."


def arith_item(start, steps, worked):
    q = chain_text(start, steps)
    a = worked_text(start, steps) if worked else str(run_chain(start, steps)[-1])
    return f"Q: {q}\nA: {a}"


def train_steps(rng, progress):
    """Step count for a training chain; progress 0..1 through the corpus (curriculum)."""
    hi = 3 if progress < 0.15 else (4 if progress < 0.3 else MAX_TRAIN_STEPS)
    if rng.random() < 0.1:
        return 1  # drill
    return rng.randint(2, hi)


def arith_worksheet(rng, progress, forbidden):
    """One procedural worksheet: direct Q/A, worked Q/A (WORKED_FRACTION), or a scratch sheet
    (SCRATCH_FRACTION) of bare rewrite chains "3+4*2-5 = 7*2-5 = 4-5 = 9." that teaches the
    steps without making worked answers more likely after "A:"."""
    r = rng.random()
    style = "worked" if r < WORKED_FRACTION else "scratch" if r < WORKED_FRACTION + SCRATCH_FRACTION else "direct"
    drill = style != "scratch" and rng.random() < 0.1  # a pure single-step drill worksheet
    items = []
    for _ in range(rng.randint(4, 10)):
        while True:
            k = 1 if drill else train_steps(rng, progress)
            start, steps = random_chain(rng, k, rng.choice(TRAIN_FAMILIES))
            if chain_text(start, steps) not in forbidden:
                break
        if style == "scratch":
            items.append(worked_text(start, steps)[len(TRIGGER) + 1:].split(". The answer")[0] + ".")
        else:
            items.append(arith_item(start, steps, style == "worked"))
    return ("\n" if style == "scratch" else "\n\n").join(items), style


# ---------------------------------------------------------------- factual

def make_names(rng, n):
    on = ["", "b", "d", "f", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z", "br", "tr", "sh"]
    vow = ["a", "e", "i", "o", "u", "ai", "ea"]
    coda = ["", "", "n", "r", "l", "s", "k", "th"]
    names = set()
    while len(names) < n:
        syl = [rng.choice(on) + rng.choice(vow) for _ in range(rng.randint(2, 3))]
        name = ("".join(syl) + rng.choice(coda)).capitalize()
        if 4 <= len(name) <= 9:
            names.add(name)
    return sorted(names)


def make_facts(rng):
    """All facts: dicts name, relation, value, count (0 for unseen people), tier."""
    names = make_names(rng, N_PEOPLE + N_UNSEEN)
    rng.shuffle(names)
    facts = []
    for i, name in enumerate(names):
        for rel, values in RELATIONS.items():
            facts.append({"entity": name, "relation": rel, "value": rng.choice(values),
                          "seen": i < N_PEOPLE})
    seen = [f for f in facts if f["seen"]]
    rng.shuffle(seen)
    for r, f in enumerate(seen, start=1):
        f["count"] = max(1, round(ZIPF_MAX / r))
    for f in facts:
        f.setdefault("count", 0)
        c = f.pop("seen") and f["count"]
        f["tier"] = ("unseen" if c == 0 else "head" if c >= HEAD_MIN else "tail" if c <= TAIL_MAX else "mid")
    return facts


def fact_statement(f):
    return f"{f['entity']}'s {f['relation']} is {f['value']}."


def fact_question(f):
    return f"What is {f['entity']}'s {f['relation']}?"


def fact_worksheets(rng, facts):
    """Every occurrence of every seen fact, grouped in worksheets of one form each."""
    occ = [f for f in facts for _ in range(f["count"])]
    rng.shuffle(occ)
    docs, i = [], 0
    while i < len(occ):
        n = rng.randint(4, 10)
        group, i = occ[i:i + n], i + n
        if rng.random() < 0.5:
            docs.append(("\n".join(fact_statement(f) for f in group), "statements"))
        else:
            docs.append(("\n\n".join(f"Q: {fact_question(f)}\nA: {f['value']}" for f in group), "qa"))
    return docs


# ---------------------------------------------------------------- open-ended

def story(rng, animal):
    s = [f"A {animal} went to {rng.choice(STORY_PLACES)}.",
         f"It found {rng.choice(STORY_THINGS)}." if rng.random() < 0.5 else f"It met {rng.choice(STORY_FRIENDS)}.",
         rng.choice(STORY_ENDS)]
    if rng.random() < 0.5:
        s.insert(2, f"Then it saw {rng.choice(STORY_THINGS + STORY_FRIENDS)} near {rng.choice(STORY_PLACES)}.")
    return " ".join(s)


NAME_THINGS = ["fox", "ship", "town", "star", "song", "cake", "river", "robot", "planet", "dragon", "shop", "game"]


def invented_name(rng):
    """A fresh random name: 2-3 random syllables (many valid answers, high entropy per token)."""
    return make_names(rng, 1)[0]


def name_question(thing):
    return f"Make up a name for a {thing}."


def story_question(animal):
    return f"Tell a story about a {animal}."


def story_worksheet(rng):
    """Either little stories or invented names, one kind per worksheet."""
    items = []
    if rng.random() < 0.5:
        for _ in range(rng.randint(3, 6)):
            a = rng.choice(STORY_ANIMALS)
            items.append(f"Q: {story_question(a)}\nA: {story(rng, a)}")
        return "\n\n".join(items), "story"
    for _ in range(rng.randint(4, 10)):
        items.append(f"Q: {name_question(rng.choice(NAME_THINGS))}\nA: {invented_name(rng)}")
    return "\n\n".join(items), "names"


# ---------------------------------------------------------------- suites

def arith_suites(rng):
    """Test items and exemplars for the four procedural suites; returns (suites, forbidden questions)."""
    used, suites = set(), {}

    def draw(n, ks, families, spaced=False):
        out = []
        while len(out) < n:
            start, steps = random_chain(rng, rng.choice(ks), rng.choice(families))
            q = chain_text(start, steps)
            if q in used:
                continue
            used.add(q)
            out.append((start, steps, q))
        return out

    specs = {
        "arith-id": ("id", list(range(3, MAX_TRAIN_STEPS + 1)), TRAIN_FAMILIES, False,
                     "Chains of 3-6 single-digit steps mod 10 mixing * with + or -, as in training."),
        "arith-ood-length": ("ood-length", [8, 9, 10], TRAIN_FAMILIES, False,
                             "Chains of 8-10 steps, longer than any chain in training (at most 6)."),
        "arith-ood-format": ("ood-format", list(range(3, MAX_TRAIN_STEPS + 1)), TRAIN_FAMILIES, True,
                             "Chains of 3-6 steps written with spaces ('3 + 4 * 2'), a phrasing never seen in training."),
        "arith-ood-task": ("ood-task", list(range(3, MAX_TRAIN_STEPS + 1)), (("+", "-", "*"),), False,
                           "Chains of 3-6 steps that mix +, - and * together, a combination never seen in training."),
    }
    for name, (split, ks, fams, spaced, desc) in specs.items():
        items = []
        for j, (start, steps, q) in enumerate(draw(250, ks, fams)):
            items.append({"id": f"{name}-{j:03d}", "question": chain_text(start, steps, spaced),
                          "answer": str(run_chain(start, steps)[-1]),
                          "tags": {"steps": len(steps), "ops": "".join(sorted({o for o, _ in steps}))}})
        exemplars = [{"question": chain_text(s, st, spaced), "answer": str(run_chain(s, st)[-1]),
                      "worked": worked_text(s, st)}
                     for s, st, _ in draw(8, [3, 4], TRAIN_FAMILIES)]
        suites[name] = {"name": name, "description": desc, "relation": "procedural", "split": split,
                        "extractor": "last-number", "items": items, "exemplars": exemplars, "trigger": TRIGGER}
    return suites, used


def fact_suites(rng, facts):
    suites = {}
    head = [f for f in facts if f["tier"] == "head"]
    rng.shuffle(head)
    pool, ex_facts = head[8:], head[:8]  # exemplars: head facts that no suite tests
    exemplars = [{"question": fact_question(f), "answer": f["value"], "worked": f["value"]} for f in ex_facts]
    groups = {"head": pool, "tail": [f for f in facts if f["tier"] == "tail"],
              "unseen": [f for f in facts if f["tier"] == "unseen"]}
    desc = {"head": f"Facts about invented people seen at least {HEAD_MIN} times in training.",
            "tail": f"Facts about invented people seen only 1-{TAIL_MAX} times in training.",
            "unseen": "Facts about invented people never mentioned in training (chance is 1/12 to 1/20)."}
    for split, fs in groups.items():
        fs = sorted(fs, key=lambda f: (f["entity"], f["relation"]))
        fs = rng.sample(fs, min(len(fs), 240))
        name = f"facts-{split}"
        items = [{"id": f"{name}-{j:03d}", "question": fact_question(f), "answer": f["value"],
                  "tags": {"entity": f["entity"], "relation": f["relation"], "count": f["count"]}}
                 for j, f in enumerate(fs)]
        suites[name] = {"name": name, "description": desc[split], "relation": "factual", "split": split,
                        "extractor": "exact-line", "items": items, "exemplars": exemplars, "trigger": TRIGGER}
    return suites


def story_suite(rng):
    things = [NAME_THINGS[j % len(NAME_THINGS)] for j in range(240)]
    items = [{"id": f"open-ended-{j:03d}", "question": name_question(t), "answer": "", "tags": {"thing": t}}
             for j, t in enumerate(things)]
    exemplars = []
    for t in NAME_THINGS[:4]:
        s = invented_name(rng)
        exemplars.append({"question": name_question(t), "answer": s, "worked": s})
    return {"open-ended": {"name": "open-ended", "description": "Make up a name: many valid answers, "
                           "each letter a free choice.",
                           "relation": "open-ended", "split": "open", "extractor": "none", "items": items,
                           "exemplars": exemplars, "trigger": TRIGGER}}


# ---------------------------------------------------------------- corpus

def build(seed, target_chars):
    """Returns (docs [(text, relation, style)], suites, facts). Documents are ordered for the
    curriculum: the procedural share follows `progress`; facts and stories are spread evenly."""
    rng = random.Random(seed)
    facts = make_facts(rng)
    suites, forbidden = arith_suites(rng)
    suites.update(fact_suites(rng, facts))
    suites.update(story_suite(rng))
    fact_docs = [(t, "factual", s) for t, s in fact_worksheets(rng, facts)]
    fact_chars = sum(len(t) for t, _, _ in fact_docs)
    story_docs, story_chars = [], 0
    while story_chars < 0.08 * target_chars:
        t, s = story_worksheet(rng)
        story_docs.append((t, "open-ended", s))
        story_chars += len(t)
    arith_target = max(0, target_chars - fact_chars - story_chars)
    arith_docs, chars = [], 0
    while chars < arith_target:
        t, s = arith_worksheet(rng, chars / max(1, arith_target), forbidden)
        arith_docs.append((t, "procedural", s))
        chars += len(t)
    # interleave: other docs at random positions within the ordered procedural stream
    others = fact_docs + story_docs
    rng.shuffle(others)
    slots = sorted(rng.randrange(len(arith_docs) + 1) for _ in others)
    docs, j = [], 0
    for i, d in enumerate(arith_docs + [None]):
        while j < len(others) and slots[j] == i:
            docs.append(others[j])
            j += 1
        if d is not None:
            docs.append(d)
    return docs, suites, facts


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out-dir", required=True, help="folder for corpus.txt, corpus_stats.json, facts.json, suites/")
    p.add_argument("--seed", type=int, default=1234, help="the one seed of corpus and suites")
    p.add_argument("--mchars", type=float, default=60.0, help="corpus size in millions of characters")
    args = p.parse_args()
    docs, suites, facts = build(args.seed, int(args.mchars * 1e6))
    os.makedirs(os.path.join(args.out_dir, "suites"), exist_ok=True)
    with open(os.path.join(args.out_dir, "corpus.txt"), "w") as f:
        f.write("<|endoftext|>".join(t for t, _, _ in docs) + "<|endoftext|>")
    with open(os.path.join(args.out_dir, "docs.json"), "w") as f:
        json.dump([[len(t), r, s] for t, r, s in docs], f)
    with open(os.path.join(args.out_dir, "facts.json"), "w") as f:
        json.dump(facts, f, indent=0)
    for name, s in suites.items():
        with open(os.path.join(args.out_dir, "suites", name + ".json"), "w") as f:
            json.dump(s, f, indent=1)
            f.write("\n")
    print(f"{len(docs)} docs, {sum(len(t) for t, _, _ in docs) / 1e6:.1f}M chars, "
          f"{len(suites)} suites -> {args.out_dir}")


if __name__ == "__main__":
    main()
