#!/usr/bin/env bash
# CI stage: build the libFuzzer targets with clang (ASan + UBSan) and run each
# for a fixed budget. Any crash, invariant violation, leak or hang fails CI.
# libFuzzer comes with clang's runtime package (libclang-rt-14-dev on Debian
# 12, installed by scripts/deps.sh --ci).
set -euo pipefail
cd "$(dirname "$0")/../.."
# A fixed libFuzzer seed keeps the CI stage reproducible (scripts/fuzz.sh on
# its own uses random seeds for open-ended runs).
FUZZ_FLAGS="${FUZZ_FLAGS:--seed=1}" \
  bash scripts/fuzz.sh -t "${VSMMU_FUZZ_SECONDS:-60}" -b build-ci-fuzz -c build-ci-fuzz/corpus
