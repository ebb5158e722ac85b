/* depthwise.cl: depthwise convolution (one input channel per group, any channel multiplier) streaming in vectors along the contiguous dimension. */

/*
 * Compile-time options (all required except CLG_IDX; the host passes them in this order so that
 * equal options give equal strings and share one cached program):
 *   -DCLG_KH=, -DCLG_KW=   kernel height and width
 *   -DCLG_SH=, -DCLG_SW=   strides
 *   -DCLG_DH=, -DCLG_DW=   dilations
 *   -DCLG_VW=n             vector width along the contiguous dimension: 1, 2, 4, 8 or 16
 *                          (NCHW: output pixels along x; NHWC: output channels)
 *   -DCLG_M=m              (NHWC kernel only) channel multiplier K/C
 *   -DCLG_PX=p             (NHWC kernel only) output pixels along x per work-item
 *   -DCLG_IDX=type         element offsets: int (default) or long for tensors of 2^31 elements
 * Image sizes, padding and batch are runtime arguments, so one program serves every layer with
 * the same kernel geometry.
 *
 * Both kernels compute y[n][k][oy][ox] = clamp(b[k] + sum_{ky,kx} x[n][k/M][iy][ix] * w[k][ky][kx])
 * with iy = oy*SH - PT + ky*DH, ix = ox*SW - PL + kx*DW, x = 0 outside the image; weights are
 * [K][1][KH][KW]; bias [K] read only when has_bias != 0 (any valid buffer otherwise); the clamp
 * uses comparisons so NaN stays NaN.
 *
 * conv2d_depthwise_nchw: input [N][C][H][W], output [N][K][OH][OW].
 *   dim 0: chunk of CLG_VW output pixels along x (ox0 = id*CLG_VW), dim 1: output row oy,
 *   dim 2: n*K + k. Items beyond the bounds return. A chunk whose input span lies inside the row
 *   and whose outputs all exist takes the vector-load path; the others (image borders, the row's
 *   tail) build their vectors element by element with clamped addresses and selects.
 *   Arguments: input, weights, bias, output, N, C, H, W, K, M, OH, OW, PT, PL, has_bias,
 *   output_min, output_max.
 *
 * conv2d_depthwise_nhwc: input [N][H][W][C], output [N][OH][OW][K].
 *   dim 0: chunk of CLG_VW output channels (k0 = id*CLG_VW; the host picks CLG_VW dividing K),
 *   dim 1: block of CLG_PX output pixels along x, dim 2: n*OH + oy. The work-item keeps its
 *   KH*KW weight vectors in registers and reuses them for its CLG_PX pixels.
 *   Arguments: as for the NCHW kernel.
 */

#ifndef CLG_IDX
#define CLG_IDX int
#endif
#ifndef CLG_M
#define CLG_M 1
#endif
#ifndef CLG_PX
#define CLG_PX 4
#endif

#define CLG_TAPS (CLG_KH * CLG_KW)

#if CLG_VW == 1
#define floatV float
#define LOADV(p) (*(p))
#define STOREV(v, p) (*(p) = (v))
#elif CLG_VW == 2
#define floatV float2
#define LOADV(p) vload2(0, p)
#define STOREV(v, p) vstore2(v, 0, p)
#elif CLG_VW == 4
#define floatV float4
#define LOADV(p) vload4(0, p)
#define STOREV(v, p) vstore4(v, 0, p)
#elif CLG_VW == 8
#define floatV float8
#define LOADV(p) vload8(0, p)
#define STOREV(v, p) vstore8(v, 0, p)
#elif CLG_VW == 16
#define floatV float16
#define LOADV(p) vload16(0, p)
#define STOREV(v, p) vstore16(v, 0, p)
#else
#error "CLG_VW must be 1, 2, 4, 8 or 16"
#endif

/* Loads CLG_VW elements p[0], p[SW], p[2*SW], ... (all inside the buffer). */
#if CLG_SW == 1
#define LOAD_STRIDED(p) LOADV(p)
#elif CLG_SW == 2 && CLG_VW == 8
#define LOAD_STRIDED(p) (vload16(0, p).even)
#elif CLG_SW == 2 && CLG_VW == 4
#define LOAD_STRIDED(p) (vload8(0, p).even)
#else
#define LOAD_STRIDED(p) load_strided_gather(p)
#define CLG_NEED_GATHER 1
#endif

/* Elements a fast-path load reads past its first one. */
#if CLG_SW == 2 && (CLG_VW == 8 || CLG_VW == 4)
#define LOAD_SPAN (2 * CLG_VW - 1)
#else
#define LOAD_SPAN ((CLG_VW - 1) * CLG_SW)
#endif

#ifdef CLG_NEED_GATHER
static floatV load_strided_gather(const __global float *p)
{
    float t[CLG_VW];
#pragma unroll
    for (int j = 0; j < CLG_VW; ++j) t[j] = p[j * CLG_SW];
#if CLG_VW == 1
    return t[0];
#else
    return LOADV(t);
#endif
}
#endif

/* Loads row[ix + j*SW] for j < CLG_VW, with 0 where ix + j*SW lies outside [0, W). */
static floatV load_row_checked(const __global float *row, int ix, int W)
{
    float t[CLG_VW];
#pragma unroll
    for (int j = 0; j < CLG_VW; ++j) {
        const int x = ix + j * CLG_SW;
        const float v = row[clamp(x, 0, W - 1)];
        t[j] = (x >= 0 && x < W) ? v : 0.0f;
    }
#if CLG_VW == 1
    return t[0];
#else
    return LOADV(t);
#endif
}

static floatV bias_and_clamp(floatV acc, float b, float lo, float hi)
{
    floatV v = acc + (floatV)(b);
#if CLG_VW == 1
    if (v < lo) v = lo;
    if (v > hi) v = hi;
#else
    v = select(v, (floatV)(lo), v < (floatV)(lo));
    v = select(v, (floatV)(hi), v > (floatV)(hi));
#endif
    return v;
}

__kernel void conv2d_depthwise_nchw(__global const float *restrict input,
                                    __global const float *restrict weights,
                                    __global const float *restrict bias,
                                    __global float *restrict output, const int N, const int C,
                                    const int H, const int W, const int K, const int M,
                                    const int OH, const int OW, const int PT, const int PL,
                                    const int has_bias, const float output_min,
                                    const float output_max)
{
    const int ox0 = (int)get_global_id(0) * CLG_VW;
    const int oy = (int)get_global_id(1);
    const int nk = (int)get_global_id(2);
    if (ox0 >= OW || oy >= OH || nk >= N * K) return;
    const int n = nk / K, k = nk - n * K;
    const int c = k / M;

    float w[CLG_TAPS];
#pragma unroll
    for (int t = 0; t < CLG_TAPS; ++t) w[t] = weights[k * CLG_TAPS + t];

    const __global float *plane = input + ((CLG_IDX)n * C + c) * H * W;
    const int iy0 = oy * CLG_SH - PT, ix0 = ox0 * CLG_SW - PL;
    const bool fast = ix0 >= 0 && ix0 + (CLG_KW - 1) * CLG_DW + LOAD_SPAN < W && ox0 + CLG_VW <= OW;

    floatV acc = (floatV)(0.0f);
    if (fast) {
#pragma unroll
        for (int ky = 0; ky < CLG_KH; ++ky) {
            const int iy = iy0 + ky * CLG_DH;
            if (iy < 0 || iy >= H) continue;
            const __global float *row = plane + (CLG_IDX)iy * W + ix0;
#pragma unroll
            for (int kx = 0; kx < CLG_KW; ++kx)
                acc = mad(LOAD_STRIDED(row + kx * CLG_DW), (floatV)(w[ky * CLG_KW + kx]), acc);
        }
    } else {
#pragma unroll
        for (int ky = 0; ky < CLG_KH; ++ky) {
            const int iy = iy0 + ky * CLG_DH;
            if (iy < 0 || iy >= H) continue;
            const __global float *row = plane + (CLG_IDX)iy * W;
#pragma unroll
            for (int kx = 0; kx < CLG_KW; ++kx)
                acc = mad(load_row_checked(row, ix0 + kx * CLG_DW, W),
                          (floatV)(w[ky * CLG_KW + kx]), acc);
        }
    }

    const floatV v = bias_and_clamp(acc, has_bias ? bias[k] : 0.0f, output_min, output_max);
    __global float *out = output + (((CLG_IDX)n * K + k) * OH + oy) * OW + ox0;
    if (ox0 + CLG_VW <= OW) {
        STOREV(v, out);
    } else {
        float t[CLG_VW];
#if CLG_VW == 1
        t[0] = v;
#else
        STOREV(v, t);
#endif
        for (int j = 0; j < OW - ox0; ++j) out[j] = t[j];
    }
}

/* Input channels k0/M .. (k0+CLG_VW-1)/M of one pixel, one per output channel. */
static floatV load_channels(const __global float *pixel, int k0)
{
#if CLG_M == 1
    return LOADV(pixel + k0);
#else
    float t[CLG_VW];
#pragma unroll
    for (int j = 0; j < CLG_VW; ++j) t[j] = pixel[(k0 + j) / CLG_M];
#if CLG_VW == 1
    return t[0];
#else
    return LOADV(t);
#endif
#endif
}

__kernel void conv2d_depthwise_nhwc(__global const float *restrict input,
                                    __global const float *restrict weights,
                                    __global const float *restrict bias,
                                    __global float *restrict output, const int N, const int C,
                                    const int H, const int W, const int K, const int M,
                                    const int OH, const int OW, const int PT, const int PL,
                                    const int has_bias, const float output_min,
                                    const float output_max)
{
    const int k0 = (int)get_global_id(0) * CLG_VW;
    const int ox0 = (int)get_global_id(1) * CLG_PX;
    const int noy = (int)get_global_id(2);
    (void)M;
    if (k0 >= K || ox0 >= OW || noy >= N * OH) return;
    const int n = noy / OH, oy = noy - n * OH;

    floatV w[CLG_TAPS];
#pragma unroll
    for (int t = 0; t < CLG_TAPS; ++t) {
        float tw[CLG_VW];
#pragma unroll
        for (int j = 0; j < CLG_VW; ++j) tw[j] = weights[(k0 + j) * CLG_TAPS + t];
#if CLG_VW == 1
        w[t] = tw[0];
#else
        w[t] = LOADV(tw);
#endif
    }
    floatV b = (floatV)(0.0f);
    if (has_bias) b = LOADV(bias + k0);
#if CLG_VW > 1
    const floatV lo = (floatV)(output_min), hi = (floatV)(output_max);
#endif

    const __global float *image = input + (CLG_IDX)n * H * W * C;
    const int iy0 = oy * CLG_SH - PT;
    __global float *out = output + (((CLG_IDX)n * OH + oy) * OW) * K + k0;
#pragma unroll
    for (int p = 0; p < CLG_PX; ++p) {
        const int ox = ox0 + p;
        if (ox >= OW) break;
        const int ix0 = ox * CLG_SW - PL;
        floatV acc = (floatV)(0.0f);
#pragma unroll
        for (int ky = 0; ky < CLG_KH; ++ky) {
            const int iy = iy0 + ky * CLG_DH;
            if (iy < 0 || iy >= H) continue;
            const __global float *row = image + (CLG_IDX)iy * W * C;
#pragma unroll
            for (int kx = 0; kx < CLG_KW; ++kx) {
                const int ix = ix0 + kx * CLG_DW;
                if (ix < 0 || ix >= W) continue;
                acc = mad(load_channels(row + (CLG_IDX)ix * C, k0), w[ky * CLG_KW + kx], acc);
            }
        }
        floatV v = acc + b;
#if CLG_VW == 1
        if (v < output_min) v = output_min;
        if (v > output_max) v = output_max;
#else
        v = select(v, lo, v < lo);
        v = select(v, hi, v > hi);
#endif
        STOREV(v, out + (CLG_IDX)ox * K);
    }
}
