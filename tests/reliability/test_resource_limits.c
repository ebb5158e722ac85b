/* test_resource_limits.c: valid requests beyond the device (tensors over CL_DEVICE_MAX_MEM_ALLOC_SIZE, im2col workspaces over global memory, small work-group limits) get a clear error or are split and stay correct; a tensor exactly at the allocation limit runs; 64-bit sizes and reference indexing past 2^31 elements on the host. */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS, MAP_NORESERVE */
#include "rel_util.h"

#include <math.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static clgconv_context *g_ctx;
static cl_context g_cl_ctx;
static cl_device_id g_dev;
static cl_command_queue g_q;
static cl_ulong g_max_alloc, g_global_mem;
static size_t g_max_wg;

static void query_limits(void)
{
    CHECK(clGetDeviceInfo(g_dev, CL_DEVICE_MAX_MEM_ALLOC_SIZE, sizeof g_max_alloc, &g_max_alloc,
                          NULL) == CL_SUCCESS);
    CHECK(clGetDeviceInfo(g_dev, CL_DEVICE_GLOBAL_MEM_SIZE, sizeof g_global_mem, &g_global_mem,
                          NULL) == CL_SUCCESS);
    CHECK(clGetDeviceInfo(g_dev, CL_DEVICE_MAX_WORK_GROUP_SIZE, sizeof g_max_wg, &g_max_wg,
                          NULL) == CL_SUCCESS);
}

/* A read-only-to-the-library view of `bytes` of zeros that costs no memory until touched
   (MAP_NORESERVE): host arrays for requests that must be refused before any data is read, and
   sparse tensors past 2^31 elements for the reference. */
static float *sparse_array(size_t bytes)
{
    void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                   -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

/* ---------------------------------------------------------------- tensors over the allocation limit */

/* Every algorithm (and AUTO) refuses desc with UNSUPPORTED naming the tensor, and so does
   forward_host (whose host arrays are sparse: nothing may be read). */
static int expect_too_big(const clgconv_conv2d_desc *d, const char *tensor)
{
    size_t in_b, w_b, b_b, out_b;
    CHECK_OK(clgconv_conv2d_tensor_bytes(d, &in_b, &w_b, &b_b, &out_b));
    int refused = 0;
    for (int a = 0; a < CLGCONV_ALGO_COUNT_; ++a) {
        if (!rel_algo_enabled((clgconv_algo)a)) continue;
        clgconv_plan *plan = (clgconv_plan *)&g_q;
        clgconv_status st = clgconv_conv2d_plan_create(g_ctx, d, (clgconv_algo)a, &plan);
        if (st != CLGCONV_ERROR_UNSUPPORTED || plan != NULL ||
            strstr(clgconv_last_error(), tensor) == NULL) {
            fprintf(stderr, "%s tensor over CL_DEVICE_MAX_MEM_ALLOC_SIZE (%llu bytes), algo %s: "
                    "got %s (plan %p), message \"%s\"; want UNSUPPORTED naming the %s tensor\n",
                    tensor, (unsigned long long)g_max_alloc, clgconv_algo_name((clgconv_algo)a),
                    clgconv_status_string(st), (void *)plan, clgconv_last_error(), tensor);
            exit(1);
        }
        ++refused;
    }
    float *x = sparse_array(in_b), *w = sparse_array(w_b), *y = sparse_array(out_b);
    CHECK(x && w && y);
    clgconv_status st = clgconv_conv2d_forward_host(g_ctx, d, x, w, NULL, y);
    if (st != CLGCONV_ERROR_UNSUPPORTED) {
        fprintf(stderr, "forward_host with a %s tensor over the allocation limit returned %s: %s\n",
                tensor, clgconv_status_string(st), clgconv_last_error());
        exit(1);
    }
    munmap(x, in_b), munmap(w, w_b), munmap(y, out_b);
    printf("%-7s tensor of %llu bytes (limit %llu): refused by %d algorithms and forward_host: %s\n",
           tensor, (unsigned long long)(strcmp(tensor, "input") == 0 ? in_b
                                        : strcmp(tensor, "weights") == 0 ? w_b : out_b),
           (unsigned long long)g_max_alloc, refused, clgconv_last_error());
    return refused;
}

static void test_tensors_over_alloc_limit(void)
{
    /* elements just past the limit, as rows of 16384 */
    int64_t elems = (int64_t)(g_max_alloc / 4) + 1;
    int cols = (int)((elems + 16383) / 16384);
    clgconv_conv2d_desc d;

    clgconv_conv2d_desc_init(&d); /* input: 1 x 1 x 16384 x cols, a 1x1 kernel with stride */
    d.batch = d.in_channels = d.out_channels = 1;
    d.in_height = 16384, d.in_width = cols, d.kernel_h = d.kernel_w = 1;
    d.stride_h = d.stride_w = 1024;
    expect_too_big(&d, "input");

    clgconv_conv2d_desc_init(&d); /* weights: a 16384 x cols kernel over a padded 1x1 input */
    d.batch = d.in_channels = d.out_channels = 1, d.in_height = d.in_width = 1;
    d.kernel_h = 16384, d.kernel_w = cols, d.pad_bottom = 16383, d.pad_right = cols - 1;
    expect_too_big(&d, "weights");

    clgconv_conv2d_desc_init(&d); /* output: a padded 1x1 input, 1x1 kernel */
    d.batch = d.in_channels = d.out_channels = 1, d.in_height = d.in_width = 1;
    d.kernel_h = d.kernel_w = 1, d.pad_bottom = 16383, d.pad_right = cols - 1;
    expect_too_big(&d, "output");
}

/* ---------------------------------------------------------------- a tensor exactly at the limit */

#define PATTERN 32

/* Runs a 1 x 1 x 8192 x (limit/4/8192) input (exactly CL_DEVICE_MAX_MEM_ALLOC_SIZE bytes) through
   every algorithm: a 1x1 kernel with stride 127 samples it across the whole buffer. The input is
   a repeating 32-float pattern, so every output is known exactly on the host. */
static void test_tensor_at_alloc_limit(void)
{
    const char *env = getenv("CLGCONV_TEST_BIG");
    uint64_t elems = g_max_alloc / 4;
    if (g_max_alloc % (4 * 8192) != 0 || elems / 8192 > INT32_MAX ||
        (g_max_alloc > ((uint64_t)512 << 20) && !(env && strcmp(env, "1") == 0))) {
        printf("tensor at the allocation limit: skipped (limit %llu bytes; runs when the limit is "
               "at most 512 MiB, e.g. POCL_MEMORY_LIMIT=1, or with CLGCONV_TEST_BIG=1)\n",
               (unsigned long long)g_max_alloc);
        return;
    }
    clgconv_conv2d_desc d;
    clgconv_conv2d_desc_init(&d);
    d.batch = 1, d.in_channels = 1, d.out_channels = 2, d.in_height = 8192;
    d.in_width = (int)(elems / 8192), d.kernel_h = d.kernel_w = 1, d.stride_h = d.stride_w = 127;
    size_t in_b, out_b;
    CHECK_OK(clgconv_conv2d_tensor_bytes(&d, &in_b, NULL, NULL, &out_b));
    CHECK(in_b == g_max_alloc);
    int oh, ow;
    CHECK_OK(clgconv_conv2d_output_size(&d, &oh, &ow));

    float pattern[PATTERN], w[2] = {0.75f, -1.5f}, b[2] = {0.125f, 2.0f};
    for (int i = 0; i < PATTERN; ++i) pattern[i] = (float)(i + 1) / 8.0f;
    cl_int e;
    cl_mem bx = clCreateBuffer(g_cl_ctx, CL_MEM_READ_ONLY, in_b, NULL, &e);
    CHECK(bx != NULL);
    CHECK(clEnqueueFillBuffer(g_q, bx, pattern, sizeof pattern, 0, in_b, 0, NULL, NULL) ==
          CL_SUCCESS);
    cl_mem bw = clCreateBuffer(g_cl_ctx, CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR, sizeof w, w, &e);
    cl_mem bb = clCreateBuffer(g_cl_ctx, CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR, sizeof b, b, &e);
    cl_mem by = clCreateBuffer(g_cl_ctx, CL_MEM_READ_WRITE, out_b, NULL, &e);
    CHECK(bw && bb && by);
    float *y = malloc(out_b);
    CHECK(y != NULL);
    int ran = 0;
    for (int a = 0; a < CLGCONV_ALGO_COUNT_; ++a) {
        if (!rel_algo_enabled((clgconv_algo)a)) continue;
        clgconv_plan *plan = NULL;
        clgconv_status st = clgconv_conv2d_plan_create(g_ctx, &d, (clgconv_algo)a, &plan);
        if (st == CLGCONV_ERROR_UNSUPPORTED) {
            printf("  %-9s at the limit: unsupported: %s\n", clgconv_algo_name((clgconv_algo)a),
                   clgconv_last_error());
            continue;
        }
        CHECK_OK(st);
        size_t ws_b = clgconv_plan_workspace_size(plan);
        CHECK(ws_b <= g_max_alloc);
        cl_mem ws = ws_b ? clCreateBuffer(g_cl_ctx, CL_MEM_READ_WRITE, ws_b, NULL, &e) : NULL;
        CHECK(!ws_b || ws);
        rel_fill_sentinel(y, out_b / 4);
        CHECK(clEnqueueWriteBuffer(g_q, by, CL_TRUE, 0, out_b, y, 0, NULL, NULL) == CL_SUCCESS);
        CHECK_OK(clgconv_conv2d_forward(plan, g_q, bx, bw, bb, by, ws, 0, NULL, NULL));
        CHECK(clEnqueueReadBuffer(g_q, by, CL_TRUE, 0, out_b, y, 0, NULL, NULL) == CL_SUCCESS);
        for (int k = 0; k < 2; ++k)
            for (int oy = 0; oy < oh; ++oy)
                for (int ox = 0; ox < ow; ++ox) {
                    uint64_t idx = (uint64_t)oy * 127 * (uint64_t)d.in_width + (uint64_t)ox * 127;
                    double want = (double)w[k] * pattern[idx % PATTERN] + b[k];
                    double got = y[((size_t)k * oh + oy) * ow + ox];
                    if (!(fabs(got - want) <= 1e-6 * (1 + fabs(want)))) {
                        fprintf(stderr, "%s at the allocation limit: y[%d][%d][%d] = %g, want %g "
                                "(input element %llu)\n", clgconv_algo_name((clgconv_algo)a), k,
                                oy, ox, got, want, (unsigned long long)idx);
                        exit(1);
                    }
                }
        if (ws) clReleaseMemObject(ws);
        clgconv_plan_release(plan);
        ++ran;
    }
    CHECK(ran >= 2); /* AUTO and at least one algorithm */
    /* The host path allocates its own buffer of exactly the limit. */
    float *hx = malloc(in_b);
    CHECK(hx != NULL);
    for (uint64_t i = 0; i < elems; ++i) hx[i] = pattern[i % PATTERN];
    CHECK_OK(clgconv_conv2d_forward_host(g_ctx, &d, hx, w, b, y));
    CHECK(test_compare_with_reference(&d, hx, w, b, y, "forward_host at the limit", NULL));
    free(hx);
    /* Release the host path's 1-limit-sized buffers before going on. */
    clgconv_context_release(g_ctx);
    CHECK_OK(clgconv_context_create(g_cl_ctx, g_dev, &g_ctx));
    /* One more row and the input no longer fits. */
    d.in_height += 1;
    expect_too_big(&d, "input");
    free(y);
    clReleaseMemObject(bx), clReleaseMemObject(bw), clReleaseMemObject(bb), clReleaseMemObject(by);
    printf("tensor of exactly %llu bytes (the allocation limit): %d algorithms and forward_host "
           "correct\n", (unsigned long long)in_b, ran);
}

/* ---------------------------------------------------------------- workspaces */

/* im2col would need more than global memory for this 1-image, 1-group shape (its input fits):
   each algorithm either plans it with a workspace within one allocation or refuses it clearly;
   AUTO always finds a way. */
static void test_workspace_over_global_memory(void)
{
    uint64_t in_bytes = g_max_alloc / 2 < ((uint64_t)256 << 20) ? g_max_alloc / 2 : ((uint64_t)256 << 20);
    int k = (int)ceil(sqrt((double)g_global_mem / (double)in_bytes)) + 1;
    int64_t hw = (int64_t)(in_bytes / 4 / 16);
    int side = (int)sqrt((double)hw);
    clgconv_conv2d_desc d;
    clgconv_conv2d_desc_init(&d);
    d.batch = 1, d.in_channels = 16, d.out_channels = 4, d.in_height = d.in_width = side;
    d.kernel_h = d.kernel_w = k, d.pad_top = d.pad_left = (k - 1) / 2;
    d.pad_bottom = d.pad_right = k - 1 - (k - 1) / 2;
    double im2col_bytes = 4.0 * d.in_channels * k * k * (double)side * side;
    CHECK(im2col_bytes > (double)g_global_mem);
    int planned = 0;
    for (int a = 0; a < CLGCONV_ALGO_COUNT_; ++a) {
        if (!rel_algo_enabled((clgconv_algo)a)) continue;
        clgconv_plan *plan = NULL;
        clgconv_status st = clgconv_conv2d_plan_create(g_ctx, &d, (clgconv_algo)a, &plan);
        if (st == CLGCONV_ERROR_UNSUPPORTED) {
            CHECK(plan == NULL && clgconv_last_error()[0] != 0);
            printf("  %-9s im2col of %.2f GB > global memory %.2f GB: unsupported: %s\n",
                   clgconv_algo_name((clgconv_algo)a), im2col_bytes / 1e9, g_global_mem / 1e9,
                   clgconv_last_error());
            CHECK(a != CLGCONV_ALGO_AUTO);
            continue;
        }
        CHECK_OK(st);
        size_t ws = clgconv_plan_workspace_size(plan);
        printf("  %-9s im2col of %.2f GB > global memory %.2f GB: planned as %s with a %.1f MB "
               "workspace\n", clgconv_algo_name((clgconv_algo)a), im2col_bytes / 1e9,
               g_global_mem / 1e9, clgconv_algo_name(clgconv_plan_algo(plan)), ws / 1e6);
        CHECK(ws <= g_max_alloc && ws <= g_global_mem);
        clgconv_plan_release(plan);
        ++planned;
    }
    CHECK(planned >= 1);
}

/* Many (image, group) pairs whose im2col matrices together exceed what a workspace may take:
   algorithms split the work into chunks; the result must still be right. */
static void test_split_workspace(void)
{
    clgconv_conv2d_desc d;
    clgconv_conv2d_desc_init(&d);
    d.batch = 16, d.in_channels = 16, d.groups = 4, d.out_channels = 8;
    d.in_height = d.in_width = 128, d.kernel_h = d.kernel_w = 3;
    d.pad_top = d.pad_left = d.pad_bottom = d.pad_right = 1;
    double im2col_bytes = 4.0 * (16 * 4) * (4 * 9) * (128 * 128); /* pairs * RED * P floats */
    rel_problem p;
    rel_problem_init(&p, &d, true, 31, g_cl_ctx);
    rel_expected expected;
    rel_expected_init(&expected, &p);
    int ran = 0;
    for (int a = 0; a < CLGCONV_ALGO_COUNT_; ++a) {
        if (!rel_algo_enabled((clgconv_algo)a)) continue;
        clgconv_plan *plan = NULL;
        clgconv_status st = clgconv_conv2d_plan_create(g_ctx, &d, (clgconv_algo)a, &plan);
        if (st == CLGCONV_ERROR_UNSUPPORTED) continue;
        CHECK_OK(st);
        rel_problem_workspace(&p, plan);
        size_t ws = clgconv_plan_workspace_size(plan);
        rel_fill_output_sentinel(&p, g_q);
        CHECK_OK(clgconv_conv2d_forward(plan, g_q, p.bx, p.bw, p.bb, p.by, p.ws, 0, NULL, NULL));
        char label[64];
        snprintf(label, sizeof label, "split workspace, %s", clgconv_algo_name((clgconv_algo)a));
        CHECK(clEnqueueReadBuffer(g_q, p.by, CL_TRUE, 0, p.out_bytes, p.y, 0, NULL, NULL) ==
              CL_SUCCESS);
        CHECK(rel_expected_check(&expected, p.y, label));
        if (ws > 0)
            printf("  %-9s im2col of %.0f MB with a %.0f MB workspace (%s): correct\n",
                   clgconv_algo_name((clgconv_algo)a), im2col_bytes / 1e6, ws / 1e6,
                   ws < im2col_bytes ? "split" : "whole");
        clgconv_plan_release(plan);
        ++ran;
    }
    rel_expected_free(&expected);
    rel_problem_free(&p);
    CHECK(ran >= 2);
}

/* ---------------------------------------------------------------- work-group sizes */

/* Shapes whose kernels prefer large work-groups run correctly on whatever limit the device has
   (the small-device ctest entry sets POCL_MAX_WORK_GROUP_SIZE to a small, odd value). */
static void test_work_group_limits(void)
{
    clgconv_conv2d_desc ds[3];
    clgconv_conv2d_desc_init(&ds[0]);
    ds[0].batch = 1, ds[0].in_channels = 8, ds[0].out_channels = 16, ds[0].groups = 2;
    ds[0].in_height = 37, ds[0].in_width = 61, ds[0].kernel_h = ds[0].kernel_w = 3;
    ds[0].pad_top = ds[0].pad_left = ds[0].pad_bottom = ds[0].pad_right = 1;
    ds[1] = ds[0], ds[1].groups = 8, ds[1].in_channels = 8, ds[1].layout = CLGCONV_LAYOUT_NHWC;
    clgconv_conv2d_desc_init(&ds[2]);
    ds[2].batch = 2, ds[2].in_channels = 32, ds[2].out_channels = 24, ds[2].in_height = 15;
    ds[2].in_width = 17, ds[2].kernel_h = ds[2].kernel_w = 1;
    int runs = 0;
    for (int i = 0; i < 3; ++i) {
        rel_problem p;
        rel_problem_init(&p, &ds[i], true, 55 + (uint64_t)i, g_cl_ctx);
        for (int a = 0; a < CLGCONV_ALGO_COUNT_; ++a) {
            if (!rel_algo_enabled((clgconv_algo)a)) continue;
            clgconv_plan *plan = NULL;
            clgconv_status st = clgconv_conv2d_plan_create(g_ctx, &ds[i], (clgconv_algo)a, &plan);
            if (st == CLGCONV_ERROR_UNSUPPORTED) continue;
            CHECK_OK(st);
            rel_problem_workspace(&p, plan);
            rel_fill_output_sentinel(&p, g_q);
            CHECK_OK(clgconv_conv2d_forward(plan, g_q, p.bx, p.bw, p.bb, p.by, p.ws, 0, NULL, NULL));
            CHECK(rel_output_matches_reference(&p, g_q, clgconv_algo_name((clgconv_algo)a)));
            clgconv_plan_release(plan);
            ++runs;
        }
        rel_problem_free(&p);
    }
    printf("work-group limit %zu: %d plans ran correctly\n", g_max_wg, runs);
}

/* ---------------------------------------------------------------- 64-bit sizes on the host */

typedef unsigned __int128 u128;

static void check_sizes(const clgconv_conv2d_desc *d, u128 in, u128 w, u128 out, u128 macs)
{
    size_t in_b, w_b, b_b, out_b;
    CHECK_OK(clgconv_conv2d_tensor_bytes(d, &in_b, &w_b, &b_b, &out_b));
    CHECK((u128)in_b == in * 4 && (u128)w_b == w * 4 && (u128)out_b == out * 4);
    CHECK(b_b == (size_t)d->out_channels * 4);
    CHECK(clgconv_conv2d_macs(d) == (double)macs);
}

/* Sizes past 2^31 and 2^32 elements come out exact; the reference indexes input and weights
   past 2^31 elements correctly (sparse arrays: only the elements it reads are ever touched). */
static void test_host_64bit(void)
{
    if (sizeof(size_t) < 8) {
        printf("64-bit host arithmetic: skipped on a 32-bit host\n");
        return;
    }
    clgconv_conv2d_desc d;
    clgconv_conv2d_desc_init(&d);
    d.batch = 3, d.in_channels = 64, d.in_height = 65536, d.in_width = 65537;
    d.out_channels = 96, d.groups = 32, d.kernel_h = d.kernel_w = 3;
    d.pad_top = d.pad_left = d.pad_bottom = d.pad_right = 1, d.layout = CLGCONV_LAYOUT_NHWC;
    u128 in = (u128)3 * 64 * 65536 * 65537, out = (u128)3 * 96 * 65536 * 65537;
    check_sizes(&d, in, (u128)96 * 2 * 9, out, out * 2 * 9);
    int oh, ow;
    CHECK_OK(clgconv_conv2d_output_size(&d, &oh, &ow));
    CHECK(oh == 65536 && ow == 65537);

    /* NCHW and NHWC inputs of 3.2e9 elements, sampled with stride 10923 up to element 2^31+. */
    for (int layout = 0; layout < 2; ++layout) {
        clgconv_conv2d_desc_init(&d);
        d.batch = 1, d.in_channels = 3, d.in_height = d.in_width = 32768, d.out_channels = 2;
        d.kernel_h = d.kernel_w = 1, d.stride_h = d.stride_w = 10923;
        d.layout = layout ? CLGCONV_LAYOUT_NHWC : CLGCONV_LAYOUT_NCHW;
        size_t in_b;
        CHECK_OK(clgconv_conv2d_tensor_bytes(&d, &in_b, NULL, NULL, NULL));
        CHECK(in_b == (size_t)3 * 32768 * 32768 * 4);
        float *x = sparse_array(in_b);
        if (!x) {
            printf("64-bit reference indexing: skipped (cannot map %zu bytes)\n", in_b);
            return;
        }
        CHECK_OK(clgconv_conv2d_output_size(&d, &oh, &ow));
        CHECK(oh == 3 && ow == 3);
        uint64_t max_index = 0;
        for (int c = 0; c < 3; ++c)
            for (int y = 0; y < 3; ++y)
                for (int xx = 0; xx < 3; ++xx) {
                    uint64_t iy = (uint64_t)y * 10923, ix = (uint64_t)xx * 10923;
                    uint64_t idx = layout ? (iy * 32768 + ix) * 3 + (uint64_t)c
                                          : ((uint64_t)c * 32768 + iy) * 32768 + ix;
                    x[idx] = (float)(1 + c * 9 + y * 3 + xx);
                    if (idx > max_index) max_index = idx;
                }
        CHECK(max_index > ((uint64_t)1 << 31));
        float w[6] = {1, 10, 100, -1, 0.5f, 2}, b[2] = {0.25f, -3}, y[18];
        CHECK_OK(clgconv_conv2d_reference(&d, x, w, b, y));
        for (int k = 0; k < 2; ++k)
            for (int oy = 0; oy < 3; ++oy)
                for (int ox = 0; ox < 3; ++ox) {
                    double want = b[k];
                    for (int c = 0; c < 3; ++c) want += (double)w[k * 3 + c] * (1 + c * 9 + oy * 3 + ox);
                    size_t o = layout ? ((size_t)oy * 3 + ox) * 2 + k : ((size_t)k * 3 + oy) * 3 + ox;
                    if (y[o] != (float)want) {
                        fprintf(stderr, "reference past 2^31 elements (%s): y(k%d,%d,%d) = %g, "
                                "want %g\n", layout ? "NHWC" : "NCHW", k, oy, ox, y[o], want);
                        exit(1);
                    }
                }
        munmap(x, in_b);
    }

    /* Weights of 46341 x 46341 > 2^31 elements over a 1x1 input padded so that only the last
       tap (element 2^31 + 4632) meets it. */
    clgconv_conv2d_desc_init(&d);
    d.batch = d.in_channels = d.out_channels = 1, d.in_height = d.in_width = 1;
    d.kernel_h = d.kernel_w = 46341, d.pad_top = d.pad_left = 46340;
    size_t w_b;
    CHECK_OK(clgconv_conv2d_tensor_bytes(&d, NULL, &w_b, NULL, NULL));
    CHECK(w_b == (size_t)46341 * 46341 * 4);
    float *w = sparse_array(w_b);
    CHECK(w != NULL);
    size_t last = (size_t)46341 * 46341 - 1;
    CHECK(last > ((size_t)1 << 31));
    w[last] = 3.0f;
    w[0] = 1000.0f; /* never multiplies the input: a 32-bit wrap of the index would hit it */
    float x1 = 2.0f, y1 = 0;
    CHECK_OK(clgconv_conv2d_reference(&d, &x1, w, NULL, &y1));
    CHECK(y1 == 6.0f);
    munmap(w, w_b);
    printf("64-bit host arithmetic: sizes past 2^32 elements exact; reference reads input and "
           "weights past 2^31 elements correctly\n");

    /* The device refuses those shapes clearly (they exceed one allocation on any current GPU). */
    for (int a = 0; a < CLGCONV_ALGO_COUNT_; ++a) {
        if (!rel_algo_enabled((clgconv_algo)a)) continue;
        clgconv_plan *plan = NULL;
        clgconv_status st = clgconv_conv2d_plan_create(g_ctx, &d, (clgconv_algo)a, &plan);
        if (st == CLGCONV_SUCCESS) clgconv_plan_release(plan); /* a device with > 8 GiB buffers */
        else CHECK(st == CLGCONV_ERROR_UNSUPPORTED && plan == NULL);
    }
}

int main(void)
{
    long base = clgconv_testing_live_objects();
    g_ctx = test_open_context(&g_q);
    CHECK_OK(clgconv_context_get_cl(g_ctx, &g_cl_ctx, &g_dev));
    query_limits();
    printf("device: %s\n  CL_DEVICE_MAX_MEM_ALLOC_SIZE %llu, CL_DEVICE_GLOBAL_MEM_SIZE %llu, "
           "CL_DEVICE_MAX_WORK_GROUP_SIZE %zu\n", clgconv_context_device_name(g_ctx),
           (unsigned long long)g_max_alloc, (unsigned long long)g_global_mem, g_max_wg);
    void (*parts[])(void) = {test_host_64bit,         test_tensors_over_alloc_limit,
                             test_workspace_over_global_memory, test_work_group_limits,
                             test_split_workspace,    test_tensor_at_alloc_limit};
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; ++i) {
        double t0 = now_seconds();
        parts[i]();
        printf("  (%.1f s)\n", now_seconds() - t0);
    }
    clReleaseCommandQueue(g_q);
    clgconv_context_release(g_ctx);
    CHECK(clgconv_testing_live_objects() == base);
    printf("resource limits: all passed\n");
    return 0;
}
