#!/usr/bin/env bash
# End-to-end benchmark: for each dataset and configuration, `meg fit`, `meg sample`
# (as many rows as the training set) and `meg evaluate`, recording wall time and
# peak RSS (/usr/bin/time -v) and the evaluate metrics.
#
#   bench/run.sh                      # every dataset, every configuration
#   DATASETS="adult car" CONFIGS="default k3" bench/run.sh
#   OUT=bench/results bench/run.sh    # where the JSON results go (default: bench/results)
#   SEEDS="0 1 2 3 4" bench/run.sh    # repeat fit/sample/evaluate with each seed (summaries average)
#   CFG_mine="--k 3" CONFIGS="default mine" bench/run.sh   # an ad-hoc configuration
#
# Then `python3 bench/summarize.py bench/results` prints the Markdown tables of BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
MEG=${MEG:-build/meg}
OUT=${OUT:-bench/results}
THREADS=${THREADS:-2}
SEEDS=${SEEDS:-${SEED:-0}}
DATASETS=${DATASETS:-"adult car nursery kr_vs_kp german_credit"}
CONFIGS=${CONFIGS:-"default kdb loglik k0 k1 k3 kdb_k3 uniform reference trained_sf trained_none"}
mkdir -p "$OUT"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Configuration name -> extra `meg fit` arguments.
fit_args() {
  case "$1" in
    default) echo "" ;;  # counted (MLE) network, greedy structure, hierarchical smoothing, k=2, EM
    k0) echo "--k 0" ;;
    k1) echo "--k 1" ;;
    k2) echo "--k 2" ;;
    k3) echo "--k 3" ;;
    uniform) echo "--weighting uniform" ;;
    reference) echo "--weighting reference" ;;
    softmax) echo "--weighting softmax_loglik" ;;
    kdb) echo "--option structure=kdb" ;;       # classic kDB structure (docs/design.md §3)
    kdb_k3) echo "--k 3 --option structure=kdb" ;;
    loglik) echo "--option smoothing_select=loglik" ;;  # smoothing by held-out likelihood only
    indep) echo "--option joint_decode=false --option learn_rules=false" ;;  # numeric cells decoded alone (before issue 15)
    noresample) echo "--option resample=off" ;;  # no discriminator-weighted resampling (docs/design.md §7a)
    resample_on) echo "--option resample=on" ;;
    trained_sf) echo "--warmup-epochs 1 --epochs 3 --adversarial score_function" ;;
    trained_none) echo "--warmup-epochs 1 --epochs 3 --adversarial none" ;;
    *) local var="CFG_$1"  # ad-hoc configurations: CFG_name="--k 3 ..." CONFIGS=name bench/run.sh
       [ -n "${!var:-}" ] || { echo "bench/run.sh: unknown configuration $1 (set $var)" >&2; exit 2; }
       echo "${!var}" ;;
  esac
}

split_of() {  # dataset -> "train test target"
  case "$1" in
    adult) echo "data/adult_train.csv data/adult_test.csv income" ;;
    *) local target=class  # the target each table's split was made on (data/README.md)
       case "$1" in diamonds) target=cut ;; spambase) target=spam ;; taxis) target=payment ;;
                    house_16h) target=y ;; esac
       [ -f "data/splits/$1_train.csv" ] || \
         python3 bench/split.py "data/$1.csv" "$target" "data/splits/$1_train.csv" "data/splits/$1_test.csv" --seed 0
       echo "data/splits/$1_train.csv data/splits/$1_test.csv $target" ;;
  esac
}

# Runs a command under /usr/bin/time -v; prints "seconds max_rss_kb", or "FAIL" on failure.
timed() {
  if ! /usr/bin/time -v "$@" 2>"$work/time.txt" >/dev/null; then
    grep -v "^\s" "$work/time.txt" | head -3 >&2
    echo FAIL
    return
  fi
  local wall rss
  wall=$(grep "Elapsed (wall clock)" "$work/time.txt" | awk '{print $NF}')
  rss=$(grep "Maximum resident set size" "$work/time.txt" | awk '{print $NF}')
  python3 -c "import sys; p='$wall'.split(':'); s=sum(float(x)*60**i for i,x in enumerate(reversed(p))); print(f'{s:.3f} $rss')"
}

for ds in $DATASETS; do
  read -r train test target <<<"$(split_of "$ds")"
  rows=$(( $(wc -l <"$train") - 1 ))
  for cfg in $CONFIGS; do
  for SEED in $SEEDS; do
    model="$work/$ds.$cfg.meg"; syn="$work/$ds.$cfg.csv"
    # shellcheck disable=SC2046
    read -r fit_s fit_kb <<<"$(timed "$MEG" fit "$train" -o "$model" --quiet --threads "$THREADS" --seed "$SEED" $(fit_args "$cfg"))"
    [ "$fit_s" = FAIL ] && { echo "bench: $ds $cfg: fit failed" >&2; continue; }
    read -r sample_s sample_kb <<<"$(timed "$MEG" sample "$model" -n "$rows" -o "$syn" --threads "$THREADS" --seed "$SEED")"
    [ "$sample_s" = FAIL ] && { echo "bench: $ds $cfg: sample failed" >&2; continue; }
    read -r eval_s eval_kb <<<"$(timed "$MEG" evaluate --train "$train" --test "$test" --synthetic "$syn" \
                                   --target "$target" --json "$work/eval.json" --threads "$THREADS" --seed "$SEED")"
    [ "$eval_s" = FAIL ] && { echo "bench: $ds $cfg: evaluate failed" >&2; continue; }
    python3 - "$OUT/$ds.$cfg.seed$SEED.json" "$work/eval.json" <<PY
import json, sys
ev = json.load(open(sys.argv[2]))
json.dump({"dataset": "$ds", "config": "$cfg", "seed": $SEED, "fit_args": "$(fit_args "$cfg")", "rows": $rows,
           "threads": $THREADS, "fit_seconds": $fit_s, "fit_rss_kb": $fit_kb,
           "sample_seconds": $sample_s, "sample_rss_kb": $sample_kb,
           "evaluate_seconds": $eval_s, "evaluate": ev}, open(sys.argv[1], "w"), indent=1)
PY
    echo "bench: $ds $cfg seed $SEED fit ${fit_s}s ${fit_kb}kB, sample ${sample_s}s, evaluate ${eval_s}s" >&2
  done
  done
done
