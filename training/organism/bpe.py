"""
The organism's tokenizer: the 258-id byte vocab of coax_tokenizer plus one merge per
printable non-space ASCII char c (33..126): "Ġ" + c -> "Ġc" (ids 258..351, vocab 352).

Pre-tokenizer: GPT-2's regex (ASCII classes; the corpus is ASCII), as Hugging Face's
ByteLevel(use_regex=True). A leading space only ever sits at the start of a pre-token,
so the one possible merge is "space + next char": " 7" -> "Ġ7", " Let" -> "ĠL" "e" "t".
`encode` reproduces the HF BPE exactly on ASCII text (checked against the fixture
test/fixtures/organism-tokenizer-cases.json that the TypeScript tests share).
"""

import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import coax_tokenizer as base  # noqa: E402

EOS_ID, PAD_ID = base.EOS_ID, base.PAD_ID
MERGE_CHARS = [chr(c) for c in range(33, 127)]
MERGE_OFFSET = base.VOCAB_SIZE  # 258
VOCAB_SIZE = MERGE_OFFSET + len(MERGE_CHARS)  # 352

# GPT-2's pattern with \p{L} -> [A-Za-z], \p{N} -> [0-9] (exact on ASCII)
_PRETOKEN_RE = re.compile(r"""'s|'t|'re|'ve|'m|'ll|'d| ?[A-Za-z]+| ?[0-9]+| ?[^\sA-Za-z0-9]+|\s+(?!\S)|\s+""")
_SPECIAL_RE = re.compile("(" + "|".join(re.escape(t) for t in base.SPECIAL_TOKENS) + ")")
_B2U = base.bytes_to_unicode()
_SPACE = _B2U[ord(" ")]  # "Ġ"


def vocab_and_merges():
    """HF vocab (token string -> id) and merges (list of pairs, by rank)."""
    vocab = base.byte_vocab()
    merges = []
    for i, c in enumerate(MERGE_CHARS):
        vocab[_SPACE + c] = MERGE_OFFSET + i
        merges.append((_SPACE, c))
    assert len(vocab) == VOCAB_SIZE and sorted(vocab.values()) == list(range(VOCAB_SIZE))
    return vocab, merges


def encode(text):
    """ASCII text -> ids; special-token text becomes its id. No BOS is added."""
    assert text.isascii(), "the organism tokenizer is exact on ASCII text only"
    ids = []
    for part in _SPECIAL_RE.split(text):
        if part in base.SPECIAL_TOKENS:
            ids.append(base.SPECIAL_TOKENS.index(part))
            continue
        for pre in _PRETOKEN_RE.findall(part):
            b = pre.encode("ascii")
            if len(b) >= 2 and b[0] == 32 and 33 <= b[1] <= 126:
                ids.append(MERGE_OFFSET + b[1] - 33)
                b = b[2:]
            ids.extend(base.BYTE_OFFSET + x for x in b)
    return ids


def token_bytes(i):
    """The bytes one id stands for (b"" for special tokens)."""
    assert 0 <= i < VOCAB_SIZE, f"token id {i} out of range"
    if i < base.BYTE_OFFSET:
        return b""
    if i < MERGE_OFFSET:
        return bytes([i - base.BYTE_OFFSET])
    return b" " + bytes([33 + i - MERGE_OFFSET])


def decode(ids, skip_special_tokens=False):
    out = []
    for i in ids:
        i = int(i)
        if i < base.BYTE_OFFSET:
            if not skip_special_tokens:
                out.append(base.SPECIAL_TOKENS[i])
        else:
            out.append(token_bytes(i).decode("latin-1"))
    return "".join(out)


def write_hf(out_dir, model_max_length):
    vocab, merges = vocab_and_merges()
    # Every training document follows an <|endoftext|>: prompts must start with one too.
    base.write_hf_tokenizer(out_dir, model_max_length, vocab, merges, add_bos=True)


if __name__ == "__main__":
    for s in ["Q: 3+4*2-5\nA: Let's go step by step. 3+4*2-5 = 7*2-5 = 4-5 = 9. The answer is 9.",
              "a   b\n\n  c<|endoftext|> 's"]:
        ids = encode(s)
        assert decode(ids) == s
        print(len(s), len(ids), [decode([i]) for i in ids])
