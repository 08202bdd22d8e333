#!/usr/bin/env bash
# Installs meg with `cmake --install` into a temporary prefix (moved once
# installed, so the package must be relocatable), then builds the separate
# project tests/install against that prefix only (find_package(meg CONFIG),
# meg::meg) and runs it: a fit and samples through the public API, and the
# installed CLI sampling the same bytes from the saved model.
#   bash scripts/install_test.sh                    # installs from build/ (the Release tree)
#   MEG_BUILD_DIR=build-x bash scripts/install_test.sh
# A missing build tree is configured (Release, no tests) and built first.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${MEG_BUILD_DIR:-build}
if [[ ! -f $build/CMakeCache.txt ]]; then
  bash scripts/deps.sh
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DMEG_BUILD_TESTS=OFF >/dev/null
fi
cmake --build "$build" -j"$(nproc)" >/dev/null  # a no-op when the tree is up to date

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cmake --install "$build" --prefix "$tmp/stage" >/dev/null
mv "$tmp/stage" "$tmp/prefix"
prefix=$tmp/prefix
if grep -rl -e "$PWD" -e "$tmp/stage" "$prefix/lib/cmake/meg"; then
  echo "scripts/install_test.sh: the installed package names the source, build or staging tree" >&2
  exit 1
fi

# The downstream project sees the prefix and the system, nothing of this tree.
cmake -S tests/install -B "$tmp/downstream" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_FIND_PACKAGE_NO_PACKAGE_REGISTRY=ON >/dev/null
cmake --build "$tmp/downstream" >/dev/null
"$tmp/downstream/meg_install_test" data/car.csv "$tmp"

# The installed CLI: its version is the package's, and it samples the library's bytes.
version=$(sed -n 's/^set(PACKAGE_VERSION "\(.*\)")$/\1/p' "$prefix/lib/cmake/meg/megConfigVersion.cmake")
[[ "$("$prefix/bin/meg" --version)" == "meg $version" ]] || {
  echo "scripts/install_test.sh: '$prefix/bin/meg --version' is not 'meg $version'" >&2
  exit 1
}
"$prefix/bin/meg" sample "$tmp/model.meg" -n 4000 --seed 11 --threads 2 -o "$tmp/cli.csv"
cmp "$tmp/sample.csv" "$tmp/cli.csv"
echo "scripts/install_test.sh: cmake --install, find_package(meg) + meg::meg and bin/meg OK (meg $version)"
