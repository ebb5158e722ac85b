/* reference.c: the CPU reference convolution (plain loops, double accumulation, no OpenCL). */
#include "internal.h"

#include <math.h>

clgconv_status clgconv_conv2d_reference(const clgconv_conv2d_desc *desc, const float *input,
                                        const float *weights, const float *bias, float *output)
{
    clg_shape s;
    clgconv_status st = clg_shape_from_desc(desc, &s);
    if (st != CLGCONV_SUCCESS) return st;
    if (!input) return clg_fail(CLGCONV_ERROR_INVALID_ARGUMENT, "input is NULL");
    if (!weights) return clg_fail(CLGCONV_ERROR_INVALID_ARGUMENT, "weights is NULL");
    if (!output) return clg_fail(CLGCONV_ERROR_INVALID_ARGUMENT, "output is NULL");

    const double lo = desc->output_min, hi = desc->output_max;
    for (int64_t n = 0; n < s.N; ++n)
        for (int64_t k = 0; k < s.K; ++k) {
            const int64_t gi = k / s.KPG;
            const float *wk = weights + k * s.CPG * s.KH * s.KW;
            for (int64_t oy = 0; oy < s.OH; ++oy)
                for (int64_t ox = 0; ox < s.OW; ++ox) {
                    double acc = bias ? (double)bias[k] : 0.0;
                    for (int64_t c = 0; c < s.CPG; ++c) {
                        const int64_t ic = gi * s.CPG + c;
                        for (int64_t ky = 0; ky < s.KH; ++ky) {
                            const int64_t iy = oy * s.SH - s.PT + ky * s.DH;
                            if (iy < 0 || iy >= s.H) continue;
                            for (int64_t kx = 0; kx < s.KW; ++kx) {
                                const int64_t ix = ox * s.SW - s.PL + kx * s.DW;
                                if (ix < 0 || ix >= s.W) continue;
                                acc += (double)input[n * s.in_sN + ic * s.in_sC + iy * s.in_sY +
                                                     ix * s.in_sX] *
                                       (double)wk[(c * s.KH + ky) * s.KW + kx];
                            }
                        }
                    }
                    /* Comparisons (not fmin/fmax) so a NaN sum stays NaN, as in the kernels. */
                    if (acc < lo) acc = lo;
                    if (acc > hi) acc = hi;
                    output[n * s.out_sN + k * s.out_sC + oy * s.out_sY + ox * s.out_sX] =
                        (float)acc;
                }
        }
    return CLGCONV_SUCCESS;
}
