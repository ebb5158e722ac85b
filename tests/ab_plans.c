/* ab_plans.c: a developer's A/B timer, two plans of one layer called alternately (plan B made after test hooks or environment settings), medians of kernel and wall time and whether their outputs are bit-identical. */
#include "clgconv.h"
#include "test_util.h"
#include "testing.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(void)
{
    fprintf(stderr,
            "usage: ab_plans LAYER ALGO[/ALGO_B] nchw|nhwc ROUNDS [SETTING ...]\n"
            "  LAYER    N,C,H,W,K,G,KH,KW[,STRIDE[,PAD[,DILATION]]]\n"
            "  ALGO     auto, direct, tiled, depthwise, gemm or clblast (plan A; plan B the same\n"
            "           unless /ALGO_B is given)\n"
            "  SETTING  applied after plan A is made, before plan B's context and plan:\n"
            "           padding=-1|0|1|2 (clgconv_testing_tiled_padding), via_nchw=-1|0|1,\n"
            "           via_nhwc=-1|0|1|2, registers=16|32 (clgconv_testing_cpu_registers),\n"
            "           ring=-1|0|1 (clgconv_testing_depthwise_ring),\n"
            "           channel_vectors=-1|0|1 (clgconv_testing_depthwise_channel_vectors), or\n"
            "           NAME=VALUE put in the environment (for a temporary getenv in the host\n"
            "           code while measuring a change); prefixed A: (A:via_nhwc=0), a setting\n"
            "           applies to plan A alone (the hooks are reset and such names given\n"
            "           back their earlier value, or unset, after plan A is made)\n"
            "Calls A and B in turn ROUNDS times (after 3 untimed pairs) with packed weights on one\n"
            "profiling queue; prints the medians and minima of each plan's last kernel (its\n"
            "event) and of the wall time of each call (enqueue to clFinish), B/A, and whether\n"
            "the two outputs are bit-identical. Decide by B/A over several runs: single runs on\n"
            "a shared machine are noisy.\n");
}

static int by_value(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

typedef struct side {
    clgconv_context *ctx;
    clgconv_plan *plan;
    cl_mem packed, packed_ws, out;
    double *kernel_ms, *wall_ms;
} side;

static int fail(const char *what)
{
    fprintf(stderr, "ab_plans: %s: %s\n", what, clgconv_last_error());
    return 1;
}

static int make_side(side *s, cl_context c, cl_device_id dev, cl_command_queue q,
                     const clgconv_conv2d_desc *d, clgconv_algo algo, cl_mem weights,
                     size_t out_bytes, int rounds)
{
    if (clgconv_context_create(c, dev, &s->ctx)) return fail("context");
    if (clgconv_conv2d_plan_create(s->ctx, d, algo, &s->plan)) return fail("plan");
    cl_int e;
    const size_t pw = clgconv_plan_packed_weights_size(s->plan);
    const size_t pws = clgconv_plan_packed_workspace_size(s->plan);
    s->packed = clCreateBuffer(c, CL_MEM_READ_WRITE, pw, NULL, &e);
    s->packed_ws = pws ? clCreateBuffer(c, CL_MEM_READ_WRITE, pws, NULL, &e) : NULL;
    s->out = clCreateBuffer(c, CL_MEM_READ_WRITE, out_bytes, NULL, &e);
    if (!s->packed || (pws && !s->packed_ws) || !s->out) return fail("buffers");
    if (clgconv_conv2d_pack_weights(s->plan, q, weights, s->packed, 0, NULL, NULL))
        return fail("packing");
    s->kernel_ms = calloc((size_t)rounds, sizeof(double));
    s->wall_ms = calloc((size_t)rounds, sizeof(double));
    return s->kernel_ms && s->wall_ms ? 0 : fail("memory");
}

/* One call of s's plan; its last kernel's and the call's time in ms. */
static int run_once(const side *s, cl_command_queue q, cl_mem in, double *kernel, double *wall)
{
    cl_event ev = NULL;
    const double t0 = test_now_seconds();
    if (clgconv_conv2d_forward_packed(s->plan, q, in, s->packed, NULL, s->out, s->packed_ws, 0,
                                      NULL, &ev))
        return fail("forward");
    clFinish(q);
    *wall = (test_now_seconds() - t0) * 1e3;
    cl_ulong start = 0, end = 0;
    clGetEventProfilingInfo(ev, CL_PROFILING_COMMAND_START, sizeof start, &start, NULL);
    clGetEventProfilingInfo(ev, CL_PROFILING_COMMAND_END, sizeof end, &end, NULL);
    clReleaseEvent(ev);
    *kernel = (double)(end - start) * 1e-6;
    return 0;
}

static void release_side(side *s)
{
    if (s->out) clReleaseMemObject(s->out);
    if (s->packed_ws) clReleaseMemObject(s->packed_ws);
    if (s->packed) clReleaseMemObject(s->packed);
    clgconv_plan_release(s->plan);
    clgconv_context_release(s->ctx);
    free(s->kernel_ms);
    free(s->wall_ms);
}

/* Whether a setting is plan A's alone (prefixed A:). */
static int for_a(const char *setting) { return strncmp(setting, "A:", 2) == 0; }

/* Whether setting has the form [A:]NAME=VALUE with a name that fits. */
static int setting_ok(const char *setting)
{
    if (for_a(setting)) setting += 2;
    const char *eq = strchr(setting, '=');
    return eq && eq != setting && (size_t)(eq - setting) < 128;
}

/* The NAME of an A:NAME=VALUE setting (checked by setting_ok: it fits). */
static void a_setting_name(const char *arg, char name[128])
{
    const size_t n = (size_t)(strchr(arg, '=') - arg - 2);
    memcpy(name, arg + 2, n);
    name[n] = '\0';
}

/* Applies one SETTING (checked by setting_ok, without its A: prefix); 0 on success. */
static int apply_setting(const char *setting)
{
    const char *eq = strchr(setting, '=');
    const int value = atoi(eq + 1);
    const size_t n = (size_t)(eq - setting);
    if (n == 7 && strncmp(setting, "padding", n) == 0) clgconv_testing_tiled_padding(value);
    else if (n == 8 && strncmp(setting, "via_nchw", n) == 0) clgconv_testing_tiled_via_nchw(value);
    else if (n == 8 && strncmp(setting, "via_nhwc", n) == 0) clgconv_testing_tiled_via_nhwc(value);
    else if (n == 9 && strncmp(setting, "registers", n) == 0) clgconv_testing_cpu_registers(value);
    else if (n == 4 && strncmp(setting, "ring", n) == 0) clgconv_testing_depthwise_ring(value);
    else if (n == 15 && strncmp(setting, "channel_vectors", n) == 0)
        clgconv_testing_depthwise_channel_vectors(value);
    else {
        char name[128];
        memcpy(name, setting, n);
        name[n] = '\0';
        if (setenv(name, eq + 1, 1) != 0) return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 5) {
        usage();
        return 2;
    }
    int v[11] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1};
    const int fields = sscanf(argv[1], "%d,%d,%d,%d,%d,%d,%d,%d,%d,%d,%d", &v[0], &v[1], &v[2],
                              &v[3], &v[4], &v[5], &v[6], &v[7], &v[8], &v[9], &v[10]);
    char algo_a_name[32] = {0};
    const char *slash = strchr(argv[2], '/');
    const size_t a_len = slash ? (size_t)(slash - argv[2]) : strlen(argv[2]);
    clgconv_algo algo_a, algo_b;
    if (a_len < sizeof algo_a_name) memcpy(algo_a_name, argv[2], a_len);
    const int rounds = atoi(argv[4]);
    const int nhwc = strcmp(argv[3], "nhwc") == 0;
    if (fields < 8 || a_len >= sizeof algo_a_name ||
        clgconv_algo_from_name(algo_a_name, &algo_a) ||
        clgconv_algo_from_name(slash ? slash + 1 : algo_a_name, &algo_b) ||
        (!nhwc && strcmp(argv[3], "nchw") != 0) || rounds < 1 || rounds > 100000) {
        usage();
        return 2;
    }
    for (int i = 5; i < argc; ++i)
        if (!setting_ok(argv[i])) {
            fprintf(stderr, "ab_plans: setting \"%s\" is not NAME=VALUE\n", argv[i]);
            return 2;
        }
    clgconv_conv2d_desc d;
    clgconv_conv2d_desc_init(&d);
    d.batch = v[0], d.in_channels = v[1], d.in_height = v[2], d.in_width = v[3];
    d.out_channels = v[4], d.groups = v[5], d.kernel_h = v[6], d.kernel_w = v[7];
    d.stride_h = d.stride_w = v[8];
    d.pad_top = d.pad_left = d.pad_bottom = d.pad_right = v[9];
    d.dilation_h = d.dilation_w = v[10];
    d.layout = nhwc ? CLGCONV_LAYOUT_NHWC : CLGCONV_LAYOUT_NCHW;
    size_t in_b, w_b, b_b, out_b;
    if (clgconv_conv2d_tensor_bytes(&d, &in_b, &w_b, &b_b, &out_b)) return fail("layer");

    clgconv_context *base = NULL;
    if (clgconv_context_create_default(&base)) return fail("device");
    cl_context c;
    cl_device_id dev;
    clgconv_context_get_cl(base, &c, &dev);
    cl_int e;
    cl_command_queue q = clCreateCommandQueue(c, dev, CL_QUEUE_PROFILING_ENABLE, &e);
    const size_t host_b = in_b > w_b ? in_b : w_b;
    float *host = malloc(host_b);
    if (!q || !host) return fail("queue");
    for (size_t i = 0; i < host_b / sizeof(float); ++i) host[i] = (float)(i % 7) * 0.1f - 0.3f;
    cl_mem in = clCreateBuffer(c, CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR, in_b, host, &e);
    cl_mem w = clCreateBuffer(c, CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR, w_b, host, &e);
    if (!in || !w) return fail("buffers");

    side a = {0}, b = {0};
    int status = 0;
    /* the environment's values of plan A's names before it sets them (NULL: unset) */
    char *before[64] = {0};
    if (argc - 5 > 64) {
        fprintf(stderr, "ab_plans: more than 64 settings\n");
        return 2;
    }
    for (int i = 5; i < argc; ++i)
        if (for_a(argv[i])) {
            char name[128];
            a_setting_name(argv[i], name);
            const char *old = getenv(name);
            before[i - 5] = old ? strdup(old) : NULL;
        }
    for (int i = 5; status == 0 && i < argc; ++i)
        if (for_a(argv[i]) && apply_setting(argv[i] + 2)) status = fail(argv[i]);
    if (status == 0) status = make_side(&a, c, dev, q, &d, algo_a, w, out_b, rounds);
    /* plan A's own settings undone: the hooks at their defaults, its names as they were */
    clgconv_testing_tiled_padding(-1);
    clgconv_testing_tiled_via_nchw(-1);
    clgconv_testing_tiled_via_nhwc(-1);
    clgconv_testing_cpu_registers(0);
    clgconv_testing_depthwise_ring(-1);
    clgconv_testing_depthwise_channel_vectors(-1);
    for (int i = 5; i < argc; ++i)
        if (for_a(argv[i])) {
            char name[128];
            a_setting_name(argv[i], name);
            if (before[i - 5]) {
                setenv(name, before[i - 5], 1);
                free(before[i - 5]);
            } else {
                unsetenv(name);
            }
        }
    for (int i = 5; status == 0 && i < argc; ++i)
        if (!for_a(argv[i]) && apply_setting(argv[i])) status = fail(argv[i]);
    if (status == 0) status = make_side(&b, c, dev, q, &d, algo_b, w, out_b, rounds);
    for (int r = -3; status == 0 && r < rounds; ++r) {
        double ka, wa, kb, wb;
        status = run_once(&a, q, in, &ka, &wa) || run_once(&b, q, in, &kb, &wb);
        if (r >= 0) a.kernel_ms[r] = ka, a.wall_ms[r] = wa, b.kernel_ms[r] = kb, b.wall_ms[r] = wb;
    }
    if (status == 0) {
        float *ya = malloc(out_b), *yb = malloc(out_b);
        const int same = ya && yb &&
                         clEnqueueReadBuffer(q, a.out, CL_TRUE, 0, out_b, ya, 0, NULL, NULL) == 0 &&
                         clEnqueueReadBuffer(q, b.out, CL_TRUE, 0, out_b, yb, 0, NULL, NULL) == 0 &&
                         memcmp(ya, yb, out_b) == 0;
        free(ya);
        free(yb);
        double *lists[4] = {a.kernel_ms, b.kernel_ms, a.wall_ms, b.wall_ms};
        for (int i = 0; i < 4; ++i) qsort(lists[i], (size_t)rounds, sizeof(double), by_value);
        const int m = rounds / 2;
        printf("%s %s %s>%s: kernel A %.4f (min %.4f) B %.4f (min %.4f) B/A %.2f | wall A %.4f "
               "B %.4f B/A %.2f | outputs %s\n",
               argv[1], argv[3], clgconv_algo_name(clgconv_plan_algo(a.plan)),
               clgconv_algo_name(clgconv_plan_algo(b.plan)), a.kernel_ms[m], a.kernel_ms[0],
               b.kernel_ms[m], b.kernel_ms[0], b.kernel_ms[m] / a.kernel_ms[m], a.wall_ms[m],
               b.wall_ms[m], b.wall_ms[m] / a.wall_ms[m], same ? "identical" : "different");
    }
    release_side(&a);
    release_side(&b);
    clReleaseMemObject(w);
    clReleaseMemObject(in);
    clReleaseCommandQueue(q);
    clgconv_context_release(base);
    free(host);
    return status;
}
