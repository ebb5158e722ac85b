#!/usr/bin/env bash
# .ci/valgrind.sh: CI job: valgrind memcheck over a representative subset of the suite (smoke test,
# fault injection on the error paths of AUTO and DIRECT, a short soak, the host fuzz corpus):
# no invalid access, no uninitialised use and no definite leak in clgconv's host code. Only
# glibc/ICD/PoCL entries are suppressed (.ci/valgrind.supp, one commented entry each).
# Usage: .ci/valgrind.sh   (env: BUILD_DIR, default build-ci-valgrind)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
build=${BUILD_DIR:-build-ci-valgrind}
t0=$(date +%s)

cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCLGCONV_WERROR=ON \
  -DCLGCONV_BUILD_TOOLS=OFF >/dev/null
cmake --build "$build" -j "$(nproc)" --target test_smoke test_fault_injection test_soak \
  fuzz_desc_replay >/dev/null
echo "valgrind: built in $(( $(date +%s) - t0 )) s"

export CLGCONV_REQUIRE_DEVICE=1
# Valgrind cannot run AVX-512 code and hides it from cpuid, so under it PoCL compiles for an AVX2
# target (pthread-haswell, float8 native vectors) where natively it would pick AVX-512: nothing
# the native warm-up below cached would match, and LLVM would compile every kernel under
# valgrind (over 10 minutes for test_smoke alone). On such hosts both runs use the AVX2 target
# and clgconv plans for its 16 registers.
if grep -qw avx512f /proc/cpuinfo; then
  export POCL_KERNELLIB_NAME=avx2 POCL_LLVM_CPU_NAME=haswell CLGCONV_CPU_REGISTERS=16
  echo "valgrind: AVX-512 host: PoCL and clgconv set to the AVX2 target that valgrind can run"
fi
# Store every program binary, also on PoCL, whose binaries cost more than a build (by default
# clgconv stops storing them there): the runs under valgrind must only load them.
export CLGCONV_CACHE_BINARIES=always
cd "$build"
# Natively first: PoCL compiles kernels in-process (LLVM), hopeless under valgrind; this fills
# PoCL's kernel cache and clgconv's binary cache so that the runs below only load binaries.
# The fault-injection subset (AUTO and DIRECT plans), run natively here and under valgrind below.
fault_injection=(CLGCONV_FI_QUICK=1 CLGCONV_TEST_SKIP_ALGOS=tiled,depthwise,gemm,clblast
                 ./tests/reliability/test_fault_injection)
./tests/test_smoke >/dev/null
env "${fault_injection[@]}" >/dev/null
CLGCONV_SOAK_CYCLES=100 CLGCONV_TEST_SKIP_ALGOS=clblast ./tests/reliability/test_soak >/dev/null

vg=(valgrind --error-exitcode=99 --leak-check=full --show-leak-kinds=definite
    --errors-for-leak-kinds=definite --track-origins=yes --num-callers=40
    --suppressions="$root/.ci/valgrind.supp")
failed=0
run() { # run NAME [VAR=value...] COMMAND...: one program under memcheck, log in valgrind-NAME.log.
  local name=$1; shift
  local envs=()
  while [[ $1 == *=* ]]; do envs+=("$1"); shift; done
  local s=$(date +%s)
  if env "${envs[@]}" "${vg[@]}" --log-file="valgrind-$name.log" "$@" >"valgrind-$name.out" 2>&1; then
    echo "valgrind: $name clean ($(grep -h 'ERROR SUMMARY' "valgrind-$name.log" | sed 's/.*ERROR/ERROR/'), $(( $(date +%s) - s )) s)"
  else
    echo "valgrind: $name FAILED (exit $?); output and memcheck log:"
    tail -20 "valgrind-$name.out"; cat "valgrind-$name.log"
    failed=1
  fi
}
run smoke ./tests/test_smoke
run fault_injection "${fault_injection[@]}"
run soak CLGCONV_SOAK_CYCLES=150 CLGCONV_TEST_SKIP_ALGOS=clblast ./tests/reliability/test_soak
run fuzz_desc_replay ./tests/fuzz/fuzz_desc_replay "$root/tests/fuzz/corpus/desc" "$root/tests/fuzz/regressions/desc"
echo "valgrind: finished in $(( $(date +%s) - t0 )) s"
exit $failed
