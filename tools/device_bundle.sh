#!/usr/bin/env bash
# device_bundle.sh: builds clgconv (Release) and gathers its test programs, clgconv-bench and the shared libraries they need into one folder that runs on another x86-64 Linux machine without build tools or Debian packages (a GPU box); tools/device_check.sh runs it there.
#
# Usage: tools/device_bundle.sh [DIR]      (default DIR: build-device, ignored by git)
# DIR/bin: test_smoke test_reference test_identities test_differential test_bad_input
#          test_events test_concurrency clgconv-bench clinfo (when installed)
# DIR/lib: libclgconv.so.0, the OpenCL ICD loader (libOpenCL.so.1) and libclblast.so.1 found by
#          the dynamic linker here. No vendor driver: the target machine supplies its own ICD.
# Needs glibc on the target at least as new as here (Debian 12: 2.36).
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-build-device}
build="$dir/build"
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DCLGCONV_BUILD_TESTS=ON \
  -DCLGCONV_BUILD_TOOLS=ON >/dev/null
cmake --build "$build" -j "$(nproc)" >/dev/null
rm -rf "$dir/bin" "$dir/lib"
mkdir -p "$dir/bin" "$dir/lib"
for t in test_smoke test_reference test_identities test_differential test_bad_input test_events; do
  cp "$build/tests/$t" "$dir/bin/"
done
cp "$build/tests/reliability/test_concurrency" "$build/bench/clgconv-bench" "$dir/bin/"
if command -v clinfo >/dev/null; then cp "$(command -v clinfo)" "$dir/bin/"; fi
cp -L "$build/libclgconv.so.0" "$dir/lib/"
# library_path NAME: where the dynamic linker here finds NAME.
library_path() { ldconfig -p | awk -v n="$1" '$1 == n && /x86-64/ && !p {p = $NF} END {print p}'; }
for l in libOpenCL.so.1 libclblast.so.1; do
  p=$(library_path "$l")
  [ -n "$p" ] || { echo "device_bundle: $l not found (install ocl-icd-libopencl1 / libclblast1)" >&2; exit 1; }
  cp -L "$p" "$dir/lib/$l"
done
git rev-parse HEAD >"$dir/commit" 2>/dev/null || true
if git status --porcelain --untracked-files=no | grep -q .; then echo "(with uncommitted changes)" >>"$dir/commit"; fi
du -sh "$dir/bin" "$dir/lib" >&2
echo "device_bundle: wrote $dir (run it with tools/device_check.sh $dir OUT_DIR)" >&2
