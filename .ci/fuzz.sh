#!/usr/bin/env bash
# .ci/fuzz.sh: CI job: builds the libFuzzer targets (clang -fsanitize=fuzzer,address,undefined) and
# fuzzes each from its committed seed corpus for a bounded time: fuzz_desc (validation, sizes,
# reference) and fuzz_plan (plan creation and forward on PoCL). Any crash, hang, leak, sanitizer
# report or violated property fails the job; the input is left in $BUILD_DIR/fuzz-artifacts/ and
# must become a regression file in tests/fuzz/regressions/<target>/.
# Usage: .ci/fuzz.sh   (env: BUILD_DIR, default build-ci-fuzz; FUZZ_DESC_SECONDS, default 20;
#        FUZZ_PLAN_SECONDS, default 40)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
build=${BUILD_DIR:-build-ci-fuzz}
t0=$(date +%s)

CC=clang cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCLGCONV_WERROR=ON \
  -DCLGCONV_FUZZ=ON -DCLGCONV_SANITIZE=address,undefined -DBUILD_SHARED_LIBS=OFF \
  -DCLGCONV_BUILD_TOOLS=OFF >/dev/null
cmake --build "$build" -j "$(nproc)" --target fuzz_desc fuzz_plan >/dev/null
echo "fuzz: built in $(( $(date +%s) - t0 )) s"

export CLGCONV_REQUIRE_DEVICE=1
# The default fast unwinder: full unwinding on every malloc makes PoCL's in-process LLVM builds
# many times slower (see .ci/lsan.supp for how its leaks are recognised anyway).
# intercept_tls_get_addr=0: see .ci/sanitizers.sh (LeakSanitizer's tracer crashing at random).
export ASAN_OPTIONS="detect_leaks=1:malloc_context_size=30:intercept_tls_get_addr=0"
export LSAN_OPTIONS="suppressions=$root/.ci/lsan.supp"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
artifacts="$root/$build/fuzz-artifacts"
mkdir -p "$artifacts"
status=0
for target in desc plan; do
  seconds=$([ "$target" = desc ] && echo "${FUZZ_DESC_SECONDS:-20}" || echo "${FUZZ_PLAN_SECONDS:-40}")
  work="$root/$build/fuzz-corpus-$target" # new inputs go here, never into the committed corpus
  rm -rf "$work" && mkdir -p "$work"
  log="$root/$build/fuzz-$target.log"
  # -timeout: one input may build a few OpenCL programs cold (seconds each on a loaded 2-core
  # machine; one input once took 24 s); longer is a hang. -rss_limit_mb: PoCL and LLVM need a
  # few hundred MB.
  if "$build/tests/fuzz/fuzz_$target" -max_total_time="$seconds" -timeout=60 -rss_limit_mb=3072 \
       -max_len=64 -print_final_stats=1 -artifact_prefix="$artifacts/$target-" \
       "$work" "$root/tests/fuzz/corpus/$target" "$root/tests/fuzz/regressions/$target" >"$log" 2>&1; then
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
    echo "fuzz: fuzz_$target clean: $runs inputs in ${seconds} s ($rate per second)"
  else
    echo "fuzz: fuzz_$target FAILED; artifacts in $artifacts:"
    ls -l "$artifacts"
    grep -v '^#\|Uses:' "$log" | tail -60
    status=1
  fi
done
echo "fuzz: finished in $(( $(date +%s) - t0 )) s"
exit $status
