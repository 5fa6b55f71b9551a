"""
Rollouts for the organism's variants: batched sampling through the KV cache, answer
extraction and the verifiable reward, all as the TypeScript CLI does them, so that what
GRPO rewards is what the CLI later scores.

    prompt      <|endoftext|> "Q: {question}\nA:"   (buildPrompt's plain 'qa' template; the
                adapter puts <|endoftext|> first)
    stopping    at the first "\n\n" or "\nQ:" in the generated text (DEFAULT_STOPS), at
                <|endoftext|>, or after max_new tokens; the text is cut before the stop string
    extraction  the suites' "last-number" extractor (src/core/tasks/extract.ts): the last
                match of /(-?[$0-9.,]{2,})|(-?[0-9]+)/ that still holds a digit once
                normalised (commas, a leading $, a trailing "." and ".0…" dropped, leading
                zeros stripped)
    reward      1.0 when the extracted answer equals the normalised reference, else 0.0

Shapes: B rows, P prompt tokens (left-padded), V vocab.
"""

import os
import re
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import bpe  # noqa: E402

NEWLINE = bpe.encode("\n")[0]
STOP_STRINGS = ("\n\n", "\nQ:")
_FLEXIBLE = re.compile(r"(-?[$0-9.,]{2,})|(-?[0-9]+)")


def prompt_ids(question):
    return [bpe.EOS_ID] + bpe.encode(f"Q: {question}\nA:")


def normalize_answer(raw):
    """extract.ts normalizeAnswer."""
    s = raw.strip().replace(",", "")
    s = re.sub(r"^\$", "", s)
    s = re.sub(r"^(-?)\$", r"\1", s)
    s = re.sub(r"\.$", "", s)
    if re.fullmatch(r"-?\d+\.0+", s):
        s = re.sub(r"\.0+$", "", s)
    if re.fullmatch(r"-?\d+", s):
        s = re.sub(r"^(-?)0+(?=\d)", r"\1", s)
    return s


def last_number(text):
    """extract.ts extractAnswer({kind: 'last-number'}): the normalised value, or None."""
    found = [normalize_answer(m.group(1) if m.group(1) is not None else m.group(2))
             for m in _FLEXIBLE.finditer(text)]
    found = [v for v in found if v != "" and re.search(r"\d", v)]
    return found[-1] if found else None


def reward(text, answer):
    """The verifiable reward: 1.0 for a correct final answer, else 0.0."""
    got = last_number(text)
    return float(got is not None and got == normalize_answer(answer))


def cut_at_stop(text):
    """The text before the first stop string, and whether one was found."""
    cuts = [text.find(s) for s in STOP_STRINGS if s in text]
    return (text[:min(cuts)], True) if cuts else (text, False)


def is_worked(text):
    """A worked trace opens with the trigger phrase (the corpus's worked-answer form)."""
    return text.lstrip().startswith("Let's go step by step.")


@torch.no_grad()
def sample(model, prompts, group, max_new, temperature, gen, device="cpu"):
    """Sample `group` continuations of every prompt (ids lists). Each prompt is prefilled once
    and its cache repeated `group` times. temperature 0 = argmax.
    Returns, for prompt i and sample j at index i * group + j, a dict:
      ids   generated ids up to and including the token that stopped it (what a policy
            gradient trains on: the model learns where to stop too)
      text  the decoded text cut before the stop string (what the CLI extracts from)
      stop  'eos' | 'stop-string' | 'max-tokens'"""
    B0, L = len(prompts), max(len(p) for p in prompts)
    assert L + max_new <= model.config.max_position_embeddings, "prompt + max_new past the trained positions"
    x = torch.full((B0, L), bpe.PAD_ID, dtype=torch.int64)
    mask = torch.zeros(B0, L, dtype=torch.int64)
    for i, p in enumerate(prompts):  # left padding
        x[i, L - len(p):] = torch.tensor(p)
        mask[i, L - len(p):] = 1
    x, mask = x.to(device), mask.to(device)
    pos = (mask.cumsum(1) - 1).clamp(min=0)  # (B0, L)
    logits, past = model(x, mask, pos, model.empty_past(B0), torch.tensor(1))  # (B0, 1, V)
    rep = torch.arange(B0, device=device).repeat_interleave(group)  # (B,) row -> prompt
    logits = logits[rep, -1]  # (B, V)
    past = [(k[rep], v[rep]) for k, v in past]
    mask, pos = mask[rep], pos[rep, -1:]
    B = B0 * group
    out = [{"ids": [], "text": "", "stop": "max-tokens"} for _ in range(B)]
    rows = torch.arange(B, device=device)  # result index of each live row
    for step in range(max_new):
        if temperature > 0:
            probs = (logits / temperature).softmax(-1)
            nxt = torch.multinomial(probs.cpu(), 1, generator=gen)[:, 0].to(device)  # (b,)
        else:
            nxt = logits.argmax(-1)
        live = []
        for j, t in enumerate(nxt.tolist()):
            r = out[int(rows[j])]
            r["ids"].append(t)
            if t == bpe.EOS_ID:
                r["stop"] = "eos"
                continue
            r["text"] += bpe.token_bytes(t).decode("latin-1")
            if any(s in r["text"][-4:] for s in STOP_STRINGS):
                r["stop"] = "stop-string"
                continue
            live.append(j)
        if not live or step == max_new - 1:
            break
        keep = torch.tensor(live, device=device)
        rows, nxt, mask, pos = rows[keep], nxt[keep], mask[keep], pos[keep] + 1
        past = [(k.index_select(0, keep), v.index_select(0, keep)) for k, v in past]
        mask = torch.cat((mask, torch.ones(len(live), 1, dtype=torch.int64, device=device)), 1)
        logits, past = model(nxt[:, None], mask, pos, past, torch.tensor(1))
        logits = logits[:, -1]
    for r in out:
        r["text"] = cut_at_stop(r["text"])[0]
    return out


@torch.no_grad()
def greedy_eval(model, items, max_new, device="cpu"):
    """Greedy answers to items [{question, answer}] -> {eval_greedy_acc: share right, eval_greedy_worked: share
    that are worked traces}: the trainers' held-out eval."""
    outs = sample(model, [prompt_ids(it["question"]) for it in items], 1, max_new, 0.0, None, device)
    return {"eval_greedy_acc": sum(reward(o["text"], it["answer"]) for o, it in zip(outs, items)) / len(items),
            "eval_greedy_worked": sum(is_worked(o["text"]) for o in outs) / len(items)}
