/* tuning.c: opt-in auto-tuning: measures every (algorithm, variant) for a shape once and remembers the winner on disk. */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TUNING_FILE "tuning.txt"

/* Everything the measured winner depends on. */
static uint64_t tuning_key(const clgconv_context *ctx, const clg_shape *s)
{
    char text[1400];
    const clgconv_conv2d_desc *d = &s->d;
    snprintf(text, sizeof text,
             "lib %s|%s|%s|%s|%s|N%d C%d H%d W%d K%d g%d k%dx%d s%dx%d p%d,%d,%d,%d d%dx%d "
             "clamp%d%d layout%d",
             clgconv_version(), ctx->info.platform, ctx->info.name, ctx->info.driver,
             ctx->info.version, d->batch, d->in_channels, d->in_height, d->in_width,
             d->out_channels, d->groups, d->kernel_h, d->kernel_w, d->stride_h, d->stride_w,
             d->pad_top, d->pad_left, d->pad_bottom, d->pad_right, d->dilation_h, d->dilation_w,
             d->output_min > -3e38f, d->output_max < 3e38f, (int)d->layout);
    return clg_hash_string(text, 0);
}

/* Looks the key up in the tuning file (the last matching line wins). */
static bool tuning_lookup(uint64_t key, clgconv_algo *algo, int *variant)
{
    char dir[2048], path[2200], line[512];
    if (!clg_cache_dir(dir, sizeof dir)) return false;
    snprintf(path, sizeof path, "%s/%s", dir, TUNING_FILE);
    FILE *f = fopen(path, "r");
    if (!f) return false;
    bool found = false;
    while (fgets(line, sizeof line, f)) {
        unsigned long long k;
        char name[32];
        int v;
        clgconv_algo a;
        if (sscanf(line, "%llx %31s %d", &k, name, &v) == 3 && k == key && v >= 0 &&
            clgconv_algo_from_name(name, &a) == CLGCONV_SUCCESS && a != CLGCONV_ALGO_AUTO) {
            *algo = a, *variant = v;
            found = true;
        }
    }
    fclose(f);
    return found;
}

static void tuning_store(uint64_t key, clgconv_algo algo, int variant, double seconds,
                         const clg_shape *s)
{
    char dir[2048], path[2200];
    if (!clg_cache_dir(dir, sizeof dir)) return;
    snprintf(path, sizeof path, "%s/%s", dir, TUNING_FILE);
    FILE *f = fopen(path, "a");
    if (!f) return;
    /* One short line per write, so concurrent appenders do not interleave within a line. */
    fprintf(f, "%016llx %s %d %.6e # N%d C%d %dx%d K%d g%d k%dx%d s%d\n", (unsigned long long)key,
            clgconv_algo_name(algo), variant, seconds, s->d.batch, s->d.in_channels,
            s->d.in_height, s->d.in_width, s->d.out_channels, s->d.groups, s->d.kernel_h,
            s->d.kernel_w, s->d.stride_h);
    fclose(f);
}

typedef struct tuning_buffers {
    cl_command_queue queue;
    cl_mem input, weights, bias, output;
} tuning_buffers;

static void buffers_release(tuning_buffers *b)
{
    cl_mem *m[] = {&b->input, &b->weights, &b->bias, &b->output};
    for (size_t i = 0; i < 4; ++i)
        if (*m[i]) clg_clReleaseMemObject(*m[i]);
    if (b->queue) clg_clReleaseCommandQueue(b->queue);
}

static clgconv_status buffers_create(clgconv_context *ctx, const clg_shape *s, tuning_buffers *b)
{
    cl_int e;
    memset(b, 0, sizeof *b);
    b->queue = clg_clCreateCommandQueue(ctx->cl_ctx, ctx->device, 0, &e);
    if (!b->queue) return clg_fail_cl("clCreateCommandQueue", e, "creating the tuning queue");
    /* Zero-filled contents: garbage could hold NaNs or denormals that distort timings. */
    size_t biggest = (size_t)(s->input_elems > s->output_elems ? s->input_elems : s->output_elems);
    if ((size_t)s->weight_elems > biggest) biggest = (size_t)s->weight_elems;
    float *zeros = calloc(biggest, sizeof(float));
    if (!zeros) {
        buffers_release(b);
        return clg_fail(CLGCONV_ERROR_OUT_OF_MEMORY, "allocating %zu floats for tuning", biggest);
    }
    const cl_mem_flags fl = CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR;
    struct {
        cl_mem *m;
        size_t elems;
        const char *name;
    } t[] = {{&b->input, (size_t)s->input_elems, "input"},
             {&b->weights, (size_t)s->weight_elems, "weights"},
             {&b->bias, (size_t)s->K, "bias"},
             {&b->output, (size_t)s->output_elems, "output"}};
    clgconv_status st = CLGCONV_SUCCESS;
    for (size_t i = 0; i < 4 && st == CLGCONV_SUCCESS; ++i) {
        *t[i].m = clg_clCreateBuffer(ctx->cl_ctx, fl, t[i].elems * sizeof(float), zeros, &e);
        if (!*t[i].m) {
            *t[i].m = NULL;
            st = clg_fail_cl("clCreateBuffer", e, "allocating a tuning buffer");
        }
    }
    free(zeros);
    if (st != CLGCONV_SUCCESS) buffers_release(b);
    return st;
}

/* Seconds per forward of plan (best of 3 after a warm-up); negative on failure. */
static double measure(clgconv_context *ctx, const clgconv_plan *plan, const tuning_buffers *b)
{
    cl_mem ws = NULL;
    cl_int e;
    if (plan->workspace_bytes > 0) {
        ws = clg_clCreateBuffer(ctx->cl_ctx, CL_MEM_READ_WRITE, plan->workspace_bytes, NULL, &e);
        if (!ws) return -1;
    }
    double best = -1;
    for (int run = 0; run < 4; ++run) {
        double t0 = clg_now_seconds();
        if (clgconv_conv2d_forward(plan, b->queue, b->input, b->weights, b->bias, b->output, ws, 0,
                                   NULL, NULL) != CLGCONV_SUCCESS ||
            clg_clFinish(b->queue) != CL_SUCCESS) {
            best = -1;
            break;
        }
        double t = clg_now_seconds() - t0;
        if (run > 0 && (best < 0 || t < best)) best = t;
    }
    if (ws) clg_clReleaseMemObject(ws);
    return best;
}

clgconv_status clg_tune(clgconv_context *ctx, const clg_shape *s, clgconv_algo *algo,
                        int *variant)
{
    uint64_t key = tuning_key(ctx, s);
    clgconv_algo a;
    int v;
    if (tuning_lookup(key, &a, &v)) {
        const clg_algo_impl *impl = clg_algo_get(a);
        int count = impl && impl->variant_count ? impl->variant_count(ctx, s) : 1;
        if (impl && v < count && impl->supports(ctx, s) == CLGCONV_SUCCESS) {
            *algo = a, *variant = v;
            return CLGCONV_SUCCESS;
        }
    }
    tuning_buffers b;
    clgconv_status st = buffers_create(ctx, s, &b);
    if (st != CLGCONV_SUCCESS) return st;
    double best = -1;
    const bool report = clg_verbose();
    if (report) {
        char text[200];
        clg_shape_text(s, text, sizeof text);
        fprintf(stderr, "clgconv: tuning %s\n", text);
    }
    for (int ai = 1; ai < CLGCONV_ALGO_COUNT_; ++ai) {
        const clg_algo_impl *impl = clg_algo_get((clgconv_algo)ai);
        if (!impl || impl->supports(ctx, s) != CLGCONV_SUCCESS) continue;
        int count = impl->variant_count ? impl->variant_count(ctx, s) : 1;
        for (int vi = 0; vi < count; ++vi) {
            clgconv_plan *plan = NULL;
            /* A candidate that cannot be built or run here is skipped, not fatal. */
            if (clg_plan_create_exact(ctx, s, (clgconv_algo)ai, vi, &plan) != CLGCONV_SUCCESS) {
                if (report)
                    fprintf(stderr, "clgconv: tuned %s variant %d: failed (plan creation)\n",
                            clgconv_algo_name((clgconv_algo)ai), vi);
                continue;
            }
            double t = measure(ctx, plan, &b);
            clgconv_plan_release(plan);
            if (report && t >= 0)
                fprintf(stderr, "clgconv: tuned %s variant %d: %.4f ms\n",
                        clgconv_algo_name((clgconv_algo)ai), vi, t * 1e3);
            else if (report)
                fprintf(stderr, "clgconv: tuned %s variant %d: failed (run)\n",
                        clgconv_algo_name((clgconv_algo)ai), vi);
            if (t >= 0 && (best < 0 || t < best)) best = t, *algo = (clgconv_algo)ai, *variant = vi;
        }
    }
    buffers_release(&b);
    if (best < 0)
        return clg_fail(CLGCONV_ERROR_UNSUPPORTED,
                        "tuning found no algorithm that runs this convolution on %s",
                        ctx->info.description);
    tuning_store(key, *algo, *variant, best, s);
    return CLGCONV_SUCCESS;
}
