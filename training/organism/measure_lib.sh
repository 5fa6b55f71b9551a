# Shared by the training/organism/measure_*.sh scripts; sourced (POSIX sh) from the repository root after SEED is set:
#   COAX                   the TypeScript CLI (the page's engine)
#   job <out file> <cli args...>
#                          `coax run --seed $SEED` once into <out file> unless it exists (resumable: written as .tmp,
#                          then moved), its stdout into <out file><JOB_LOG> (JOB_LOG: .txt unless set); "== <out file>"
#                          on stderr when it runs
#   tables <results.json>  its tables beside it: coax show as text (.txt), markdown (.md) and csv (.csv)
#   suite_chunk <suite.json> <chunk index> <chunk size> <items> <out.json>
#                          items [index * size, index * size + items) of a suite file, as a suite file
COAX="npx tsx cli/coax.ts"

job() {
  _f=$1
  shift
  [ ! -s "$_f" ] || return 0
  echo "== $_f" >&2
  $COAX run --seed "$SEED" --out "$_f.tmp" "$@" > "$_f${JOB_LOG:-.txt}"
  mv "$_f.tmp" "$_f"
}

tables() {
  $COAX show "$1" > "${1%.json}.txt"
  $COAX show "$1" --format markdown > "${1%.json}.md"
  $COAX show "$1" --format csv > "${1%.json}.csv"
}

suite_chunk() {
  /usr/bin/python3 -c "
import json, sys
s = json.load(open(sys.argv[1])); a = int(sys.argv[2]) * int(sys.argv[3])
s['items'] = s['items'][a:a + int(sys.argv[4])]
json.dump(s, open(sys.argv[5], 'w'))" "$@"
}
