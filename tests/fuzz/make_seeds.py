#!/usr/bin/env python3
"""make_seeds.py: writes the committed seed corpus of clgconv's fuzz targets (tests/fuzz/corpus/{desc,plan})
in the input format described in fuzz_common.h: valid shapes of every kind and each documented way of
being invalid. Run from anywhere; it rewrites the seed-* files only."""
import os
import struct

INT_MAX = 2**31 - 1
SPECIAL = {0: 0xE0, -1: 0xE1, -2**31: 0xE2, INT_MAX: 0xE3, 46341: 0xEB, 1 << 30: 0xEF}
FLOAT = {"-inf": 0, "inf": 1, "nan": 2, "0": 4, "6": 8}
ALGOS = {"auto": 0, "direct": 1, "tiled": 2, "depthwise": 3, "gemm": 4, "clblast": 5}


def enc_int(v):
    if -4 <= v <= 219:
        return bytes([v + 4])
    if v in SPECIAL:
        return bytes([SPECIAL[v]])
    return b"\xff" + struct.pack("<i", v)


def enc_float(v):
    if isinstance(v, str):
        return bytes([FLOAT[v]])
    b = int(round(v * 16)) + 128
    assert 13 <= b <= 255 and (b - 128) / 16 == v, v
    return bytes([b])


def seed(n=1, c=4, h=8, w=8, k=4, g=1, kh=3, kw=3, sh=1, sw=1, pt=1, pl=1, pb=1, pr=1, dh=1, dw=1,
         lo="-inf", hi="inf", layout=0, algo="auto", flags=1, data=12345):
    out = b"".join(enc_int(v) for v in (n, c, h, w, k, g, kh, kw, sh, sw, pt, pl, pb, pr, dh, dw))
    out += enc_float(lo) + enc_float(hi) + enc_int(layout)
    out += enc_int(ALGOS[algo] if isinstance(algo, str) else algo)
    return out + bytes([flags]) + struct.pack("<I", data)


SEEDS = {
    # valid shapes, one per algorithm family and layout
    "dense3x3-auto": seed(),
    "dense3x3-direct-nhwc": seed(layout=1, algo="direct"),
    "grouped-g4-relu6-tiled": seed(n=2, c=8, k=12, g=4, h=9, w=7, lo="0", hi="6", algo="tiled"),
    "depthwise-m2-s2-asym": seed(c=8, k=16, g=8, h=11, w=10, sh=2, sw=2, pb=0, pr=0, algo="depthwise", flags=5),
    "depthwise-nhwc-dil2": seed(c=6, k=6, g=6, h=12, w=12, dh=2, dw=2, pt=2, pl=2, pb=2, pr=2, layout=1, algo="depthwise"),
    "pointwise-gemm": seed(c=16, k=8, h=6, w=5, kh=1, kw=1, pt=0, pl=0, pb=0, pr=0, algo="gemm"),
    "grouped-gemm-stride": seed(n=2, c=8, k=8, g=2, h=10, w=9, sh=2, sw=3, algo="gemm"),
    "clblast-dense": seed(c=8, k=8, algo="clblast", lo=-0.5, hi=0.5),
    "rect-kernel-dilated": seed(c=4, k=4, g=2, kh=3, kw=2, dh=2, dw=1, h=10, w=11, pt=2, pl=0, pb=0, pr=1, algo="direct"),
    "one-pixel": seed(c=1, k=1, h=1, w=1, kh=1, kw=1, pt=0, pl=0, pb=0, pr=0),
    "padded-only": seed(c=2, k=2, h=1, w=1, kh=3, kw=3, pt=1, pl=1, pb=1, pr=1),
    "special-values": seed(flags=3, data=7),
    "host-path": seed(n=2, c=4, k=6, g=2, flags=5),
    # valid but beyond a device: 2^31+ elements, sizes near the int limits
    "input-2pow31": seed(c=1, k=1, h=46341, w=46341, kh=1, kw=1, pt=0, pl=0, pb=0, pr=0, sh=1 << 30, sw=1 << 30),
    "huge-output-padding": seed(c=1, k=1, h=1, w=1, kh=1, kw=1, pt=1 << 30, pl=1 << 30, pb=0, pr=0, flags=0),
    "int-max-stride": seed(sh=INT_MAX, sw=INT_MAX),
    # invalid: each documented rule
    "batch-zero": seed(n=0),
    "channels-negative": seed(c=-1),
    "groups-not-dividing": seed(c=6, g=4, k=8),
    "out-not-dividing": seed(c=8, g=4, k=6),
    "stride-zero": seed(sh=0),
    "dilation-negative": seed(dw=-3),
    "pad-negative": seed(pl=-1),
    "kernel-too-big": seed(h=2, w=2, kh=5, kw=5, pt=0, pl=0, pb=0, pr=0),
    "nan-min": seed(lo="nan"),
    "nan-max": seed(hi="nan"),
    "min-above-max": seed(lo=1.0, hi=0.5),
    "layout-unknown": seed(layout=7),
    "layout-int-min": seed(layout=-2**31),
    "algo-unknown": seed(algo=99),
    "algo-negative": seed(algo=-1),
    "overflow-input": seed(n=INT_MAX, c=INT_MAX, h=INT_MAX, w=INT_MAX, kh=1, kw=1, pt=0, pl=0, pb=0, pr=0),
    "overflow-weights": seed(c=INT_MAX, k=INT_MAX, kh=1, kw=1, h=1, w=1, pt=0, pl=0, pb=0, pr=0),
    "output-over-int": seed(h=INT_MAX, w=1, kh=1, kw=1, pt=INT_MAX, pl=0, pb=0, pr=0),
    "dilation-span-overflow": seed(kh=INT_MAX, dh=INT_MAX),
    "empty": b"",
}


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    for target in ("desc", "plan"):
        d = os.path.join(here, "corpus", target)
        os.makedirs(d, exist_ok=True)
        for f in os.listdir(d):
            if f.startswith("seed-"):
                os.remove(os.path.join(d, f))
        for name, data in SEEDS.items():
            with open(os.path.join(d, "seed-" + name), "wb") as f:
                f.write(data)
    print(f"wrote {len(SEEDS)} seeds for each of desc and plan")


if __name__ == "__main__":
    main()
