#!/usr/bin/env bash
# Installs the Debian (bookworm) packages meg needs to build and test, plus any
# extra packages named as arguments, when they are missing.
#   bash scripts/deps.sh                    # the build and test dependencies
#   bash scripts/deps.sh clang pybind11-dev # ... and these too
set -euo pipefail
pkgs=(cmake ninja-build g++ libcli11-dev nlohmann-json3-dev libfmt-dev libpcg-cpp-dev
      libgtest-dev libgmock-dev libbenchmark-dev libxgboost-dev xgboost time
      openmpi-bin libopenmpi-dev "$@")
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "scripts/deps.sh: installing ${missing[*]}" >&2
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
