#!/usr/bin/env python3
"""plot_groups.py: draws the groups sweep (time against g, clgconv and PyTorch, with the ideal 1/g) as a dependency-free SVG.

Input: CSVs from `clgconv-bench --sweep --csv FILE`, or the merged CSVs of
`tools/torch_conv_bench.py --merged FILE` (which add PyTorch's times). One series per file,
batch, layout and requested algorithm; PyTorch's series are drawn dashed in the same colour.
Left panel: median time in ms against g (log-log), each series with its ideal t(1)/g as a thin
dotted line. Right panel: t(g)/t(1) against g with the ideal 1/g in black.
Writes SVG by hand (no matplotlib needed). Usage:
    plot_groups.py --out docs/groups_sweep.svg sweep_b1_nchw.csv sweep_b8_nhwc.csv ...
"""

import argparse
import csv
import math
import sys
from html import escape

COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2"]


def read_rows(path):
    with open(path, newline="") as f:
        lines = [line for line in f if not line.startswith("#") and line.strip()]
    return list(csv.DictReader(lines))


def number(text):
    try:
        v = float(text)
    except (TypeError, ValueError):
        return float("nan")
    return v


def load_series(paths):
    """[(label, colour, {"clgconv": {g: ms}, "PyTorch": {g: ms}})] from the sweep rows."""
    series = []
    for path in paths:
        groups = {}
        for r in read_rows(path):
            if r.get("mode") != "sweep":
                continue
            key = (r["batch"], r["layout"], r.get("algo_requested", ""),
                   r["in_channels"], r["in_height"], r["in_width"], r["out_channels"],
                   r["kernel_h"], r["kernel_w"])
            s = groups.setdefault(key, {"clgconv": {}, "PyTorch": {}})
            g = int(r["groups"])
            ours = number(r.get("median_ms")) if r.get("status") == "ok" else float("nan")
            theirs = number(r.get("torch_median_ms"))
            if math.isfinite(ours) and ours > 0:
                s["clgconv"][g] = ours
            if math.isfinite(theirs) and theirs > 0:
                s["PyTorch"][g] = theirs
        for key, s in groups.items():
            batch, layout, algo = key[0], key[1], key[2]
            label = f"N={batch} {layout}" + (f" {algo}" if algo and algo != "auto" else "")
            series.append((label, key, s))
    for i, (label, key, s) in enumerate(series):
        series[i] = (label, COLOURS[i % len(COLOURS)], s, key)
    return series


class Panel:
    """A log-log plot area at (x0, y0) of size w x h."""

    def __init__(self, x0, y0, w, h, gmin, gmax, ymin, ymax):
        self.x0, self.y0, self.w, self.h = x0, y0, w, h
        self.lx0, self.lx1 = math.log10(gmin), math.log10(gmax)
        self.ly0, self.ly1 = math.floor(math.log10(ymin)), math.ceil(math.log10(ymax))
        if self.ly1 == self.ly0:
            self.ly1 += 1
        if self.lx1 == self.lx0:
            self.lx1 += 1

    def px(self, g):
        return self.x0 + (math.log10(g) - self.lx0) / (self.lx1 - self.lx0) * self.w

    def py(self, v):
        return self.y0 + self.h - (math.log10(v) - self.ly0) / (self.ly1 - self.ly0) * self.h


def polyline(points, colour, width=2.0, dash=None, opacity=1.0):
    if len(points) < 1:
        return ""
    pts = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
    dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
    return (f'<polyline points="{pts}" fill="none" stroke="{colour}" stroke-width="{width}"'
            f'{dash_attr} stroke-opacity="{opacity}"/>\n')


def markers(points, colour, square):
    out = []
    for x, y in points:
        if square:
            out.append(f'<rect x="{x - 3:.1f}" y="{y - 3:.1f}" width="6" height="6" fill="white" '
                       f'stroke="{colour}" stroke-width="1.5"/>')
        else:
            out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}"/>')
    return "\n".join(out) + "\n"


def axes(p, gvalues, title, ylabel, clip_id):
    out = [f'<rect x="{p.x0}" y="{p.y0}" width="{p.w}" height="{p.h}" fill="white" stroke="#333"/>',
           f'<clipPath id="{clip_id}"><rect x="{p.x0}" y="{p.y0}" width="{p.w}" '
           f'height="{p.h}"/></clipPath>']
    for g in gvalues:
        x = p.px(g)
        out.append(f'<line x1="{x:.1f}" y1="{p.y0}" x2="{x:.1f}" y2="{p.y0 + p.h}" stroke="#e5e5e5"/>')
        out.append(f'<text x="{x:.1f}" y="{p.y0 + p.h + 16}" text-anchor="middle">{g}</text>')
    for e in range(p.ly0, p.ly1 + 1):
        for m in (1, 2, 5):
            v = m * 10.0 ** e
            if not (10.0 ** p.ly0 <= v <= 10.0 ** p.ly1):
                continue
            y = p.py(v)
            out.append(f'<line x1="{p.x0}" y1="{y:.1f}" x2="{p.x0 + p.w}" y2="{y:.1f}" '
                       f'stroke="{"#d0d0d0" if m == 1 else "#f0f0f0"}"/>')
            label = f"{v:g}"
            fill = "#000" if m == 1 else "#888"
            out.append(f'<text x="{p.x0 - 6}" y="{y + 4:.1f}" text-anchor="end" '
                       f'fill="{fill}">{label}</text>')
    out.append(f'<text x="{p.x0 + p.w / 2}" y="{p.y0 - 10}" text-anchor="middle" '
               f'font-weight="bold">{escape(title)}</text>')
    out.append(f'<text x="{p.x0 + p.w / 2}" y="{p.y0 + p.h + 36}" text-anchor="middle">groups g</text>')
    out.append(f'<text transform="translate({p.x0 - 52},{p.y0 + p.h / 2}) rotate(-90)" '
               f'text-anchor="middle">{escape(ylabel)}</text>')
    return "\n".join(out) + "\n"


def render(series, title):
    all_g = sorted({g for _, _, s, _ in series for impl in s.values() for g in impl})
    times = [v for _, _, s, _ in series for impl in s.values() for v in impl.values()]
    if not all_g or not times:
        raise ValueError("no sweep rows with times in the input")
    ratios = []
    for _, _, s, _ in series:
        for impl in s.values():
            if 1 in impl:
                ratios += [v / impl[1] for v in impl.values()]
    gmax = max(all_g)
    ratios += [1.0, 1.0 / gmax]
    width, height = 1100, 560
    left = Panel(80, 50, 420, 360, 1, gmax, min(times + [min(times)]) * 0.8, max(times) * 1.25)
    right = Panel(620, 50, 420, 360, 1, gmax, min(ratios) * 0.8, max(ratios) * 1.25)
    svg = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" font-family="DejaVu Sans, Arial, sans-serif" '
           f'font-size="12">\n', f'<rect width="{width}" height="{height}" fill="white"/>\n',
           f'<text x="{width / 2}" y="20" text-anchor="middle" font-size="15" '
           f'font-weight="bold">{escape(title)}</text>\n']
    svg.append(axes(left, all_g, "median time", "time (ms)", "clip-left"))
    svg.append(axes(right, all_g, "time relative to g = 1", "t(g) / t(1)", "clip-right"))
    left_lines, right_lines = [], []
    ideal = [(right.px(g), right.py(1.0 / g)) for g in all_g]
    right_lines.append(polyline(ideal, "#000", width=1.5, dash="2,4"))
    for label, colour, s, _ in series:
        for impl, dash, square in (("clgconv", None, False), ("PyTorch", "7,4", True)):
            data = s[impl]
            if not data:
                continue
            gs = sorted(data)
            pts = [(left.px(g), left.py(data[g])) for g in gs]
            left_lines.append(polyline(pts, colour, dash=dash))
            left_lines.append(markers(pts, colour, square))
            if 1 in data:
                if impl == "clgconv":  # its ideal t(1)/g (PyTorch's would double the clutter)
                    ideal_pts = [(left.px(g), left.py(data[1] / g)) for g in gs]
                    left_lines.append(polyline(ideal_pts, colour, width=1.0, dash="2,4",
                                               opacity=0.6))
                rel = [(right.px(g), right.py(data[g] / data[1])) for g in gs]
                right_lines.append(polyline(rel, colour, dash=dash))
                right_lines.append(markers(rel, colour, square))
    svg.append('<g clip-path="url(#clip-left)">\n' + "".join(left_lines) + "</g>\n")
    svg.append('<g clip-path="url(#clip-right)">\n' + "".join(right_lines) + "</g>\n")
    # Legend.
    y = 470
    x = 80
    entries = []
    for label, colour, s, _ in series:
        for impl, dash, square in (("clgconv", None, False), ("PyTorch", "7,4", True)):
            if s[impl]:
                entries.append((f"{impl} {label}", colour, dash, square))
    entries.append(("ideal 1/g (left: t(1)/g per series)", "#000", "2,4", None))
    for i, (text, colour, dash, square) in enumerate(entries):
        ex = x + (i % 3) * 340
        ey = y + (i // 3) * 20
        svg.append(polyline([(ex, ey), (ex + 36, ey)], colour, dash=dash))
        if square is not None:
            svg.append(markers([(ex + 18, ey)], colour, square))
        svg.append(f'<text x="{ex + 44}" y="{ey + 4}">{escape(text)}</text>\n')
    svg.append("</svg>\n")
    return "".join(svg)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("csv", nargs="+", help="sweep CSVs (clgconv-bench or torch_conv_bench --merged)")
    ap.add_argument("--out", default="docs/groups_sweep.svg", help="SVG file to write")
    ap.add_argument("--title", default="", help="title (default: the sweep's layer)")
    args = ap.parse_args()
    series = load_series(args.csv)
    if not series:
        print("plot_groups: no sweep rows (mode=sweep) in the input", file=sys.stderr)
        return 1
    key = series[0][3]
    title = args.title or (f"Groups sweep: C = {key[3]}, K = {key[6]}, {key[4]}x{key[5]}, "
                           f"{key[7]}x{key[8]} kernel")
    try:
        svg = render(series, title)
    except ValueError as e:
        print(f"plot_groups: {e}", file=sys.stderr)
        return 1
    with open(args.out, "w") as f:
        f.write(svg)
    print(f"plot_groups: wrote {args.out} ({len(series)} series)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
