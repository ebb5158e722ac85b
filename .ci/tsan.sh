#!/usr/bin/env bash
# .ci/tsan.sh: CI job: builds the library and the concurrency tests with ThreadSanitizer (clang)
# and runs them on PoCL: several threads sharing one context and one plan with their own queues,
# concurrent plan creation on one context (program cache under contention), concurrent
# forward_host (host cache eviction), concurrent context creation, and a context released while
# its plan runs on other threads. Any data race or lock-order report fails the job.
# Usage: .ci/tsan.sh   (env: BUILD_DIR, default build-ci-tsan)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
build=${BUILD_DIR:-build-ci-tsan}
t0=$(date +%s)

CC=clang cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCLGCONV_WERROR=ON \
  -DCLGCONV_SANITIZE=thread -DCLGCONV_BUILD_TOOLS=OFF >/dev/null
cmake --build "$build" -j "$(nproc)" --target test_concurrency test_smoke >/dev/null
echo "tsan: built in $(( $(date +%s) - t0 )) s"

export CLGCONV_REQUIRE_DEVICE=1
export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:suppressions=$root/.ci/tsan.supp"
cd "$build"
./tests/test_smoke >/dev/null
# Twice: a cold program cache (every build contended), then with 6 threads and more iterations.
./tests/reliability/test_concurrency
CLGCONV_TEST_THREADS=6 CLGCONV_TEST_ITERATIONS=40 ./tests/reliability/test_concurrency | tail -1
echo "tsan: passed in $(( $(date +%s) - t0 )) s"
