#!/usr/bin/env bash
# Build the libFuzzer targets (clang, ASan + UBSan) and run each of them.
#
# Usage: scripts/fuzz.sh [-t SECONDS] [-b BUILD_DIR] [-c CORPUS_DIR] [target...]
#   -t SECONDS   time budget per target (default 60)
#   -b DIR       build directory (default build-fuzz)
#   -c DIR       persistent corpus root (default corpus/, one subdirectory per
#                target; git-ignored). Seeds are regenerated into BUILD_DIR/seeds.
#   target       fuzz_mmio fuzz_cmdq fuzz_tables fuzz_walk fuzz_config (default: all)
# Extra libFuzzer flags can be passed in FUZZ_FLAGS (e.g. FUZZ_FLAGS=-jobs=2);
# they come last and override the defaults. Default: -entropic=0 (with tens of
# thousands of features, libFuzzer 14's entropic bookkeeping took 65% of the
# time: plain scheduling runs about 3x more inputs per second here).
#
# Crashes, leaks and timeouts are written to BUILD_DIR/artifacts/<target>/;
# the script exits non-zero if any target found one. Reproduce with
#   BUILD_DIR/tests/fuzz/<target> BUILD_DIR/artifacts/<target>/crash-...
# and turn it into tests/test_regress_<area>.c (docs/robustness.md).
set -euo pipefail
cd "$(dirname "$0")/.."

secs=60
build=build-fuzz
corpus=corpus
while getopts "t:b:c:h" o; do
  case $o in
    t) secs=$OPTARG ;;
    b) build=$OPTARG ;;
    c) corpus=$OPTARG ;;
    *) sed -n '2,18p' "$0"; exit 2 ;;
  esac
done
shift $((OPTIND - 1))

if ! command -v clang >/dev/null; then
  echo "fuzz.sh: clang not found (scripts/deps.sh --ci installs it)" >&2
  exit 1
fi

CC=clang cmake -S . -B "$build" -G Ninja -DVSMMU_FUZZ=ON -DVSMMU_WERROR=ON \
  -DVSMMU_TESTS=OFF -DVSMMU_BENCH=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(fuzz_mmio fuzz_cmdq fuzz_tables fuzz_walk fuzz_config)
fi
cmake --build "$build" -j 2 --target fuzz-seeds "${targets[@]}"

rm -rf "$build/seeds"
"$build/tests/fuzz/fuzz-seeds" "$build/seeds"

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

status=0
summary=()
for t in "${targets[@]}"; do
  bin="$build/tests/fuzz/$t"
  mkdir -p "$corpus/$t" "$build/artifacts/$t" "$build/seeds/$t"
  log="$build/artifacts/$t.log"
  echo "== $t: ${secs}s"
  set +e
  # -timeout: a single input running 10 s is a hang; -rss_limit_mb: a leak or
  # unbounded allocation. Seeds are read but new units go to the corpus only.
  # shellcheck disable=SC2086
  "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=8192 \
    -entropic=0 -print_final_stats=1 -artifact_prefix="$build/artifacts/$t/" ${FUZZ_FLAGS:-} \
    "$corpus/$t" "$build/seeds/$t" >"$log" 2>&1
  rc=$?
  set -e
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
  summary+=("$t: ${execs:-?} executions (${rate:-?}/s), coverage ${cov:-?} edges, exit $rc")
  if [ $rc -ne 0 ]; then
    status=1
    echo "-- $t FAILED (exit $rc); log: $log"
    grep -E 'INVARIANT|ERROR|SUMMARY|Test unit written' "$log" | head -20 || true
  fi
done
echo "== fuzz summary"
printf '%s\n' "${summary[@]}"
exit $status
