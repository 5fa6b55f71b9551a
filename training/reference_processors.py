"""Reference values for the TypeScript logit processors (test/fixtures/processor-references.json).

Each processor copies, line for line, the tensor code of the Hugging Face class cited above it
(src/transformers/generation/logits_process.py; transformers is not installed here). float32 like HF,
filter_value -inf, torch.sort(stable=True) wherever HF sorts (ties keep ascending index order).
Deterministic: running twice writes an identical file.

    OMP_NUM_THREADS=1 /usr/bin/python3 training/reference_processors.py [--out PATH]
"""
import argparse
import json
import math
import os

import numpy as np
import torch

NEG_INF = -float("inf")
DEFAULT_OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "fixtures",
                           "processor-references.json")


# RepetitionPenaltyLogitsProcessor.__call__ (normalize=False, prompt_ignore_length=None).
# HF __init__ validation: penalty must be a float > 0.
def repetition_penalty(input_ids, scores, penalty):
    score = torch.gather(scores, 1, input_ids)
    # if score < 0 then repetition penalty has to be multiplied to reduce the token probabilities
    score = torch.where(score < 0, score * penalty, score / penalty)
    return scores.scatter(1, input_ids, score)


# TemperatureLogitsWarper.__call__. HF __init__: temperature must be a float > 0.
def temperature(input_ids, scores, temperature):
    return scores / temperature


# TopKLogitsWarper. HF __init__: top_k int > 0; self.top_k = max(top_k, min_tokens_to_keep).
def top_k(input_ids, scores, k, min_tokens_to_keep):
    k = max(k, min_tokens_to_keep)  # __init__
    k = min(k, scores.size(-1))  # Safety check
    # Remove all tokens with a probability less than the last token of the top-k
    indices_to_remove = scores < torch.topk(scores, k)[0][..., -1, None]
    return scores.masked_fill(indices_to_remove, NEG_INF)


# TopPLogitsWarper.__call__. HF __init__: 0 <= top_p <= 1, min_tokens_to_keep int >= 1.
def top_p(input_ids, scores, p, min_tokens_to_keep):
    sorted_logits, sorted_indices = torch.sort(scores, descending=False, stable=True)
    cumulative_probs = sorted_logits.softmax(dim=-1).cumsum(dim=-1)
    # Remove tokens with cumulative top_p above the threshold (token with 0 are kept)
    sorted_indices_to_remove = cumulative_probs <= (1 - p)
    # Keep at least min_tokens_to_keep
    sorted_indices_to_remove[..., -min_tokens_to_keep:] = 0
    # scatter sorted tensors to original indexing
    indices_to_remove = sorted_indices_to_remove.scatter(1, sorted_indices, sorted_indices_to_remove)
    return scores.masked_fill(indices_to_remove, NEG_INF)


# MinPLogitsWarper.__call__ (argsort version; newer HF picks the kept tokens with
# torch.topk(probs, k) and scatters False, which only differs under ties at that boundary).
# HF __init__: 0 <= min_p <= 1, min_tokens_to_keep int >= 1.
def min_p(input_ids, scores, p, min_tokens_to_keep):
    probs = torch.softmax(scores, dim=-1)
    top_probs, _ = probs.max(dim=-1, keepdim=True)
    scaled_min_p = p * top_probs
    tokens_to_remove = probs < scaled_min_p
    sorted_indices = torch.sort(scores, descending=True, dim=-1, stable=True)[1]  # torch.argsort
    sorted_indices_to_remove = torch.gather(tokens_to_remove, dim=-1, index=sorted_indices)
    # Keep at least min_tokens_to_keep
    sorted_indices_to_remove[..., :min_tokens_to_keep] = False
    indices_to_remove = sorted_indices_to_remove.scatter(1, sorted_indices, sorted_indices_to_remove)
    return scores.masked_fill(indices_to_remove, NEG_INF)


# TypicalLogitsWarper.__call__. HF __init__: 0 < mass < 1, min_tokens_to_keep int >= 1.
def typical(input_ids, scores, mass, min_tokens_to_keep):
    # calculate entropy
    normalized = torch.nn.functional.log_softmax(scores, dim=-1)
    p = torch.exp(normalized)
    ent = -(normalized * p).nansum(-1, keepdim=True)
    # shift and sort
    shifted_scores = torch.abs((-normalized) - ent)
    sorted_scores, sorted_indices = torch.sort(shifted_scores, descending=False, stable=True)
    sorted_logits = scores.gather(-1, sorted_indices)
    cumulative_probs = sorted_logits.softmax(dim=-1).cumsum(dim=-1)
    # Remove tokens with cumulative mass above the threshold
    last_ind = (cumulative_probs < mass).sum(dim=1)
    last_ind.clamp_(max=sorted_scores.shape[-1] - 1)
    sorted_indices_to_remove = sorted_scores > sorted_scores.gather(1, last_ind.view(-1, 1))
    sorted_indices_to_remove[..., :min_tokens_to_keep] = 0
    indices_to_remove = sorted_indices_to_remove.scatter(1, sorted_indices, sorted_indices_to_remove)
    return scores.masked_fill(indices_to_remove, NEG_INF)


def apply(step, ids, s):
    n, m = step["name"], step.get("minTokensToKeep")
    if n == "repetition-penalty": return repetition_penalty(ids, s, step["penalty"])
    if n == "temperature": return temperature(ids, s, step["temperature"])
    if n == "top-k": return top_k(ids, s, step["k"], m)
    if n == "top-p": return top_p(ids, s, step["p"], m)
    if n == "min-p": return min_p(ids, s, step["p"], m)
    if n == "typical": return typical(ids, s, step["mass"], m)
    raise ValueError(n)


def run_chain(logits, context, chain, dtype):
    s = torch.tensor([logits], dtype=dtype)
    ids = torch.tensor([context if context else [0]], dtype=torch.long)  # context only read by rep-pen
    for step in chain:
        s = apply(step, ids, s)
    return s[0]


# ---- chain-step shorthands (fixture keys are the TS names) ----
def RP(x): return {"name": "repetition-penalty", "penalty": x}
def T(x): return {"name": "temperature", "temperature": x}
def K(k, m=1): return {"name": "top-k", "k": k, "minTokensToKeep": m}
def P(p, m=1): return {"name": "top-p", "p": p, "minTokensToKeep": m}
def MP(p, m=1): return {"name": "min-p", "p": p, "minTokensToKeep": m}
def TY(x, m=1): return {"name": "typical", "mass": x, "minTokensToKeep": m}


def rnd(seed, n, scale=3.0):  # seeded random logits: normal * scale
    torch.manual_seed(seed)
    return (torch.randn(n) * scale).tolist()


def ctx(seed, n, vocab):  # seeded random context ids (with repeats)
    return torch.randint(0, vocab, (n,), generator=torch.Generator().manual_seed(seed)).tolist()


I = NEG_INF
GRAD = [0.0, -3.0, 2.0, -1.0, 1.0, -5.0, -2.0, -4.0]
TAIL = [2.0, 1.5, 1.0] + [-0.01 * i for i in range(20)]
SPIKE = [2.0] + [0.02 * i for i in range(11)]  # p(top) ~ 0.4 but -log p far below the entropy
# (name, logits, context, chain, kept-count check or None, f64-check)
CASES = [
    ("rep-pen 1.3: pos/neg context logits, repeated ids counted once, others untouched",
     [2.0, -1.0, -0.5, 0.75, 3.0, -2.5], [1, 2, 2, 4, 1, 2], [RP(1.3)], 6, True),
    ("rep-pen 0.8 (<1 rewards context tokens)", [2.0, -1.0, -0.5, 0.75, 3.0, -2.5], [0, 1, 3, 3], [RP(0.8)], 6, True),
    ("rep-pen 1.5: zero logit and -inf logit in context", [0.0, 1.0, I, -3.0, 2.0], [0, 2, 3, 0], [RP(1.5)], 4, True),
    ("rep-pen 1.2 random vocab 50, 20 context ids", rnd(1, 50), ctx(1, 20, 50), [RP(1.2)], 50, True),
    ("temperature 0.5", rnd(2, 8), [], [T(0.5)], 8, True),
    ("temperature 1.0 (identity)", rnd(2, 8), [], [T(1.0)], 8, True),
    ("temperature 2.0", rnd(2, 8), [], [T(2.0)], 8, True),
    ("temperature 1e-3 (near greedy)", rnd(3, 8), [], [T(1e-3)], 8, True),
    ("temperature 100 (near uniform)", rnd(3, 8), [], [T(100.0)], 8, True),
    ("temperature 0.7 keeps -inf removed", [1.0, I, -0.5, 2.0, I, 0.25], [], [T(0.7)], 4, True),
    ("top-p 0.8 alone (compare with temperature 2 first)", GRAD, [], [P(0.8)], 2, True),
    ("temperature 2 -> top-p 0.8: temperature changes the survivors", GRAD, [], [T(2.0), P(0.8)], 4, True),
    ("top-k k=1", rnd(4, 10), [], [K(1)], 1, True),
    ("top-k k=3", rnd(4, 10), [], [K(3)], 3, True),
    ("top-k k=15 >= vocab 10 keeps all", rnd(4, 10), [], [K(15)], 10, True),
    ("top-k k=2 with ties at the k-th value keeps every tied token", [3.0, 2.0, 2.0, 2.0, 1.0, 0.0], [], [K(2)], 4,
     True),
    ("top-k k=2 minTokensToKeep=4 > k", rnd(5, 10), [], [K(2, 4)], 4, True),
    ("top-k k=4 with only 3 finite logits (k-th value is -inf)", [1.0, I, 0.5, I, 2.0], [], [K(4)], 3, True),
    ("top-k k=10 random vocab 50", rnd(6, 50), [], [K(10)], 10, True),
    ("top-p 0.9 random vocab 20", rnd(7, 20), [], [P(0.9)], None, True),
    ("top-p 0.5 random vocab 20", rnd(7, 20), [], [P(0.5)], None, True),
    ("top-p 1.0 keeps all", rnd(8, 12), [], [P(1.0)], 12, True),
    ("top-p 1.0 still drops tokens whose float32 prob underflows to 0", [0.0, -150.0, 5.0, -60.0, 1.0, -200.0], [],
     [P(1.0)], 4, False),
    ("top-p 0.001 keeps only the top token", rnd(9, 15), [], [P(0.001)], 1, True),
    ("top-p 0.5 ties at the cut: lower index removed first", [0.0, 0.0, 0.0, 0.0, I], [], [P(0.5)], 2, True),
    ("top-p 0.5 cut inside a tie block: only the highest-index tied token survives",
     [2.0, 1.0, 1.0, 1.0, 0.0, -1.0], [], [P(0.5)], 2, True),
    ("top-p 0.1 minTokensToKeep=3 overrides small p", rnd(10, 12), [], [P(0.1, 3)], 3, True),
    ("top-p 0.9 with -inf present", [1.0, I, 0.5, 2.0, I, -1.0, 0.0], [], [P(0.9)], None, True),
    ("min-p 0.05 random vocab 30", rnd(11, 30, 1.0), [], [MP(0.05)], None, True),
    ("min-p 0.3 random vocab 30", rnd(11, 30, 1.0), [], [MP(0.3)], None, True),
    ("min-p 1.0 keeps only tokens tied with the max", [2.0, 3.0, 3.0, 1.0, 0.0], [], [MP(1.0)], 2, True),
    ("min-p 0.3 minTokensToKeep=2 keeps the runner-up", [5.0, 1.0, 0.5, 0.0, -1.0, 2.0], [], [MP(0.3, 2)], 2, True),
    ("min-p 0.05 with -inf present", [1.0, I, -2.0, 2.5, I, 0.0, -4.0], [], [MP(0.05)], None, True),
    ("typical 0.9 random vocab 20", rnd(12, 20), [], [TY(0.9)], None, True),
    ("typical 0.5 random vocab 20", rnd(12, 20), [], [TY(0.5)], None, True),
    ("typical 0.2 random vocab 20", rnd(12, 20), [], [TY(0.2)], None, True),
    ("typical 0.2: the most probable token is not typical and is removed", SPIKE, [], [TY(0.2)], None, True),
    ("typical 0.1 minTokensToKeep=3 keeps the 3 most typical, not the most probable", SPIKE, [], [TY(0.1, 3)], 3,
     True),
    ("typical 0.9 with -inf present (nansum)", [1.0, I, 0.5, 2.0, I, -1.0, 0.0, 0.25], [], [TY(0.9)], None, True),
    ("typical mass 0.99999999 (1.0 in float32): last_ind clamp keeps all", rnd(14, 10), [], [TY(0.99999999)], 10,
     True),
    ("order A: top-k 3 -> temperature 0.5 -> top-p 0.8", TAIL, [], [K(3), T(0.5), P(0.8)], None, True),
    ("order B: temperature 0.5 -> top-p 0.8 -> top-k 3", TAIL, [], [T(0.5), P(0.8), K(3)], None, True),
    ("order A: min-p 0.2 -> temperature 2", rnd(14, 16), [], [MP(0.2), T(2.0)], None, True),
    ("order B: temperature 2 -> min-p 0.2", rnd(14, 16), [], [T(2.0), MP(0.2)], None, True),
    ("order A: rep-pen 2 -> top-k 2", [3.0, 2.5, 2.0, 0.0, -1.0], [0, 3], [RP(2.0), K(2)], 2, True),
    ("order B: top-k 2 -> rep-pen 2", [3.0, 2.5, 2.0, 0.0, -1.0], [0, 3], [K(2), RP(2.0)], 2, True),
    ("default chain rp 1.3 -> T 1.2 -> top-k 20 -> top-p 0.95 -> min-p 0.05 -> typical 0.95, vocab 50",
     rnd(15, 50, 1.5), ctx(15, 30, 50), [RP(1.3), T(1.2), K(20), P(0.95), MP(0.05), TY(0.95)], None, True),
    ("default chain rp 1.1 -> T 1.5 -> top-k 12 -> top-p 0.95 -> min-p 0.02 -> typical 0.95 (mtk 2), with -inf",
     rnd(16, 32)[:29] + [I, I, I], ctx(16, 12, 32), [RP(1.1), T(1.5), K(12), P(0.95, 2), MP(0.02, 2), TY(0.95, 2)],
     None, True),
]
ORDER_PAIRS = [(10, 11), (40, 41), (42, 43), (44, 45)]  # case indices: same logits, other chain, other survivors


def nulls(row):  # JSON has no -inf: null stands for a removed token
    return [None if math.isinf(v) and v < 0 else float(v) for v in row]


def probs64(row):
    x = np.array(row, dtype=np.float64)
    e = np.exp(x - x.max())  # exp(-inf) = 0 for removed tokens
    return (e / e.sum()).tolist()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=DEFAULT_OUT)
    args = ap.parse_args()
    cases, counts = [], {}
    for name, logits, context, chain, kept, check64 in CASES:
        logits32 = torch.tensor(logits, dtype=torch.float32).tolist()  # exact float32 inputs
        out = run_chain(logits32, context, chain, torch.float32)
        removed = torch.isneginf(out)
        if kept is not None and int((~removed).sum()) != kept:
            raise SystemExit(f"{name}: kept {int((~removed).sum())}, expected {kept}")
        if check64:  # decisions must not hinge on float32 rounding (a TS port may differ by an ulp)
            out64 = run_chain(logits32, context, chain, torch.float64)
            if not torch.equal(torch.isneginf(out64), removed):
                raise SystemExit(f"{name}: float32 and float64 keep different tokens")
        cases.append({"name": name, "logits": nulls(logits32), "context": [int(c) for c in context], "chain": chain,
                      "expected": nulls(out.tolist()), "expectedProbs": probs64(out.tolist())})
        for step in chain:
            counts.setdefault(step["name"], [0, 0])[len(chain) > 1] += 1
    for a, b in ORDER_PAIRS:
        mask_a, mask_b = ([v is None for v in cases[i]["expected"]] for i in (a, b))
        assert cases[a]["logits"] == cases[b]["logits"] and mask_a != mask_b, (a, b)
    notes = (
        "Reference values from training/reference_processors.py: PyTorch re-implementations that copy the tensor "
        "code of Hugging Face transformers' RepetitionPenaltyLogitsProcessor, TemperatureLogitsWarper, "
        "TopKLogitsWarper, TopPLogitsWarper, MinPLogitsWarper and TypicalLogitsWarper "
        "(src/transformers/generation/logits_process.py), applied in chain order to one float32 row. "
        "null means -inf (removed) in both logits and expected; HF's filter_value is -inf. Sorts are stable: ties "
        "keep ascending index order (top-p sorts ascending, so among equal logits the lower index is removed first; "
        "min-p's min_tokens_to_keep takes equal logits lowest index first). Top-k keeps every token >= the k-th value. "
        "Python scalars (temperature, penalty, 1-p, min_p, mass) are rounded to float32 before the float32 op; "
        "torch CPU cumsum accumulates in float64 and rounds each prefix to float32. expectedProbs = float64 softmax "
        "of expected (0 for removed). Every case except the top-p underflow one keeps the same tokens in float64."
    )
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w") as f:  # one case per line
        f.write('{\n "notes": %s,\n "cases": [\n  ' % json.dumps(notes))
        f.write(",\n  ".join(json.dumps(c) for c in cases) + "\n ]\n}\n")
    print(f"wrote {len(cases)} cases to {os.path.relpath(args.out)}")
    for k in sorted(counts):
        print(f"  {k:20s} alone {counts[k][0]:2d}   in chains {counts[k][1]:2d}")


if __name__ == "__main__":
    main()
