#!/bin/sh
# Regenerate the committed fixture models and their parity fixtures (deterministic: seed 0).
#   public/models/coax/fixture-tiny/       Llama, Hugging Face folder with onnx/model.onnx
#   test/fixtures/parity-fixture-tiny.json PyTorch logits and greedy continuation
#   public/models/coax/fixture-gpt2/       GPT-2, onnx/model.onnx and onnx/model_fp16.onnx
#   test/fixtures/parity-fixture-gpt2.json
#   public/models/coax/fixture-gqa/        Llama with grouped-query attention (4 query heads over 2 key/value
#   test/fixtures/parity-fixture-gqa.json  heads, as SmolLM2 and Qwen2), onnx/model.onnx
set -eu
cd "$(dirname "$0")/.."
OMP_NUM_THREADS=1 /usr/bin/python3 training/export.py \
  --out-dir public/models/coax/fixture-tiny \
  --parity-out test/fixtures/parity-fixture-tiny.json \
  --seed 0 --embed-std 1.0 --linear-std 0.3 \
  --hidden-size 64 --num-hidden-layers 2 --num-attention-heads 4 --num-key-value-heads 4 \
  --intermediate-size 176 --vocab-size 258 --max-position-embeddings 512
OMP_NUM_THREADS=1 /usr/bin/python3 training/export.py --arch gpt2 --fp16 \
  --out-dir public/models/coax/fixture-gpt2 \
  --parity-out test/fixtures/parity-fixture-gpt2.json \
  --seed 0 --embed-std 1.0 --linear-std 0.3 \
  --n-embd 64 --n-layer 2 --n-head 4 --n-positions 512 --vocab-size 258
OMP_NUM_THREADS=1 /usr/bin/python3 training/export.py \
  --out-dir public/models/coax/fixture-gqa \
  --parity-out test/fixtures/parity-fixture-gqa.json \
  --seed 0 --embed-std 1.0 --linear-std 0.3 \
  --hidden-size 64 --num-hidden-layers 2 --num-attention-heads 4 --num-key-value-heads 2 \
  --intermediate-size 176 --vocab-size 258 --max-position-embeddings 512
# the same GQA weights with shared-prefix inputs (export.py --prefix-cache) beside the stock graph, as
# onnx/model_prefix.onnx (test/integration/prefix-cache.test.ts compares the two in onnxruntime-node)
tmp=$(mktemp -d)
OMP_NUM_THREADS=1 /usr/bin/python3 training/export.py --prefix-cache --out-dir "$tmp" \
  --seed 0 --embed-std 1.0 --linear-std 0.3 \
  --hidden-size 64 --num-hidden-layers 2 --num-attention-heads 4 --num-key-value-heads 2 \
  --intermediate-size 176 --vocab-size 258 --max-position-embeddings 512
cp "$tmp/onnx/model.onnx" public/models/coax/fixture-gqa/onnx/model_prefix.onnx
rm -r "$tmp"
