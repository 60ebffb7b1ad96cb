#!/usr/bin/env bash
# Build (release with debug info) and run the whole test suite under CTest.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -DVSMMU_WERROR=ON >/dev/null
cmake --build build -j "$(nproc)"
ctest --test-dir build -j "$(nproc)" --output-on-failure "$@"
