#!/usr/bin/env bash
# The model-vs-model measurement of issue 14 (README, "Post-training selects"): the base organism beside its GRPO
# variant on arith-id, every number from the CLI. OUT (default measure/) receives the results files and the tables.
#   bash training/organism/measure_models.sh            # 250 items, n = 256 samples per item
#   LIMIT=20 N=16 bash training/organism/measure_models.sh   # a quick look
#   SAMPLE_LIMIT=100 N=64 …   # the sampling run on fewer items (what fit in this session: see the README)
set -euo pipefail
OUT=${OUT:-measure}
LIMIT=${LIMIT:-250}
SAMPLE_LIMIT=${SAMPLE_LIMIT:-$LIMIT}
N=${N:-256}
MODELS=coax/organism-v1,coax/organism-v1-rlvr
mkdir -p "$OUT"
sed "s/\"n\": 256/\"n\": $N/; s/n = 256/n = $N/; s/sample-256/sample-$N/" training/organism/methods/sample-256.json >"$OUT/sample.json"
# The greedy methods once (a results file already there is kept: delete it to measure again).
[ -f "$OUT/greedy.json" ] || npx tsx cli/coax.ts run --model "$MODELS" --suite arith-id --limit "$LIMIT" --seed 1 \
  --methods greedy-plain,trigger,cot-decoding,fewshot-worked --out "$OUT/greedy.json" | tee "$OUT/greedy.txt"
npx tsx cli/coax.ts compare "$OUT/greedy.json" | tee "$OUT/greedy-compare.md"
npx tsx cli/coax.ts run --model "$MODELS" --suite arith-id --limit "$SAMPLE_LIMIT" --seed 1 --batch 8 \
  --methods "$OUT/sample.json" --path-tokens none --out "$OUT/sample-results.json" | tee "$OUT/sample.txt"
npx tsx cli/coax.ts compare "$OUT/sample-results.json" | tee "$OUT/sample-compare.md"
