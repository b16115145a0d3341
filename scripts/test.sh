#!/usr/bin/env bash
# Installs dependencies, builds, and runs the whole test suite with ctest (failures shown).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh --test
scripts/build.sh
cd build
ctest --output-on-failure -j "${GANKIT_JOBS:-2}" "$@"
