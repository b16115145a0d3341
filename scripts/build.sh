#!/usr/bin/env bash
# Configures and builds gankit into build/ (Release, Ninja). Extra arguments go to cmake.
# Two parallel jobs by default: more than that swaps on a 2-core / small-memory machine.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f build/build.ninja ]; then
  cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release "$@" >/dev/null
fi
cmake --build build -j "${GANKIT_JOBS:-2}"
