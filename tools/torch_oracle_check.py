#!/usr/bin/env python3
"""torch_oracle_check.py: checks every clgconv algorithm against PyTorch's convolution (an
independent oracle: the test suite compares against clgconv's own CPU reference) on seeded
random shapes.

Usage: tools/torch_oracle_check.py [--build-dir build] [--seed S] [--count N] [--keep DIR]

Draws N shapes (depthwise with and without a channel multiplier, NHWC narrow groups of 2 and 4
channels, grouped, dense, NCHW rows of 30-130 pixels with few channels per group, 1x1 to 4x4
images; kernels 1-7 with unequal heights and widths, strides 1-4, dilations 1-3, asymmetric
padding, both layouts, a clamp or none, bias or none), runs each through
build/tests/oracle_runner (AUTO and every algorithm that plans it, forward and forward_packed)
and compares with torch.nn.functional.conv2d in float64 on the explicitly padded input.

Tolerance, per output element: 4 * 2^-24 * (reduction length + 1) * M, M = sum |x| |w| + |b|
over that output's window (float32 accumulation in any order stays within n * 2^-24 * M, to
first order, for n terms; 4x for the kernels' fused or split multiply-adds), plus 1e-6. NaN
anywhere fails. Needs Debian's python3-torch and python3-numpy (/usr/bin/python3).
Exit status: 0 when every run matched, 1 on a mismatch or a failed run, 2 on a usage error.
"""
import argparse
import os
import random
import subprocess
import sys
import tempfile

try:
    import numpy as np
    import torch
    import torch.nn.functional as F
except ImportError as e:  # pragma: no cover - depends on the machine
    print(f"torch_oracle_check: needs PyTorch and NumPy ({e}); on Debian: apt-get install "
          f"python3-torch python3-numpy, and run with /usr/bin/python3", file=sys.stderr)
    sys.exit(2)


def draw_shape(rng):
    """One random case: the descriptor fields, the clamp and whether it has a bias."""
    kind = rng.choice(["depthwise", "multiplier", "narrow", "grouped", "dense", "wide_rows",
                       "tiny_image"])
    n = rng.choice([1, 1, 2, 3])
    kh = rng.choice([1, 2, 3, 3, 5, 7])
    kw = rng.choice([kh, kh, 1, 3, 4])
    sh = rng.choice([1, 1, 2, 3])
    sw = rng.choice([sh, sh, 1, 2, 4])
    dh = rng.choice([1, 1, 1, 2, 3])
    dw = rng.choice([dh, 1, 2])
    h, w = rng.randint(1, 40), rng.randint(1, 70)
    layout = rng.choice([0, 1])
    if kind == "depthwise":
        c = rng.randint(1, 40)
        g, k = c, c
    elif kind == "multiplier":
        c = rng.randint(1, 12)
        g, k = c, c * rng.randint(2, 4)
    elif kind == "narrow":  # NHWC groups of 2 or 4 channels, K a multiple of 8 or 16
        cpg = rng.choice([2, 4])
        k = rng.choice([8, 16, 24, 32, 48, 64])
        c, g, layout = k, k // cpg, 1
    elif kind == "grouped":
        g = rng.choice([2, 3, 4, 8, 16])
        c, k = g * rng.randint(1, 9), g * rng.randint(1, 9)
    elif kind == "dense":
        g, c, k = 1, rng.randint(1, 40), rng.randint(1, 40)
    elif kind == "wide_rows":  # NCHW, few channels per group, long rows
        cpg = rng.choice([1, 2, 4, 4])
        g = rng.randint(1, 6)
        c = k = cpg * g
        w = rng.randint(30, 130)
        kh = kw = rng.choice([3, 5])
        layout = 0
    else:
        c = rng.randint(1, 6)
        g = rng.choice([d for d in range(1, c + 1) if c % d == 0])
        k = g * rng.randint(1, 4)
        h, w = rng.randint(1, 4), rng.randint(1, 4)
    pt, pl, pb, pr = (rng.randint(0, 3) for _ in range(4))
    # The dilated window must fit the padded input.
    eh, ew = (kh - 1) * dh + 1, (kw - 1) * dw + 1
    if h + pt + pb < eh:
        pb += eh - (h + pt + pb)
    if w + pl + pr < ew:
        pr += ew - (w + pl + pr)
    clamp = rng.choice([(-float("inf"), float("inf")), (0.0, float("inf")), (0.0, 6.0),
                        (-0.5, 0.5)])
    return [n, c, h, w, k, g, kh, kw, sh, sw, pt, pl, pb, pr, dh, dw, layout], clamp, \
        rng.random() < 0.8


def oracle(x, wt, b, d, clamp):
    """PyTorch's result in float64 (NCHW) and the magnitude bound M per output."""
    n, c, h, w, k, g, kh, kw, sh, sw, pt, pl, pb, pr, dh, dw, layout = d
    xt, wtt = torch.from_numpy(x).double(), torch.from_numpy(wt).double()
    bt = torch.from_numpy(b).double() if b is not None else None
    ref = F.conv2d(F.pad(xt, (pl, pr, pt, pb)), wtt, bt, (sh, sw), 0, (dh, dw), g)
    mag = F.conv2d(F.pad(xt.abs(), (pl, pr, pt, pb)), wtt.abs(),
                   bt.abs() if bt is not None else None, (sh, sw), 0, (dh, dw), g)
    return ref.clamp(clamp[0], clamp[1]), mag


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build-dir", default="build")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--count", type=int, default=100)
    ap.add_argument("--keep", metavar="DIR", help="write the cases and outputs here (kept)")
    args = ap.parse_args()
    runner = os.path.join(args.build_dir, "tests", "oracle_runner")
    if not os.access(runner, os.X_OK):
        print(f"torch_oracle_check: {runner} not found (build with tests enabled)",
              file=sys.stderr)
        return 2
    rng, nrng = random.Random(args.seed), np.random.default_rng(args.seed)
    work = args.keep or tempfile.mkdtemp(prefix="clgconv-oracle-")
    os.makedirs(work, exist_ok=True)
    cases = {}
    with open(os.path.join(work, "manifest"), "w") as manifest:
        for i in range(args.count):
            d, clamp, has_bias = draw_shape(rng)
            n, c, h, w, k, g, kh, kw = d[:8]
            x = nrng.standard_normal((n, c, h, w)).astype(np.float32)
            wt = nrng.standard_normal((k, c // g, kh, kw)).astype(np.float32)
            b = nrng.standard_normal(k).astype(np.float32)
            cid = f"c{i}"
            (x.transpose(0, 2, 3, 1) if d[16] else x).tofile(os.path.join(work, cid + ".x"))
            wt.tofile(os.path.join(work, cid + ".w"))
            b.tofile(os.path.join(work, cid + ".b"))
            lo = "-inf" if clamp[0] == -float("inf") else repr(clamp[0])
            hi = "inf" if clamp[1] == float("inf") else repr(clamp[1])
            manifest.write(" ".join([cid] + [str(v) for v in d] + [str(int(has_bias)), lo, hi])
                           + "\n")
            cases[cid] = (d, clamp, has_bias, x, wt, b)
    try:
        return compare(runner, work, cases, args)
    finally:
        if not args.keep:
            for name in os.listdir(work):
                os.remove(os.path.join(work, name))
            os.rmdir(work)


def compare(runner, work, cases, args):
    """Runs the manifest and compares every output; returns the exit status."""
    proc = subprocess.run([runner, work], capture_output=True, text=True)
    # 0: every run succeeded; 1: some failed (their lines say which); anything else (a usage or
    # file error, a crash) leaves the results incomplete.
    if proc.returncode not in (0, 1):
        print(f"torch_oracle_check: oracle_runner exited with {proc.returncode}:\n"
              f"{proc.stderr[-2000:]}", file=sys.stderr)
        return 1
    bad = runs = 0
    algos = {}
    auto_runs = set()
    for line in proc.stdout.splitlines():
        parts = line.split()
        cid, algo, mode, status = parts[0], parts[1], parts[2], parts[3]
        if status == "unsupported":
            continue
        if algo == "auto":
            auto_runs.add((cid, mode))
        d, clamp, has_bias, x, wt, b = cases[cid]
        if status != "ok":
            print(f"FAILED RUN {cid} {d} {algo} {mode}: {' '.join(parts[4:])}")
            bad += 1
            continue
        ref, mag = oracle(x, wt, b if has_bias else None, d, clamp)
        red = (d[1] // d[5]) * d[6] * d[7]
        tol = 4.0 * 2.0 ** -24 * (red + 1) * mag + 1e-6
        if d[16]:
            ref, tol = ref.permute(0, 2, 3, 1), tol.permute(0, 2, 3, 1)
        y = np.fromfile(os.path.join(work, f"{cid}.{algo}.{mode}.y"), dtype=np.float32)
        y = torch.from_numpy(y.reshape(ref.shape)).double()
        err = (y - ref).abs()
        runs += 1
        algos[parts[4]] = algos.get(parts[4], 0) + 1
        if bool(torch.isnan(y).any()) or not bool((err <= tol).all()):
            j = int(torch.argmax(err - tol))
            print(f"MISMATCH {cid} {d} clamp {clamp} bias {has_bias} {algo}->{parts[4]} {mode}: "
                  f"max error {float(err.max()):.3g}, tolerance at the worst element "
                  f"{float(tol.flatten()[j]):.3g}")
            bad += 1
    # Every case must have reported its AUTO runs (a runner that stopped early has not).
    missing = [cid for cid in cases if (cid, "raw") not in auto_runs or
               (cid, "packed") not in auto_runs]
    if missing:
        print(f"MISSING: no AUTO result for {len(missing)} case(s), first {missing[0]}")
        bad += len(missing)
    print(f"torch_oracle_check: seed {args.seed}, {args.count} shapes, {runs} runs compared "
          f"({', '.join(f'{a} {c}' for a, c in sorted(algos.items()))}), {bad} bad"
          + (f"; cases in {work}" if args.keep else ""))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
