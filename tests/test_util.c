/* test_util.c: shared helpers for clgconv's tests (see test_util.h). */
#include "test_util.h"

#include <dirent.h>
#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>

clgconv_context *test_open_context(cl_command_queue *queue)
{
    clgconv_context *ctx = NULL;
    clgconv_status st = clgconv_context_create_default(&ctx);
    if (st == CLGCONV_ERROR_NO_DEVICE) {
        const char *req = getenv("CLGCONV_REQUIRE_DEVICE");
        if (req && strcmp(req, "0") != 0 && *req) {
            fprintf(stderr, "no OpenCL device but CLGCONV_REQUIRE_DEVICE is set: %s\n",
                    clgconv_last_error());
            exit(1);
        }
        fprintf(stderr, "skipping: no OpenCL device (%s)\n", clgconv_last_error());
        exit(TEST_SKIP);
    }
    CHECK_OK(st);
    if (queue) {
        cl_context c;
        cl_device_id d;
        CHECK_OK(clgconv_context_get_cl(ctx, &c, &d));
        cl_int e;
#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
#endif
        *queue = clCreateCommandQueue(c, d, 0, &e);
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif
        CHECK(*queue != NULL);
    }
    return ctx;
}

void test_rng_seed(test_rng *r, uint64_t seed) { r->s = seed * 2654435761u + 0x9E3779B97F4A7C15ull; }

uint32_t test_rng_u32(test_rng *r)
{
    uint64_t x = r->s;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    r->s = x;
    return (uint32_t)(x >> 16);
}

int test_rng_int(test_rng *r, int lo, int hi)
{
    return lo + (int)(test_rng_u32(r) % (uint32_t)(hi - lo + 1));
}

float test_rng_float(test_rng *r) { return (float)(test_rng_u32(r) & 0xFFFFFF) / 8388608.0f - 1.0f; }

float *test_random_tensor(test_rng *r, size_t n)
{
    float *p = malloc((n ? n : 1) * sizeof *p);
    CHECK(p != NULL);
    for (size_t i = 0; i < n; ++i) p[i] = test_rng_float(r);
    return p;
}

static float *abs_copy(const float *p, size_t n)
{
    if (!p) return NULL;
    float *q = malloc((n ? n : 1) * sizeof *q);
    CHECK(q != NULL);
    for (size_t i = 0; i < n; ++i) q[i] = fabsf(p[i]);
    return q;
}

const char *test_desc_str(const clgconv_conv2d_desc *d, char *buf, size_t size)
{
    snprintf(buf, size, "N%d C%d H%dx%d K%d g%d k%dx%d s%dx%d p%d,%d,%d,%d d%dx%d clamp[%g,%g] %s",
             d->batch, d->in_channels, d->in_height, d->in_width, d->out_channels, d->groups,
             d->kernel_h, d->kernel_w, d->stride_h, d->stride_w, d->pad_top, d->pad_left,
             d->pad_bottom, d->pad_right, d->dilation_h, d->dilation_w, (double)d->output_min,
             (double)d->output_max, d->layout == CLGCONV_LAYOUT_NHWC ? "NHWC" : "NCHW");
    return buf;
}

bool test_compare_with_reference(const clgconv_conv2d_desc *desc, const float *input,
                                 const float *weights, const float *bias, const float *got,
                                 const char *label, double *max_err)
{
    size_t in_b, w_b, b_b, out_b;
    CHECK_OK(clgconv_conv2d_tensor_bytes(desc, &in_b, &w_b, &b_b, &out_b));
    size_t n_in = in_b / 4, n_w = w_b / 4, n_b = b_b / 4, n_out = out_b / 4;
    float *ref = malloc(out_b ? out_b : 4), *absref = malloc(out_b ? out_b : 4);
    CHECK(ref && absref);
    CHECK_OK(clgconv_conv2d_reference(desc, input, weights, bias, ref));
    float *ai = abs_copy(input, n_in), *aw = abs_copy(weights, n_w), *ab = abs_copy(bias, n_b);
    clgconv_conv2d_desc unclamped = *desc;
    unclamped.output_min = -INFINITY;
    unclamped.output_max = INFINITY;
    CHECK_OK(clgconv_conv2d_reference(&unclamped, ai, aw, ab, absref));
    double reduction = 1.0 * desc->in_channels / desc->groups * desc->kernel_h * desc->kernel_w;
    double worst = 0;
    int shown = 0;
    bool ok = true;
    for (size_t i = 0; i < n_out; ++i) {
        double err = fabs((double)got[i] - (double)ref[i]);
        double tol = (reduction + 2) * FLT_EPSILON * absref[i] + 1e-6;
        if (!(err <= tol)) { /* also catches NaN */
            ok = false;
            if (shown++ < 5) {
                char buf[256];
                fprintf(stderr, "%s: %s: element %zu: got %.9g, reference %.9g (tol %.3g)\n",
                        label, test_desc_str(desc, buf, sizeof buf), i, (double)got[i],
                        (double)ref[i], tol);
            }
        }
        if (err > worst || err != err) worst = err;
    }
    if (max_err) *max_err = worst;
    free(ref), free(absref), free(ai), free(aw), free(ab);
    return ok;
}

clgconv_status test_run_plan(clgconv_context *ctx, cl_command_queue queue,
                             const clgconv_conv2d_desc *desc, clgconv_algo algo,
                             const float *input, const float *weights, const float *bias,
                             float *out)
{
    clgconv_plan *plan = NULL;
    clgconv_status st = clgconv_conv2d_plan_create(ctx, desc, algo, &plan);
    if (st != CLGCONV_SUCCESS) return st;
    size_t in_b, w_b, b_b, out_b;
    CHECK_OK(clgconv_conv2d_tensor_bytes(desc, &in_b, &w_b, &b_b, &out_b));
    cl_context c;
    CHECK_OK(clgconv_context_get_cl(ctx, &c, NULL));
    cl_int e;
    cl_mem bi = clCreateBuffer(c, CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR, in_b, (void *)input, &e);
    CHECK(bi);
    cl_mem bw = clCreateBuffer(c, CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR, w_b, (void *)weights, &e);
    CHECK(bw);
    cl_mem bb = NULL;
    if (bias) {
        bb = clCreateBuffer(c, CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR, b_b, (void *)bias, &e);
        CHECK(bb);
    }
    /* Fill the output with NaN so an element the kernel forgets is caught. */
    float *nan_fill = malloc(out_b);
    CHECK(nan_fill);
    for (size_t i = 0; i < out_b / 4; ++i) nan_fill[i] = NAN;
    cl_mem bo = clCreateBuffer(c, CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR, out_b, nan_fill, &e);
    CHECK(bo);
    free(nan_fill);
    cl_mem ws = NULL;
    size_t ws_b = clgconv_plan_workspace_size(plan);
    if (ws_b) {
        ws = clCreateBuffer(c, CL_MEM_READ_WRITE, ws_b, NULL, &e);
        CHECK(ws);
    }
    cl_event ev = NULL;
    CHECK_OK(clgconv_conv2d_forward(plan, queue, bi, bw, bb, bo, ws, 0, NULL, &ev));
    CHECK(ev != NULL);
    CHECK(clWaitForEvents(1, &ev) == CL_SUCCESS);
    clReleaseEvent(ev);
    CHECK(clEnqueueReadBuffer(queue, bo, CL_TRUE, 0, out_b, out, 0, NULL, NULL) == CL_SUCCESS);
    clReleaseMemObject(bi), clReleaseMemObject(bw), clReleaseMemObject(bo);
    if (bb) clReleaseMemObject(bb);
    if (ws) clReleaseMemObject(ws);
    clgconv_plan_release(plan);
    return CLGCONV_SUCCESS;
}

/* ---------------------------------------------------------------- soft checks */

int test_passed, test_failed;

bool test_expect_(int ok, const char *file, int line, const char *cond, const char *fmt, ...)
{
    if (ok) {
        ++test_passed;
        return true;
    }
    ++test_failed;
    fprintf(stderr, "%s:%d: EXPECT failed: %s\n  ", file, line, cond);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n  last error: %s\n", clgconv_last_error());
    return false;
}

int test_summary(const char *name)
{
    printf("%s: %d passed, %d failed\n", name, test_passed, test_failed);
    fflush(stdout);
    return test_failed == 0 ? 0 : 1;
}

bool test_algo_ran(clgconv_algo algo, clgconv_status st, const char *label)
{
    const char *name = clgconv_algo_name(algo);
    if (st == CLGCONV_ERROR_UNSUPPORTED) {
        EXPECT(algo != CLGCONV_ALGO_DIRECT, "%s: direct must run every valid shape but says: %s",
               label, clgconv_last_error());
        return false;
    }
    EXPECT(st == CLGCONV_SUCCESS, "%s: algorithm %s returned %s", label, name ? name : "?",
           clgconv_status_string(st));
    return st == CLGCONV_SUCCESS;
}

/* ---------------------------------------------------------------- tensors and buffers */

float *test_filled(size_t n, float value)
{
    float *p = malloc((n ? n : 1) * sizeof *p);
    CHECK(p != NULL);
    for (size_t i = 0; i < n; ++i) p[i] = value;
    return p;
}

size_t test_index(clgconv_layout layout, int C, int H, int W, int n, int c, int y, int x)
{
    if (layout == CLGCONV_LAYOUT_NHWC)
        return (((size_t)n * H + y) * W + x) * C + c;
    return (((size_t)n * C + c) * H + y) * W + x;
}

cl_mem test_buffer(cl_context cl_ctx, cl_mem_flags flags, size_t bytes, const void *host)
{
    cl_int e;
    cl_mem m = clCreateBuffer(cl_ctx, flags | (host ? CL_MEM_COPY_HOST_PTR : 0), bytes ? bytes : 1,
                              (void *)host, &e);
    if (!m) fprintf(stderr, "clCreateBuffer(%zu bytes) failed: %d\n", bytes, (int)e);
    CHECK(m != NULL);
    return m;
}

void *test_read_buffer(cl_command_queue queue, cl_mem mem, size_t bytes)
{
    void *p = malloc(bytes ? bytes : 1);
    CHECK(p != NULL);
    CHECK(clEnqueueReadBuffer(queue, mem, CL_TRUE, 0, bytes, p, 0, NULL, NULL) == CL_SUCCESS);
    return p;
}

bool test_compare_results(const clgconv_conv2d_desc *desc, const float *input,
                          const float *weights, const float *bias, const float *a,
                          const float *b, double terms, const char *label)
{
    size_t in_b, w_b, b_b, out_b;
    CHECK_OK(clgconv_conv2d_tensor_bytes(desc, &in_b, &w_b, &b_b, &out_b));
    float *ai = abs_copy(input, in_b / 4), *aw = abs_copy(weights, w_b / 4),
          *ab = abs_copy(bias, b_b / 4), *absref = malloc(out_b);
    CHECK(absref != NULL);
    clgconv_conv2d_desc unclamped = *desc;
    unclamped.output_min = -INFINITY;
    unclamped.output_max = INFINITY;
    CHECK_OK(clgconv_conv2d_reference(&unclamped, ai, aw, ab, absref));
    bool ok = true;
    int shown = 0;
    for (size_t i = 0; i < out_b / 4; ++i) {
        double err = fabs((double)a[i] - (double)b[i]);
        double tol = 2 * ((terms + 2) * FLT_EPSILON * absref[i] + 1e-6);
        if (!(err <= tol)) {
            ok = false;
            if (shown++ < 5) {
                char buf[256];
                fprintf(stderr, "%s: %s: element %zu: %.9g vs %.9g (tol %.3g)\n", label,
                        test_desc_str(desc, buf, sizeof buf), i, (double)a[i], (double)b[i], tol);
            }
        }
    }
    free(ai), free(aw), free(ab), free(absref);
    return ok;
}

void test_remove_dir(const char *path)
{
    DIR *d = opendir(path);
    if (d) {
        for (struct dirent *e; (e = readdir(d)) != NULL;) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
            char f[4200];
            snprintf(f, sizeof f, "%s/%s", path, e->d_name);
            remove(f);
        }
        closedir(d);
    }
    rmdir(path);
}
