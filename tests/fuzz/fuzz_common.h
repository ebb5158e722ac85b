/* fuzz_common.h: the input format shared by clgconv's fuzz targets (bytes to a descriptor, algorithm, flags and data seed), an independent validity oracle, and the failure report. */
#ifndef CLGCONV_FUZZ_COMMON_H
#define CLGCONV_FUZZ_COMMON_H

#include "clgconv.h"

#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * Input format (every byte optional: missing bytes read as 0):
 *   16 integer fields in clgconv_conv2d_desc order (batch, in_channels, in_height, in_width,
 *   out_channels, groups, kernel_h, kernel_w, stride_h, stride_w, pad_top, pad_left, pad_bottom,
 *   pad_right, dilation_h, dilation_w), then output_min, output_max (float fields), layout and
 *   algo (integer fields), one flags byte and a 4-byte data seed.
 * An integer field is one byte b: b < 0xE0 gives b - 4 (-4..219); 0xE0..0xFE pick a special
 *   value (zero, -1, INT_MIN, INT_MAX, powers of two around 2^15, 2^16, 2^31, square roots of
 *   2^31 and 2^32, ...); 0xFF reads a raw little-endian int32 from the next 4 bytes.
 * A float field is one byte: 0..11 pick -inf, +inf, NaN, -NaN, 0, -0, FLT_MAX, -FLT_MAX, 6,
 *   the smallest denormal, 1e30; 12 reads raw float bits; others give (b - 128) / 16.
 * Flags: bit 0 bias, bit 1 special values (inf, NaN, denormals) in the tensors, bit 2 run
 *   forward_host too, bit 3 NHWC-style ordering of tensor data seeds (only changes data),
 *   bit 4 (fuzz_plan) plans made as for a GPU on the same device.
 */

typedef struct fuzz_reader {
    const uint8_t *p;
    size_t n;
} fuzz_reader;

static inline uint8_t fuzz_byte(fuzz_reader *r)
{
    if (r->n == 0) return 0;
    r->n--;
    return *r->p++;
}

static inline uint32_t fuzz_u32(fuzz_reader *r)
{
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v |= (uint32_t)fuzz_byte(r) << (8 * i);
    return v;
}

static inline int fuzz_int(fuzz_reader *r)
{
    static const int specials[31] = {
        0,          -1,         INT_MIN,         INT_MAX,        INT_MAX - 1,   INT_MIN + 1,
        1 << 15,    (1 << 15) + 1, 1 << 16,      (1 << 16) + 1,  46340,         46341,
        65535,      1 << 20,    1 << 24,         1 << 30,        -(1 << 30),    (1 << 30) + 1,
        1 << 28,    1 << 29,    3 << 29,         1000000,        -1000000,      255,
        256,        4096,       16384,           16385,          32768,         99991,
        2147,
    };
    uint8_t b = fuzz_byte(r);
    if (b < 0xE0) return (int)b - 4;
    if (b == 0xFF) {
        uint32_t u = fuzz_u32(r);
        int v;
        memcpy(&v, &u, sizeof v);
        return v;
    }
    return specials[b - 0xE0];
}

static inline float fuzz_float(fuzz_reader *r)
{
    uint8_t b = fuzz_byte(r);
    switch (b) {
    case 0: return -INFINITY;
    case 1: return INFINITY;
    case 2: return NAN;
    case 3: return -NAN;
    case 4: return 0.0f;
    case 5: return -0.0f;
    case 6: return FLT_MAX;
    case 7: return -FLT_MAX;
    case 8: return 6.0f;
    case 9: return 1e-45f;
    case 10: return 1e30f;
    case 11: return -1e30f;
    case 12: {
        uint32_t u = fuzz_u32(r);
        float f;
        memcpy(&f, &u, sizeof f);
        return f;
    }
    default: return (float)((int)b - 128) / 16.0f;
    }
}

typedef struct fuzz_case {
    clgconv_conv2d_desc desc;
    int algo;
    uint8_t flags;
    uint32_t seed;
} fuzz_case;

static inline void fuzz_decode(const uint8_t *data, size_t size, fuzz_case *c)
{
    fuzz_reader r = {data, size};
    clgconv_conv2d_desc *d = &c->desc;
    memset(c, 0, sizeof *c);
    int *fields[] = {&d->batch,    &d->in_channels, &d->in_height,  &d->in_width,
                     &d->out_channels, &d->groups,  &d->kernel_h,   &d->kernel_w,
                     &d->stride_h, &d->stride_w,    &d->pad_top,    &d->pad_left,
                     &d->pad_bottom, &d->pad_right, &d->dilation_h, &d->dilation_w};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; ++i) *fields[i] = fuzz_int(&r);
    d->output_min = fuzz_float(&r);
    d->output_max = fuzz_float(&r);
    int layout = fuzz_int(&r);
    d->layout = (clgconv_layout)layout; /* any int: unknown enums must be refused */
    c->algo = fuzz_int(&r);
    c->flags = fuzz_byte(&r);
    c->seed = fuzz_u32(&r);
}

/* A trap rather than abort(): libFuzzer's SIGABRT handler did not run next to PoCL here, its
   SIGILL handler does, and writes the crashing input as an artifact. */
#if defined(__GNUC__) || defined(__clang__)
#define FUZZ_CRASH() __builtin_trap()
#else
#define FUZZ_CRASH() abort()
#endif

/* Stops with a description of the case: libFuzzer records the input as a crash. */
#define FUZZ_REQUIRE(cond, c, ...)                                                              \
    do {                                                                                        \
        if (!(cond)) {                                                                          \
            fprintf(stderr, "fuzz property failed: %s (%s:%d)\n  ", #cond, __FILE__, __LINE__); \
            fprintf(stderr, __VA_ARGS__);                                                       \
            fuzz_print_case(c);                                                                 \
            FUZZ_CRASH();                                                                       \
        }                                                                                       \
    } while (0)

static inline void fuzz_print_case(const fuzz_case *c)
{
    const clgconv_conv2d_desc *d = &c->desc;
    fprintf(stderr,
            "\n  desc: N%d C%d H%d W%d K%d g%d k%dx%d s%dx%d p%d,%d,%d,%d d%dx%d clamp[%g,%g] "
            "layout %d; algo %d flags 0x%x seed %u\n  last error: %s\n",
            d->batch, d->in_channels, d->in_height, d->in_width, d->out_channels, d->groups,
            d->kernel_h, d->kernel_w, d->stride_h, d->stride_w, d->pad_top, d->pad_left,
            d->pad_bottom, d->pad_right, d->dilation_h, d->dilation_w, (double)d->output_min,
            (double)d->output_max, (int)d->layout, c->algo, c->flags, c->seed,
            clgconv_last_error());
}

/* ---------------------------------------------------------------- the oracle */

typedef struct fuzz_sizes {
    bool valid;       /* every documented rule holds */
    bool too_large;   /* valid, but a tensor passes the library's 2^60-element cap */
    int64_t oh, ow;
    unsigned __int128 input, weights, output, reduction; /* element counts */
} fuzz_sizes;

/* The header's rules, computed independently in 128-bit arithmetic. */
static inline void fuzz_oracle(const clgconv_conv2d_desc *d, fuzz_sizes *s)
{
    typedef unsigned __int128 u128;
    memset(s, 0, sizeof *s);
    if (d->batch <= 0 || d->in_channels <= 0 || d->in_height <= 0 || d->in_width <= 0 ||
        d->out_channels <= 0 || d->groups <= 0 || d->kernel_h <= 0 || d->kernel_w <= 0 ||
        d->stride_h <= 0 || d->stride_w <= 0 || d->dilation_h <= 0 || d->dilation_w <= 0 ||
        d->pad_top < 0 || d->pad_left < 0 || d->pad_bottom < 0 || d->pad_right < 0)
        return;
    if (d->in_channels % d->groups || d->out_channels % d->groups) return;
    if (isnan(d->output_min) || isnan(d->output_max) || d->output_min > d->output_max) return;
    if (d->layout != CLGCONV_LAYOUT_NCHW && d->layout != CLGCONV_LAYOUT_NHWC) return;
    int64_t ph = (int64_t)d->in_height + d->pad_top + d->pad_bottom;
    int64_t pw = (int64_t)d->in_width + d->pad_left + d->pad_right;
    int64_t sh = (int64_t)d->dilation_h * (d->kernel_h - 1) + 1;
    int64_t sw = (int64_t)d->dilation_w * (d->kernel_w - 1) + 1;
    if (sh > ph || sw > pw) return;
    s->oh = (ph - sh) / d->stride_h + 1;
    s->ow = (pw - sw) / d->stride_w + 1;
    if (s->oh > INT_MAX || s->ow > INT_MAX) return;
    s->valid = true;
    u128 cpg = (u128)(d->in_channels / d->groups);
    s->input = (u128)d->batch * (u128)d->in_channels * (u128)d->in_height * (u128)d->in_width;
    s->weights = (u128)d->out_channels * cpg * (u128)d->kernel_h * (u128)d->kernel_w;
    s->output = (u128)d->batch * (u128)d->out_channels * (u128)s->oh * (u128)s->ow;
    s->reduction = cpg * (u128)d->kernel_h * (u128)d->kernel_w;
    const u128 cap = (u128)1 << 60;
    s->too_large = s->input > cap || s->weights > cap || s->output > cap || s->reduction > cap;
}

#endif /* CLGCONV_FUZZ_COMMON_H */
