"""
Export a Coax Llama model as a Hugging Face model folder that transformers.js
loads as `model_type: "llama"`, and write a parity fixture for the TypeScript tests.

    out_dir/config.json, generation_config.json        model and decoding config
    out_dir/tokenizer.json, tokenizer_config.json, special_tokens_map.json
    out_dir/onnx/model.onnx                             float32, weights inside

The model comes from a checkpoint (model.save_checkpoint) or, without one, from a
seeded random init (the committed fixture-tiny model).
"""

import argparse
import json
import os
import sys

import numpy as np
import onnx
import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import coax_tokenizer as tok  # noqa: E402
from model import Llama, LlamaConfig, init_weights, load_checkpoint  # noqa: E402
from organism import bpe  # noqa: E402

# name -> (vocab_size, encode, decode, write the HF tokenizer files(out_dir, model_max_length))
TOKENIZERS = {
    "byte": (tok.VOCAB_SIZE, tok.encode, tok.decode, tok.write_hf_tokenizer),
    "organism": (bpe.VOCAB_SIZE, bpe.encode, bpe.decode, bpe.write_hf),
}

PARITY_PROMPTS = ["Q: 2+3=?\nA:", "hello world", "7+1+4"]
GREEDY_TOKENS = 8
DUMMY_PAST = 3  # past length used while tracing, > 0 so that nothing folds to an empty cache


class OnnxDecoder(nn.Module):
    """Flat-argument wrapper: (input_ids, attention_mask, position_ids, k0, v0, k1, v1, ...,
    num_logits_to_keep) -> (logits, present k0, present v0, ...)."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, input_ids, attention_mask, position_ids, *rest):
        *flat_past, num_logits_to_keep = rest
        past = list(zip(flat_past[0::2], flat_past[1::2]))
        logits, present = self.model(input_ids, attention_mask, position_ids, past, num_logits_to_keep)
        return (logits, *[t for kv in present for t in kv])


def io_names(n_layer):
    past = [f"past_key_values.{i}.{kv}" for i in range(n_layer) for kv in ("key", "value")]
    present = [f"present.{i}.{kv}" for i in range(n_layer) for kv in ("key", "value")]
    inputs = ["input_ids", "attention_mask", "position_ids", *past, "num_logits_to_keep"]
    return inputs, ["logits", *present]


def export_onnx(model, path, opset):
    """Trace model.forward to ONNX. Batch and sequence axes are symbolic; num_heads,
    head_dim and vocab_size stay fixed numbers (transformers.js builds its empty cache
    from the input shapes and resolves every symbolic axis but batch_size to 0)."""
    cfg = model.config
    inputs, outputs = io_names(cfg.num_hidden_layers)
    B, T, P = 2, 4, DUMMY_PAST
    g = torch.Generator().manual_seed(0)
    kv = lambda: torch.randn(B, cfg.num_attention_heads, P, cfg.head_dim, generator=g)  # noqa: E731
    args = (torch.randint(2, cfg.vocab_size, (B, T), generator=g),
            torch.ones(B, P + T, dtype=torch.int64),
            torch.arange(P, P + T).expand(B, T).contiguous(),
            *[kv() for _ in range(2 * cfg.num_hidden_layers)],
            torch.tensor(0, dtype=torch.int64))
    axes = {"input_ids": {0: "batch_size", 1: "sequence_length"},
            "attention_mask": {0: "batch_size", 1: "total_sequence_length"},
            "position_ids": {0: "batch_size", 1: "sequence_length"},
            "logits": {0: "batch_size", 1: "logits_length"}}
    for name in inputs[3:-1]:
        axes[name] = {0: "batch_size", 2: "past_sequence_length"}
    for name in outputs[1:]:
        axes[name] = {0: "batch_size", 2: "total_sequence_length"}
    os.makedirs(os.path.dirname(path), exist_ok=True)
    torch.onnx.export(OnnxDecoder(model), args, path, input_names=inputs, output_names=outputs,
                      dynamic_axes=axes, opset_version=opset, do_constant_folding=True)
    graph = onnx.load(path)
    onnx.checker.check_model(graph, full_check=True)
    assert [i.name for i in graph.graph.input] == inputs, "exporter dropped or renamed an input"
    assert [o.name for o in graph.graph.output] == outputs, "exporter renamed an output"
    assert not any(t.data_location == onnx.TensorProto.EXTERNAL for t in graph.graph.initializer)
    return graph


def value_info_str(v):
    t = v.type.tensor_type
    dims = [d.dim_param or d.dim_value for d in t.shape.dim]
    return f"{v.name}: {onnx.TensorProto.DataType.Name(t.elem_type).lower()} {dims}"


def hf_config(cfg):
    return {
        "architectures": ["LlamaForCausalLM"],
        "model_type": "llama",
        **vars(cfg),
        "head_dim": cfg.head_dim,
        "hidden_act": "silu",
        "attention_bias": False,
        "mlp_bias": False,
        "attention_dropout": 0.0,
        "rope_scaling": None,
        "pretraining_tp": 1,
        "bos_token_id": tok.EOS_ID,
        "eos_token_id": tok.EOS_ID,
        "pad_token_id": tok.PAD_ID,
        "tie_word_embeddings": True,
        "use_cache": True,
        "torch_dtype": "float32",
        # transformers.js defaults to q8 (model_quantized.onnx) on wasm; we ship fp32 only
        "transformers.js_config": {"dtype": "fp32"},
    }


def write_json(path, obj, indent=2):
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(obj, f, ensure_ascii=False, indent=indent,
                  separators=None if indent else (",", ":"))
        f.write("\n")


def f32_list(t):
    """Nested lists of floats printed as the shortest decimal that round-trips the float32
    (Math.fround in JS gives back the exact value)."""
    a = t.detach().to(torch.float32).numpy()
    return np.vectorize(lambda x: float(repr(x)), otypes=[object])(a).tolist()


@torch.no_grad()
def greedy_with_cache(model, ids, n):
    """Prefill ids, then n greedy steps of one token each through the KV cache.
    Returns the new ids and the last-position logits (V,) of every step."""
    x = torch.tensor([ids])  # (1, T)
    past, mask, out, step_logits = model.empty_past(1), torch.ones(1, 0, dtype=torch.int64), [], []
    pos = torch.arange(len(ids))[None]
    for _ in range(n):
        mask = torch.cat((mask, torch.ones_like(x)), dim=1)  # (1, P + T)
        logits, past = model(x, mask, pos, past, torch.tensor(1))  # (1, 1, V)
        step_logits.append(logits[0, -1])
        nxt = int(logits[0, -1].argmax())
        out.append(nxt)
        x, pos = torch.tensor([[nxt]]), torch.tensor([[mask.shape[1]]])
    return out, step_logits


@torch.no_grad()
def parity_fixture(model, model_dir, init, tokenizer="byte"):
    _, encode, decode, _ = TOKENIZERS[tokenizer]
    model.eval()
    cases = []
    for prompt in PARITY_PROMPTS:
        ids = encode(prompt)
        T = len(ids)
        logits, _ = model(torch.tensor([ids]), torch.ones(1, T, dtype=torch.int64),
                          torch.arange(T)[None], model.empty_past(1), torch.tensor(0))  # (1, T, V)
        cases.append({"prompt": prompt, "input_ids": ids, "logits": f32_list(logits[0])})
    greedy_ids, step_logits = greedy_with_cache(model, cases[0]["input_ids"], GREEDY_TOKENS)
    cases[0]["greedy"] = {"new_ids": greedy_ids, "text": decode(greedy_ids),
                          "step_logits": f32_list(torch.stack(step_logits))}
    return {
        "model_dir": model_dir,
        "config": vars(model.config),
        "init": init,
        "torch_version": torch.__version__,
        "notes": ("float32 PyTorch logits (eval, position_ids 0..T-1, attention_mask ones, empty "
                  "past, num_logits_to_keep 0), as the shortest decimal of each float32. greedy: "
                  f"{GREEDY_TOKENS} argmax tokens after prompt 0, prefill then one token per step "
                  "through the KV cache; step_logits[i] are the logits that chose new_ids[i]; "
                  "no early stop at eos."),
        "cases": cases,
    }


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out-dir", required=True, help="Hugging Face model folder to write")
    p.add_argument("--checkpoint", help="model checkpoint (.pt from model.save_checkpoint); "
                   "omit for a seeded random init")
    p.add_argument("--parity-out", help="write the parity fixture JSON here")
    p.add_argument("--parity-model-dir", default=None,
                   help="model folder path recorded in the fixture (default: --out-dir)")
    p.add_argument("--tokenizer", default="byte", choices=sorted(TOKENIZERS),
                   help="byte: 258-id byte vocab; organism: byte vocab + 94 space merges (352 ids)")
    p.add_argument("--opset", type=int, default=14, help="ONNX opset (torch 1.13 supports 14-17)")
    p.add_argument("--seed", type=int, default=0, help="random init: seed")
    p.add_argument("--embed-std", type=float, default=1.0,
                   help="random init: std of the (tied) embedding; large keeps logits peaked")
    p.add_argument("--linear-std", type=float, default=0.3,
                   help="random init: std of linear weights; large enough that the blocks, "
                   "not only the tied embedding, decide the argmax")
    for field, default in vars(LlamaConfig()).items():
        p.add_argument("--" + field.replace("_", "-"), type=type(default), default=default,
                       help=f"random init: config.{field}")
    args = p.parse_args()

    torch.manual_seed(args.seed)
    if args.checkpoint:
        model = load_checkpoint(args.checkpoint)
        init = {"checkpoint": os.path.basename(args.checkpoint)}
    else:
        model = Llama(LlamaConfig(**{f: getattr(args, f) for f in vars(LlamaConfig())}))
        init_weights(model, args.seed, args.embed_std, args.linear_std)
        init = {"seed": args.seed, "embed_std": args.embed_std, "linear_std": args.linear_std}
    model.eval()
    cfg = model.config
    vocab_size, _, _, write_tokenizer = TOKENIZERS[args.tokenizer]
    assert cfg.vocab_size == vocab_size, f"the {args.tokenizer} tokenizer has {vocab_size} ids"

    write_json(os.path.join(args.out_dir, "config.json"), hf_config(cfg))
    write_json(os.path.join(args.out_dir, "generation_config.json"),
               {"bos_token_id": tok.EOS_ID, "eos_token_id": tok.EOS_ID, "pad_token_id": tok.PAD_ID})
    write_tokenizer(args.out_dir, cfg.max_position_embeddings)
    graph = export_onnx(model, os.path.join(args.out_dir, "onnx", "model.onnx"), args.opset)
    print("inputs:\n  " + "\n  ".join(value_info_str(v) for v in graph.graph.input))
    print("outputs:\n  " + "\n  ".join(value_info_str(v) for v in graph.graph.output))

    if args.parity_out:
        model_dir = args.parity_model_dir or args.out_dir
        write_json(args.parity_out, parity_fixture(model, model_dir, init, args.tokenizer), indent=None)
        print(f"wrote {args.parity_out}")


if __name__ == "__main__":
    main()
