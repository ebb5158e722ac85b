#!/usr/bin/python3
"""torch_conv_bench.py: times the layers of a clgconv-bench run with PyTorch's CPU convolution and reports the ratios.

Reads the CSV written by `clgconv-bench --csv FILE` (or layers given with --layers), runs each
distinct layer with PyTorch on the CPU (NCHW tensors, or channels_last for NHWC rows) with
torch.set_num_threads(N), two ways - torch.nn.functional.conv2d and a Conv2d module frozen by
torch.jit.optimize_for_inference (weights prepacked once, as clgconv-bench's default packed
weights) - and keeps the faster per layer; then prints, per layer, clgconv's and PyTorch's median
times, the speedup (PyTorch time / clgconv time: above 1 means clgconv is faster), each one's
time relative to the dense (g = 1) twin, and geometric-mean speedups over:
  - the grouped and depthwise targets: ResNeXt-50 g=32 layers, MobileNetV2 depthwise layers and
    groups-sweep rows with g >= 16;
  - the dense layers (g = 1);
  - every grouped layer (g > 1).

With --torch-device cuda (for a clgconv run on an NVIDIA GPU) the peer is PyTorch's CUDA
convolution (cuDNN) on the same GPU instead: torch.backends.cudnn.benchmark on (cuDNN picks its
fastest algorithm per shape, as a tuned application would) and TF32 off (clgconv computes in
full fp32; TF32 rounds the operands to 10-bit mantissas), each call timed like clgconv-bench's
(host clock around the call and a synchronize).

Repeated runs (tools/run_benchmarks.sh --repeat N): this VM class drifts in speed over minutes,
so a configuration measured once on each side can be biased either way. Given several
clgconv-bench CSVs of the same layers (--bench-csv A B C) and as many PyTorch-only CSVs written
with --out right after each (--torch-csv A' B' C'), the script times nothing and reports, per
layer, the median over the repeats of each side's median time (a layer counts as verified only
when every repeat verified it).

PyTorch is optional: when `import torch` fails the script says so and exits 0 ("skipped").
Run it with Debian's /usr/bin/python3 (python3-torch). It sets
GLIBC_TUNABLES=glibc.malloc.mmap_threshold=2147483647:glibc.malloc.trim_threshold=17179869184
(re-executing itself when the variable is unset): by default glibc serves large tensors with
fresh mmap()s and returns freed memory to the OS, so every call pays page faults (about 12 us per
4 KiB page on this VM class), which made batch-8 NCHW timings 2-40x slower than the convolution
itself. With the tunables, freed blocks are reused, as in a long-running process.
"""

import argparse
import csv
import math
import os
import statistics
import sys
import time

TUNABLES = "glibc.malloc.mmap_threshold=2147483647:glibc.malloc.trim_threshold=17179869184"
SHAPE_FIELDS = ("batch", "in_channels", "in_height", "in_width", "out_channels", "groups",
                "kernel_h", "kernel_w", "stride", "pad", "dilation")


def reexec_with_tunables():
    """Restarts this script with GLIBC_TUNABLES set (glibc reads it only at process start)."""
    if os.environ.get("GLIBC_TUNABLES") or os.environ.get("TORCH_CONV_BENCH_NO_REEXEC"):
        return
    env = dict(os.environ, GLIBC_TUNABLES=TUNABLES, TORCH_CONV_BENCH_NO_REEXEC="1")
    try:
        os.execve(sys.executable, [sys.executable] + sys.argv, env)
    except OSError as e:
        print(f"torch_conv_bench: could not re-execute with GLIBC_TUNABLES ({e}); "
              "timings may include page faults", file=sys.stderr)


def read_bench_csv(path):
    """Returns (meta dict from the '# key: value' lines, list of row dicts)."""
    meta, lines = {}, []
    with open(path, newline="") as f:
        for line in f:
            if line.startswith("#"):
                key, sep, value = line[1:].partition(":")
                if sep:
                    meta[key.strip()] = value.strip()
            elif line.strip():
                lines.append(line)
    rows = list(csv.DictReader(lines))
    return meta, rows


def parse_layer_spec(spec):
    """'[name:]N,C,H,W,K,g,kh,kw[,stride[,pad[,dilation]]]' -> row dict like the bench CSV's."""
    name = ""
    if ":" in spec:
        name, spec = spec.split(":", 1)
    values = [int(v) for v in spec.split(",")]
    if not 8 <= len(values) <= 11:
        raise ValueError(f"layer '{spec}': expected 8 to 11 comma-separated integers")
    values += [1, 0, 1][len(values) - 8:]
    row = dict(zip(SHAPE_FIELDS, (str(v) for v in values)))
    row.update(mode="layer", family="custom", layer=name or "C{}-{}x{}-K{}-k{}x{}".format(
        values[1], values[2], values[3], values[4], values[6], values[7]),
        status="", median_ms="", algo_requested="", algo="", t_over_dense="")
    return row


def median_of_repeats(rows, others):
    """rows with median_ms replaced by the median over rows and each list in others (the same
    layers in the same order, else None); status stays "ok" only where every repeat's is."""
    out = []
    for i, r in enumerate(rows):
        reps = [r] + [o[i] if i < len(o) else None for o in others]
        if any(x is None or shape_key(x) != shape_key(r) or x.get("layer") != r.get("layer") or
               x.get("algo_requested") != r.get("algo_requested") for x in reps):
            return None
        m = dict(r)
        if all(x.get("status") == "ok" for x in reps):
            m["median_ms"] = f"{statistics.median(float(x['median_ms']) for x in reps):.6f}"
        else:
            bad = next(x for x in reps if x.get("status") != "ok")
            m["status"], m["median_ms"] = bad.get("status", "error"), "nan"
        out.append(m)
    return out if all(len(o) == len(rows) for o in others) else None


def shape_key(row, with_groups=True):
    fields = SHAPE_FIELDS if with_groups else tuple(f for f in SHAPE_FIELDS if f != "groups")
    return tuple(int(row[f]) for f in fields) + (row["layout"],)


def time_calls(call, iters, warmup, min_time_ms, sync):
    """Median milliseconds of call(): at least iters timed runs, more (up to 50 x iters) until
    min_time_ms of timed runs add up; (median, runs)."""
    times = []
    for _ in range(warmup):
        call()
    sync()
    while len(times) < iters or (sum(times) < min_time_ms and len(times) < 50 * iters):
        t0 = time.perf_counter()
        y = call()
        sync()
        t1 = time.perf_counter()
        times.append((t1 - t0) * 1e3)
        del y  # the output is freed after t1
    return statistics.median(times), len(times)


def time_torch_layer(torch, row, iters, warmup, min_time_ms, device="cpu"):
    """PyTorch's time for this layer (input, weights and bias in [-1, 1)), in milliseconds:
    (median, runs, variant). On the CPU the faster of two ways to call it, each timed as
    time_calls does: "eager" (torch.nn.functional.conv2d, which lets oneDNN reorder the weights
    in every call) and "frozen" (a torch.nn.Conv2d scripted and passed through
    torch.jit.optimize_for_inference, which freezes the module and prepacks its weights for
    oneDNN once: PyTorch's own counterpart of clgconv's packed weights). On a CUDA device eager
    only, each timed call ending with a synchronize (the call's whole latency, as clgconv-bench's
    enqueue + clFinish)."""
    n, c, h, w, k, g, kh, kw, s, p, d = (int(row[f]) for f in SHAPE_FIELDS)
    gen = torch.Generator().manual_seed(1)
    x = torch.rand(n, c, h, w, generator=gen) * 2 - 1
    weight = torch.rand(k, c // g, kh, kw, generator=gen) * 2 - 1
    bias = torch.rand(k, generator=gen) * 2 - 1
    x, weight, bias = x.to(device), weight.to(device), bias.to(device)
    if row["layout"] == "NHWC":
        x = x.contiguous(memory_format=torch.channels_last)
        weight = weight.contiguous(memory_format=torch.channels_last)
    conv = torch.nn.functional.conv2d
    sync = torch.cuda.synchronize if device != "cpu" else (lambda: None)

    def eager():
        y = conv(x, weight, bias, stride=s, padding=p, dilation=d, groups=g)
        assert y.shape[0] == n and y.shape[1] == k
        return y

    with torch.no_grad():
        best = time_calls(eager, iters, warmup, min_time_ms, sync) + ("eager",)
        if device != "cpu":
            return best
        try:
            module = torch.nn.Conv2d(c, k, (kh, kw), stride=s, padding=p, dilation=d, groups=g)
            module.weight.copy_(weight)
            module.bias.copy_(bias)
            module.eval()
            if row["layout"] == "NHWC":
                module = module.to(memory_format=torch.channels_last)
            frozen = torch.jit.optimize_for_inference(torch.jit.script(module))
            if not torch.allclose(eager(), frozen(x), rtol=1e-3, atol=1e-3):
                raise RuntimeError("its output differs from F.conv2d's")
        except Exception as e:  # freezing rejected the layer, or it disagrees: eager only
            print(f"torch_conv_bench: {row.get('layer', '')}: no frozen module ({e}); "
                  "eager only", file=sys.stderr)
            return best
        timed = time_calls(lambda: frozen(x), iters, warmup, min_time_ms, sync) + ("frozen",)
    return timed if timed[0] < best[0] else best


def is_target(m):
    """The grouped layers the project reports on: ResNeXt-50 g=32, MobileNetV2 depthwise and the
    groups sweep at g >= 16."""
    g = int(m["groups"])
    return g > 1 and (m.get("family") in ("resnext50", "mobilenetv2") or
                      (m.get("mode") == "sweep" and g >= 16))


def copy_curve(meta):
    """[(bytes per buffer, GB/s)] from the bench CSV's copy_gbs_by_bytes line, by size."""
    curve = []
    for item in meta.get("copy_gbs_by_bytes", "").split():
        size, _, gbs = item.partition("=")
        try:
            curve.append((float(size), float(gbs)))
        except ValueError:
            pass
    return sorted(curve)


def bound_ms(meta, row):
    """About the least time any implementation's call, waited for, takes for row's layer on the
    device, from the clgconv-bench run's own measurements (--roofline): the call floor (one empty
    kernel's enqueue + clFinish) plus the longer of its FLOPs at the FMA peak and its fewest bytes
    at the copy bandwidth of a copy of about its size: the faster of the two measured copies
    around it (the largest whose two buffers move no more bytes, the smallest that moves more),
    so that it errs fast. nan without those measurements."""
    try:
        peak = float(meta["peak_gflops"]) * 1e9
        floor = float(meta["call_floor_ms"])
        nbytes = float(row["min_bytes"])
        curve = copy_curve(meta)
        below = [gbs for size, gbs in curve if 2 * size <= nbytes]
        above = [gbs for size, gbs in curve if 2 * size > nbytes]
        gbs = max(below[-1:] + above[:1])
        return floor + 1e3 * max(2.0 * float(row["macs"]) / peak, nbytes / (gbs * 1e9))
    except (KeyError, ValueError, ZeroDivisionError, IndexError):
        return float("nan")


def best_machine_meta(metas):
    """One meta dict for several repeats of a run: the device's best measured peak and copy
    bandwidths and its lowest call floor (a repeat that started in one of this VM class's slow
    phases measures them low; the bound is what the device can do)."""
    meta = dict(metas[0])
    def pick(key, best):
        values = []
        for m in metas:
            try:
                values.append(float(m[key]))
            except (KeyError, ValueError):
                return
        meta[key] = f"{best(values):.6f}"
    pick("peak_gflops", max)
    try:  # the width of the vectors that reached that peak, from the same repeat
        best_peak = max(metas, key=lambda m: float(m["peak_gflops"]))
        if "peak_width" in best_peak:
            meta["peak_width"] = best_peak["peak_width"]
    except (KeyError, ValueError):
        pass
    pick("copy_gbs", max)
    pick("call_floor_ms", min)
    best = {}  # per buffer size, the best bandwidth any repeat measured at that size
    for m in metas:
        for size, gbs in copy_curve(m):
            best[size] = max(gbs, best.get(size, gbs))
    if best:
        meta["copy_gbs_by_bytes"] = " ".join(f"{size:.0f}={gbs:.3f}"
                                             for size, gbs in sorted(best.items()))
    return meta


CATEGORIES = [
    ("grouped and depthwise targets (ResNeXt-50 g=32, MobileNetV2 depthwise, sweep g>=16)",
     is_target),
    ("dense layers (g = 1)", lambda m: int(m["groups"]) == 1),
    ("all grouped layers (g > 1)", lambda m: int(m["groups"]) > 1),
]


def cpu_busy_fraction(seconds=0.25):
    """Fraction of all CPUs busy (with other processes: this one sleeps) over a short interval,
    from /proc/stat; -1 when unavailable."""
    def read():
        with open("/proc/stat") as f:
            v = [int(x) for x in f.readline().split()[1:9]]
        return sum(v), v[3] + v[4]
    try:
        t0, i0 = read()
        time.sleep(seconds)
        t1, i1 = read()
    except (OSError, ValueError, IndexError):
        return -1.0
    return 1.0 - (i1 - i0) / (t1 - t0) if t1 > t0 else -1.0


def geomean(values):
    values = [v for v in values if v and v > 0 and math.isfinite(v)]
    if not values:
        return float("nan"), 0
    return math.exp(sum(math.log(v) for v in values) / len(values)), len(values)


def fmt(value, spec):
    if value is None or value == "" or (isinstance(value, float) and not math.isfinite(value)):
        return "-"
    return format(float(value), spec)


def print_table(titles, right, rows, markdown, out=sys.stdout):
    widths = [max([len(t)] + [len(r[i]) for r in rows]) for i, t in enumerate(titles)]
    sep, open_, close = (" | ", "| ", " |") if markdown else ("  ", "", "")

    def line(cells):
        return open_ + sep.join(c.rjust(w) if r else c.ljust(w)
                                for c, w, r in zip(cells, widths, right)).rstrip() + close

    print(line(titles), file=out)
    if markdown:
        print(open_ + sep.join(("-" * (w - 1) + ":") if r else "-" * w
                               for w, r in zip(widths, right)) + close, file=out)
    else:
        print(sep.join("-" * w for w in widths), file=out)
    for r in rows:
        print(line(r), file=out)


def shape_str(row):
    s = "N{batch} C{in_channels} {in_height}x{in_width} K{out_channels} k{kernel_h}x{kernel_w} " \
        "s{stride} p{pad}".format(**row)
    return s + (" d" + row["dilation"] if row["dilation"] != "1" else "")


def config_label(meta, rows):
    """'suite N=1 NCHW' from a merged CSV's rows."""
    modes = sorted({r.get("mode", "") for r in rows})
    batches = sorted({r["batch"] for r in rows}, key=int)
    layouts = sorted({r["layout"] for r in rows})
    return "{} N={} {}".format("+".join(modes), ",".join(batches), ",".join(layouts))


def summarize(paths, markdown):
    """Cross-configuration tables from several --merged CSVs: geometric-mean speedups per
    configuration, and the sweeps' t(g)/t(1) side by side."""
    bullet = "- " if markdown else ""
    summary, sweeps = [], []
    # The target layers of the suite and of the sweep of one batch size and layout, together
    # (the issue names both sets; the first table keeps them apart).
    combined = {}
    for path in paths:
        try:
            meta, rows = read_bench_csv(path)
        except OSError as e:
            print(f"torch_conv_bench: {path}: {e}", file=sys.stderr)
            continue
        rows = [r for r in rows if r.get("algo_requested", "auto") == "auto"]
        if not rows:
            continue
        label = config_label(meta, rows)
        cells = [label]
        for _, pick in CATEGORIES:
            gm, n = geomean([float(r.get("speedup_vs_torch") or "nan") for r in rows if pick(r)])
            cells.append(f"{fmt(gm, '.2f')} ({n})" if n else "-")
        summary.append(cells)
        config = label.split(" ", 1)[1] if " " in label else label
        speedups, ceilings = combined.setdefault(config, ([], []))
        speedups.extend(float(r.get("speedup_vs_torch") or "nan") for r in rows if is_target(r))
        ceilings.extend(float(r.get("ceiling_vs_torch") or "nan") for r in rows if is_target(r))
        if any(r.get("mode") == "sweep" for r in rows):
            sweeps.append((label, rows))
    if summary:
        print_table(["configuration", "grouped+depthwise targets", "dense (g=1)", "all g>1"],
                    [False, True, True, True], summary, markdown)
        print()
        print(f"{bullet}geometric mean of PyTorch time / clgconv time (above 1: clgconv is "
              f"faster), number of layers in parentheses; targets = ResNeXt-50 g=32, MobileNetV2 "
              f"depthwise and sweep rows with g >= 16")
    if len(combined) < len(summary):
        table = []
        for config, (speedups, ceilings) in combined.items():
            gm, n = geomean(speedups)
            cm, cn = geomean(ceilings)
            table.append([config, f"{fmt(gm, '.2f')} ({n})" if n else "-",
                          f"{fmt(cm, '.2f')} ({cn})" if cn else "-"])
        print()
        print_table(["configuration", "suite + sweep targets together", "roofline ceiling"],
                    [False, True, True], table, markdown)
        print()
        print(f"{bullet}the same geometric mean over the suite's and the sweep's target layers "
              f"of one batch size and layout together; roofline ceiling: the same geometric mean "
              f"of PyTorch time / bound, where a layer's bound is the device's call floor (one "
              f"empty kernel, enqueue + clFinish) plus the longer of its FLOPs at the measured FMA "
              f"peak and its fewest bytes at the measured bandwidth of a copy of about its size: "
              f"the speedup a perfect implementation would reach through "
              f"this driver, each call waited for")
    if sweeps:
        gs = sorted({int(r["groups"]) for _, rows in sweeps for r in rows})
        titles = ["g", "ideal 1/g"]
        for label, _ in sweeps:
            titles += [f"clgconv {label.replace('sweep ', '')}", f"PyTorch {label.replace('sweep ', '')}"]
        table = []
        for g in gs:
            cells = [str(g), f"{1.0 / g:.4f}"]
            for _, rows in sweeps:
                row = next((r for r in rows if int(r["groups"]) == g), None)
                cells.append(fmt(row.get("t_over_dense") if row else "", ".4f"))
                cells.append(fmt(row.get("torch_t_over_dense") if row else "", ".4f"))
            table.append(cells)
        print()
        print_table(titles, [True] * len(titles), table, markdown)
        print()
        print(f"{bullet}t(g)/t(1) of the groups sweeps (time relative to the dense layer of the "
              f"same sweep and run); the ideal is 1/g")
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    src = ap.add_mutually_exclusive_group(required=True)
    src.add_argument("--summarize", nargs="+", metavar="MERGED_CSV",
                     help="print cross-configuration tables from --merged CSVs (no PyTorch run)")
    src.add_argument("--bench-csv", nargs="+",
                     help="CSV written by clgconv-bench --csv (several: repeats of one run, "
                          "see --torch-csv)")
    src.add_argument("--layers", help="';'-separated [name:]N,C,H,W,K,g,kh,kw[,stride[,pad[,dil]]]")
    ap.add_argument("--layout", choices=["nchw", "nhwc", "both"], default="nchw",
                    help="layout of --layers (default nchw)")
    ap.add_argument("--torch-device", choices=["cpu", "cuda"], default="cpu",
                    help="where PyTorch runs (default cpu; cuda: cuDNN, for GPU runs)")
    ap.add_argument("--threads", type=int, default=0,
                    help="torch.set_num_threads (default: os.cpu_count())")
    ap.add_argument("--iters", type=int, default=0,
                    help="timed runs per layer (default: the bench CSV's, else 10)")
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--min-time-ms", type=float, default=-1,
                    help="keep timing a layer until this much (default: the bench CSV's "
                         "min_time_ms, else 200), at most 50 x iters runs")
    ap.add_argument("--torch-csv", nargs="+", metavar="TORCH_CSV",
                    help="PyTorch times written by --out, one per --bench-csv repeat: take "
                         "per-layer medians over the repeats instead of timing PyTorch")
    ap.add_argument("--out", help="write PyTorch's times as CSV here")
    ap.add_argument("--merged", help="write the bench rows with PyTorch columns added here")
    ap.add_argument("--markdown", action="store_true", help="print the tables as Markdown")
    ap.add_argument("--quiet", action="store_true", help="no progress on stderr")
    args = ap.parse_args()
    if args.summarize:
        return summarize(args.summarize, args.markdown)

    reexec_with_tunables()

    try:
        import torch
    except Exception as e:  # ImportError, or a broken installation
        print(f"torch_conv_bench: skipped: PyTorch is not importable by {sys.executable} ({e}); "
              "install python3-torch (Debian) to compare with PyTorch's CPU convolution")
        return 0

    if args.torch_csv and (not args.bench_csv or len(args.torch_csv) != len(args.bench_csv)):
        print("torch_conv_bench: --torch-csv needs one file per --bench-csv file",
              file=sys.stderr)
        return 2
    if args.bench_csv:
        meta, rows = read_bench_csv(args.bench_csv[0])
        if len(args.bench_csv) > 1:
            repeats = [read_bench_csv(p) for p in args.bench_csv[1:]]
            meta = best_machine_meta([meta] + [m for m, _ in repeats])
            rows = median_of_repeats(rows, [r for _, r in repeats])
            if rows is None:
                print("torch_conv_bench: the --bench-csv files list different layers",
                      file=sys.stderr)
                return 2
            meta["repeats"] = str(len(args.bench_csv))
    else:
        meta = {}
        layouts = ["NCHW", "NHWC"] if args.layout == "both" else [args.layout.upper()]
        rows = []
        for layout in layouts:
            for spec in filter(None, (s.strip() for s in args.layers.split(";"))):
                row = parse_layer_spec(spec)
                row["layout"] = layout
                rows.append(row)
    # Same thread count as the OpenCL CPU device ran with, else the machine's logical CPUs.
    threads = args.threads
    if not threads and meta.get("device_is_cpu") == "1":
        threads = int(meta.get("device_compute_units", "0") or 0)
    threads = threads or os.cpu_count() or 1
    iters = args.iters or int(meta.get("iters", "10") or 10)
    min_time_ms = args.min_time_ms if args.min_time_ms >= 0 else \
        float(meta.get("min_time_ms", "200") or 200)
    torch.set_num_threads(threads)
    device = args.torch_device
    bind = os.environ.get("OMP_PROC_BIND", "")
    pinned = f" bound to cores (OMP_PROC_BIND={bind})" if bind and bind != "false" else ""
    peer = (f"CPU (per layer the faster of torch.nn.functional.conv2d and a module frozen by "
            f"torch.jit.optimize_for_inference, weights prepacked), {threads} threads{pinned}"
            if device == "cpu" else
            "CUDA (cuDNN, benchmark mode, TF32 off)")
    if device == "cuda":
        if not torch.cuda.is_available():
            print("torch_conv_bench: --torch-device cuda but torch.cuda.is_available() is False",
                  file=sys.stderr)
            return 1
        torch.backends.cudnn.benchmark = True
        torch.backends.cudnn.allow_tf32 = False
        torch.backends.cuda.matmul.allow_tf32 = False
        peer += " on " + torch.cuda.get_device_name(0)

    busy = cpu_busy_fraction()
    distinct = []
    seen = set()
    for r in rows:
        key = shape_key(r)
        if key not in seen:
            seen.add(key)
            distinct.append(r)
    torch_ms, torch_runs, torch_variant = {}, {}, {}
    t_start = time.perf_counter()
    if args.torch_csv:
        distinct = []  # nothing to time: the medians of the repeats' PyTorch times
        per_key = {}
        for path in args.torch_csv:
            for r in read_bench_csv(path)[1]:
                per_key.setdefault(shape_key(r), []).append(float(r["torch_median_ms"]))
                torch_runs[shape_key(r)] = torch_runs.get(shape_key(r), 0) + int(r["torch_iters"])
                seen_variants = torch_variant.setdefault(shape_key(r), r.get("torch_variant", ""))
                if seen_variants != r.get("torch_variant", ""):
                    torch_variant[shape_key(r)] = "mixed"  # the faster one changed between repeats
        for key, values in per_key.items():
            finite = [v for v in values if math.isfinite(v)]
            torch_ms[key] = statistics.median(finite) if len(finite) == len(values) else \
                float("nan")
    for i, r in enumerate(distinct):
        if not args.quiet:
            print(f"[torch {i + 1}/{len(distinct)}] {r['layer']} {r['layout']} g={r['groups']} ...",
                  end="", file=sys.stderr, flush=True)
        try:
            torch_ms[shape_key(r)], torch_runs[shape_key(r)], torch_variant[shape_key(r)] = \
                time_torch_layer(torch, r, iters, args.warmup, min_time_ms, device)
        except RuntimeError as e:  # e.g. out of memory
            torch_ms[shape_key(r)] = float("nan")
            print(f"torch_conv_bench: {r['layer']} failed: {e}", file=sys.stderr)
        if not args.quiet:
            print(f" {torch_ms[shape_key(r)]:.3f} ms "
                  f"({torch_variant.get(shape_key(r), '-')})", file=sys.stderr)
    if not args.quiet and not args.torch_csv:
        print(f"torch: {len(distinct)} layers in {time.perf_counter() - t_start:.1f} s",
              file=sys.stderr)

    def dense_ms(table, row):
        key = shape_key(row, with_groups=False)
        for r in rows:
            if r["groups"] == "1" and shape_key(r, with_groups=False) == key:
                return table(r)
        return float("nan")

    def ours(row):
        try:
            return float(row["median_ms"]) if row.get("status") == "ok" else float("nan")
        except ValueError:
            return float("nan")

    def theirs(row):
        return torch_ms.get(shape_key(row), float("nan"))

    # Ours: the fastest dense run of the shape (as clgconv-bench's own vs g=1 column).
    def ours_dense(row):
        key = shape_key(row, with_groups=False)
        times = [ours(r) for r in rows if r["groups"] == "1" and
                 shape_key(r, with_groups=False) == key]
        times = [t for t in times if math.isfinite(t)]
        return min(times) if times else float("nan")

    merged = []
    for r in rows:
        m = dict(r)
        t_ours, t_torch = ours(r), theirs(r)
        m["torch_median_ms"] = t_torch
        m["torch_threads"] = threads
        m["torch_iters"] = torch_runs.get(shape_key(r), 0)
        m["torch_variant"] = torch_variant.get(shape_key(r), "")
        m["speedup_vs_torch"] = t_torch / t_ours if t_ours > 0 else float("nan")
        m["torch_t_over_dense"] = t_torch / dense_ms(theirs, r)
        m["t_over_dense"] = t_ours / ours_dense(r) if t_ours > 0 else float("nan")
        m["bound_ms"] = bound_ms(meta, r)
        m["ceiling_vs_torch"] = t_torch / m["bound_ms"]
        merged.append(m)

    if args.out:
        with open(args.out, "w", newline="") as f:
            f.write(f"# torch {torch.__version__} {peer}, median of {iters} runs "
                    f"after {args.warmup} warm-up\n")
            w = csv.writer(f)
            w.writerow(SHAPE_FIELDS + ("layout", "torch_median_ms", "torch_iters",
                                       "torch_variant"))
            for r in distinct:
                w.writerow([r[f] for f in SHAPE_FIELDS] +
                           [r["layout"], f"{theirs(r):.6f}", torch_runs.get(shape_key(r), 0),
                            torch_variant.get(shape_key(r), "")])
    if args.merged:
        with open(args.merged, "w", newline="") as f:
            for k, v in meta.items():
                f.write(f"# {k}: {v}\n")
            f.write(f"# torch: {torch.__version__} {peer}, median of {iters} runs\n")
            fields = list(merged[0].keys()) if merged else []
            w = csv.DictWriter(f, fieldnames=fields)
            w.writeheader()
            for m in merged:
                w.writerow({k: (f"{v:.6f}" if isinstance(v, float) else v) for k, v in m.items()})

    bullet = "- " if args.markdown else ""
    if busy > 0.25 and device == "cpu":
        print(f"{bullet}WARNING: other processes were using {100 * busy:.0f} % of the CPUs before "
              "the run: PyTorch's multi-threaded timings are unreliable (its OpenMP threads wait "
              "for descheduled peers)")
        if args.markdown:
            print()
    runs = (f"median of at least {iters} runs (more until {min_time_ms:g} ms of runs)"
            if min_time_ms > 0 else f"median of {iters} runs")
    repeats = (f"; both sides: the median over {len(args.torch_csv)} alternating repeats "
               "(clgconv, then PyTorch, in each)" if args.torch_csv else "")
    print(f"{bullet}PyTorch {torch.__version__} {peer}, "
          f"{runs} after {args.warmup} warm-up{repeats}; NHWC rows use channels_last")
    print()
    has_sweep = any(r.get("mode") == "sweep" for r in rows)
    has_bound = any(math.isfinite(m["bound_ms"]) for m in merged)
    titles = ["layer", "layout", "shape", "g", "algorithm", "clgconv ms", "torch ms",
              "speedup", "clgconv vs g=1", "torch vs g=1"] + (["ideal 1/g"] if has_sweep else []) \
        + (["bound ms", "ceiling"] if has_bound else [])
    right = [False, False, False, True, False] + [True] * (len(titles) - 5)
    table_rows = []
    for m in merged:
        algo = m.get("algo_requested", "")
        if algo == "auto" and m.get("algo"):
            algo = "auto>" + m["algo"]
        cells = [m["layer"], m["layout"], shape_str(m), m["groups"], algo or "-",
                 fmt(ours(m), ".3f"), fmt(m["torch_median_ms"], ".3f"),
                 fmt(m["speedup_vs_torch"], ".2f"), fmt(m["t_over_dense"], ".3f"),
                 fmt(m["torch_t_over_dense"], ".3f")]
        if has_sweep:
            cells.append(fmt(1.0 / int(m["groups"]), ".3f"))
        if has_bound:
            cells += [fmt(m["bound_ms"], ".3f"), fmt(m["ceiling_vs_torch"], ".2f")]
        table_rows.append(cells)
    print_table(titles, right, table_rows, args.markdown)
    print()
    print(f"{bullet}speedup = PyTorch time / clgconv time (above 1: clgconv is faster)")
    if has_bound:
        curve = copy_curve(meta)
        print(f"{bullet}bound = the device's call floor ({float(meta['call_floor_ms']):.3f} ms: "
              f"one empty kernel, enqueue + clFinish) + the longer of the layer's FLOPs at the "
              f"FMA peak ({float(meta['peak_gflops']):.0f} GFLOP/s) and its fewest bytes at the "
              f"copy bandwidth of a copy of about its size ("
              f"{', '.join(f'{g:.0f}' for _, g in curve)} GB/s from "
              f"{curve[0][0] / 1048576:g} to {curve[-1][0] / 1048576:g} MiB "
              f"buffers), all measured in this run"
              f"{' (the best of the repeats)' if len(args.bench_csv or []) > 1 else ''}: "
              f"about the least one call, waited for, can take through this driver (the "
              f"floor is a median; single calls vary); ceiling = PyTorch time / bound, the "
              f"speedup a perfect implementation would reach")

    # Geometric means, per requested algorithm when several were run.
    algos = sorted({m.get("algo_requested", "") for m in merged})
    summary = []
    for algo in algos:
        for title, pick in CATEGORIES:
            picked = [m for m in merged if m.get("algo_requested", "") == algo and pick(m)]
            gm, n = geomean([m["speedup_vs_torch"] for m in picked])
            cm, _ = geomean([m["ceiling_vs_torch"] for m in picked])
            if n:
                summary.append([title, algo or "-", str(n), fmt(gm, ".2f")] +
                               ([fmt(cm, ".2f")] if has_bound else []))
    if summary:
        print()
        print_table(["geometric mean speedup vs PyTorch over", "algorithm", "layers", "speedup"] +
                    (["ceiling"] if has_bound else []),
                    [False, False, True, True, True], summary, args.markdown)
    return 0


if __name__ == "__main__":
    sys.exit(main())
