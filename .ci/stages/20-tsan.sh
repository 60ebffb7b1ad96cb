#!/usr/bin/env bash
# ThreadSanitizer build: the cache concurrency stress test (translators
# against one invalidating thread) and the other thread tests must be
# race-free.
set -euo pipefail
cd "$(dirname "$0")/../.."
JOBS=$(nproc)
rm -rf build-ci-tsan
CC=clang cmake -S . -B build-ci-tsan -G Ninja -DVSMMU_WERROR=ON -DVSMMU_TSAN=ON \
  -DVSMMU_BENCH=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build-ci-tsan -j "$JOBS"
TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 \
  ctest --test-dir build-ci-tsan --output-on-failure -R 'thread' -E 'long'
