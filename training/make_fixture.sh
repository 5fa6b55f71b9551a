#!/bin/sh
# Regenerate the committed fixture model and its parity fixture (deterministic: seed 0).
#   public/models/coax/fixture-tiny/      Hugging Face folder with onnx/model.onnx
#   test/fixtures/parity-fixture-tiny.json PyTorch logits and greedy continuation
set -eu
cd "$(dirname "$0")/.."
OMP_NUM_THREADS=1 /usr/bin/python3 training/export.py \
  --out-dir public/models/coax/fixture-tiny \
  --parity-out test/fixtures/parity-fixture-tiny.json \
  --seed 0 --embed-std 1.0 --linear-std 0.3 \
  --hidden-size 64 --num-hidden-layers 2 --num-attention-heads 4 --num-key-value-heads 4 \
  --intermediate-size 176 --vocab-size 258 --max-position-embeddings 512
