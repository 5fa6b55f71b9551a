"""
A GPT-2-architecture decoder with the semantics of Hugging Face `GPT2LMHeadModel`
(eager attention, float32), and its parameters under the same names and layout
(`transformer.h.0.attn.c_attn.weight` is a Conv1D weight of shape (C, 3C)).

    token embedding wte + learned absolute position embedding wpe[position_ids]
    N x [ x = x + attn(ln_1(x)),  x = x + mlp(ln_2(x)) ]      (pre-LayerNorm, biases)
    final ln_f, lm_head tied to wte

Attention projects q, k, v with one fused c_attn; the MLP is c_fc -> gelu_new (the
tanh approximation) -> c_proj with inner size 4C.

`forward` has the same inference signature as model.Llama (KV cache in and out,
padding mask, position ids, num_logits_to_keep), so export.py traces both alike.

Shapes: B batch, T new tokens, P cached tokens, S = P + T, H heads, D head_dim,
C n_embd, V vocab_size.
"""

import math
from dataclasses import asdict, dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F

from decoder_masks import allowed_slots, last_positions

MASK_VALUE = torch.finfo(torch.float32).min


@dataclass
class GPT2Config:
    vocab_size: int = 258
    n_embd: int = 64
    n_layer: int = 2
    n_head: int = 4
    n_positions: int = 512
    layer_norm_epsilon: float = 1e-5

    def __post_init__(self):
        assert self.n_embd % self.n_head == 0, "n_embd must split into heads"

    @property
    def head_dim(self):
        return self.n_embd // self.n_head


def gelu_new(x):
    """HF `NewGELUActivation` (activation_function "gelu_new"), written out so it traces to plain ops."""
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))))


class Conv1D(nn.Module):
    """HF's Conv1D: a linear layer whose weight is stored (in, out), y = x @ W + b."""

    def __init__(self, n_in, n_out):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(n_in, n_out))
        self.bias = nn.Parameter(torch.zeros(n_out))

    def forward(self, x):  # (..., in) -> (..., out)
        return x @ self.weight + self.bias


class Attention(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.n_head, self.head_dim, self.n_embd = cfg.n_head, cfg.head_dim, cfg.n_embd
        self.c_attn = Conv1D(cfg.n_embd, 3 * cfg.n_embd)
        self.c_proj = Conv1D(cfg.n_embd, cfg.n_embd)

    def forward(self, x, allowed, past):
        # x (B, T, C); allowed (B, 1, T, S) bool; past (k, v) each (B, H, P, D)
        B, T, C = x.shape
        q, k, v = (t.view(B, T, self.n_head, self.head_dim).transpose(1, 2)
                   for t in self.c_attn(x).split(self.n_embd, dim=2))  # each (B, H, T, D)
        k = torch.cat((past[0], k), dim=2)  # (B, H, S, D)
        v = torch.cat((past[1], v), dim=2)  # (B, H, S, D)
        att = (q @ k.transpose(2, 3)) / math.sqrt(self.head_dim)  # (B, H, T, S)
        # masked_fill (not +mask): a fully masked row becomes all MASK_VALUE -> uniform, never NaN
        att = att.masked_fill(~allowed, MASK_VALUE).softmax(dim=-1)
        y = (att @ v).transpose(1, 2).reshape(B, T, C)  # (B, T, C)
        return self.c_proj(y), (k, v)


class MLP(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.c_fc = Conv1D(cfg.n_embd, 4 * cfg.n_embd)
        self.c_proj = Conv1D(4 * cfg.n_embd, cfg.n_embd)

    def forward(self, x):  # (B, T, C)
        return self.c_proj(gelu_new(self.c_fc(x)))


class Block(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.ln_1 = nn.LayerNorm(cfg.n_embd, eps=cfg.layer_norm_epsilon)
        self.attn = Attention(cfg)
        self.ln_2 = nn.LayerNorm(cfg.n_embd, eps=cfg.layer_norm_epsilon)
        self.mlp = MLP(cfg)

    def forward(self, x, allowed, past):
        a, present = self.attn(self.ln_1(x), allowed, past)
        x = x + a
        x = x + self.mlp(self.ln_2(x))
        return x, present


class Transformer(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.wte = nn.Embedding(cfg.vocab_size, cfg.n_embd)
        self.wpe = nn.Embedding(cfg.n_positions, cfg.n_embd)
        self.h = nn.ModuleList(Block(cfg) for _ in range(cfg.n_layer))
        self.ln_f = nn.LayerNorm(cfg.n_embd, eps=cfg.layer_norm_epsilon)


class GPT2(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.config = cfg
        self.transformer = Transformer(cfg)

    def empty_past(self, batch_size):
        """A KV cache holding no tokens: per layer (k, v) each (B, H, 0, D)."""
        shape = (batch_size, self.config.n_head, 0, self.config.head_dim)
        w = self.transformer.wte.weight
        return [(w.new_zeros(shape), w.new_zeros(shape)) for _ in self.transformer.h]

    def forward(self, input_ids, attention_mask, position_ids, past, num_logits_to_keep, steering=None,
                return_hidden=False):
        """
        input_ids (B, T) int64; attention_mask (B, S) int64 1 = token, 0 = padding;
        position_ids (B, T) int64 in [0, n_positions); past: per layer (k, v) each (B, H, P, D);
        num_logits_to_keep: int64 scalar tensor, logits for the last k positions, 0 = all.
        Returns logits (B, T or k, V) and present: per layer (k, v) each (B, H, S, D).
        With steering (L, C) and/or return_hidden: see forward_hidden (export.py --hidden-io calls
        it through here, so that the traced node names keep their /model/ scope).
        """
        logits, present, hidden = self.forward_hidden(input_ids, attention_mask, position_ids, past,
                                                      num_logits_to_keep, steering)
        return (logits, present, hidden) if return_hidden else (logits, present)

    def lens(self, hidden):
        """Logit lens: ln_f and the tied LM head applied to residuals (..., C) -> (..., V)."""
        return F.linear(self.transformer.ln_f(hidden), self.transformer.wte.weight)

    def forward_hidden(self, input_ids, attention_mask, position_ids, past, num_logits_to_keep, steering):
        """forward with the residual stream exposed, as model.Llama.forward_hidden."""
        tr = self.transformer
        B, T = input_ids.shape
        P = past[0][0].shape[2]
        assert len(past) == len(tr.h), "need one (key, value) per layer"
        if not torch.jit.is_tracing():  # shape checks would be baked into the ONNX trace
            assert attention_mask.shape == (B, P + T), "attention_mask must cover past + new tokens"
            assert position_ids.shape == input_ids.shape, "one position id per input id"
        allowed = allowed_slots(attention_mask, T, P)  # (B, 1, T, S)

        x = tr.wte(input_ids) + tr.wpe(position_ids)  # (B, T, C)
        present = []
        hidden = []
        for i, (block, layer_past) in enumerate(zip(tr.h, past)):
            x, kv = block(x, allowed, layer_past)
            if steering is not None:
                x = x + steering[i]  # (C,) broadcast over (B, T, C)
            hidden.append(x[:, -1])  # (B, C)
            present.append(kv)
        x = tr.ln_f(x)  # (B, T, C)

        x = last_positions(x, num_logits_to_keep)  # (B, k, C)
        logits = F.linear(x, tr.wte.weight)  # (B, k, V), lm_head tied to wte
        return logits, present, torch.stack(hidden, dim=1)  # hidden (B, L, C)


def init_weights(model, seed, embed_std, linear_std):
    """Seeded random init: normal(embed_std) token and position embeddings, normal(linear_std)
    Conv1D weights and biases, LayerNorm weight one and bias zero."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if ".ln_" in name:  # ln_1, ln_2, ln_f
                p.fill_(1.0 if name.endswith("weight") else 0.0)
            elif name.endswith(("wte.weight", "wpe.weight")):
                p.normal_(0.0, embed_std, generator=g)
            else:
                p.normal_(0.0, linear_std, generator=g)


def save_checkpoint(model, path):
    torch.save({"arch": "gpt2", "config": asdict(model.config), "model": model.state_dict()}, path)


def load_checkpoint(path):
    ckpt = torch.load(path, map_location="cpu")
    assert ckpt.get("arch") == "gpt2", f"{path} is not a GPT-2 checkpoint"
    model = GPT2(GPT2Config(**ckpt["config"]))
    model.load_state_dict(ckpt["model"])
    return model
