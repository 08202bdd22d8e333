#!/usr/bin/env bash
# Wide tables and many-level columns (issue 14): fits each table with the defaults and
# prints the wall time, the CPU time (user + sys) and the peak RSS of `meg fit`
# (/usr/bin/time -v), the model file's size, the units fitted and, for the hospital
# table, `meg sample -n 100000` (including the load). Tables:
#   spambase   data/spambase.csv (4,601 x 58)
#   house_16h  data/house_16h.csv (22,784 x 17)
#   hospital   bench/gen_tables.py hospital: 100k x 48, three 700-level Zipf codes
#   wide1000   bench/gen_tables.py wide: 5,000 rows x 1,000 columns
#   wide2000   bench/gen_tables.py wide --cols 2000 --rows 50: also the time the guard
#              takes to answer (refusing with --option max_model_mb=1)
#
#   bench/wide.sh                       # every table
#   TABLES="spambase hospital" bench/wide.sh
#   MEG=build/meg THREADS=2 WORK=/tmp/meg-wide bench/wide.sh
#
# Generated tables are kept in $WORK between runs. The machine may be shared: compare
# CPU time as well as wall time.
set -euo pipefail
cd "$(dirname "$0")/.."
MEG=${MEG:-build/meg}
THREADS=${THREADS:-2}
WORK=${WORK:-/tmp/meg-wide}
TABLES=${TABLES:-"spambase house_16h hospital wide1000 wide2000"}
PY=${PY:-/usr/bin/python3}
case "${1:-}" in -h | --help) sed -n '2,19p' "$0"; exit 0 ;; "") ;;
  *) echo "bench/wide.sh: unknown argument '$1'" >&2; exit 2 ;; esac
[ -x "$MEG" ] || { echo "bench/wide.sh: $MEG not found; build it first" >&2; exit 2; }
mkdir -p "$WORK"

# Runs a command under /usr/bin/time -v; prints "wall_s cpu_s max_rss_mb" (any exit).
timed() {
  local out="$WORK/time.txt"
  /usr/bin/time -v "$@" 2>"$out" >/dev/null || true
  awk -F': ' '
    /Elapsed \(wall clock\)/ { n = split($2, t, ":"); w = 0; for (i = 1; i <= n; i++) w = w * 60 + t[i] }
    /User time/ { u = $2 } /System time/ { s = $2 } /Maximum resident/ { r = $2 }
    END { printf "%.2f %.2f %.0f\n", w, u + s, r / 1024 }' "$out"
}

table_path() {
  case "$1" in
    spambase | house_16h) echo "data/$1.csv" ;;
    hospital) [ -f "$WORK/hospital.csv" ] || "$PY" bench/gen_tables.py hospital "$WORK/hospital.csv" >&2
      echo "$WORK/hospital.csv" ;;
    wide1000) [ -f "$WORK/wide1000.csv" ] || "$PY" bench/gen_tables.py wide "$WORK/wide1000.csv" >&2
      echo "$WORK/wide1000.csv" ;;
    wide2000) [ -f "$WORK/wide2000.csv" ] ||
        "$PY" bench/gen_tables.py wide "$WORK/wide2000.csv" --cols 2000 --rows 50 >&2
      echo "$WORK/wide2000.csv" ;;
    *) echo "bench/wide.sh: unknown table '$1'" >&2; exit 2 ;;
  esac
}

printf '%-10s %9s %9s %9s %9s %6s\n' table fit_wall fit_cpu fit_rss model_mb units
for t in $TABLES; do
  csv=$(table_path "$t")
  model="$WORK/$t.meg"
  read -r wall cpu rss < <(timed "$MEG" fit "$csv" -o "$model" --threads "$THREADS" --quiet)
  size=$(awk -v b="$(stat -c %s "$model")" 'BEGIN { printf "%.1f", b / 1048576 }')
  units=$("$MEG" inspect "$model" 2>/dev/null | grep -c "^  unit " || true)
  printf '%-10s %9s %9s %9s %9s %6s\n' "$t" "$wall" "$cpu" "$rss" "$size" "$units"
  if [ "$t" = hospital ]; then
    read -r wall cpu rss < <(timed "$MEG" sample "$model" -n 100000 -o "$WORK/hospital_syn.csv" \
      --threads "$THREADS" --quiet)
    printf '%-10s %9s %9s %9s\n' "  sample" "$wall" "$cpu" "$rss"
  fi
  if [ "$t" = wide2000 ]; then
    read -r wall cpu rss < <(timed "$MEG" fit "$csv" -o "$WORK/refused.meg" --threads "$THREADS" \
      --quiet --option max_model_mb=1)
    printf '%-10s %9s %9s %9s\n' "  guard" "$wall" "$cpu" "$rss"
  fi
done
