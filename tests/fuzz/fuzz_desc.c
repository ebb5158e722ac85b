/* fuzz_desc.c: libFuzzer target for the host-only API: descriptor validation, output size, tensor bytes and MACs against an independent 128-bit oracle, and the CPU reference against an independent scatter-order convolution (special values included). */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Tensors up to this many elements (and MACs) are computed; bigger valid shapes only have their
   sizes checked. */
#define FUZZ_MAX_ELEMS 20000
#define FUZZ_MAX_MACS 400000

static float fuzz_value(uint32_t *state, bool specials)
{
    *state = *state * 1664525u + 1013904223u;
    uint32_t r = *state >> 8;
    if (specials && (r & 63) == 0) {
        static const float sp[] = {INFINITY, -INFINITY, NAN, 1e-45f, -0.0f, 3e38f, -3e38f};
        return sp[(r >> 6) % (sizeof sp / sizeof sp[0])];
    }
    return (float)(r & 0xFFFF) / 32768.0f - 1.0f;
}

/* The convolution in scatter order: every input element adds its products into the outputs it
   reaches (a different loop structure and summation order from the reference). */
static void scatter_conv(const clgconv_conv2d_desc *d, int64_t oh, int64_t ow, const float *x,
                         const float *w, const float *b, double *acc, float *y)
{
    const int64_t N = d->batch, C = d->in_channels, H = d->in_height, W = d->in_width;
    const int64_t K = d->out_channels, G = d->groups, CPG = C / G, KPG = K / G;
    const bool nhwc = d->layout == CLGCONV_LAYOUT_NHWC;
    for (int64_t n = 0; n < N; ++n)
        for (int64_t k = 0; k < K; ++k)
            for (int64_t i = 0; i < oh * ow; ++i) acc[(n * K + k) * oh * ow + i] = b ? b[k] : 0.0;
    for (int64_t n = 0; n < N; ++n)
        for (int64_t iy = 0; iy < H; ++iy)
            for (int64_t ix = 0; ix < W; ++ix)
                for (int64_t c = 0; c < C; ++c) {
                    double xv = x[nhwc ? ((n * H + iy) * W + ix) * C + c
                                       : ((n * C + c) * H + iy) * W + ix];
                    int64_t g = c / CPG, cg = c % CPG;
                    for (int64_t ky = 0; ky < d->kernel_h; ++ky) {
                        int64_t ty = iy + d->pad_top - ky * d->dilation_h;
                        if (ty < 0 || ty % d->stride_h) continue;
                        int64_t oy = ty / d->stride_h;
                        if (oy >= oh) continue;
                        for (int64_t kx = 0; kx < d->kernel_w; ++kx) {
                            int64_t tx = ix + d->pad_left - kx * d->dilation_w;
                            if (tx < 0 || tx % d->stride_w) continue;
                            int64_t ox = tx / d->stride_w;
                            if (ox >= ow) continue;
                            for (int64_t kk = 0; kk < KPG; ++kk) {
                                int64_t k = g * KPG + kk;
                                acc[((n * K + k) * oh + oy) * ow + ox] +=
                                    xv * (double)w[((k * CPG + cg) * d->kernel_h + ky) * d->kernel_w + kx];
                            }
                        }
                    }
                }
    for (int64_t n = 0; n < N; ++n)
        for (int64_t k = 0; k < K; ++k)
            for (int64_t oy = 0; oy < oh; ++oy)
                for (int64_t ox = 0; ox < ow; ++ox) {
                    double v = acc[((n * K + k) * oh + oy) * ow + ox];
                    if (v < d->output_min) v = d->output_min; /* NaN stays NaN */
                    if (v > d->output_max) v = d->output_max;
                    y[nhwc ? ((n * oh + oy) * ow + ox) * K + k : ((n * K + k) * oh + oy) * ow + ox] =
                        (float)v;
                }
}

/* Runs the reference and the scatter convolution and compares them element by element: the
   same NaN/inf outcome, and finite values within the rounding of two double summation orders
   (relative 1e-12 of the sum of magnitudes) plus one float rounding. */
static void check_reference(const fuzz_case *c, const fuzz_sizes *s)
{
    const clgconv_conv2d_desc *d = &c->desc;
    size_t nx = (size_t)s->input, nw = (size_t)s->weights, ny = (size_t)s->output;
    size_t nb = (size_t)d->out_channels;
    float *x = malloc(nx * 4), *w = malloc(nw * 4), *b = malloc(nb * 4), *y = malloc(ny * 4);
    float *y2 = malloc(ny * 4);
    double *acc = malloc(ny * sizeof(double));
    if (!x || !w || !b || !y || !y2 || !acc) abort();
    uint32_t st = c->seed;
    bool specials = c->flags & 2;
    for (size_t i = 0; i < nx; ++i) x[i] = fuzz_value(&st, specials);
    for (size_t i = 0; i < nw; ++i) w[i] = fuzz_value(&st, specials);
    for (size_t i = 0; i < nb; ++i) b[i] = fuzz_value(&st, specials);
    const float *bias = c->flags & 1 ? b : NULL;

    FUZZ_REQUIRE(clgconv_conv2d_reference(d, NULL, w, bias, y) == CLGCONV_ERROR_INVALID_ARGUMENT,
                 c, "reference accepted a NULL input");
    FUZZ_REQUIRE(clgconv_conv2d_reference(d, x, w, bias, NULL) == CLGCONV_ERROR_INVALID_ARGUMENT,
                 c, "reference accepted a NULL output");
    clgconv_status r = clgconv_conv2d_reference(d, x, w, bias, y);
    FUZZ_REQUIRE(r == CLGCONV_SUCCESS, c, "reference failed on a valid descriptor: %s",
                 clgconv_status_string(r));
    scatter_conv(d, s->oh, s->ow, x, w, bias, acc, y2);

    /* Magnitudes for the tolerance: the scatter convolution on |x|, |w|, |b|, unclamped. */
    for (size_t i = 0; i < nx; ++i) x[i] = fabsf(x[i]);
    for (size_t i = 0; i < nw; ++i) w[i] = fabsf(w[i]);
    for (size_t i = 0; i < nb; ++i) b[i] = fabsf(b[i]);
    clgconv_conv2d_desc unclamped = *d;
    unclamped.output_min = -INFINITY, unclamped.output_max = INFINITY;
    float *mag = malloc(ny * 4);
    if (!mag) abort();
    scatter_conv(&unclamped, s->oh, s->ow, x, w, bias ? b : NULL, acc, mag);
    for (size_t i = 0; i < ny; ++i) {
        float a = y[i], e = y2[i];
        bool same;
        if (isnan(a) || isnan(e))
            same = isnan(a) && isnan(e);
        else if (isinf(a) || isinf(e)) /* equal, or one side rounded just past FLT_MAX */
            same = a == e || (fabsf(a) >= FLT_MAX * 0.999999f && fabsf(e) >= FLT_MAX * 0.999999f &&
                              (a > 0) == (e > 0));
        else
            same = fabs((double)a - (double)e) <=
                   1e-12 * (double)mag[i] + 2.0 * fabs((double)e) * FLT_EPSILON + 1e-37;
        FUZZ_REQUIRE(same, c, "reference[%zu] = %.9g but the scatter convolution gives %.9g", i,
                     (double)a, (double)e);
    }
    free(x), free(w), free(b), free(y), free(y2), free(acc), free(mag);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_case c;
    fuzz_decode(data, size, &c);
    const clgconv_conv2d_desc *d = &c.desc;
    fuzz_sizes s;
    fuzz_oracle(d, &s);

    int oh = -12345, ow = -12345;
    clgconv_status st = clgconv_conv2d_output_size(d, &oh, &ow);
    bool accept = s.valid && !s.too_large;
    FUZZ_REQUIRE(st == (accept ? CLGCONV_SUCCESS : CLGCONV_ERROR_INVALID_ARGUMENT), &c,
                 "output_size returned %s; the oracle says %s", clgconv_status_string(st),
                 !s.valid ? "invalid" : s.too_large ? "over the 2^60-element cap" : "valid");
    FUZZ_REQUIRE(clgconv_conv2d_output_size(d, NULL, NULL) == st, &c, "NULL outputs differ");
    size_t in_b = 1, w_b = 1, b_b = 1, out_b = 1;
    FUZZ_REQUIRE(clgconv_conv2d_tensor_bytes(d, &in_b, &w_b, &b_b, &out_b) == st, &c,
                 "tensor_bytes disagrees with output_size");
    double macs = clgconv_conv2d_macs(d);
    if (!accept) {
        FUZZ_REQUIRE(clgconv_last_error()[0] != 0, &c, "no message for an invalid descriptor");
        FUZZ_REQUIRE(macs == 0.0, &c, "macs %g for an invalid descriptor", macs);
        float dummy = 0;
        FUZZ_REQUIRE(clgconv_conv2d_reference(d, &dummy, &dummy, NULL, &dummy) ==
                         CLGCONV_ERROR_INVALID_ARGUMENT,
                     &c, "reference accepted an invalid descriptor");
    } else {
        FUZZ_REQUIRE(oh == s.oh && ow == s.ow, &c, "output %dx%d, oracle %lldx%lld", oh, ow,
                     (long long)s.oh, (long long)s.ow);
        FUZZ_REQUIRE((unsigned __int128)in_b == s.input * 4 &&
                         (unsigned __int128)w_b == s.weights * 4 &&
                         (unsigned __int128)out_b == s.output * 4 &&
                         b_b == (size_t)d->out_channels * 4,
                     &c, "tensor bytes %zu %zu %zu %zu disagree with the oracle", in_b, w_b, b_b,
                     out_b);
        double want = (double)s.output * (double)s.reduction;
        FUZZ_REQUIRE(fabs(macs - want) <= 1e-9 * want, &c, "macs %.17g, oracle %.17g", macs, want);
        if (s.input <= FUZZ_MAX_ELEMS && s.weights <= FUZZ_MAX_ELEMS &&
            s.output <= FUZZ_MAX_ELEMS && s.output * s.reduction <= FUZZ_MAX_MACS)
            check_reference(&c, &s);
    }

    /* Enum helpers take any value. */
    const char *name = clgconv_algo_name((clgconv_algo)c.algo);
    bool known = c.algo >= 0 && c.algo < CLGCONV_ALGO_COUNT_;
    FUZZ_REQUIRE((name != NULL) == known, &c, "algo_name(%d)", c.algo);
    if (name) {
        clgconv_algo back = CLGCONV_ALGO_COUNT_;
        FUZZ_REQUIRE(clgconv_algo_from_name(name, &back) == CLGCONV_SUCCESS &&
                         (int)back == c.algo,
                     &c, "algo name round trip");
    }
    FUZZ_REQUIRE(clgconv_status_string((clgconv_status)c.algo) != NULL, &c, "status string");
    /* A name built from the raw bytes is refused unless it is one of the six. */
    char text[16];
    size_t tn = size < sizeof text - 1 ? size : sizeof text - 1;
    memcpy(text, data, tn);
    text[tn] = 0;
    clgconv_algo parsed;
    if (clgconv_algo_from_name(text, &parsed) == CLGCONV_SUCCESS)
        FUZZ_REQUIRE(strcmp(clgconv_algo_name(parsed), text) == 0, &c, "parsed \"%s\"", text);
    return 0;
}
