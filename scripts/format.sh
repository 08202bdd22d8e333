#!/usr/bin/env bash
# Formats every tracked C++ file with the repository's .clang-format (clang-format 14,
# Debian bookworm), or with --check only reports the files that would change and exits 1.
#   bash scripts/format.sh           # rewrite in place
#   bash scripts/format.sh --check   # CI: fail on drift
set -euo pipefail
cd "$(dirname "$0")/.."
command -v clang-format >/dev/null 2>&1 || bash scripts/deps.sh clang-format
mapfile -t files < <(git ls-files '*.cpp' '*.hpp' '*.h' '*.cc')
if [[ "${1:-}" == "--check" ]]; then
  bad=()
  for f in "${files[@]}"; do
    clang-format --dry-run --Werror "$f" >/dev/null 2>&1 || bad+=("$f")
  done
  if [[ ${#bad[@]} -gt 0 ]]; then
    echo "scripts/format.sh: not formatted (run bash scripts/format.sh): ${bad[*]}" >&2
    exit 1
  fi
  echo "scripts/format.sh: ${#files[@]} files formatted"
else
  clang-format -i "${files[@]}"
fi
