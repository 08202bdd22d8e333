#!/usr/bin/env bash
# Scaling in rows: Adult-shaped tables of 100k, 1M and 10M rows, made by sampling a
# model fitted on the bundled Adult training data (seed 0), each fitted with the
# defaults and sampled back to a file of as many rows. Prints, per size, the wall
# time, the CPU time (user + sys) and the peak RSS of `meg fit` and `meg sample`
# (/usr/bin/time -v), then the log-log slope of fit time (wall and CPU) from the
# smallest to the largest table.
#
#   bench/scale.sh                 # 100k, 1M, 10M rows
#   bench/scale.sh --skip-10m      # 100k and 1M only
#   bench/scale.sh --quality       # also: `meg evaluate` of the 1M fit and of the Adult fit
#                                  #   (32,561 synthetic rows each, Adult's official split)
#   ROWS="100000 300000" bench/scale.sh   # other sizes
#   MEG=build/meg THREADS=2 WORK=/tmp/meg-scale bench/scale.sh
#
# The generated tables (about 110 bytes a row) are kept in $WORK between runs, so a
# second run skips the generation; delete $WORK to regenerate. The machine may be
# shared: compare CPU time (user + sys) as well as wall time.
set -euo pipefail
cd "$(dirname "$0")/.."
MEG=${MEG:-build/meg}
THREADS=${THREADS:-2}
WORK=${WORK:-/tmp/meg-scale}
ROWS=${ROWS:-"100000 1000000 10000000"}
QUALITY=0
for arg in "$@"; do
  case "$arg" in
    --skip-10m) ROWS=$(echo "$ROWS" | tr ' ' '\n' | grep -vx 10000000 | tr '\n' ' ') ;;
    --quality) QUALITY=1 ;;
    -h | --help) sed -n '2,18p' "$0"; exit 0 ;;
    *) echo "bench/scale.sh: unknown argument '$arg' (expected --skip-10m or --quality)" >&2; exit 2 ;;
  esac
done
[ -x "$MEG" ] || { echo "bench/scale.sh: $MEG not found; build it first (cmake --build build --target meg)" >&2; exit 2; }
mkdir -p "$WORK"

# Runs a command under /usr/bin/time -v; prints "wall_s cpu_s max_rss_mb".
timed() {
  local out="$WORK/time.txt"
  if ! /usr/bin/time -v "$@" 2>"$out" >/dev/null; then
    cat "$out" >&2
    echo "bench/scale.sh: failed: $*" >&2
    exit 1
  fi
  awk -F': ' '
    /Elapsed \(wall clock\)/ { n = split($2, t, ":"); w = 0; for (i = 1; i <= n; i++) w = w * 60 + t[i] }
    /User time/ { u = $2 } /System time/ { s = $2 } /Maximum resident/ { r = $2 }
    END { printf "%.2f %.2f %.0f\n", w, u + s, r / 1024 }' "$out"
}

# The source model: Adult, defaults, seed 0.
if [ ! -f "$WORK/adult.meg" ]; then
  "$MEG" fit data/adult_train.csv -o "$WORK/adult.meg" --seed 0 --threads "$THREADS" --quiet
fi

printf '%-10s %9s %9s %9s %9s %9s %9s\n' rows fit_wall fit_cpu fit_rss smp_wall smp_cpu smp_rss
results="$WORK/results.txt"
: >"$results"
for n in $ROWS; do
  table="$WORK/adult_$n.csv"
  if [ ! -f "$table" ]; then
    "$MEG" sample "$WORK/adult.meg" -n "$n" -o "$table.tmp" --seed 1 --threads "$THREADS" --quiet
    mv "$table.tmp" "$table"
  fi
  read -r fw fc fr < <(timed "$MEG" fit "$table" -o "$WORK/fit_$n.meg" --seed 0 --threads "$THREADS" --quiet)
  read -r sw sc sr < <(timed "$MEG" sample "$WORK/fit_$n.meg" -n "$n" -o "$WORK/syn_$n.csv" --seed 0 --threads "$THREADS" --quiet)
  rm -f "$WORK/syn_$n.csv"
  printf '%-10s %8ss %8ss %6s MB %8ss %8ss %6s MB\n' "$n" "$fw" "$fc" "$fr" "$sw" "$sc" "$sr"
  echo "$n $fw $fc" >>"$results"
done
# Log-log slope of fit time between the smallest and the largest table.
awk 'NR == 1 { n0 = $1; w0 = $2; c0 = $3 } { n1 = $1; w1 = $2; c1 = $3 }
     END { if (NR > 1) printf "log-log slope of fit time, %d to %d rows: wall %.3f, CPU %.3f\n",
             n0, n1, log(w1 / w0) / log(n1 / n0), log(c1 / c0) / log(n1 / n0) }' "$results"

# Quality of the 1M-row fit against the Adult fit it was drawn from: each samples as many
# rows as Adult's training set, scored by `meg evaluate` against Adult's official split
# (seed 0), the columns of BENCHMARKS.md's quality tables.
if [ "$QUALITY" = 1 ]; then
  [ -f "$WORK/fit_1000000.meg" ] || { echo "bench/scale.sh: --quality needs the 1M fit (ROWS with 1000000)" >&2; exit 2; }
  for name in adult fit_1000000; do
    "$MEG" sample "$WORK/$name.meg" -n 32561 -o "$WORK/q_$name.csv" --seed 0 --threads "$THREADS" --quiet
    "$MEG" evaluate --train data/adult_train.csv --test data/adult_test.csv --synthetic "$WORK/q_$name.csv" \
      --target income --json "$WORK/q_$name.json" --threads "$THREADS" --seed 0 >/dev/null
  done
  python3 - "$WORK/q_adult.json" "$WORK/q_fit_1000000.json" <<'PY'
import json, sys
def acc(ev, name):
    return next(c["tstr"]["accuracy"] for c in ev["utility"]["classifiers"] if c["name"] == name)
print("| model | TSTR LR | TSTR RF | TSTR GBT | column dist | pairwise | detection AUC | exact copies (test) | DCR median (test) |")
print("|---|---|---|---|---|---|---|---|---|")
for label, path in zip(["Adult fit (32,561 rows)", "1M-row fit"], sys.argv[1:]):
    ev = json.load(open(path))
    fid, pri = ev["fidelity"], ev["privacy"]
    print(f"| {label} | {acc(ev, 'logistic_regression'):.3f} | {acc(ev, 'random_forest'):.3f} "
          f"| {acc(ev, 'gradient_boosting'):.3f} | {fid['mean_column_distance']['synthetic']:.4f} "
          f"| {fid['pairwise']['error']['synthetic']:.4f} | {fid['detection']['roc_auc']:.3f} "
          f"| {pri['exact_copy_rate']['synthetic']:.4f} ({pri['exact_copy_rate']['test']:.4f}) "
          f"| {pri['dcr']['synthetic']['median']:.3f} ({pri['dcr']['test']['median']:.3f}) |")
PY
fi
