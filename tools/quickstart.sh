#!/usr/bin/env bash
# quickstart.sh: installs missing Debian packages (when root), configures and builds clgconv, then
# runs the benchmark ("bench", the main job) or the test suite ("test").
# Usage: tools/quickstart.sh bench [clgconv-bench options...]
#        tools/quickstart.sh test
# Environment: BUILD_DIR (default build), CLGCONV_WERROR (default ON), JOBS (default nproc).
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-}
[ $# -gt 0 ] && shift
case "$mode" in bench|test) ;; *) echo "usage: $0 bench|test [args]" >&2; exit 2 ;; esac

packages=(build-essential cmake pkg-config ocl-icd-opencl-dev opencl-headers pocl-opencl-icd libclblast-dev clinfo)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "quickstart: installing ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "quickstart: missing packages ${missing[*]}; run as root or: sudo apt-get install ${missing[*]}" >&2
    exit 1
  fi
fi

build=${BUILD_DIR:-build}
jobs=${JOBS:-$(nproc)}
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DCLGCONV_WERROR="${CLGCONV_WERROR:-ON}" >/dev/null
cmake --build "$build" -j "$jobs"

if [ "$mode" = bench ]; then
  exec "$build/bench/clgconv-bench" "$@"
else
  cd "$build"
  exec ctest --output-on-failure -j "$jobs" "$@"
fi
