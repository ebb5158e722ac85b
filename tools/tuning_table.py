#!/usr/bin/env python3
"""tuning_table.py: turns the stderr of a tuning run (CLGCONV_TUNE=1 CLGCONV_VERBOSE=1) into a Markdown table of every candidate's measured time and build, per layer.

Usage: tools/tuning_table.py LOG... > table.md

For each layer the tuner measured: every algorithm and variant with its time, its time over the
layer's fastest, and the kernels its plan built (the main kernel's -D options; pre-passes such
as pad_input named). A last table sets each layer's variant 0 of tiled (the default plan) against
tiled's fastest variant: where the default plan rules miss on this device.
"""
import re
import sys

SHAPE = re.compile(r"^clgconv: tuning (N\d+ .*)$")
KERNEL = re.compile(r"^clgconv: kernel (\S+) \((\S+)\.cl, (.*)\)$")
TUNED = re.compile(r"^clgconv: tuned (\S+) variant (\d+): (?:([\d.]+) ms|failed.*)$")
# kernels that only move data around the convolution (named, not detailed)
HELPERS = ("pad_input", "transpose_weights", "weights_kkc_transposed", "bias_clamp",
           "depthwise_pack_weights")


def parse(paths):
    layers = []  # [shape, [(algo, variant, ms, main kernel text, helper names)]]
    for path in paths:
        kernels = []
        with open(path, errors="replace") as f:
            for line in f:
                line = line.rstrip("\n")
                m = SHAPE.match(line)
                if m:
                    layers.append([m.group(1), []])
                    kernels = []
                    continue
                m = KERNEL.match(line)
                if m:
                    kernels.append((m.group(1), m.group(3)))
                    continue
                m = TUNED.match(line)
                if m and layers:
                    main = [f"{k} {o}".strip() for k, o in kernels if not k.startswith(HELPERS)]
                    helpers = sorted({k for k, _ in kernels if k.startswith(HELPERS)})
                    ms = float(m.group(3)) if m.group(3) else -1.0  # -1: failed
                    layers[-1][1].append((m.group(1), int(m.group(2)), ms,
                                          "; ".join(main), ", ".join(helpers)))
                    kernels = []
    return [l for l in layers if l[1]]


def main():
    if len(sys.argv) < 2 or sys.argv[1] in ("-h", "--help"):
        sys.stderr.write(__doc__.split("\n\n")[1] + "\n")
        return 2
    layers = parse(sys.argv[1:])
    if not layers:
        sys.stderr.write("tuning_table: no tuning lines (run with CLGCONV_TUNE=1 CLGCONV_VERBOSE=1)\n")
        return 1
    summary = []
    for shape, rows in layers:
        ok = [r for r in rows if r[2] >= 0]
        best = min((r[2] for r in ok), default=0)
        print(f"## {shape}\n")
        print("| algorithm | variant | ms | x fastest | kernels (-D options) | pre/post passes |")
        print("| --- | --: | --: | --: | --- | --- |")
        for algo, v, ms, main_k, helpers in rows:
            ratio = f"{ms / best:.2f}" if ms >= 0 and best > 0 else "-"
            shown = f"{ms:.4f}" if ms >= 0 else "failed"
            print(f"| {algo} | {v} | {shown} | {ratio} | {main_k.replace('|', '/')} | {helpers} |")
        print()
        tiled = {r[1]: r for r in ok if r[0] == "tiled"}
        if 0 in tiled:
            fastest = min(tiled.values(), key=lambda r: r[2])
            summary.append((shape, tiled[0][2], fastest[1], fastest[2], best))
    if summary:
        print("## tiled: the default variant against the fastest\n")
        print("| layer | variant 0 ms | fastest variant | its ms | variant 0 / fastest "
              "| variant 0 / fastest of all |")
        print("| --- | --: | --: | --: | --: | --: |")
        for shape, v0, fv, fms, best in summary:
            print(f"| {shape} | {v0:.4f} | {fv} | {fms:.4f} | {v0 / fms:.2f} | {v0 / best:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
