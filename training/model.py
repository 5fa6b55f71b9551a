"""
A Llama-architecture decoder with the exact semantics of Hugging Face
`LlamaForCausalLM` (eager attention, float32), small enough to read in one go.

    token embedding
    N x [ x = x + attn(rms_norm(x)),  x = x + mlp(rms_norm(x)) ]
    final rms_norm, lm_head tied to the embedding

Attention uses RoPE in the HF `rotate_half` convention, driven by explicit
position_ids; there are no biases. Grouped-query attention (num_key_value_heads <
num_attention_heads, as SmolLM2 and Qwen2 use) keeps num_key_value_heads heads in the
cache and repeats each for its group of query heads, as HF `repeat_kv`.

`forward` is the inference signature that export.py traces to ONNX (KV cache in
and out, padding mask, num_logits_to_keep); `forward_train` is the plain
causal forward with an optional loss for the trainer.

Shapes: B batch, T new tokens, P cached tokens, S = P + T, H query heads, G key/value
heads (H = G * R), D head_dim,
C hidden_size, V vocab_size.
"""

from dataclasses import asdict, dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F

from decoder_masks import allowed_slots, last_positions

MASK_VALUE = torch.finfo(torch.float32).min


@dataclass
class LlamaConfig:
    vocab_size: int = 258
    hidden_size: int = 64
    intermediate_size: int = 176
    num_hidden_layers: int = 2
    num_attention_heads: int = 4
    num_key_value_heads: int = 4
    max_position_embeddings: int = 512
    rms_norm_eps: float = 1e-5
    rope_theta: float = 10000.0
    tie_word_embeddings: bool = True  # False: a separate lm_head (the organism; see organism/)

    def __post_init__(self):
        assert self.hidden_size % self.num_attention_heads == 0, "hidden_size must split into heads"
        assert self.num_attention_heads % self.num_key_value_heads == 0, \
            "num_attention_heads must be a multiple of num_key_value_heads"
        assert self.head_dim % 2 == 0, "RoPE needs an even head_dim"

    @property
    def head_dim(self):
        return self.hidden_size // self.num_attention_heads


class RMSNorm(nn.Module):
    def __init__(self, dim, eps):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(dim))

    def forward(self, x):  # (..., C)
        variance = x.pow(2).mean(-1, keepdim=True)
        return self.weight * (x * torch.rsqrt(variance + self.eps))


def rotate_half(x):  # (..., D) -> (..., D): [x1, x2] -> [-x2, x1]
    d = x.shape[-1] // 2
    return torch.cat((-x[..., d:], x[..., :d]), dim=-1)


class Rotary(nn.Module):
    """cos and sin of the RoPE angles for given position ids, as HF LlamaRotaryEmbedding."""

    def __init__(self, cfg):
        super().__init__()
        d = cfg.head_dim
        inv_freq = 1.0 / (cfg.rope_theta ** (torch.arange(0, d, 2, dtype=torch.int64).float() / d))
        self.register_buffer("inv_freq", inv_freq, persistent=False)  # (D/2,)

    def forward(self, position_ids):  # (B, T) int64
        freqs = position_ids.to(self.inv_freq.dtype)[:, :, None] * self.inv_freq[None, None, :]  # (B, T, D/2)
        emb = torch.cat((freqs, freqs), dim=-1)  # (B, T, D)
        return emb.cos()[:, None], emb.sin()[:, None]  # each (B, 1, T, D)


def repeat_kv(x, rep):
    """(B, G, S, D) -> (B, G * rep, S, D): key/value head g serves query heads g*rep .. g*rep+rep-1, as HF
    `repeat_kv`. Written as expand + reshape of traced sizes, as HF does: torch 1.13's ONNX export of
    repeat_interleave gave a graph that onnxruntime refused at run time ("cannot broadcast on dim 1")."""
    if rep == 1:
        return x
    b, g, s, d = x.shape
    return x[:, :, None].expand(b, g, rep, s, d).reshape(b, g * rep, s, d)


class Attention(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.n_head, self.n_kv, self.head_dim = cfg.num_attention_heads, cfg.num_key_value_heads, cfg.head_dim
        c, kv = cfg.hidden_size, cfg.num_key_value_heads * cfg.head_dim
        self.q_proj = nn.Linear(c, c, bias=False)
        self.k_proj = nn.Linear(c, kv, bias=False)
        self.v_proj = nn.Linear(c, kv, bias=False)
        self.o_proj = nn.Linear(c, c, bias=False)

    def forward(self, x, cos, sin, allowed, past, prefix=None):
        # x (B, T, C); cos/sin (B, 1, T, D); allowed (B, 1, T, Q + S) bool; past (k, v) each (B, G, P, D);
        # prefix None or (k, v) each (1, G, Q, D): a shared prompt's cache, attended by every row
        # without being copied into it (the matmul broadcasts batch 1), so present stays per-row
        B, T, C = x.shape
        q = self.q_proj(x).view(B, T, self.n_head, self.head_dim).transpose(1, 2)  # (B, H, T, D)
        k, v = (proj(x).view(B, T, self.n_kv, self.head_dim).transpose(1, 2)
                for proj in (self.k_proj, self.v_proj))  # each (B, G, T, D)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        k = torch.cat((past[0], k), dim=2)  # (B, G, S, D): the cache holds G heads, not H
        v = torch.cat((past[1], v), dim=2)  # (B, G, S, D)
        rep = self.n_head // self.n_kv
        kq, vq = repeat_kv(k, rep), repeat_kv(v, rep)  # each (B, H, S, D)
        att = (q @ kq.transpose(2, 3)) * self.head_dim ** -0.5  # (B, H, T, S)
        Q = 0
        if prefix is not None:  # one softmax over [prefix, suffix]: concatenate scores, not keys
            kp, vp = repeat_kv(prefix[0], rep), repeat_kv(prefix[1], rep)  # each (1, H, Q, D)
            Q = kp.shape[2]
            att = torch.cat(((q @ kp.transpose(2, 3)) * self.head_dim ** -0.5, att), dim=3)  # (B, H, T, Q+S)
        # masked_fill (not +mask): a fully masked row becomes all MASK_VALUE -> uniform, never NaN
        att = att.masked_fill(~allowed, MASK_VALUE).softmax(dim=-1)
        y = att[..., Q:] @ vq  # (B, H, T, D)
        if prefix is not None:
            y = y + att[..., :Q] @ vp  # (1, H, Q, D) broadcast over B
        y = y.transpose(1, 2).reshape(B, T, C)  # (B, T, C)
        return self.o_proj(y), (k, v)


class MLP(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.gate_proj = nn.Linear(cfg.hidden_size, cfg.intermediate_size, bias=False)
        self.up_proj = nn.Linear(cfg.hidden_size, cfg.intermediate_size, bias=False)
        self.down_proj = nn.Linear(cfg.intermediate_size, cfg.hidden_size, bias=False)

    def forward(self, x):  # (B, T, C)
        return self.down_proj(F.silu(self.gate_proj(x)) * self.up_proj(x))


class Block(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.input_layernorm = RMSNorm(cfg.hidden_size, cfg.rms_norm_eps)
        self.self_attn = Attention(cfg)
        self.post_attention_layernorm = RMSNorm(cfg.hidden_size, cfg.rms_norm_eps)
        self.mlp = MLP(cfg)

    def forward(self, x, cos, sin, allowed, past, prefix=None):
        a, present = self.self_attn(self.input_layernorm(x), cos, sin, allowed, past, prefix)
        x = x + a
        x = x + self.mlp(self.post_attention_layernorm(x))
        return x, present


class Llama(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.config = cfg
        self.embed_tokens = nn.Embedding(cfg.vocab_size, cfg.hidden_size)
        self.layers = nn.ModuleList(Block(cfg) for _ in range(cfg.num_hidden_layers))
        self.norm = RMSNorm(cfg.hidden_size, cfg.rms_norm_eps)
        self.rotary = Rotary(cfg)
        if not cfg.tie_word_embeddings:
            self.lm_head = nn.Linear(cfg.hidden_size, cfg.vocab_size, bias=False)

    def empty_past(self, batch_size):
        """A KV cache holding no tokens: per layer (k, v) each (B, G, 0, D)."""
        shape = (batch_size, self.config.num_key_value_heads, 0, self.config.head_dim)
        w = self.embed_tokens.weight
        return [(w.new_zeros(shape), w.new_zeros(shape)) for _ in self.layers]

    def forward(self, input_ids, attention_mask, position_ids, past, num_logits_to_keep, steering=None,
                return_hidden=False, prefix=None):
        """
        input_ids (B, T) int64; attention_mask (B, S) int64 1 = token, 0 = padding;
        position_ids (B, T) int64; past: per layer (k, v) each (B, G, P, D);
        num_logits_to_keep: int64 scalar tensor, logits for the last k positions, 0 = all.
        Returns logits (B, T or k, V) and present: per layer (k, v) each (B, G, S, D).
        With steering (L, C) and/or return_hidden: see forward_hidden (export.py --hidden-io calls
        it through here, so that the traced node names keep their /model/ scope).
        prefix: None or per layer (k, v) each (1, G, Q, D), a shared prompt's cache that every row
        attends before its own past (shared-prefix attention); attention_mask then covers
        (B, Q + P + T) and present holds only the per-row suffix (B, G, P + T, D).
        """
        logits, present, hidden = self.forward_hidden(input_ids, attention_mask, position_ids, past,
                                                      num_logits_to_keep, steering, prefix)
        return (logits, present, hidden) if return_hidden else (logits, present)

    def lens(self, hidden):
        """Logit lens: the final norm and the LM head applied to residuals (..., C) -> (..., V)."""
        head = self.embed_tokens.weight if self.config.tie_word_embeddings else self.lm_head.weight
        return F.linear(self.norm(hidden), head)

    def forward_hidden(self, input_ids, attention_mask, position_ids, past, num_logits_to_keep, steering,
                       prefix=None):
        """forward with the residual stream exposed: steering (L, C) or None is added to the
        residual after block l at every new position; also returns hidden (B, L, C), each
        block's output (steering included) at the last new position."""
        B, T = input_ids.shape
        # the prefix's Q slots come first, then the row's own past, then the new tokens
        P = past[0][0].shape[2] + (0 if prefix is None else prefix[0][0].shape[2])
        assert len(past) == len(self.layers), "need one (key, value) per layer"
        if not torch.jit.is_tracing():  # shape checks would be baked into the ONNX trace
            assert attention_mask.shape == (B, P + T), "attention_mask must cover past + new tokens"
            assert position_ids.shape == input_ids.shape, "one position id per input id"
        allowed = allowed_slots(attention_mask, T, P)  # (B, 1, T, S)
        cos, sin = self.rotary(position_ids)  # each (B, 1, T, D)

        x = self.embed_tokens(input_ids)  # (B, T, C)
        present = []
        hidden = []
        for i, (block, layer_past) in enumerate(zip(self.layers, past)):
            x, kv = block(x, cos, sin, allowed, layer_past, None if prefix is None else prefix[i])
            if steering is not None:
                x = x + steering[i]  # (C,) broadcast over (B, T, C)
            hidden.append(x[:, -1])  # (B, C)
            present.append(kv)
        x = self.norm(x)  # (B, T, C)

        x = last_positions(x, num_logits_to_keep)  # (B, k, C)
        head = self.embed_tokens.weight if self.config.tie_word_embeddings else self.lm_head.weight
        logits = F.linear(x, head)  # (B, k, V)
        return logits, present, torch.stack(hidden, dim=1)  # hidden (B, L, C)

    def forward_train(self, input_ids, targets=None):
        """Causal forward without cache or padding. input_ids (B, T); targets (B, T) with
        -100 for ignored positions. Returns logits (B, T, V) and the mean loss (or None)."""
        B, T = input_ids.shape
        assert T <= self.config.max_position_embeddings, f"sequence of {T} > max_position_embeddings"
        position_ids = torch.arange(T, device=input_ids.device).expand(B, T)
        mask = torch.ones(B, T, dtype=torch.int64, device=input_ids.device)
        logits, _ = self.forward(input_ids, mask, position_ids, self.empty_past(B),
                                 torch.tensor(0))
        loss = None
        if targets is not None:
            loss = F.cross_entropy(logits.view(-1, logits.shape[-1]), targets.reshape(-1),
                                   ignore_index=-100)
        return logits, loss


def init_weights(model, seed, embed_std, linear_std):
    """Seeded random init: normal(embed_std) embedding (tied lm_head), normal(linear_std)
    linear weights, RMSNorm weights one."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("norm.weight"):
                p.fill_(1.0)
            elif name == "embed_tokens.weight":
                p.normal_(0.0, embed_std, generator=g)
            else:
                p.normal_(0.0, linear_std, generator=g)


def save_checkpoint(model, path):
    torch.save({"config": asdict(model.config), "model": model.state_dict()}, path)


def load_checkpoint(path):
    ckpt = torch.load(path, map_location="cpu")
    model = Llama(LlamaConfig(**ckpt["config"]))
    model.load_state_dict(ckpt["model"])
    return model
