/* test_events.c: the event contract of clgconv_conv2d_forward (and of packing + forward_packed): wait lists (user events), returned events, out-of-order queues, event == NULL. */
#include "test_util.h"
#include "testing.h"

#include <math.h>
#include <string.h>
#include <time.h>

#define SENTINEL 4242.5f

static clgconv_context *g_ctx;
static cl_command_queue g_queue; /* in-order */
static cl_command_queue g_peek;  /* a second in-order queue, to look at buffers meanwhile */
static cl_context g_cl;
static cl_device_id g_dev;
static int g_peeks_read, g_peeks_deferred; /* how often a pending output could be looked at */

static void sleep_ms(long ms)
{
    struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&t, NULL);
}

static cl_int event_status(cl_event ev)
{
    cl_int s = 1234;
    CHECK(clGetEventInfo(ev, CL_EVENT_COMMAND_EXECUTION_STATUS, sizeof s, &s, NULL) ==
          CL_SUCCESS);
    return s;
}

/* One convolution with its host data and device buffers. */
typedef struct problem {
    clgconv_conv2d_desc d;
    size_t in_b, w_b, b_b, out_b;
    float *x, *w, *b;
    cl_mem input, weights, bias, output, workspace;
    clgconv_plan *plan;
} problem;

static clgconv_conv2d_desc make_desc(int c, int h, int w, int k, int g, int kh)
{
    clgconv_conv2d_desc d;
    clgconv_conv2d_desc_init(&d);
    d.batch = 1, d.in_channels = c, d.in_height = h, d.in_width = w, d.out_channels = k;
    d.groups = g, d.kernel_h = d.kernel_w = kh;
    d.pad_top = d.pad_left = d.pad_bottom = d.pad_right = kh / 2;
    return d;
}

/* Creates the plan (status returned; UNSUPPORTED leaves p without a plan), the data and the
   buffers; the output buffer is filled with SENTINEL. input may be an existing buffer (then
   not owned by p). */
static clgconv_status problem_init(problem *p, const clgconv_conv2d_desc *d, clgconv_algo algo,
                                   test_rng *r, cl_mem input)
{
    memset(p, 0, sizeof *p);
    p->d = *d;
    clgconv_status st = clgconv_conv2d_plan_create(g_ctx, d, algo, &p->plan);
    if (st != CLGCONV_SUCCESS) return st;
    CHECK_OK(clgconv_conv2d_tensor_bytes(d, &p->in_b, &p->w_b, &p->b_b, &p->out_b));
    p->x = test_random_tensor(r, p->in_b / 4);
    p->w = test_random_tensor(r, p->w_b / 4);
    p->b = test_random_tensor(r, p->b_b / 4);
    p->input = input ? (clRetainMemObject(input), input)
                     : test_buffer(g_cl, CL_MEM_READ_ONLY, p->in_b, p->x);
    p->weights = test_buffer(g_cl, CL_MEM_READ_ONLY, p->w_b, p->w);
    p->bias = test_buffer(g_cl, CL_MEM_READ_ONLY, p->b_b, p->b);
    float *fill = test_filled(p->out_b / 4, SENTINEL);
    p->output = test_buffer(g_cl, CL_MEM_READ_WRITE, p->out_b, fill);
    free(fill);
    size_t ws = clgconv_plan_workspace_size(p->plan);
    if (ws) p->workspace = test_buffer(g_cl, CL_MEM_READ_WRITE, ws, NULL);
    return CLGCONV_SUCCESS;
}

static void problem_free(problem *p)
{
    cl_mem m[] = {p->input, p->weights, p->bias, p->output, p->workspace};
    for (size_t i = 0; i < 5; ++i)
        if (m[i]) clReleaseMemObject(m[i]);
    clgconv_plan_release(p->plan);
    free(p->x), free(p->w), free(p->b);
    memset(p, 0, sizeof *p);
}

static clgconv_status forward(const problem *p, cl_command_queue q, cl_uint nwait,
                              const cl_event *wait, cl_event *ev)
{
    return clgconv_conv2d_forward(p->plan, q, p->input, p->weights, p->bias, p->output,
                                  p->workspace, nwait, wait, ev);
}

/* Reads p's output through q (blocking) and compares it with the reference on input x. */
static void expect_result(const problem *p, cl_command_queue q, const float *x,
                          const char *label)
{
    float *y = test_read_buffer(q, p->output, p->out_b);
    EXPECT(test_compare_with_reference(&p->d, x, p->w, p->b, y, label, NULL),
           "%s: result differs from the reference", label);
    free(y);
}

/* Looks at p's output through the second queue while forward waits. Some runtimes order a
   read after a pending write of the same buffer even across queues; then the read completes
   only later and says nothing (peek->deferred), which is fine. */
typedef struct peek {
    float *data;
    cl_event read;
    bool deferred;
} peek;

static void peek_start(peek *k, const problem *p)
{
    k->data = test_filled(p->out_b / 4, NAN);
    CHECK(clEnqueueReadBuffer(g_peek, p->output, CL_FALSE, 0, p->out_b, k->data, 0, NULL,
                              &k->read) == CL_SUCCESS);
    CHECK(clFlush(g_peek) == CL_SUCCESS);
    k->deferred = true;
    for (int i = 0; i < 100 && k->deferred; ++i) { /* up to about 1 s */
        cl_int s = event_status(k->read);
        CHECK(s >= 0);
        if (s == CL_COMPLETE)
            k->deferred = false;
        else
            sleep_ms(10);
    }
}

/* True when the peeked output still held only the sentinel (or the peek was deferred). */
static bool peek_untouched(const peek *k, size_t bytes)
{
    ++*(k->deferred ? &g_peeks_deferred : &g_peeks_read);
    if (k->deferred) return true;
    for (size_t i = 0; i < bytes / 4; ++i)
        if (k->data[i] != SENTINEL) return false;
    return true;
}

static void peek_end(peek *k)
{
    CHECK(clWaitForEvents(1, &k->read) == CL_SUCCESS);
    clReleaseEvent(k->read);
    free(k->data);
}

/* forward waits for user events in its wait list, and the event it returns belongs to the
   caller: it completes, reports the caller's queue and context, and the library keeps no
   OpenCL object behind it. */
static void user_event_wait(clgconv_algo algo, test_rng *r)
{
    clgconv_conv2d_desc d = make_desc(8, 10, 9, 12, 4, 3);
    char label[160];
    snprintf(label, sizeof label, "user-event wait, %s", clgconv_algo_name(algo));
    problem p;
    if (!test_algo_ran(algo, problem_init(&p, &d, algo, r, NULL), label)) return;
    CHECK(clFinish(g_queue) == CL_SUCCESS);
    long live_before = clgconv_testing_live_objects();

    cl_int e;
    cl_event gates[2];
    gates[0] = clCreateUserEvent(g_cl, &e);
    gates[1] = clCreateUserEvent(g_cl, &e);
    CHECK(gates[0] && gates[1]);
    cl_event ev = NULL;
    clgconv_status st = forward(&p, g_queue, 2, gates, &ev);
    if (!EXPECT(st == CLGCONV_SUCCESS && ev != NULL, "%s: forward gave %s, event %p", label,
                clgconv_status_string(st), (void *)ev)) {
        clSetUserEventStatus(gates[0], CL_COMPLETE), clSetUserEventStatus(gates[1], CL_COMPLETE);
        clReleaseEvent(gates[0]), clReleaseEvent(gates[1]);
        clFinish(g_queue);
        problem_free(&p);
        return;
    }
    CHECK(clFlush(g_queue) == CL_SUCCESS);
    sleep_ms(50);
    peek k;
    peek_start(&k, &p);
    EXPECT(event_status(ev) > CL_COMPLETE, "%s: forward's event is done before its wait list",
           label);
    EXPECT(peek_untouched(&k, p.out_b), "%s: output written before the wait list completed",
           label);
    peek_end(&k);

    /* One of two gates open: still waiting. */
    CHECK(clSetUserEventStatus(gates[0], CL_COMPLETE) == CL_SUCCESS);
    CHECK(clFlush(g_queue) == CL_SUCCESS);
    sleep_ms(50);
    peek_start(&k, &p);
    EXPECT(event_status(ev) > CL_COMPLETE, "%s: forward ran with one of two wait events open",
           label);
    EXPECT(peek_untouched(&k, p.out_b), "%s: output written with one wait event still open",
           label);
    peek_end(&k);

    CHECK(clSetUserEventStatus(gates[1], CL_COMPLETE) == CL_SUCCESS);
    EXPECT(clWaitForEvents(1, &ev) == CL_SUCCESS, "%s: waiting for forward's event failed", label);
    EXPECT(event_status(ev) == CL_COMPLETE, "%s: forward's event status %d after the wait",
           label, (int)event_status(ev));
    cl_command_queue eq = NULL;
    cl_context ec = NULL;
    CHECK(clGetEventInfo(ev, CL_EVENT_COMMAND_QUEUE, sizeof eq, &eq, NULL) == CL_SUCCESS);
    CHECK(clGetEventInfo(ev, CL_EVENT_CONTEXT, sizeof ec, &ec, NULL) == CL_SUCCESS);
    EXPECT(eq == g_queue && ec == g_cl, "%s: the event belongs to queue %p / context %p", label,
           (void *)eq, (void *)ec);
    expect_result(&p, g_queue, p.x, label);
    CHECK(clReleaseEvent(ev) == CL_SUCCESS);
    clReleaseEvent(gates[0]), clReleaseEvent(gates[1]);
    CHECK(clFinish(g_queue) == CL_SUCCESS);
    long live_after = clgconv_testing_live_objects();
    EXPECT(live_after == live_before,
           "%s: the library holds %ld OpenCL objects after the caller released the event "
           "(%ld before forward)",
           label, live_after, live_before);

    /* event == NULL, with and without a wait list. */
    float *fill = test_filled(p.out_b / 4, SENTINEL);
    CHECK(clEnqueueWriteBuffer(g_queue, p.output, CL_TRUE, 0, p.out_b, fill, 0, NULL, NULL) ==
          CL_SUCCESS);
    st = forward(&p, g_queue, 0, NULL, NULL);
    EXPECT(st == CLGCONV_SUCCESS, "%s: forward with event NULL gave %s", label,
           clgconv_status_string(st));
    CHECK(clFinish(g_queue) == CL_SUCCESS);
    expect_result(&p, g_queue, p.x, label);
    CHECK(clEnqueueWriteBuffer(g_queue, p.output, CL_TRUE, 0, p.out_b, fill, 0, NULL, NULL) ==
          CL_SUCCESS);
    cl_event gate = clCreateUserEvent(g_cl, &e);
    CHECK(gate != NULL);
    st = forward(&p, g_queue, 1, &gate, NULL);
    EXPECT(st == CLGCONV_SUCCESS, "%s: forward with a wait list and event NULL gave %s", label,
           clgconv_status_string(st));
    CHECK(clFlush(g_queue) == CL_SUCCESS);
    sleep_ms(20);
    peek_start(&k, &p);
    EXPECT(peek_untouched(&k, p.out_b), "%s (event NULL): output written before the wait list",
           label);
    peek_end(&k);
    CHECK(clSetUserEventStatus(gate, CL_COMPLETE) == CL_SUCCESS);
    CHECK(clFinish(g_queue) == CL_SUCCESS);
    expect_result(&p, g_queue, p.x, label);
    clReleaseEvent(gate);
    free(fill);
    CHECK(clFinish(g_queue) == CL_SUCCESS);
    EXPECT(clgconv_testing_live_objects() == live_before,
           "%s: objects leaked by forward with event NULL", label);
    problem_free(&p);
}

/* On an out-of-order queue, two forwards chained by events (the output of the first is the
   input of the second), the first gated by a user event: the second must not start before the
   first is done (its input buffer holds NaN-free sentinel garbage until then), and a final read
   ordered by the second's event sees the right result. The algorithm under test runs each stage
   it takes; direct runs a stage it does not take. */
static void out_of_order_chain(cl_command_queue ooq, clgconv_algo algo, test_rng *r)
{
    clgconv_conv2d_desc d1 = make_desc(6, 11, 10, 8, 2, 3);  /* grouped 3x3 */
    clgconv_conv2d_desc d2 = make_desc(8, 11, 10, 16, 8, 3); /* depthwise, multiplier 2 */
    d2.output_min = 0, d2.output_max = 6;
    char label[160];
    snprintf(label, sizeof label, "out-of-order chain, %s", clgconv_algo_name(algo));
    problem p1, p2;
    clgconv_status s1 = problem_init(&p1, &d1, algo, r, NULL);
    if (s1 == CLGCONV_ERROR_UNSUPPORTED) s1 = problem_init(&p1, &d1, CLGCONV_ALGO_DIRECT, r, NULL);
    else if (s1 != CLGCONV_SUCCESS) { test_algo_ran(algo, s1, label); return; }
    CHECK_OK(s1);
    clgconv_status s2 = problem_init(&p2, &d2, algo, r, p1.output);
    if (s2 == CLGCONV_ERROR_UNSUPPORTED) {
        s2 = problem_init(&p2, &d2, CLGCONV_ALGO_DIRECT, r, p1.output);
        if (clgconv_plan_algo(p1.plan) != algo) { /* neither stage runs algo */
            test_algo_ran(algo, CLGCONV_ERROR_UNSUPPORTED, label);
            CHECK_OK(s2);
            problem_free(&p1), problem_free(&p2);
            return;
        }
    }
    CHECK_OK(s2);
    printf("%s: stage 1 %s, stage 2 %s\n", label, clgconv_algo_name(clgconv_plan_algo(p1.plan)),
           clgconv_algo_name(clgconv_plan_algo(p2.plan)));

    cl_int e;
    cl_event gate = clCreateUserEvent(g_cl, &e);
    CHECK(gate != NULL);
    cl_event ev1 = NULL, ev2 = NULL, rd = NULL;
    CHECK_OK(forward(&p1, ooq, 1, &gate, &ev1));
    CHECK_OK(forward(&p2, ooq, 1, &ev1, &ev2));
    CHECK(ev1 && ev2);
    float *y2 = test_filled(p2.out_b / 4, NAN), *y1 = test_filled(p1.out_b / 4, NAN);
    CHECK(clEnqueueReadBuffer(ooq, p2.output, CL_FALSE, 0, p2.out_b, y2, 1, &ev2, &rd) ==
          CL_SUCCESS);
    CHECK(clFlush(ooq) == CL_SUCCESS);
    sleep_ms(50);
    EXPECT(event_status(ev2) > CL_COMPLETE && event_status(ev1) > CL_COMPLETE,
           "%s: a stage completed before the gate opened", label);
    CHECK(clSetUserEventStatus(gate, CL_COMPLETE) == CL_SUCCESS);
    CHECK(clWaitForEvents(1, &rd) == CL_SUCCESS);
    EXPECT(event_status(ev1) == CL_COMPLETE && event_status(ev2) == CL_COMPLETE,
           "%s: events not complete after the final read", label);
    CHECK(clEnqueueReadBuffer(ooq, p1.output, CL_TRUE, 0, p1.out_b, y1, 0, NULL, NULL) ==
          CL_SUCCESS);
    EXPECT(test_compare_with_reference(&d1, p1.x, p1.w, p1.b, y1, label, NULL),
           "%s: stage 1 differs from the reference", label);
    EXPECT(test_compare_with_reference(&d2, y1, p2.w, p2.b, y2, label, NULL),
           "%s: stage 2 differs from the reference on stage 1's output", label);
    clReleaseEvent(ev1), clReleaseEvent(ev2), clReleaseEvent(rd), clReleaseEvent(gate);

    /* event == NULL on the out-of-order queue: clFinish is the only way to wait. */
    float *fill = test_filled(p1.out_b / 4, SENTINEL);
    CHECK(clEnqueueWriteBuffer(ooq, p1.output, CL_TRUE, 0, p1.out_b, fill, 0, NULL, NULL) ==
          CL_SUCCESS);
    CHECK_OK(forward(&p1, ooq, 0, NULL, NULL));
    CHECK(clFinish(ooq) == CL_SUCCESS);
    expect_result(&p1, ooq, p1.x, label);
    free(fill), free(y1), free(y2);
    problem_free(&p2), problem_free(&p1);
}

/* Packed weights on an out-of-order queue: pack_weights gated by a user event, forward_packed
   waiting for the packing's event, a read waiting for forward_packed's. Nothing completes before
   the gate opens; forward_packed must not read the packed buffer (NaN until packed) before the
   packing is done, so a missed dependency shows as a wrong result. NHWC with 8 channels per group:
   TILED and GEMM pack for real there (a transposition), the others copy. */
static void out_of_order_packed(cl_command_queue ooq, clgconv_algo algo, test_rng *r)
{
    clgconv_conv2d_desc d = make_desc(16, 9, 11, 16, 2, 3);
    d.layout = CLGCONV_LAYOUT_NHWC;
    char label[160];
    snprintf(label, sizeof label, "out-of-order packed weights, %s", clgconv_algo_name(algo));
    problem p;
    if (!test_algo_ran(algo, problem_init(&p, &d, algo, r, NULL), label)) return;
    const size_t pw_b = clgconv_plan_packed_weights_size(p.plan);
    const size_t pws_b = clgconv_plan_packed_workspace_size(p.plan);
    float *nan_fill = test_filled(pw_b / 4, NAN);
    cl_mem packed = test_buffer(g_cl, CL_MEM_READ_WRITE, pw_b, nan_fill);
    cl_mem pws = pws_b ? test_buffer(g_cl, CL_MEM_READ_WRITE, pws_b, NULL) : NULL;
    cl_int e;
    cl_event gate = clCreateUserEvent(g_cl, &e);
    CHECK(gate != NULL);
    cl_event ev_pack = NULL, ev_fwd = NULL, rd = NULL;
    CHECK_OK(clgconv_conv2d_pack_weights(p.plan, ooq, p.weights, packed, 1, &gate, &ev_pack));
    CHECK_OK(clgconv_conv2d_forward_packed(p.plan, ooq, p.input, packed, p.bias, p.output, pws, 1,
                                           &ev_pack, &ev_fwd));
    CHECK(ev_pack && ev_fwd);
    float *y = test_filled(p.out_b / 4, NAN);
    CHECK(clEnqueueReadBuffer(ooq, p.output, CL_FALSE, 0, p.out_b, y, 1, &ev_fwd, &rd) ==
          CL_SUCCESS);
    CHECK(clFlush(ooq) == CL_SUCCESS);
    sleep_ms(50);
    EXPECT(event_status(ev_pack) > CL_COMPLETE && event_status(ev_fwd) > CL_COMPLETE,
           "%s: packing or forward_packed completed before the gate opened", label);
    CHECK(clSetUserEventStatus(gate, CL_COMPLETE) == CL_SUCCESS);
    CHECK(clWaitForEvents(1, &rd) == CL_SUCCESS);
    EXPECT(test_compare_with_reference(&d, p.x, p.w, p.b, y, label, NULL),
           "%s: forward_packed after the packing's event differs from the reference", label);
    printf("%s: %s, packed weights %zu bytes (weights %zu)\n", label,
           clgconv_algo_name(clgconv_plan_algo(p.plan)), pw_b, p.w_b);
    clReleaseEvent(ev_pack), clReleaseEvent(ev_fwd), clReleaseEvent(rd), clReleaseEvent(gate);
    clReleaseMemObject(packed);
    if (pws) clReleaseMemObject(pws);
    free(nan_fill), free(y);
    problem_free(&p);
}

int main(void)
{
    g_ctx = test_open_context(&g_queue);
    printf("device: %s\n", clgconv_context_device_name(g_ctx));
    CHECK_OK(clgconv_context_get_cl(g_ctx, &g_cl, &g_dev));
    cl_int e;
#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
#endif
    g_peek = clCreateCommandQueue(g_cl, g_dev, 0, &e);
    CHECK(g_peek != NULL);
    cl_command_queue ooq =
        clCreateCommandQueue(g_cl, g_dev, CL_QUEUE_OUT_OF_ORDER_EXEC_MODE_ENABLE, &e);
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif
    test_rng r;
    test_rng_seed(&r, 99);
    for (int a = CLGCONV_ALGO_DIRECT; a < CLGCONV_ALGO_COUNT_; ++a)
        user_event_wait((clgconv_algo)a, &r);
    printf("pending outputs looked at: %d, reads deferred by the runtime: %d\n", g_peeks_read,
           g_peeks_deferred);
    if (!ooq) {
        printf("skipping the out-of-order part: the device rejects such a queue (%d)\n", (int)e);
    } else {
        for (int a = CLGCONV_ALGO_DIRECT; a < CLGCONV_ALGO_COUNT_; ++a) {
            out_of_order_chain(ooq, (clgconv_algo)a, &r);
            out_of_order_packed(ooq, (clgconv_algo)a, &r);
        }
        clReleaseCommandQueue(ooq);
    }
    clReleaseCommandQueue(g_peek);
    clReleaseCommandQueue(g_queue);
    clgconv_context_release(g_ctx);
    return test_summary("test_events");
}
