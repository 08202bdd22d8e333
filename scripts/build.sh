#!/usr/bin/env bash
# Installs what is missing and builds the Release tree (CLI at build/meg).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
cmake --preset release >/dev/null
cmake --build build -j"$(nproc)"
