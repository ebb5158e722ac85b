/* test_util.c: shared helpers for clgconv's tests (see test_util.h). */
#include "test_util.h"

#include <dirent.h>
#include <float.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
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

double test_now_seconds(void)
{
    struct timespec t;
    timespec_get(&t, TIME_UTC);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

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

/* FNV-1a over n floats' bytes, continuing from h. */
static uint64_t hash_floats(const float *p, size_t n, uint64_t h)
{
    const unsigned char *b = (const unsigned char *)p;
    for (size_t i = 0; p && i < n * sizeof *p; ++i) h = (h ^ b[i]) * 1099511628211ull;
    return h;
}

/* The last layer's reference outputs (values, and of absolute values for the tolerance): the
   named cases run one layer through every algorithm and padding mode, and two loop-nest
   references per run were most of a large case's time. Keyed by the descriptor and a hash of
   the operands; shared by threads under a mutex (test_concurrency compares from several). */
static pthread_mutex_t g_ref_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
    clgconv_conv2d_desc desc;
    uint64_t hash;
    size_t n_out;
    float *ref, *absref;
} g_ref;

bool test_compare_with_reference(const clgconv_conv2d_desc *desc, const float *input,
                                 const float *weights, const float *bias, const float *got,
                                 const char *label, double *max_err)
{
    size_t in_b, w_b, b_b, out_b;
    CHECK_OK(clgconv_conv2d_tensor_bytes(desc, &in_b, &w_b, &b_b, &out_b));
    size_t n_in = in_b / 4, n_w = w_b / 4, n_b = b_b / 4, n_out = out_b / 4;
    uint64_t hash = hash_floats(input, n_in, 14695981039346656037ull);
    hash = hash_floats(weights, n_w, hash);
    hash = bias ? hash_floats(bias, n_b, hash) : hash * 31u + 7u;
    CHECK(pthread_mutex_lock(&g_ref_lock) == 0);
    if (!(g_ref.ref && g_ref.hash == hash && g_ref.n_out == n_out &&
          memcmp(&g_ref.desc, desc, sizeof *desc) == 0)) {
        free(g_ref.ref), free(g_ref.absref);
        g_ref.ref = malloc(out_b ? out_b : 4), g_ref.absref = malloc(out_b ? out_b : 4);
        CHECK(g_ref.ref && g_ref.absref);
        CHECK_OK(clgconv_conv2d_reference(desc, input, weights, bias, g_ref.ref));
        float *ai = abs_copy(input, n_in), *aw = abs_copy(weights, n_w), *ab = abs_copy(bias, n_b);
        clgconv_conv2d_desc unclamped = *desc;
        unclamped.output_min = -INFINITY;
        unclamped.output_max = INFINITY;
        CHECK_OK(clgconv_conv2d_reference(&unclamped, ai, aw, ab, g_ref.absref));
        free(ai), free(aw), free(ab);
        g_ref.desc = *desc, g_ref.hash = hash, g_ref.n_out = n_out;
    }
    const float *ref = g_ref.ref, *absref = g_ref.absref;
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
    CHECK(pthread_mutex_unlock(&g_ref_lock) == 0);
    if (max_err) *max_err = worst;
    return ok;
}

static float *nan_filled(size_t bytes)
{
    float *p = malloc(bytes ? bytes : 1);
    CHECK(p);
    for (size_t i = 0; i < bytes / 4; ++i) p[i] = NAN;
    return p;
}

/* The same plan once more with its weights packed (clgconv_conv2d_pack_weights into a
   NaN-filled buffer of exactly the packed size, then clgconv_conv2d_forward_packed with a
   workspace of exactly the packed workspace size, into bo refilled with NaN): the result must be
   bit-identical to the unpacked run's (the same kernels read the same values), so a packed layout
   that differs from the per-call rearrangement, a missed element or a forgotten packed path all
   fail here. */
static void check_packed_run(const clgconv_plan *plan, cl_command_queue queue, cl_mem bi,
                             cl_mem bw, cl_mem bb, cl_mem bo, const float *nan_out,
                             const float *out, size_t out_b)
{
    cl_context c;
    CHECK(clGetCommandQueueInfo(queue, CL_QUEUE_CONTEXT, sizeof c, &c, NULL) == CL_SUCCESS);
    const size_t pw_b = clgconv_plan_packed_weights_size(plan);
    const size_t pws_b = clgconv_plan_packed_workspace_size(plan);
    const clgconv_conv2d_desc *d = clgconv_plan_desc(plan);
    size_t in_b, w_b, b_b, o_b;
    CHECK_OK(clgconv_conv2d_tensor_bytes(d, &in_b, &w_b, &b_b, &o_b));
    char text[256];
    test_desc_str(d, text, sizeof text);
    const char *algo = clgconv_algo_name(clgconv_plan_algo(plan));
    const int packs = clgconv_plan_packs_weights(plan);
    EXPECT(packs ? pw_b >= w_b : pw_b == w_b,
           "%s %s: packed weights size %zu against the weights' %zu (packs_weights %d)", text,
           algo, pw_b, w_b, packs);
    EXPECT(pws_b <= clgconv_plan_workspace_size(plan),
           "%s %s: packed workspace %zu above the workspace %zu", text, algo, pws_b,
           clgconv_plan_workspace_size(plan));
    float *nan_packed = nan_filled(pw_b);
    cl_int e;
    cl_mem pw = clCreateBuffer(c, CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR, pw_b, nan_packed, &e);
    CHECK(pw);
    free(nan_packed);
    cl_mem pws = NULL;
    if (pws_b) {
        pws = clCreateBuffer(c, CL_MEM_READ_WRITE, pws_b, NULL, &e);
        CHECK(pws);
    }
    CHECK(clEnqueueWriteBuffer(queue, bo, CL_TRUE, 0, out_b, nan_out, 0, NULL, NULL) ==
          CL_SUCCESS);
    cl_event packed = NULL, done = NULL;
    CHECK_OK(clgconv_conv2d_pack_weights(plan, queue, bw, pw, 0, NULL, &packed));
    CHECK(packed != NULL);
    CHECK_OK(clgconv_conv2d_forward_packed(plan, queue, bi, pw, bb, bo, pws, 1, &packed, &done));
    CHECK(done != NULL);
    CHECK(clWaitForEvents(1, &done) == CL_SUCCESS);
    clReleaseEvent(packed), clReleaseEvent(done);
    /* Plans that pack as a copy take the weights buffer itself as packed weights (the header's
       promise for clgconv_plan_packs_weights == 0): a second run that way. */
    for (int run = 0; run < (packs ? 1 : 2); ++run) {
        if (run == 1) {
            CHECK(clEnqueueWriteBuffer(queue, bo, CL_TRUE, 0, out_b, nan_out, 0, NULL, NULL) ==
                  CL_SUCCESS);
            CHECK_OK(clgconv_conv2d_forward_packed(plan, queue, bi, bw, bb, bo, pws, 0, NULL,
                                                   NULL));
        }
        float *y = malloc(out_b ? out_b : 1);
        CHECK(y);
        CHECK(clEnqueueReadBuffer(queue, bo, CL_TRUE, 0, out_b, y, 0, NULL, NULL) == CL_SUCCESS);
        size_t bad = 0, first = 0;
        for (size_t i = 0; i < out_b / 4; ++i)
            if (memcmp(&y[i], &out[i], sizeof(float)) != 0 && bad++ == 0) first = i;
        EXPECT(bad == 0,
               "%s %s: packed run%s differs from the unpacked one in %zu of %zu outputs (first "
               "at %zu: %g vs %g)",
               text, algo, run ? " with the weights as packed weights" : "", bad, out_b / 4, first,
               bad ? y[first] : 0.0, bad ? out[first] : 0.0);
        free(y);
    }
    clReleaseMemObject(pw);
    if (pws) clReleaseMemObject(pws);
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
    float *nan_out = nan_filled(out_b);
    cl_mem bo = clCreateBuffer(c, CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR, out_b, nan_out, &e);
    CHECK(bo);
    cl_mem ws = NULL;
    size_t ws_b = clgconv_plan_workspace_size(plan);
    if (ws_b) {
        /* NaN too, so that a plan reading workspace it did not write (a padded border, the
           zeros after transposed weights) is caught */
        float *nan_ws = nan_filled(ws_b);
        ws = clCreateBuffer(c, CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR, ws_b, nan_ws, &e);
        free(nan_ws);
        CHECK(ws);
    }
    cl_event ev = NULL;
    CHECK_OK(clgconv_conv2d_forward(plan, queue, bi, bw, bb, bo, ws, 0, NULL, &ev));
    CHECK(ev != NULL);
    CHECK(clWaitForEvents(1, &ev) == CL_SUCCESS);
    clReleaseEvent(ev);
    CHECK(clEnqueueReadBuffer(queue, bo, CL_TRUE, 0, out_b, out, 0, NULL, NULL) == CL_SUCCESS);
    check_packed_run(plan, queue, bi, bw, bb, bo, nan_out, out, out_b);
    clReleaseMemObject(bi), clReleaseMemObject(bw), clReleaseMemObject(bo);
    if (bb) clReleaseMemObject(bb);
    if (ws) clReleaseMemObject(ws);
    free(nan_out);
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
