/* tiled.cl: register-tiled direct grouped convolution, specialised at build time on the kernel geometry and channels per group, vectorised along the contiguous dimension. */

/*
 * Compile-time options (the host passes them in this order so that equal options give equal
 * strings and share one cached program; image sizes, padding, batch and group count stay
 * runtime arguments so one program serves many layers):
 *   -DCLG_KH=, -DCLG_KW=, -DCLG_SH=, -DCLG_SW=, -DCLG_DH=, -DCLG_DW=   kernel geometry
 *   -DCLG_CPG=, -DCLG_KPG=   input and output channels per group
 *   -DCLG_VW=n   vector width along the contiguous dimension (1, 2, 4, 8 or 16)
 *   -DCLG_TB=t   tile depth in the other dimension (NCHW: output channels per work-item;
 *                NHWC: output pixels along x per work-item), 1..16
 *   -DCLG_FLAT=1 (NCHW only) 1x1 kernel, stride 1, no padding: pixels are taken as one flat
 *                run of H*W, so vectors never straddle row ends
 *   -DCLG_IDX=type element offsets: int (default) or long for tensors of 2^31 elements or more
 *
 * Semantics: y[n][k][oy][ox] = clamp(b[k] + sum_{c,ky,kx} x[n][g*CPG+c][iy][ix] * w[k][c][ky][kx])
 * with g = k / KPG, iy = oy*SH - PT + ky*DH, ix = ox*SW - PL + kx*DW, x = 0 outside the image.
 * The clamp uses comparisons, so NaN stays NaN. bias is read only when has_bias != 0.
 *
 * conv2d_tiled_nchw: input [N][C][H][W], weights [K][CPG][KH][KW], output [N][K][OH][OW].
 *   dim 0: pixel block, CLG_VW consecutive output pixels of one row (or of the flat run when
 *          CLG_FLAT): block b -> oy = b / XB, ox0 = (b % XB) * CLG_VW, XB = ceil(OW / CLG_VW)
 *   dim 1: block of CLG_TB output channels within the group
 *   dim 2: n*G + g (all groups and images in one launch)
 *   Each work-item holds CLG_TB vectors of CLG_VW outputs: one input vector load feeds CLG_TB
 *   FMAs. Blocks whose input span lies inside the row use vector loads; border and tail blocks
 *   build their input vectors with clamped addresses and selects (a separate loop, so the
 *   interior loop has no per-element branches).
 *   Arguments: input, weights, bias, output, N, G, H, W, OH, OW, PT, PL, XB, has_bias,
 *   output_min, output_max.
 *
 * conv2d_tiled_nhwc: input [N][H][W][C], output [N][OH][OW][K], weights pre-transposed by
 *   transpose_weights to wt[g][c][ky][kx][KPG] (the plan's workspace).
 *   dim 0: block of CLG_VW output channels within the group (the host picks CLG_VW | KPG)
 *   dim 1: block of CLG_TB output pixels along x: ox0 = id * CLG_TB
 *   dim 2: (n*OH + oy)*G + g
 *   Each work-item holds CLG_TB vectors of CLG_VW channels: one weight vector load feeds CLG_TB
 *   FMAs with broadcast input values.
 *   Arguments: input, wt, bias, output, N, G, H, W, OH, OW, PT, PL, has_bias, output_min,
 *   output_max.
 *
 * transpose_weights: wt[g][r][kk] = w[g*KPG + kk][r] for r < CPG*KH*KW.
 *   dim 0: kk (KPG), dim 1: r, dim 2: g. Arguments: w, wt, G.
 */

#ifndef CLG_IDX
#define CLG_IDX int
#endif
#ifndef CLG_FLAT
#define CLG_FLAT 0
#endif

#define CLG_RED (CLG_CPG * CLG_KH * CLG_KW) /* reduction length per output */

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

#if CLG_VW == 1
#define FROM_ARRAY(t) ((t)[0])
#define TO_ARRAY(v, t) ((t)[0] = (v))
#else
#define FROM_ARRAY(t) LOADV(t)
#define TO_ARRAY(v, t) STOREV(v, t)
#endif

/* NCHW: loads CLG_VW elements p[0], p[SW], p[2*SW], ... (all inside the buffer). */
#if CLG_SW == 1
#define LOAD_STRIDED(p) LOADV(p)
#define LOAD_SPAN (CLG_VW - 1)
#elif CLG_SW == 2 && CLG_VW == 8
#define LOAD_STRIDED(p) (vload16(0, p).even)
#define LOAD_SPAN 15
#elif CLG_SW == 2 && CLG_VW == 4
#define LOAD_STRIDED(p) (vload8(0, p).even)
#define LOAD_SPAN 7
#else
#define LOAD_STRIDED(p) load_strided_gather(p)
#define CLG_NEED_GATHER 1
#define LOAD_SPAN ((CLG_VW - 1) * CLG_SW)
#endif

#if defined(CLG_NEED_GATHER) && !CLG_FLAT
static floatV load_strided_gather(const __global float *p)
{
    float t[CLG_VW];
#pragma unroll
    for (int j = 0; j < CLG_VW; ++j) t[j] = p[j * CLG_SW];
    return FROM_ARRAY(t);
}
#endif

/* row[x0 + j*SW] for j < CLG_VW, 0 where the index lies outside [0, n). */
static floatV load_checked(const __global float *row, int x0, int n)
{
    float t[CLG_VW];
#pragma unroll
    for (int j = 0; j < CLG_VW; ++j) {
        const int x = x0 + j * CLG_SW;
        const float v = row[clamp(x, 0, n - 1)];
        t[j] = (x >= 0 && x < n) ? v : 0.0f;
    }
    return FROM_ARRAY(t);
}

static floatV clamp_output(floatV v, float lo, float hi)
{
#if CLG_VW == 1
    if (v < lo) v = lo;
    if (v > hi) v = hi;
#else
    v = select(v, (floatV)(lo), v < (floatV)(lo));
    v = select(v, (floatV)(hi), v > (floatV)(hi));
#endif
    return v;
}

__kernel void conv2d_tiled_nchw(__global const float *restrict input,
                                __global const float *restrict weights,
                                __global const float *restrict bias,
                                __global float *restrict output, const int N, const int G,
                                const int H, const int W, const int OH, const int OW,
                                const int PT, const int PL, const int XB, const int has_bias,
                                const float output_min, const float output_max)
{
    const int blk = (int)get_global_id(0);
    const int kb0 = (int)get_global_id(1) * CLG_TB;
    const int ng = (int)get_global_id(2);
#if CLG_FLAT
    const int oy = 0, ox0 = blk * CLG_VW, row_len = OH * OW;
    if (ox0 >= row_len || kb0 >= CLG_KPG || ng >= N * G) return;
#else
    const int oy = blk / XB, ox0 = (blk - oy * XB) * CLG_VW, row_len = OW;
    if (oy >= OH || kb0 >= CLG_KPG || ng >= N * G) return;
#endif
    const int n = ng / G, g = ng - n * G;
    const int C = G * CLG_CPG, K = G * CLG_KPG;

    /* Weight rows of the tile's channels; channels past KPG (tail tile) repeat the last one
       and are not stored. */
    const __global float *wrow[CLG_TB];
#pragma unroll
    for (int j = 0; j < CLG_TB; ++j)
        wrow[j] = weights + (CLG_IDX)(g * CLG_KPG + min(kb0 + j, CLG_KPG - 1)) * CLG_RED;

    floatV acc[CLG_TB];
#pragma unroll
    for (int j = 0; j < CLG_TB; ++j) acc[j] = (floatV)(0.0f);

    const __global float *in = input + ((CLG_IDX)n * C + (CLG_IDX)g * CLG_CPG) * H * W;
#if CLG_FLAT
    const int HW = H * W;
    if (ox0 + CLG_VW <= HW) {
        for (int c = 0; c < CLG_CPG; ++c) {
            const floatV x = LOADV(in + (CLG_IDX)c * HW + ox0);
#pragma unroll
            for (int j = 0; j < CLG_TB; ++j) acc[j] = mad(x, (floatV)(wrow[j][c]), acc[j]);
        }
    } else {
        for (int c = 0; c < CLG_CPG; ++c) {
            const floatV x = load_checked(in + (CLG_IDX)c * HW, ox0, HW);
#pragma unroll
            for (int j = 0; j < CLG_TB; ++j) acc[j] = mad(x, (floatV)(wrow[j][c]), acc[j]);
        }
    }
#else
    const int iy0 = oy * CLG_SH - PT, ix0 = ox0 * CLG_SW - PL;
    const bool interior =
        ix0 >= 0 && ix0 + (CLG_KW - 1) * CLG_DW + LOAD_SPAN < W && ox0 + CLG_VW <= OW;
    if (interior) {
        for (int c = 0; c < CLG_CPG; ++c) {
            const __global float *plane = in + (CLG_IDX)c * H * W;
#pragma unroll
            for (int ky = 0; ky < CLG_KH; ++ky) {
                const int iy = iy0 + ky * CLG_DH;
                if (iy < 0 || iy >= H) continue;
                const __global float *row = plane + iy * W + ix0;
#pragma unroll
                for (int kx = 0; kx < CLG_KW; ++kx) {
                    const floatV x = LOAD_STRIDED(row + kx * CLG_DW);
                    const int r = (c * CLG_KH + ky) * CLG_KW + kx;
#pragma unroll
                    for (int j = 0; j < CLG_TB; ++j) acc[j] = mad(x, (floatV)(wrow[j][r]), acc[j]);
                }
            }
        }
    } else {
        for (int c = 0; c < CLG_CPG; ++c) {
            const __global float *plane = in + (CLG_IDX)c * H * W;
#pragma unroll
            for (int ky = 0; ky < CLG_KH; ++ky) {
                const int iy = iy0 + ky * CLG_DH;
                if (iy < 0 || iy >= H) continue;
                const __global float *row = plane + iy * W;
#pragma unroll
                for (int kx = 0; kx < CLG_KW; ++kx) {
                    const floatV x = load_checked(row, ix0 + kx * CLG_DW, W);
                    const int r = (c * CLG_KH + ky) * CLG_KW + kx;
#pragma unroll
                    for (int j = 0; j < CLG_TB; ++j) acc[j] = mad(x, (floatV)(wrow[j][r]), acc[j]);
                }
            }
        }
    }
#endif

    const int valid = min(CLG_VW, row_len - ox0);
#pragma unroll
    for (int j = 0; j < CLG_TB; ++j) {
        const int kk = kb0 + j;
        if (kk >= CLG_KPG) break;
        const int k = g * CLG_KPG + kk;
        const floatV v = clamp_output(acc[j] + (floatV)(has_bias ? bias[k] : 0.0f), output_min,
                                      output_max);
        __global float *out = output + (((CLG_IDX)n * K + k) * OH + oy) * OW + ox0;
        if (valid == CLG_VW) {
            STOREV(v, out);
        } else {
            float t[CLG_VW];
            TO_ARRAY(v, t);
            for (int i = 0; i < valid; ++i) out[i] = t[i];
        }
    }
}

__kernel void conv2d_tiled_nhwc(__global const float *restrict input,
                                __global const float *restrict wt,
                                __global const float *restrict bias,
                                __global float *restrict output, const int N, const int G,
                                const int H, const int W, const int OH, const int OW,
                                const int PT, const int PL, const int has_bias,
                                const float output_min, const float output_max)
{
    const int k0 = (int)get_global_id(0) * CLG_VW;
    const int ox0 = (int)get_global_id(1) * CLG_TB;
    const int nyg = (int)get_global_id(2);
    if (k0 >= CLG_KPG || ox0 >= OW || nyg >= N * OH * G) return;
    const int ny = nyg / G, g = nyg - ny * G;
    const int n = ny / OH, oy = ny - n * OH;
    const int C = G * CLG_CPG, K = G * CLG_KPG;

    floatV acc[CLG_TB];
#pragma unroll
    for (int p = 0; p < CLG_TB; ++p) acc[p] = (floatV)(0.0f);

    const __global float *image = input + (CLG_IDX)n * H * W * C + g * CLG_CPG;
    const __global float *wg = wt + (CLG_IDX)g * CLG_RED * CLG_KPG + k0;
    const int iy0 = oy * CLG_SH - PT, ix0 = ox0 * CLG_SW - PL;
    const bool interior = ix0 >= 0 && ix0 + (CLG_TB - 1) * CLG_SW + (CLG_KW - 1) * CLG_DW < W;
#pragma unroll
    for (int ky = 0; ky < CLG_KH; ++ky) {
        const int iy = iy0 + ky * CLG_DH;
        if (iy < 0 || iy >= H) continue;
        const __global float *row = image + (CLG_IDX)iy * W * C;
#pragma unroll
        for (int kx = 0; kx < CLG_KW; ++kx) {
            const __global float *wk = wg + (ky * CLG_KW + kx) * CLG_KPG;
            if (interior) {
                const __global float *px = row + (CLG_IDX)(ix0 + kx * CLG_DW) * C;
                for (int c = 0; c < CLG_CPG; ++c) {
                    const floatV w = LOADV(wk + c * (CLG_KH * CLG_KW * CLG_KPG));
#pragma unroll
                    for (int p = 0; p < CLG_TB; ++p)
                        acc[p] = mad((floatV)(px[(CLG_IDX)p * CLG_SW * C + c]), w, acc[p]);
                }
            } else {
                int off[CLG_TB];
                bool ok[CLG_TB];
#pragma unroll
                for (int p = 0; p < CLG_TB; ++p) {
                    const int ix = ix0 + p * CLG_SW + kx * CLG_DW;
                    ok[p] = ix >= 0 && ix < W;
                    off[p] = clamp(ix, 0, W - 1) * C;
                }
                for (int c = 0; c < CLG_CPG; ++c) {
                    const floatV w = LOADV(wk + c * (CLG_KH * CLG_KW * CLG_KPG));
#pragma unroll
                    for (int p = 0; p < CLG_TB; ++p) {
                        const float x = row[off[p] + c];
                        acc[p] = mad((floatV)(ok[p] ? x : 0.0f), w, acc[p]);
                    }
                }
            }
        }
    }

    floatV b = (floatV)(0.0f);
    if (has_bias) b = LOADV(bias + g * CLG_KPG + k0);
    __global float *out = output + (((CLG_IDX)n * OH + oy) * OW) * K + g * CLG_KPG + k0;
#pragma unroll
    for (int p = 0; p < CLG_TB; ++p) {
        if (ox0 + p >= OW) break;
        STOREV(clamp_output(acc[p] + b, output_min, output_max), out + (CLG_IDX)(ox0 + p) * K);
    }
}

__kernel void transpose_weights(__global const float *restrict w, __global float *restrict wt,
                                const int G)
{
    const int kk = (int)get_global_id(0), r = (int)get_global_id(1), g = (int)get_global_id(2);
    if (kk >= CLG_KPG || r >= CLG_RED || g >= G) return;
    wt[((CLG_IDX)g * CLG_RED + r) * CLG_KPG + kk] = w[((CLG_IDX)g * CLG_KPG + kk) * CLG_RED + r];
}
