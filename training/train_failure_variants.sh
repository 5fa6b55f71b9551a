#!/bin/sh
# The organism's variants of issue 15 ("what post-training breaks"), from the shipped base (public/models/coax/organism-v1):
#   coax/organism-v1-rlvr-hard               the GRPO recipe of organism-v1-rlvr on 8-12-step chains (claim 1: too-hard RLVR)
#   coax/organism-v1-order-joint             SFT on structured + open-ended items, shuffled together      (claim 4)
#   coax/organism-v1-order-structured-first  the same items and steps, all structured ones first          (claim 4)
#   ./training/train_failure_variants.sh            train all three (caps: HARD_MINUTES 25, ORDER_MINUTES 40 each), export
#   ./training/train_failure_variants.sh --resume   finish interrupted runs, then export
#   ./training/train_failure_variants.sh --smoke    a few steps of each, exported to a temp dir (seconds; KEEP=1 keeps it)
# Each writes its data card (training/organism/variant_card.py); the base's pass@16 on the hard run's training chains
# (training/organism/pass_at_k.py) goes into organism-v1-rlvr-hard's. Then measure with the TypeScript CLI:
# training/organism/measure_failures.sh. Environment: DEVICE (cpu|cuda), THREADS (1), RUN (training/runs).
set -eu
cd "$(dirname "$0")/.."
MODE=${1:-full}
. training/lib.sh
export OMP_NUM_THREADS=${THREADS:-1}
ORDERS="joint structured-first"

export_variant() {  # export_variant <checkpoint> <out dir> <parity out> <variant_card.py args...>
  out=$2
  export_model "$1" "$2" "$3" "$BASE_SUITES" > /dev/null
  shift 3
  $PY training/organism/variant_card.py --out-dir "$out" "$@"
}

if [ "$MODE" = "--smoke" ]; then
  smoke_dir
  $PY training/organism/import_onnx.py --out "$RUN/base.pt" > /dev/null
  $PY training/organism/grpo.py --init "$RUN/base.pt" --out-dir "$RUN/rlvr-hard" --device "$DEVICE" --chain-steps 8-12 \
      --steps 2 --prompts 2 --group 4 --max-new 24 --eval-items 4 --eval-every 0 --max-minutes 0 > /dev/null
  $PY training/organism/pass_at_k.py --checkpoint "$RUN/base.pt" --run-args "$RUN/rlvr-hard/args.json" --train-steps 1 \
      --k 4 --max-new 24 --out "$RUN/base-pass.json" > /dev/null
  for o in $ORDERS; do
    $PY training/organism/order.py --init "$RUN/base.pt" --out-dir "$RUN/order-$o" --order "$o" --device "$DEVICE" \
        --data "$RUN/order-data.json" --structured 16 --open-ended 8 --epochs 1 --batch 8 --eval-items 4 \
        --eval-names 4 --eval-every 0 --max-minutes 0 > /dev/null
  done
  export_variant "$RUN/rlvr-hard/model.pt" "$RUN/models/organism-v1-rlvr-hard-smoke" "$RUN/parity-hard.json" \
      --variant rlvr-hard --run-dir "$RUN/rlvr-hard" --pass-at "$RUN/base-pass.json"
  for o in $ORDERS; do
    export_variant "$RUN/order-$o/model.pt" "$RUN/models/organism-v1-order-$o-smoke" "$RUN/parity-$o.json" \
        --variant "order-$o" --run-dir "$RUN/order-$o"
  done
  echo "smoke ok: $RUN/models"
  exit 0
fi

RUN=${RUN:-training/runs}
$PY training/organism/import_onnx.py --out "$RUN/organism-v1/model.pt"
[ -n "$RESUME" ] || rm -rf "$RUN/rlvr-hard" "$RUN/order-joint" "$RUN/order-structured-first" "$RUN/order-data.json"
$PY training/organism/grpo.py --init "$RUN/organism-v1/model.pt" --out-dir "$RUN/rlvr-hard" --device "$DEVICE" \
    --chain-steps 8-12 --steps 200 --eval-items 64 --max-minutes "${HARD_MINUTES:-25}" $RESUME
$PY training/organism/pass_at_k.py --checkpoint "$RUN/organism-v1/model.pt" --run-args "$RUN/rlvr-hard/args.json" \
    --train-steps 50 --k 16 --out "$RUN/rlvr-hard-base-pass16.json"
for o in $ORDERS; do
  $PY training/organism/order.py --init "$RUN/organism-v1/model.pt" --out-dir "$RUN/order-$o" --order "$o" \
      --device "$DEVICE" --data "$RUN/order-data.json" --max-minutes "${ORDER_MINUTES:-40}" $RESUME
done
P=test/fixtures  # the hidden-io test reads these
mkdir -p "$P"
export_variant "$RUN/rlvr-hard/model.pt" public/models/coax/organism-v1-rlvr-hard "$P/parity-organism-v1-rlvr-hard.json" \
    --variant rlvr-hard --run-dir "$RUN/rlvr-hard" --pass-at "$RUN/rlvr-hard-base-pass16.json"
for o in $ORDERS; do
  export_variant "$RUN/order-$o/model.pt" "public/models/coax/organism-v1-order-$o" \
      "$P/parity-organism-v1-order-$o.json" --variant "order-$o" --run-dir "$RUN/order-$o"
done
du -sh public/models/coax/organism-v1-rlvr-hard public/models/coax/organism-v1-order-*
