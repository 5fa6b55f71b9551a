#!/bin/sh
# Regenerate the organism from its seed: corpus -> train -> export -> suites -> data card -> measured table.
# The measured table comes from the TypeScript CLI (the one evaluator, the page's core): it runs the exported
# model and writes a results file, and `coax card` writes its numbers into data_card.json and DATA_CARD.md.
#   ./training/train_organism.sh              full run (writes public/models/coax/organism-v1/; the table
#                                             is npm run organism:table, about 20 more minutes)
#   ./training/train_organism.sh --smoke      a few steps, exported to a temp dir, measured on 2 items per suite
#                                             (KEEP=1 keeps the temp dir; it holds results.json)
#   ./training/train_organism.sh --resume     continue an interrupted full run, then finish it
# Environment: SEED (1234), MCHARS (corpus size, millions of characters, 24), MINUTES (training
# time cap, 87), EXTRA_NOTE (a line for the data card), THREADS (1: with another job on the 2 cores, 2 threads ran slower), DEVICE (cpu|cuda), RUN (training/runs/organism).
set -eu
cd "$(dirname "$0")/.."
MODE=${1:-full}
. training/lib.sh
COAX="node --import tsx cli/coax.ts"
SEED=${SEED:-1234}

if [ "$MODE" = "--smoke" ]; then
  smoke_dir
  OUT=$RUN/organism-smoke
  export OMP_NUM_THREADS=1
  $PY training/organism/corpus.py --out-dir "$RUN/data" --seed "$SEED" --mchars 0.2
  $PY training/organism/train.py --data-dir "$RUN/data" --out-dir "$RUN/train" --device "$DEVICE" \
      --block 128 --batch 4 --max-steps 6 --warmup 2 --log-every 2
  export_model "$RUN/train/model.pt" "$OUT" "$RUN/parity.json" "$RUN/data/suites" > /dev/null
  $PY training/organism/datacard.py --data-dir "$RUN/data" --run-dir "$RUN/train" --out-dir "$OUT" --seed "$SEED"
  $COAX run --model "$(basename "$OUT")" --models-dir "$RUN" --suite arith-id,facts-head,open-ended \
      --methods greedy-plain,cot-decoding --limit 2 --seed 1 --out "$RUN/results.json" > "$RUN/coax.log" 2>&1 \
      || { cat "$RUN/coax.log"; exit 1; }
  $COAX card "$RUN/results.json" --model-dir "$OUT"
  $PY -c "import json,sys; json.load(open(sys.argv[1]))" "$OUT/config.json"
  echo "smoke ok: $OUT"
  exit 0
fi

RUN=${RUN:-training/runs/organism}
OUT=public/models/coax/organism-v1
export OMP_NUM_THREADS=${THREADS:-1}
if [ "$MODE" != "--resume" ]; then
  rm -rf "$RUN/train"
  $PY training/organism/corpus.py --out-dir "$RUN/data" --seed "$SEED" --mchars "${MCHARS:-24}"
fi
$PY training/organism/train.py --data-dir "$RUN/data" --out-dir "$RUN/train" --device "$DEVICE" \
    --max-minutes "${MINUTES:-87}" --resume
export_model "$RUN/train/model.pt" "$OUT" test/fixtures/parity-organism-v1.json "$RUN/data/suites"
$PY training/organism/tokenizer_cases.py --out test/fixtures/organism-tokenizer-cases.json
$PY training/organism/datacard.py --data-dir "$RUN/data" --run-dir "$RUN/train" \
    --out-dir "$OUT" --seed "$SEED" --hardware "${HARDWARE:-2 shared CPU cores, PyTorch 1.13 CPU (OpenBLAS), $OMP_NUM_THREADS threads}" \
    --note "The lm_head is untied: a first run with a tied head (stopped at step 1,300, 5M tokens) still predicted digits inside chains at chance, because their input embeddings had collapsed (mean pairwise cosine 0.77; 0.93 for the space-digit tokens)." \
    ${EXTRA_NOTE:+--note "$EXTRA_NOTE"}
npm run --silent organism:table   # organism-results.json: every suite x the README's methods, seed 1
npm run --silent organism:card    # its numbers into data_card.json and DATA_CARD.md
du -sh "$OUT"
