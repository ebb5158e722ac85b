/* rel_util.c: helpers shared by the reliability tests (see rel_util.h). */
#define _POSIX_C_SOURCE 200809L /* mkdtemp, setenv, clock_gettime */
#include "rel_util.h"

#include <float.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

#if defined(__GNUC__)
#pragma GCC diagnostic ignored "-Wdeprecated-declarations" /* clCreateCommandQueue (OpenCL 1.2) */
#endif

static cl_mem make_buffer(cl_context c, cl_mem_flags flags, size_t bytes, void *host)
{
    cl_int e;
    cl_mem m = clCreateBuffer(c, flags | (host ? CL_MEM_COPY_HOST_PTR : 0), bytes ? bytes : 4,
                              host, &e);
    if (!m) fprintf(stderr, "clCreateBuffer(%zu bytes) failed with %d\n", bytes, (int)e);
    CHECK(m != NULL);
    return m;
}

void rel_problem_init(rel_problem *p, const clgconv_conv2d_desc *desc, bool with_bias,
                      uint64_t seed, cl_context cl_ctx)
{
    memset(p, 0, sizeof *p);
    p->desc = *desc;
    CHECK_OK(clgconv_conv2d_tensor_bytes(desc, &p->in_bytes, &p->w_bytes, &p->b_bytes,
                                         &p->out_bytes));
    test_rng r;
    test_rng_seed(&r, seed);
    p->x = test_random_tensor(&r, p->in_bytes / 4);
    p->w = test_random_tensor(&r, p->w_bytes / 4);
    p->b = with_bias ? test_random_tensor(&r, p->b_bytes / 4) : NULL;
    p->y = malloc(p->out_bytes ? p->out_bytes : 4);
    CHECK(p->y != NULL);
    p->cl_ctx = cl_ctx;
    if (!cl_ctx) return;
    p->bx = make_buffer(cl_ctx, CL_MEM_READ_ONLY, p->in_bytes, p->x);
    p->bw = make_buffer(cl_ctx, CL_MEM_READ_ONLY, p->w_bytes, p->w);
    if (p->b) p->bb = make_buffer(cl_ctx, CL_MEM_READ_ONLY, p->b_bytes, p->b);
    p->by = make_buffer(cl_ctx, CL_MEM_READ_WRITE, p->out_bytes, NULL);
}

void rel_problem_workspace(rel_problem *p, const clgconv_plan *plan)
{
    size_t need = clgconv_plan_workspace_size(plan);
    if (need <= p->ws_bytes && (need == 0 || p->ws)) return;
    if (p->ws) clReleaseMemObject(p->ws);
    p->ws = NULL;
    p->ws_bytes = need;
    if (need) p->ws = make_buffer(p->cl_ctx, CL_MEM_READ_WRITE, need, NULL);
}

void rel_problem_free(rel_problem *p)
{
    cl_mem mems[] = {p->bx, p->bw, p->bb, p->by, p->ws};
    for (size_t i = 0; i < sizeof mems / sizeof mems[0]; ++i)
        if (mems[i]) clReleaseMemObject(mems[i]);
    free(p->x), free(p->w), free(p->b), free(p->y);
    memset(p, 0, sizeof *p);
}

void rel_fill_sentinel(float *a, size_t n)
{
    uint32_t bits = REL_SENTINEL_BITS;
    for (size_t i = 0; i < n; ++i) memcpy(&a[i], &bits, 4);
}

bool rel_is_sentinel(const float *a, size_t n)
{
    for (size_t i = 0; i < n; ++i) {
        uint32_t bits;
        memcpy(&bits, &a[i], 4);
        if (bits != REL_SENTINEL_BITS) return false;
    }
    return true;
}

void rel_fill_output_sentinel(rel_problem *p, cl_command_queue q)
{
    rel_fill_sentinel(p->y, p->out_bytes / 4);
    CHECK(clEnqueueWriteBuffer(q, p->by, CL_TRUE, 0, p->out_bytes, p->y, 0, NULL, NULL) ==
          CL_SUCCESS);
}

bool rel_output_is_sentinel(rel_problem *p, cl_command_queue q)
{
    memset(p->y, 0, p->out_bytes);
    CHECK(clEnqueueReadBuffer(q, p->by, CL_TRUE, 0, p->out_bytes, p->y, 0, NULL, NULL) ==
          CL_SUCCESS);
    return rel_is_sentinel(p->y, p->out_bytes / 4);
}

bool rel_output_matches_reference(rel_problem *p, cl_command_queue q, const char *label)
{
    CHECK(clEnqueueReadBuffer(q, p->by, CL_TRUE, 0, p->out_bytes, p->y, 0, NULL, NULL) ==
          CL_SUCCESS);
    return test_compare_with_reference(&p->desc, p->x, p->w, p->b, p->y, label, NULL);
}

void rel_expected_init(rel_expected *e, const rel_problem *p)
{
    e->count = p->out_bytes / 4;
    e->ref = malloc(p->out_bytes ? p->out_bytes : 4);
    e->abs_ref = malloc(p->out_bytes ? p->out_bytes : 4);
    CHECK(e->ref && e->abs_ref);
    CHECK_OK(clgconv_conv2d_reference(&p->desc, p->x, p->w, p->b, e->ref));
    size_t nx = p->in_bytes / 4, nw = p->w_bytes / 4, nb = p->b_bytes / 4;
    float *ax = malloc(p->in_bytes ? p->in_bytes : 4), *aw = malloc(p->w_bytes ? p->w_bytes : 4);
    float *ab = p->b ? malloc(p->b_bytes ? p->b_bytes : 4) : NULL;
    CHECK(ax && aw && (!p->b || ab));
    for (size_t i = 0; i < nx; ++i) ax[i] = fabsf(p->x[i]);
    for (size_t i = 0; i < nw; ++i) aw[i] = fabsf(p->w[i]);
    for (size_t i = 0; ab && i < nb; ++i) ab[i] = fabsf(p->b[i]);
    clgconv_conv2d_desc unclamped = p->desc;
    unclamped.output_min = -INFINITY, unclamped.output_max = INFINITY;
    CHECK_OK(clgconv_conv2d_reference(&unclamped, ax, aw, ab, e->abs_ref));
    free(ax), free(aw), free(ab);
    e->reduction = 1.0 * p->desc.in_channels / p->desc.groups * p->desc.kernel_h * p->desc.kernel_w;
}

bool rel_expected_check(const rel_expected *e, const float *got, const char *label)
{
    int shown = 0;
    for (size_t i = 0; i < e->count; ++i) {
        double err = fabs((double)got[i] - (double)e->ref[i]);
        double tol = (e->reduction + 2) * FLT_EPSILON * e->abs_ref[i] + 1e-6;
        if (!(err <= tol) && shown++ < 5) /* !(<=) also catches NaN */
            fprintf(stderr, "%s: element %zu: got %.9g, reference %.9g (tolerance %.3g)\n", label,
                    i, (double)got[i], (double)e->ref[i], tol);
    }
    return shown == 0;
}

void rel_expected_free(rel_expected *e)
{
    free(e->ref), free(e->abs_ref);
    e->ref = e->abs_ref = NULL;
}

cl_command_queue rel_create_queue(clgconv_context *ctx, cl_command_queue_properties props)
{
    cl_context c;
    cl_device_id d;
    CHECK_OK(clgconv_context_get_cl(ctx, &c, &d));
    cl_int e;
    cl_command_queue q = clCreateCommandQueue(c, d, props, &e);
    CHECK(q != NULL);
    return q;
}

void rel_random_valid_desc(test_rng *r, clgconv_conv2d_desc *d)
{
    clgconv_conv2d_desc_init(d);
    d->groups = test_rng_int(r, 1, 4);
    int cpg = test_rng_int(r, 1, 4), kpg = test_rng_int(r, 1, 4);
    if (test_rng_int(r, 0, 3) == 0) cpg = 1; /* depthwise-like shapes often */
    d->batch = test_rng_int(r, 1, 2);
    d->in_channels = cpg * d->groups;
    d->out_channels = kpg * d->groups;
    d->kernel_h = test_rng_int(r, 1, 3), d->kernel_w = test_rng_int(r, 1, 3);
    d->stride_h = test_rng_int(r, 1, 2), d->stride_w = test_rng_int(r, 1, 2);
    d->dilation_h = test_rng_int(r, 1, 2), d->dilation_w = test_rng_int(r, 1, 2);
    d->pad_top = test_rng_int(r, 0, 2), d->pad_bottom = test_rng_int(r, 0, 2);
    d->pad_left = test_rng_int(r, 0, 2), d->pad_right = test_rng_int(r, 0, 2);
    /* The input must hold the dilated kernel once padded. */
    int span_h = d->dilation_h * (d->kernel_h - 1) + 1, span_w = d->dilation_w * (d->kernel_w - 1) + 1;
    int min_h = span_h - d->pad_top - d->pad_bottom, min_w = span_w - d->pad_left - d->pad_right;
    d->in_height = test_rng_int(r, min_h > 1 ? min_h : 1, 12);
    d->in_width = test_rng_int(r, min_w > 1 ? min_w : 1, 12);
    switch (test_rng_int(r, 0, 3)) {
    case 0: break;                                             /* no clamp */
    case 1: d->output_min = 0; break;                          /* ReLU */
    case 2: d->output_min = 0, d->output_max = 6; break;       /* ReLU6 */
    default: d->output_min = -0.25f, d->output_max = 0.5f; break;
    }
    d->layout = test_rng_int(r, 0, 1) ? CLGCONV_LAYOUT_NHWC : CLGCONV_LAYOUT_NCHW;
}

void rel_random_invalid_desc(test_rng *r, clgconv_conv2d_desc *d, const char **what)
{
    rel_random_valid_desc(r, d);
    int bad_int = test_rng_int(r, 0, 2) == 0 ? 0 : -test_rng_int(r, 1, 1000);
    switch (test_rng_int(r, 0, 13)) {
    case 0: d->batch = bad_int, *what = "batch <= 0"; break;
    case 1: d->in_channels = bad_int, *what = "in_channels <= 0"; break;
    case 2: d->in_height = bad_int, *what = "in_height <= 0"; break;
    case 3: d->out_channels = bad_int, *what = "out_channels <= 0"; break;
    case 4: d->groups = bad_int, *what = "groups <= 0"; break;
    case 5: d->kernel_w = bad_int, *what = "kernel_w <= 0"; break;
    case 6: d->stride_h = bad_int, *what = "stride_h <= 0"; break;
    case 7: d->dilation_w = bad_int, *what = "dilation_w <= 0"; break;
    case 8: d->pad_left = -test_rng_int(r, 1, 5), *what = "pad_left < 0"; break;
    case 9:
        d->groups = 3, d->in_channels = 3 * test_rng_int(r, 1, 3) + 1,
        *what = "groups not dividing in_channels";
        break;
    case 10: d->output_min = NAN, *what = "output_min NaN"; break;
    case 11: d->output_min = 2, d->output_max = 1, *what = "output_min > output_max"; break;
    case 12: d->layout = (clgconv_layout)test_rng_int(r, 2, 1000), *what = "unknown layout"; break;
    default:
        d->kernel_h = d->in_height + d->pad_top + d->pad_bottom + 1,
        *what = "kernel taller than the padded input";
        break;
    }
}

bool rel_algo_enabled(clgconv_algo algo)
{
    const char *skip = getenv("CLGCONV_TEST_SKIP_ALGOS");
    const char *name = clgconv_algo_name(algo);
    if (!skip || !*skip || !name) return true;
    size_t n = strlen(name);
    for (const char *p = skip; (p = strstr(p, name)) != NULL; p += n) {
        bool starts = p == skip || p[-1] == ',';
        bool ends = p[n] == 0 || p[n] == ',';
        if (starts && ends) return false;
    }
    return true;
}

long rel_rss_kib(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    if (!f) return 0;
    long pages_total = 0, pages_resident = 0;
    int got = fscanf(f, "%ld %ld", &pages_total, &pages_resident);
    fclose(f);
    return got == 2 ? pages_resident * (sysconf(_SC_PAGESIZE) / 1024) : 0;
}

const char *rel_cl_error_name(cl_int err)
{
    switch (err) {
    case CL_OUT_OF_RESOURCES: return "CL_OUT_OF_RESOURCES";
    case CL_OUT_OF_HOST_MEMORY: return "CL_OUT_OF_HOST_MEMORY";
    case CL_MEM_OBJECT_ALLOCATION_FAILURE: return "CL_MEM_OBJECT_ALLOCATION_FAILURE";
    case CL_BUILD_PROGRAM_FAILURE: return "CL_BUILD_PROGRAM_FAILURE";
    case CL_INVALID_VALUE: return "CL_INVALID_VALUE";
    case CL_DEVICE_NOT_AVAILABLE: return "CL_DEVICE_NOT_AVAILABLE";
    case CL_INVALID_KERNEL_ARGS: return "CL_INVALID_KERNEL_ARGS";
    default: return "?";
    }
}
