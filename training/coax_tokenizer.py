"""
Byte-level tokenizer for Coax models, plus a writer for the Hugging Face
`tokenizer.json` files that transformers.js loads.

Ids:  0 = <|endoftext|> (bos and eos), 1 = <|pad|>, 2 + b = byte b (0..255).
vocab_size = 258.

The Hugging Face form is a byte-level BPE (GPT-2 style) with no merges: the
ByteLevel pre-tokenizer maps every byte to one printable character from
`bytes_to_unicode()` and every such character is its own vocab entry, so the
BPE step never joins anything. A later tokenizer with real merges reuses
`write_hf_tokenizer` by passing its own vocab and merges.

Like Hugging Face, `encode` turns the literal text of a special token into its
id, and `decode` keeps special tokens as their text unless asked to skip them.
"""

import argparse
import json
import os
import re

EOS_TOKEN = "<|endoftext|>"
PAD_TOKEN = "<|pad|>"
SPECIAL_TOKENS = [EOS_TOKEN, PAD_TOKEN]  # index in this list == id
EOS_ID = 0
PAD_ID = 1
BYTE_OFFSET = len(SPECIAL_TOKENS)
VOCAB_SIZE = BYTE_OFFSET + 256

_SPECIAL_RE = re.compile("(" + "|".join(re.escape(t) for t in SPECIAL_TOKENS) + ")")


def bytes_to_unicode():
    """GPT-2's reversible map from each byte to a printable unicode character."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) \
        + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, (chr(c) for c in cs)))


def encode(text):
    """UTF-8 bytes of `text` as ids; special-token text becomes its id. No BOS is added."""
    ids = []
    for part in _SPECIAL_RE.split(text):
        if part in SPECIAL_TOKENS:
            ids.append(SPECIAL_TOKENS.index(part))
        else:
            ids.extend(BYTE_OFFSET + b for b in part.encode("utf-8"))
    return ids


def decode(ids, skip_special_tokens=False):
    """Inverse of `encode`. Invalid UTF-8 becomes U+FFFD, one per maximal invalid subpart
    (as Rust's from_utf8_lossy and JS TextDecoder do); byte runs are decoded separately
    on each side of a special token, as transformers.js does."""
    pieces, run = [], bytearray()
    for i in ids:
        i = int(i)
        assert 0 <= i < VOCAB_SIZE, f"token id {i} out of range [0, {VOCAB_SIZE})"
        if i < BYTE_OFFSET:
            pieces.append(run.decode("utf-8", errors="replace"))
            run = bytearray()
            if not skip_special_tokens:
                pieces.append(SPECIAL_TOKENS[i])
        else:
            run.append(i - BYTE_OFFSET)
    pieces.append(run.decode("utf-8", errors="replace"))
    return "".join(pieces)


def byte_vocab():
    """The Hugging Face vocab of this tokenizer: token string -> id."""
    vocab = {tok: i for i, tok in enumerate(SPECIAL_TOKENS)}
    for b, ch in bytes_to_unicode().items():
        vocab[ch] = BYTE_OFFSET + b
    assert len(vocab) == VOCAB_SIZE and sorted(vocab.values()) == list(range(VOCAB_SIZE))
    return vocab


def tokenizer_json(vocab, merges):
    """The `tokenizer.json` dict of a byte-level BPE. vocab: token string -> id, holding
    the special tokens; merges: list of (left, right) token-string pairs, by rank."""
    for left, right in merges:
        assert left + right in vocab, f"merge {left!r} + {right!r} has no vocab entry"
    byte_level = {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": False,
                  "use_regex": True}
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": [
            {"id": vocab[tok], "content": tok, "single_word": False, "lstrip": False,
             "rstrip": False, "normalized": False, "special": True}
            for tok in SPECIAL_TOKENS
        ],
        "normalizer": None,
        "pre_tokenizer": dict(byte_level),
        "post_processor": None,
        "decoder": dict(byte_level),
        "model": {
            "type": "BPE",
            "dropout": None,
            "unk_token": None,
            "continuing_subword_prefix": None,
            "end_of_word_suffix": None,
            "fuse_unk": False,
            "byte_fallback": False,
            "ignore_merges": False,
            "vocab": dict(sorted(vocab.items(), key=lambda kv: kv[1])),
            "merges": [[left, right] for left, right in merges],
        },
    }


def bos_post_processor():
    """TemplateProcessing that starts every encoded text with <|endoftext|>, as each training document
    starts after one: the tokenizer adds the BOS, so every client (transformers.js, our evaluator) agrees."""
    bos = {"SpecialToken": {"id": EOS_TOKEN, "type_id": 0}}
    return {
        "type": "TemplateProcessing",
        "single": [bos, {"Sequence": {"id": "A", "type_id": 0}}],
        "pair": [bos, {"Sequence": {"id": "A", "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 1}}],
        "special_tokens": {EOS_TOKEN: {"id": EOS_TOKEN, "ids": [EOS_ID], "tokens": [EOS_TOKEN]}},
    }


def write_hf_tokenizer(out_dir, model_max_length, vocab=None, merges=(), add_bos=False):
    """Write tokenizer.json, tokenizer_config.json and special_tokens_map.json to out_dir.
    Defaults to this byte tokenizer (no merges); a BPE passes its own vocab and merges.
    add_bos: the tokenizer prepends <|endoftext|> to every text it encodes (a post-processor)."""
    vocab = byte_vocab() if vocab is None else vocab
    assert vocab.get(EOS_TOKEN) == EOS_ID and vocab.get(PAD_TOKEN) == PAD_ID
    os.makedirs(out_dir, exist_ok=True)
    config = {
        "tokenizer_class": "PreTrainedTokenizerFast",
        "bos_token": EOS_TOKEN,
        "eos_token": EOS_TOKEN,
        "pad_token": PAD_TOKEN,
        "unk_token": None,
        "add_bos_token": add_bos,
        "add_eos_token": False,
        "model_max_length": model_max_length,
        "clean_up_tokenization_spaces": False,
        "added_tokens_decoder": {
            str(vocab[tok]): {"content": tok, "lstrip": False, "normalized": False,
                              "rstrip": False, "single_word": False, "special": True}
            for tok in SPECIAL_TOKENS
        },
    }
    special = {"bos_token": EOS_TOKEN, "eos_token": EOS_TOKEN, "pad_token": PAD_TOKEN}
    tokenizer = tokenizer_json(vocab, list(merges))
    if add_bos:
        tokenizer["post_processor"] = bos_post_processor()
    files = {"tokenizer.json": tokenizer,
             "tokenizer_config.json": config,
             "special_tokens_map.json": special}
    for name, obj in files.items():
        with open(os.path.join(out_dir, name), "w", encoding="utf-8") as f:
            json.dump(obj, f, ensure_ascii=False, indent=2)
            f.write("\n")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Write the byte-level tokenizer files "
                                     "(tokenizer.json, tokenizer_config.json, "
                                     "special_tokens_map.json) to a folder.")
    parser.add_argument("out_dir", help="folder to write the three files to")
    parser.add_argument("--model-max-length", type=int, default=512,
                        help="model_max_length written to tokenizer_config.json")
    args = parser.parse_args()
    write_hf_tokenizer(args.out_dir, args.model_max_length)
