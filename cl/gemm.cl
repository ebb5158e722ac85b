/* gemm.cl: the GEMM path's own kernels: a register-tiled, vectorised batched GEMM with fused bias + clamp, and a bias + clamp epilogue for CLBlast's output. */

#ifndef CLG_IDX
#define CLG_IDX long
#endif
#ifndef CLG_TM
#define CLG_TM 8
#endif
#ifndef CLG_TN
#define CLG_TN 16
#endif

#if CLG_TN == 1
typedef float clg_vec;
#define CLG_VLOAD(p) (*(p))
#define CLG_VSTORE(v, p) (*(p) = (v))
#elif CLG_TN == 2
typedef float2 clg_vec;
#define CLG_VLOAD(p) vload2(0, (p))
#define CLG_VSTORE(v, p) vstore2((v), 0, (p))
#elif CLG_TN == 4
typedef float4 clg_vec;
#define CLG_VLOAD(p) vload4(0, (p))
#define CLG_VSTORE(v, p) vstore4((v), 0, (p))
#elif CLG_TN == 8
typedef float8 clg_vec;
#define CLG_VLOAD(p) vload8(0, (p))
#define CLG_VSTORE(v, p) vstore8((v), 0, (p))
#elif CLG_TN == 16
typedef float16 clg_vec;
#define CLG_VLOAD(p) vload16(0, (p))
#define CLG_VSTORE(v, p) vstore16((v), 0, (p))
#else
#error "CLG_TN must be 1, 2, 4, 8 or 16"
#endif

/*
 * gemm_batched
 *
 * For every batch entry ("slot") s in [0, count), with b = b0 + s, image n = b / G and group
 * gi = b % G:
 *   C_s[m][j] = clamp(sum_{k < K} A_s[m][k] * B_s[k][j] + bias_term, out_min, out_max)
 * for m < M, j < N, where the row-major operands start at
 *   A_s = A + a_off + n*a_sN + gi*a_sG + s*a_sS   (element (m, k) at m*lda + k)
 *   B_s = B + b_off + n*b_sN + gi*b_sG + s*b_sS   (element (k, j) at k*ldb + j)
 *   C_s = C + c_off + n*c_sN + gi*c_sG + s*c_sS   (element (m, j) at m*ldc + j)
 * and bias_term = bias[gi*KPG + m] (rows are output channels, NCHW) or, with
 * -DCLG_BIAS_PER_COL, bias[gi*KPG + j] (columns are output channels, NHWC); 0 when has_bias is 0.
 * The clamp uses comparisons, so NaN stays NaN.
 *
 * Register tile: each work-item computes CLG_TM rows x CLG_TN columns, one CLG_TN-wide vector
 * accumulator per row: per k it loads one vector of B and CLG_TM scalars of A (broadcast) and
 * does CLG_TM vector FMAs. The host guarantees M >= CLG_TM and N >= CLG_TN; the last tile of a
 * row or column that would overhang is shifted back to end at M (or N) and stores only the
 * elements not owned by the previous tile, so every load is in bounds and each output element is
 * written by exactly one work-item, with no scalar edge path.
 *
 * Compile-time options:
 *   -DCLG_TM=n            rows per work-item (any n >= 1; default 8)
 *   -DCLG_TN=n            columns per work-item, vector width: 1, 2, 4, 8 or 16 (default 16)
 *   -DCLG_BIAS_PER_COL    bias indexed by column instead of row
 *   -DCLG_KBLOCK=n        CPU cache blocking: the k loop runs in blocks of n with a work-group
 *                         barrier after each block. On CPU OpenCL (PoCL) a work-group runs as a
 *                         loop over its work-items per barrier region, so the group's A rows and
 *                         B panels of one k block stay in L1/L2 while all its work-items use
 *                         them (accumulators are kept per work-item across the barrier). Every
 *                         work-item then reaches every barrier (same trip count for all).
 *   -DCLG_IDX=type        element-offset type (default long)
 *
 * NDRange (3-D; global sizes rounded up to the local sizes, extra items store nothing):
 *   dim 0: column tile, j0 = get_global_id(0)*CLG_TN   (ceil(N/CLG_TN) tiles)
 *   dim 1: row tile,    m0 = get_global_id(1)*CLG_TM   (ceil(M/CLG_TM) tiles)
 *   dim 2: slot s       (count)
 *
 * Arguments: A, B, C, bias (float buffers; bias read only when has_bias != 0), then M, N, K,
 *   lda, ldb, ldc, G, KPG, b0, count, a_off, a_sN, a_sG, a_sS, b_off, b_sN, b_sG, b_sS, c_off,
 *   c_sN, c_sG, c_sS (offsets and strides in elements, CLG_IDX), has_bias, out_min, out_max.
 */
__kernel void gemm_batched(__global const float *restrict A, __global const float *restrict B,
                           __global float *restrict C, __global const float *restrict bias,
                           const int M, const int N, const int K, const int lda, const int ldb,
                           const int ldc, const int G, const int KPG, const int b0,
                           const int count, const CLG_IDX a_off, const CLG_IDX a_sN,
                           const CLG_IDX a_sG, const CLG_IDX a_sS, const CLG_IDX b_off,
                           const CLG_IDX b_sN, const CLG_IDX b_sG, const CLG_IDX b_sS,
                           const CLG_IDX c_off, const CLG_IDX c_sN, const CLG_IDX c_sG,
                           const CLG_IDX c_sS, const int has_bias, const float out_min,
                           const float out_max)
{
    int tile = (int)get_global_id(0); /* column tile */
    int m0 = (int)get_global_id(1) * CLG_TM;
    int s = (int)get_global_id(2);
    const int valid = tile * CLG_TN < N && m0 < M && s < count;
#ifdef CLG_KBLOCK
    /* Every work-item must reach the barriers: out-of-range ones point at tile 0, skip the
       arithmetic and store nothing. */
    if (!valid) tile = 0, m0 = 0, s = 0;
#else
    if (!valid) return;
#endif
    int j0 = tile * CLG_TN;
    /* Shift an overhanging tile back inside; skip the part the previous tile owns. */
    int jskip = 0, mskip = 0;
    if (j0 + CLG_TN > N) {
        jskip = j0 - (N - CLG_TN);
        j0 = N - CLG_TN;
    }
    if (m0 + CLG_TM > M) {
        mskip = m0 - (M - CLG_TM);
        m0 = M - CLG_TM;
    }
    const int b = b0 + s;
    const int n = b / G, gi = b - n * G;
    const __global float *pa =
        A + (a_off + (CLG_IDX)n * a_sN + (CLG_IDX)gi * a_sG + (CLG_IDX)s * a_sS) +
        (CLG_IDX)m0 * lda;
    const __global float *pb =
        B + (b_off + (CLG_IDX)n * b_sN + (CLG_IDX)gi * b_sG + (CLG_IDX)s * b_sS) + j0;
    __global float *pc = C + (c_off + (CLG_IDX)n * c_sN + (CLG_IDX)gi * c_sG + (CLG_IDX)s * c_sS) +
                         (CLG_IDX)m0 * ldc + j0;

    clg_vec acc[CLG_TM];
#pragma unroll
    for (int i = 0; i < CLG_TM; ++i) acc[i] = (clg_vec)(0.0f);

#define CLG_K_STEP()                                                                            \
    do {                                                                                        \
        const clg_vec bv = CLG_VLOAD(pb);                                                       \
        pb += ldb;                                                                              \
        _Pragma("unroll") for (int i = 0; i < CLG_TM; ++i) acc[i] =                             \
            fma((clg_vec)(pa[i * lda]), bv, acc[i]);                                            \
        ++pa;                                                                                   \
    } while (0)
#ifdef CLG_KBLOCK
    for (int kb = 0; kb < K; kb += CLG_KBLOCK) {
        const int kend = min(K, kb + CLG_KBLOCK);
        if (valid)
            for (int k = kb; k < kend; ++k) CLG_K_STEP();
        barrier(CLK_GLOBAL_MEM_FENCE);
    }
    if (!valid) return;
#else
    for (int k = 0; k < K; ++k) CLG_K_STEP();
#endif

#ifdef CLG_BIAS_PER_COL
    const clg_vec bias_v = has_bias ? CLG_VLOAD(bias + gi * KPG + j0) : (clg_vec)(0.0f);
#endif
#pragma unroll
    for (int i = 0; i < CLG_TM; ++i) {
        if (i < mskip) continue;
#ifdef CLG_BIAS_PER_COL
        clg_vec v = acc[i] + bias_v;
#else
        clg_vec v = acc[i] + (has_bias ? bias[gi * KPG + m0 + i] : 0.0f);
#endif
        v = select(v, (clg_vec)(out_min), v < out_min);
        v = select(v, (clg_vec)(out_max), v > out_max);
        __global float *row = pc + (CLG_IDX)i * ldc;
        if (jskip == 0) {
            CLG_VSTORE(v, row);
        } else {
            float part[CLG_TN];
            CLG_VSTORE(v, part);
            for (int j = jskip; j < CLG_TN; ++j) row[j] = part[j];
        }
    }
}

/*
 * bias_clamp
 *
 * Copies a finished result to the output with bias and clamp:
 *   out[i] = clamp(src[src_off + i] + bias[k], out_min, out_max),  k = (i / chan_div) % K
 * (NCHW: chan_div = OH*OW; NHWC: chan_div = 1); no bias when has_bias is 0. Used after CLBlast,
 * whose GEMM has no epilogue and writes into the workspace, so that this launch is the only
 * command that writes the output.
 *
 * Compile-time options: -DCLG_IDX=type (element-index type, default long).
 * NDRange (1-D, rounded up, extra items return): dim 0 = element i (total).
 * Arguments: out, src, bias (float buffers), total, chan_div, K, has_bias, out_min, out_max,
 * src_off (elements).
 */
__kernel void bias_clamp(__global float *restrict out, __global const float *restrict src,
                         __global const float *restrict bias, const CLG_IDX total,
                         const CLG_IDX chan_div, const int K, const int has_bias,
                         const float out_min, const float out_max, const CLG_IDX src_off)
{
    const CLG_IDX i = (CLG_IDX)get_global_id(0);
    if (i >= total) return;
    float v = src[src_off + i];
    if (has_bias) v += bias[(int)((i / chan_div) % K)];
    if (v < out_min) v = out_min;
    if (v > out_max) v = out_max;
    out[i] = v;
}
