/* algo_direct.c: CLGCONV_ALGO_DIRECT, the generic direct kernel (cl/direct.cl) that runs any shape and layout. */
#include "internal.h"

#include <stdint.h>
#include <stdlib.h>

#define DIRECT_KB 4 /* output channels per work-item; matches the -DCLG_KB passed below */
#define DIRECT_PLANE_ITEMS 64 /* preferred work-items per group along the output plane */

typedef struct direct_state {
    cl_kernel kernel;
    size_t global[3], local[3];
    int wide_index; /* 1 when offsets need 64 bits */
} direct_state;

static clgconv_status direct_supports(const clgconv_context *ctx, const clg_shape *s)
{
    (void)ctx;
    /* Per-dimension values are ints in the kernel. */
    if (s->OH * s->OW > INT32_MAX || s->reduction > INT32_MAX || s->N * s->G > INT32_MAX)
        return clg_fail(CLGCONV_ERROR_UNSUPPORTED,
                        "direct: output plane (%lld pixels) or reduction (%lld) exceeds 2^31",
                        (long long)(s->OH * s->OW), (long long)s->reduction);
    return CLGCONV_SUCCESS;
}

static double direct_estimate(const clgconv_context *ctx, const clg_shape *s)
{
    if (!ctx->info.is_cpu) {
        /* One work-item per output pixel and block of DIRECT_KB channels (direct_create).
           Fitted on an H200 (docs/gpu.md): the kernel wins ResNeXt's and the sweep's g >= 16
           layers at batch 1, where it has the most work-items. */
        static const clg_gpu_fit nchw = {14e-6, 6000e9, 1024, 2, 16},
                                 nhwc = {14e-6, 12000e9, 256, 32, 0};
        const double items = (double)(s->OH * s->OW) *
                             (double)((s->KPG + DIRECT_KB - 1) / DIRECT_KB) * (double)(s->N * s->G);
        const double tile = (double)(s->KPG < DIRECT_KB ? s->KPG : DIRECT_KB);
        /* Work-groups span only the output plane (direct_create: its size rounded up to a
           power of two, at most DIRECT_PLANE_ITEMS), so planes under 32 pixels leave most
           lanes of a 32-wide SIMD group idle; their FLOPs are costed at the group's width. H200, batch 70, 1024
           groups: 2x2 planes ran 4.3x slower than the fit said (depthwise 0.073 ms against
           0.017 estimated), 3x3 planes with 2 channels per group 2.7x (0.116 against 0.043),
           which made AUTO pick direct over tiled at 3.3x tiled's time. */
        double lanes = 1.0;
        while (lanes < (double)(s->OH * s->OW) && lanes < DIRECT_PLANE_ITEMS) lanes *= 2.0;
        const double idle = lanes < 32.0 ? 32.0 / lanes : 1.0;
        return clg_gpu_seconds(ctx, s->d.layout == CLGCONV_LAYOUT_NHWC ? &nhwc : &nchw,
                               2.0 * s->macs * idle, items, tile, (double)s->reduction);
    }
    /* CPUs: scalar code, measured 0.4-3.3 GFLOP/s on PoCL (2 cores; docs/benchmarks.md
       per-algorithm comparison). An optimistic rate here made AUTO pick it over the tiled
       kernel at 4-5x the time. */
    return 2.0 * s->macs / 2.5e9 + 20e-6;
}

static clgconv_status direct_create(clgconv_plan *plan)
{
    const clg_shape *s = &plan->shape;
    direct_state *st = calloc(1, sizeof *st);
    if (!st) return clg_fail(CLGCONV_ERROR_OUT_OF_MEMORY, "allocating the direct plan");
    int64_t biggest = s->input_elems > s->output_elems ? s->input_elems : s->output_elems;
    if (s->weight_elems > biggest) biggest = s->weight_elems;
    st->wide_index = biggest > INT32_MAX || clg_coordinate_bound(s, 0) > (double)INT32_MAX;
    const char *options = st->wide_index ? "-DCLG_KB=4 -DCLG_IDX=long" : "-DCLG_KB=4";
    clgconv_status r =
        clg_context_create_kernel(plan->ctx, "direct", options, "conv2d_direct", &st->kernel);
    size_t wg = 1;
    if (r == CLGCONV_SUCCESS) r = clg_kernel_wg_limit(plan->ctx, st->kernel, "conv2d_direct", &wg);
    if (r != CLGCONV_SUCCESS) {
        if (st->kernel) clg_clReleaseKernel(st->kernel);
        free(st);
        return r;
    }
    size_t work[3] = {(size_t)(s->OH * s->OW), (size_t)((s->KPG + DIRECT_KB - 1) / DIRECT_KB),
                      (size_t)(s->N * s->G)};
    size_t preferred[3] = {DIRECT_PLANE_ITEMS, 1, 1};
    clg_launch_geometry(plan->ctx, wg, 3, work, preferred, st->global, st->local);
    plan->state = st;
    plan->workspace_bytes = 0;
    return CLGCONV_SUCCESS;
}

static clgconv_status direct_enqueue(const clgconv_plan *plan, cl_command_queue queue,
                                     const clg_forward_args *a, cl_uint num_wait,
                                     const cl_event *wait, cl_event *event)
{
    const direct_state *st = plan->state;
    const clg_shape *s = &plan->shape;
    cl_kernel k = st->kernel;
    const char *name = "conv2d_direct";
    cl_mem bias = a->bias ? a->bias : a->weights;
    int has_bias = a->bias != NULL;
    int iargs[] = {(int)s->G,  (int)s->CPG, (int)s->KPG, (int)s->H,  (int)s->W,
                   (int)s->KH, (int)s->KW,  (int)s->SH,  (int)s->SW, (int)s->PT,
                   (int)s->PL, (int)s->DH,  (int)s->DW,  (int)s->OH, (int)s->OW};
    int64_t strides[] = {s->in_sN,  s->in_sC,  s->in_sY,  s->in_sX,
                         s->out_sN, s->out_sC, s->out_sY, s->out_sX};
    clgconv_status r;
    cl_uint i = 0;
    if ((r = clg_set_arg(k, i++, sizeof(cl_mem), &a->input, name)) ||
        (r = clg_set_arg(k, i++, sizeof(cl_mem), &a->weights, name)) ||
        (r = clg_set_arg(k, i++, sizeof(cl_mem), &bias, name)) ||
        (r = clg_set_arg(k, i++, sizeof(cl_mem), &a->output, name)))
        return r;
    if ((r = clg_set_int_args(k, &i, iargs, sizeof iargs / sizeof iargs[0], name))) return r;
    for (size_t j = 0; j < sizeof strides / sizeof strides[0]; ++j) {
        if (st->wide_index) {
            cl_long v = strides[j];
            r = clg_set_arg(k, i++, sizeof v, &v, name);
        } else {
            cl_int v = (cl_int)strides[j];
            r = clg_set_arg(k, i++, sizeof v, &v, name);
        }
        if (r) return r;
    }
    float lo = s->d.output_min, hi = s->d.output_max;
    if ((r = clg_set_arg(k, i++, sizeof(int), &has_bias, name)) ||
        (r = clg_set_arg(k, i++, sizeof(float), &lo, name)) ||
        (r = clg_set_arg(k, i++, sizeof(float), &hi, name)))
        return r;
    return clg_enqueue_kernel(queue, k, name, 3, st->global, st->local, num_wait, wait, event);
}

static void direct_destroy(clgconv_plan *plan)
{
    direct_state *st = plan->state;
    if (!st) return;
    clg_clReleaseKernel(st->kernel);
    free(st);
    plan->state = NULL;
}

const clg_algo_impl clg_algo_direct = {CLGCONV_ALGO_DIRECT, direct_supports, direct_estimate,
                                       direct_create, direct_enqueue, direct_destroy};
