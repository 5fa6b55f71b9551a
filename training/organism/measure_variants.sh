#!/bin/sh
# Measure organism-v1 and its variants with the TypeScript CLI (the page's engine), then write the variants'
# data cards from the results. Resumable: a results file that exists is not measured again, so an
# interrupted run continues where it stopped; jobs run in priority order (the cheap tables first, then the
# pass@k samples in chunks of CHUNK items, each chunk on every model before the next, then the costly methods).
# pass@k samples 256 paths per item at T = 1 with 200 new tokens (methods/pass-at-k.json): a worked trace of a
# 10-step chain is 121-163 tokens, so a smaller budget would cut every trace of arith-ood-length.
#   ./training/organism/measure_variants.sh
# Environment: OUT (training/runs/measure), SEED (1), LIMIT (items per suite for the tables, 250),
# PASS_ITEMS_ID and PASS_ITEMS_OOD (items of arith-id and arith-ood-length with 256 samples each, 30 and 5: what
# fit this session's CPU), CHUNK (items per pass@k run, 10), MODELS (the three),
# PASS_SKIP (pass@k runs left out: model:suite, or model:suite:chunk; default the distilled model's arith-id),
# VARIANT_METHODS (1: also trigger and CoT-decoding on the variants' 250 items, costly; default 0),
# CARDS (1: end with claims.json, the comparisons and the variants' data cards; 0: measure only),
# MEASURED (training/organism/measured: committed per-item summaries of the pass@k chunks, tools/pass-summary.ts).
# The chunk files are megabytes and stay outside git; each finished chunk's summary is written to MEASURED, and a
# chunk whose summary is there is not measured again, so a later session or machine continues from the commit.
set -eu
cd "$(dirname "$0")/../.."
OUT=${OUT:-training/runs/measure}
SEED=${SEED:-1}
LIMIT=${LIMIT:-250}
PASS_ITEMS_ID=${PASS_ITEMS_ID:-30}
PASS_ITEMS_OOD=${PASS_ITEMS_OOD:-5}
PASS_ITEMS=$((PASS_ITEMS_ID > PASS_ITEMS_OOD ? PASS_ITEMS_ID : PASS_ITEMS_OOD))
CHUNK=${CHUNK:-10}
PASS_SKIP=${PASS_SKIP:-organism-v1-distill:arith-id}
MODELS=${MODELS:-coax/organism-v1 coax/organism-v1-rlvr coax/organism-v1-distill}
SUITES="arith-id arith-ood-length"
PASS_SUITES="arith-ood-length arith-id"
M=training/organism/methods
MEASURED=${MEASURED:-training/organism/measured}
mkdir -p "$OUT/chunks" "$MEASURED"

. training/organism/measure_lib.sh

tag() { basename "$1"; }

for m in $MODELS; do
  for s in $SUITES; do
    job "$OUT/$(tag "$m")-$s-greedy.json" --model "$m" --suite "$s" --limit "$LIMIT" --methods greedy-plain
    job "$OUT/$(tag "$m")-$s-greedy-long.json" --model "$m" --suite "$s" --limit "$LIMIT" --methods "$M/greedy-long.json"
  done
done
for m in $MODELS; do
  [ "$m" = coax/organism-v1 ] || continue
  for s in $SUITES; do
    job "$OUT/$(tag "$m")-$s-trigger-cotdec.json" --model "$m" --suite "$s" --limit "$LIMIT" --methods trigger,cot-decoding
  done
done
c=0
while [ $((c * CHUNK)) -lt "$PASS_ITEMS" ]; do
  for s in $PASS_SUITES; do
    items=$PASS_ITEMS_ID
    [ "$s" = arith-ood-length ] && items=$PASS_ITEMS_OOD
    [ $((c * CHUNK)) -lt "$items" ] || continue
    n=$((items - c * CHUNK < CHUNK ? items - c * CHUNK : CHUNK))
    chunk="$OUT/chunks/$s-$c-$n.json"
    [ -s "$chunk" ] || suite_chunk "public/models/coax/organism-v1/suites/$s.json" "$c" "$CHUNK" "$n" "$chunk"
    for m in $MODELS; do
      case " $PASS_SKIP " in *" $(tag "$m"):$s "* | *" $(tag "$m"):$s:$c "*) continue ;; esac
      f="$OUT/$(tag "$m")-$s-pass-$c.json"
      [ -s "$MEASURED/$(tag "$m")-$s-pass-$c.summary.json" ] && continue
      job "$f" --model "$m" --suite "$chunk" --methods "$M/pass-at-k.json" --path-tokens none
      npx tsx tools/pass-summary.ts "$MEASURED" "$f"
    done
  done
  c=$((c + 1))
done
for m in $MODELS; do
  [ "$m" = coax/organism-v1 ] || [ "${VARIANT_METHODS:-0}" = 0 ] && continue
  for s in $SUITES; do
    job "$OUT/$(tag "$m")-$s-trigger-cotdec.json" --model "$m" --suite "$s" --limit "$LIMIT" --methods trigger,cot-decoding
  done
done

[ "${CARDS:-1}" = 1 ] || exit 0
# coax compare over the pass@k chunks' summaries, both criteria: per suite, the chunks every listed model ran (a
# summary holds what compare needs, and a chunk measured in another session has no full file here).
compare() {  # compare <suite> <out.md> <model tags...>
  s=$1; md=$2; shift 2
  files=""
  c=0
  while [ $((c * CHUNK)) -lt "$PASS_ITEMS" ]; do
    all=1
    for t in "$@"; do [ -s "$MEASURED/$t-$s-pass-$c.summary.json" ] || all=0; done
    [ $all = 1 ] && for t in "$@"; do files="$files,$MEASURED/$t-$s-pass-$c.summary.json"; done
    c=$((c + 1))
  done
  if [ -n "$files" ]; then npx tsx cli/coax.ts compare "${files#,}" --criterion both > "$md"; fi
}
compare arith-id "$OUT/compare-arith-id.md" organism-v1 organism-v1-rlvr
compare arith-ood-length "$OUT/compare-arith-ood-length.md" organism-v1 organism-v1-rlvr
compare arith-ood-length "$OUT/compare-arith-ood-length-3.md" organism-v1 organism-v1-rlvr organism-v1-distill
# The pass@k chunks from their summaries (a chunk measured in another session has no full file here).
npx tsx tools/variant-claims.ts --out "$OUT/claims.json" $(ls "$OUT"/*.json | grep -v -e claims.json -e -pass-) \
    "$MEASURED"/*-pass-*.summary.json
for v in rlvr distill; do
  # Without its training run here (a fresh clone), the shipped card keeps its training section.
  run=""
  [ -f "training/runs/$v/args.json" ] && run="--run-dir training/runs/$v"
  /usr/bin/python3 training/organism/variant_card.py --variant "$v" $run \
      --out-dir "public/models/coax/organism-v1-$v" --claims "$OUT/claims.json"
done
