"""
What the two decoders (model.Llama, gpt2_model.GPT2) compute the same way, written once: which
cache slots each new token may attend, and the slice of positions the LM head runs on. Both are
traced into the ONNX graphs by export.py; plain functions add no scope, so the graphs' node names
are those of the calling module.

Shapes: B batch, T new tokens, P cached tokens (shared prefix and the row's own past), S = P + T.
"""

import torch


def allowed_slots(attention_mask, T, P):
    """attention_mask (B, S) int64, 1 = token, 0 = padding -> allowed (B, 1, T, S) bool: query t
    sits at cache slot P + t and may see slots 0..P+t that are not padding."""
    device = attention_mask.device
    q_slot = torch.arange(T, device=device) + P  # (T,)
    k_slot = torch.arange(attention_mask.shape[1], device=device)  # (S,)
    causal = k_slot[None, :] <= q_slot[:, None]  # (T, S)
    return causal[None, None] & attention_mask[:, None, None, :].bool()  # (B, 1, T, S)


def last_positions(x, num_logits_to_keep):
    """x (B, T, C) -> (B, k, C): the last k positions, all when k == 0 (or k >= T), as HF's
    slice(-k, None); written with torch ops so that the traced ONNX graph keeps k and T dynamic."""
    T = x.shape[1]
    k = num_logits_to_keep
    keep = torch.where((k > 0) & (k < T), k, T)
    return x.index_select(1, torch.arange(T - keep, T, device=x.device))
