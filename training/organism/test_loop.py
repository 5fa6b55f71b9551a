"""
Checks for loop.py, the trainers' shared loop: the schedules against hand-computed values, the packed batches,
the optimizer's groups, and a run stopped half-way and resumed from ckpt.pt ending on the very weights and
optimizer state of an uninterrupted one (bit for bit).
"""

import argparse
import math
import os
import sys
import tempfile

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))
import bpe  # noqa: E402
import loop  # noqa: E402
from model import Llama, LlamaConfig, init_weights, load_checkpoint  # noqa: E402
from testing import run_tests  # noqa: E402


def test_schedules_by_hand():
    assert loop.lr_at(0, 0.0, 1.0, 4, 0.1) == 0.25 and loop.lr_at(3, 0.0, 1.0, 4, 0.1) == 1.0
    assert loop.lr_at(4, 0.0, 2.0, 4, 0.1) == 2.0  # cosine starts at the peak
    assert math.isclose(loop.lr_at(9, 0.5, 2.0, 4, 0.1), 2.0 * (0.1 + 0.9 * 0.5))
    assert math.isclose(loop.lr_at(9, 1.0, 2.0, 4, 0.1), 0.2) and math.isclose(loop.lr_at(9, 7.0, 2.0, 4, 0.1), 0.2)
    assert [loop.warmup_lr(s, 1.0, 4) for s in range(6)] == [0.25, 0.5, 0.75, 1.0, 1.0, 1.0]
    assert loop.warmup_lr(0, 3.0, 0) == 3.0


def test_packed_batches_tile_the_stream():
    tokens = np.arange(100, dtype=np.int16)
    b0 = loop.packed_batch(tokens, 0, 2, 8, "cpu")  # (B, T+1)
    b1 = loop.packed_batch(tokens, 1, 2, 8, "cpu")
    assert b0.shape == (2, 9) and b0.dtype == torch.int64
    assert b0[0].tolist() == list(range(0, 9)) and b0[1].tolist() == list(range(8, 17))
    assert b1[0].tolist() == list(range(16, 25))  # the next step starts where the last block's inputs ended
    stream = loop.token_stream(["a b", "c"])
    assert stream.dtype == np.int16 and stream[0] == bpe.EOS_ID and stream[-1] == bpe.EOS_ID
    assert bpe.decode([int(t) for t in stream]) == "<|endoftext|>a b<|endoftext|>c<|endoftext|>"


def tiny_model(seed=0):
    cfg = LlamaConfig(vocab_size=bpe.VOCAB_SIZE, hidden_size=16, intermediate_size=32, num_hidden_layers=1,
                      num_attention_heads=2, num_key_value_heads=2, max_position_embeddings=32,
                      tie_word_embeddings=False)
    torch.manual_seed(seed)
    m = Llama(cfg)
    init_weights(m, seed, embed_std=0.02, linear_std=0.02)
    return m


def test_adamw_decays_matrices_but_the_embedding():
    m = tiny_model()
    opt = loop.adamw(m, 1e-3, 0.1)
    names = {id(q): n for n, q in m.named_parameters()}
    decayed = {names[id(q)] for q in opt.param_groups[0]["params"]}
    assert opt.param_groups[0]["weight_decay"] == 0.1 and opt.param_groups[1]["weight_decay"] == 0.0
    assert "embed_tokens.weight" not in decayed and "lm_head.weight" in decayed
    assert not any(n.endswith("norm.weight") for n in decayed)
    flat = loop.adamw(m, 1e-3, 0.05, betas=(0.9, 0.99), matrices_only=False)
    assert len(flat.param_groups) == 1 and flat.param_groups[0]["betas"] == (0.9, 0.99)


def sft_args(out_dir, resume):
    return argparse.Namespace(out_dir=out_dir, device="cpu", resume=resume, block=16, batch=2, lr=3e-3, warmup=2,
                              min_lr_frac=0.1, weight_decay=0.1, max_minutes=0, ckpt_every_s=1e9, log_every=2)


def test_a_resumed_run_ends_on_the_same_weights():
    tokens = np.random.default_rng(3).integers(0, bpe.VOCAB_SIZE, 16 * 2 * 6 + 1).astype(np.int16)  # 6 steps
    with tempfile.TemporaryDirectory() as d:
        whole = loop.sft(tokens, tiny_model(), sft_args(f"{d}/whole", False), {})
        stop_at_3 = loop.Run.out_of_time
        loop.Run.out_of_time = lambda self, _m: self.step >= 3  # "time runs out" after step 3
        try:
            cut = loop.sft(tokens, tiny_model(), sft_args(f"{d}/cut", False), {})
        finally:
            loop.Run.out_of_time = stop_at_3
        assert cut["step"] == 3 and whole["step"] == 6
        resumed = loop.sft(tokens, tiny_model(seed=9), sft_args(f"{d}/cut", True), {})  # the init is overwritten
        assert resumed["step"] == 6
        a, b = load_checkpoint(f"{d}/whole/model.pt").state_dict(), load_checkpoint(f"{d}/cut/model.pt").state_dict()
        assert all(torch.equal(a[k], b[k]) for k in a)
        oa, ob = torch.load(f"{d}/whole/ckpt.pt")["opt"], torch.load(f"{d}/cut/ckpt.pt")["opt"]
        assert all(torch.equal(oa["state"][k]["exp_avg_sq"], ob["state"][k]["exp_avg_sq"]) for k in oa["state"])
        assert sorted(os.listdir(f"{d}/cut")) == ["args.json", "ckpt.pt", "log.jsonl", "model.pt"]


def test_a_run_without_checkpoints_writes_no_ckpt():
    m = tiny_model()
    with tempfile.TemporaryDirectory() as d:
        run = loop.Run(d, m, loop.adamw(m, 1e-3, 0.0), sft_args(d, True), resume=True, checkpoints=False)
        run.write({"step": 0})
        run.finish()
        assert sorted(os.listdir(d)) == ["log.jsonl", "model.pt"]


if __name__ == "__main__":
    run_tests(globals())
