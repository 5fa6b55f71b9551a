# Shared by the training/train_*.sh scripts; sourced (POSIX sh) from the repository root after MODE is set (the
# script's first argument: full, --smoke or --resume):
#   PY, DEVICE (cpu|cuda), RESUME (--resume in --resume mode, else empty), BASE_SUITES (the shipped base's suites)
#   smoke_dir        RUN=a new temp dir, removed at exit unless KEEP is set
#   export_model <checkpoint> <out dir> <parity out> <suites dir>...
#                    the organism-tokenizer export with hidden I/O, lens and parity fixture (export.py), then every
#                    suites dir's JSON files into <out dir>/suites
PY=/usr/bin/python3
DEVICE=${DEVICE:-cpu}
RESUME=""
[ "$MODE" != "--resume" ] || RESUME=--resume
BASE_SUITES=public/models/coax/organism-v1/suites

smoke_dir() {
  RUN=$(mktemp -d)
  [ -n "${KEEP:-}" ] || trap 'rm -rf "$RUN"' EXIT  # KEEP=1 keeps the temp dir for inspection
}

export_model() {  # sets _out, _suites (sh has no local variables)
  _out=$2
  $PY training/export.py --checkpoint "$1" --tokenizer organism --out-dir "$2" --hidden-io --lens --parity-out "$3"
  shift 3
  mkdir -p "$_out/suites"
  for _suites in "$@"; do cp "$_suites"/*.json "$_out/suites/"; done
}
