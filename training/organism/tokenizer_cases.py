"""
Write the tokenizer parity cases that the TypeScript tests check transformers.js against:
a list of {text, ids} over corpus-like lines (multi-space, newlines, digits, punctuation,
special tokens). Deterministic.
"""

import argparse
import json
import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import bpe  # noqa: E402
import corpus  # noqa: E402

FIXED = [
    "Q: 3+4*2-5\nA:",
    "Q: 3+4*2-5\nA: Let's go step by step. 3+4*2-5 = 7*2-5 = 4-5 = 9. The answer is 9.",
    "Q: 3 + 4 * 2 - 5\nA: 9\n\nQ: 7*3\nA: 1",
    "Q: What is Mira's city?\nA: Velo",
    "Mira's city is Velo.\nTolan's pet is owl.",
    "Q: Tell a story about a fox.\nA: A fox went to the lake. It found a red stone. Then it went home.",
    "a  b   c    d", "  leading spaces", "trailing spaces   ", "tabs\tand\ttabs", "\n\n\nnewlines \n \n",
    "x<|endoftext|>Q: 1+2\nA: 3<|endoftext|>", "<|pad|><|pad|>", "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~",
    " ! \" # $ % & ' ( ) * + , - . / : ; < = > ? @ [ \\ ] ^ _ ` { | } ~",
    "it's we're they've I'm you'll he'd 's 't", "1234567890 12 345 6789", "  7", " 7 ", "A: 10",
    "", " ", "\n", "The answer is 42.", "((1+2)*3)", "e.g. 3.14, 2,718; x=-5",
]


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--out", default="test/fixtures/organism-tokenizer-cases.json", help="output JSON")
    args = p.parse_args()
    rng = random.Random(7)
    texts = list(FIXED)
    docs, _, _ = corpus.build(seed=7, target_chars=30_000)
    for text, _, _ in rng.sample(docs, 24):
        texts.append(text[:400])
    cases = [{"text": t, "ids": bpe.encode(t)} for t in texts]
    for c in cases:
        assert bpe.decode(c["ids"]) == c["text"]
    with open(args.out, "w") as f:
        f.write("[\n" + ",\n".join(json.dumps(c) for c in cases) + "\n]\n")
    print(f"wrote {len(cases)} cases to {args.out}")


if __name__ == "__main__":
    main()
