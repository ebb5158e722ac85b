/* test_fault_injection.c: makes every OpenCL call the library makes fail in turn (context creation, plan creation for every algorithm, forward, forward_host) and checks the status, the message, the cleanup, the untouched outputs and that the next call succeeds. */
#define _POSIX_C_SOURCE 200809L /* mkdtemp, setenv, clock_gettime */
#include "rel_util.h"

#include <string.h>
#include <time.h>
#include <unistd.h>

/* ---------------------------------------------------------------- bookkeeping */

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

typedef struct call_tally {
    const char *name;
    long injected;  /* cases whose injected failure came back as an error status */
    long recovered; /* cases the library recovered from by itself (verified correct) */
} call_tally;

static call_tally g_tally[64];
static int g_tally_count;
static long g_cases;

static call_tally *tally_for(const char *name)
{
    for (int i = 0; i < g_tally_count; ++i)
        if (strcmp(g_tally[i].name, name) == 0) return &g_tally[i];
    CHECK(g_tally_count < (int)(sizeof g_tally / sizeof g_tally[0]));
    g_tally[g_tally_count].name = name;
    return &g_tally[g_tally_count++];
}

/* The shared OpenCL objects: every clgconv context of this test wraps g_cl_ctx / g_dev so one
   queue (created with plain OpenCL, not counted) serves them all. */
static cl_context g_cl_ctx;
static cl_device_id g_dev;
static cl_command_queue g_q;

/* ---------------------------------------------------------------- the on-disk program cache */

static char g_tmp_root[1024];
static char g_warm_cache[1100];

/* Points the library's binary cache at a fresh empty directory (so every program is built from
   source and stored) or at the shared warm one (so programs load from binaries). */
static void use_fresh_cache(void)
{
    char dir[1100];
    snprintf(dir, sizeof dir, "%s/fresh", g_tmp_root);
    test_remove_dir(dir);
    setenv("CLGCONV_CACHE_DIR", dir, 1);
}
static void use_warm_cache(void) { setenv("CLGCONV_CACHE_DIR", g_warm_cache, 1); }

/* ---------------------------------------------------------------- checks shared by all cases */

/* The status the contract promises when call fails with err. */
static clgconv_status expected_status(const char *call, cl_int err)
{
    if (strcmp(call, "clBuildProgram") == 0 && err == CL_BUILD_PROGRAM_FAILURE)
        return CLGCONV_ERROR_BUILD_FAILED;
    if (err == CL_OUT_OF_HOST_MEMORY || err == CL_MEM_OBJECT_ALLOCATION_FAILURE ||
        (err == CL_OUT_OF_RESOURCES && strcmp(call, "clCreateBuffer") == 0))
        return CLGCONV_ERROR_OUT_OF_MEMORY;
    return CLGCONV_ERROR_OPENCL;
}

/* Checks one injected case whose call returned st. discovery: the failure happened while
   clgconv_context_create_default looked for a device, where NO_DEVICE is also right. Returns
   true when the library reported the failure (false when it recovered by itself: SUCCESS, which
   the caller must then verify). */
static bool check_injected(const char *scenario, long n, cl_int err, const char *injected,
                           clgconv_status st, bool discovery)
{
    ++g_cases;
    call_tally *t = tally_for(injected);
    if (st == CLGCONV_SUCCESS) {
        t->recovered++;
        return false;
    }
    t->injected++;
    clgconv_status want = expected_status(injected, err);
    const char *msg = clgconv_last_error();
    bool status_ok = st == want || (discovery && st == CLGCONV_ERROR_NO_DEVICE);
    bool names_call = strstr(msg, injected) != NULL;
    bool names_error = strstr(msg, rel_cl_error_name(err)) != NULL;
    if (!status_ok || !names_call || !names_error) {
        fprintf(stderr,
                "%s: call #%ld (%s) failing with %s: got %s (want %s)%s%s\n  message: %s\n",
                scenario, n, injected, rel_cl_error_name(err), clgconv_status_string(st),
                clgconv_status_string(want), names_call ? "" : "; message lacks the call",
                names_error ? "" : "; message lacks the cl error", msg);
        exit(1);
    }
    return true;
}

static void check_live(const char *scenario, long n, const char *injected, long want)
{
    long live = clgconv_testing_live_objects();
    if (live != want) {
        fprintf(stderr, "%s: after call #%ld (%s) failed: %ld live OpenCL objects, want %ld\n",
                scenario, n, injected, live, want);
        exit(1);
    }
}

/* Arms the injection, evaluates expr into st, disarms; injected receives the failed call. */
#define INJECTED(n, err, st, injected, expr)                                                    \
    do {                                                                                        \
        clgconv_testing_fail_call((n), (err));                                                  \
        (st) = (expr);                                                                          \
        (injected) = clgconv_testing_injected_call();                                           \
        clgconv_testing_fail_call(-1, 0);                                                       \
    } while (0)

/* Runs case_fn for every call index until an index past the last call, each with
   CL_OUT_OF_RESOURCES; the first call of each OpenCL function in the operation also fails with
   CL_OUT_OF_HOST_MEMORY (an allocation failure: OUT_OF_MEMORY) and, where they fit, the failures
   real drivers give there (a build failure, a buffer allocation failure, invalid kernel
   arguments). Returns the number of OpenCL calls of the uninjected operation. */
typedef const char *(*case_fn)(void *arg, long n, cl_int err);
static long for_every_call(case_fn fn, void *arg)
{
    const char *seen[64];
    int nseen = 0;
    for (long n = 0;; ++n) {
        const char *injected = fn(arg, n, CL_OUT_OF_RESOURCES);
        if (!*injected) return n;
        bool first = true;
        for (int i = 0; i < nseen && first; ++i) first = strcmp(seen[i], injected) != 0;
        if (first) {
            if (nseen < 64) seen[nseen++] = injected;
            fn(arg, n, CL_OUT_OF_HOST_MEMORY);
            if (strcmp(injected, "clBuildProgram") == 0) fn(arg, n, CL_BUILD_PROGRAM_FAILURE);
            if (strcmp(injected, "clCreateBuffer") == 0)
                fn(arg, n, CL_MEM_OBJECT_ALLOCATION_FAILURE);
            if (strcmp(injected, "clEnqueueNDRangeKernel") == 0) fn(arg, n, CL_INVALID_KERNEL_ARGS);
        }
        CHECK(n < 100000); /* an operation that never stops making calls is a bug */
    }
}

/* ---------------------------------------------------------------- the problems run */

static clgconv_conv2d_desc g_descs[3];
static const char *g_desc_names[3] = {"grouped NCHW", "depthwise NHWC s2 relu6", "dense 1x1"};
static rel_problem g_problems[3];

static void make_descs(void)
{
    clgconv_conv2d_desc *d = &g_descs[0];
    clgconv_conv2d_desc_init(d);
    d->batch = 2, d->in_channels = 8, d->in_height = 9, d->in_width = 7, d->out_channels = 12;
    d->groups = 4, d->kernel_h = d->kernel_w = 3;
    d->pad_top = d->pad_left = d->pad_bottom = d->pad_right = 1;

    d = &g_descs[1];
    clgconv_conv2d_desc_init(d);
    d->batch = 1, d->in_channels = 8, d->in_height = 11, d->in_width = 10, d->out_channels = 16;
    d->groups = 8, d->kernel_h = d->kernel_w = 3, d->stride_h = d->stride_w = 2;
    d->pad_top = d->pad_left = 1, d->pad_bottom = d->pad_right = 0;
    d->output_min = 0, d->output_max = 6, d->layout = CLGCONV_LAYOUT_NHWC;

    d = &g_descs[2];
    clgconv_conv2d_desc_init(d);
    d->batch = 1, d->in_channels = 16, d->in_height = 6, d->in_width = 5, d->out_channels = 8;
    d->kernel_h = d->kernel_w = 1;
}

/* Runs problem p with plan on g_q (uninjected) and checks the result against the reference. */
static void run_and_verify(const clgconv_plan *plan, rel_problem *p, const char *label)
{
    rel_problem_workspace(p, plan);
    rel_fill_output_sentinel(p, g_q);
    CHECK_OK(clgconv_conv2d_forward(plan, g_q, p->bx, p->bw, p->bb, p->by, p->ws, 0, NULL, NULL));
    CHECK(rel_output_matches_reference(p, g_q, label));
}

/* A fresh clgconv context on the shared OpenCL context (uninjected). */
static clgconv_context *new_context(void)
{
    clgconv_context *ctx = NULL;
    CHECK_OK(clgconv_context_create(g_cl_ctx, g_dev, &ctx));
    return ctx;
}

/* A context proves usable: a plan, a forward and a forward_host on it give correct results. */
static void verify_context_usable(clgconv_context *ctx, const char *label)
{
    rel_problem *p = &g_problems[0];
    clgconv_plan *plan = NULL;
    CHECK_OK(clgconv_conv2d_plan_create(ctx, &p->desc, CLGCONV_ALGO_AUTO, &plan));
    run_and_verify(plan, p, label);
    clgconv_plan_release(plan);
    CHECK_OK(clgconv_conv2d_forward_host(ctx, &p->desc, p->x, p->w, p->b, p->y));
    CHECK(test_compare_with_reference(&p->desc, p->x, p->w, p->b, p->y, label, NULL));
}

/* ---------------------------------------------------------------- context creation */

static const char *case_context_create(void *arg, long n, cl_int err)
{
    (void)arg;
    long base = clgconv_testing_live_objects();
    clgconv_context *ctx = (clgconv_context *)&g_cl_ctx; /* must be overwritten with NULL */
    clgconv_status st;
    const char *injected;
    INJECTED(n, err, st, injected, clgconv_context_create(g_cl_ctx, g_dev, &ctx));
    if (!*injected) { /* past the last call: the plain success */
        CHECK_OK(st);
        verify_context_usable(ctx, "context_create");
        clgconv_context_release(ctx);
        check_live("context_create", n, "(none)", base);
        return injected;
    }
    if (check_injected("context_create", n, err, injected, st, false)) {
        CHECK(ctx == NULL);
        check_live("context_create", n, injected, base);
        ctx = new_context(); /* the next call succeeds */
    }
    verify_context_usable(ctx, "context_create after an injected failure");
    clgconv_context_release(ctx);
    check_live("context_create", n, injected, base);
    return injected;
}

typedef struct default_state {
    bool past_context; /* the injected calls have reached clCreateContext */
} default_state;

static const char *case_context_create_default(void *arg, long n, cl_int err)
{
    default_state *ds = arg;
    long base = clgconv_testing_live_objects();
    clgconv_context *ctx = (clgconv_context *)&g_cl_ctx;
    clgconv_status st;
    const char *injected;
    INJECTED(n, err, st, injected, clgconv_context_create_default(&ctx));
    if (!*injected) {
        CHECK_OK(st);
        clgconv_context_release(ctx);
        check_live("context_create_default", n, "(none)", base);
        return injected;
    }
    /* Device discovery ends with clCreateContext; NO_DEVICE is the documented answer there. */
    bool is_create = strcmp(injected, "clCreateContext") == 0;
    bool discovery = !ds->past_context || is_create;
    if (is_create) ds->past_context = true;
    if (check_injected("context_create_default", n, err, injected, st, discovery)) {
        CHECK(ctx == NULL);
        check_live("context_create_default", n, injected, base);
        CHECK_OK(clgconv_context_create_default(&ctx));
    }
    clgconv_context_release(ctx);
    check_live("context_create_default", n, injected, base);
    return injected;
}

/* ---------------------------------------------------------------- plan creation */

typedef struct plan_state {
    clgconv_algo algo;
    int desc;
    clgconv_context *ctx; /* NULL: each case creates a fresh context (cold program cache) */
    bool fresh_disk_cache;
    char label[160];
} plan_state;

static const char *case_plan_create(void *arg, long n, cl_int err)
{
    plan_state *ps = arg;
    rel_problem *p = &g_problems[ps->desc];
    long base = clgconv_testing_live_objects();
    if (ps->fresh_disk_cache) use_fresh_cache();
    clgconv_context *ctx = ps->ctx ? ps->ctx : new_context();
    long base_ctx = clgconv_testing_live_objects();
    clgconv_plan *plan = (clgconv_plan *)&g_cl_ctx;
    clgconv_status st;
    const char *injected;
    INJECTED(n, err, st, injected, clgconv_conv2d_plan_create(ctx, &p->desc, ps->algo, &plan));
    if (!*injected) {
        CHECK_OK(st);
    } else if (check_injected(ps->label, n, err, injected, st, false)) {
        CHECK(plan == NULL);
        /* A warm context holds exactly what it held; a cold one may keep programs it built. */
        if (ps->ctx) check_live(ps->label, n, injected, base_ctx);
        CHECK_OK(clgconv_conv2d_plan_create(ctx, &p->desc, ps->algo, &plan));
    }
    run_and_verify(plan, p, ps->label);
    clgconv_plan_release(plan);
    if (!ps->ctx) clgconv_context_release(ctx);
    check_live(ps->label, n, *injected ? injected : "(none)", base);
    return injected;
}

/* ---------------------------------------------------------------- forward */

/* After a forward call failed at injected call #n: once the queue drains, the output buffer
   still holds its sentinel and the library's live objects are back to base. */
static void expect_failed_forward_clean(const char *label, long n, const char *injected,
                                        rel_problem *p, long base)
{
    CHECK(clFinish(g_q) == CL_SUCCESS);
    if (!rel_output_is_sentinel(p, g_q)) {
        fprintf(stderr, "%s: call #%ld (%s) failed but the output buffer was written\n", label,
                n, injected);
        exit(1);
    }
    check_live(label, n, injected, base);
}

typedef struct forward_state {
    const clgconv_plan *plan;
    int desc;
    bool with_event, with_wait_list;
    char label[160];
} forward_state;

static const char *case_forward(void *arg, long n, cl_int err)
{
    forward_state *fs = arg;
    rel_problem *p = &g_problems[fs->desc];
    rel_problem_workspace(p, fs->plan);
    rel_fill_output_sentinel(p, g_q);
    cl_event wait = NULL;
    cl_int e;
    if (fs->with_wait_list) { /* a completed user event: the wait list must be honoured, not kept */
        wait = clCreateUserEvent(g_cl_ctx, &e);
        CHECK(wait != NULL);
        CHECK(clSetUserEventStatus(wait, CL_COMPLETE) == CL_SUCCESS);
    }
    long base = clgconv_testing_live_objects();
    cl_event ev = (cl_event)&g_cl_ctx, *evp = fs->with_event ? &ev : NULL;
    clgconv_status st;
    const char *injected;
    INJECTED(n, err, st, injected,
             clgconv_conv2d_forward(fs->plan, g_q, p->bx, p->bw, p->bb, p->by, p->ws,
                                    wait ? 1 : 0, wait ? &wait : NULL, evp));
    bool failed = *injected && check_injected(fs->label, n, err, injected, st, false);
    if (!*injected) CHECK_OK(st);
    if (failed) {
        if (evp) CHECK(ev == NULL);
        expect_failed_forward_clean(fs->label, n, injected, p, base);
        ev = (cl_event)&g_cl_ctx;
        CHECK_OK(clgconv_conv2d_forward(fs->plan, g_q, p->bx, p->bw, p->bb, p->by, p->ws,
                                        wait ? 1 : 0, wait ? &wait : NULL, evp));
    }
    if (evp) {
        CHECK(ev != NULL);
        CHECK(clWaitForEvents(1, &ev) == CL_SUCCESS);
        CHECK(clReleaseEvent(ev) == CL_SUCCESS);
    }
    CHECK(rel_output_matches_reference(p, g_q, fs->label));
    if (wait) clReleaseEvent(wait);
    check_live(fs->label, n, *injected ? injected : "(none)", base);
    return injected;
}

/* ---------------------------------------------------------------- packed weights */

/* pack_weights into packed (event out), then forward_packed waiting for it; the first failure's
   status (nothing after it is called). */
static clgconv_status pack_then_forward(const clgconv_plan *plan, rel_problem *p, cl_mem packed,
                                        cl_event *evp)
{
    cl_event packed_ev = NULL;
    *evp = NULL; /* forward_packed sets it again; stays NULL when the packing fails */
    clgconv_status st =
        clgconv_conv2d_pack_weights(plan, g_q, p->bw, packed, 0, NULL, &packed_ev);
    if (st != CLGCONV_SUCCESS) {
        CHECK(packed_ev == NULL);
        return st;
    }
    st = clgconv_conv2d_forward_packed(plan, g_q, p->bx, packed, p->bb, p->by, p->ws, 1,
                                       &packed_ev, evp);
    CHECK(clReleaseEvent(packed_ev) == CL_SUCCESS);
    return st;
}

/* Every OpenCL call of packing + forward_packed failing in turn: the failing call returns the
   error, the output stays untouched, nothing leaks; then the same sequence works. */
static const char *case_packed(void *arg, long n, cl_int err)
{
    forward_state *fs = arg;
    rel_problem *p = &g_problems[fs->desc];
    rel_problem_workspace(p, fs->plan); /* at least the packed workspace */
    rel_fill_output_sentinel(p, g_q);
    cl_int e;
    cl_mem packed = clCreateBuffer(g_cl_ctx, CL_MEM_READ_WRITE,
                                   clgconv_plan_packed_weights_size(fs->plan), NULL, &e);
    CHECK(packed != NULL);
    long base = clgconv_testing_live_objects();
    cl_event ev = (cl_event)&g_cl_ctx;
    clgconv_status st;
    const char *injected;
    INJECTED(n, err, st, injected, pack_then_forward(fs->plan, p, packed, &ev));
    bool failed = *injected && check_injected(fs->label, n, err, injected, st, false);
    if (!*injected) CHECK_OK(st);
    if (failed) {
        CHECK(ev == NULL);
        expect_failed_forward_clean(fs->label, n, injected, p, base);
        CHECK_OK(pack_then_forward(fs->plan, p, packed, &ev));
    }
    CHECK(ev != NULL);
    CHECK(clWaitForEvents(1, &ev) == CL_SUCCESS);
    CHECK(clReleaseEvent(ev) == CL_SUCCESS);
    CHECK(rel_output_matches_reference(p, g_q, fs->label));
    check_live(fs->label, n, *injected ? injected : "(none)", base);
    clReleaseMemObject(packed);
    return injected;
}

/* ---------------------------------------------------------------- forward_host */

typedef struct host_state {
    clgconv_context *ctx; /* NULL: a fresh context per case (queue, plan and buffers created) */
    int desc;
    char label[160];
} host_state;

static const char *case_forward_host(void *arg, long n, cl_int err)
{
    host_state *hs = arg;
    rel_problem *p = &g_problems[hs->desc];
    long base = clgconv_testing_live_objects();
    clgconv_context *ctx = hs->ctx ? hs->ctx : new_context();
    long base_ctx = clgconv_testing_live_objects();
    rel_fill_sentinel(p->y, p->out_bytes / 4);
    clgconv_status st;
    const char *injected;
    INJECTED(n, err, st, injected,
             clgconv_conv2d_forward_host(ctx, &p->desc, p->x, p->w, p->b, p->y));
    if (!*injected) {
        CHECK_OK(st);
    } else if (check_injected(hs->label, n, err, injected, st, false)) {
        if (!rel_is_sentinel(p->y, p->out_bytes / 4)) {
            fprintf(stderr, "%s: call #%ld (%s) failed but the output array was written\n",
                    hs->label, n, injected);
            exit(1);
        }
        if (hs->ctx) check_live(hs->label, n, injected, base_ctx);
        CHECK_OK(clgconv_conv2d_forward_host(ctx, &p->desc, p->x, p->w, p->b, p->y));
    }
    CHECK(test_compare_with_reference(&p->desc, p->x, p->w, p->b, p->y, hs->label, NULL));
    if (!hs->ctx) {
        clgconv_context_release(ctx);
        check_live(hs->label, n, *injected ? injected : "(none)", base);
    } else {
        check_live(hs->label, n, *injected ? injected : "(none)", base_ctx);
    }
    return injected;
}

/* ---------------------------------------------------------------- main */

/* The calls each family of the issue must have failed at least once for the test to count. */
static const char *const g_required_calls[] = {
    "clGetContextInfo",      "clGetDeviceInfo",        "clGetPlatformInfo",
    "clGetPlatformIDs",      "clGetDeviceIDs",         "clCreateContext",
    "clRetainContext",       "clCreateCommandQueue",   "clCreateProgramWithSource",
    "clBuildProgram",        "clCreateKernel",         "clGetKernelWorkGroupInfo",
    "clSetKernelArg",        "clEnqueueNDRangeKernel", "clCreateBuffer",
    "clEnqueueWriteBuffer",  "clEnqueueReadBuffer",    "clGetMemObjectInfo",
    "clGetCommandQueueInfo",
};

int main(void)
{
    clgconv_context *main_ctx = test_open_context(NULL);
    CHECK_OK(clgconv_context_get_cl(main_ctx, &g_cl_ctx, &g_dev));
    g_q = rel_create_queue(main_ctx, 0);
    printf("device: %s\n", clgconv_context_device_name(main_ctx));

    const char *tmp = getenv("TMPDIR");
    snprintf(g_tmp_root, sizeof g_tmp_root, "%s/clgconv-fi-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    CHECK(mkdtemp(g_tmp_root) != NULL);
    snprintf(g_warm_cache, sizeof g_warm_cache, "%s/warm", g_tmp_root);
    use_warm_cache();
    /* Every program built from source is stored, so that the warm directory holds binaries
       (by default a device whose binaries cost more than a build stores no more of them). */
    setenv("CLGCONV_CACHE_BINARIES", "always", 1);

    /* CLGCONV_FI_QUICK=1 (the valgrind job) leaves out the cases that build programs from
       source on fresh contexts, far too slow under valgrind since PoCL compiles in-process. */
    const char *quick_env = getenv("CLGCONV_FI_QUICK");
    bool quick = quick_env && strcmp(quick_env, "1") == 0;
    make_descs();
    for (int i = 0; i < 3; ++i)
        rel_problem_init(&g_problems[i], &g_descs[i], i != 1, 100 + i, g_cl_ctx);
    long base = clgconv_testing_live_objects();

    long calls = for_every_call(case_context_create, NULL);
    printf("clgconv_context_create: %ld OpenCL calls, each failed in turn\n", calls);
    default_state ds = {false};
    calls = for_every_call(case_context_create_default, &ds);
    printf("clgconv_context_create_default: %ld OpenCL calls, each failed in turn\n", calls);

    /* Plan creation and forward for every algorithm built in, on every problem it supports. */
    int algos_run = 0;
    for (int a = 0; a < CLGCONV_ALGO_COUNT_; ++a) {
        if (!rel_algo_enabled((clgconv_algo)a)) continue;
        clgconv_algo algo = (clgconv_algo)a;
        double t0 = now_seconds();
        bool cold_done = false;
        for (int di = 0; di < 3; ++di) {
            clgconv_context *ctx = new_context();
            clgconv_plan *plan = NULL;
            clgconv_status st = clgconv_conv2d_plan_create(ctx, &g_descs[di], algo, &plan);
            if (st == CLGCONV_ERROR_UNSUPPORTED) {
                printf("%-9s %-24s unsupported: %s\n", clgconv_algo_name(algo),
                       g_desc_names[di], clgconv_last_error());
                clgconv_context_release(ctx);
                continue;
            }
            CHECK_OK(st);
            /* Cold program cache (fresh context, fresh and then warm disk cache): once per
               algorithm; AUTO only picks among the others. */
            if (algo != CLGCONV_ALGO_AUTO && !cold_done && !quick) {
                plan_state ps = {algo, di, NULL, true, ""};
                snprintf(ps.label, sizeof ps.label, "plan_create %s %s (cold, no disk cache)",
                         clgconv_algo_name(algo), g_desc_names[di]);
                long c1 = for_every_call(case_plan_create, &ps);
                ps.fresh_disk_cache = false;
                use_warm_cache();
                snprintf(ps.label, sizeof ps.label, "plan_create %s %s (cold, warm disk cache)",
                         clgconv_algo_name(algo), g_desc_names[di]);
                long c2 = for_every_call(case_plan_create, &ps);
                printf("%-9s %-24s plan_create cold: %ld calls (%ld with cached binaries)\n",
                       clgconv_algo_name(algo), g_desc_names[di], c1, c2);
                cold_done = true;
            }
            plan_state ps = {algo, di, ctx, false, ""};
            snprintf(ps.label, sizeof ps.label, "plan_create %s %s (warm)",
                     clgconv_algo_name(algo), g_desc_names[di]);
            long c3 = for_every_call(case_plan_create, &ps);
            long c4 = 0, c5 = 0;
            for (int v = 0; v < 2 && algo != CLGCONV_ALGO_AUTO; ++v) {
                forward_state fs = {plan, di, v == 0, v == 1, ""};
                snprintf(fs.label, sizeof fs.label, "forward %s %s (%s)", clgconv_algo_name(algo),
                         g_desc_names[di], v == 0 ? "event out" : "wait list");
                *(v == 0 ? &c4 : &c5) = for_every_call(case_forward, &fs);
            }
            long c6 = 0;
            if (algo != CLGCONV_ALGO_AUTO) {
                forward_state fs = {plan, di, true, true, ""};
                snprintf(fs.label, sizeof fs.label, "pack + forward_packed %s %s",
                         clgconv_algo_name(algo), g_desc_names[di]);
                c6 = for_every_call(case_packed, &fs);
            }
            printf("%-9s %-24s plan_create warm: %ld calls, forward: %ld/%ld calls, pack + "
                   "forward_packed: %ld calls (%.1f s)\n",
                   clgconv_algo_name(algo), g_desc_names[di], c3, c4, c5, c6,
                   now_seconds() - t0);
            clgconv_plan_release(plan);
            clgconv_context_release(ctx);
            CHECK(clgconv_testing_live_objects() == base);
            ++algos_run;
        }
    }
    CHECK(algos_run >= 2); /* at least AUTO and DIRECT on some problem */

    for (int di = 0; di < 3; ++di) {
        host_state hs = {NULL, di, ""};
        snprintf(hs.label, sizeof hs.label, "forward_host %s (fresh context)", g_desc_names[di]);
        long c1 = quick ? 0 : for_every_call(case_forward_host, &hs);
        hs.ctx = new_context();
        CHECK_OK(clgconv_conv2d_forward_host(hs.ctx, &g_descs[di], g_problems[di].x,
                                             g_problems[di].w, g_problems[di].b,
                                             g_problems[di].y));
        snprintf(hs.label, sizeof hs.label, "forward_host %s (warm)", g_desc_names[di]);
        long c2 = for_every_call(case_forward_host, &hs);
        clgconv_context_release(hs.ctx);
        printf("forward_host %-24s %ld calls cold, %ld warm\n", g_desc_names[di], c1, c2);
    }
    CHECK(clgconv_testing_live_objects() == base);

    long injected = 0, recovered = 0;
    printf("injected failures by call (reported as errors / recovered by the library):\n");
    for (int i = 0; i < g_tally_count; ++i) {
        printf("  %-30s %5ld / %ld\n", g_tally[i].name, g_tally[i].injected,
               g_tally[i].recovered);
        injected += g_tally[i].injected, recovered += g_tally[i].recovered;
    }
    for (size_t i = 0; i < sizeof g_required_calls / sizeof g_required_calls[0]; ++i) {
        const char *name = g_required_calls[i];
        /* Made only on fresh contexts: program builds, the host path's queue and buffers. */
        if (quick && (strstr(name, "Program") || strcmp(name, "clCreateCommandQueue") == 0 ||
                      strcmp(name, "clCreateBuffer") == 0 || strcmp(name, "clCreateKernel") == 0 ||
                      strcmp(name, "clGetKernelWorkGroupInfo") == 0))
            continue;
        bool hit = false;
        for (int j = 0; j < g_tally_count; ++j)
            hit = hit || (strcmp(g_tally[j].name, name) == 0 && g_tally[j].injected > 0);
        if (!hit) {
            fprintf(stderr, "no injected failure of %s was reported: the test lost coverage\n",
                    name);
            return 1;
        }
    }
    for (int i = 0; i < 3; ++i) rel_problem_free(&g_problems[i]);
    clReleaseCommandQueue(g_q);
    clgconv_context_release(main_ctx);
    test_remove_dir(g_warm_cache);
    test_remove_dir(g_tmp_root);
    printf("fault injection: %ld cases, %ld injected failures reported, %ld recovered, %d call "
           "sites\n",
           g_cases, injected, recovered, g_tally_count);
    return 0;
}
