/* test_reference.c: clgconv_conv2d_reference and clgconv_conv2d_output_size against small hand-computed convolutions. */
#include "test_util.h"

#include <math.h>
#include <string.h>

/* A desc with the given sizes and the defaults of clgconv_conv2d_desc_init. */
static clgconv_conv2d_desc make_desc(int n, int c, int h, int w, int k, int g, int kh, int kw)
{
    clgconv_conv2d_desc d;
    clgconv_conv2d_desc_init(&d);
    d.batch = n, d.in_channels = c, d.in_height = h, d.in_width = w;
    d.out_channels = k, d.groups = g, d.kernel_h = kh, d.kernel_w = kw;
    return d;
}

static void set_pads(clgconv_conv2d_desc *d, int top, int left, int bottom, int right)
{
    d->pad_top = top, d->pad_left = left, d->pad_bottom = bottom, d->pad_right = right;
}

/* Runs the reference on desc and checks the output size and every element exactly (all the
   hand-computed values are small integers or halves: exact in float). */
static void expect_reference(const char *label, const clgconv_conv2d_desc *d, const float *x,
                             const float *w, const float *b, const float *expected,
                             int expect_oh, int expect_ow)
{
    int oh = -1, ow = -1;
    clgconv_status st = clgconv_conv2d_output_size(d, &oh, &ow);
    if (!EXPECT(st == CLGCONV_SUCCESS, "%s: output_size failed", label)) return;
    EXPECT(oh == expect_oh && ow == expect_ow, "%s: output %dx%d, expected %dx%d", label, oh, ow,
           expect_oh, expect_ow);
    size_t out_b;
    CHECK_OK(clgconv_conv2d_tensor_bytes(d, NULL, NULL, NULL, &out_b));
    size_t n = out_b / 4;
    float *y = test_filled(n, NAN);
    st = clgconv_conv2d_reference(d, x, w, b, y);
    if (EXPECT(st == CLGCONV_SUCCESS, "%s: reference returned %s", label,
               clgconv_status_string(st))) {
        size_t bad = 0;
        for (size_t i = 0; i < n; ++i)
            if (!(y[i] == expected[i])) {
                if (bad++ < 5)
                    fprintf(stderr, "%s: element %zu is %g, expected %g\n", label, i,
                            (double)y[i], (double)expected[i]);
            }
        EXPECT(bad == 0, "%s: %zu of %zu elements differ from the hand-computed values", label,
               bad, n);
    }
    free(y);
}

/* 1 channel, 4x4 image 1..16, 3x3 kernel, pad 1 (each output sums its 3x3 neighbourhood). */
static void test_dense_box_sum(void)
{
    clgconv_conv2d_desc d = make_desc(1, 1, 4, 4, 1, 1, 3, 3);
    set_pads(&d, 1, 1, 1, 1);
    float x[16], w[9];
    for (int i = 0; i < 16; ++i) x[i] = (float)(i + 1);
    for (int i = 0; i < 9; ++i) w[i] = 1;
    /* x =  1  2  3  4      e.g. y[0][0] = 1+2+5+6 = 14,
            5  6  7  8           y[1][1] = 1+2+3+5+6+7+9+10+11 = 54,
            9 10 11 12           y[3][3] = 11+12+15+16 = 54 */
    /*     13 14 15 16 */
    const float expected[16] = {14, 24, 30, 22,  /* 1+2+5+6, 1+2+3+5+6+7, 2+3+4+6+7+8, 3+4+7+8 */
                                33, 54, 63, 45,  /* rows 0-2 */
                                57, 90, 99, 69,  /* rows 1-3 */
                                46, 72, 78, 54}; /* rows 2-3 */
    expect_reference("dense box sum 3x3 pad 1", &d, x, w, NULL, expected, 4, 4);
}

/* An impulse at (1,1) of a 4x4 image shows each weight at its own place: y[i][j] = w[2-i][2-j]
   for i, j <= 2 (cross-correlation, as in PyTorch: the kernel is not flipped in the formula, so
   the response to an impulse is the flipped kernel). */
static void test_dense_impulse(void)
{
    clgconv_conv2d_desc d = make_desc(1, 1, 4, 4, 1, 1, 3, 3);
    set_pads(&d, 1, 1, 1, 1);
    float x[16] = {0};
    x[1 * 4 + 1] = 1;
    const float w[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    const float expected[16] = {9, 8, 7, 0,  /* w[2][2] w[2][1] w[2][0] */
                                6, 5, 4, 0,  /* w[1][2] w[1][1] w[1][0] */
                                3, 2, 1, 0,  /* w[0][2] w[0][1] w[0][0] */
                                0, 0, 0, 0};
    expect_reference("dense impulse 3x3 pad 1", &d, x, w, NULL, expected, 4, 4);
}

/* C=4, K=4, g=2, 2x2 kernel on a 2x2 image (output 1x1). Group 0 = channels 0,1 -> filters 0,1;
   group 1 = channels 2,3 -> filters 2,3. Each channel's pixels sum to: ch0 1+2+3+4 = 10,
   ch1 5+6+7+8 = 26, ch2 10+20+30+40 = 100, ch3 100+200+300+400 = 1000. */
static void test_groups2(void)
{
    clgconv_conv2d_desc d = make_desc(1, 4, 2, 2, 4, 2, 2, 2);
    const float x[16] = {1, 2, 3, 4, 5, 6, 7, 8, 10, 20, 30, 40, 100, 200, 300, 400};
    /* w[k][c][2][2], each 2x2 plane constant. */
    const float plane[4][2] = {{1, 2},   /* k0: 1*10 + 2*26 = 62 */
                               {-1, 0},  /* k1: -10 */
                               {3, 4},   /* k2: 3*100 + 4*1000 = 4300 */
                               {0, 1}};  /* k3: 1000 */
    float w[32];
    for (int k = 0; k < 4; ++k)
        for (int c = 0; c < 2; ++c)
            for (int i = 0; i < 4; ++i) w[(k * 2 + c) * 4 + i] = plane[k][c];
    const float expected[4] = {62, -10, 4300, 1000};
    expect_reference("groups=2", &d, x, w, NULL, expected, 1, 1);
    /* A dense reading (filters 2,3 on channels 0,1) would give 3*10+4*26 = 134 and 26: not 4300
       and 1000, so the expected values identify the group mapping. */
}

/* Depthwise C=2, multiplier 2 (K=4, g=2), 1x2 kernel on 1x3 images: filters 0,1 read channel 0,
   filters 2,3 read channel 1. */
static void test_depthwise_multiplier2(void)
{
    clgconv_conv2d_desc d = make_desc(1, 2, 1, 3, 4, 2, 1, 2);
    const float x[6] = {1, 2, 3, 10, 20, 30};
    const float w[8] = {1, 0, 0, 1, 1, 1, 2, -1};
    const float expected[8] = {1, 2,    /* [1,0] on 1 2 3 */
                               2, 3,    /* [0,1] on 1 2 3 */
                               30, 50,  /* [1,1] on 10 20 30 */
                               0, 10};  /* [2,-1]: 20-20, 40-30 */
    expect_reference("depthwise multiplier 2", &d, x, w, NULL, expected, 1, 2);

    /* The same in NHWC: [1][1][3][2] input, [1][1][2][4] output (pixel-major). */
    clgconv_conv2d_desc dn = d;
    dn.layout = CLGCONV_LAYOUT_NHWC;
    const float xn[6] = {1, 10, 2, 20, 3, 30};
    const float expected_nhwc[8] = {1, 2, 30, 0, 2, 3, 50, 10};
    expect_reference("depthwise multiplier 2 NHWC", &dn, xn, w, NULL, expected_nhwc, 1, 2);
}

/* 5x5 image 1..25 (x[i][j] = 5i + j + 1), 3x3 all-ones kernel. */
static void test_strides(void)
{
    float x[25], ones[9];
    for (int i = 0; i < 25; ++i) x[i] = (float)(i + 1);
    for (int i = 0; i < 9; ++i) ones[i] = 1;
    clgconv_conv2d_desc d = make_desc(1, 1, 5, 5, 1, 1, 3, 3);
    d.stride_h = d.stride_w = 2;
    /* OH = (5-3)/2+1 = 2. (0,0): 6+21+36 = 63; (0,1): cols 2-4: 12+27+42 = 81;
       (1,0): rows 2-4: 36+51+66 = 153; (1,1): 42+57+72 = 171. */
    const float expected[4] = {63, 81, 153, 171};
    expect_reference("stride 2", &d, x, ones, NULL, expected, 2, 2);

    d.stride_h = 1, d.stride_w = 2;
    /* OH = 3, OW = 2; each step down adds 9*5 = 45. */
    const float expected_12[6] = {63, 81, 108, 126, 153, 171};
    expect_reference("stride 1x2", &d, x, ones, NULL, expected_12, 3, 2);

    /* stride 3 on the 5x5 with a 2x2 kernel [[1,2],[3,4]]: OH = (5-2)/3+1 = 2, taps at rows/cols
       {0,1} and {3,4}: y(0,0) = 1*1+2*2+3*6+4*7 = 51, y(0,1) = 4+10+27+40 = 81,
       y(1,0) = 16+34+63+88 = 201, y(1,1) = 19+40+72+100 = 231. */
    clgconv_conv2d_desc d3 = make_desc(1, 1, 5, 5, 1, 1, 2, 2);
    d3.stride_h = d3.stride_w = 3;
    const float w3[4] = {1, 2, 3, 4};
    const float expected_3[4] = {51, 81, 201, 231};
    expect_reference("stride 3 > kernel 2", &d3, x, w3, NULL, expected_3, 2, 2);
}

/* Dilation on the same 5x5 image 1..25. */
static void test_dilation(void)
{
    float x[25], ones[9], w[9];
    for (int i = 0; i < 25; ++i) x[i] = (float)(i + 1);
    for (int i = 0; i < 9; ++i) ones[i] = 1, w[i] = (float)(i + 1);
    clgconv_conv2d_desc d = make_desc(1, 1, 5, 5, 1, 1, 3, 3);
    d.dilation_h = d.dilation_w = 2;
    /* taps rows {0,2,4} x cols {0,2,4}: 1*1+2*3+3*5 + 4*11+5*13+6*15 + 7*21+8*23+9*25
       = 22 + 199 + 556 = 777 */
    const float expected[1] = {777};
    expect_reference("dilation 2", &d, x, w, NULL, expected, 1, 1);

    d.dilation_h = 2, d.dilation_w = 1;
    /* OH = 1, OW = 3, rows {0,2,4}: cols 0-2: 6+36+66 = 108, cols 1-3: 117, cols 2-4: 126. */
    const float expected_21[3] = {108, 117, 126};
    expect_reference("dilation 2x1", &d, x, ones, NULL, expected_21, 1, 3);
}

/* 2x3 image [[1,2,3],[4,5,6]], 2x2 kernel [[1,2],[3,4]], pads top 1, left 0, bottom 0, right 2:
   padded 3x5, OH = 2, OW = 4. Row 0 of the output sees the zero row above and image row 0:
   y = 3*x0[j] + 4*x0[j+1]; row 1 sees rows 0 and 1: y = x0[j] + 2*x0[j+1] + 3*x1[j] + 4*x1[j+1]. */
static void test_asymmetric_padding(void)
{
    clgconv_conv2d_desc d = make_desc(1, 1, 2, 3, 1, 1, 2, 2);
    set_pads(&d, 1, 0, 0, 2);
    const float x[6] = {1, 2, 3, 4, 5, 6};
    const float w[4] = {1, 2, 3, 4};
    const float expected[8] = {11, 18, 9, 0,   /* 3+8, 6+12, 9+0, 0 */
                               37, 47, 21, 0}; /* 1+4+12+20, 2+6+15+24, 3+0+18+0, 0 */
    expect_reference("asymmetric padding", &d, x, w, NULL, expected, 2, 4);
}

/* 1x1 kernel, K=2 filters (2 and -1) with bias (0.5, 1) on [-2, 1, 5]. */
static void test_bias_and_clamp(void)
{
    clgconv_conv2d_desc d = make_desc(1, 1, 1, 3, 2, 1, 1, 1);
    const float x[3] = {-2, 1, 5};
    const float w[2] = {2, -1};
    const float b[2] = {0.5f, 1};
    const float plain[6] = {-3.5f, 2.5f, 10.5f, 3, 0, -4}; /* 2x+0.5 and -x+1 */
    expect_reference("bias", &d, x, w, b, plain, 1, 3);
    const float nobias[6] = {-4, 2, 10, 2, -1, -5};
    expect_reference("no bias", &d, x, w, NULL, nobias, 1, 3);
    d.output_min = 0, d.output_max = 6;
    const float relu6[6] = {0, 2.5f, 6, 3, 0, 0};
    expect_reference("bias + ReLU6", &d, x, w, b, relu6, 1, 3);
    d.output_max = INFINITY;
    const float relu[6] = {0, 2.5f, 10.5f, 3, 0, 0};
    expect_reference("bias + ReLU", &d, x, w, b, relu, 1, 3);
    d.output_min = 5, d.output_max = 5;
    const float five[6] = {5, 5, 5, 5, 5, 5};
    expect_reference("clamp [5,5]", &d, x, w, b, five, 1, 3);
    d.output_min = -1, d.output_max = 2.5f;
    const float band[6] = {-1, 2.5f, 2.5f, 2.5f, 0, -1};
    expect_reference("clamp [-1,2.5]", &d, x, w, b, band, 1, 3);
}

/* A 1x1 image with a 3x3 kernel and pad 1: only the centre taps see the image. */
static void test_one_pixel_image(void)
{
    clgconv_conv2d_desc d = make_desc(1, 2, 1, 1, 1, 1, 3, 3);
    set_pads(&d, 1, 1, 1, 1);
    const float x[2] = {3, 5};
    float w[18];
    for (int i = 0; i < 18; ++i) w[i] = 100; /* off-centre taps must read padding */
    w[4] = 2, w[9 + 4] = -1;
    const float b[1] = {0.25f};
    const float expected[1] = {1.25f}; /* 2*3 - 1*5 + 0.25 */
    expect_reference("1x1 image, 3x3 kernel, pad 1", &d, x, w, b, expected, 1, 1);

    clgconv_conv2d_desc d1 = make_desc(2, 1, 1, 1, 2, 1, 1, 1);
    const float x1[2] = {3, -4}; /* batch 2 */
    const float w1[2] = {2, 0.5f};
    const float expected1[4] = {6, 1.5f, -8, -2};
    expect_reference("1x1 image, 1x1 kernel, batch 2", &d1, x1, w1, NULL, expected1, 1, 1);
}

/* NHWC gives exactly the NCHW result transposed (same terms in the same order) on a random
   grouped problem with batch 2, padding, stride and clamp. */
static void test_nhwc_is_transposed_nchw(void)
{
    clgconv_conv2d_desc d = make_desc(2, 6, 5, 4, 9, 3, 3, 2);
    set_pads(&d, 1, 0, 2, 1);
    d.stride_h = 2, d.output_min = -0.5f, d.output_max = 0.75f;
    int oh, ow;
    CHECK_OK(clgconv_conv2d_output_size(&d, &oh, &ow));
    size_t in_b, w_b, b_b, out_b;
    CHECK_OK(clgconv_conv2d_tensor_bytes(&d, &in_b, &w_b, &b_b, &out_b));
    test_rng r;
    test_rng_seed(&r, 42);
    float *x = test_random_tensor(&r, in_b / 4), *w = test_random_tensor(&r, w_b / 4),
          *b = test_random_tensor(&r, b_b / 4);
    float *xn = malloc(in_b), *y = malloc(out_b), *yn = malloc(out_b);
    CHECK(xn && y && yn);
    for (int n = 0; n < 2; ++n)
        for (int c = 0; c < 6; ++c)
            for (int i = 0; i < 5; ++i)
                for (int j = 0; j < 4; ++j)
                    xn[test_index(CLGCONV_LAYOUT_NHWC, 6, 5, 4, n, c, i, j)] =
                        x[test_index(CLGCONV_LAYOUT_NCHW, 6, 5, 4, n, c, i, j)];
    CHECK_OK(clgconv_conv2d_reference(&d, x, w, b, y));
    clgconv_conv2d_desc dn = d;
    dn.layout = CLGCONV_LAYOUT_NHWC;
    CHECK_OK(clgconv_conv2d_reference(&dn, xn, w, b, yn));
    size_t bad = 0;
    for (int n = 0; n < 2; ++n)
        for (int k = 0; k < 9; ++k)
            for (int i = 0; i < oh; ++i)
                for (int j = 0; j < ow; ++j)
                    if (!(yn[test_index(CLGCONV_LAYOUT_NHWC, 9, oh, ow, n, k, i, j)] ==
                          y[test_index(CLGCONV_LAYOUT_NCHW, 9, oh, ow, n, k, i, j)]))
                        ++bad;
    EXPECT(bad == 0, "NHWC result differs from the transposed NCHW result in %zu elements", bad);
    free(x), free(w), free(b), free(xn), free(y), free(yn);
}

/* Bias NULL equals a zero bias. */
static void test_null_bias_is_zero_bias(void)
{
    clgconv_conv2d_desc d = make_desc(1, 4, 3, 3, 4, 2, 3, 3);
    set_pads(&d, 1, 1, 1, 1);
    test_rng r;
    test_rng_seed(&r, 7);
    float *x = test_random_tensor(&r, 36), *w = test_random_tensor(&r, 72);
    float zero[4] = {0, 0, 0, 0}, y0[36], y1[36];
    CHECK_OK(clgconv_conv2d_reference(&d, x, w, NULL, y0));
    CHECK_OK(clgconv_conv2d_reference(&d, x, w, zero, y1));
    EXPECT(memcmp(y0, y1, sizeof y0) == 0, "bias NULL differs from a zero bias");
    free(x), free(w);
}

/* clgconv_conv2d_output_size, tensor_bytes and macs on hand-worked shapes. */
static void test_output_sizes(void)
{
    struct {
        int h, w, kh, kw, sh, sw, pt, pl, pb, pr, dh, dw, oh, ow;
    } t[] = {
        {4, 4, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 4, 4},    /* "same" */
        {5, 5, 3, 3, 2, 2, 0, 0, 0, 0, 1, 1, 2, 2},    /* (5-3)/2+1 */
        {5, 5, 3, 3, 1, 1, 0, 0, 0, 0, 2, 2, 1, 1},    /* span 5 */
        {2, 3, 2, 2, 1, 1, 1, 0, 0, 2, 1, 1, 2, 4},    /* padded 3x5 */
        {7, 7, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 4, 4},    /* (7+2-3)/2+1 = 4 */
        {6, 6, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 3, 3},    /* (6+2-3)/2+1 = 3.5 -> 3 */
        {1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1},    /* 1x1 */
        {1, 1, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1},    /* 1x1 image, pad 1 */
        {10, 10, 3, 3, 1, 1, 0, 0, 0, 0, 4, 4, 2, 2},  /* span 9: 10-9+1 */
        {10, 11, 2, 2, 5, 5, 0, 0, 0, 0, 1, 1, 2, 2},  /* (10-2)/5+1 = 2, (11-2)/5+1 = 2 */
        {3, 3, 5, 5, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1},    /* kernel = padded input */
        {8, 9, 1, 1, 3, 4, 0, 0, 0, 0, 1, 1, 3, 3},    /* 1x1 kernel, 7/3+1, 8/4+1 */
        {9, 12, 1, 5, 1, 1, 0, 2, 0, 2, 1, 1, 9, 12},  /* 1x5 kernel */
        {224, 224, 7, 7, 2, 2, 3, 3, 3, 3, 1, 1, 112, 112}, /* ResNet stem: (224+6-7)/2+1 */
        {5, 5, 3, 3, 3, 1, 0, 2, 3, 0, 1, 2, 2, 3},    /* (5+3-3)/3+1 = 2, (5+2-5)/1+1 = 3 */
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; ++i) {
        clgconv_conv2d_desc d = make_desc(1, 1, t[i].h, t[i].w, 1, 1, t[i].kh, t[i].kw);
        d.stride_h = t[i].sh, d.stride_w = t[i].sw, d.dilation_h = t[i].dh, d.dilation_w = t[i].dw;
        set_pads(&d, t[i].pt, t[i].pl, t[i].pb, t[i].pr);
        int oh = -1, ow = -1;
        clgconv_status st = clgconv_conv2d_output_size(&d, &oh, &ow);
        char buf[256];
        EXPECT(st == CLGCONV_SUCCESS && oh == t[i].oh && ow == t[i].ow,
               "output_size %s: status %s, %dx%d, expected %dx%d",
               test_desc_str(&d, buf, sizeof buf), clgconv_status_string(st), oh, ow, t[i].oh,
               t[i].ow);
        /* NULL result pointers are allowed. */
        EXPECT(clgconv_conv2d_output_size(&d, NULL, NULL) == CLGCONV_SUCCESS,
               "output_size with NULL out pointers");
        oh = -1;
        EXPECT(clgconv_conv2d_output_size(&d, &oh, NULL) == CLGCONV_SUCCESS && oh == t[i].oh,
               "output_size with NULL out_width");
    }

    /* N=3, C=4, K=6, g=2, 2x2 kernel on 2x3, no pad: OH 1, OW 2.
       input 3*4*2*3 = 72 floats, weights 6*2*2*2 = 48, bias 6, output 3*6*1*2 = 36;
       MACs = N*K*OH*OW*(C/g)*kh*kw = 3*6*1*2*2*2*2 = 288. */
    clgconv_conv2d_desc d = make_desc(3, 4, 2, 3, 6, 2, 2, 2);
    size_t in_b = 0, w_b = 0, b_b = 0, out_b = 0;
    EXPECT(clgconv_conv2d_tensor_bytes(&d, &in_b, &w_b, &b_b, &out_b) == CLGCONV_SUCCESS,
           "tensor_bytes");
    EXPECT(in_b == 72 * 4 && w_b == 48 * 4 && b_b == 6 * 4 && out_b == 36 * 4,
           "tensor_bytes gave %zu %zu %zu %zu, expected 288 192 24 144", in_b, w_b, b_b, out_b);
    EXPECT(clgconv_conv2d_tensor_bytes(&d, NULL, NULL, NULL, NULL) == CLGCONV_SUCCESS,
           "tensor_bytes with NULL pointers");
    EXPECT(clgconv_conv2d_macs(&d) == 288.0, "macs %g, expected 288", clgconv_conv2d_macs(&d));
    d.groups = 4; /* C=4, K=6 is not divisible by 4 */
    EXPECT(clgconv_conv2d_macs(&d) == 0.0, "macs of an invalid desc is %g, expected 0",
           clgconv_conv2d_macs(&d));
}

/* clgconv_conv2d_desc_init's documented defaults. */
static void test_desc_defaults(void)
{
    clgconv_conv2d_desc d;
    memset(&d, 0x5a, sizeof d);
    clgconv_conv2d_desc_init(&d);
    EXPECT(d.batch == 0 && d.in_channels == 0 && d.in_height == 0 && d.in_width == 0 &&
               d.out_channels == 0 && d.kernel_h == 0 && d.kernel_w == 0,
           "sizes default to 0");
    EXPECT(d.groups == 1 && d.stride_h == 1 && d.stride_w == 1 && d.dilation_h == 1 &&
               d.dilation_w == 1,
           "groups, strides and dilations default to 1");
    EXPECT(d.pad_top == 0 && d.pad_left == 0 && d.pad_bottom == 0 && d.pad_right == 0,
           "pads default to 0");
    EXPECT(isinf(d.output_min) && d.output_min < 0 && isinf(d.output_max) && d.output_max > 0,
           "clamp defaults to [-inf, +inf]");
    EXPECT(d.layout == CLGCONV_LAYOUT_NCHW, "layout defaults to NCHW");
}

int main(void)
{
    test_desc_defaults();
    test_dense_box_sum();
    test_dense_impulse();
    test_groups2();
    test_depthwise_multiplier2();
    test_strides();
    test_dilation();
    test_asymmetric_padding();
    test_bias_and_clamp();
    test_one_pixel_image();
    test_nhwc_is_transposed_nchw();
    test_null_bias_is_zero_bias();
    test_output_sizes();
    return test_summary("test_reference");
}
