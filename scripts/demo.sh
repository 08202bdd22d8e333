#!/usr/bin/env bash
# The main job: install what is missing, build (Release), fit MEG on the bundled
# Adult training data, sample as many synthetic rows, and evaluate them against
# the real Adult test set. Outputs go to out/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
mkdir -p out
build/meg fit data/adult_train.csv -o out/adult.meg
build/meg sample out/adult.meg -n 32561 -o out/adult_synthetic.csv --seed 0
build/meg evaluate --train data/adult_train.csv --test data/adult_test.csv \
  --synthetic out/adult_synthetic.csv --target income --json out/adult_evaluation.json
build/meg report --train data/adult_train.csv --test data/adult_test.csv \
  --synthetic out/adult_synthetic.csv --target income -o out/adult_report.html
echo "demo: model out/adult.meg, synthetic rows out/adult_synthetic.csv," \
     "scores out/adult_evaluation.json, report out/adult_report.html" >&2
