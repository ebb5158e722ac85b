#!/usr/bin/env bash
# test_install.sh: installs the built library into a temporary prefix, then builds and runs the
# example against it twice: through find_package(clgconv CONFIG) and through pkg-config.
# Usage: test_install.sh <source dir> <build dir>
set -euo pipefail
src=$1 build=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cmake --install "$build" --prefix "$work/prefix" >/dev/null

# 1. CMake package
cmake -S "$src/examples" -B "$work/cmake-build" -DCMAKE_PREFIX_PATH="$work/prefix" >/dev/null
cmake --build "$work/cmake-build" >/dev/null
export LD_LIBRARY_PATH="$work/prefix/lib:$work/prefix/lib64:$work/prefix/lib/x86_64-linux-gnu:${LD_LIBRARY_PATH:-}"
set +e
"$work/cmake-build/grouped_conv"; rc=$?
set -e
if [ "$rc" = 77 ]; then echo "skipping: no OpenCL device"; exit 77; fi
[ "$rc" = 0 ] || { echo "find_package example failed ($rc)"; exit 1; }

# 2. pkg-config
pcdir=$(dirname "$(find "$work/prefix" -name clgconv.pc | head -n1)")
export PKG_CONFIG_PATH="$pcdir:${PKG_CONFIG_PATH:-}"
cc -std=c11 -o "$work/pc_example" "$src/examples/grouped_conv.c" $(pkg-config --cflags --libs clgconv) -lm
"$work/pc_example"
echo "install: 2 passed, 0 failed"
