/* test_identities.c: the identities that define grouped convolution, on the CPU reference and on every OpenCL algorithm. */
#include "test_cases.h"

#include <math.h>
#include <string.h>

/* Shapes: g=1, g=2, g=3, g=C (depthwise), channel multiplier 2 and 3, NHWC, clamps, no bias. */
static const test_case shapes[] = {
    {"g1_dense", 1, 3, 5, 5, 4, 1, 3, 3, 1, 1, 1, 1, 1, 1},
    {"g2_stride_asym_pad_batch2", 2, 4, 6, 5, 6, 2, 3, 2, 2, 1, 1, 0, 1, 1},
    {"g3_relu6", 1, 6, 7, 6, 9, 3, 3, 3, 1, 1, 1, 1, 1, 1, .clamp = TEST_CLAMP_RELU6},
    {"g_eq_c_depthwise", 1, 5, 6, 7, 5, 5, 3, 3, 1, 1, 1, 1, 1, 1},
    {"depthwise_multiplier2_s2", 1, 4, 7, 8, 8, 4, 3, 3, 2, 2, 1, 1, 1, 1},
    {"g2_nhwc_dilation2_no_bias", 1, 6, 5, 6, 4, 2, 3, 3, 1, 1, 2, 2, 2, 2, 2, 2, .nhwc = 1,
     .no_bias = 1},
    {"depthwise_multiplier3_nhwc", 2, 3, 5, 4, 9, 3, 3, 3, 1, 1, 1, 1, 1, 1, .nhwc = 1},
    {"g4_1x1_nhwc_relu", 1, 8, 3, 5, 12, 4, 1, 1, 1, 1, 0, 0, 0, 0, .nhwc = 1,
     .clamp = TEST_CLAMP_RELU},
};

static clgconv_context *g_ctx;
static cl_command_queue g_queue;

/* Computes desc on the CPU reference (algo AUTO stands for it here) or with algo. */
static clgconv_status run(clgconv_algo algo, const clgconv_conv2d_desc *d, const float *x,
                          const float *w, const float *b, float *y)
{
    if (algo == CLGCONV_ALGO_AUTO) return clgconv_conv2d_reference(d, x, w, b, y);
    return test_run_plan(g_ctx, g_queue, d, algo, x, w, b, y);
}

/* Runs a derived problem (a group slice or the block-diagonal dense layer) with the engine under
   test, or with DIRECT when that algorithm does not take the derived shape (e.g. depthwise on
   a dense layer): the identity then still relates the algorithm's grouped result to a
   computation known to be right. */
static void run_derived(clgconv_algo algo, const clgconv_conv2d_desc *d, const float *x,
                        const float *w, const float *b, float *y, const char *label)
{
    clgconv_status st = run(algo, d, x, w, b, y);
    if (st == CLGCONV_ERROR_UNSUPPORTED) {
        printf("  %s: %s does not take the derived shape (%s); using direct for it\n", label,
               clgconv_algo_name(algo), clgconv_last_error());
        st = run(CLGCONV_ALGO_DIRECT, d, x, w, b, y);
    }
    CHECK_OK(st);
}

/* The grouped result must equal `expected`: bit for bit on the reference (the same products
   summed in the same order in double; the zero blocks add exact zeros), within float rounding of
   `terms`-term sums on a device. */
static void expect_same(clgconv_algo algo, const clgconv_conv2d_desc *d, const float *x,
                        const float *w, const float *b, const float *grouped,
                        const float *expected, double terms, const char *label)
{
    size_t out_b;
    CHECK_OK(clgconv_conv2d_tensor_bytes(d, NULL, NULL, NULL, &out_b));
    if (algo == CLGCONV_ALGO_AUTO) {
        size_t bad = 0;
        for (size_t i = 0; i < out_b / 4; ++i)
            if (!(grouped[i] == expected[i])) ++bad;
        EXPECT(bad == 0, "%s: %zu elements differ", label, bad);
    } else {
        EXPECT(test_compare_results(d, x, w, b, grouped, expected, terms, label), "%s", label);
    }
}

static void check_shape(const test_case *tc, clgconv_algo algo, test_rng *r)
{
    clgconv_conv2d_desc d;
    test_case_desc(tc, &d);
    const int N = d.batch, C = d.in_channels, H = d.in_height, W = d.in_width;
    const int K = d.out_channels, G = d.groups, CPG = C / G, KPG = K / G;
    const int KHW = d.kernel_h * d.kernel_w;
    const clgconv_layout L = d.layout;
    int OH, OW;
    CHECK_OK(clgconv_conv2d_output_size(&d, &OH, &OW));
    size_t in_b, w_b, b_b, out_b;
    CHECK_OK(clgconv_conv2d_tensor_bytes(&d, &in_b, &w_b, &b_b, &out_b));
    const char *engine = algo == CLGCONV_ALGO_AUTO ? "reference" : clgconv_algo_name(algo);
    char label[200];

    float *x = test_random_tensor(r, in_b / 4), *w = test_random_tensor(r, w_b / 4);
    float *b = tc->no_bias ? NULL : test_random_tensor(r, b_b / 4);
    float *grouped = test_filled(out_b / 4, NAN);
    clgconv_status st = run(algo, &d, x, w, b, grouped);
    snprintf(label, sizeof label, "%s on %s", engine, tc->name);
    if (algo != CLGCONV_ALGO_AUTO && !test_algo_ran(algo, st, label)) {
        free(x), free(w), free(b), free(grouped);
        return;
    }
    if (algo == CLGCONV_ALGO_AUTO) CHECK_OK(st);

    /* (1) g separate dense convolutions on the channel slices, concatenated along K. */
    clgconv_conv2d_desc dg = d;
    dg.in_channels = CPG, dg.out_channels = KPG, dg.groups = 1;
    size_t gin_b, gout_b;
    CHECK_OK(clgconv_conv2d_tensor_bytes(&dg, &gin_b, NULL, NULL, &gout_b));
    float *xg = malloc(gin_b), *yg = malloc(gout_b), *concat = test_filled(out_b / 4, NAN);
    CHECK(xg && yg);
    for (int gi = 0; gi < G; ++gi) {
        for (int n = 0; n < N; ++n)
            for (int c = 0; c < CPG; ++c)
                for (int i = 0; i < H; ++i)
                    for (int j = 0; j < W; ++j)
                        xg[test_index(L, CPG, H, W, n, c, i, j)] =
                            x[test_index(L, C, H, W, n, gi * CPG + c, i, j)];
        snprintf(label, sizeof label, "%s on %s, group %d alone", engine, tc->name, gi);
        run_derived(algo, &dg, xg, w + (size_t)gi * KPG * CPG * KHW, b ? b + gi * KPG : NULL, yg,
                    label);
        for (int n = 0; n < N; ++n)
            for (int k = 0; k < KPG; ++k)
                for (int i = 0; i < OH; ++i)
                    for (int j = 0; j < OW; ++j)
                        concat[test_index(L, K, OH, OW, n, gi * KPG + k, i, j)] =
                            yg[test_index(L, KPG, OH, OW, n, k, i, j)];
    }
    snprintf(label, sizeof label, "%s on %s: grouped == %d dense convolutions concatenated",
             engine, tc->name, G);
    expect_same(algo, &d, x, w, b, grouped, concat, (double)CPG * KHW, label);

    /* (2) one dense convolution with block-diagonal weights [K][C][kh][kw]. */
    clgconv_conv2d_desc dd = d;
    dd.groups = 1;
    size_t dw_b;
    CHECK_OK(clgconv_conv2d_tensor_bytes(&dd, NULL, &dw_b, NULL, NULL));
    float *wd = test_filled(dw_b / 4, 0.0f), *yd = test_filled(out_b / 4, NAN);
    for (int k = 0; k < K; ++k) {
        int gi = k / KPG;
        for (int c = 0; c < CPG; ++c)
            memcpy(wd + ((size_t)k * C + gi * CPG + c) * KHW, w + ((size_t)k * CPG + c) * KHW,
                   (size_t)KHW * sizeof(float));
    }
    snprintf(label, sizeof label, "%s on %s, block-diagonal dense", engine, tc->name);
    run_derived(algo, &dd, x, wd, b, yd, label);
    snprintf(label, sizeof label, "%s on %s: grouped == dense with block-diagonal weights",
             engine, tc->name);
    expect_same(algo, &d, x, w, b, grouped, yd, (double)C * KHW, label);

    free(x), free(w), free(b), free(grouped), free(xg), free(yg), free(concat), free(wd),
        free(yd);
}

/* (3) Weights and FLOPs of the grouped layer are exactly 1/g of the dense layer's. */
static void check_costs(const test_case *tc)
{
    clgconv_conv2d_desc d, dense;
    test_case_desc(tc, &d);
    dense = d;
    dense.groups = 1;
    size_t w_g = 0, w_d = 0;
    CHECK_OK(clgconv_conv2d_tensor_bytes(&d, NULL, &w_g, NULL, NULL));
    CHECK_OK(clgconv_conv2d_tensor_bytes(&dense, NULL, &w_d, NULL, NULL));
    size_t expect_w = (size_t)d.out_channels * (d.in_channels / d.groups) * d.kernel_h *
                      d.kernel_w * sizeof(float);
    EXPECT(w_g == expect_w, "%s: weight_bytes %zu, expected K*(C/g)*kh*kw*4 = %zu", tc->name, w_g,
           expect_w);
    EXPECT(w_g * (size_t)d.groups == w_d, "%s: grouped weight bytes %zu * g %d != dense %zu",
           tc->name, w_g, d.groups, w_d);
    double m_g = clgconv_conv2d_macs(&d), m_d = clgconv_conv2d_macs(&dense);
    int oh, ow;
    CHECK_OK(clgconv_conv2d_output_size(&d, &oh, &ow));
    double expect_m = (double)d.batch * d.out_channels * oh * ow * (d.in_channels / d.groups) *
                      d.kernel_h * d.kernel_w;
    EXPECT(m_g == expect_m, "%s: macs %.17g, expected N*K*OH*OW*(C/g)*kh*kw = %.17g", tc->name,
           m_g, expect_m);
    EXPECT(m_g > 0 && m_g * d.groups == m_d, "%s: grouped MACs %.17g * g %d != dense %.17g",
           tc->name, m_g, d.groups, m_d);
}

int main(void)
{
    g_ctx = test_open_context(&g_queue);
    printf("device: %s\n", clgconv_context_device_name(g_ctx));
    test_rng r;
    test_rng_seed(&r, 2026);
    size_t nshapes = sizeof shapes / sizeof shapes[0];
    for (size_t i = 0; i < nshapes; ++i) {
        check_costs(&shapes[i]);
        for (int a = CLGCONV_ALGO_AUTO; a < CLGCONV_ALGO_COUNT_; ++a)
            check_shape(&shapes[i], (clgconv_algo)a, &r);
    }
    clReleaseCommandQueue(g_queue);
    clgconv_context_release(g_ctx);
    return test_summary("test_identities");
}
