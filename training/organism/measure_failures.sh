#!/bin/sh
# Measure issue 15's variants with the TypeScript CLI (the page's engine): claims 1 and 4, every number from a results
# file. Resumable: a results file that exists is not measured again.
#   ./training/organism/measure_failures.sh
# Environment: OUT (training/runs/measure-failures), SEED (1), LIMIT (arithmetic items per suite, 100),
# OPEN_LIMIT (open-ended items, 240).
#   claim1.json        organism-v1, -rlvr, -rlvr-hard x the four arithmetic suites x greedy-plain, trigger
#   claim1-greedy250   organism-v1, -rlvr-hard x the same suites, 250 items, greedy-plain
#   claim4-arith.json  organism-v1, -order-joint, -order-structured-first x arith-id x greedy-plain, trigger
#   claim4b-arith      the two orders alone (McNemar of structured-first against joint)
#   claim4-open.json   the three models x open-ended x greedy and one sample at temperature 1 (96 tokens each)
# Each gets its tables (coax show: table and markdown with the metric registry's columns) beside it.
set -eu
cd "$(dirname "$0")/../.."
OUT=${OUT:-training/runs/measure-failures}
SEED=${SEED:-1}
LIMIT=${LIMIT:-100}
OPEN_LIMIT=${OPEN_LIMIT:-240}
mkdir -p "$OUT"
. training/organism/measure_lib.sh
JOB_LOG=.run.txt  # the .txt beside a results file is its table

measure() {  # measure <name> <cli args...>: job "$OUT/<name>.json" (once), then its tables
  f=$OUT/$1.json
  shift
  job "$f" "$@"
  tables "$f"
}

measure claim1 --model coax/organism-v1,coax/organism-v1-rlvr,coax/organism-v1-rlvr-hard \
    --suite arith-id,arith-ood-length,arith-ood-format,arith-ood-task --limit "$LIMIT" --methods greedy-plain,trigger
measure claim1-greedy250 --model coax/organism-v1,coax/organism-v1-rlvr-hard \
    --suite arith-id,arith-ood-length,arith-ood-format,arith-ood-task --limit 250 --methods greedy-plain
ORDER=coax/organism-v1,coax/organism-v1-order-joint,coax/organism-v1-order-structured-first
measure claim4-arith --model "$ORDER" --suite arith-id --limit "$LIMIT" --methods greedy-plain,trigger
measure claim4b-arith --model coax/organism-v1-order-joint,coax/organism-v1-order-structured-first --suite arith-id \
    --limit "$LIMIT" --methods greedy-plain,trigger
measure claim4-open --model "$ORDER" --suite open-ended --limit "$OPEN_LIMIT" \
    --methods training/organism/methods/sample-1.json
