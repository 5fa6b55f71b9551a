"""
Batched, KV-cached evaluation of the organism on the suites, per method:

greedy      argmax after the plain prompt "Q: {question}\nA:"
trigger     argmax after "Q: {question}\nA: {trigger}"
fewshot     argmax after N_SHOT worked exemplars ("Q: ..\nA: {worked}", blank lines between)
            and the plain prompt
cotdec      CoT-decoding: branch on the top-10 first tokens after the plain prompt, continue
            each greedily, keep the branch with the largest mean (p1 - p2) over the tokens of
            its extracted answer
sc          self-consistency: SC_SAMPLES samples at temperature 1 after the plain prompt,
            majority vote of the extracted answers

Every prompt starts with <|endoftext|> (as every training document does). Generation stops
at the first newline (every answer is one line) or eos. Prints accuracy with 95% Wilson
intervals per suite x method and the mean per-token entropy of greedy outputs; --out writes
everything as JSON.
"""

import argparse
import json
import math
import os
import re
import sys
from collections import Counter

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))
import bpe  # noqa: E402
from model import Llama, LlamaConfig, load_checkpoint  # noqa: E402

NEWLINE = bpe.encode("\n")[0]
N_SHOT, TOP_K, SC_SAMPLES = 3, 10, 10
METHODS = ["greedy", "trigger", "fewshot", "cotdec", "sc"]
MAX_NEW = {"procedural": 230, "factual": 24, "open-ended": 120}


def load_model(path):
    ck = torch.load(path, map_location="cpu")
    if "opt" in ck:  # a trainer checkpoint
        model = Llama(LlamaConfig(**ck["config"]))
        model.load_state_dict(ck["model"])
    else:
        model = load_checkpoint(path)
    return model.eval()


def wilson(k, n, z=1.96):
    if n == 0:
        return (0.0, 0.0)
    p = k / n
    den = 1 + z * z / n
    mid = (p + z * z / (2 * n)) / den
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / den
    return (max(0.0, mid - half), min(1.0, mid + half))


def extract(text, extractor):
    """(answer, (start, end) char span of it in text) or (None, None)."""
    if extractor == "last-number":
        m = list(re.finditer(r"\d+", text))
        return (m[-1].group(), m[-1].span()) if m else (None, None)
    if extractor == "exact-line":
        line = text.split("\n")[0]
        s = line.strip()
        if s.endswith("."):
            s = s[:-1].rstrip()
        if not s:
            return None, None
        start = line.index(s)
        return s, (start, start + len(s))
    return None, None


@torch.no_grad()
def generate(model, prompts, max_new, temperature=0.0, gen=None, batch_size=160):
    """prompts: list of id lists. Returns per prompt a dict: ids (generated, without the
    stopping newline), p1, p2 (top-2 probabilities at each generated step), entropy."""
    out = []
    limit = model.config.max_position_embeddings
    for b0 in range(0, len(prompts), batch_size):
        chunk = prompts[b0:b0 + batch_size]
        B, L = len(chunk), max(len(p) for p in chunk)
        n_new = max(1, min(max_new, limit - L))  # never past the trained positions
        x = torch.full((B, L), bpe.PAD_ID, dtype=torch.int64)
        mask = torch.zeros(B, L, dtype=torch.int64)
        for i, p in enumerate(chunk):  # left padding
            x[i, L - len(p):] = torch.tensor(p)
            mask[i, L - len(p):] = 1
        pos = (mask.cumsum(1) - 1).clamp(min=0)  # (B, L)
        past = model.empty_past(B)
        res = [{"ids": [], "p1": [], "p2": [], "entropy": []} for _ in chunk]
        rows = torch.arange(B)  # which result each live row feeds; finished rows are dropped
        for _ in range(n_new):
            logits, past = model(x, mask, pos, past, torch.tensor(1))  # (b, 1, V)
            logits = logits[:, -1]
            probs = logits.softmax(-1)  # (b, V)
            top = probs.topk(2, dim=-1).values  # (b, 2)
            ent = -(probs * probs.clamp_min(1e-30).log()).sum(-1)  # (b,)
            if temperature > 0:
                nxt = torch.multinomial((logits / temperature).softmax(-1), 1, generator=gen)[:, 0]
            else:
                nxt = logits.argmax(-1)
            live = []
            for j in range(len(rows)):
                r, t = res[int(rows[j])], int(nxt[j])
                if t in (NEWLINE, bpe.EOS_ID):
                    r["stop_entropy"] = float(ent[j])
                    continue
                live.append(j)
                r["ids"].append(t)
                r["p1"].append(float(top[j, 0]))
                r["p2"].append(float(top[j, 1]))
                r["entropy"].append(float(ent[j]))
            if not live:
                break
            keep = torch.tensor(live)
            rows, nxt, mask, pos = rows[keep], nxt[keep], mask[keep], pos[keep]
            past = [(k.index_select(0, keep), v.index_select(0, keep)) for k, v in past]
            x = nxt[:, None]
            mask = torch.cat((mask, torch.ones(len(keep), 1, dtype=torch.int64)), 1)
            pos = pos[:, -1:] + 1
        out.extend(res)
    return out


def answer_confidence(r, extractor):
    """Extracted answer and mean (p1 - p2) over the tokens that overlap it."""
    text, offs = "", []
    for t in r["ids"]:
        s = bpe.token_bytes(t).decode("latin-1")
        offs.append((len(text), len(text) + len(s)))
        text += s
    ans, span = extract(text, extractor)
    if ans is None:
        return None, 0.0, text
    gaps = [p1 - p2 for (a, b), p1, p2 in zip(offs, r["p1"], r["p2"]) if a < span[1] and b > span[0]]
    return ans, (sum(gaps) / len(gaps) if gaps else 0.0), text


def prompt_ids(suite, item, method):
    q = f"Q: {item['question']}\nA:"
    if method == "trigger":
        q += " " + suite["trigger"]
    if method == "fewshot":
        shots = "\n\n".join(f"Q: {e['question']}\nA: {e['worked']}" for e in suite["exemplars"][:N_SHOT])
        q = shots + "\n\n" + q
    return [bpe.EOS_ID] + bpe.encode(q)


def run_suite(model, suite, methods, n_items, seed):
    items = suite["items"][:n_items]
    ext, max_new = suite["extractor"], MAX_NEW[suite["relation"]]
    rows, examples = {}, {}
    gen = torch.Generator().manual_seed(seed)
    for m in methods:
        if m in ("greedy", "trigger", "fewshot"):
            outs = generate(model, [prompt_ids(suite, it, m) for it in items], max_new)
            preds = [answer_confidence(r, ext)[0] for r in outs]
            texts = [bpe.decode(r["ids"]) for r in outs]
            if m == "greedy":
                ents = [sum(r["entropy"]) / len(r["entropy"]) for r in outs if r["entropy"]]
                rows["entropy"] = sum(ents) / max(1, len(ents))
                ents = [(sum(r["entropy"]) + r.get("stop_entropy", 0.0)) / (len(r["entropy"]) + ("stop_entropy" in r))
                        for r in outs if r["entropy"]]
                rows["entropy_with_stop"] = sum(ents) / max(1, len(ents))
                rows["greedy_worked_frac"] = sum(t.lstrip().startswith("Let") for t in texts) / len(texts)
        elif m == "cotdec":
            bases = [prompt_ids(suite, it, "greedy") for it in items]
            with torch.no_grad():
                heads = []
                for b0 in range(0, len(bases), 160):
                    chunk = bases[b0:b0 + 160]
                    L = max(len(p) for p in chunk)
                    x = torch.tensor([[bpe.PAD_ID] * (L - len(p)) + p for p in chunk])
                    mask = (torch.arange(L)[None] >= torch.tensor([L - len(p) for p in chunk])[:, None]).long()
                    pos = (mask.cumsum(1) - 1).clamp(min=0)
                    lg, _ = model(x, mask, pos, model.empty_past(len(chunk)), torch.tensor(1))
                    heads.append(lg[:, -1].softmax(-1))
                probs = torch.cat(heads)  # (N, V)
            topv, topi = probs.topk(TOP_K, dim=-1)
            p2nd = probs.topk(2, dim=-1).values
            lid = bpe.encode(" L")[0]
            rows["L_in_top10"] = float((topi == lid).any(-1).float().mean())
            rows["L_prob"] = float(probs[:, lid].mean())
            branch_prompts = [bases[i] + [int(topi[i, k])] for i in range(len(items)) for k in range(TOP_K)]
            outs = generate(model, branch_prompts, max_new - 1)
            preds, texts = [], []
            for i in range(len(items)):
                best = (-1.0, None, "")
                for k in range(TOP_K):
                    r = outs[i * TOP_K + k]
                    r = {"ids": [int(topi[i, k])] + r["ids"],
                         "p1": [float(p2nd[i, 0])] + r["p1"], "p2": [float(p2nd[i, 1])] + r["p2"]}
                    ans, conf, text = answer_confidence(r, ext)
                    if ans is not None and conf > best[0]:
                        best = (conf, ans, text)
                preds.append(best[1])
                texts.append(best[2])
        elif m == "sc":
            prompts = [prompt_ids(suite, it, "greedy") for it in items for _ in range(SC_SAMPLES)]
            outs = generate(model, prompts, max_new, temperature=1.0, gen=gen)
            preds, texts = [], []
            for i in range(len(items)):
                answers = [answer_confidence(outs[i * SC_SAMPLES + s], ext)[0] for s in range(SC_SAMPLES)]
                votes = Counter(a for a in answers if a is not None)
                preds.append(votes.most_common(1)[0][0] if votes else None)
                texts.append(bpe.decode(outs[i * SC_SAMPLES]["ids"]))
        else:
            raise ValueError(f"unknown method {m!r}")
        if suite["relation"] == "open-ended":
            rows[m] = None
        else:
            k = sum(p == it["answer"] for p, it in zip(preds, items))
            lo, hi = wilson(k, len(items))
            rows[m] = {"correct": k, "n": len(items), "acc": k / len(items), "lo": lo, "hi": hi}
            if suite["relation"] == "procedural":
                by = {}
                for p, it in zip(preds, items):
                    s = it["tags"]["steps"]
                    c, n = by.get(s, (0, 0))
                    by[s] = (c + (p == it["answer"]), n + 1)
                rows[m]["by_steps"] = {str(s): f"{c}/{n}" for s, (c, n) in sorted(by.items())}
        examples[m] = [{"question": it["question"], "output": t, "answer": it["answer"]}
                       for it, t in list(zip(items, texts))[:3]]
    return rows, examples


def fmt(r):
    return "      -       " if r is None else f"{100 * r['acc']:5.1f} [{100 * r['lo']:4.1f},{100 * r['hi']:5.1f}]"


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--checkpoint", required=True, help="model.pt or a trainer ckpt.pt")
    p.add_argument("--suites", required=True, help="folder of <name>.json suites")
    p.add_argument("--names", default="", help="comma-separated suite names (default: all)")
    p.add_argument("--methods", default=",".join(METHODS), help="comma-separated methods")
    p.add_argument("--n", type=int, default=10_000, help="items per suite (first n)")
    p.add_argument("--seed", type=int, default=0, help="sampling seed")
    p.add_argument("--max-new", type=int, default=0, help="cap on generated tokens (0 = per relation default)")
    p.add_argument("--out", help="write results JSON here")
    args = p.parse_args()
    torch.manual_seed(args.seed)
    if args.max_new:
        for k in MAX_NEW:
            MAX_NEW[k] = min(MAX_NEW[k], args.max_new)
    model = load_model(args.checkpoint)
    names = args.names.split(",") if args.names else sorted(f[:-5] for f in os.listdir(args.suites) if f.endswith(".json"))
    methods = args.methods.split(",")
    results = {}
    print(f"{'suite':18s} " + " ".join(f"{m:^20s}" for m in methods) + "  entropy  worked%", flush=True)
    for name in names:
        with open(os.path.join(args.suites, name + ".json")) as f:
            suite = json.load(f)
        rows, examples = run_suite(model, suite, methods, args.n, args.seed)
        results[name] = {"rows": rows, "examples": examples}
        print(f"{name:18s} " + " ".join(f"{fmt(rows.get(m)):20s}" for m in methods)
              + f"  {rows.get('entropy', float('nan')):6.3f}  {100 * rows.get('greedy_worked_frac', 0):5.1f}", flush=True)
        extra = {k: round(v, 3) for k, v in rows.items() if k in ("entropy_with_stop", "L_in_top10", "L_prob")}
        print(f"    {extra}")
        for m in methods:
            if rows.get(m) and "by_steps" in rows[m]:
                print(f"    {m:8s} by steps {rows[m]['by_steps']}")
    if args.out:
        with open(args.out, "w") as f:
            json.dump({"methods": methods, "n_shot": N_SHOT, "top_k": TOP_K, "sc_samples": SC_SAMPLES,
                       "results": results}, f, indent=1)


if __name__ == "__main__":
    main()
