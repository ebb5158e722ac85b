/* algo_gemm.c: CLGCONV_ALGO_GEMM, convolution as batched GEMMs over (image, group) pairs with our own kernels (cl/im2col.cl, cl/gemm.cl), plus the GEMM-path helpers shared with algo_clblast.c. */
#include "algo_gemm.h"

#include <stdio.h>
#include <stdlib.h>

/* ---------------------------------------------------------------- shared helpers */

void clg_event_drop(cl_event *event)
{
    if (*event) clg_clReleaseEvent(*event);
    *event = NULL;
}

static int is_direct_1x1(const clg_shape *s)
{
    return s->KH == 1 && s->KW == 1 && s->SH == 1 && s->SW == 1 && s->PT == 0 && s->PL == 0 &&
           s->PB == 0 && s->PR == 0;
}

void clg_gemm_layout_init(const clgconv_context *ctx, const clg_shape *s, int64_t head_elems,
                          int kkc_order, clg_gemm_layout *l)
{
    l->direct = is_direct_1x1(s);
    l->kkc_order = kkc_order;
    l->plane_runs = ctx->info.is_cpu; /* fewer, longer runs: 2x faster on PoCL */
    l->P = s->OH * s->OW;
    l->RED = s->reduction;
    l->pairs = s->N * s->G;
    l->slot_elems = l->direct ? 0 : l->RED * l->P;
    l->head_elems = head_elems;
    l->col_offset = head_elems;
    if (l->direct) {
        l->pairs_per_chunk = l->pairs;
    } else {
        uint64_t cap = clg_workspace_cap(ctx), slot_bytes = (uint64_t)l->slot_elems * sizeof(float);
        int64_t fit = (int64_t)(cap / slot_bytes);
        if (fit < 1) fit = 1;
        l->pairs_per_chunk = fit < l->pairs ? fit : l->pairs;
    }
    l->workspace_bytes =
        (uint64_t)(head_elems + l->slot_elems * l->pairs_per_chunk) * sizeof(float);
}

clgconv_status clg_gemm_check(const clgconv_context *ctx, const clg_shape *s, int64_t head_elems,
                              const char *algo_name)
{
    const int64_t lim = INT32_MAX;
    int64_t P = s->OH * s->OW, RED = s->reduction;
    if (P > lim || RED > lim || s->N * s->G > lim || s->H * s->W > lim || s->C > lim ||
        s->K > lim)
        return clg_fail(CLGCONV_ERROR_UNSUPPORTED,
                        "%s: output plane (%lld pixels), reduction (%lld) or N*groups (%lld) "
                        "exceeds 2^31-1",
                        algo_name, (long long)P, (long long)RED, (long long)(s->N * s->G));
    clgconv_status r = clg_check_coordinates(s, CLG_VECTOR_OVERHANG, algo_name);
    if (r != CLGCONV_SUCCESS) return r;
    uint64_t one_pair = is_direct_1x1(s) ? 0 : (uint64_t)P * (uint64_t)RED;
    /* Kernels index within one pair's matrix and within the weights with int arithmetic. */
    if (one_pair > (uint64_t)lim || s->weight_elems > lim)
        return clg_fail(CLGCONV_ERROR_UNSUPPORTED,
                        "%s: one (image, group) pair's im2col matrix (%llu elements) or the "
                        "weights (%lld elements) exceed 2^31-1 elements",
                        algo_name, (unsigned long long)one_pair, (long long)s->weight_elems);
    uint64_t need = (one_pair + (uint64_t)head_elems) * sizeof(float);
    if (need > ctx->info.max_alloc)
        return clg_fail(CLGCONV_ERROR_UNSUPPORTED,
                        "%s: the workspace for one (image, group) pair's im2col matrix needs "
                        "%llu bytes, more than CL_DEVICE_MAX_MEM_ALLOC_SIZE (%llu) on %s",
                        algo_name, (unsigned long long)need,
                        (unsigned long long)ctx->info.max_alloc, ctx->info.description);
    return CLGCONV_SUCCESS;
}

clgconv_status clg_im2col_create(clgconv_context *ctx, const clg_shape *s,
                                 const clg_gemm_layout *l, cl_kernel *kernel, size_t *wg_limit)
{
    const char *options = s->d.layout == CLGCONV_LAYOUT_NCHW
                              ? (l->plane_runs ? "-DCLG_COL_RP -DCLG_RUN_PLANE" : "-DCLG_COL_RP")
                          : l->kkc_order ? "-DCLG_R_KKC"
                                         : "";
    clgconv_status r =
        clg_context_create_kernel(ctx, "im2col", options, "im2col_grouped", kernel);
    if (r != CLGCONV_SUCCESS) return r;
    r = clg_kernel_wg_limit(ctx, *kernel, "im2col_grouped", wg_limit);
    if (r != CLGCONV_SUCCESS) {
        clg_clReleaseKernel(*kernel);
        *kernel = NULL;
    }
    return r;
}

clgconv_status clg_im2col_enqueue(const clgconv_context *ctx, const clg_shape *s,
                                  const clg_gemm_layout *l, cl_kernel k, size_t wg_limit,
                                  cl_command_queue queue, cl_mem input, cl_mem workspace,
                                  int64_t b0, int64_t count, cl_uint num_wait,
                                  const cl_event *wait, cl_event *event)
{
    const char *name = "im2col_grouped";
    int iargs[] = {(int)s->G,  (int)s->CPG, (int)s->H,  (int)s->W,  (int)s->KH,
                   (int)s->KW, (int)s->SH,  (int)s->SW, (int)s->PT, (int)s->PL,
                   (int)s->DH, (int)s->DW,  (int)s->OH, (int)s->OW, (int)b0, (int)count};
    cl_long largs[] = {s->in_sN, s->in_sC, s->in_sY, s->in_sX, l->col_offset};
    clgconv_status r;
    cl_uint i = 0;
    if ((r = clg_set_arg(k, i++, sizeof(cl_mem), &input, name)) ||
        (r = clg_set_arg(k, i++, sizeof(cl_mem), &workspace, name)))
        return r;
    if ((r = clg_set_int_args(k, &i, iargs, sizeof iargs / sizeof iargs[0], name))) return r;
    for (size_t j = 0; j < sizeof largs / sizeof largs[0]; ++j)
        if ((r = clg_set_arg(k, i++, sizeof(cl_long), &largs[j], name))) return r;
    /* One work-item per contiguous run of the matrix (see cl/im2col.cl). */
    int64_t runs = s->d.layout != CLGCONV_LAYOUT_NCHW ? l->P
                   : l->plane_runs                   ? l->RED
                                                     : l->RED * s->OH;
    size_t work[2] = {(size_t)runs, (size_t)count};
    size_t preferred[2] = {16, 1}, global[2], local[2];
    clg_launch_geometry(ctx, wg_limit, 2, work, preferred, global, local);
    return clg_enqueue_kernel(queue, k, name, 2, global, local, num_wait, wait, event);
}

/* ---------------------------------------------------------------- CLGCONV_ALGO_GEMM */

/* One GEMM per (image, group) pair: operand element offsets are
   off + n*sN + gi*sG + slot*sS (see gemm_batched in cl/gemm.cl). */
typedef struct gemm_operand {
    int64_t off, sN, sG, sS;
    int ld;
    int which; /* 0 input, 1 weights, 2 workspace, 3 output, 4 transposed weights (NHWC: the
                  workspace's head, or the packed weights buffer) */
} gemm_operand;

typedef struct gemm_state {
    clg_gemm_layout layout;
    /* NHWC: the layout of forward_packed, without the transposed weights' head (the packed
       weights buffer holds them), so its im2col starts at the workspace's start */
    clg_gemm_layout packed_layout;
    int nhwc;
    int M, N, K, TM, TN, kblock;
    gemm_operand a, b, c;
    cl_kernel gemm, im2col, transpose;
    size_t gemm_wg, im2col_wg, transpose_wg;
} gemm_state;

/* k block of the CPU variant of gemm_batched (-DCLG_KBLOCK): keeps a work-group's operand
   slices in cache (see cl/gemm.cl). */
#define GEMM_CPU_KBLOCK 256
/* Work-items per work-group on CPUs: enough to share the k-block slices. */
#define GEMM_CPU_GROUP 32

#define GEMM_VARIANTS 4

/* Tile sizes and k block of a variant (0 = the default heuristic; the tuner may measure the
   others). CPUs: PoCL compiles for AVX2-class cores with 16 vector registers; a 6 x 16 tile
   keeps its 12 float8-halves of accumulators, one B vector pair and a broadcast in registers
   (8 x 16 spills: measured 1.24 ms against 1.9-3.4 ms for a 256 x 784 x 256 GEMM in one run).
   Row counts that 6 would cover with much overlap use 4-row tiles. GPUs: small tiles, no k
   blocking (register pressure, occupancy). TN is then halved until it fits N (it must be 1, 2,
   4, 8 or 16) and TM cut to M, so a tile never overhangs the whole matrix. */
static void choose_tiles(const clgconv_context *ctx, int variant, int64_t M, int64_t N, int *TM,
                         int *TN, int *kblock)
{
    static const int cpu[GEMM_VARIANTS][3] = {
        {6, 16, GEMM_CPU_KBLOCK}, {8, 16, GEMM_CPU_KBLOCK}, {8, 8, GEMM_CPU_KBLOCK}, {6, 16, 0}};
    static const int gpu[GEMM_VARIANTS][3] = {{4, 8, 0}, {8, 8, 0}, {4, 4, 0}, {2, 8, 0}};
    if (variant < 0 || variant >= GEMM_VARIANTS) variant = 0;
    const int *p = (ctx->info.is_cpu ? cpu : gpu)[variant];
    int tm = p[0], tn = p[1];
    if (ctx->info.is_cpu && variant == 0 && M <= 24 && M % 6 != 0 && M % 4 == 0) tm = 4;
    while (tn > N) tn /= 2;
    if (tm > M) tm = (int)M;
    *TM = tm, *TN = tn, *kblock = p[2];
}

static int gemm_variant_count(const clgconv_context *ctx, const clg_shape *s)
{
    (void)ctx, (void)s;
    return GEMM_VARIANTS;
}

static void gemm_mapping(const clgconv_context *ctx, const clg_shape *s, int variant,
                         gemm_state *st)
{
    const clg_gemm_layout *l = &st->layout;
    int64_t HW = s->H * s->W;
    st->nhwc = s->d.layout == CLGCONV_LAYOUT_NHWC;
    if (!st->nhwc) {
        /* out[n][gi*KPG + m][p] = sum_r W[gi*KPG + m][r] * X_col[r][p] */
        st->M = (int)s->KPG, st->N = (int)l->P, st->K = (int)l->RED;
        st->a = (gemm_operand){0, 0, s->KPG * l->RED, 0, (int)l->RED, 1};
        if (l->direct)
            st->b = (gemm_operand){0, s->C * HW, s->CPG * HW, 0, (int)HW, 0};
        else
            st->b = (gemm_operand){l->col_offset, 0, 0, l->slot_elems, (int)l->P, 2};
        st->c = (gemm_operand){0, s->K * l->P, s->KPG * l->P, 0, (int)l->P, 3};
    } else {
        /* out[n][p][gi*KPG + j] = sum_r X_col[p][r] * Wt[gi][r][j] */
        st->M = (int)l->P, st->N = (int)s->KPG, st->K = (int)l->RED;
        if (l->direct)
            st->a = (gemm_operand){0, HW * s->C, s->CPG, 0, (int)s->C, 0};
        else
            st->a = (gemm_operand){l->col_offset, 0, 0, l->slot_elems, (int)l->RED, 2};
        st->b = (gemm_operand){0, 0, l->RED * s->KPG, 0, (int)s->KPG, 4};
        st->c = (gemm_operand){0, l->P * s->K, s->KPG, 0, (int)s->K, 3};
    }
    choose_tiles(ctx, variant, st->M, st->N, &st->TM, &st->TN, &st->kblock);
}

static int64_t gemm_wt_elems(const clg_shape *s)
{
    return s->d.layout == CLGCONV_LAYOUT_NHWC ? s->weight_elems : 0;
}

static clgconv_status gemm_supports(const clgconv_context *ctx, const clg_shape *s)
{
    return clg_gemm_check(ctx, s, gemm_wt_elems(s), "gemm");
}

/* Roofline with the GEMM's efficiency: a k step of a TM x TN tile is TM vector FMAs for
   TM + 1 loads; vectors narrower than 8 lanes leave FMA width unused on CPUs; short reductions
   do not amortise a tile's setup and stores; the base factor (below) is the rest of the
   efficiency measured on PoCL for dense layers. Memory: input, weights, output,
   and the im2col matrices: written by gathering runs, then read by the GEMM. Measured on PoCL:
   at batch 1 (7.2 MB of matrices for a 256-channel 28x28 3x3 layer) grouped layers with
   g = 8-32 took 0.9-2.7 ms in all, half the copy bandwidth for the im2col; at batch 8 (58 MB)
   a quarter (1.4-2 ms per 7.2 MB), which made gemm slower than tiled at g = 8-16. */
static double gemm_estimate(const clgconv_context *ctx, const clg_shape *s)
{
    gemm_state st = {0};
    clg_gemm_layout_init(ctx, s, gemm_wt_elems(s), 1, &st.layout);
    if (!ctx->info.is_cpu) {
        /* Fitted on an H200 (docs/gpu.md): the GEMM as a clg_gpu_fit over its outputs (16 per
           work-item), plus the im2col matrices written and read at 500 GB/s
           (CLG_GPU_FIT_UNITS; scaled with them). */
        static const clg_gpu_fit fit = {15e-6, 8000e9, 512, 0, 0};
        const double outputs = (double)s->output_elems;
        double bytes = 4.0 * (double)(s->input_elems + s->output_elems + s->weight_elems);
        if (!st.layout.direct)
            bytes += 8.0 * (double)st.layout.slot_elems * (double)st.layout.pairs;
        return clg_gpu_seconds(ctx, &fit, 2.0 * s->macs, outputs / 16.0, 1.0, 1.0) +
               bytes / (500e9 * clg_gpu_scale(ctx));
    }
    gemm_mapping(ctx, s, 0, &st);
    double peak, bw, launch;
    clg_device_roofline(ctx, &peak, &bw, &launch);
    /* Base 0.75: measured 0.62-0.66 of peak (TM = 6) on dense 3x3 layers on PoCL (docs/benchmarks.md,
       per-algorithm comparison), where 0.5 made AUTO pick the tiled kernel at 2/3 of the speed. */
    double eff = 0.75 * (double)st.TM / (double)(st.TM + 1) * (double)st.K / (double)(st.K + 16);
    if (st.TN < 8) eff *= (double)st.TN / 8.0; /* CPUs: narrow vectors leave FMA width unused */
    double flops = 2.0 * s->macs;
    double bytes = 4.0 * (double)(s->input_elems + s->output_elems + 2 * s->weight_elems);
    double col_bytes = 4.0 * (double)st.layout.slot_elems * (double)st.layout.pairs;
    double compute = flops / (eff * peak);
    /* The im2col writes run at about half the copy bandwidth while the matrices stay within a
       quarter of the device's cache, a quarter of it beyond (measured on PoCL, 32 MiB L3). */
    double cache = (double)ctx->info.global_cache;
    double col_rate = col_bytes <= 0.25 * cache ? 0.5 : 0.25;
    double memory = (bytes + col_bytes) / (0.7 * bw) + col_bytes / (col_rate * bw);
    /* NHWC: each tile of TM pixel rows streams its group's weight columns over the whole
       reduction, so the weights are read once per row tile and image; beyond a core's cache
       (taken as 1 MiB) those re-reads come from the shared cache or memory. Measured on PoCL,
       dense 3x3 NHWC, whole plan: 14x14x384 (5.3 MB of weights) 9.7-11.4 ms, 14x14x512 24-28
       ms, 7x7x1024 (38 MB) 55 ms, against 6.8, 11.9 and 14.6 ms estimated without them. */
    const double wbytes = 4.0 * (double)s->weight_elems;
    if (st.nhwc && wbytes > 1048576.0) {
        const double rereads = (double)s->N * (double)((st.M + st.TM - 1) / st.TM) - 1.0;
        memory += rereads * wbytes / (wbytes <= 0.25 * cache ? 2.0 * bw : bw);
    }
    int64_t chunks = (st.layout.pairs + st.layout.pairs_per_chunk - 1) / st.layout.pairs_per_chunk;
    double launches = (double)(chunks * (st.layout.direct ? 1 : 2) + st.nhwc);
    return compute + memory + launch * launches;
}

static void gemm_destroy(clgconv_plan *plan)
{
    gemm_state *st = plan->state;
    if (!st) return;
    if (st->gemm) clg_clReleaseKernel(st->gemm);
    if (st->im2col) clg_clReleaseKernel(st->im2col);
    if (st->transpose) clg_clReleaseKernel(st->transpose);
    free(st);
    plan->state = NULL;
}

static clgconv_status gemm_create(clgconv_plan *plan)
{
    const clg_shape *s = &plan->shape;
    gemm_state *st = calloc(1, sizeof *st);
    if (!st) return clg_fail(CLGCONV_ERROR_OUT_OF_MEMORY, "allocating the gemm plan");
    plan->state = st;
    clg_gemm_layout_init(plan->ctx, s, gemm_wt_elems(s), 1, &st->layout);
    gemm_mapping(plan->ctx, s, plan->variant, st);
    char options[128], kblock[32] = "";
    if (st->kblock > 0) snprintf(kblock, sizeof kblock, " -DCLG_KBLOCK=%d", st->kblock);
    snprintf(options, sizeof options, "-DCLG_TM=%d -DCLG_TN=%d%s%s", st->TM, st->TN,
             st->nhwc ? " -DCLG_BIAS_PER_COL" : "", kblock);
    clgconv_status r =
        clg_context_create_kernel(plan->ctx, "gemm", options, "gemm_batched", &st->gemm);
    if (r == CLGCONV_SUCCESS)
        r = clg_kernel_wg_limit(plan->ctx, st->gemm, "gemm_batched", &st->gemm_wg);
    if (r == CLGCONV_SUCCESS && !st->layout.direct)
        r = clg_im2col_create(plan->ctx, s, &st->layout, &st->im2col, &st->im2col_wg);
    if (r == CLGCONV_SUCCESS && st->nhwc) {
        r = clg_context_create_kernel(plan->ctx, "im2col", "", "weights_kkc_transposed",
                                      &st->transpose);
        if (r == CLGCONV_SUCCESS)
            r = clg_kernel_wg_limit(plan->ctx, st->transpose, "weights_kkc_transposed",
                                    &st->transpose_wg);
    }
    if (r != CLGCONV_SUCCESS) {
        gemm_destroy(plan);
        return r;
    }
    plan->workspace_bytes = (size_t)st->layout.workspace_bytes;
    if (st->nhwc) {
        /* Packed weights: the transposed matrix the workspace's head would hold; the workspace
           keeps only the im2col part (none for 1x1 layers). */
        clg_gemm_layout_init(plan->ctx, s, 0, 1, &st->packed_layout);
        plan->packs_weights = true;
        plan->packed_weights_bytes = (size_t)gemm_wt_elems(s) * sizeof(float);
        plan->packed_workspace_bytes = (size_t)st->packed_layout.workspace_bytes;
    }
    return CLGCONV_SUCCESS;
}

static cl_mem operand_buffer(const gemm_operand *o, const clg_forward_args *a)
{
    switch (o->which) {
    case 0: return a->input;
    case 1: return a->weights;
    case 2: return a->workspace;
    case 4: return a->packed ? a->weights : a->workspace;
    default: return a->output;
    }
}

/* The GEMMs of pairs [b0, b0 + count) with l, the layout gemm_enqueue runs (st->layout, or
   st->packed_layout for NHWC with packed weights). */
static clgconv_status gemm_launch(const clgconv_plan *plan, cl_command_queue queue,
                                  const clg_forward_args *a, const clg_gemm_layout *l, int64_t b0,
                                  int64_t count, cl_uint num_wait, const cl_event *wait,
                                  cl_event *event)
{
    const gemm_state *st = plan->state;
    const clg_shape *s = &plan->shape;
    cl_kernel k = st->gemm;
    const char *name = "gemm_batched";
    cl_mem mems[4] = {operand_buffer(&st->a, a), operand_buffer(&st->b, a),
                      operand_buffer(&st->c, a), a->bias ? a->bias : a->weights};
    int iargs[] = {st->M,      st->N,        st->K,   st->a.ld,   st->b.ld,
                   st->c.ld,   (int)s->G,    (int)s->KPG, (int)b0, (int)count};
    /* The im2col matrix (operand a, NHWC) sits at the active layout's col_offset: after the
       transposed weights' head, or at 0 with packed weights (packed_layout). */
    const cl_long a_off = st->nhwc && st->a.which == 2 ? l->col_offset : st->a.off;
    cl_long largs[] = {a_off,     st->a.sN, st->a.sG, st->a.sS, st->b.off, st->b.sN,
                       st->b.sG,  st->b.sS, st->c.off, st->c.sN, st->c.sG, st->c.sS};
    int has_bias = a->bias != NULL;
    float lo = s->d.output_min, hi = s->d.output_max;
    clgconv_status r;
    cl_uint i = 0;
    for (int j = 0; j < 4; ++j)
        if ((r = clg_set_arg(k, i++, sizeof(cl_mem), &mems[j], name))) return r;
    if ((r = clg_set_int_args(k, &i, iargs, sizeof iargs / sizeof iargs[0], name))) return r;
    for (size_t j = 0; j < sizeof largs / sizeof largs[0]; ++j)
        if ((r = clg_set_arg(k, i++, sizeof(cl_long), &largs[j], name))) return r;
    if ((r = clg_set_arg(k, i++, sizeof(int), &has_bias, name)) ||
        (r = clg_set_arg(k, i++, sizeof(float), &lo, name)) ||
        (r = clg_set_arg(k, i++, sizeof(float), &hi, name)))
        return r;
    size_t work[3] = {(size_t)((st->N + st->TN - 1) / st->TN),
                      (size_t)((st->M + st->TM - 1) / st->TM), (size_t)count};
    size_t preferred[3] = {16, 8, 1};
    if (plan->ctx->info.is_cpu) {
        /* Up to 16 row tiles share each column panel; the rest of the group (at most 16)
           along columns. */
        size_t rows = 1;
        while (rows < work[1] && rows < 16) rows *= 2;
        preferred[1] = rows;
        preferred[0] = GEMM_CPU_GROUP / rows < 16 ? GEMM_CPU_GROUP / rows : 16;
    }
    size_t global[3], local[3];
    clg_launch_geometry(plan->ctx, st->gemm_wg, 3, work, preferred, global, local);
    return clg_enqueue_kernel(queue, k, name, 3, global, local, num_wait, wait, event);
}

/* weights_kkc_transposed from weights into wt (the workspace's head or the packed weights). */
static clgconv_status transpose_launch(const clgconv_plan *plan, cl_command_queue queue,
                                       cl_mem weights, cl_mem wt, cl_uint num_wait,
                                       const cl_event *wait, cl_event *event)
{
    const gemm_state *st = plan->state;
    const clg_shape *s = &plan->shape;
    cl_kernel k = st->transpose;
    const char *name = "weights_kkc_transposed";
    int iargs[] = {(int)s->G, (int)s->CPG, (int)s->KPG, (int)s->KH, (int)s->KW};
    cl_long wt_offset = 0;
    clgconv_status r;
    cl_uint i = 0;
    if ((r = clg_set_arg(k, i++, sizeof(cl_mem), &weights, name)) ||
        (r = clg_set_arg(k, i++, sizeof(cl_mem), &wt, name)))
        return r;
    if ((r = clg_set_int_args(k, &i, iargs, sizeof iargs / sizeof iargs[0], name))) return r;
    if ((r = clg_set_arg(k, i++, sizeof(cl_long), &wt_offset, name))) return r;
    size_t work[3] = {(size_t)s->KPG, (size_t)(s->KH * s->KW), (size_t)s->G};
    size_t preferred[3] = {16, 4, 1}, global[3], local[3];
    clg_launch_geometry(plan->ctx, st->transpose_wg, 3, work, preferred, global, local);
    return clg_enqueue_kernel(queue, k, name, 3, global, local, num_wait, wait, event);
}

/* Launch order (each step waits for the previous one through events, so out-of-order queues
   work): [NHWC, unless the weights come packed: weight transpose] -> for each chunk of pairs:
   [im2col, into packed_layout's workspace when packed] -> GEMM with fused bias
   and clamp. The next chunk's im2col waits for the previous GEMM (it reuses the workspace).
   Only the GEMM launches write the output. With one chunk (every shape whose im2col fits
   clg_workspace_cap) the GEMM is the last call, so a failing forward leaves the output
   untouched. With several chunks, a failure in a later chunk returns the error after earlier
   chunks' GEMMs were enqueued: those output pixels may be written (everything created is still
   released). */
static clgconv_status gemm_enqueue(const clgconv_plan *plan, cl_command_queue queue,
                                   const clg_forward_args *a, cl_uint num_wait,
                                   const cl_event *wait, cl_event *event)
{
    const gemm_state *st = plan->state;
    const clg_gemm_layout *l = a->packed && st->nhwc ? &st->packed_layout : &st->layout;
    cl_event ev_wt = NULL, ev_col = NULL, ev_prev = NULL;
    clgconv_status r = CLGCONV_SUCCESS;
    if (st->nhwc && !a->packed) {
        r = transpose_launch(plan, queue, a->weights, a->workspace, num_wait, wait, &ev_wt);
        if (r != CLGCONV_SUCCESS) return r;
    }
    for (int64_t b0 = 0; b0 < l->pairs && r == CLGCONV_SUCCESS; b0 += l->pairs_per_chunk) {
        int64_t count = l->pairs - b0 < l->pairs_per_chunk ? l->pairs - b0 : l->pairs_per_chunk;
        cl_event deps[2];
        cl_uint ndeps = 0;
        if (!l->direct) {
            /* The first chunk waits for the caller's events, later ones for the previous GEMM. */
            if (ev_prev)
                r = clg_im2col_enqueue(plan->ctx, &plan->shape, l, st->im2col, st->im2col_wg,
                                       queue, a->input, a->workspace, b0, count, 1, &ev_prev,
                                       &ev_col);
            else
                r = clg_im2col_enqueue(plan->ctx, &plan->shape, l, st->im2col, st->im2col_wg,
                                       queue, a->input, a->workspace, b0, count, num_wait, wait,
                                       &ev_col);
            if (r != CLGCONV_SUCCESS) break;
            deps[ndeps++] = ev_col;
        }
        if (ev_wt) deps[ndeps++] = ev_wt;
        cl_event ev_gemm = NULL;
        if (ndeps > 0)
            r = gemm_launch(plan, queue, a, l, b0, count, ndeps, deps, &ev_gemm);
        else /* direct 1x1 (NCHW, or NHWC with packed weights): the only launch waits for the
                caller's events */
            r = gemm_launch(plan, queue, a, l, b0, count, num_wait, wait, &ev_gemm);
        clg_event_drop(&ev_col);
        clg_event_drop(&ev_wt); /* later GEMMs depend on it through ev_prev */
        if (r != CLGCONV_SUCCESS) break;
        clg_event_drop(&ev_prev);
        ev_prev = ev_gemm;
    }
    clg_event_drop(&ev_wt);
    if (r != CLGCONV_SUCCESS) {
        clg_event_drop(&ev_prev);
        return r;
    }
    if (event)
        *event = ev_prev;
    else
        clg_event_drop(&ev_prev);
    return CLGCONV_SUCCESS;
}

/* Packing (NHWC plans): the weight transpose alone, into the packed buffer. */
static clgconv_status gemm_pack(const clgconv_plan *plan, cl_command_queue queue, cl_mem weights,
                                cl_mem packed, cl_uint num_wait, const cl_event *wait,
                                cl_event *event)
{
    return transpose_launch(plan, queue, weights, packed, num_wait, wait, event);
}

const clg_algo_impl clg_algo_gemm = {CLGCONV_ALGO_GEMM, gemm_supports,      gemm_estimate,
                                     gemm_create,       gemm_enqueue,       gemm_destroy,
                                     gemm_variant_count, gemm_pack};
