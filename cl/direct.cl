/* direct.cl: the generic direct grouped convolution, one program for every shape and layout. */

/*
 * conv2d_direct
 *
 * NDRange (3-D), all groups and images in one launch:
 *   dim 0: output pixel p = oy*OW + ox, 0 <= p < OH*OW (global rounded up; extra items return)
 *   dim 1: block of CLG_KB output channels within the group: kg = get_global_id(1)*CLG_KB
 *   dim 2: image and group: n = id / G, group gi = id % G
 * Each work-item computes CLG_KB output channels (k = gi*KPG + kg + j) of one pixel, so one input
 * value read is used CLG_KB times (a 1 x CLG_KB register tile).
 *
 * Compile-time options:
 *   -DCLG_KB=n      output channels per work-item (default 4)
 *   -DCLG_IDX=type  integer type for element offsets and input coordinates: int (default) or
 *                   long for tensors with 2^31 or more elements or coordinates past 2^31 - 1
 *                   (strides, pads or dilations near 2^31)
 *
 * Arguments (shape values are runtime arguments, so one build serves every shape):
 *   input    float[N*C*H*W], laid out by the strides in_s{N,C,Y,X}
 *   weights  float[K][CPG][KH][KW]
 *   bias     float[K], read only when has_bias != 0 (any valid buffer otherwise)
 *   output   float[N*K*OH*OW], laid out by the strides out_s{N,C,Y,X}
 *   then the shape: G, CPG, KPG, H, W, KH, KW, SH, SW, PT, PL, DH, DW, OH, OW, the eight strides,
 *   has_bias, output_min, output_max.
 * The result is clamp(sum + bias, output_min, output_max) with comparisons, so NaN stays NaN.
 */

#ifndef CLG_KB
#define CLG_KB 4
#endif
#ifndef CLG_IDX
#define CLG_IDX int
#endif

__kernel void conv2d_direct(__global const float *restrict input,
                            __global const float *restrict weights,
                            __global const float *restrict bias, __global float *restrict output,
                            const int G, const int CPG, const int KPG, const int H, const int W,
                            const int KH, const int KW, const int SH, const int SW, const int PT,
                            const int PL, const int DH, const int DW, const int OH, const int OW,
                            const CLG_IDX in_sN, const CLG_IDX in_sC, const CLG_IDX in_sY,
                            const CLG_IDX in_sX, const CLG_IDX out_sN, const CLG_IDX out_sC,
                            const CLG_IDX out_sY, const CLG_IDX out_sX, const int has_bias,
                            const float output_min, const float output_max)
{
    const int p = (int)get_global_id(0);
    const int kg = (int)get_global_id(1) * CLG_KB;
    const int ng = (int)get_global_id(2);
    if (p >= OH * OW || kg >= KPG) return;
    const int n = ng / G, gi = ng - n * G;
    const int oy = p / OW, ox = p - oy * OW;
    const int nk = min(CLG_KB, KPG - kg);
    const int k0 = gi * KPG + kg;
    const int red = CPG * KH * KW;

    float acc[CLG_KB];
    for (int j = 0; j < CLG_KB; ++j) acc[j] = 0.0f;

    /* Coordinates in CLG_IDX: with strides, pads or dilations near 2^31 they leave int. */
    const CLG_IDX iy0 = (CLG_IDX)oy * SH - PT, ix0 = (CLG_IDX)ox * SW - PL;
    const __global float *in = input + (CLG_IDX)n * in_sN + (CLG_IDX)(gi * CPG) * in_sC;
    const __global float *w = weights + (CLG_IDX)k0 * red;
    for (int c = 0; c < CPG; ++c) {
        for (int ky = 0; ky < KH; ++ky) {
            const CLG_IDX iy = iy0 + (CLG_IDX)ky * DH;
            if (iy < 0 || iy >= H) continue;
            for (int kx = 0; kx < KW; ++kx) {
                const CLG_IDX ix = ix0 + (CLG_IDX)kx * DW;
                if (ix < 0 || ix >= W) continue;
                const float x = in[(CLG_IDX)c * in_sC + iy * in_sY + ix * in_sX];
                const int widx = (c * KH + ky) * KW + kx;
                for (int j = 0; j < CLG_KB; ++j)
                    if (j < nk) acc[j] = mad(x, w[(CLG_IDX)j * red + widx], acc[j]);
            }
        }
    }
    __global float *out = output + (CLG_IDX)n * out_sN + (CLG_IDX)oy * out_sY + (CLG_IDX)ox * out_sX;
    for (int j = 0; j < CLG_KB; ++j) {
        if (j >= nk) break;
        float v = acc[j];
        if (has_bias) v += bias[k0 + j];
        if (v < output_min) v = output_min;
        if (v > output_max) v = output_max;
        out[(CLG_IDX)(k0 + j) * out_sC] = v;
    }
}
