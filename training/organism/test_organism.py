"""
Checks for the organism: tokenizer merges and round trip, corpus and suites (determinism,
arithmetic of the worked traces, suite schema, exemplars disjoint from test items), the
model's cache. (Evaluation is the TypeScript core's: test/unit and test/integration.)
Run:  OMP_NUM_THREADS=1 /usr/bin/python3 training/organism/test_organism.py
"""

import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))
import bpe  # noqa: E402
import corpus  # noqa: E402
from testing import run_tests  # noqa: E402

SMALL = 1_600_000  # facts alone take about 1.1M characters


def test_bpe_merges():
    vocab, merges = bpe.vocab_and_merges()
    assert len(vocab) == 352 and len(merges) == 94
    assert vocab["Ġ7"] == 258 + ord("7") - 33 and merges[0] == ("Ġ", "!")
    assert [bpe.decode([i]) for i in bpe.encode(" Let's go")] == [" L", "e", "t", "'", "s", " g", "o"]
    assert [bpe.decode([i]) for i in bpe.encode("A: 9\n\nQ:")] == ["A", ":", " 9", "\n", "\n", "Q", ":"]
    assert [bpe.decode([i]) for i in bpe.encode("a  b")] == ["a", " ", " b"]  # GPT-2 regex: \s+(?!\S)
    assert bpe.encode("x<|endoftext|>") == [2 + ord("x"), 0]


def test_bpe_roundtrip_corpus():
    docs, _, _ = corpus.build(seed=3, target_chars=SMALL)
    for text, _, _ in docs[:300]:
        assert bpe.decode(bpe.encode(text)) == text


def test_fixture_matches_encoder():
    path = os.path.join(HERE, "..", "..", "test", "fixtures", "organism-tokenizer-cases.json")
    for case in json.load(open(path)):
        assert bpe.encode(case["text"]) == case["ids"], case["text"]


def test_corpus_deterministic():
    a, sa, _ = corpus.build(seed=5, target_chars=SMALL)
    b, sb, _ = corpus.build(seed=5, target_chars=SMALL)
    assert a == b and sa == sb


def test_worked_trace_arithmetic():
    text = corpus.worked_text(3, [("+", 4), ("*", 2), ("-", 5)])
    assert text == "Let's go step by step. 3+4*2-5 = 7*2-5 = 4-5 = 9. The answer is 9."
    docs, _, _ = corpus.build(seed=6, target_chars=SMALL)
    n = 0
    for text, rel, style in docs:
        if rel != "procedural" or style != "worked":
            continue
        for line in re.findall(r"step by step\. (.*)\. The answer is (\d)\.", text):
            parts, ans = line[0].split(" = "), line[1]
            for a, b in zip(parts, parts[1:]):  # each rewrite applies the first step
                v = corpus.OPS[a[1]](int(a[0]), int(a[2]))
                assert b == str(v) + a[3:], (a, b)
                n += 1
            assert parts[-1] == ans
    assert n > 50


def test_suites_schema_and_disjoint():
    _, suites, facts = corpus.build(seed=1234, target_chars=SMALL)
    assert set(suites) == {"arith-id", "arith-ood-length", "arith-ood-format", "arith-ood-task",
                           "facts-head", "facts-tail", "facts-unseen", "open-ended"}
    keys = {"name", "description", "relation", "split", "extractor", "items", "exemplars", "trigger"}
    for name, s in suites.items():
        assert set(s) == keys, name
        assert len(s["items"]) >= 200, name
        qs = {it["question"] for it in s["items"]}
        if s["relation"] != "open-ended":
            assert not qs & {e["question"] for e in s["exemplars"]}, name
        for e in s["exemplars"]:
            if s["relation"] == "procedural":
                assert e["worked"].endswith(f"The answer is {e['answer']}.")
    tiers = {f["entity"] + f["relation"]: f for f in facts}
    for it in suites["facts-head"]["items"]:
        assert tiers[it["tags"]["entity"] + it["tags"]["relation"]]["count"] >= corpus.HEAD_MIN
    for it in suites["facts-unseen"]["items"]:
        assert it["tags"]["count"] == 0


def test_training_chains_never_in_suites():
    docs, suites, _ = corpus.build(seed=1234, target_chars=SMALL)
    test_qs = {it["question"] for n, s in suites.items() if s["relation"] == "procedural" for it in s["items"]}
    train_qs = set(re.findall(r"^Q: ([0-9+*-]+)$", "\n".join(t for t, r, _ in docs if r == "procedural"), re.M))
    assert train_qs and not train_qs & test_qs


def test_untied_head_cache_equals_full():
    import torch
    from model import Llama, LlamaConfig, init_weights
    torch.manual_seed(0)
    m = Llama(LlamaConfig(vocab_size=bpe.VOCAB_SIZE, tie_word_embeddings=False)).double().eval()
    init_weights(m, 0, 1.0, 0.3)
    assert not torch.equal(m.lm_head.weight, m.embed_tokens.weight)
    ids = bpe.encode("Q: 3+4*2\nA: 4")
    T = len(ids)
    full, _ = m(torch.tensor([ids]), torch.ones(1, T, dtype=torch.int64), torch.arange(T)[None],
                m.empty_past(1), torch.tensor(0))  # (1, T, V)
    a, past = m(torch.tensor([ids[:5]]), torch.ones(1, 5, dtype=torch.int64), torch.arange(5)[None],
                m.empty_past(1), torch.tensor(0))
    b, _ = m(torch.tensor([ids[5:]]), torch.ones(1, T, dtype=torch.int64), torch.arange(5, T)[None],
             past, torch.tensor(0))
    assert (torch.cat((a, b), 1) - full).abs().max() < 1e-9


if __name__ == "__main__":
    run_tests(globals(), sort_names=True)
