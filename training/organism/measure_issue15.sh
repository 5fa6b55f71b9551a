#!/bin/sh
# Measure issue #15's variants with the TypeScript CLI (the page's engine), then write the claims file and the data
# cards. Resumable: a results file that exists is not measured again.
#   ./training/organism/measure_issue15.sh
# Environment: OUT (training/runs/m15), SEED (1), LIMIT (items per arithmetic suite, 100), CARDS (1: end with
# claims15.json and the four data cards; 0: measure only).
#   claim 2: organism-v1, -careful, -concise on arith-id and arith-ood-{length,task,format}, greedy, 400 tokens
#   claim 3: organism-v1-amb and -amb-dpo on ambiguous (80 items) and ambiguous-control (160): greedy-plain, and two
#            ways to re-elicit the clarifying question: fewshot-direct (4 exemplars of the suite, which answer
#            trained ambiguous questions with a clarifying question) and cot-decoding (top-10 first tokens)
set -eu
cd "$(dirname "$0")/../.."
OUT=${OUT:-training/runs/m15}
SEED=${SEED:-1}
LIMIT=${LIMIT:-100}
M=training/organism/methods
mkdir -p "$OUT"

. training/organism/measure_lib.sh

for m in organism-v1-careful organism-v1-concise organism-v1; do
  for s in arith-id arith-ood-length arith-ood-task arith-ood-format; do
    job "$OUT/$m-$s.json" --model "coax/$m" --suite "$s" --limit "$LIMIT" --methods "$M/greedy-400.json"
  done
done
for m in organism-v1-amb organism-v1-amb-dpo; do
  job "$OUT/$m-ambiguous.json" --model "coax/$m" --suite ambiguous --methods greedy-plain,fewshot-direct,cot-decoding
  job "$OUT/$m-ambiguous-control.json" --model "coax/$m" --suite ambiguous-control --methods greedy-plain
done

[ "${CARDS:-1}" = 1 ] || exit 0
npx tsx tools/issue15-claims.ts --out "$OUT/claims15.json" $(ls "$OUT"/*.json | grep -v claims15.json) > "$OUT/claims15.md"
for v in careful concise amb amb-dpo; do
  /usr/bin/python3 training/organism/issue15_card.py --variant "$v" --run-dir "training/runs/$v" \
      --out-dir "public/models/coax/organism-v1-$v" --claims "$OUT/claims15.json"
done
cat "$OUT/claims15.md"
