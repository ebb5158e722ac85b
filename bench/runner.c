/* runner.c: runs one layer with one algorithm through the public plan API: buffers, warm-up, timed runs, verification against the CPU reference. */
#define _POSIX_C_SOURCE 200809L
#include "bench.h"

#include <float.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

const char *bench_status_name(bench_status status)
{
    switch (status) {
    case BENCH_OK: return "ok";
    case BENCH_FAIL: return "FAIL";
    case BENCH_UNSUPPORTED: return "unsupported";
    case BENCH_ERROR: return "ERROR";
    }
    return "?";
}

/* Images of the batch compared with the reference: the first and the last (one when N = 1).
   Each is checked on its full output with a batch-1 reference of that image alone. */
#define BENCH_MAX_VERIFIED_IMAGES 2

struct bench_layer_data {
    bench_layer layer;
    clgconv_layout layout;
    clgconv_conv2d_desc desc;
    size_t in_bytes, w_bytes, b_bytes, out_bytes;
    size_t in_image_elems, out_image_elems;
    float *input, *weights, *bias, *output;
    cl_mem d_input, d_weights, d_bias, d_output;
    /* Reference of the verified images (computed on first use, shared by all algorithms). */
    int ref_images[BENCH_MAX_VERIFIED_IMAGES];
    int ref_count;
    int ref_state; /* 0 not yet, 1 done, -1 failed */
    char ref_error[256];
    float *ref;    /* ref_count x out_image_elems */
    float *absref; /* the same convolution of |x|, |w|, |b|: the error bound's scale */
};

/* Deterministic xorshift64 fill with values in [-1, 1). */
static void fill_random(float *p, size_t n, uint64_t seed)
{
    uint64_t s = seed * 0x9E3779B97F4A7C15ull + 0x2545F4914F6CDD1Dull;
    for (size_t i = 0; i < n; ++i) {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        p[i] = (float)((s >> 40) & 0xFFFFFF) / 8388608.0f - 1.0f;
    }
}

static cl_mem create_buffer(cl_context c, cl_mem_flags flags, size_t bytes, void *host,
                            const char *what, char *err, size_t err_size)
{
    cl_int e = CL_SUCCESS;
    cl_mem m = clCreateBuffer(c, flags | (host ? CL_MEM_COPY_HOST_PTR : 0), bytes, host, &e);
    if (!m) snprintf(err, err_size, "clCreateBuffer(%s, %zu bytes) failed: %d", what, bytes, (int)e);
    return m;
}

bench_layer_data *bench_layer_data_create(bench_runner *runner, const bench_layer *layer,
                                          clgconv_layout layout, char *err, size_t err_size)
{
    bench_layer_data *d = calloc(1, sizeof *d);
    if (!d) {
        snprintf(err, err_size, "out of host memory");
        return NULL;
    }
    d->layer = *layer;
    d->layout = layout;
    bench_layer_to_desc(layer, layout, &d->desc);
    if (clgconv_conv2d_tensor_bytes(&d->desc, &d->in_bytes, &d->w_bytes, &d->b_bytes,
                                    &d->out_bytes) != CLGCONV_SUCCESS) {
        snprintf(err, err_size, "invalid layer %s: %s", layer->name, clgconv_last_error());
        free(d);
        return NULL;
    }
    d->in_image_elems = d->in_bytes / sizeof(float) / (size_t)layer->n;
    d->out_image_elems = d->out_bytes / sizeof(float) / (size_t)layer->n;
    d->input = malloc(d->in_bytes);
    d->weights = malloc(d->w_bytes);
    d->bias = malloc(d->b_bytes);
    d->output = malloc(d->out_bytes);
    if (!d->input || !d->weights || !d->bias || !d->output) {
        snprintf(err, err_size, "out of host memory for layer %s", layer->name);
        bench_layer_data_free(d);
        return NULL;
    }
    fill_random(d->input, d->in_bytes / sizeof(float), 1);
    fill_random(d->weights, d->w_bytes / sizeof(float), 2);
    fill_random(d->bias, d->b_bytes / sizeof(float), 3);
    d->d_input = create_buffer(runner->cl_ctx, CL_MEM_READ_ONLY, d->in_bytes, d->input, "input",
                               err, err_size);
    if (d->d_input)
        d->d_weights = create_buffer(runner->cl_ctx, CL_MEM_READ_ONLY, d->w_bytes, d->weights,
                                     "weights", err, err_size);
    if (d->d_weights)
        d->d_bias = create_buffer(runner->cl_ctx, CL_MEM_READ_ONLY, d->b_bytes, d->bias, "bias",
                                  err, err_size);
    if (d->d_bias)
        d->d_output = create_buffer(runner->cl_ctx, CL_MEM_READ_WRITE, d->out_bytes, NULL,
                                    "output", err, err_size);
    if (!d->d_output) {
        bench_layer_data_free(d);
        return NULL;
    }
    d->ref_images[0] = 0;
    d->ref_count = 1;
    if (layer->n > 1) d->ref_images[d->ref_count++] = layer->n - 1;
    return d;
}

void bench_layer_data_free(bench_layer_data *d)
{
    if (!d) return;
    if (d->d_input) clReleaseMemObject(d->d_input);
    if (d->d_weights) clReleaseMemObject(d->d_weights);
    if (d->d_bias) clReleaseMemObject(d->d_bias);
    if (d->d_output) clReleaseMemObject(d->d_output);
    free(d->input), free(d->weights), free(d->bias), free(d->output);
    free(d->ref), free(d->absref);
    free(d);
}

/* ---------------------------------------------------------------- the reference */

typedef struct reference_job {
    const clgconv_conv2d_desc *desc; /* batch 1 */
    const float *input, *weights, *bias;
    float *output;
    clgconv_status status;
    char error[256];
} reference_job;

static void *reference_thread(void *arg)
{
    reference_job *job = arg;
    job->status = clgconv_conv2d_reference(job->desc, job->input, job->weights, job->bias,
                                           job->output);
    if (job->status != CLGCONV_SUCCESS)
        snprintf(job->error, sizeof job->error, "%s", clgconv_last_error());
    return NULL;
}

static float *abs_copy(const float *p, size_t n)
{
    float *q = malloc(n * sizeof *q);
    if (q)
        for (size_t i = 0; i < n; ++i) q[i] = fabsf(p[i]);
    return q;
}

/* Computes, for each verified image, the reference output and the reference of |x|, |w|, |b|
   (the two run on two threads: the double-precision reference is the slow part of a run). */
static bool ensure_reference(bench_layer_data *d)
{
    if (d->ref_state != 0) return d->ref_state > 0;
    d->ref_state = -1;
    size_t out_n = d->out_image_elems;
    d->ref = malloc((size_t)d->ref_count * out_n * sizeof(float));
    d->absref = malloc((size_t)d->ref_count * out_n * sizeof(float));
    float *abs_in = malloc(d->in_image_elems * sizeof(float));
    float *abs_w = abs_copy(d->weights, d->w_bytes / sizeof(float));
    float *abs_b = abs_copy(d->bias, d->b_bytes / sizeof(float));
    if (!d->ref || !d->absref || !abs_in || !abs_w || !abs_b) {
        snprintf(d->ref_error, sizeof d->ref_error, "out of host memory for the reference");
        free(abs_in), free(abs_w), free(abs_b);
        return false;
    }
    clgconv_conv2d_desc one = d->desc;
    one.batch = 1;
    bool ok = true;
    for (int r = 0; r < d->ref_count && ok; ++r) {
        const float *image = d->input + (size_t)d->ref_images[r] * d->in_image_elems;
        for (size_t i = 0; i < d->in_image_elems; ++i) abs_in[i] = fabsf(image[i]);
        reference_job plain = {&one, image, d->weights, d->bias, d->ref + (size_t)r * out_n,
                               CLGCONV_SUCCESS, ""};
        reference_job absolute = {&one, abs_in, abs_w, abs_b, d->absref + (size_t)r * out_n,
                                  CLGCONV_SUCCESS, ""};
        pthread_t thread;
        bool threaded = pthread_create(&thread, NULL, reference_thread, &absolute) == 0;
        reference_thread(&plain);
        if (threaded)
            pthread_join(thread, NULL);
        else
            reference_thread(&absolute);
        const reference_job *bad = plain.status != CLGCONV_SUCCESS      ? &plain
                                   : absolute.status != CLGCONV_SUCCESS ? &absolute
                                                                        : NULL;
        if (bad) {
            snprintf(d->ref_error, sizeof d->ref_error, "clgconv_conv2d_reference failed: %.200s",
                     bad->error);
            ok = false;
        }
    }
    free(abs_in), free(abs_w), free(abs_b);
    if (ok) d->ref_state = 1;
    return ok;
}

/* Tolerance per element, as in the test suite: (L + 2) * FLT_EPSILON * sum|terms| + 1e-6, where
   L = (C/g)*kh*kw is the number of products summed. Any float32 summation order of L terms errs
   by at most about L * 2^-24 * sum|terms|; FLT_EPSILON = 2^-23 doubles that; +2 covers the bias
   add and the final rounding; 1e-6 absorbs outputs near zero. A wrong or missing term errs by the
   order of |x*w| ~ 0.1-1, far above this bound. */
static bool verify_output(bench_layer_data *d, double runner_tolerance_scale, bench_result *res)
{
    if (!ensure_reference(d)) {
        res->status = BENCH_ERROR;
        snprintf(res->message, sizeof res->message, "%s", d->ref_error);
        return false;
    }
    double reduction = (double)d->layer.c / d->layer.g * d->layer.kh * d->layer.kw;
    double worst = 0, worst_ratio = 0;
    long long failures = 0;
    for (int r = 0; r < d->ref_count; ++r) {
        const float *got = d->output + (size_t)d->ref_images[r] * d->out_image_elems;
        const float *ref = d->ref + (size_t)r * d->out_image_elems;
        const float *absref = d->absref + (size_t)r * d->out_image_elems;
        for (size_t i = 0; i < d->out_image_elems; ++i) {
            double err = fabs((double)got[i] - (double)ref[i]);
            double tol = runner_tolerance_scale * ((reduction + 2) * FLT_EPSILON * absref[i] + 1e-6);
            if (!(err <= tol)) { /* also catches NaN: an element never written stays NaN */
                if (failures++ == 0)
                    snprintf(res->message, sizeof res->message,
                             "image %d, element %zu of its output: got %.9g, reference %.9g "
                             "(tolerance %.3g)",
                             d->ref_images[r], i, (double)got[i], (double)ref[i], tol);
            }
            if (err > worst || err != err) worst = err;
            double ratio = err / tol;
            if (ratio > worst_ratio || ratio != ratio) worst_ratio = ratio;
        }
    }
    res->max_abs_err = worst;
    res->worst_err_ratio = worst_ratio;
    res->verified_images = d->ref_count;
    if (failures) {
        res->status = BENCH_FAIL;
        size_t len = strlen(res->message);
        snprintf(res->message + len, sizeof res->message - len, "; %lld elements out of tolerance",
                 failures);
        return false;
    }
    return true;
}

/* ---------------------------------------------------------------- one measurement */

int bench_compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void set_error(bench_result *res, bench_status status, const char *what, const char *detail)
{
    res->status = status;
    snprintf(res->message, sizeof res->message, "%s: %s", what, detail);
}

void bench_run_algo(bench_runner *runner, bench_layer_data *d, clgconv_algo algo,
                    bench_result *res)
{
    memset(res, 0, sizeof *res);
    res->layer = d->layer;
    res->layout = d->layout;
    res->algo_requested = algo;
    res->algo_used = CLGCONV_ALGO_AUTO;
    res->status = BENCH_OK;
    res->median_ms = res->min_ms = res->gflops = NAN;
    res->max_abs_err = res->worst_err_ratio = NAN;
    res->t_over_dense = NAN;
    res->plan_ms = NAN;
    res->macs = clgconv_conv2d_macs(&d->desc);

    clgconv_plan *plan = NULL;
    cl_mem workspace = NULL, packed = NULL;
    double *times = NULL;
    const double t_plan = bench_now_ms();
    clgconv_status st = clgconv_conv2d_plan_create(runner->ctx, &d->desc, algo, &plan);
    res->plan_ms = st == CLGCONV_SUCCESS ? bench_now_ms() - t_plan : NAN;
    if (st == CLGCONV_ERROR_UNSUPPORTED) {
        set_error(res, BENCH_UNSUPPORTED, "unsupported", clgconv_last_error());
        return;
    }
    if (st != CLGCONV_SUCCESS) {
        set_error(res, BENCH_ERROR, clgconv_status_string(st), clgconv_last_error());
        return;
    }
    res->algo_used = clgconv_plan_algo(plan);
    size_t ws_bytes = runner->packed ? clgconv_plan_packed_workspace_size(plan)
                                     : clgconv_plan_workspace_size(plan);
    char err[256] = "";
    if (runner->packed) { /* packed once, untimed, as an application loading its weights */
        packed = create_buffer(runner->cl_ctx, CL_MEM_READ_WRITE,
                               clgconv_plan_packed_weights_size(plan), NULL, "packed weights",
                               err, sizeof err);
        if (!packed) {
            set_error(res, BENCH_ERROR, "packed weights", err);
            goto done;
        }
        st = clgconv_conv2d_pack_weights(plan, runner->queue, d->d_weights, packed, 0, NULL,
                                         NULL);
        if (st != CLGCONV_SUCCESS) {
            set_error(res, BENCH_ERROR, clgconv_status_string(st), clgconv_last_error());
            goto done;
        }
    }
    if (ws_bytes) {
        workspace = create_buffer(runner->cl_ctx, CL_MEM_READ_WRITE, ws_bytes, NULL, "workspace",
                                  err, sizeof err);
        if (!workspace) {
            set_error(res, BENCH_ERROR, "workspace", err);
            goto done;
        }
    }
    /* NaN in the output first: an element the kernel never writes fails verification. */
    const float nan_value = NAN;
    cl_int e = clEnqueueFillBuffer(runner->queue, d->d_output, &nan_value, sizeof nan_value, 0,
                                   d->out_bytes, 0, NULL, NULL);
    if (e == CL_SUCCESS) e = clFinish(runner->queue);
    if (e != CL_SUCCESS) {
        snprintf(err, sizeof err, "OpenCL error %d", (int)e);
        set_error(res, BENCH_ERROR, "clEnqueueFillBuffer(output)", err);
        goto done;
    }
    int min_iters = runner->iters > 0 ? runner->iters : 1;
    int max_iters = runner->min_time_ms > 0 ? 50 * min_iters : min_iters;
    times = malloc((size_t)max_iters * sizeof *times);
    if (!times) {
        set_error(res, BENCH_ERROR, "timing", "out of host memory");
        goto done;
    }
    int iters = 0;
    double timed_ms = 0;
    for (int i = -runner->warmup; i < max_iters; ++i) {
        if (i >= min_iters && timed_ms >= runner->min_time_ms) break;
        double t0 = bench_now_ms();
        st = runner->packed
                 ? clgconv_conv2d_forward_packed(plan, runner->queue, d->d_input, packed,
                                                 d->d_bias, d->d_output, workspace, 0, NULL, NULL)
                 : clgconv_conv2d_forward(plan, runner->queue, d->d_input, d->d_weights,
                                          d->d_bias, d->d_output, workspace, 0, NULL, NULL);
        if (st != CLGCONV_SUCCESS) {
            set_error(res, BENCH_ERROR, clgconv_status_string(st), clgconv_last_error());
            goto done;
        }
        e = clFinish(runner->queue);
        double t1 = bench_now_ms();
        if (e != CL_SUCCESS) {
            snprintf(err, sizeof err, "OpenCL error %d after the forward call", (int)e);
            set_error(res, BENCH_ERROR, "clFinish", err);
            goto done;
        }
        if (i >= 0) {
            times[iters++] = t1 - t0;
            timed_ms += t1 - t0;
        }
    }
    qsort(times, (size_t)iters, sizeof *times, bench_compare_doubles);
    res->iters = iters;
    res->min_ms = times[0];
    res->median_ms = iters % 2 ? times[iters / 2] : 0.5 * (times[iters / 2 - 1] + times[iters / 2]);
    res->gflops = res->median_ms > 0 ? 2.0 * res->macs / (res->median_ms * 1e6) : NAN;

    if (runner->verify) {
        e = clEnqueueReadBuffer(runner->queue, d->d_output, CL_TRUE, 0, d->out_bytes, d->output,
                                0, NULL, NULL);
        if (e != CL_SUCCESS) {
            snprintf(err, sizeof err, "OpenCL error %d", (int)e);
            set_error(res, BENCH_ERROR, "clEnqueueReadBuffer(output)", err);
            goto done;
        }
        verify_output(d, runner->tolerance_scale, res);
    }
done:
    free(times);
    if (workspace) clReleaseMemObject(workspace);
    if (packed) clReleaseMemObject(packed);
    clgconv_plan_release(plan);
}
