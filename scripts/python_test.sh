#!/usr/bin/env bash
# Installs the Python module with `pip install .` into a virtual environment that
# sees Debian's packages (numpy, pandas, pytest), then runs the pytest suite
# against the installed package (not the source tree). The CMake tree is build-py/
# (or $MEG_PY_BUILD), reused by later runs; the environment is <tree>/venv.
# Installs what is missing first. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh pybind11-dev python3-pybind11 python3-dev python3-numpy python3-pandas \
  python3-pytest python3-pip python3-setuptools python3-wheel python3-venv
build="${MEG_PY_BUILD:-build-py}"
case "$build" in /*) ;; *) build="$PWD/$build" ;; esac
venv="$build/venv"
# Always Debian's interpreter: the python3 on PATH may be another one without numpy/pandas.
[[ -x $venv/bin/python ]] || /usr/bin/python3 -m venv --system-site-packages "$venv"
# Offline: no index, and the build requirements are Debian's (--no-build-isolation).
MEG_PY_BUILD="$build" "$venv/bin/python" -m pip install -q --no-index --no-build-isolation .
# The CLI of the same tree, for the tests that exchange model files with it.
cmake --build "$build" -j"$(nproc)" --target meg
# The installed package, and its version is the project's.
"$venv/bin/python" - <<'PY'
import importlib.metadata, sys
import meg
assert meg.__file__.startswith(sys.prefix), f"meg imported from {meg.__file__}, not the venv"
assert meg.__version__ == importlib.metadata.version("meg"), (meg.__version__,
                                                             importlib.metadata.version("meg"))
print(f"scripts/python_test.sh: meg {meg.__version__} installed in {sys.prefix}")
PY
MEG_CLI="$build/meg" "$venv/bin/python" -m pytest -q -p no:cacheprovider python/tests "$@"
