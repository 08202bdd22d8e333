#!/usr/bin/env bash
# Augmentation lift: `meg augment` then `meg evaluate --augmented`, for each setting and seed;
# prints one Markdown row per setting (macro-F1 real -> augmented per classifier, mean over
# seeds, and the minority class's random-forest recall).
#
#   bench/lift.sh                 # the settings below, seeds 1 2 3
#   SEEDS="1" bench/lift.sh
set -euo pipefail
cd "$(dirname "$0")/.."
MEG=${MEG:-build/meg}
SEEDS=${SEEDS:-"1 2 3"}
THREADS=${THREADS:-2}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# name | train | test | target | minority class | augment arguments
SETTINGS=(
  "adult --balance|data/adult_train.csv|data/adult_test.csv|income|>50K|--balance"
  "adult --ratio >50K=1.5|data/adult_train.csv|data/adult_test.csv|income|>50K|--ratio >50K=1.5"
  "nursery --ratio very_recom=2|data/splits/nursery_train.csv|data/splits/nursery_test.csv|class|very_recom|--ratio very_recom=2"
  "nursery --ratio very_recom=4|data/splits/nursery_train.csv|data/splits/nursery_test.csv|class|very_recom|--ratio very_recom=4"
  "car --ratio good=2 --ratio vgood=2|data/splits/car_train.csv|data/splits/car_test.csv|class|vgood|--ratio good=2 --ratio vgood=2"
  "german_credit --ratio bad=1.5|data/splits/german_credit_train.csv|data/splits/german_credit_test.csv|class|bad|--ratio bad=1.5"
)

echo "| setting | LR macro-F1 real → aug | RF | GBT | minority recall, RF |"
echo "|---|---|---|---|---|"
for s in "${SETTINGS[@]}"; do
  IFS='|' read -r name train test target minority args <<<"$s"
  for seed in $SEEDS; do
    # shellcheck disable=SC2086
    "$MEG" augment "$train" --target "$target" $args -o "$work/aug.csv" --seed "$seed" \
      --threads "$THREADS" --quiet
    "$MEG" evaluate --train "$train" --test "$test" --augmented "$work/aug.csv" --target "$target" \
      --seed "$seed" --threads "$THREADS" --json "$work/lift.$seed.json" >/dev/null
  done
  /usr/bin/python3 - "$name" "$minority" "$work" $SEEDS <<'PY'
import json, statistics, sys
name, minority, work, seeds = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
runs = [json.load(open(f"{work}/lift.{s}.json"))["lift"] for s in seeds]
def classifier(run, key):
    return next(c for c in run["classifiers"] if c["name"] == key)
cells = []
for key in ("logistic_regression", "random_forest", "gradient_boosting"):
    real = statistics.fmean(classifier(r, key)["real"]["macro_f1"] for r in runs)
    aug = statistics.fmean(classifier(r, key)["augmented"]["macro_f1"] for r in runs)
    cells.append(f"{real:.3f} → {'**' if aug > real else ''}{aug:.3f}{'**' if aug > real else ''}")
def recall(r, side):
    return classifier(r, "random_forest")[side]["recall"][r["classes"].index(minority)]
rr = statistics.fmean(recall(r, "real") for r in runs)
ra = statistics.fmean(recall(r, "augmented") for r in runs)
print(f"| {name} | {' | '.join(cells)} | `{minority}` {rr:.2f} → {ra:.2f} |")
PY
done
