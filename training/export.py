"""
Export a Coax model as a Hugging Face model folder that transformers.js loads
(`--arch llama`: model_type "llama"; `--arch gpt2`: model_type "gpt2"), and write a
parity fixture for the TypeScript tests.

    out_dir/config.json, generation_config.json        model and decoding config
    out_dir/tokenizer.json, tokenizer_config.json, special_tokens_map.json
    out_dir/onnx/model.onnx                             float32, weights inside
    out_dir/onnx/model_fp16.onnx                        with --fp16: float16 weights, cache and logits

With --hidden-io the graph also exposes the residual stream (the stock graph stays the default):
    input  steering (L, C)          added to the residual after block l at every new position;
                                    zeros give the stock logits
    output hidden_states (B, L, C)  each block's output (steering included) at the last position
    output lens_logits (B, L, V)    with --lens: final norm + LM head of hidden_states (logit lens)

The model comes from a checkpoint (save_checkpoint of the arch's module) or, without
one, from a seeded random init (the committed fixture models). The config flags
depend on --arch: see `export.py --arch gpt2 --help`.
"""

import argparse
import copy
import json
import os
import sys
from typing import Callable, NamedTuple

import numpy as np
import onnx
from onnx import numpy_helper
import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import coax_tokenizer as tok  # noqa: E402
import gpt2_model  # noqa: E402
import model as llama_model  # noqa: E402
from organism import bpe  # noqa: E402

def write_padded_tokenizer(out_dir, model_max_length, vocab_size):
    """The byte tokenizer with placeholder entries `<|x{id}|>` up to vocab_size: a random-weight model of a real
    config (SmolLM2's 49152 ids) needs a tokenizer that decodes every id it may sample. Text still encodes
    byte by byte; a placeholder decodes to its own printable name."""
    vocab = tok.byte_vocab()
    vocab.update({f"<|x{i}|>": i for i in range(tok.VOCAB_SIZE, vocab_size)})
    tok.write_hf_tokenizer(out_dir, model_max_length, vocab=vocab)


def decode_padded(ids):
    return "".join(tok.decode([i]) if i < tok.VOCAB_SIZE else f"<|x{i}|>" for i in ids)


# name -> (vocab_size, encode, decode, write the HF tokenizer files(out_dir, model_max_length));
# vocab_size None: the model's own (byte-padded)
TOKENIZERS = {
    "byte": (tok.VOCAB_SIZE, tok.encode, tok.decode, tok.write_hf_tokenizer),
    "organism": (bpe.VOCAB_SIZE, bpe.encode, bpe.decode, bpe.write_hf),
    "byte-padded": (None, tok.encode, decode_padded, write_padded_tokenizer),
}

PARITY_PROMPTS = ["Q: 2+3=?\nA:", "hello world", "7+1+4"]
GREEDY_TOKENS = 8
DUMMY_PAST = 3  # past length used while tracing, > 0 so that nothing folds to an empty cache


class OnnxDecoder(nn.Module):
    """Flat-argument wrapper: (input_ids, attention_mask, position_ids, k0, v0, k1, v1, ...,
    num_logits_to_keep) -> (logits, present k0, present v0, ...)."""

    def __init__(self, model, prefix_cache=False):
        super().__init__()
        self.model, self.prefix_cache = model, prefix_cache

    def forward(self, input_ids, attention_mask, position_ids, *rest):
        prefix = None
        if self.prefix_cache:  # (..., num_logits_to_keep, pk0, pv0, pk1, pv1, ...): see io_names
            n = len(self.model.layers)
            rest, flat_prefix = rest[:-2 * n], rest[-2 * n:]
            prefix = list(zip(flat_prefix[0::2], flat_prefix[1::2]))
        *flat_past, num_logits_to_keep = rest
        past = list(zip(flat_past[0::2], flat_past[1::2]))
        extra = {"prefix": prefix} if self.prefix_cache else {}  # gpt2_model.GPT2 takes no prefix
        logits, present = self.model(input_ids, attention_mask, position_ids, past, num_logits_to_keep, **extra)
        return (logits, *[t for kv in present for t in kv])


class OnnxHiddenDecoder(nn.Module):
    """OnnxDecoder with the residual stream: (..., num_logits_to_keep, steering) ->
    (logits, present..., hidden_states[, lens_logits]). The module attribute stays `model`,
    so node names (which import_onnx.py reads) match the stock graph's."""

    def __init__(self, model, lens):
        super().__init__()
        self.model, self.with_lens = model, lens

    def forward(self, input_ids, attention_mask, position_ids, *rest):
        *flat_past, num_logits_to_keep, steering = rest
        past = list(zip(flat_past[0::2], flat_past[1::2]))
        logits, present, hidden = self.model(input_ids, attention_mask, position_ids, past, num_logits_to_keep,
                                             steering, return_hidden=True)  # hidden (B, L, C)
        extra = (hidden, self.model.lens(hidden)) if self.with_lens else (hidden,)  # lens (B, L, V)
        return (logits, *[t for kv in present for t in kv], *extra)


def io_names(n_layer, hidden_io=False, lens=False, prefix_cache=False):
    past = [f"past_key_values.{i}.{kv}" for i in range(n_layer) for kv in ("key", "value")]
    present = [f"present.{i}.{kv}" for i in range(n_layer) for kv in ("key", "value")]
    inputs = ["input_ids", "attention_mask", "position_ids", *past, "num_logits_to_keep"]
    outputs = ["logits", *present]
    if hidden_io:
        inputs.append("steering")
        outputs += ["hidden_states", "lens_logits"] if lens else ["hidden_states"]
    if prefix_cache:  # a shared prompt's cache, batch 1, attended by every row (model.Attention)
        inputs += [f"prefix_key_values.{i}.{kv}" for i in range(n_layer) for kv in ("key", "value")]
    return inputs, outputs


def export_onnx(model, path, opset, hidden_io=False, lens=False, prefix_cache=False):
    """Trace model.forward (model.Llama or gpt2_model.GPT2) to ONNX. Batch and sequence
    axes are symbolic; num_heads, head_dim and vocab_size stay fixed numbers (transformers.js
    builds its empty cache from the input shapes and resolves every symbolic axis but
    batch_size to 0). hidden_io/lens: see the module docstring. prefix_cache: extra inputs
    prefix_key_values.{i}.key|value (1, G, prefix_length, D) after the others; attention_mask
    then covers prefix + past + new tokens and present only past + new (model.Llama.forward)."""
    assert hidden_io or not lens, "--lens needs --hidden-io"
    assert not (prefix_cache and hidden_io), "--prefix-cache is not combined with --hidden-io yet"
    empty = model.empty_past(1)
    n_layer, (_, n_head, _, head_dim) = len(empty), empty[0][0].shape
    inputs, outputs = io_names(n_layer, hidden_io, lens, prefix_cache)
    B, T, P = 2, 4, DUMMY_PAST
    Q = 3 if prefix_cache else 0  # prefix length while tracing
    g = torch.Generator().manual_seed(0)
    kv = lambda: torch.randn(B, n_head, P, head_dim, generator=g)  # noqa: E731
    args = (torch.randint(2, model.config.vocab_size, (B, T), generator=g),
            torch.ones(B, Q + P + T, dtype=torch.int64),
            torch.arange(P, P + T).expand(B, T).contiguous(),
            *[kv() for _ in range(2 * n_layer)],
            torch.tensor(0, dtype=torch.int64))
    if prefix_cache:
        args += tuple(torch.randn(1, n_head, Q, head_dim, generator=g) for _ in range(2 * n_layer))
    if hidden_io:  # nonzero while tracing, so that the add is not folded away
        args += (torch.randn(n_layer, residual_width(model), generator=g),)
    axes = {"input_ids": {0: "batch_size", 1: "sequence_length"},
            "attention_mask": {0: "batch_size", 1: "total_sequence_length"},
            "position_ids": {0: "batch_size", 1: "sequence_length"},
            "logits": {0: "batch_size", 1: "logits_length"}}
    for name in inputs[3:3 + 2 * n_layer]:
        axes[name] = {0: "batch_size", 2: "past_sequence_length"}
    for name in outputs[1:1 + 2 * n_layer]:
        axes[name] = {0: "batch_size", 2: "total_sequence_length"}
    for name in outputs[1 + 2 * n_layer:]:  # hidden_states, lens_logits
        axes[name] = {0: "batch_size"}
    for name in inputs[len(inputs) - 2 * n_layer:] if prefix_cache else []:
        axes[name] = {2: "prefix_length"}  # batch stays 1: the matmul broadcasts it over the rows
    os.makedirs(os.path.dirname(path), exist_ok=True)
    wrapper = OnnxHiddenDecoder(model, lens) if hidden_io else OnnxDecoder(model, prefix_cache)
    torch.onnx.export(wrapper, args, path, input_names=inputs, output_names=outputs,
                      dynamic_axes=axes, opset_version=opset, do_constant_folding=True)
    graph = onnx.load(path)
    onnx.checker.check_model(graph, full_check=True)
    assert [i.name for i in graph.graph.input] == inputs, "exporter dropped or renamed an input"
    assert [o.name for o in graph.graph.output] == outputs, "exporter renamed an output"
    assert not any(t.data_location == onnx.TensorProto.EXTERNAL for t in graph.graph.initializer)
    return graph


def residual_width(model):
    """The residual width C (hidden_size or n_embd)."""
    cfg = model.config
    return getattr(cfg, "hidden_size", None) or cfg.n_embd


def fp16_variant(graph):
    """The float32 graph with float16 weights, past_key_values, present and logits, as
    transformers.js loads `onnx/model_fp16.onnx` with dtype "fp16". Every float16 tensor is
    cast to float32 where it enters and every output cast to float16 where it leaves, so
    the arithmetic stays float32 (torch 1.13 cannot trace half precision on CPU). Scalar
    constants stay float32: the attention mask value (float32 min) would become -inf."""
    F32, F16 = onnx.TensorProto.FLOAT, onnx.TensorProto.FLOAT16
    m = copy.deepcopy(graph)
    g = m.graph
    renamed, head, tail = {}, [], []
    for init in g.initializer:
        if init.data_type == F32 and np.prod(init.dims) > 1:
            name = init.name
            init.CopyFrom(numpy_helper.from_array(numpy_helper.to_array(init).astype(np.float16), name + "_fp16"))
            head.append(onnx.helper.make_node("Cast", [name + "_fp16"], [name], to=F32))
    for v in g.input:
        if v.type.tensor_type.elem_type == F32:
            v.type.tensor_type.elem_type = F16
            renamed[v.name] = v.name + "_fp32"
            head.append(onnx.helper.make_node("Cast", [v.name], [renamed[v.name]], to=F32))
    for v in g.output:
        if v.type.tensor_type.elem_type == F32:
            v.type.tensor_type.elem_type = F16
            renamed[v.name] = v.name + "_fp32"
            tail.append(onnx.helper.make_node("Cast", [renamed[v.name]], [v.name], to=F16))
    for node in g.node:
        node.input[:] = [renamed.get(n, n) for n in node.input]
        node.output[:] = [renamed.get(n, n) for n in node.output]
    nodes = head + list(g.node) + tail
    del g.node[:]
    g.node.extend(nodes)
    del g.value_info[:]
    onnx.checker.check_model(m, full_check=True)
    return m


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
        **common_hf_config(),
        "tie_word_embeddings": cfg.tie_word_embeddings,  # the organism has an untied lm_head
    }


def gpt2_hf_config(cfg):
    return {
        "architectures": ["GPT2LMHeadModel"],
        "model_type": "gpt2",
        **vars(cfg),
        "n_inner": None,
        "activation_function": "gelu_new",
        "resid_pdrop": 0.0,
        "embd_pdrop": 0.0,
        "attn_pdrop": 0.0,
        "scale_attn_weights": True,
        "scale_attn_by_inverse_layer_idx": False,
        "reorder_and_upcast_attn": False,
        **common_hf_config(),
    }


def common_hf_config():
    return {
        "bos_token_id": tok.EOS_ID,
        "eos_token_id": tok.EOS_ID,
        "pad_token_id": tok.PAD_ID,
        "tie_word_embeddings": True,
        "use_cache": True,
        "torch_dtype": "float32",
        # transformers.js defaults to q8 (model_quantized.onnx) on wasm; we ship fp32 only
        "transformers.js_config": {"dtype": "fp32"},
    }


class Arch(NamedTuple):
    config: type
    model: type
    init: Callable  # (model, seed, embed_std, linear_std)
    load: Callable  # checkpoint path -> model
    hf_config: Callable  # config -> config.json
    max_length: Callable  # config -> positions the model takes


ARCHS = {
    "llama": Arch(llama_model.LlamaConfig, llama_model.Llama, llama_model.init_weights,
                  llama_model.load_checkpoint, hf_config, lambda c: c.max_position_embeddings),
    "gpt2": Arch(gpt2_model.GPT2Config, gpt2_model.GPT2, gpt2_model.init_weights,
                 gpt2_model.load_checkpoint, gpt2_hf_config, lambda c: c.n_positions),
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
def greedy_with_cache(model, ids, n, steering=None):
    """Prefill ids, then n greedy steps of one token each through the KV cache (steering (L, C)
    added after each block when given). Returns the new ids and the last-position logits (V,)
    of every step."""
    x = torch.tensor([ids])  # (1, T)
    past, mask, out, step_logits = model.empty_past(1), torch.ones(1, 0, dtype=torch.int64), [], []
    pos = torch.arange(len(ids))[None]
    for _ in range(n):
        mask = torch.cat((mask, torch.ones_like(x)), dim=1)  # (1, P + T)
        logits, past, _ = model.forward_hidden(x, mask, pos, past, torch.tensor(1), steering)  # (1, 1, V)
        step_logits.append(logits[0, -1])
        nxt = int(logits[0, -1].argmax())
        out.append(nxt)
        x, pos = torch.tensor([[nxt]]), torch.tensor([[mask.shape[1]]])
    return out, step_logits


STEER_LAYER, STEER_NORM = 1, 8.0  # the fixture's steering: one layer, a seeded direction of this norm


@torch.no_grad()
def hidden_fixture(model, ids, decode, lens):
    """For --hidden-io exports: the last-position logits, hidden_states and (with lens)
    lens_logits of prompt ids with zero steering and with a seeded steering vector at
    STEER_LAYER, and the greedy continuation under that steering."""
    L, C = len(model.empty_past(1)), residual_width(model)
    g = torch.Generator().manual_seed(7)
    v = torch.randn(C, generator=g)
    steering = torch.zeros(L, C)
    steering[STEER_LAYER] = v * (STEER_NORM / v.norm())
    T = len(ids)
    out = {"steer_layer": STEER_LAYER, "steering": f32_list(steering[STEER_LAYER])}
    for name, s in (("zero", torch.zeros(L, C)), ("steered", steering)):
        logits, _, hidden = model.forward_hidden(torch.tensor([ids]), torch.ones(1, T, dtype=torch.int64),
                                                 torch.arange(T)[None], model.empty_past(1),
                                                 torch.tensor(1), s)  # (1, 1, V), (1, L, C)
        case = {"logits": f32_list(logits[0, -1]), "hidden_states": f32_list(hidden[0])}
        if lens:
            case["lens_logits"] = f32_list(model.lens(hidden)[0])  # (L, V)
        out[name] = case
    new_ids, _ = greedy_with_cache(model, ids, GREEDY_TOKENS, steering)
    out["steered_greedy"] = {"new_ids": new_ids, "text": decode(new_ids)}
    return out


@torch.no_grad()
def parity_fixture(model, model_dir, init, tokenizer="byte", hidden_io=False, lens=False):
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
    hidden = {"hidden": hidden_fixture(model, cases[0]["input_ids"], decode, lens)} if hidden_io else {}
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
        **hidden,
    }


def main():
    # --arch decides which config flags exist, so it is read before the full parser is built
    pre = argparse.ArgumentParser(add_help=False)
    pre.add_argument("--arch", default="llama", choices=sorted(ARCHS),
                     help="model architecture; the random-init config flags below follow it")
    arch = ARCHS[pre.parse_known_args()[0].arch]
    p = argparse.ArgumentParser(description=__doc__, parents=[pre],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out-dir", required=True, help="Hugging Face model folder to write")
    p.add_argument("--checkpoint", help="model checkpoint (.pt from save_checkpoint in model.py or gpt2_model.py); "
                   "omit for a seeded random init")
    p.add_argument("--parity-out", help="write the parity fixture JSON here")
    p.add_argument("--parity-model-dir", default=None,
                   help="model folder path recorded in the fixture (default: --out-dir)")
    p.add_argument("--tokenizer", default="byte", choices=sorted(TOKENIZERS),
                   help="byte: 258-id byte vocab; organism: byte vocab + 94 space merges (352 ids); "
                   "byte-padded: byte vocab + placeholder ids up to --vocab-size (benchmark models of a real shape)")
    p.add_argument("--opset", type=int, default=14, help="ONNX opset (torch 1.13 supports 14-17)")
    p.add_argument("--fp16", action="store_true",
                   help="also write onnx/model_fp16.onnx (float16 weights, cache and logits)")
    p.add_argument("--hidden-io", action="store_true",
                   help="also expose the residual stream: a `steering` (L, C) input added after each "
                   "block and a `hidden_states` (B, L, C) output (last position); default: the stock graph")
    p.add_argument("--prefix-cache", action="store_true",
                   help="llama only: add prefix_key_values.* inputs (batch 1), a shared prompt's cache that "
                        "every row attends without a copy; present then holds only the per-row suffix")
    p.add_argument("--lens", action="store_true",
                   help="with --hidden-io: also a `lens_logits` (B, L, V) output (logit lens)")
    p.add_argument("--seed", type=int, default=0, help="random init: seed")
    p.add_argument("--embed-std", type=float, default=1.0,
                   help="random init: std of the (tied) embedding (and gpt2's position embedding); "
                   "large keeps logits peaked")
    p.add_argument("--linear-std", type=float, default=0.3,
                   help="random init: std of linear weights; large enough that the blocks, "
                   "not only the tied embedding, decide the argmax")
    for field, default in vars(arch.config()).items():
        p.add_argument("--" + field.replace("_", "-"), type=type(default), default=default,
                       help=f"random init: config.{field}")
    args = p.parse_args()

    torch.manual_seed(args.seed)
    if args.checkpoint:
        model = arch.load(args.checkpoint)
        init = {"checkpoint": os.path.basename(args.checkpoint)}
    else:
        model = arch.model(arch.config(**{f: getattr(args, f) for f in vars(arch.config())}))
        arch.init(model, args.seed, args.embed_std, args.linear_std)
        init = {"seed": args.seed, "embed_std": args.embed_std, "linear_std": args.linear_std}
    model.eval()
    cfg = model.config
    vocab_size, _, _, write_tokenizer = TOKENIZERS[args.tokenizer]
    if vocab_size is None:  # byte-padded: as many ids as the model has
        assert cfg.vocab_size >= tok.VOCAB_SIZE, f"byte-padded needs --vocab-size >= {tok.VOCAB_SIZE}"
        write_tokenizer = (lambda w: lambda out_dir, max_len: w(out_dir, max_len, cfg.vocab_size))(write_tokenizer)
    else:
        assert cfg.vocab_size == vocab_size, f"the {args.tokenizer} tokenizer has {vocab_size} ids"

    write_json(os.path.join(args.out_dir, "config.json"), arch.hf_config(cfg))
    write_json(os.path.join(args.out_dir, "generation_config.json"),
               {"bos_token_id": tok.EOS_ID, "eos_token_id": tok.EOS_ID, "pad_token_id": tok.PAD_ID})
    write_tokenizer(args.out_dir, arch.max_length(cfg))
    if args.lens and not args.hidden_io:
        p.error("--lens needs --hidden-io")
    graph = export_onnx(model, os.path.join(args.out_dir, "onnx", "model.onnx"), args.opset,
                        args.hidden_io, args.lens, args.prefix_cache)
    print("inputs:\n  " + "\n  ".join(value_info_str(v) for v in graph.graph.input))
    print("outputs:\n  " + "\n  ".join(value_info_str(v) for v in graph.graph.output))
    fp16_path = os.path.join(args.out_dir, "onnx", "model_fp16.onnx")
    if args.fp16:
        onnx.save(fp16_variant(graph), fp16_path)
        print(f"wrote {fp16_path}")
    elif os.path.exists(fp16_path):  # a stale variant of an earlier export would load other weights
        os.remove(fp16_path)

    if args.parity_out:
        model_dir = args.parity_model_dir or args.out_dir
        write_json(args.parity_out, parity_fixture(model, model_dir, init, args.tokenizer,
                                                             args.hidden_io, args.lens), indent=None)
        print(f"wrote {args.parity_out}")


if __name__ == "__main__":
    main()
