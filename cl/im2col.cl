/* im2col.cl: data reorders of the GEMM path: grouped im2col into the workspace, and the weight transpose for NHWC. */

#ifndef CLG_IDX
#define CLG_IDX long
#endif

/*
 * im2col_grouped
 *
 * Unfolds the input patches of a range of (image, group) pairs ("slots") into the workspace, one
 * matrix per slot, so that the convolution of slot b is one GEMM with that matrix. Pair
 * b = b0 + slot stands for image n = b / G, group gi = b % G; slot runs over [0, count).
 * The reduction index r enumerates (c, ky, kx) of the group's CPG*KH*KW patch terms and the
 * pixel index p = oy*OW + ox the output pixels; P = OH*OW, RED = CPG*KH*KW.
 *
 * Compile-time options:
 *   -DCLG_COL_RP      the slot matrix is col[r][p] (row length P): the NCHW GEMM operand B.
 *                     Without it, col[p][r] (row length RED): the NHWC GEMM operand A.
 *   -DCLG_R_KKC       r = (ky*KW + kx)*CPG + c (channel fastest: contiguous reads in NHWC).
 *                     Without it, r = (c*KH + ky)*KW + kx, the order of the weights' rows.
 *   -DCLG_IDX=type    element-offset type (default long)
 *
 * NDRange (3-D), all slots in one launch; global sizes are rounded up, extra items return:
 *   CLG_COL_RP:  dim 0 = p (P), dim 1 = r (RED), dim 2 = slot (count)
 *   otherwise:   dim 0 = r (RED), dim 1 = p (P), dim 2 = slot (count)
 * so that dimension 0 is the contiguous dimension of the written matrix.
 *
 * Arguments:
 *   input   float tensor, element (n, c, y, x) at n*in_sN + c*in_sC + y*in_sY + x*in_sX
 *   col     float workspace; slot s's matrix starts at col_offset + s*RED*P
 *   then G, CPG, H, W, KH, KW, SH, SW, PT, PL, DH, DW, OH, OW, b0, count, the four input
 *   strides, col_offset. Elements of padding are written as 0.
 */
__kernel void im2col_grouped(__global const float *restrict input, __global float *restrict col,
                             const int G, const int CPG, const int H, const int W, const int KH,
                             const int KW, const int SH, const int SW, const int PT, const int PL,
                             const int DH, const int DW, const int OH, const int OW, const int b0,
                             const int count, const CLG_IDX in_sN, const CLG_IDX in_sC,
                             const CLG_IDX in_sY, const CLG_IDX in_sX, const CLG_IDX col_offset)
{
    const int P = OH * OW, RED = CPG * KH * KW;
#ifdef CLG_COL_RP
    const int p = (int)get_global_id(0), r = (int)get_global_id(1);
#else
    const int r = (int)get_global_id(0), p = (int)get_global_id(1);
#endif
    const int slot = (int)get_global_id(2);
    if (p >= P || r >= RED || slot >= count) return;
    const int b = b0 + slot;
    const int n = b / G, gi = b - n * G;
#ifdef CLG_R_KKC
    const int kk = r / CPG, c = r - kk * CPG;
    const int ky = kk / KW, kx = kk - ky * KW;
#else
    const int c = r / (KH * KW), kk = r - c * (KH * KW);
    const int ky = kk / KW, kx = kk - ky * KW;
#endif
    const int oy = p / OW, ox = p - oy * OW;
    const int iy = oy * SH - PT + ky * DH, ix = ox * SW - PL + kx * DW;
    float v = 0.0f;
    if (iy >= 0 && iy < H && ix >= 0 && ix < W)
        v = input[(CLG_IDX)n * in_sN + (CLG_IDX)(gi * CPG + c) * in_sC + (CLG_IDX)iy * in_sY +
                  (CLG_IDX)ix * in_sX];
#ifdef CLG_COL_RP
    const CLG_IDX at = (CLG_IDX)r * P + p;
#else
    const CLG_IDX at = (CLG_IDX)p * RED + r;
#endif
    col[col_offset + (CLG_IDX)slot * ((CLG_IDX)RED * P) + at] = v;
}

/*
 * weights_kkc_transposed
 *
 * Writes the weights of every group as the GEMM operand B of the NHWC path:
 *   wt[gi][r][j] = weights[gi*KPG + j][c][ky][kx],  r = (ky*KW + kx)*CPG + c
 * i.e. per group a RED x KPG row-major matrix (RED = CPG*KH*KW) whose rows follow the
 * CLG_R_KKC order of im2col_grouped.
 *
 * Compile-time options: -DCLG_IDX=type (element-offset type, default long).
 * NDRange (3-D, rounded up, extra items return): dim 0 = j (KPG), dim 1 = r (RED), dim 2 = gi (G).
 * Arguments: weights float[K][CPG][KH][KW], wt float workspace (group gi's matrix at
 *   wt_offset + gi*RED*KPG), then G, CPG, KPG, KH, KW, wt_offset.
 */
__kernel void weights_kkc_transposed(__global const float *restrict weights,
                                     __global float *restrict wt, const int G, const int CPG,
                                     const int KPG, const int KH, const int KW,
                                     const CLG_IDX wt_offset)
{
    const int j = (int)get_global_id(0), r = (int)get_global_id(1), gi = (int)get_global_id(2);
    const int RED = CPG * KH * KW;
    if (j >= KPG || r >= RED || gi >= G) return;
    const int kk = r / CPG, c = r - kk * CPG;
    const CLG_IDX k = (CLG_IDX)gi * KPG + j;
    const float v = weights[k * RED + (CLG_IDX)c * (KH * KW) + kk];
    wt[wt_offset + ((CLG_IDX)gi * RED + r) * KPG + j] = v;
}
