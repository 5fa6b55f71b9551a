#!/bin/sh
# Issue #15's variants (claims 2 and 3), from the shipped base (public/models/coax/organism-v1):
#   claim 2: organism-v1-careful and organism-v1-concise, SFT on the same chains from two teachers (teacher_context.py)
#   claim 3: organism-v1-amb, continued pre-training with ambiguous first names (ambiguous.py), then
#            organism-v1-amb-dpo, DPO against clarifying questions (dpo.py)
#   -> export each (hidden I/O and lens, parity fixture), the base's suites (+ ambiguous ones for claim 3), data card.
#   ./training/train_issue15.sh            all four (time caps: 30, 30, 44 and 8 min of run time)
#   ./training/train_issue15.sh --resume   finish interrupted runs, then export
#   ./training/train_issue15.sh --smoke    a few steps of each, exported to a temp dir (seconds; KEEP=1 keeps it)
# Then measure with the TypeScript CLI and write the cards: training/organism/measure_issue15.sh.
# Environment: DEVICE (cpu|cuda), THREADS (1), RUN (training/runs).
set -eu
cd "$(dirname "$0")/.."
MODE=${1:-full}
. training/lib.sh
export OMP_NUM_THREADS=${THREADS:-1}
O=training/organism

export_variant() {  # export_variant <checkpoint> <out dir> <parity out> <extra suites dir or "">
  export_model "$1" "$2" "$3" "$BASE_SUITES" ${4:+"$4"} > /dev/null
}

if [ "$MODE" = "--smoke" ]; then
  smoke_dir
  $PY $O/import_onnx.py --out "$RUN/base.pt" > /dev/null
  for t in careful concise; do
    $PY $O/teacher_context.py --teacher $t --init "$RUN/base.pt" --out-dir "$RUN/$t" --device "$DEVICE" --smoke > /dev/null
  done
  $PY $O/ambiguous.py --init "$RUN/base.pt" --out-dir "$RUN/amb" --suites-out "$RUN/amb/suites" --device "$DEVICE" --smoke > /dev/null
  $PY $O/dpo.py --init "$RUN/amb/model.pt" --out-dir "$RUN/amb-dpo" --suites "$RUN/amb/suites" --device "$DEVICE" --smoke > /dev/null
  for v in careful concise amb amb-dpo; do
    extra=""; case $v in amb*) extra="$RUN/amb/suites";; esac
    export_variant "$RUN/$v/model.pt" "$RUN/models/organism-v1-$v" "$RUN/parity-$v.json" "$extra"
    $PY $O/issue15_card.py --variant $v --run-dir "$RUN/$v" --out-dir "$RUN/models/organism-v1-$v"
  done
  echo "smoke ok: $RUN/models"
  exit 0
fi

RUN=${RUN:-training/runs}
$PY $O/import_onnx.py --out "$RUN/organism-v1/model.pt"
[ -n "$RESUME" ] || rm -rf "$RUN/careful" "$RUN/concise" "$RUN/amb" "$RUN/amb-dpo"
for t in concise careful; do
  [ -s "$RUN/$t/model.pt" ] || $PY $O/teacher_context.py --teacher $t --init "$RUN/organism-v1/model.pt" \
      --out-dir "$RUN/$t" --device "$DEVICE" --max-minutes 30 $RESUME
done
[ -s "$RUN/amb/model.pt" ] || $PY $O/ambiguous.py --init "$RUN/organism-v1/model.pt" --out-dir "$RUN/amb" \
    --suites-out "$RUN/amb/suites" --device "$DEVICE" --max-minutes 44 $RESUME
[ -s "$RUN/amb-dpo/model.pt" ] || $PY $O/dpo.py --init "$RUN/amb/model.pt" --out-dir "$RUN/amb-dpo" \
    --suites "$RUN/amb/suites" --device "$DEVICE" --max-minutes 8
for v in careful concise amb amb-dpo; do
  extra=""; case $v in amb*) extra="$RUN/amb/suites";; esac
  export_variant "$RUN/$v/model.pt" "public/models/coax/organism-v1-$v" "test/fixtures/parity-organism-v1-$v.json" "$extra"
  $PY $O/issue15_card.py --variant $v --run-dir "$RUN/$v" --out-dir "public/models/coax/organism-v1-$v"
done
du -sh public/models/coax/organism-v1-careful public/models/coax/organism-v1-concise \
    public/models/coax/organism-v1-amb public/models/coax/organism-v1-amb-dpo
