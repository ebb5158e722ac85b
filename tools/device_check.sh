#!/usr/bin/env bash
# device_check.sh: runs a tools/device_bundle.sh bundle on this machine's GPU through its vendor OpenCL driver (device facts, the test programs with test_differential sharded over the CPUs, the benchmark against PyTorch's CUDA convolution, a wider test sweep in the time left) and leaves logs, a summary and one archive in OUT_DIR.
#
# Usage: tools/device_check.sh BUNDLE OUT_DIR [all|tests|bench|algos|variants]   (default all)
# algos: every algorithm on the suite and sweeps at batch 1 and 8 in both layouts, verified
# (the data AUTO's GPU cost models are fitted to; no PyTorch)
# variants: the tuner (CLGCONV_TUNE=1 CLGCONV_VERBOSE=1) on the sweeps and suite: every
# algorithm and variant measured, with its build options (OUT_DIR/variants.md, from
# tools/tuning_table.py: where the default plan rules miss on this GPU)
# Environment:
#   CHECK_DEVICE   clgconv device selector (CLGCONV_DEVICE syntax; default NVIDIA)
#   DEADLINE       seconds this script may take in all (default 420): steps that would not fit
#                  are skipped and say so; the archive is always written
#   SHARDS         test_differential processes (default: CPUs / 2, at most 8)
#   TESTS_LIMIT    seconds the test programs may take (default 200)
#   BENCH_ITERS    timed runs per layer (default 10; more until 50 ms of runs)
#   ALGOS_ONLY     algos mode: only these tables (names as algos_b8_nhwc algos_sweep_b8_nhwc ...,
#                  space-separated; default every one)
#   WIDE_SEED      seed of the last step, a wider test_differential sweep run in the time left
#                  (default 20261126)
# OUT_DIR gets summary.txt (also printed), report.md (the benchmark tables, as
# docs/gpu-benchmarks.md) and results.tar.gz (every log, CSV and table).
# The ICD: /etc/OpenCL/vendors; for NVIDIA, when no ICD file names it, the first
# libnvidia-opencl.so* found under the driver folders (through an OCL_ICD_VENDORS folder).
set -u
[ $# -ge 2 ] || { sed -n '3,24p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
root=$(cd "$(dirname "$0")/.." && pwd)
bundle=$(cd "$1" && pwd) || exit 2
out=$2
mode=${3:-all}
mkdir -p "$out" || exit 2
out=$(cd "$out" && pwd)
work=$(mktemp -d /tmp/device_check.XXXXXX)
summary="$out/summary.txt"
: >"$summary"
start=$(date +%s)
deadline=$((start + ${DEADLINE:-420}))
device=${CHECK_DEVICE:-NVIDIA}
say() { echo "$*" | tee -a "$summary"; }
left() { echo $((deadline - $(date +%s))); }
# budget WANT: seconds a step may take (WANT, or what is left less 20 s for the archive).
budget() { local l=$(($(left) - 20)); [ "$l" -lt "$1" ] && echo "$l" || echo "$1"; }
# write_report: the run's tables as one Markdown document (docs/gpu-benchmarks.md is one).
# tables KIND TITLE CONFIG...: for each configuration that ran, its table (with PyTorch's times
# when they were measured) under "TITLE, configuration".
tables() {
  local kind=$1 title=$2 c table
  shift 2
  for c in "$@"; do
    table="$work/${kind}_$c.torch.md"
    [ -s "$table" ] || table="$work/${kind}_$c.md"
    [ -s "$table" ] || continue
    echo "## $title, ${c/_/ }"; echo; sed 1,2d "$table"; echo
  done
}
write_report() {
  echo "# clgconv on $(sed -n 's/^[0-9]\+ \+[0-9:]\+ \+[A-Z]\+ \+\(.*\) \[.*/\1/p' "$work/devices.txt" | head -n 1)"
  echo
  echo "Written by \`tools/device_check.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC'), bundle"
  echo "$(head -c 12 "$bundle/commit" 2>/dev/null); the tables are the files the run wrote."
  echo
  echo "## Machine"
  echo
  grep -E '^(host|gpu):' "$summary" | sed 's/^/- /'
  echo "- clgconv-bench: at least ${BENCH_ITERS:-10} timed runs per layer (more until 50 ms), median;"
  echo "  a call is enqueue + clFinish on the host clock"
  [ -s "$work/suite_b1_nchw.torch.md" ] &&
    echo "$(head -n 1 "$work/suite_b1_nchw.torch.md"); each call timed with a synchronize"
  echo
  if [ -s "$work/summary_vs_torch.md" ]; then
    echo "## Summary: clgconv vs PyTorch"; echo; cat "$work/summary_vs_torch.md"; echo
  fi
  tables suite Suite b1_nchw b1_nhwc b8_nchw b8_nhwc
  tables sweep Sweep b1_nchw b1_nhwc b8_nchw b8_nhwc
  tables unusual "Unusual layers" b1_nchw b1_nhwc
  if [ -s "$work/algos_b1_nchw.md" ]; then
    echo "## Per-algorithm comparison (batch 1, NCHW)"; echo; sed 1,6d "$work/algos_b1_nchw.md"; echo
  fi
  if [ -s "$work/algos_unusual_b1.md" ]; then
    echo "## Per-algorithm comparison, unusual layers (batch 1)"; echo
    sed 1,6d "$work/algos_unusual_b1.md"
  fi
}

finish() {
  say "== done in $(( $(date +%s) - start )) s"
  cp "$summary" "$work/"
  tar -C "$work" --exclude='cache*' -czf "$out/results.tar.gz" . 2>/dev/null
  exit "${1:-0}"
}

say "== device_check $(date -u '+%Y-%m-%d %H:%M UTC'), bundle $(head -c 12 "$bundle/commit" 2>/dev/null) $(sed -n 2p "$bundle/commit" 2>/dev/null)"
say "host: $(uname -srm), $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
command -v nvidia-smi >/dev/null && say "gpu: $(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>&1 | head -1)"

# ---------------------------------------------------------------- the OpenCL driver
icd_lib=""
for f in /etc/OpenCL/vendors/*.icd; do
  [ -f "$f" ] && say "icd file $f: $(cat "$f")"
done
if [ "${device,,}" = nvidia ] && ! grep -qsi nvidia /etc/OpenCL/vendors/*.icd; then
  for d in /usr/local/nvidia/lib64 /usr/local/nvidia/lib /usr/lib/x86_64-linux-gnu /usr/lib64 /usr/lib; do
    for f in "$d"/libnvidia-opencl.so*; do
      [ -e "$f" ] && { icd_lib=$f; break 2; }
    done
  done
  [ -n "$icd_lib" ] || icd_lib=$(timeout 60 find / \( -path /proc -o -path /sys \) -prune -o \
                                   -name 'libnvidia-opencl.so*' -print 2>/dev/null | head -1)
  if [ -z "$icd_lib" ]; then
    say "no ICD file names NVIDIA and no libnvidia-opencl.so* was found: this machine's driver offers no OpenCL"
    finish 3
  fi
  # Debian 12's ocl-icd (the bundled loader) ignores OCL_ICD_FILENAMES: a vendors folder of ours.
  mkdir -p "$work/vendors"
  echo "$icd_lib" >"$work/vendors/nvidia.icd"
  export OCL_ICD_VENDORS=$work/vendors
  say "vendor library (OCL_ICD_VENDORS=$work/vendors): $icd_lib"
fi
export LD_LIBRARY_PATH="$bundle/lib${icd_lib:+:$(dirname "$icd_lib")}:/usr/local/nvidia/lib64${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
bin=$bundle/bin
[ -x "$bin/clinfo" ] && timeout 60 "$bin/clinfo" >"$work/clinfo.txt" 2>&1
timeout 60 "$bin/clgconv-bench" --list-devices >"$work/devices.txt" 2>&1
tee -a "$summary" <"$work/devices.txt"
if ! grep -qi -- "$device" "$work/devices.txt"; then
  say "no OpenCL device matches \"$device\""
  finish 3
fi
export CLGCONV_DEVICE=$device CLGCONV_REQUIRE_DEVICE=1 CLGCONV_CACHE_DIR=$work/cache
status=0

# ---------------------------------------------------------------- tests
shards=${SHARDS:-$(( $(nproc) / 2 ))}
[ "$shards" -gt 8 ] && shards=8
[ "$shards" -lt 1 ] && shards=1
# run_differential TAG LIMIT: test_differential in $shards processes, logs test_differential$TAG.i.
run_differential() {
  local tag=$1 t=$2 i
  for ((i = 0; i < shards; ++i)); do
    ( CLGCONV_TEST_SHARD=$i/$shards timeout -k 5 "$t" "$bin/test_differential" \
        >"$work/test_differential$tag.$i.log" 2>&1; echo $? >"$work/test_differential$tag.$i.rc" ) &
    pids+=($!)
  done
}
# report_tests GLOB TAG: each finished program's status line, then its first failure lines
# (kept in failures$TAG.txt).
report_tests() {
  local f name rc fails=$work/failures$2.txt
  for f in $1; do
    [ -e "$f" ] || continue
    name=$(basename "$f" .rc)
    rc=$(cat "$f")
    [ "$rc" = 0 ] || status=1
    say "$(printf '%-24s rc=%-3s %s' "$name" "$rc" "$(grep -E 'checks|passed|failed|FAIL' "$work/$name.log" | tail -n 1)")"
  done
  grep -h -A 2 -E 'EXPECT failed|CHECK failed|beyond tolerance' $(echo "$1" | sed 's/\.rc$/.log/') \
    2>/dev/null | head -n 60 >"$fails"
  if [ -s "$fails" ]; then say "-- first failure lines:"; tee -a "$summary" <"$fails"; fi
}

if [ "$mode" = all ] || [ "$mode" = tests ]; then
  t=$(budget "${TESTS_LIMIT:-200}")
  say "== tests ($shards test_differential shards, limit ${t} s)"
  t0=$(date +%s)
  pids=()
  for name in test_smoke test_reference test_identities test_bad_input test_events test_concurrency; do
    ( timeout -k 5 "$t" "$bin/$name" >"$work/$name.log" 2>&1; echo $? >"$work/$name.rc" ) &
    pids+=($!)
  done
  run_differential "" "$t"
  wait "${pids[@]}"
  report_tests "$work/test_*.rc" ""
  grep -h 'compared on' "$work"/test_differential.[0-9]*.log | sort >>"$summary"
  say "tests took $(( $(date +%s) - t0 )) s"
fi

# ---------------------------------------------------------------- benchmark
if [ "$mode" = all ] || [ "$mode" = bench ] || [ "$mode" = algos ]; then
  python=${PYTHON:-python3}
  torch_ok=0
  [ "$mode" != algos ] &&
    "$python" -c "import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)" 2>/dev/null &&
    torch_ok=1
  say "== benchmark (PyTorch CUDA peer: $([ $torch_ok = 1 ] && echo yes || echo no))"
  # bench NAME MIN_SECONDS ARGS...: clgconv-bench into NAME.{md,csv,log}, then PyTorch.
  bench() {
    local name=$1 need=$2; shift 2
    local t
    if [ -n "${ALGOS_ONLY:-}" ] && [ "$mode" = algos ] && [[ " $ALGOS_ONLY " != *" $name "* ]]; then
      return
    fi
    t=$(budget 150)
    if [ "$t" -lt "$need" ]; then say "$name: skipped (${t} s left)"; return; fi
    local t0=$(date +%s)
    timeout -k 5 "$t" "$bin/clgconv-bench" --device "$device" --iters "${BENCH_ITERS:-10}" \
      --min-time 50 "$@" --markdown --csv "$work/$name.csv" >"$work/$name.md" 2>"$work/$name.log"
    local rc=$?
    [ $rc = 0 ] || status=1
    if [ $torch_ok = 1 ] && [ -s "$work/$name.csv" ]; then
      t=$(budget 120)
      timeout -k 5 "$t" "$python" "$root/tools/torch_conv_bench.py" --torch-device cuda \
        --bench-csv "$work/$name.csv" --merged "$work/$name.torch.csv" --markdown --quiet \
        >"$work/$name.torch.md" 2>>"$work/$name.log"
    fi
    say "$name: rc=$rc, $(grep -c '^|' "$work/$name.md") table lines, $(( $(date +%s) - t0 )) s"
  }
  # Grids past 65535 work-groups in dimension 1 or 2 (NVIDIA's CUDA grid limit there): every
  # algorithm, verified, on layers whose batch x groups is 71680 (MobileNet's 1024-channel
  # depthwise layer at batch 70 is one).
  bench large_grid 10 --compare-algos --no-dense --layout both \
    --layer dw_large_grid:70,1024,2,2,1024,1024,3,3,1,1 \
    --layer grouped_large_grid:70,2048,3,3,2048,1024,3,3,1,1
fi
if [ "$mode" = algos ]; then
  for b in 8 1; do
    for l in nchw nhwc; do
      [ "$b$l" = 1nchw ] && continue # the all/bench mode's algos_b1_nchw
      v=(); [ "$b" = 8 ] && v=(--no-verify)
      bench "algos_b${b}_$l" 40 --compare-algos --batch "$b" --layout "$l" "${v[@]}"
      bench "algos_sweep_b${b}_$l" 30 --compare-algos --sweep --batch "$b" --layout "$l" "${v[@]}"
    done
  done
  bench algos_b1_nchw 40 --compare-algos --batch 1 --layout nchw
  bench algos_sweep_b1_nchw 30 --compare-algos --sweep --batch 1 --layout nchw
  bench algos_unusual_b8 30 --compare-algos --unusual --batch 8 --layout both --no-dense
fi
if [ "$mode" = variants ]; then
  # tune NAME ARGS...: the tuner on clgconv-bench's layers, its log in NAME.log (a fresh tuning
  # cache per run, so that every layer is measured)
  tune() {
    local name=$1 t; shift
    t=$(budget 150)
    if [ "$t" -lt 30 ]; then say "$name: skipped (${t} s left)"; return; fi
    local t0=$(date +%s)
    CLGCONV_TUNE=1 CLGCONV_VERBOSE=1 CLGCONV_CACHE_DIR=$work/cache_$name timeout -k 5 "$t" \
      "$bin/clgconv-bench" --device "$device" --iters 3 --min-time 0 --no-verify "$@" \
      --csv "$work/$name.csv" >/dev/null 2>"$work/$name.log"
    local rc=$?
    [ $rc = 0 ] || status=1
    say "$name: rc=$rc, $(grep -c '^clgconv: tuned' "$work/$name.log") candidates, $(( $(date +%s) - t0 )) s"
  }
  tune variants_sweep_b1_nchw --sweep --batch 1 --layout nchw
  tune variants_sweep_b8_nhwc --sweep --batch 8 --layout nhwc
  tune variants_sweep_b1_nhwc --sweep --batch 1 --layout nhwc
  tune variants_sweep_b8_nchw --sweep --batch 8 --layout nchw
  tune variants_suite_b1 --batch 1 --layout both --no-dense
  tune variants_suite_b8 --batch 8 --layout both --no-dense
  "${PYTHON:-python3}" "$root/tools/tuning_table.py" "$work"/variants_*.log >"$work/variants.md" 2>>"$summary"
  cp "$work/variants.md" "$out/variants.md"
  say "-- variants: $out/variants.md ($(grep -c '^## ' "$work/variants.md") layers)"
fi
if [ "$mode" = all ] || [ "$mode" = bench ]; then
  bench suite_b1_nchw 30 --batch 1 --layout nchw
  bench suite_b1_nhwc 30 --batch 1 --layout nhwc
  bench sweep_b1_nchw 20 --sweep --batch 1 --layout nchw
  bench sweep_b1_nhwc 20 --sweep --batch 1 --layout nhwc
  bench suite_b8_nchw 30 --batch 8 --layout nchw --no-verify
  bench sweep_b8_nchw 20 --sweep --batch 8 --layout nchw --no-verify
  bench sweep_b8_nhwc 20 --sweep --batch 8 --layout nhwc --no-verify
  bench suite_b8_nhwc 30 --batch 8 --layout nhwc --no-verify
  bench unusual_b1_nchw 20 --unusual --batch 1 --layout nchw --no-dense
  bench unusual_b1_nhwc 20 --unusual --batch 1 --layout nhwc --no-dense
  bench algos_b1_nchw 40 --compare-algos --batch 1 --layout nchw
  bench algos_unusual_b1 30 --compare-algos --unusual --batch 1 --layout both --no-dense
  merged=("$work"/suite_*.torch.csv "$work"/sweep_*.torch.csv)
  if [ -e "${merged[0]}" ]; then
    "$python" "$root/tools/torch_conv_bench.py" --summarize "${merged[@]}" --markdown \
      >"$work/summary_vs_torch.md" 2>&1
    say "-- clgconv vs PyTorch CUDA (geometric means; sweeps t(g)/t(1)):"
    tee -a "$summary" <"$work/summary_vs_torch.md"
  fi
  write_report >"$work/report.md"
  cp "$work/report.md" "$out/report.md"
fi
# ---------------------------------------------------------------- a wider test sweep
# Last, in what time is left: free windows, strides and dilations (CLGCONV_TEST_WIDE=1) on
# another seed and more random and medium shapes than the default run.
if [ "$mode" = all ] || [ "$mode" = tests ]; then
  t=$(budget 150)
  if [ "$t" -lt 60 ]; then
    say "== wide test sweep: skipped (${t} s left)"
  else
    seed=${WIDE_SEED:-20261126}
    say "== wide test sweep (CLGCONV_TEST_WIDE=1, seed $seed, 600 random + 24 medium shapes, limit ${t} s)"
    t0=$(date +%s)
    pids=()
    CLGCONV_TEST_WIDE=1 CLGCONV_TEST_SEED=$seed CLGCONV_TEST_SWEEP=600 CLGCONV_TEST_MEDIUM=24 \
      run_differential _wide "$t"
    wait "${pids[@]}"
    report_tests "$work/test_differential_wide.*.rc" _wide
    say "wide sweep took $(( $(date +%s) - t0 )) s"
  fi
fi
finish $status
