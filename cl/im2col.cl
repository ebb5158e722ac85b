/* im2col.cl: data reorders of the GEMM path: grouped im2col into the workspace, and the weight transpose for NHWC. */

#ifndef CLG_IDX
#define CLG_IDX long
#endif

/*
 * im2col_grouped
 *
 * Unfolds the input patches of a range of (image, group) pairs ("slots") into the workspace, one
 * matrix per slot, so that the convolution of slot s is one GEMM with that matrix. Pair
 * b = b0 + s stands for image n = b / G, group gi = b % G; s runs over [0, count).
 * The reduction index r enumerates (c, ky, kx) of the group's CPG*KH*KW patch terms and the
 * pixel index p = oy*OW + ox the output pixels; P = OH*OW, RED = CPG*KH*KW. Padding is written
 * as 0. Slot s's matrix starts at col + col_offset + s*RED*P.
 *
 * Each work-item writes one contiguous run of its slot's matrix, so the index arithmetic
 * (divisions) is paid once per run, not per element:
 *   -DCLG_COL_RP   col[r][p] (the NCHW GEMM operand B), r = (c*KH + ky)*KW + kx.
 *                  Run = one output row: fixed (r, oy), ox = 0..OW-1; runs = RED*OH.
 *                  The row splits into left padding, an in-bounds copy, right padding.
 *     -DCLG_RUN_PLANE  with CLG_COL_RP: run = all OH rows of one r; runs = RED (for CPUs,
 *                  where fewer, longer runs halve the time; GPUs want the parallelism).
 *   -DCLG_R_KKC    col[p][r] (the NHWC GEMM operand A), r = (ky*KW + kx)*CPG + c (channel
 *                  fastest: contiguous NHWC reads and writes).
 *   neither        col[p][r], r = (c*KH + ky)*KW + kx (the weights' order, for CLBlast with a
 *                  transposed weight operand).
 *                  For both col[p][r] forms a run is the row of one pixel p (RED elements);
 *                  runs = P.
 * Other options: -DCLG_IDX=type  element-offset type (default long).
 *
 * NDRange (2-D; global sizes rounded up, extra items return): dim 0 = run index within the
 * slot, dim 1 = slot (count).
 *
 * Arguments:
 *   input   float tensor, element (n, c, y, x) at n*in_sN + c*in_sC + y*in_sY + x*in_sX
 *   col     float workspace
 *   then G, CPG, H, W, KH, KW, SH, SW, PT, PL, DH, DW, OH, OW, b0, count, the four input
 *   strides, col_offset.
 */
__kernel void im2col_grouped(__global const float *restrict input, __global float *restrict col,
                             const int G, const int CPG, const int H, const int W, const int KH,
                             const int KW, const int SH, const int SW, const int PT, const int PL,
                             const int DH, const int DW, const int OH, const int OW, const int b0,
                             const int count, const CLG_IDX in_sN, const CLG_IDX in_sC,
                             const CLG_IDX in_sY, const CLG_IDX in_sX, const CLG_IDX col_offset)
{
    const int P = OH * OW, RED = CPG * KH * KW;
    const int run = (int)get_global_id(0), s = (int)get_global_id(1);
    if (s >= count) return;
    const int b = b0 + s;
    const int n = b / G, gi = b - n * G;
    const __global float *in = input + (CLG_IDX)n * in_sN + (CLG_IDX)(gi * CPG) * in_sC;
    __global float *dst = col + col_offset + (CLG_IDX)s * ((CLG_IDX)RED * P);
#if defined(CLG_COL_RP)
#ifdef CLG_RUN_PLANE
    if (run >= RED) return;
    const int r = run;
    for (int oy = 0; oy < OH; ++oy) {
#else
    if (run >= RED * OH) return;
    const int r = run / OH;
    {
        const int oy = run - r * OH;
#endif
        const int c = r / (KH * KW), kk = r - c * (KH * KW);
        const int ky = kk / KW, kx = kk - ky * KW;
        const int iy = oy * SH - PT + ky * DH;
        __global float *d = dst + (CLG_IDX)r * P + oy * OW;
        int lo = OW, hi = OW; /* [lo, hi): ox whose ix is inside the row */
        if (iy >= 0 && iy < H) {
            const int off = kx * DW - PL; /* ix = ox*SW + off */
            lo = off >= 0 ? 0 : (-off + SW - 1) / SW;
            hi = W - 1 - off < 0 ? 0 : (W - 1 - off) / SW + 1;
            lo = min(lo, OW);
            hi = clamp(hi, lo, OW);
            const __global float *src = in + (CLG_IDX)c * in_sC + (CLG_IDX)iy * in_sY;
            if (SW == 1 && in_sX == 1) { /* a plain copy the compiler can vectorise */
                src += off;
                for (int ox = lo; ox < hi; ++ox) d[ox] = src[ox];
            } else {
                for (int ox = lo; ox < hi; ++ox) d[ox] = src[(CLG_IDX)(ox * SW + off) * in_sX];
            }
        }
        for (int ox = 0; ox < lo; ++ox) d[ox] = 0.0f;
        for (int ox = hi; ox < OW; ++ox) d[ox] = 0.0f;
    }
#else
    /* col[p][r]: one run is the whole row of pixel p (RED elements). */
    if (run >= P) return;
    const int p = run;
    const int oy = p / OW, ox = p - oy * OW;
    dst += (CLG_IDX)p * RED;
    for (int ky = 0; ky < KH; ++ky) {
        const int iy = oy * SH - PT + ky * DH;
        for (int kx = 0; kx < KW; ++kx) {
            const int ix = ox * SW - PL + kx * DW;
            const int inside = iy >= 0 && iy < H && ix >= 0 && ix < W;
#ifdef CLG_R_KKC
            __global float *d = dst + (ky * KW + kx) * CPG;
            const int step = 1;
#else
            __global float *d = dst + ky * KW + kx;
            const int step = KH * KW;
#endif
            if (inside) {
                const __global float *src = in + (CLG_IDX)iy * in_sY + (CLG_IDX)ix * in_sX;
                if (step == 1 && in_sC == 1) /* NHWC channels to a contiguous run: a plain copy */
                    for (int c = 0; c < CPG; ++c) d[c] = src[c];
                else
                    for (int c = 0; c < CPG; ++c) d[c * step] = src[(CLG_IDX)c * in_sC];
            } else {
                for (int c = 0; c < CPG; ++c) d[c * step] = 0.0f;
            }
        }
    }
#endif
}

/*
 * weights_kkc_transposed
 *
 * Writes the weights of every group as the GEMM operand B of the NHWC path:
 *   wt[gi][r][j] = weights[gi*KPG + j][c][ky][kx],  r = (ky*KW + kx)*CPG + c
 * i.e. per group a RED x KPG row-major matrix (RED = CPG*KH*KW) whose rows follow the
 * CLG_R_KKC order of im2col_grouped. Each work-item moves the CPG values of one (j, ky, kx).
 *
 * Compile-time options: -DCLG_IDX=type (element-offset type, default long).
 * NDRange (3-D, rounded up, extra items return): dim 0 = j (KPG), dim 1 = ky*KW + kx (KH*KW),
 *   dim 2 = gi (G).
 * Arguments: weights float[K][CPG][KH][KW], wt float workspace (group gi's matrix at
 *   wt_offset + gi*RED*KPG), then G, CPG, KPG, KH, KW, wt_offset.
 */
__kernel void weights_kkc_transposed(__global const float *restrict weights,
                                     __global float *restrict wt, const int G, const int CPG,
                                     const int KPG, const int KH, const int KW,
                                     const CLG_IDX wt_offset)
{
    const int j = (int)get_global_id(0), kk = (int)get_global_id(1), gi = (int)get_global_id(2);
    if (j >= KPG || kk >= KH * KW || gi >= G) return;
    const int RED = CPG * KH * KW;
    const __global float *src = weights + ((CLG_IDX)gi * KPG + j) * RED + kk;
    __global float *dst = wt + wt_offset + ((CLG_IDX)gi * RED + (CLG_IDX)kk * CPG) * KPG + j;
    for (int c = 0; c < CPG; ++c) dst[(CLG_IDX)c * KPG] = src[(CLG_IDX)c * (KH * KW)];
}
