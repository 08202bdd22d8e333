#!/usr/bin/env bash
# Builds the Python module in build-py/ (or $MEG_PY_BUILD) against Debian's
# /usr/bin/python3 and runs its pytest suite. Installs what is missing first.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh pybind11-dev python3-pybind11 python3-dev python3-numpy python3-pandas \
  python3-pytest
build="${MEG_PY_BUILD:-build-py}"
# Always Debian's interpreter: the python3 on PATH may be another one without numpy/pandas.
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DMEG_BUILD_PYTHON=ON \
  -DMEG_BUILD_TESTS=OFF -DPython_EXECUTABLE=/usr/bin/python3 >/dev/null
cmake --build "$build" -j"$(nproc)"
build="$(cd "$build" && pwd)"  # MEG_PY_BUILD may be relative or absolute
PYTHONPATH="$build/python" MEG_CLI="$build/meg" \
  /usr/bin/python3 -m pytest -q -p no:cacheprovider python/tests "$@"
