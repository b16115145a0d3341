#!/usr/bin/env bash
# Installs dependencies, builds, and runs the whole test suite with ctest (failures shown).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh --test
# The sources follow .clang-format (Google style, 120 columns); fix with: clang-format -i FILES
sources() { git ls-files '*.cpp' '*.h' 2>/dev/null || find lib datasets eval tools tests bench -name '*.cpp' -o -name '*.h'; }
if ! sources | xargs clang-format --dry-run --Werror 2>/dev/null; then
  echo "test.sh: these sources are not formatted (clang-format -i them):" >&2
  sources | xargs clang-format --dry-run 2>&1 | grep "warning:" | cut -d: -f1 | sort -u >&2 || true
  exit 1
fi
scripts/build.sh
cd build
ctest --output-on-failure -j "${GANKIT_JOBS:-2}" "$@"
