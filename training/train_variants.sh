#!/bin/sh
# The organism's two post-trained variants, from the shipped base (public/models/coax/organism-v1):
#   import the base from its ONNX graph -> GRPO (coax/organism-v1-rlvr) and teacher SFT (coax/organism-v1-distill)
#   -> export each with its parity fixture and the base's suites.
#   ./training/train_variants.sh              both variants (each <= 40 min of training time here)
#   ./training/train_variants.sh --resume     finish interrupted runs, then export
#   ./training/train_variants.sh --smoke      a few steps of each, exported to a temp dir (seconds; KEEP=1 keeps it)
# Then measure with the TypeScript CLI and write the data cards: training/organism/measure_variants.sh.
# Environment: DEVICE (cpu|cuda), THREADS (1), RUN (training/runs), RLVR_STEPS (200), DISTILL_STEPS (1500),
# MINUTES (training time cap per variant, 40; 0 = none), VARIANTS (which to train and export, "rlvr distill").
# The shipped distill variant is `VARIANTS=distill MINUTES=30 ./training/train_variants.sh` (320 steps in 30 min here).
set -eu
cd "$(dirname "$0")/.."
MODE=${1:-full}
. training/lib.sh
export OMP_NUM_THREADS=${THREADS:-1}

if [ "$MODE" = "--smoke" ]; then
  smoke_dir
  $PY training/organism/import_onnx.py --out "$RUN/base.pt"
  $PY training/organism/grpo.py --init "$RUN/base.pt" --out-dir "$RUN/rlvr" --device "$DEVICE" --steps 2 \
      --prompts 2 --group 4 --max-new 24 --eval-items 4 --eval-every 0 --max-minutes 0 > /dev/null
  $PY training/organism/distill.py --init "$RUN/base.pt" --out-dir "$RUN/distill" --device "$DEVICE" \
      --items 40 --steps 2 --block 128 --batch 2 --eval-items 2 --eval-every 0 --eval-max-new 16 \
      --max-minutes 0 > /dev/null
  for v in rlvr distill; do
    OUT=$RUN/models/organism-v1-$v-smoke
    export_model "$RUN/$v/model.pt" "$OUT" "$RUN/parity-$v.json" "$BASE_SUITES" > /dev/null
    $PY training/organism/variant_card.py --variant "$v" --run-dir "$RUN/$v" --out-dir "$OUT"
  done
  echo "smoke ok: $RUN/models"
  exit 0
fi

RUN=${RUN:-training/runs}
$PY training/organism/import_onnx.py --out "$RUN/organism-v1/model.pt"
VARIANTS=${VARIANTS:-rlvr distill}
for v in $VARIANTS; do
  [ -n "$RESUME" ] || rm -rf "${RUN:?}/$v"
done
case " $VARIANTS " in *" rlvr "*)
  $PY training/organism/grpo.py --init "$RUN/organism-v1/model.pt" --out-dir "$RUN/rlvr" --device "$DEVICE" \
      --steps "${RLVR_STEPS:-200}" --max-minutes "${MINUTES:-40}" $RESUME ;;
esac
case " $VARIANTS " in *" distill "*)
  $PY training/organism/distill.py --init "$RUN/organism-v1/model.pt" --out-dir "$RUN/distill" --device "$DEVICE" \
      --steps "${DISTILL_STEPS:-1500}" --max-minutes "${MINUTES:-40}" $RESUME ;;
esac
for v in $VARIANTS; do
  OUT=public/models/coax/organism-v1-$v
  export_model "$RUN/$v/model.pt" "$OUT" "test/fixtures/parity-organism-v1-$v.json" "$BASE_SUITES"
  $PY training/organism/variant_card.py --variant "$v" --run-dir "$RUN/$v" --out-dir "$OUT"
done
for v in $VARIANTS; do du -sh "public/models/coax/organism-v1-$v"; done
