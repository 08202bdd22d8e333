#!/bin/bash
# Differential privacy benchmark on Adult (BENCHMARKS.md, "Differential privacy"): for every
# epsilon and seed, a private fit with the schema's levels and edges declared public
# (adult_public_schema.json: the UCI code book's levels, public grids) and one with only the
# column types public (adult_types_schema.json: levels and bins found privately), 32,561
# synthetic rows, `meg evaluate` against the official split. Prints one line per run.
# usage: bench/dp/adult.sh [EPSILONS] [SEEDS]   (default "0.1 0.3 1 3 10" "0")
set -euo pipefail
cd "$(dirname "$0")/../.."
MEG=${MEG:-build/meg}
EPSILONS=${1:-"0.1 0.3 1 3 10"}
SEEDS=${2:-"0"}
OUT=${OUT:-/tmp/meg_dp_bench}
mkdir -p "$OUT"
for eps in $EPSILONS; do
  for seed in $SEEDS; do
    for mode in public private; do
      name="$OUT/${mode}_${eps}_${seed}"
      if [ "$mode" = public ]; then
        schema=(--schema bench/dp/adult_public_schema.json --public-schema)
      else
        schema=(--schema bench/dp/adult_types_schema.json)
      fi
      start=$(date +%s.%N)
      "$MEG" fit data/adult_train.csv -o "$name.meg" "${schema[@]}" --epsilon "$eps" \
        --seed "$seed" --threads 2 -q
      end=$(date +%s.%N)
      "$MEG" sample "$name.meg" -n 32561 -o "$name.csv" --seed "$seed" --threads 2 -q
      "$MEG" evaluate --train data/adult_train.csv --test data/adult_test.csv --target income \
        --synthetic "$name.csv" --threads 2 --seed 0 --json "$name.json" > "$name.txt"
      python3 - "$name.txt" "$mode" "$eps" "$seed" "$(echo "$end - $start" | bc)" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
def num(pattern):
    m = re.search(pattern, text, re.M)
    return m.group(1) if m else "?"
tstr = [num(r"^\s+%s\s+\S+\s+(\S+)" % c)
        for c in ("logistic_regression", "random_forest", "gradient_boosting")]
print("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %.1f |" % (
    sys.argv[3], sys.argv[2], sys.argv[4], *tstr,
    num(r"mean column distance\s+(\S+)"), num(r"detection ROC-AUC (\S+)"),
    num(r"^\s+distance\s+([0-9.]+)\s") + " / " + num(r"^\s+density_ratio\s+([0-9.]+)\s"),
    float(sys.argv[5])))
PY
    done
  done
done
