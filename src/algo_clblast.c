/* algo_clblast.c: CLGCONV_ALGO_CLBLAST, grouped im2col (cl/im2col.cl) + CLBlast's SGEMMs over groups + a bias/clamp epilogue (cl/gemm.cl); built only with CLGCONV_HAVE_CLBLAST. */
#ifdef CLGCONV_HAVE_CLBLAST

#include "algo_gemm.h"

#include <clblast_c.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

/*
 * Notes
 * - CLBlast takes no wait list and its routines may enqueue several kernels. So each CLBlast
 *   batch is fenced: a clEnqueueBarrierWithWaitList on the im2col event (or on the caller's
 *   events) before it, and a barrier with an empty wait list after it, which on any queue waits
 *   for everything enqueued before it, all of CLBlast's kernels included. The im2col of the next
 *   chunk and the epilogue wait for that barrier's event, and the caller gets the last event, so
 *   in-order and out-of-order queues both work. (The empty-list barrier also waits for unrelated
 *   work enqueued earlier on the same queue: correct, occasionally over-synchronised.) We ask
 *   CLBlast for no event of its own.
 * - Thread safety: CLBlast claims to be thread-safe since 0.7.0, but its issue #486 reports
 *   failures when several threads call SGEMM in parallel, so every CLBlast call here is made
 *   under one process-wide mutex. The calls only enqueue, so the mutex is held briefly, except
 *   when CLBlast compiles its kernels.
 * - No warm-up at plan creation: CLBlast compiles its GEMM kernels at its first call for a
 *   device (7-19 s on PoCL with a cold cache, 50-200 ms warm), which a warm-up would only move
 *   into plan creation, and which needs real buffers of the plan's size to select the same
 *   kernels. The first forward of a process pays it once per CLBlast routine (NCHW 1x1 plans
 *   with groups call both routines sgemm_batched uses).
 * - CLBlast's status codes are reported as CLGCONV_ERROR_OPENCL with the code in the message.
 * - CLBlast writes its products into an output-sized staging area of the workspace (at its
 *   start, or after the im2col area for NCHW im2col plans: clblast_layout), and the bias_clamp
 *   kernel then writes the output.
 *   That last launch is the only command writing the output, so when any earlier call fails
 *   (an im2col launch, a barrier, a CLBlast call) the output is untouched, as the API promises.
 * - CLBlast's default kernels use work-groups of up to 16 x 16 items; devices allowing fewer
 *   are reported UNSUPPORTED at plan creation instead of failing in forward.
 */

static clg_mutex g_clblast_lock;
static atomic_int g_clblast_lock_state; /* 0 uninitialised, 1 initialising, 2 ready */

static void clblast_lock(void)
{
    int state;
    while ((state = atomic_load(&g_clblast_lock_state)) != 2) {
        int expected = 0;
        if (state == 0 && atomic_compare_exchange_strong(&g_clblast_lock_state, &expected, 1)) {
            clg_mutex_init(&g_clblast_lock);
            atomic_store(&g_clblast_lock_state, 2);
        }
    }
    clg_mutex_lock(&g_clblast_lock);
}

static void clblast_unlock(void) { clg_mutex_unlock(&g_clblast_lock); }

typedef struct clblast_state {
    clg_gemm_layout layout;
    int nhwc;
    cl_kernel im2col, bias_clamp;
    size_t im2col_wg, bias_clamp_wg;
} clblast_state;

#define CLBLAST_MIN_WORK_GROUP 256
#define CLBLAST_MIN_WORK_ITEMS 16

static clgconv_status clblast_supports(const clgconv_context *ctx, const clg_shape *s)
{
    if (ctx->info.max_wg < CLBLAST_MIN_WORK_GROUP || ctx->info.max_item[0] < CLBLAST_MIN_WORK_ITEMS ||
        ctx->info.max_item[1] < CLBLAST_MIN_WORK_ITEMS)
        return clg_fail(CLGCONV_ERROR_UNSUPPORTED,
                        "clblast: CLBlast's kernels need work-groups of %d items (16 x 16); %s "
                        "allows %zu (item sizes %zu x %zu)",
                        CLBLAST_MIN_WORK_GROUP, ctx->info.description, ctx->info.max_wg,
                        ctx->info.max_item[0], ctx->info.max_item[1]);
    return clg_gemm_check(ctx, s, s->output_elems, "clblast");
}

/* The GEMM layout of a CLBlast plan. NHWC plans and 1x1 NCHW plans stage their products at the
   workspace start (NHWC im2col matrices after them); NCHW im2col plans put the im2col area
   first and stage after it (staging_offset), so that with chunk_pairs every CLBlast call's B
   (a chunk's im2col matrices, not transposed) starts at offset 0 (see sgemm_batched). Their
   chunks never span images when there are groups, so the im2col area holds at most one
   image's G matrices. */
static void clblast_layout(const clgconv_context *ctx, const clg_shape *s, clg_gemm_layout *l)
{
    clg_gemm_layout_init(ctx, s, s->output_elems, 0, l);
    if (s->d.layout == CLGCONV_LAYOUT_NCHW && !l->direct) {
        if (s->G > 1 && l->pairs_per_chunk > s->G) {
            l->pairs_per_chunk = s->G;
            l->workspace_bytes =
                (uint64_t)(l->head_elems + l->slot_elems * l->pairs_per_chunk) * sizeof(float);
        }
        l->col_offset = 0;
    }
}

/* Element offset of the staged products in the workspace: after the im2col area where
   clblast_layout put that first, else 0. */
static int64_t staging_offset(const clg_gemm_layout *l)
{
    return l->col_offset == 0 && l->slot_elems > 0 ? l->slot_elems * l->pairs_per_chunk : 0;
}

/* Pairs in the chunk that starts at pair b0: at most pairs_per_chunk, and for NCHW im2col plans
   with groups no further than the end of b0's image, so that each chunk's GEMMs are one
   strided batch whose B starts at offset 0. */
static int64_t chunk_pairs(const clg_gemm_layout *l, const clg_shape *s, int64_t b0)
{
    int64_t count = l->pairs - b0 < l->pairs_per_chunk ? l->pairs - b0 : l->pairs_per_chunk;
    if (s->d.layout == CLGCONV_LAYOUT_NCHW && !l->direct && s->G > 1 && count > s->G - b0 % s->G)
        count = s->G - b0 % s->G;
    return count;
}

/* CLBlast 1.5.3 with its default parameters on PoCL: 15-18 GFLOP/s for large SGEMMs, 3.5 for a
   32-group batch of small GEMMs (shared notes): never a CPU choice unless measured (tuning).
   On GPUs its parameter database is tuned: the fastest path for dense and few-group layers at
   batch 1 on an H200, weaker for the small per-group matrices of grouped convolutions. Plus
   the im2col traffic and the calls. */
static double clblast_estimate(const clgconv_context *ctx, const clg_shape *s)
{
    clg_gemm_layout l;
    clblast_layout(ctx, s, &l);
    double cu = (double)clg_compute_units(ctx);
    double m = (double)s->KPG, n = (double)l.P, k = (double)l.RED;
    /* CLBlast calls per forward (clblast_gemms, sgemm_batched): NHWC one per image, or one over
       the batch without groups; NCHW im2col plans one per chunk (chunk_pairs: as many images
       as the workspace cap allows without groups, else an image, in parts when its groups'
       matrices outgrow the cap), each after its own im2col launch and barrier; 1x1 NCHW
       layers, whose first image's batch starts at offset 0 of the input, one call over the
       batch without groups, else one for image 0's groups and one per GEMM of the other
       images. */
    double calls = s->G == 1 ? 1.0 : (double)s->N, single_calls = 0;
    if (s->d.layout == CLGCONV_LAYOUT_NCHW && !l.direct) {
        const int64_t per = l.pairs_per_chunk; /* at most G with groups (clblast_layout) */
        calls = s->G == 1 ? (double)((s->N + per - 1) / per)
                          : (double)s->N * (double)((s->G + per - 1) / per);
    } else if (s->d.layout == CLGCONV_LAYOUT_NCHW) {
        calls = 1.0;
        if (s->G > 1) single_calls = (double)((s->N - 1) * s->G);
    }
    if (!ctx->info.is_cpu) {
        /* Fitted on an H200 (docs/gpu.md; CLBlast 1.5.3, its NVIDIA parameters): 12 TFLOP/s
           for large matrices (CLG_GPU_FIT_UNITS; scaled with them), less for narrow ones; 20
           us per plan and 5 per strided-batched call; im2col matrices written and read at 1
           TB/s. A GEMM called on its own (1x1 NCHW layers with groups, images past the first)
           measured about 10 us more per call: ShuffleNet's 1x1 g = 3 layers at batch 8, 21
           such calls, 0.33 ms against 0.12 as strided batches. */
        if (s->G == 1 && calls == 1.0) n *= (double)s->N; /* one call over the batch */
        const double eff = (m / (m + 16.0)) * (n / (n + 256.0)) * (k / (k + 32.0));
        double bytes = 4.0 * (double)(s->input_elems + s->output_elems + s->weight_elems);
        if (!l.direct) bytes += 8.0 * (double)l.slot_elems * (double)l.pairs;
        const double scale = clg_gpu_scale(ctx);
        return 20e-6 + 5e-6 * calls + 10e-6 * single_calls +
               2.0 * s->macs / (12000e9 * scale * eff) +
               bytes / (1000e9 * scale);
    }
    double size_eff = (m / (m + 64.0)) * (n / (n + 64.0)) * (k / (k + 32.0));
    double rate = 17e9 * size_eff;
    double bw = 13.5e9 * cu < 60e9 ? 13.5e9 * cu : 60e9;
    double bytes = 4.0 * (double)(s->input_elems + s->output_elems + s->weight_elems);
    bytes += 8.0 * (double)l.slot_elems * (double)l.pairs + 8.0 * (double)s->output_elems;
    return 2.0 * s->macs / rate + bytes / (0.7 * bw) + (calls + single_calls) * 50e-6 + 40e-6;
}

static void clblast_destroy(clgconv_plan *plan)
{
    clblast_state *st = plan->state;
    if (!st) return;
    if (st->im2col) clg_clReleaseKernel(st->im2col);
    if (st->bias_clamp) clg_clReleaseKernel(st->bias_clamp);
    free(st);
    plan->state = NULL;
}

static clgconv_status clblast_create(clgconv_plan *plan)
{
    const clg_shape *s = &plan->shape;
    clblast_state *st = calloc(1, sizeof *st);
    if (!st) return clg_fail(CLGCONV_ERROR_OUT_OF_MEMORY, "allocating the clblast plan");
    plan->state = st;
    clblast_layout(plan->ctx, s, &st->layout);
    st->nhwc = s->d.layout == CLGCONV_LAYOUT_NHWC;
    clgconv_status r = CLGCONV_SUCCESS;
    if (!st->layout.direct) r = clg_im2col_create(plan->ctx, s, &st->layout, &st->im2col, &st->im2col_wg);
    if (r == CLGCONV_SUCCESS)
        r = clg_context_create_kernel(plan->ctx, "gemm", "", "bias_clamp", &st->bias_clamp);
    if (r == CLGCONV_SUCCESS)
        r = clg_kernel_wg_limit(plan->ctx, st->bias_clamp, "bias_clamp", &st->bias_clamp_wg);
    if (r != CLGCONV_SUCCESS) {
        clblast_destroy(plan);
        return r;
    }
    plan->workspace_bytes = (size_t)st->layout.workspace_bytes;
    return CLGCONV_SUCCESS;
}

/* One batch of SGEMMs at strided offsets (entry i: A at a_off + i * a_stride, B and C alike),
   under the global CLBlast lock: one CLBlastSgemmStridedBatched call, or one CLBlastSgemm per
   entry when B is not transposed and starts at a nonzero offset. CLBlast 1.5.3's strided-batched
   SGEMM returned wrong products for such a B, at some sizes, with the parameters it picks for
   an Intel Xeon under PoCL 3.1: every element of m 128, n 1600, k 1152 and of m 96, n 3136, k
   864 wrong, at any B offset tried (1, 8, 16, 204800; batch 1 and 2); m 128, n 784, k 1152, m
   256, n 784, k 2304 and m 64, n 3136, k 576 right, as were nonzero A or C offsets, a
   transposed B, and a batch of 2 whose B starts at offset 0 (the second at the stride).
   CLBlastSgemm returned the right products for each of those calls. (CLBlastSgemmBatched
   did too, but it writes its offset lists to the device with a blocking call, which deadlocks
   a forward whose wait list holds an event that completes later.) So NCHW im2col plans keep
   their B at offset 0: the im2col area comes first in the workspace and each chunk's matrices
   (chunk_pairs) start there. Only 1x1 NCHW layers with groups still pass such a B, reading the
   input at each image past the first: those images' GEMMs are called one by one. */
static clgconv_status sgemm_batched(cl_command_queue queue, CLBlastTranspose b_trans, size_t m,
                                    size_t n, size_t k, cl_mem A, size_t a_off, size_t lda,
                                    size_t a_stride, cl_mem B, size_t b_off, size_t ldb,
                                    size_t b_stride, cl_mem C, size_t c_off, size_t ldc,
                                    size_t c_stride, size_t batch)
{
    const bool one_by_one = b_trans == CLBlastTransposeNo && b_off != 0;
    CLBlastStatusCode code = CLBlastSuccess;
    clblast_lock();
    size_t i = 0;
    if (one_by_one) {
        for (; i < batch && code == CLBlastSuccess; ++i)
            code = CLBlastSgemm(CLBlastLayoutRowMajor, CLBlastTransposeNo, b_trans, m, n, k, 1.0f,
                                A, a_off + i * a_stride, lda, B, b_off + i * b_stride, ldb, 0.0f,
                                C, c_off + i * c_stride, ldc, &queue, NULL);
    } else {
        code = CLBlastSgemmStridedBatched(CLBlastLayoutRowMajor, CLBlastTransposeNo, b_trans, m, n,
                                          k, 1.0f, A, a_off, lda, a_stride, B, b_off, ldb, b_stride,
                                          0.0f, C, c_off, ldc, c_stride, batch, &queue, NULL);
    }
    clblast_unlock();
    if (code != CLBlastSuccess && one_by_one)
        return clg_fail(CLGCONV_ERROR_OPENCL,
                        "CLBlastSgemm (m %zu, n %zu, k %zu; GEMM %zu of %zu) failed with CLBlast "
                        "status %d",
                        m, n, k, i, batch, (int)code);
    if (code != CLBlastSuccess)
        return clg_fail(CLGCONV_ERROR_OPENCL,
                        "CLBlastSgemmStridedBatched (m %zu, n %zu, k %zu, batch %zu) failed with "
                        "CLBlast status %d",
                        m, n, k, batch, (int)code);
    return CLGCONV_SUCCESS;
}

/* The GEMMs of pairs [b0, b0 + count): per image, one batch over its groups in the chunk (over
   all images at once when G = 1, with a zero weight stride), made by sgemm_batched as one
   strided-batched call or one call per GEMM. The products go to the
   workspace's staging area, laid out like the output. */
static clgconv_status clblast_gemms(const clgconv_plan *plan, cl_command_queue queue,
                                    const clg_forward_args *a, int64_t b0, int64_t count)
{
    const clblast_state *st = plan->state;
    const clg_shape *s = &plan->shape;
    const clg_gemm_layout *l = &st->layout;
    const int64_t HW = s->H * s->W, P = l->P, RED = l->RED;
    const int64_t G = s->G, KPG = s->KPG, CPG = s->CPG;
    int64_t b = b0;
    while (b < b0 + count) {
        int64_t n = b / G, g_lo = b % G;
        /* Pairs handled by this call: the rest of image n's groups in the chunk, or with G = 1
           every remaining image of the chunk. */
        int64_t batch = G == 1 ? b0 + count - b : G - g_lo;
        if (b + batch > b0 + count) batch = b0 + count - b;
        int64_t slot = b - b0;
        clgconv_status r;
        if (!st->nhwc) {
            /* C[KPG][P] = W_g[KPG][RED] * X_g[RED][P] */
            size_t a_stride = G == 1 ? 0 : (size_t)(KPG * RED);
            size_t b_off, ldb, b_stride;
            cl_mem Bm;
            if (l->direct) {
                Bm = a->input, b_off = (size_t)(n * s->C * HW + g_lo * CPG * HW), ldb = (size_t)HW;
                b_stride = G == 1 ? (size_t)(s->C * HW) : (size_t)(CPG * HW);
            } else {
                Bm = a->workspace, b_off = (size_t)(l->col_offset + slot * l->slot_elems);
                ldb = (size_t)P, b_stride = (size_t)l->slot_elems;
            }
            size_t c_stride = G == 1 ? (size_t)(s->K * P) : (size_t)(KPG * P);
            r = sgemm_batched(queue, CLBlastTransposeNo, (size_t)KPG, (size_t)P, (size_t)RED,
                              a->weights, (size_t)(g_lo * KPG * RED), (size_t)RED, a_stride, Bm,
                              b_off, ldb, b_stride, a->workspace,
                              (size_t)(staging_offset(l) + n * s->K * P + g_lo * KPG * P),
                              (size_t)P, c_stride, (size_t)batch);
        } else {
            /* C[P][KPG] (row stride K) = X_g[P][RED] * W_g^T, W_g stored [KPG][RED] */
            size_t a_off, lda, a_stride;
            cl_mem Am;
            if (l->direct) {
                Am = a->input, a_off = (size_t)(n * HW * s->C + g_lo * CPG), lda = (size_t)s->C;
                a_stride = G == 1 ? (size_t)(HW * s->C) : (size_t)CPG;
            } else {
                Am = a->workspace, a_off = (size_t)(l->col_offset + slot * l->slot_elems);
                lda = (size_t)RED, a_stride = (size_t)l->slot_elems;
            }
            size_t b_stride = G == 1 ? 0 : (size_t)(KPG * RED);
            size_t c_stride = G == 1 ? (size_t)(P * s->K) : (size_t)KPG;
            r = sgemm_batched(queue, CLBlastTransposeYes, (size_t)P, (size_t)KPG, (size_t)RED, Am,
                              a_off, lda, a_stride, a->weights, (size_t)(g_lo * KPG * RED),
                              (size_t)RED, b_stride, a->workspace,
                              (size_t)(staging_offset(l) + n * P * s->K + g_lo * KPG),
                              (size_t)s->K, c_stride, (size_t)batch);
        }
        if (r != CLGCONV_SUCCESS) return r;
        b += batch;
    }
    return CLGCONV_SUCCESS;
}

static clgconv_status barrier(cl_command_queue queue, cl_uint num_wait, const cl_event *wait,
                              cl_event *event, const char *what)
{
    cl_int e = clg_clEnqueueBarrierWithWaitList(queue, num_wait, wait, event);
    return e == CL_SUCCESS ? CLGCONV_SUCCESS
                           : clg_fail_cl("clEnqueueBarrierWithWaitList", e, what);
}

static clgconv_status epilogue_launch(const clgconv_plan *plan, cl_command_queue queue,
                                      const clg_forward_args *a, cl_event wait, cl_event *event)
{
    const clblast_state *st = plan->state;
    const clg_shape *s = &plan->shape;
    cl_kernel k = st->bias_clamp;
    const char *name = "bias_clamp";
    cl_mem bias = a->bias ? a->bias : a->weights;
    cl_long total = s->output_elems, chan_div = st->nhwc ? 1 : s->OH * s->OW,
            src_off = staging_offset(&st->layout);
    int K = (int)s->K, has_bias = a->bias != NULL;
    float lo = s->d.output_min, hi = s->d.output_max;
    clgconv_status r;
    if ((r = clg_set_arg(k, 0, sizeof(cl_mem), &a->output, name)) ||
        (r = clg_set_arg(k, 1, sizeof(cl_mem), &a->workspace, name)) ||
        (r = clg_set_arg(k, 2, sizeof(cl_mem), &bias, name)) ||
        (r = clg_set_arg(k, 3, sizeof(cl_long), &total, name)) ||
        (r = clg_set_arg(k, 4, sizeof(cl_long), &chan_div, name)) ||
        (r = clg_set_arg(k, 5, sizeof(int), &K, name)) ||
        (r = clg_set_arg(k, 6, sizeof(int), &has_bias, name)) ||
        (r = clg_set_arg(k, 7, sizeof(float), &lo, name)) ||
        (r = clg_set_arg(k, 8, sizeof(float), &hi, name)) ||
        (r = clg_set_arg(k, 9, sizeof(cl_long), &src_off, name)))
        return r;
    size_t work[1] = {(size_t)total}, preferred[1] = {256}, global[1], local[1];
    clg_launch_geometry(plan->ctx, st->bias_clamp_wg, 1, work, preferred, global, local);
    return clg_enqueue_kernel(queue, k, name, 1, global, local, 1, &wait, event);
}

/* Per chunk: [im2col] -> barrier(im2col event | caller's events) -> CLBlast into the staging
   area -> barrier(); then bias_clamp writes the output. See the notes at the top. */
static clgconv_status clblast_enqueue(const clgconv_plan *plan, cl_command_queue queue,
                                      const clg_forward_args *a, cl_uint num_wait,
                                      const cl_event *wait, cl_event *event)
{
    const clblast_state *st = plan->state;
    const clg_gemm_layout *l = &st->layout;
    cl_event ev_done = NULL, ev_col = NULL;
    clgconv_status r = CLGCONV_SUCCESS;
    int64_t count;
    for (int64_t b0 = 0; b0 < l->pairs; b0 += count) {
        count = chunk_pairs(l, &plan->shape, b0);
        cl_uint nw = ev_done ? 1 : num_wait;
        const cl_event *w = ev_done ? &ev_done : wait;
        if (!l->direct) {
            r = clg_im2col_enqueue(plan->ctx, &plan->shape, l, st->im2col, st->im2col_wg, queue,
                                   a->input, a->workspace, b0, count, nw, w, &ev_col);
            if (r != CLGCONV_SUCCESS) break;
            nw = 1, w = &ev_col;
        }
        if (nw > 0 && (r = barrier(queue, nw, w, NULL, "fencing CLBlast's GEMM")) != CLGCONV_SUCCESS)
            break;
        clg_event_drop(&ev_col);
        clg_event_drop(&ev_done);
        if ((r = clblast_gemms(plan, queue, a, b0, count)) != CLGCONV_SUCCESS) break;
        if ((r = barrier(queue, 0, NULL, &ev_done, "waiting for CLBlast's GEMM")) !=
            CLGCONV_SUCCESS)
            break;
    }
    clg_event_drop(&ev_col);
    if (r == CLGCONV_SUCCESS) {
        cl_event ev_epi = NULL;
        r = epilogue_launch(plan, queue, a, ev_done, &ev_epi);
        clg_event_drop(&ev_done);
        ev_done = ev_epi;
    }
    if (r != CLGCONV_SUCCESS) {
        clg_event_drop(&ev_done);
        return r;
    }
    if (event)
        *event = ev_done;
    else
        clg_event_drop(&ev_done);
    return CLGCONV_SUCCESS;
}

const clg_algo_impl clg_algo_clblast = {CLGCONV_ALGO_CLBLAST, clblast_supports, clblast_estimate,
                                        clblast_create, clblast_enqueue, clblast_destroy};

#else
/* Without CLBlast this file is empty; ISO C wants at least one declaration. */
typedef int clg_algo_clblast_not_built;
#endif /* CLGCONV_HAVE_CLBLAST */
