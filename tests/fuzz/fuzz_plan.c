/* fuzz_plan.c: libFuzzer target for plan creation with arbitrary descriptors and algorithm values on a real device: status contract, plan properties, results of small valid shapes against the reference (plan API and forward_host), and no OpenCL object left behind. */
#include "fuzz_common.h"
#include "testing.h"

#if defined(__GNUC__)
#pragma GCC diagnostic ignored "-Wdeprecated-declarations" /* clCreateCommandQueue (OpenCL 1.2) */
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_MAX_ELEMS 20000
#define FUZZ_MAX_MACS 400000

static clgconv_context *g_ctx;
static clgconv_context *g_gpu_ctx; /* the same device, planning as a GPU (flags bit 4) */
static cl_context g_cl;
static cl_device_id g_dev;
static cl_command_queue g_q;
static cl_ulong g_max_alloc;
static int g_state; /* 0 not opened, 1 open, -1 no device */

static bool open_device(void)
{
    if (g_state == 0) {
        g_state = -1;
        if (clgconv_context_create_default(&g_ctx) != CLGCONV_SUCCESS) {
            fprintf(stderr, "fuzz_plan: no OpenCL device (%s): plan checks skipped\n",
                    clgconv_last_error());
            return false;
        }
        cl_int e;
        if (clgconv_context_get_cl(g_ctx, &g_cl, &g_dev) != CLGCONV_SUCCESS ||
            clGetDeviceInfo(g_dev, CL_DEVICE_MAX_MEM_ALLOC_SIZE, sizeof g_max_alloc, &g_max_alloc,
                            NULL) != CL_SUCCESS ||
            (g_q = clCreateCommandQueue(g_cl, g_dev, 0, &e)) == NULL)
            abort();
        clgconv_testing_plan_as_gpu(16);
        clgconv_status st = clgconv_context_create(g_cl, g_dev, &g_gpu_ctx);
        clgconv_testing_plan_as_gpu(0);
        if (st != CLGCONV_SUCCESS) abort();
        g_state = 1;
    }
    return g_state == 1;
}

static float value(uint32_t *state)
{
    *state = *state * 1664525u + 1013904223u;
    return (float)((*state >> 8) & 0xFFFF) / 32768.0f - 1.0f;
}

/* Worst-case float error of any summation order (see tests/test_util.h). */
static void compare(const fuzz_case *c, const float *got, const float *ref, const float *mag,
                    size_t n, double reduction, const char *what)
{
    for (size_t i = 0; i < n; ++i) {
        if (got[i] == ref[i]) continue; /* also equal infinities (a clamp to +-inf) */
        double tol = (reduction + 2) * FLT_EPSILON * mag[i] + 1e-6;
        FUZZ_REQUIRE(fabs((double)got[i] - (double)ref[i]) <= tol, c,
                     "%s[%zu] = %.9g, reference %.9g (tolerance %.3g)", what, i, (double)got[i],
                     (double)ref[i], tol);
    }
}

static cl_mem buffer(size_t bytes, const void *host)
{
    cl_int e;
    cl_mem m = clCreateBuffer(g_cl, CL_MEM_READ_WRITE | (host ? CL_MEM_COPY_HOST_PTR : 0),
                              bytes ? bytes : 4, (void *)host, &e);
    if (!m) abort();
    return m;
}

/* Runs a small valid case through the plan (and forward_host when flagged) against the
   reference. */
static void run_small(const fuzz_case *c, const fuzz_sizes *s, const clgconv_plan *plan)
{
    const clgconv_conv2d_desc *d = &c->desc;
    size_t nx = (size_t)s->input, nw = (size_t)s->weights, ny = (size_t)s->output;
    size_t nb = (size_t)d->out_channels;
    float *x = malloc(nx * 4), *w = malloc(nw * 4), *b = malloc(nb * 4);
    float *ref = malloc(ny * 4), *mag = malloc(ny * 4), *y = malloc(ny * 4);
    if (!x || !w || !b || !ref || !mag || !y) abort();
    uint32_t st = c->seed;
    for (size_t i = 0; i < nx; ++i) x[i] = value(&st);
    for (size_t i = 0; i < nw; ++i) w[i] = value(&st);
    for (size_t i = 0; i < nb; ++i) b[i] = value(&st);
    const float *bias = c->flags & 1 ? b : NULL;
    FUZZ_REQUIRE(clgconv_conv2d_reference(d, x, w, bias, ref) == CLGCONV_SUCCESS, c, "reference");
    {
        float *ax = malloc(nx * 4), *aw = malloc(nw * 4), *ab = malloc(nb * 4);
        if (!ax || !aw || !ab) abort();
        for (size_t i = 0; i < nx; ++i) ax[i] = fabsf(x[i]);
        for (size_t i = 0; i < nw; ++i) aw[i] = fabsf(w[i]);
        for (size_t i = 0; i < nb; ++i) ab[i] = fabsf(b[i]);
        clgconv_conv2d_desc u = *d;
        u.output_min = -INFINITY, u.output_max = INFINITY;
        FUZZ_REQUIRE(clgconv_conv2d_reference(&u, ax, aw, bias ? ab : NULL, mag) ==
                         CLGCONV_SUCCESS, c, "reference on magnitudes");
        free(ax), free(aw), free(ab);
    }
    double reduction = (double)s->reduction;

    cl_mem bx = buffer(nx * 4, x), bw = buffer(nw * 4, w), bb = bias ? buffer(nb * 4, b) : NULL;
    for (size_t i = 0; i < ny; ++i) y[i] = NAN; /* an element left unwritten fails */
    cl_mem by = buffer(ny * 4, y);
    size_t ws_b = clgconv_plan_workspace_size(plan);
    cl_mem ws = ws_b ? buffer(ws_b, NULL) : NULL;
    clgconv_status r = clgconv_conv2d_forward(plan, g_q, bx, bw, bb, by, ws, 0, NULL, NULL);
    FUZZ_REQUIRE(r == CLGCONV_SUCCESS, c, "forward returned %s", clgconv_status_string(r));
    if (clEnqueueReadBuffer(g_q, by, CL_TRUE, 0, ny * 4, y, 0, NULL, NULL) != CL_SUCCESS) abort();
    compare(c, y, ref, mag, ny, reduction, "forward");
    {
        /* Packed weights: bit-identical to forward (the same kernels read the same values),
           with a NaN-filled packed buffer and workspace of exactly their sizes. */
        const size_t pw_b = clgconv_plan_packed_weights_size(plan);
        const size_t pws_b = clgconv_plan_packed_workspace_size(plan);
        FUZZ_REQUIRE(pw_b >= nw * 4 && pws_b <= ws_b, c,
                     "packed weights %zu (weights %zu), packed workspace %zu (workspace %zu)",
                     pw_b, nw * 4, pws_b, ws_b);
        float *nan_fill = malloc(pw_b > ny * 4 ? pw_b : ny * 4), *yp = malloc(ny * 4);
        if (!nan_fill || !yp) abort();
        for (size_t i = 0; i < (pw_b > ny * 4 ? pw_b : ny * 4) / 4; ++i) nan_fill[i] = NAN;
        cl_mem pw = buffer(pw_b, nan_fill), pws = pws_b ? buffer(pws_b, NULL) : NULL;
        cl_mem byp = buffer(ny * 4, nan_fill);
        cl_event packed = NULL;
        r = clgconv_conv2d_pack_weights(plan, g_q, bw, pw, 0, NULL, &packed);
        FUZZ_REQUIRE(r == CLGCONV_SUCCESS && packed, c, "pack_weights returned %s",
                     clgconv_status_string(r));
        r = clgconv_conv2d_forward_packed(plan, g_q, bx, pw, bb, byp, pws, 1, &packed, NULL);
        FUZZ_REQUIRE(r == CLGCONV_SUCCESS, c, "forward_packed returned %s",
                     clgconv_status_string(r));
        if (clEnqueueReadBuffer(g_q, byp, CL_TRUE, 0, ny * 4, yp, 0, NULL, NULL) != CL_SUCCESS)
            abort();
        FUZZ_REQUIRE(memcmp(yp, y, ny * 4) == 0, c, "forward_packed differs from forward");
        clReleaseEvent(packed);
        clReleaseMemObject(pw), clReleaseMemObject(byp);
        if (pws) clReleaseMemObject(pws);
        free(nan_fill), free(yp);
    }
    clReleaseMemObject(bx), clReleaseMemObject(bw), clReleaseMemObject(by);
    if (bb) clReleaseMemObject(bb);
    if (ws) clReleaseMemObject(ws);

    if (c->flags & 4) {
        /* Twice: the second call reuses the cached entry, so no object may appear. */
        for (int rep = 0; rep < 2; ++rep) {
            long before = clgconv_testing_live_objects();
            for (size_t i = 0; i < ny; ++i) y[i] = NAN;
            r = clgconv_conv2d_forward_host(g_ctx, d, x, w, bias, y);
            FUZZ_REQUIRE(r == CLGCONV_SUCCESS, c, "forward_host returned %s",
                         clgconv_status_string(r));
            compare(c, y, ref, mag, ny, reduction, "forward_host");
            FUZZ_REQUIRE(rep == 0 || clgconv_testing_live_objects() == before, c,
                         "a repeated forward_host changed the live objects from %ld to %ld",
                         before, clgconv_testing_live_objects());
        }
    }
    free(x), free(w), free(b), free(ref), free(mag), free(y);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_case c;
    fuzz_decode(data, size, &c);
    if (!open_device()) return 0;
    fuzz_sizes s;
    fuzz_oracle(&c.desc, &s);
    bool desc_ok = s.valid && !s.too_large;
    bool algo_ok = c.algo >= 0 && c.algo < CLGCONV_ALGO_COUNT_;

    /* Flags bit 4: plans made as for a GPU (tile sizes, work-groups, cost models) on this
       device. */
    clgconv_context *ctx = c.flags & 16 ? g_gpu_ctx : g_ctx;
    long live0 = clgconv_testing_live_objects();
    clgconv_plan *plan = (clgconv_plan *)&g_state;
    clgconv_status st = clgconv_conv2d_plan_create(ctx, &c.desc, (clgconv_algo)c.algo, &plan);
    if (!desc_ok || !algo_ok) {
        FUZZ_REQUIRE(st == CLGCONV_ERROR_INVALID_ARGUMENT && plan == NULL, &c,
                     "plan_create returned %s (plan %p) for an invalid %s",
                     clgconv_status_string(st), (void *)plan, desc_ok ? "algo" : "descriptor");
        FUZZ_REQUIRE(clgconv_testing_live_objects() == live0, &c, "refused plan left objects");
        /* forward_host refuses an invalid descriptor before reading anything. */
        if (!desc_ok) {
            float y = 1.5f;
            FUZZ_REQUIRE(clgconv_conv2d_forward_host(g_ctx, &c.desc, &y, &y, NULL, &y) ==
                             CLGCONV_ERROR_INVALID_ARGUMENT && y == 1.5f,
                         &c, "forward_host accepted an invalid descriptor");
        }
        return 0;
    }
    if (st == CLGCONV_ERROR_UNSUPPORTED) {
        FUZZ_REQUIRE(plan == NULL && clgconv_last_error()[0] != 0, &c, "bad UNSUPPORTED");
        FUZZ_REQUIRE(clgconv_testing_live_objects() >= live0, &c, "objects went negative");
        return 0;
    }
    FUZZ_REQUIRE(st == CLGCONV_SUCCESS, &c, "plan_create returned %s for a valid request",
                 clgconv_status_string(st));
    clgconv_algo got = clgconv_plan_algo(plan);
    FUZZ_REQUIRE(got != CLGCONV_ALGO_AUTO && (int)got < CLGCONV_ALGO_COUNT_ &&
                     (c.algo == CLGCONV_ALGO_AUTO || (int)got == c.algo),
                 &c, "plan algorithm %d for requested %d", (int)got, c.algo);
    FUZZ_REQUIRE(memcmp(clgconv_plan_desc(plan), &c.desc, sizeof c.desc) == 0, &c,
                 "the plan's descriptor differs from the request");
    FUZZ_REQUIRE(clgconv_plan_workspace_size(plan) <= g_max_alloc, &c,
                 "workspace %zu over the allocation limit", clgconv_plan_workspace_size(plan));
    FUZZ_REQUIRE(s.input * 4 <= g_max_alloc && s.weights * 4 <= g_max_alloc &&
                     s.output * 4 <= g_max_alloc,
                 &c, "planned a tensor over CL_DEVICE_MAX_MEM_ALLOC_SIZE");
    if (s.input <= FUZZ_MAX_ELEMS && s.weights <= FUZZ_MAX_ELEMS && s.output <= FUZZ_MAX_ELEMS &&
        s.output * s.reduction <= FUZZ_MAX_MACS)
        run_small(&c, &s, plan);
    clgconv_plan_release(plan);

    /* The programs are cached now: the same plan again must leave exactly what it found. */
    long live1 = clgconv_testing_live_objects();
    st = clgconv_conv2d_plan_create(ctx, &c.desc, (clgconv_algo)c.algo, &plan);
    FUZZ_REQUIRE(st == CLGCONV_SUCCESS, &c, "second plan_create returned %s",
                 clgconv_status_string(st));
    clgconv_plan_release(plan);
    FUZZ_REQUIRE(clgconv_testing_live_objects() == live1, &c,
                 "plan create/release changed the live OpenCL objects from %ld to %ld", live1,
                 clgconv_testing_live_objects());
    return 0;
}
