/* test_concurrency.c: several threads sharing one context and one plan (each with its own queue) run forward many times with bit-exact results; concurrent plan creation (program cache under contention), concurrent forward_host, concurrent context creation, and a context released while other threads use its plans. */
#define _POSIX_C_SOURCE 200809L /* pthread_barrier_t */
#include "rel_util.h"

#include <pthread.h>
#include <string.h>
#include <time.h>

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int g_threads = 4;
static int g_iterations = 24;

static int env_int(const char *name, int fallback, int lo, int hi)
{
    const char *v = getenv(name);
    if (!v || !*v) return fallback;
    int x = atoi(v);
    return x < lo ? lo : x > hi ? hi : x;
}

static clgconv_context *g_ctx;
static cl_context g_cl_ctx;
static pthread_barrier_t g_start;

/* ---------------------------------------------------------------- one plan, many threads */

typedef struct forward_worker {
    int id;
    const clgconv_plan *plan;
    rel_problem prob;       /* this thread's input, output and workspace buffers */
    cl_mem packed;          /* this thread's packed weights (packed concurrently, in the loop) */
    const float *expected;  /* the single-threaded result for this thread's input */
    long runs, mismatches;
    char failure[512];
} forward_worker;

/* A buffer for a worker's packed weights (forward_thread packs into it). */
static cl_mem packed_buffer(const clgconv_plan *plan)
{
    cl_int e;
    cl_mem m = clCreateBuffer(g_cl_ctx, CL_MEM_READ_WRITE,
                              clgconv_plan_packed_weights_size(plan), NULL, &e);
    CHECK(m);
    return m;
}

static void *forward_thread(void *arg)
{
    forward_worker *w = arg;
    cl_command_queue q = rel_create_queue(g_ctx, 0);
    rel_problem *p = &w->prob;
    const uint32_t nan_bits = 0x7FC00001u;
    pthread_barrier_wait(&g_start);
    for (int it = 0; it < g_iterations; ++it) {
        /* Overwrite the output first, so a forward that writes nothing cannot pass. */
        cl_event filled = NULL, done = NULL;
        if (clEnqueueFillBuffer(q, p->by, &nan_bits, 4, 0, p->out_bytes, 0, NULL, &filled) !=
            CL_SUCCESS) {
            snprintf(w->failure, sizeof w->failure, "clEnqueueFillBuffer failed");
            break;
        }
        /* Odd iterations chain on the fill's event, even ones rely on the in-order queue.
           Every third packs the thread's weights (while other threads run the plan: the
           packing kernel's arguments are the plan's too) and runs forward_packed after it. */
        bool chain = it % 2 == 1;
        clgconv_status st;
        if (it % 3 == 2) {
            cl_event packed = NULL;
            st = clgconv_conv2d_pack_weights(w->plan, q, p->bw, w->packed, chain ? 1 : 0,
                                             chain ? &filled : NULL, &packed);
            if (st == CLGCONV_SUCCESS) {
                st = clgconv_conv2d_forward_packed(w->plan, q, p->bx, w->packed, p->bb, p->by,
                                                   p->ws, 1, &packed, &done);
                clReleaseEvent(packed);
            }
        } else {
            st = clgconv_conv2d_forward(w->plan, q, p->bx, p->bw, p->bb, p->by, p->ws,
                                        chain ? 1 : 0, chain ? &filled : NULL, &done);
        }
        if (st != CLGCONV_SUCCESS) {
            snprintf(w->failure, sizeof w->failure, "forward returned %s: %s",
                     clgconv_status_string(st), clgconv_last_error());
            clReleaseEvent(filled);
            break;
        }
        if (clWaitForEvents(1, &done) != CL_SUCCESS ||
            clEnqueueReadBuffer(q, p->by, CL_TRUE, 0, p->out_bytes, p->y, 0, NULL, NULL) !=
                CL_SUCCESS) {
            snprintf(w->failure, sizeof w->failure, "waiting or reading back failed");
            clReleaseEvent(filled), clReleaseEvent(done);
            break;
        }
        clReleaseEvent(filled), clReleaseEvent(done);
        w->runs++;
        if (memcmp(p->y, w->expected, p->out_bytes) != 0) w->mismatches++;
    }
    clReleaseCommandQueue(q);
    return NULL;
}

/* Every thread runs the same plan on its own queue and data; results must equal, bit for bit,
   what the plan gives single-threaded (which itself matches the reference). */
static long test_shared_plan(const clgconv_conv2d_desc *desc, clgconv_algo algo, const char *label)
{
    clgconv_plan *plan = NULL;
    clgconv_status st = clgconv_conv2d_plan_create(g_ctx, desc, algo, &plan);
    if (st == CLGCONV_ERROR_UNSUPPORTED) return 0;
    CHECK_OK(st);
    forward_worker *ws = calloc((size_t)g_threads, sizeof *ws);
    float **expected = calloc((size_t)g_threads, sizeof *expected);
    CHECK(ws && expected);
    cl_command_queue q = rel_create_queue(g_ctx, 0);
    for (int t = 0; t < g_threads; ++t) {
        forward_worker *w = &ws[t];
        w->id = t, w->plan = plan;
        rel_problem_init(&w->prob, desc, t % 2 == 0, 1000 + (uint64_t)t, g_cl_ctx);
        rel_problem_workspace(&w->prob, plan); /* also covers forward_packed's */
        w->packed = packed_buffer(plan);
        /* The single-threaded result, checked against the reference. */
        CHECK_OK(clgconv_conv2d_forward(plan, q, w->prob.bx, w->prob.bw, w->prob.bb, w->prob.by,
                                        w->prob.ws, 0, NULL, NULL));
        CHECK(rel_output_matches_reference(&w->prob, q, label));
        expected[t] = malloc(w->prob.out_bytes);
        CHECK(expected[t]);
        memcpy(expected[t], w->prob.y, w->prob.out_bytes);
        w->expected = expected[t];
    }
    clReleaseCommandQueue(q);
    pthread_t *tids = calloc((size_t)g_threads, sizeof *tids);
    CHECK(tids);
    CHECK(pthread_barrier_init(&g_start, NULL, (unsigned)g_threads) == 0);
    for (int t = 0; t < g_threads; ++t)
        CHECK(pthread_create(&tids[t], NULL, forward_thread, &ws[t]) == 0);
    long runs = 0;
    for (int t = 0; t < g_threads; ++t) {
        CHECK(pthread_join(tids[t], NULL) == 0);
        if (ws[t].failure[0] || ws[t].mismatches || ws[t].runs != g_iterations) {
            fprintf(stderr, "%s: thread %d: %ld runs (every third packed), %ld results differing from the "
                    "single-threaded one%s%s\n", label, t, ws[t].runs, ws[t].mismatches,
                    ws[t].failure[0] ? "; " : "", ws[t].failure);
            exit(1);
        }
        runs += ws[t].runs;
        rel_problem_free(&ws[t].prob);
        clReleaseMemObject(ws[t].packed);
        free(expected[t]);
    }
    pthread_barrier_destroy(&g_start);
    free(tids), free(ws), free(expected);
    clgconv_plan_release(plan);
    return runs;
}

/* ---------------------------------------------------------------- concurrent plan creation */

#define PLAN_DESCS 5
static clgconv_conv2d_desc g_plan_descs[PLAN_DESCS];

typedef struct plan_worker {
    int id;
    clgconv_context *ctx;
    long plans;
    char failure[512];
} plan_worker;

static void *plan_thread(void *arg)
{
    plan_worker *w = arg;
    cl_command_queue q = rel_create_queue(w->ctx, 0);
    pthread_barrier_wait(&g_start);
    /* Every thread asks for the same programs, each in its own order. */
    for (int i = 0; i < PLAN_DESCS * CLGCONV_ALGO_COUNT_ && !w->failure[0]; ++i) {
        int k = (i + w->id * 7) % (PLAN_DESCS * CLGCONV_ALGO_COUNT_);
        const clgconv_conv2d_desc *d = &g_plan_descs[k % PLAN_DESCS];
        clgconv_algo algo = (clgconv_algo)(k / PLAN_DESCS);
        if (!rel_algo_enabled(algo)) continue;
        clgconv_plan *plan = NULL;
        clgconv_status st = clgconv_conv2d_plan_create(w->ctx, d, algo, &plan);
        if (st == CLGCONV_ERROR_UNSUPPORTED) continue;
        if (st != CLGCONV_SUCCESS) {
            snprintf(w->failure, sizeof w->failure, "plan_create(%s) returned %s: %s",
                     clgconv_algo_name(algo), clgconv_status_string(st), clgconv_last_error());
            break;
        }
        rel_problem p;
        rel_problem_init(&p, d, true, 77 + (uint64_t)k, g_cl_ctx);
        rel_problem_workspace(&p, plan);
        st = clgconv_conv2d_forward(plan, q, p.bx, p.bw, p.bb, p.by, p.ws, 0, NULL, NULL);
        if (st != CLGCONV_SUCCESS)
            snprintf(w->failure, sizeof w->failure, "forward(%s) returned %s: %s",
                     clgconv_algo_name(algo), clgconv_status_string(st), clgconv_last_error());
        else if (!rel_output_matches_reference(&p, q, clgconv_algo_name(algo)))
            snprintf(w->failure, sizeof w->failure, "%s: wrong result", clgconv_algo_name(algo));
        rel_problem_free(&p);
        clgconv_plan_release(plan);
        w->plans++;
    }
    clReleaseCommandQueue(q);
    return NULL;
}

static long test_concurrent_plan_creation(int rounds)
{
    long plans = 0;
    for (int round = 0; round < rounds; ++round) {
        long base = clgconv_testing_live_objects();
        clgconv_context *ctx = NULL; /* fresh: an empty program cache every round */
        cl_device_id dev;
        CHECK_OK(clgconv_context_get_cl(g_ctx, NULL, &dev));
        CHECK_OK(clgconv_context_create(g_cl_ctx, dev, &ctx));
        plan_worker *ws = calloc((size_t)g_threads, sizeof *ws);
        pthread_t *tids = calloc((size_t)g_threads, sizeof *tids);
        CHECK(ws && tids);
        CHECK(pthread_barrier_init(&g_start, NULL, (unsigned)g_threads) == 0);
        for (int t = 0; t < g_threads; ++t) {
            ws[t].id = t, ws[t].ctx = ctx;
            CHECK(pthread_create(&tids[t], NULL, plan_thread, &ws[t]) == 0);
        }
        for (int t = 0; t < g_threads; ++t) {
            CHECK(pthread_join(tids[t], NULL) == 0);
            if (ws[t].failure[0]) {
                fprintf(stderr, "concurrent plan creation, round %d, thread %d: %s\n", round, t,
                        ws[t].failure);
                exit(1);
            }
            plans += ws[t].plans;
        }
        pthread_barrier_destroy(&g_start);
        free(ws), free(tids);
        clgconv_context_release(ctx);
        CHECK(clgconv_testing_live_objects() == base);
    }
    return plans;
}

/* ---------------------------------------------------------------- concurrent forward_host */

#define HOST_DESCS 11 /* more than the host path caches (8): entries are evicted under contention */
static clgconv_conv2d_desc g_host_descs[HOST_DESCS];

typedef struct host_worker {
    int id;
    long calls;
    char failure[512];
} host_worker;

static void *host_thread(void *arg)
{
    host_worker *w = arg;
    pthread_barrier_wait(&g_start);
    for (int it = 0; it < g_iterations && !w->failure[0]; ++it) {
        int k = (it + w->id * 3) % HOST_DESCS;
        rel_problem p;
        rel_problem_init(&p, &g_host_descs[k], (it + w->id) % 2 == 0, 5000 + (uint64_t)(k * 31 + w->id), NULL);
        clgconv_status st = clgconv_conv2d_forward_host(g_ctx, &p.desc, p.x, p.w, p.b, p.y);
        if (st != CLGCONV_SUCCESS)
            snprintf(w->failure, sizeof w->failure, "forward_host returned %s: %s",
                     clgconv_status_string(st), clgconv_last_error());
        else if (!test_compare_with_reference(&p.desc, p.x, p.w, p.b, p.y, "forward_host", NULL))
            snprintf(w->failure, sizeof w->failure, "forward_host: wrong result (desc %d)", k);
        rel_problem_free(&p);
        w->calls++;
    }
    return NULL;
}

static long test_concurrent_forward_host(void)
{
    host_worker *ws = calloc((size_t)g_threads, sizeof *ws);
    pthread_t *tids = calloc((size_t)g_threads, sizeof *tids);
    CHECK(ws && tids);
    CHECK(pthread_barrier_init(&g_start, NULL, (unsigned)g_threads) == 0);
    for (int t = 0; t < g_threads; ++t) {
        ws[t].id = t;
        CHECK(pthread_create(&tids[t], NULL, host_thread, &ws[t]) == 0);
    }
    long calls = 0;
    for (int t = 0; t < g_threads; ++t) {
        CHECK(pthread_join(tids[t], NULL) == 0);
        if (ws[t].failure[0]) {
            fprintf(stderr, "concurrent forward_host, thread %d: %s\n", t, ws[t].failure);
            exit(1);
        }
        calls += ws[t].calls;
    }
    pthread_barrier_destroy(&g_start);
    free(ws), free(tids);
    return calls;
}

/* ---------------------------------------------------------------- contexts */

typedef struct context_worker {
    int id;
    cl_device_id dev;
    long contexts;
    char failure[512];
} context_worker;

/* Creates and releases contexts (wrapping the shared cl_context, and opening the default device)
   while the other threads do the same, planning and running one convolution on each. */
static void *context_thread(void *arg)
{
    context_worker *w = arg;
    pthread_barrier_wait(&g_start);
    for (int it = 0; it < 4 && !w->failure[0]; ++it) {
        clgconv_context *ctx = NULL;
        clgconv_status st = it % 2 ? clgconv_context_create_default(&ctx)
                                   : clgconv_context_create(g_cl_ctx, w->dev, &ctx);
        if (st != CLGCONV_SUCCESS) {
            snprintf(w->failure, sizeof w->failure, "context creation returned %s: %s",
                     clgconv_status_string(st), clgconv_last_error());
            break;
        }
        rel_problem p;
        rel_problem_init(&p, &g_host_descs[(w->id + it) % HOST_DESCS], true, 9 + (uint64_t)it, NULL);
        st = clgconv_conv2d_forward_host(ctx, &p.desc, p.x, p.w, p.b, p.y);
        if (st != CLGCONV_SUCCESS)
            snprintf(w->failure, sizeof w->failure, "forward_host returned %s: %s",
                     clgconv_status_string(st), clgconv_last_error());
        else if (!test_compare_with_reference(&p.desc, p.x, p.w, p.b, p.y, "new context", NULL))
            snprintf(w->failure, sizeof w->failure, "wrong result on a new context");
        rel_problem_free(&p);
        clgconv_context_release(ctx);
        w->contexts++;
    }
    return NULL;
}

static long test_concurrent_contexts(void)
{
    context_worker *ws = calloc((size_t)g_threads, sizeof *ws);
    pthread_t *tids = calloc((size_t)g_threads, sizeof *tids);
    CHECK(ws && tids);
    cl_device_id dev;
    CHECK_OK(clgconv_context_get_cl(g_ctx, NULL, &dev));
    CHECK(pthread_barrier_init(&g_start, NULL, (unsigned)g_threads) == 0);
    for (int t = 0; t < g_threads; ++t) {
        ws[t].id = t, ws[t].dev = dev;
        CHECK(pthread_create(&tids[t], NULL, context_thread, &ws[t]) == 0);
    }
    long n = 0;
    for (int t = 0; t < g_threads; ++t) {
        CHECK(pthread_join(tids[t], NULL) == 0);
        if (ws[t].failure[0]) {
            fprintf(stderr, "concurrent contexts, thread %d: %s\n", t, ws[t].failure);
            exit(1);
        }
        n += ws[t].contexts;
    }
    pthread_barrier_destroy(&g_start);
    free(ws), free(tids);
    return n;
}

/* A context released (by the main thread) while worker threads still run forward on plans made
   from it: the plans keep it alive (documented). */
static void test_context_released_under_use(const clgconv_conv2d_desc *desc)
{
    long base = clgconv_testing_live_objects();
    clgconv_context *ctx = NULL;
    cl_device_id dev;
    CHECK_OK(clgconv_context_get_cl(g_ctx, NULL, &dev));
    CHECK_OK(clgconv_context_create(g_cl_ctx, dev, &ctx));
    clgconv_plan *plan = NULL;
    CHECK_OK(clgconv_conv2d_plan_create(ctx, desc, CLGCONV_ALGO_AUTO, &plan));
    forward_worker *ws = calloc((size_t)g_threads, sizeof *ws);
    float **expected = calloc((size_t)g_threads, sizeof *expected);
    pthread_t *tids = calloc((size_t)g_threads, sizeof *tids);
    CHECK(ws && expected && tids);
    cl_command_queue q = rel_create_queue(g_ctx, 0);
    for (int t = 0; t < g_threads; ++t) {
        rel_problem_init(&ws[t].prob, desc, true, 300 + (uint64_t)t, g_cl_ctx);
        rel_problem_workspace(&ws[t].prob, plan);
        ws[t].packed = packed_buffer(plan);
        CHECK_OK(clgconv_conv2d_forward(plan, q, ws[t].prob.bx, ws[t].prob.bw, ws[t].prob.bb,
                                        ws[t].prob.by, ws[t].prob.ws, 0, NULL, NULL));
        CHECK(rel_output_matches_reference(&ws[t].prob, q, "context released under use"));
        expected[t] = malloc(ws[t].prob.out_bytes);
        CHECK(expected[t]);
        memcpy(expected[t], ws[t].prob.y, ws[t].prob.out_bytes);
        ws[t].expected = expected[t], ws[t].plan = plan, ws[t].id = t;
    }
    clReleaseCommandQueue(q);
    /* The workers' queues come from g_ctx's device, so g_ctx (not ctx) lends them. */
    CHECK(pthread_barrier_init(&g_start, NULL, (unsigned)g_threads + 1) == 0);
    for (int t = 0; t < g_threads; ++t)
        CHECK(pthread_create(&tids[t], NULL, forward_thread, &ws[t]) == 0);
    pthread_barrier_wait(&g_start);
    clgconv_context_release(ctx);
    for (int t = 0; t < g_threads; ++t) {
        CHECK(pthread_join(tids[t], NULL) == 0);
        if (ws[t].failure[0] || ws[t].mismatches || ws[t].runs != g_iterations) {
            fprintf(stderr, "context released under use: thread %d: %ld runs, %ld mismatches %s\n",
                    t, ws[t].runs, ws[t].mismatches, ws[t].failure);
            exit(1);
        }
        rel_problem_free(&ws[t].prob);
        clReleaseMemObject(ws[t].packed);
        free(expected[t]);
    }
    pthread_barrier_destroy(&g_start);
    clgconv_plan_release(plan); /* the last reference: the context goes now */
    free(ws), free(expected), free(tids);
    CHECK(clgconv_testing_live_objects() == base);
}

/* ---------------------------------------------------------------- main */

static void make_descs(void)
{
    test_rng r;
    test_rng_seed(&r, 4242);
    for (int i = 0; i < HOST_DESCS; ++i) rel_random_valid_desc(&r, &g_host_descs[i]);
    clgconv_conv2d_desc *d = &g_plan_descs[0];
    clgconv_conv2d_desc_init(d);
    d->batch = 2, d->in_channels = 8, d->in_height = 9, d->in_width = 7, d->out_channels = 12;
    d->groups = 4, d->kernel_h = d->kernel_w = 3, d->pad_top = d->pad_left = 1;
    d->pad_bottom = d->pad_right = 1;
    /* NHWC with 8 channels per group: TILED and GEMM pack these weights for real */
    g_plan_descs[1] = *d, g_plan_descs[1].layout = CLGCONV_LAYOUT_NHWC;
    g_plan_descs[1].in_channels = g_plan_descs[1].out_channels = 16, g_plan_descs[1].groups = 2;
    d = &g_plan_descs[2]; /* depthwise with a multiplier and stride */
    clgconv_conv2d_desc_init(d);
    d->batch = 1, d->in_channels = 6, d->in_height = 13, d->in_width = 12, d->out_channels = 12;
    d->groups = 6, d->kernel_h = d->kernel_w = 3, d->stride_h = d->stride_w = 2;
    d->pad_top = d->pad_left = 1, d->output_min = 0, d->output_max = 6;
    d = &g_plan_descs[3]; /* dense 1x1 */
    clgconv_conv2d_desc_init(d);
    d->batch = 1, d->in_channels = 16, d->in_height = 7, d->in_width = 7, d->out_channels = 24;
    d->kernel_h = d->kernel_w = 1, d->output_min = 0;
    d = &g_plan_descs[4]; /* dilated, asymmetric padding */
    clgconv_conv2d_desc_init(d);
    d->batch = 1, d->in_channels = 4, d->in_height = 10, d->in_width = 11, d->out_channels = 4;
    d->groups = 2, d->kernel_h = 3, d->kernel_w = 2, d->dilation_h = 2, d->pad_top = 2;
    d->pad_right = 1;
}

int main(void)
{
    g_threads = env_int("CLGCONV_TEST_THREADS", 4, 2, 64);
    g_iterations = env_int("CLGCONV_TEST_ITERATIONS", 24, 1, 100000);
    long base = clgconv_testing_live_objects();
    g_ctx = test_open_context(NULL);
    CHECK_OK(clgconv_context_get_cl(g_ctx, &g_cl_ctx, NULL));
    printf("device: %s; %d threads, %d iterations each\n", clgconv_context_device_name(g_ctx),
           g_threads, g_iterations);
    make_descs();
    double t0 = now_seconds();

    long forwards = 0;
    /* Every algorithm on a grouped shape in both layouts and a depthwise one (the others are
       used by the plan creation part). */
    static const int shared_descs[] = {0, 1, 2};
    for (int a = 0; a < CLGCONV_ALGO_COUNT_; ++a)
        for (int j = 0; j < 3 && rel_algo_enabled((clgconv_algo)a); ++j) {
            int i = shared_descs[j];
            char label[80];
            snprintf(label, sizeof label, "shared plan %s desc %d", clgconv_algo_name((clgconv_algo)a), i);
            long n = test_shared_plan(&g_plan_descs[i], (clgconv_algo)a, label);
            forwards += n;
            if (n) printf("%-9s shared plan, desc %d: %ld concurrent forwards, bit-exact (%.1f s)\n",
                          clgconv_algo_name((clgconv_algo)a), i, n, now_seconds() - t0);
        }
    CHECK(forwards > 0);
    long plans = test_concurrent_plan_creation(2);
    printf("concurrent plan creation: %ld plans on fresh contexts, all correct (%.1f s)\n", plans,
           now_seconds() - t0);
    long host = test_concurrent_forward_host();
    printf("concurrent forward_host: %ld calls over %d shapes, all correct (%.1f s)\n", host,
           HOST_DESCS, now_seconds() - t0);
    long ctxs = test_concurrent_contexts();
    printf("concurrent context creation: %ld contexts\n", ctxs);
    test_context_released_under_use(&g_plan_descs[0]);
    printf("context released while %d threads ran its plan: correct\n", g_threads);
    clgconv_context_release(g_ctx);
    CHECK(clgconv_testing_live_objects() == base);
    printf("concurrency: %ld shared-plan forwards, %ld plans, %ld host calls, %d threads\n",
           forwards, plans, host, g_threads);
    return 0;
}
