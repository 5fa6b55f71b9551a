"""
Train the organism: one pass over the tokenized corpus, in corpus order (the corpus is
ordered for the curriculum), from a seeded init; the loop is loop.sft: AdamW with linear warm-up
and cosine decay, checkpoints every --ckpt-every-s seconds to out_dir/ckpt.pt (model, optimizer,
step), resumable with --resume. Logs loss and tokens/s to stdout and out_dir/log.jsonl; writes
out_dir/model.pt at the end.
"""

import argparse
import math
import os
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))
import bpe  # noqa: E402
import loop  # noqa: E402
from model import Llama, LlamaConfig, init_weights  # noqa: E402


def load_tokens(data_dir):
    """corpus.txt -> int16 token array, cached as tokens.npy next to it."""
    cache = os.path.join(data_dir, "tokens.npy")
    src = os.path.join(data_dir, "corpus.txt")
    lens_path = os.path.join(data_dir, "doc_tokens.npy")
    if os.path.exists(cache) and os.path.exists(lens_path) and os.path.getmtime(cache) >= os.path.getmtime(src):
        return np.load(cache)
    with open(src) as f:
        text = f.read()
    docs = text.split("<|endoftext|>")[:-1]
    ids, lens = [], []
    for d in docs:
        n0 = len(ids)
        ids.extend(bpe.encode(d))
        ids.append(bpe.EOS_ID)
        lens.append(len(ids) - n0)
    arr = np.asarray(ids, dtype=np.int16)
    np.save(cache, arr)
    np.save(lens_path, np.asarray(lens, dtype=np.int64))
    return arr


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data-dir", required=True, help="folder with corpus.txt (from corpus.py)")
    p.add_argument("--out-dir", required=True, help="checkpoints and logs go here")
    p.add_argument("--seed", type=int, default=0, help="init seed")
    p.add_argument("--hidden-size", type=int, default=128, help="model width")
    p.add_argument("--layers", type=int, default=4, help="decoder blocks")
    p.add_argument("--heads", type=int, default=4, help="attention heads")
    p.add_argument("--intermediate-size", type=int, default=384, help="SwiGLU width")
    p.add_argument("--tie-embeddings", action="store_true",
                   help="tie lm_head to the embedding (default: untied; tied, the digits' input "
                   "embeddings collapse because digit targets are mostly unpredictable)")
    p.add_argument("--max-steps", type=int, default=0, help="stop after this many steps (0 = one epoch)")
    loop.add_args(p, lr=3e-3, warmup=200, max_minutes=0, batch=8, weight_decay=0.1, min_lr_frac=0.1, block=512,
                  ckpt_every_s=180, log_every=20)
    args = p.parse_args()

    tokens = load_tokens(args.data_dir)
    cfg = LlamaConfig(vocab_size=bpe.VOCAB_SIZE, hidden_size=args.hidden_size,
                      intermediate_size=args.intermediate_size, num_hidden_layers=args.layers,
                      num_attention_heads=args.heads, num_key_value_heads=args.heads,
                      max_position_embeddings=args.block, tie_word_embeddings=args.tie_embeddings)
    torch.manual_seed(args.seed)
    model = Llama(cfg)
    init_weights(model, args.seed, embed_std=0.02, linear_std=0.02)
    with torch.no_grad():  # GPT-2 style: residual output projections scaled by depth
        for name, prm in model.named_parameters():
            if name.endswith("o_proj.weight") or name.endswith("down_proj.weight"):
                prm.mul_(1 / math.sqrt(2 * cfg.num_hidden_layers))
    loop.sft(tokens, model, args, {}, max_steps=args.max_steps)


if __name__ == "__main__":
    main()
