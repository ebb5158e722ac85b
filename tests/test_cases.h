/* test_cases.h: shared convolution shapes for the tests: named edge cases and a seeded random shape generator. */
#ifndef CLGCONV_TEST_CASES_H
#define CLGCONV_TEST_CASES_H

#include "test_util.h"

/* Clamp presets of a test case. */
enum { TEST_CLAMP_NONE = 0, TEST_CLAMP_RELU, TEST_CLAMP_RELU6, TEST_CLAMP_NARROW };

/* One shape. Strides and dilations of 0 mean 1 (so the tables can leave them out). */
typedef struct test_case {
    const char *name;
    int n, c, h, w, k, g;
    int kh, kw, sh, sw;
    int pt, pl, pb, pr;
    int dh, dw;
    int nhwc;    /* 1: CLGCONV_LAYOUT_NHWC */
    int clamp;   /* TEST_CLAMP_* */
    int no_bias; /* 1: bias is NULL */
    int cpu_paths; /* 1: aimed at plan choices made on CPU devices only; the differential
                      suite's GPU-plans pass skips it */
} test_case;

/* The named edge cases every algorithm is compared on (test_differential). */
extern const test_case test_named_cases[];
extern const size_t test_named_case_count;

/* Fills desc from tc. */
void test_case_desc(const test_case *tc, clgconv_conv2d_desc *desc);

/* A random small valid shape: odd sizes, 1x1 images, groups in {1, 2, 3, 4, C, 5-12},
   depthwise with channel multipliers, asymmetric padding, dilation, strides larger than the
   kernel, NHWC, clamps. Kernel geometry and channels per group come from small palettes
   (bounding the number of distinct OpenCL programs specialising algorithms build) unless env
   CLGCONV_TEST_WIDE=1. *with_bias says whether to pass a bias. */
void test_random_desc(test_rng *r, clgconv_conv2d_desc *desc, bool *with_bias);

/* A random medium valid shape, the size of real network layers scaled down: images 9-40,
   4-33 channels per group (constant-channel specialised builds, channel tiles that do not
   divide the group), 1-32 groups, depthwise with multipliers, 1x1 to 7x7 kernels with strides
   1-2 (and a few odd geometries), symmetric or asymmetric padding, either layout, clamps. At
   most about 4 million multiply-adds, so the CPU reference stays fast. */
void test_random_medium_desc(test_rng *r, clgconv_conv2d_desc *desc, bool *with_bias);

/* The seed of random sweeps: env CLGCONV_TEST_SEED when set, else default_seed. */
uint64_t test_seed(uint64_t default_seed);

#endif /* CLGCONV_TEST_CASES_H */
