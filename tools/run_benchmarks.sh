#!/usr/bin/env bash
# run_benchmarks.sh: builds clgconv-bench if needed, runs the layer suite and the groups sweep (batch 1 and 8, NCHW and NHWC), a set of unusual layers, the PyTorch comparison and the plot, and writes docs/benchmarks.md.
#
# Usage: tools/run_benchmarks.sh [--quick] [--iters N] [--repeat N] [--build-dir DIR]
#                                [--results DIR] [--no-torch] [--no-compare-algos]
#                                [--batches "1 8"] [--layouts "nchw nhwc"] [--device X]
#                                [--out-md FILE] [--out-svg FILE] [--report-only]
# --repeat N runs each configuration N times, clgconv then PyTorch each time, and reports per
# layer the median of each side over the repeats (this VM class drifts in speed over minutes).
# --report-only measures nothing: it rebuilds the comparisons, plot and report from the raw CSVs
# an earlier run left in --results (same --repeat, --batches, --layouts).
# Environment: PYTHON (default /usr/bin/python3, Debian's, which sees python3-torch).
# Exit status: 0 when every run verified, 1 when any clgconv-bench run failed or errored (the
# report is still written), 2 on a usage or build error.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD_DIR="$ROOT/build-bench"
RESULTS=""
ITERS=5   # at least; short layers get more runs (clgconv-bench --min-time, 200 ms)
REPEAT=1
QUICK=0
TORCH=1
COMPARE_ALGOS=1
REPORT_ONLY=0
BATCHES="1 8"
LAYOUTS="nchw nhwc"
DEVICE=""
OUT_MD="$ROOT/docs/benchmarks.md"
OUT_SVG="$ROOT/docs/groups_sweep.svg"
PYTHON=${PYTHON:-/usr/bin/python3}

usage() { sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) QUICK=1 ;;
    --iters) ITERS=${2:?--iters needs a value}; shift ;;
    --repeat) REPEAT=${2:?--repeat needs a value}; shift ;;
    --build-dir) BUILD_DIR=${2:?--build-dir needs a value}; shift ;;
    --results) RESULTS=${2:?--results needs a value}; shift ;;
    --no-torch) TORCH=0 ;;
    --no-compare-algos) COMPARE_ALGOS=0 ;;
    --batches) BATCHES=${2:?--batches needs a value}; shift ;;
    --layouts) LAYOUTS=${2:?--layouts needs a value}; shift ;;
    --device) DEVICE=${2:?--device needs a value}; shift ;;
    --out-md) OUT_MD=${2:?--out-md needs a value}; shift ;;
    --out-svg) OUT_SVG=${2:?--out-svg needs a value}; shift ;;
    --report-only) REPORT_ONLY=1 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "run_benchmarks.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
  esac
  shift
done
case "$REPEAT" in ''|*[!0-9]*|0) echo "run_benchmarks.sh: --repeat needs a positive integer, got '$REPEAT'" >&2; exit 2 ;; esac
RESULTS=${RESULTS:-$BUILD_DIR/bench-results}
mkdir -p "$RESULTS" "$(dirname "$OUT_MD")" "$(dirname "$OUT_SVG")" || exit 2

log() { echo "run_benchmarks: $*" >&2; }

# ---------------------------------------------------------------- build
if [ ! -f "$BUILD_DIR/CMakeCache.txt" ]; then
  log "configuring $BUILD_DIR (Release)"
  cmake -S "$ROOT" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release >"$RESULTS/cmake.log" 2>&1 \
    || { cat "$RESULTS/cmake.log" >&2; exit 2; }
fi
log "building clgconv-bench in $BUILD_DIR"
cmake --build "$BUILD_DIR" --target clgconv-bench -j "$(nproc 2>/dev/null || echo 2)" \
  >"$RESULTS/build.log" 2>&1 || { tail -n 40 "$RESULTS/build.log" >&2; exit 2; }
BENCH="$BUILD_DIR/bench/clgconv-bench"
[ -x "$BENCH" ] || { log "no $BENCH after the build"; exit 2; }

BENCH_ARGS=(--iters "$ITERS")
[ "$QUICK" = 1 ] && BENCH_ARGS+=(--quick)
[ -n "$DEVICE" ] && BENCH_ARGS+=(--device "$DEVICE")

HAVE_TORCH=0
if [ "$TORCH" = 1 ]; then
  if "$PYTHON" -c "import torch" >/dev/null 2>&1; then
    HAVE_TORCH=1
  else
    log "PyTorch is not importable by $PYTHON: the comparison is skipped"
  fi
fi

STATUS=0
# run_one NAME ARGS...: runs clgconv-bench with --csv and --markdown into $RESULTS/NAME.{csv,md},
# then the PyTorch comparison into NAME.torch.{csv,md}. With --repeat N: N rounds of clgconv-bench
# (NAME.rK.{csv,md}) each followed by PyTorch's times alone (NAME.rK.torch-times.csv), then the
# comparison from the per-layer medians; NAME.{csv,md} are the last round's.
run_one() {
  local name=$1; shift
  local r tag csvs=() times=()
  rm -f "$RESULTS/$name.torch.csv" "$RESULTS/$name.torch.md"
  for r in $(seq 1 "$REPEAT"); do
    tag=$name
    [ "$REPEAT" -gt 1 ] && tag="$name.r$r"
    if [ "$REPORT_ONLY" = 1 ]; then # the earlier run's files
      csvs+=("$RESULTS/$tag.csv")
      [ "$REPEAT" -gt 1 ] && [ "$HAVE_TORCH" = 1 ] && times+=("$RESULTS/$tag.torch-times.csv")
      continue
    fi
    log "$tag: clgconv-bench ${BENCH_ARGS[*]} $*"
    "$BENCH" "${BENCH_ARGS[@]}" "$@" --markdown --csv "$RESULTS/$tag.csv" \
      >"$RESULTS/$tag.md" 2>"$RESULTS/$tag.log"
    local rc=$?
    if [ $rc -ne 0 ]; then
      log "$tag: clgconv-bench exited with $rc (see $RESULTS/$tag.md and .log)"
      STATUS=1
    fi
    csvs+=("$RESULTS/$tag.csv")
    if [ "$REPEAT" -gt 1 ] && [ "$HAVE_TORCH" = 1 ] && [ -s "$RESULTS/$tag.csv" ]; then
      log "$tag: PyTorch"
      GLIBC_TUNABLES=$TORCH_TUNABLES "$PYTHON" "$ROOT/tools/torch_conv_bench.py" \
        --bench-csv "$RESULTS/$tag.csv" --out "$RESULTS/$tag.torch-times.csv" --quiet \
        >/dev/null 2>>"$RESULTS/$tag.log" || log "$tag: PyTorch failed (see $RESULTS/$tag.log)"
      times+=("$RESULTS/$tag.torch-times.csv")
    fi
  done
  if [ "$REPEAT" -gt 1 ]; then
    cp "$RESULTS/$name.r$REPEAT.csv" "$RESULTS/$name.csv" 2>/dev/null
    cp "$RESULTS/$name.r$REPEAT.md" "$RESULTS/$name.md" 2>/dev/null
  fi
  if [ "$HAVE_TORCH" = 1 ] && [ -s "$RESULTS/$name.csv" ]; then
    local from=(--bench-csv "$RESULTS/$name.csv")
    [ "$REPEAT" -gt 1 ] && from=(--bench-csv "${csvs[@]}" --torch-csv "${times[@]}")
    log "$name: PyTorch comparison"
    GLIBC_TUNABLES=$TORCH_TUNABLES "$PYTHON" "$ROOT/tools/torch_conv_bench.py" "${from[@]}" \
      --merged "$RESULTS/$name.torch.csv" --markdown --quiet >"$RESULTS/$name.torch.md" \
      2>>"$RESULTS/$name.log" || log "$name: the PyTorch comparison failed (see $RESULTS/$name.log)"
  fi
}
TORCH_TUNABLES=glibc.malloc.mmap_threshold=2147483647:glibc.malloc.trim_threshold=17179869184
# Worker threads pinned to cores on both sides (see pin_worker_threads in bench/clgconv_bench.c:
# unpinned, PoCL's two workers sometimes shared one core and our times doubled); a value set by
# the caller wins (POCL_AFFINITY=0 to compare).
export POCL_AFFINITY=${POCL_AFFINITY:-1} OMP_PROC_BIND=${OMP_PROC_BIND:-close} OMP_PLACES=${OMP_PLACES:-cores}

CONFIGS=()
for b in $BATCHES; do
  for l in $LAYOUTS; do
    run_one "suite_b${b}_${l}" --batch "$b" --layout "$l" --roofline
    run_one "sweep_b${b}_${l}" --sweep --batch "$b" --layout "$l" --roofline
    CONFIGS+=("b${b}_${l}")
  done
done
FIRST_B=$(echo "$BATCHES" | awk '{print $1}')
FIRST_L=$(echo "$LAYOUTS" | awk '{print $1}')
# Off the common path (clgconv-bench --unusual: channel multipliers, odd windows, strides,
# dilations), batch 1; not in --quick.
UNUSUAL=()
if [ "$QUICK" = 0 ]; then
  for l in $LAYOUTS; do
    run_one "unusual_b${FIRST_B}_${l}" --unusual --batch "$FIRST_B" --layout "$l" --no-dense
    UNUSUAL+=("b${FIRST_B}_${l}")
  done
fi
if [ "$COMPARE_ALGOS" = 1 ] && [ "$REPORT_ONLY" = 0 ]; then
  log "per-algorithm comparison (batch $FIRST_B, $FIRST_L)"
  "$BENCH" "${BENCH_ARGS[@]}" --compare-algos --batch "$FIRST_B" --layout "$FIRST_L" --markdown \
    --csv "$RESULTS/algos_b${FIRST_B}_${FIRST_L}.csv" >"$RESULTS/algos.md" 2>"$RESULTS/algos.log" \
    || { log "per-algorithm comparison exited non-zero (see $RESULTS/algos.md)"; STATUS=1; }
fi

# ---------------------------------------------------------------- plot
SWEEP_CSVS=()
for c in "${CONFIGS[@]}"; do
  if [ -s "$RESULTS/sweep_$c.torch.csv" ]; then SWEEP_CSVS+=("$RESULTS/sweep_$c.torch.csv")
  elif [ -s "$RESULTS/sweep_$c.csv" ]; then SWEEP_CSVS+=("$RESULTS/sweep_$c.csv"); fi
done
PLOT_OK=0
if [ ${#SWEEP_CSVS[@]} -gt 0 ]; then
  "$PYTHON" "$ROOT/tools/plot_groups.py" --out "$OUT_SVG" "${SWEEP_CSVS[@]}" >&2 && PLOT_OK=1
fi

# ---------------------------------------------------------------- the report
# section TITLE FILE: the file's content under a heading, or a note that it is missing.
section() {
  echo "### $1"
  echo
  if [ -s "$2" ]; then cat "$2"; else echo "(not produced: see $(basename "$2" .md).log)"; fi
  echo
}
# sections KIND TITLE CONFIG...: for each configuration, the clgconv table of $RESULTS/KIND_CONFIG
# and, with PyTorch, its comparison.
sections() {
  local kind=$1 title=$2 c
  shift 2
  for c in "$@"; do
    section "$title, ${c/_/ } (clgconv)" "$RESULTS/${kind}_$c.md"
    if [ "$HAVE_TORCH" = 1 ]; then section "$title, ${c/_/ } vs PyTorch" "$RESULTS/${kind}_$c.torch.md"; fi
  done
}
MERGED=()
for c in "${CONFIGS[@]}"; do
  for kind in suite sweep; do
    [ -s "$RESULTS/${kind}_$c.torch.csv" ] && MERGED+=("$RESULTS/${kind}_$c.torch.csv")
  done
done
SVG_REL=$(realpath --relative-to="$(dirname "$OUT_MD")" "$OUT_SVG" 2>/dev/null || basename "$OUT_SVG")
{
  echo "# clgconv benchmarks"
  echo
  echo "Generated by \`tools/run_benchmarks.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC')"\
       "($( [ "$QUICK" = 1 ] && echo "quick mode, small layers; " )at least $ITERS timed runs per measurement$( [ "$REPEAT" -gt 1 ] && echo "; each configuration $REPEAT times, clgconv then PyTorch each time: the comparison tables show per-layer medians over the repeats, the clgconv-only tables the last repeat" ))."
  if [ "$REPORT_ONLY" = 1 ]; then
    echo "This report was rebuilt (\`--report-only\`) from the raw CSVs of a run measured from"\
         "$(sed -n 's/^# date: //p' "$RESULTS/suite_${CONFIGS[0]}$( [ "$REPEAT" -gt 1 ] && echo .r1).csv" 2>/dev/null | head -n 1)."
  fi
  echo "Raw CSVs: \`$RESULTS\`. Regenerate with \`tools/run_benchmarks.sh\` (see \`--help\`)."
  echo
  echo "## Machine"
  echo
  first="$RESULTS/suite_${CONFIGS[0]}.csv"
  if [ -s "$first" ]; then
    grep -E '^# (device|device_compute_units|host_cpu|host_threads|library_version|cpu_busy_before|pocl_affinity):' "$first" \
      | sed 's/^# /- /'
  fi
  if [ "$HAVE_TORCH" = 1 ]; then
    echo "- PyTorch: $("$PYTHON" -c 'import torch; print(torch.__version__)' 2>/dev/null) CPU,"\
         "same thread count as the OpenCL CPU device's compute units (else the host's CPUs)"
  else
    echo "- PyTorch: not available (comparison skipped)"
  fi
  echo
  echo "Timings on a shared or busy machine are noisy: compare ratios taken in one run."
  echo "PyTorch runs with GLIBC_TUNABLES=glibc.malloc.mmap_threshold=2147483647:glibc.malloc.trim_threshold=17179869184"
  echo "so that freed tensors are reused rather than returned to the OS (otherwise every call pays"
  echo "fresh page faults, which made batch-8 NCHW timings 2-40x slower on this VM class)."
  echo "Both sides pin their worker threads to cores: POCL_AFFINITY=$POCL_AFFINITY for PoCL,"
  echo "OMP_PROC_BIND=$OMP_PROC_BIND OMP_PLACES=$OMP_PLACES for PyTorch (unpinned, PoCL's two workers"
  echo "sometimes shared one core on this VM and clgconv's times doubled for minutes at a time)."
  echo
  if [ ${#MERGED[@]} -gt 0 ]; then
    echo "## Summary: clgconv vs PyTorch CPU"
    echo
    "$PYTHON" "$ROOT/tools/torch_conv_bench.py" --summarize "${MERGED[@]}" --markdown
    echo
  fi
  echo "## Roofline: each run against the device's own peak and bandwidth"
  echo
  echo "Each clgconv-bench run first measures the device's float FMA peak and copy bandwidth"
  echo "(\`--roofline\`); targets: dense layers and groups of >= 16 input and output channels at >= 50 % of the"
  echo "peak, depthwise layers that move more than the device's cache at >= 50 % of the copy"
  echo "bandwidth (last repeat of each configuration)."
  echo
  for c in "${CONFIGS[@]}"; do
    for kind in suite sweep; do
      [ -s "$RESULTS/${kind}_$c.md" ] || continue
      echo "- ${kind} ${c/_/ }:"
      grep -E '^- (roofline, measured|compute-bound layers|depthwise layers (moving|within))' "$RESULTS/${kind}_$c.md" \
        | sed 's/^- /  - /'
    done
  done
  echo
  echo "## Groups sweep: does grouping make it faster?"
  echo
  if [ "$PLOT_OK" = 1 ]; then
    echo "![time against groups]($SVG_REL)"
    echo
  fi
  sections sweep Sweep "${CONFIGS[@]}"
  echo "## Layer suite"
  echo
  echo "AlexNet conv2 (g=2), ResNeXt-50 32x4d grouped 3x3 convs (g=32), MobileNetV2 depthwise 3x3,"
  echo "ShuffleNet v1 g=3 1x1 group convs, each with its dense twin (same shape, g=1, \"-dense\")."
  echo
  sections suite Suite "${CONFIGS[@]}"
  if [ ${#UNUSUAL[@]} -gt 0 ]; then
    echo "## Off the common path: channel multipliers, odd windows, strides, dilations"
    echo
    echo "Depthwise with channel multipliers 2 and 3, MixNet's 9x9 and DeepLab's dilation-12"
    echo "depthwise windows, ResNeXt's stride-2 g=32 block, Inception's 1x7 and 7x1, ConvNeXt's 2x2"
    echo "stride-2 downsampling (dense), batch $FIRST_B: the shapes other libraries leave to slow"
    echo "paths. Every window up to 7x7 (tiled) or 11x11 (depthwise), with any stride, dilation or"
    echo "multiplier, gets a specialised build."
    echo
    sections unusual "Unusual layers" "${UNUSUAL[@]}"
  fi
  if [ "$COMPARE_ALGOS" = 1 ]; then
    echo "## Per-algorithm comparison (batch $FIRST_B, $FIRST_L)"
    echo
    if [ -s "$RESULTS/algos.md" ]; then cat "$RESULTS/algos.md"; else echo "(not produced: see algos.log)"; fi
    echo
  fi
} >"$OUT_MD"
log "wrote $OUT_MD$( [ "$PLOT_OK" = 1 ] && echo " and $OUT_SVG")"
exit $STATUS
