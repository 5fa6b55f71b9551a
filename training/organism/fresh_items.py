"""
Fresh procedural chains for the organism's variants, disjoint from every suite item and
every exemplar pool that the CLI and the page evaluate with.

The forbidden set is read from the suite JSON files themselves (public/models/coax/
organism-v1/suites/ by default), not regenerated from the corpus seed, so that it is exactly
what gets evaluated. Questions are compared with spaces removed: arith-ood-format writes
"3 + 4 * 2", the same chain as "3+4*2".
"""

import json
import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import corpus  # noqa: E402

SUITES_DIR = os.path.join(HERE, "..", "..", "public", "models", "coax", "organism-v1", "suites")


def canonical(question):
    return question.replace(" ", "")


def suite_questions(suites_dir=SUITES_DIR):
    """Every test question and exemplar question of every suite, canonical form."""
    out = set()
    names = sorted(f for f in os.listdir(suites_dir) if f.endswith(".json"))
    assert names, f"no suite files in {suites_dir}"
    for name in names:
        with open(os.path.join(suites_dir, name)) as f:
            suite = json.load(f)
        out.update(canonical(it["question"]) for it in suite["items"])
        out.update(canonical(ex["question"]) for ex in suite.get("exemplars", []))
    return out


def fresh_chains(seed, n, steps, forbidden, families=corpus.TRAIN_FAMILIES):
    """n distinct chains (start, steps) with a step count drawn uniformly from `steps` and a
    family from `families` (corpus.random_chain: every op of the family appears), none of
    whose questions is in `forbidden`. Deterministic in seed."""
    rng = random.Random(seed)
    seen, out = set(), []
    tries = 0
    while len(out) < n:
        tries += 1
        assert tries < 50 * n + 1000, "cannot find enough fresh chains: the space is too small"
        start, st = corpus.random_chain(rng, rng.choice(list(steps)), rng.choice(families))
        q = corpus.chain_text(start, st)
        if q in forbidden or q in seen:
            continue
        seen.add(q)
        out.append((start, st))
    return out


def item(start, steps):
    """{question, answer, steps} of a chain."""
    return {"question": corpus.chain_text(start, steps), "answer": str(corpus.run_chain(start, steps)[-1]),
            "steps": len(steps)}
