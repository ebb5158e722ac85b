/* test_soak.c: thousands of plan create / forward / release cycles with random valid shapes and random invalid ones interleaved; every result verified, OpenCL objects back to the baseline, resident memory flat (reported at start, middle and end). */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#include "rel_util.h"

#include <string.h>
#include <time.h>

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define SOAK_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define SOAK_SANITIZED 1
#endif
#endif
#ifndef SOAK_SANITIZED
#define SOAK_SANITIZED 0
#endif

/* Shapes are drawn from a pool so that per-shape kernels (compiled once per shape by some
   algorithms) are built during the warm-up, and the measured part is the steady state. */
#define POOL 16

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

typedef struct soak_counts {
    long valid, invalid, unsupported, device_runs, host_runs;
} soak_counts;

/* One cycle on a valid shape: a plan with a random algorithm, a forward on fresh buffers (or a
   forward_host), the result checked against the reference. */
static void valid_cycle(clgconv_context *ctx, cl_command_queue q, const clgconv_conv2d_desc *d,
                        test_rng *r, long cycle, soak_counts *n)
{
    rel_problem p;
    cl_context c;
    CHECK_OK(clgconv_context_get_cl(ctx, &c, NULL));
    bool host = test_rng_int(r, 0, 4) == 0;
    rel_problem_init(&p, d, test_rng_int(r, 0, 1) == 1, (uint64_t)cycle, host ? NULL : c);
    char label[300], desc_text[200];
    test_desc_str(d, desc_text, sizeof desc_text);
    if (host) {
        rel_fill_sentinel(p.y, p.out_bytes / 4);
        snprintf(label, sizeof label, "cycle %ld forward_host %s", cycle, desc_text);
        CHECK_OK(clgconv_conv2d_forward_host(ctx, d, p.x, p.w, p.b, p.y));
        if (!test_compare_with_reference(d, p.x, p.w, p.b, p.y, label, NULL)) exit(1);
        n->host_runs++;
    } else {
        clgconv_algo algo = (clgconv_algo)test_rng_int(r, 0, CLGCONV_ALGO_COUNT_ - 1);
        if (!rel_algo_enabled(algo)) algo = CLGCONV_ALGO_DIRECT;
        clgconv_plan *plan = NULL;
        clgconv_status st = clgconv_conv2d_plan_create(ctx, d, algo, &plan);
        if (st == CLGCONV_ERROR_UNSUPPORTED && algo != CLGCONV_ALGO_AUTO) {
            CHECK(plan == NULL);
            n->unsupported++;
        } else {
            CHECK_OK(st);
            rel_problem_workspace(&p, plan);
            rel_fill_output_sentinel(&p, q);
            cl_event ev = NULL;
            CHECK_OK(clgconv_conv2d_forward(plan, q, p.bx, p.bw, p.bb, p.by, p.ws, 0, NULL, &ev));
            CHECK(ev != NULL && clWaitForEvents(1, &ev) == CL_SUCCESS);
            clReleaseEvent(ev);
            snprintf(label, sizeof label, "cycle %ld %s %s", cycle, clgconv_algo_name(algo),
                     desc_text);
            if (!rel_output_matches_reference(&p, q, label)) exit(1);
            clgconv_plan_release(plan);
            n->device_runs++;
        }
    }
    rel_problem_free(&p);
    n->valid++;
}

/* One cycle on an invalid shape: every entry point refuses it with INVALID_ARGUMENT, creates
   nothing and writes nothing. */
static void invalid_cycle(clgconv_context *ctx, test_rng *r, long cycle, soak_counts *n)
{
    clgconv_conv2d_desc d;
    const char *what = "";
    rel_random_invalid_desc(r, &d, &what);
    long live = clgconv_testing_live_objects();
    int oh = -7, ow = -7;
    clgconv_status st = clgconv_conv2d_output_size(&d, &oh, &ow);
    if (st != CLGCONV_ERROR_INVALID_ARGUMENT || oh != -7 || ow != -7 || !clgconv_last_error()[0]) {
        fprintf(stderr, "cycle %ld: output_size accepted a descriptor with %s (%s)\n", cycle, what,
                clgconv_status_string(st));
        exit(1);
    }
    clgconv_algo algo = (clgconv_algo)test_rng_int(r, 0, CLGCONV_ALGO_COUNT_ - 1);
    clgconv_plan *plan = (clgconv_plan *)&d;
    st = clgconv_conv2d_plan_create(ctx, &d, algo, &plan);
    if (st != CLGCONV_ERROR_INVALID_ARGUMENT || plan != NULL) {
        fprintf(stderr, "cycle %ld: plan_create(%s) on a descriptor with %s returned %s\n", cycle,
                clgconv_algo_name(algo), what, clgconv_status_string(st));
        exit(1);
    }
    float x[64] = {0}, w[64] = {0}, y[64];
    rel_fill_sentinel(y, 64);
    st = clgconv_conv2d_forward_host(ctx, &d, x, w, NULL, y);
    if (st != CLGCONV_ERROR_INVALID_ARGUMENT || !rel_is_sentinel(y, 64)) {
        fprintf(stderr, "cycle %ld: forward_host on a descriptor with %s returned %s%s\n", cycle,
                what, clgconv_status_string(st),
                rel_is_sentinel(y, 64) ? "" : " and wrote the output");
        exit(1);
    }
    CHECK(clgconv_testing_live_objects() == live);
    n->invalid++;
}

int main(void)
{
    const char *env = getenv("CLGCONV_SOAK_CYCLES");
    long cycles = env && *env ? atol(env) : 20000;
    if (cycles < 100) cycles = 100;
    long base = clgconv_testing_live_objects();
    cl_command_queue q;
    clgconv_context *ctx = test_open_context(&q);
    printf("device: %s; %ld cycles\n", clgconv_context_device_name(ctx), cycles);

    test_rng r;
    test_rng_seed(&r, 20261125);
    clgconv_conv2d_desc pool[POOL];
    for (int i = 0; i < POOL; ++i) rel_random_valid_desc(&r, &pool[i]);

    soak_counts n = {0};
    double t0 = now_seconds();
    /* Warm-up: every pool shape once with every algorithm, so that what follows only reuses
       cached programs and compiled kernels. */
    for (int i = 0; i < POOL; ++i)
        for (int a = 0; a < CLGCONV_ALGO_COUNT_; ++a) {
            if (!rel_algo_enabled((clgconv_algo)a)) continue;
            clgconv_plan *plan = NULL;
            if (clgconv_conv2d_plan_create(ctx, &pool[i], (clgconv_algo)a, &plan) != CLGCONV_SUCCESS)
                continue;
            rel_problem p;
            rel_problem_init(&p, &pool[i], true, (uint64_t)i, NULL);
            cl_context c;
            CHECK_OK(clgconv_context_get_cl(ctx, &c, NULL));
            rel_problem_free(&p);
            rel_problem_init(&p, &pool[i], true, (uint64_t)i, c);
            rel_problem_workspace(&p, plan);
            CHECK_OK(clgconv_conv2d_forward(plan, q, p.bx, p.bw, p.bb, p.by, p.ws, 0, NULL, NULL));
            CHECK(clFinish(q) == CL_SUCCESS);
            rel_problem_free(&p);
            clgconv_plan_release(plan);
        }
    double t_warm = now_seconds() - t0;
    long live_warm = clgconv_testing_live_objects();
    long rss_start = rel_rss_kib(), rss_mid = 0;
    t0 = now_seconds();
    for (long cycle = 0; cycle < cycles; ++cycle) {
        if (test_rng_int(&r, 0, 3) == 0)
            invalid_cycle(ctx, &r, cycle, &n);
        else
            valid_cycle(ctx, q, &pool[test_rng_int(&r, 0, POOL - 1)], &r, cycle, &n);
        if (cycle == cycles / 2) rss_mid = rel_rss_kib();
        /* Plans and buffers made in a cycle are gone at its end; the host path keeps at most its
           cache of plans per context, so the count may only vary within that. */
        long live = clgconv_testing_live_objects();
        if (live > live_warm + 64) {
            fprintf(stderr, "cycle %ld: %ld live OpenCL objects, %ld after the warm-up\n", cycle,
                    live, live_warm);
            return 1;
        }
    }
    double t_run = now_seconds() - t0;
    long rss_end = rel_rss_kib();
    clReleaseCommandQueue(q);
    clgconv_context_release(ctx);
    long live_end = clgconv_testing_live_objects();
    printf("soak: %ld cycles in %.1f s (warm-up %.1f s): %ld valid (%ld device runs, %ld "
           "forward_host, %ld unsupported), %ld invalid; all results verified\n",
           cycles, t_run, t_warm, n.valid, n.device_runs, n.host_runs, n.unsupported, n.invalid);
    printf("RSS: %ld KiB after the warm-up, %ld KiB at the middle, %ld KiB at the end; live "
           "OpenCL objects %ld at the start, %ld at the end\n",
           rss_start, rss_mid, rss_end, base, live_end);
    CHECK(live_end == base);
    CHECK(n.device_runs > 0 && n.host_runs > 0 && n.invalid > 0);
    /* Flat: the second half may not grow by more than 4 MiB (allocator noise). Sanitizers keep
       freed memory in quarantine, so there the numbers are reported, not judged (LeakSanitizer
       judges leaks instead). */
    long growth = rss_end - rss_mid;
    if (!SOAK_SANITIZED && rss_mid > 0 && growth > 4096) {
        fprintf(stderr, "RSS grew by %ld KiB over the second half of the soak\n", growth);
        return 1;
    }
    return 0;
}
