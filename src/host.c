/* host.c: clgconv_conv2d_forward_host, the host-array convenience path, with its per-context cache of plans and device buffers. */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Plans (with device buffers and workspace sized for them) kept for repeated host calls. */
#define CLG_HOST_CACHE_MAX 8

struct clg_host_entry {
    clgconv_plan *plan;
    cl_mem input, weights, bias, output, workspace;
    unsigned long last_use;
    clg_host_entry *next;
};



static void entry_free(clg_host_entry *e)
{
    cl_mem *mems[] = {&e->input, &e->weights, &e->bias, &e->output, &e->workspace};
    for (size_t i = 0; i < sizeof mems / sizeof mems[0]; ++i)
        if (*mems[i]) clg_clReleaseMemObject(*mems[i]);
    clgconv_plan_release(e->plan);
    free(e);
}

void clg_host_cache_clear(clgconv_context *ctx)
{
    clg_mutex_lock(&ctx->host_lock);
    for (clg_host_entry *e = ctx->host_entries, *next; e; e = next) {
        next = e->next;
        entry_free(e);
    }
    ctx->host_entries = NULL;
    ctx->host_entry_count = 0;
    clg_mutex_unlock(&ctx->host_lock);
}

static clgconv_status make_buffer(clgconv_context *ctx, cl_mem_flags flags, size_t bytes,
                                  const char *name, cl_mem *out)
{
    cl_int e;
    *out = clg_clCreateBuffer(ctx->cl_ctx, flags, bytes ? bytes : 4, NULL, &e);
    if (!*out) {
        char what[120];
        snprintf(what, sizeof what, "allocating the %s buffer (%zu bytes)", name, bytes);
        return clg_fail_cl("clCreateBuffer", e, what);
    }
    return CLGCONV_SUCCESS;
}

/* Finds or creates the cache entry for desc (with the lock held). */
static clgconv_status get_entry(clgconv_context *ctx, const clgconv_conv2d_desc *desc,
                                const clg_shape *s, clg_host_entry **out)
{
    for (clg_host_entry *e = ctx->host_entries; e; e = e->next)
        if (clg_desc_equal(&e->plan->shape.d, desc)) {
            *out = e;
            return CLGCONV_SUCCESS;
        }
    clg_host_entry *e = calloc(1, sizeof *e);
    if (!e) return clg_fail(CLGCONV_ERROR_OUT_OF_MEMORY, "allocating a host cache entry");
    clgconv_status st = clgconv_conv2d_plan_create(ctx, desc, CLGCONV_ALGO_AUTO, &e->plan);
    if (st == CLGCONV_SUCCESS)
        st = make_buffer(ctx, CL_MEM_READ_ONLY, (size_t)s->input_elems * 4, "input", &e->input);
    if (st == CLGCONV_SUCCESS)
        st = make_buffer(ctx, CL_MEM_READ_ONLY, (size_t)s->weight_elems * 4, "weights",
                         &e->weights);
    if (st == CLGCONV_SUCCESS)
        st = make_buffer(ctx, CL_MEM_READ_ONLY, (size_t)s->K * 4, "bias", &e->bias);
    if (st == CLGCONV_SUCCESS)
        st = make_buffer(ctx, CL_MEM_WRITE_ONLY, (size_t)s->output_elems * 4, "output",
                         &e->output);
    if (st == CLGCONV_SUCCESS && e->plan->workspace_bytes > 0)
        st = make_buffer(ctx, CL_MEM_READ_WRITE, e->plan->workspace_bytes, "workspace",
                         &e->workspace);
    if (st != CLGCONV_SUCCESS) {
        entry_free(e);
        return st;
    }
    /* Evict the least recently used entry when full. */
    if (ctx->host_entry_count >= CLG_HOST_CACHE_MAX) {
        clg_host_entry **victim = &ctx->host_entries;
        for (clg_host_entry **pp = &ctx->host_entries; *pp; pp = &(*pp)->next)
            if ((*pp)->last_use < (*victim)->last_use) victim = pp;
        clg_host_entry *v = *victim;
        *victim = v->next;
        entry_free(v);
        ctx->host_entry_count--;
    }
    e->next = ctx->host_entries;
    ctx->host_entries = e;
    ctx->host_entry_count++;
    *out = e;
    return CLGCONV_SUCCESS;
}

clgconv_status clgconv_conv2d_forward_host(clgconv_context *ctx, const clgconv_conv2d_desc *desc,
                                           const float *input, const float *weights,
                                           const float *bias, float *output)
{
    if (!ctx) return clg_fail(CLGCONV_ERROR_INVALID_ARGUMENT, "ctx is NULL");
    clg_shape s;
    clgconv_status st = clg_shape_from_desc(desc, &s);
    if (st != CLGCONV_SUCCESS) return st;
    if (!input) return clg_fail(CLGCONV_ERROR_INVALID_ARGUMENT, "input is NULL");
    if (!weights) return clg_fail(CLGCONV_ERROR_INVALID_ARGUMENT, "weights is NULL");
    if (!output) return clg_fail(CLGCONV_ERROR_INVALID_ARGUMENT, "output is NULL");

    clg_mutex_lock(&ctx->host_lock);
    cl_int e = CL_SUCCESS;
    if (!ctx->host_queue) {
        ctx->host_queue = clg_clCreateCommandQueue(ctx->cl_ctx, ctx->device, 0, &e);
        if (!ctx->host_queue) {
            clg_mutex_unlock(&ctx->host_lock);
            return clg_fail_cl("clCreateCommandQueue", e, "creating the host path's queue");
        }
    }
    clg_host_entry *en = NULL;
    st = get_entry(ctx, desc, &s, &en);
    if (st == CLGCONV_SUCCESS) {
        en->last_use = ++ctx->host_clock;
        cl_command_queue q = ctx->host_queue;
        const char *call = NULL;
        if ((e = clg_clEnqueueWriteBuffer(q, en->input, CL_FALSE, 0, (size_t)s.input_elems * 4,
                                          input, 0, NULL, NULL)) != CL_SUCCESS)
            call = "clEnqueueWriteBuffer";
        else if ((e = clg_clEnqueueWriteBuffer(q, en->weights, CL_FALSE, 0,
                                               (size_t)s.weight_elems * 4, weights, 0, NULL,
                                               NULL)) != CL_SUCCESS)
            call = "clEnqueueWriteBuffer";
        else if (bias && (e = clg_clEnqueueWriteBuffer(q, en->bias, CL_FALSE, 0, (size_t)s.K * 4,
                                                       bias, 0, NULL, NULL)) != CL_SUCCESS)
            call = "clEnqueueWriteBuffer";
        if (call) {
            st = clg_fail_cl(call, e, "uploading the host path's tensors");
        } else {
            st = clgconv_conv2d_forward(en->plan, q, en->input, en->weights,
                                        bias ? en->bias : NULL, en->output, en->workspace, 0, NULL,
                                        NULL);
        }
        /* Read into the caller's array only when everything before succeeded (blocking read:
           it also waits for the writes and the kernel on this in-order queue). */
        if (st == CLGCONV_SUCCESS &&
            (e = clg_clEnqueueReadBuffer(q, en->output, CL_TRUE, 0, (size_t)s.output_elems * 4,
                                         output, 0, NULL, NULL)) != CL_SUCCESS)
            st = clg_fail_cl("clEnqueueReadBuffer", e, "downloading the output");
        if (st != CLGCONV_SUCCESS) {
            /* Let queued uploads finish before returning: they read the caller's arrays. */
            e = clg_clFinish(q);
            (void)e;
        }
    }
    clg_mutex_unlock(&ctx->host_lock);
    return st;
}
