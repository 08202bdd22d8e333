#!/usr/bin/env bash
# Installs what is missing, builds the Release tree and a Debug tree with
# AddressSanitizer + UndefinedBehaviorSanitizer, and runs every test in both.
set -euo pipefail
cd "$(dirname "$0")/.."
# Each phase's start and the seconds since the script began, on standard error
# (CI's budget is watched phase by phase).
started=$(date +%s)
phase() { echo "== scripts/test.sh: $1 (at $(( $(date +%s) - started )) s)" >&2; }
phase deps
bash scripts/deps.sh
phase format
# Formatting: every tracked C++ file matches .clang-format.
bash scripts/format.sh --check
jobs=$(nproc)
phase "release build"
cmake --preset release >/dev/null
cmake --build build -j"$jobs"
phase "release tests"
(cd build && ctest --output-on-failure -j"$jobs")
# cmake --install of build/ into a temporary prefix; a separate project uses it
# through find_package(meg CONFIG) and meg::meg (tests/install).
phase "install test"
bash scripts/install_test.sh
phase "sanitizer build"
cmake --preset asan >/dev/null
cmake --build build-asan -j"$jobs"
phase "sanitizer tests"
(cd build-asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
   ctest --output-on-failure -j"$jobs" -LE slow)
# A short libFuzzer run of each target (CSV reader, schema parser, model loader);
# longer runs: see FUZZING.md.
phase fuzz
bash scripts/fuzz.sh 20
# Python module (pybind11) in the Release tree above (its libraries are position
# independent, so only the extension is compiled), then pytest with /usr/bin/python3.
phase python
MEG_PY_BUILD=build bash scripts/python_test.sh
phase done
