#!/usr/bin/env bash
# Builds the libFuzzer targets in fuzz/ with clang (ASan + UBSan + libFuzzer)
# straight from the sources, in build-fuzz/ (the gcc build trees are not
# touched), and runs each target for SECONDS (default 30).
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]     TARGET: csv, schema, model, overrides, where
#                                             (default: all)
#   FUZZ_JOBS=2 scripts/fuzz.sh 3600 model    a longer run with 2 parallel workers
#   FUZZ_RUNS=1000000 scripts/fuzz.sh 0 csv   stop after exactly that many executions
#   FUZZ_MERGE=1 scripts/fuzz.sh 600          after each run, add the found inputs that reach
#                                             new coverage to fuzz/corpus/<target>/
#                                             (the scheduled long run, FUZZING.md)
#   FUZZ_SRC=/tmp/snap scripts/fuzz.sh 60     build from another source tree (e.g. a
#                                             `git archive HEAD` snapshot) with this corpus
#
# Seeds come from fuzz/corpus/<target>/ (read only); new inputs that libFuzzer
# finds go to build-fuzz/corpus/<target>/, crashes to build-fuzz/artifacts/.
# Exits non-zero if a target crashes, leaks, times out or allocates > 2 GB.
set -euo pipefail
cd "$(dirname "$0")/.."
# clang and its sanitizer/libFuzzer runtime (Debian bookworm), if missing.
[ -n "${FUZZ_CXX:-}" ] || bash scripts/deps.sh clang libclang-rt-14-dev
seconds=${1:-30}
shift || true
targets=("$@")
[[ ${#targets[@]} -eq 0 ]] && targets=(csv schema model overrides where)
CXX=${FUZZ_CXX:-clang++}
src_root=${FUZZ_SRC:-.}
out=build-fuzz
mkdir -p "$out/obj" "$out/artifacts"

# meg/version.hpp is generated from the project version (cmake/MegVersionHeader.cmake).
cmake -DMEG_SOURCE_DIR="$src_root" -DMEG_VERSION_HEADER="$out/include/meg/version.hpp" \
  -P "$src_root/cmake/MegVersionHeader.cmake"
flags=(-std=c++20 -O1 -g -fno-omit-frame-pointer -I"$src_root/include" -I"$out/include"
       -I"$src_root/src" -fsanitize=address,undefined -fno-sanitize-recover=undefined)

# Objects: rebuilt when their source or any header under src/ include/ is newer.
newest_header=$(find "$src_root/src" "$src_root/include" "$out/include" -name '*.hpp' -printf '%T@\n' |
  sort -n | tail -1)
newest_header=${newest_header%.*}
object_of() { echo "$out/obj/$(realpath "$1" | tr '/' '_').o"; }
build_objects() {  # compiles the stale objects of the given sources, 2 at a time
  local running=0 src obj
  for src in "$@"; do
    obj=$(object_of "$src")
    if [[ -f $obj ]] && (( $(stat -c %Y "$obj") >= $(stat -c %Y "$src") )) &&
       (( $(stat -c %Y "$obj") >= newest_header )); then
      continue
    fi
    "$CXX" "${flags[@]}" -fsanitize=fuzzer-no-link -c "$src" -o "$obj" &
    running=$((running + 1))
    if (( running >= ${FUZZ_BUILD_JOBS:-2} )); then wait -n; running=$((running - 1)); fi
  done
  wait
}

sources_for() {
  case $1 in
    csv|schema|overrides|where) ls "$src_root"/src/{core,data}/*.cpp ;;
    model) ls "$src_root"/src/{core,data,bn,train,privacy,ensemble}/*.cpp ;;
    *) echo "unknown target '$1' (csv, schema, model, overrides, where)" >&2; exit 2 ;;
  esac
}

status=0
for t in "${targets[@]}"; do
  mapfile -t srcs < <(sources_for "$t")
  build_objects "${srcs[@]}"
  objs=()
  for src in "${srcs[@]}"; do objs+=("$(object_of "$src")"); done
  "$CXX" "${flags[@]}" -fsanitize=fuzzer "$src_root/fuzz/fuzz_$t.cpp" "${objs[@]}" -lfmt -lpthread \
    -o "$out/fuzz_$t"
  mkdir -p "$out/corpus/$t"
  run=(-max_total_time="$seconds" -print_final_stats=1 -rss_limit_mb=2048 -timeout=10
       -artifact_prefix="$out/artifacts/$t-")
  [[ -n ${FUZZ_RUNS:-} ]] && run+=(-runs="$FUZZ_RUNS")
  [[ $seconds == 0 ]] && run=("${run[@]:1}")
  [[ -n ${FUZZ_JOBS:-} ]] && run+=(-jobs="$FUZZ_JOBS" -workers="$FUZZ_JOBS")
  echo "fuzz_$t: ${run[*]}"
  if ! "$out/fuzz_$t" "${run[@]}" "$out/corpus/$t" "fuzz/corpus/$t" 2>"$out/fuzz_$t.log"; then
    echo "fuzz_$t: FAILED (see $out/fuzz_$t.log and $out/artifacts/)" >&2
    tail -40 "$out/fuzz_$t.log" >&2
    status=1
  fi
  grep -E '^(stat::number_of_executed_units|Done )' "$out/fuzz_$t.log" | sed "s/^/fuzz_$t: /" || true
  if [[ -n ${FUZZ_MERGE:-} ]]; then
    # -merge=1 adds to the committed seeds only the found inputs that reach new coverage
    # in edges (the named regression seeds stay), read up to 1 kB each, so the corpus
    # stays small.
    "$out/fuzz_$t" -merge=1 -use_counters=0 -max_len=1024 "fuzz/corpus/$t" "$out/corpus/$t" \
      2>>"$out/fuzz_$t.log"
    echo "fuzz_$t: corpus: $(ls "fuzz/corpus/$t" | wc -l) files, $(du -sk "fuzz/corpus/$t" | cut -f1) kB"
  fi
done
exit $status
