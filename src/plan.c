/* plan.c: plan creation (algorithm choice), plan queries and release, and clgconv_conv2d_forward's argument checks. */
#include "internal.h"
#include "testing.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const g_algo_names[CLGCONV_ALGO_COUNT_] = {"auto", "direct", "tiled",
                                                               "depthwise", "gemm", "clblast"};

const char *clgconv_algo_name(clgconv_algo algo)
{
    return (int)algo >= 0 && algo < CLGCONV_ALGO_COUNT_ ? g_algo_names[algo] : NULL;
}

clgconv_status clgconv_algo_from_name(const char *name, clgconv_algo *algo)
{
    if (!name) return clg_fail(CLGCONV_ERROR_INVALID_ARGUMENT, "algorithm name is NULL");
    if (!algo) return clg_fail(CLGCONV_ERROR_INVALID_ARGUMENT, "algo is NULL");
    for (int i = 0; i < CLGCONV_ALGO_COUNT_; ++i)
        if (strcmp(name, g_algo_names[i]) == 0) {
            *algo = (clgconv_algo)i;
            return CLGCONV_SUCCESS;
        }
    return clg_fail(CLGCONV_ERROR_INVALID_ARGUMENT,
                    "algorithm \"%s\" is not one of auto, direct, tiled, depthwise, gemm, clblast",
                    name);
}

/* Tensors must fit in one device allocation. */
static clgconv_status check_device_limits(const clgconv_context *ctx, const clg_shape *s)
{
    const struct {
        const char *name;
        int64_t elems;
    } t[] = {{"input", s->input_elems}, {"weights", s->weight_elems}, {"output", s->output_elems}};
    for (size_t i = 0; i < sizeof t / sizeof t[0]; ++i) {
        uint64_t bytes = (uint64_t)t[i].elems * sizeof(float);
        if (bytes > ctx->info.max_alloc)
            return clg_fail(CLGCONV_ERROR_UNSUPPORTED,
                            "the %s tensor (%llu bytes) is larger than the device's largest "
                            "allocation CL_DEVICE_MAX_MEM_ALLOC_SIZE (%llu bytes) on %s",
                            t[i].name, (unsigned long long)bytes,
                            (unsigned long long)ctx->info.max_alloc, ctx->info.description);
    }
    return CLGCONV_SUCCESS;
}

bool clg_verbose(void)
{
    const char *verbose = getenv("CLGCONV_VERBOSE");
    return verbose && *verbose && strcmp(verbose, "0") != 0;
}

int clg_shape_text(const clg_shape *s, char *buf, size_t size)
{
    const clgconv_conv2d_desc *d = &s->d;
    return snprintf(buf, size, "N%d C%d %dx%d K%d g%d k%dx%d s%dx%d p%d,%d,%d,%d d%dx%d %s",
                    d->batch, d->in_channels, d->in_height, d->in_width, d->out_channels,
                    d->groups, d->kernel_h, d->kernel_w, d->stride_h, d->stride_w, d->pad_top,
                    d->pad_left, d->pad_bottom, d->pad_right, d->dilation_h, d->dilation_w,
                    d->layout == CLGCONV_LAYOUT_NHWC ? "NHWC" : "NCHW");
}

/* AUTO: the supported algorithm with the smallest estimated time. seconds[a] gets algorithm
   a's estimate (negative where a cannot run s; seconds[CLGCONV_ALGO_AUTO] negative). */
static clgconv_status choose_algo(const clgconv_context *ctx, const clg_shape *s,
                                  clgconv_algo *out, double seconds[CLGCONV_ALGO_COUNT_])
{
    int pick = -1;
    seconds[CLGCONV_ALGO_AUTO] = -1.0;
    for (int a = 1; a < CLGCONV_ALGO_COUNT_; ++a) {
        const clg_algo_impl *impl = clg_algo_get((clgconv_algo)a);
        seconds[a] = -1.0;
        if (!impl || impl->supports(ctx, s) != CLGCONV_SUCCESS) continue;
        seconds[a] = impl->estimate(ctx, s);
        if (pick < 0 || seconds[a] < seconds[pick]) pick = a;
    }
    /* CLGCONV_VERBOSE=1: print every estimate to stderr (for calibrating the cost models). */
    if (clg_verbose() && pick >= 0) {
        char line[512];
        int len = snprintf(line, sizeof line, "clgconv: AUTO ");
        len += clg_shape_text(s, line + len, sizeof line - (size_t)len);
        len += snprintf(line + len, sizeof line - (size_t)len, ":");
        for (int a = 1; a < CLGCONV_ALGO_COUNT_ && len > 0 && (size_t)len < sizeof line; ++a)
            if (seconds[a] >= 0)
                len += snprintf(line + len, sizeof line - (size_t)len, " %s %.3f ms",
                                clgconv_algo_name((clgconv_algo)a), seconds[a] * 1e3);
        fprintf(stderr, "%s -> %s\n", line, clgconv_algo_name((clgconv_algo)pick));
    }
    if (pick < 0)
        return clg_fail(CLGCONV_ERROR_UNSUPPORTED, "no algorithm can run this convolution on %s",
                        ctx->info.description);
    *out = (clgconv_algo)pick;
    return CLGCONV_SUCCESS;
}

clgconv_status clgconv_testing_auto_estimates(const clgconv_context *ctx,
                                              const clgconv_conv2d_desc *desc,
                                              double seconds[CLGCONV_ALGO_COUNT_],
                                              clgconv_algo *pick)
{
    if (!ctx) return clg_fail(CLGCONV_ERROR_INVALID_ARGUMENT, "ctx is NULL");
    if (!desc) return clg_fail(CLGCONV_ERROR_INVALID_ARGUMENT, "desc is NULL");
    if (!seconds) return clg_fail(CLGCONV_ERROR_INVALID_ARGUMENT, "seconds is NULL");
    if (!pick) return clg_fail(CLGCONV_ERROR_INVALID_ARGUMENT, "pick is NULL");
    clg_shape shape;
    clgconv_status st = clg_shape_from_desc(desc, &shape);
    if (st != CLGCONV_SUCCESS) return st;
    st = check_device_limits(ctx, &shape);
    if (st != CLGCONV_SUCCESS) return st;
    return choose_algo(ctx, &shape, pick, seconds);
}

clgconv_status clg_plan_create_exact(clgconv_context *ctx, const clg_shape *shape,
                                     clgconv_algo algo, int variant, clgconv_plan **out)
{
    const clg_algo_impl *impl = clg_algo_get(algo);
    if (!impl)
        return clg_fail(CLGCONV_ERROR_UNSUPPORTED, "algorithm %s is not built into this library",
                        clgconv_algo_name(algo));
    clgconv_status st = impl->supports(ctx, shape);
    if (st != CLGCONV_SUCCESS) return st;

    clgconv_plan *plan = calloc(1, sizeof *plan);
    if (!plan) return clg_fail(CLGCONV_ERROR_OUT_OF_MEMORY, "allocating a plan");
    if (clg_mutex_init(&plan->lock) != 0) {
        free(plan);
        return clg_fail(CLGCONV_ERROR_OUT_OF_MEMORY, "creating a mutex");
    }
    plan->ctx = ctx;
    plan->shape = *shape;
    plan->algo = algo;
    plan->variant = variant;
    plan->impl = impl;
    st = impl->create(plan);
    if (st != CLGCONV_SUCCESS) {
        clg_mutex_destroy(&plan->lock);
        free(plan);
        return st;
    }
    if (!plan->packs_weights) {
        plan->packed_weights_bytes = (size_t)plan->shape.weight_elems * sizeof(float);
        plan->packed_workspace_bytes = plan->workspace_bytes;
    }
    if (plan->workspace_bytes > ctx->info.max_alloc) {
        unsigned long long need = (unsigned long long)plan->workspace_bytes;
        impl->destroy(plan);
        clg_mutex_destroy(&plan->lock);
        free(plan);
        return clg_fail(CLGCONV_ERROR_UNSUPPORTED,
                        "algorithm %s needs a workspace of %llu bytes, more than the device's "
                        "largest allocation (%llu bytes)",
                        clgconv_algo_name(algo), need, (unsigned long long)ctx->info.max_alloc);
    }
    clg_context_retain(ctx);
    *out = plan;
    return CLGCONV_SUCCESS;
}

clgconv_status clgconv_conv2d_plan_create(clgconv_context *ctx, const clgconv_conv2d_desc *desc,
                                          clgconv_algo algo, clgconv_plan **out)
{
    if (!out) return clg_fail(CLGCONV_ERROR_INVALID_ARGUMENT, "out is NULL");
    *out = NULL;
    if (!ctx) return clg_fail(CLGCONV_ERROR_INVALID_ARGUMENT, "ctx is NULL");
    clg_shape shape;
    clgconv_status st = clg_shape_from_desc(desc, &shape);
    if (st != CLGCONV_SUCCESS) return st;
    if ((int)algo < 0 || algo >= CLGCONV_ALGO_COUNT_)
        return clg_fail(CLGCONV_ERROR_INVALID_ARGUMENT, "algo (%d) is not a clgconv_algo value",
                        (int)algo);
    st = check_device_limits(ctx, &shape);
    if (st != CLGCONV_SUCCESS) return st;
    int variant = 0;
    if (algo == CLGCONV_ALGO_AUTO) {
        clg_mutex_lock(&ctx->lock);
        int tuning = ctx->tuning;
        clg_mutex_unlock(&ctx->lock);
        double seconds[CLGCONV_ALGO_COUNT_];
        st = tuning ? clg_tune(ctx, &shape, &algo, &variant)
                    : choose_algo(ctx, &shape, &algo, seconds);
        if (st != CLGCONV_SUCCESS) return st;
    }
    return clg_plan_create_exact(ctx, &shape, algo, variant, out);
}

size_t clgconv_plan_workspace_size(const clgconv_plan *plan)
{
    return plan ? plan->workspace_bytes : 0;
}

size_t clgconv_plan_packed_weights_size(const clgconv_plan *plan)
{
    return plan ? plan->packed_weights_bytes : 0;
}

size_t clgconv_plan_packed_workspace_size(const clgconv_plan *plan)
{
    return plan ? plan->packed_workspace_bytes : 0;
}

int clgconv_plan_packs_weights(const clgconv_plan *plan)
{
    return plan && plan->packs_weights ? 1 : 0;
}

clgconv_algo clgconv_plan_algo(const clgconv_plan *plan)
{
    return plan ? plan->algo : CLGCONV_ALGO_AUTO;
}

const clgconv_conv2d_desc *clgconv_plan_desc(const clgconv_plan *plan)
{
    return plan ? &plan->shape.d : NULL;
}

void clgconv_plan_release(clgconv_plan *plan)
{
    if (!plan) return;
    plan->impl->destroy(plan);
    clg_mutex_destroy(&plan->lock);
    clgconv_context *ctx = plan->ctx;
    free(plan);
    clg_context_unref(ctx);
}

/* ---------------------------------------------------------------- forward */

/* How a call uses a buffer: what its flags must allow (kernels may not read a
   CL_MEM_WRITE_ONLY buffer nor write a CL_MEM_READ_ONLY one; OpenCL leaves either undefined). */
typedef enum buffer_access { READ = 1, WRITE = 2, READ_WRITE = 3 } buffer_access;

/* Checks that mem is a buffer of ctx with at least need bytes whose flags allow the access. */
static clgconv_status check_buffer(const clgconv_context *ctx, cl_mem mem, const char *name,
                                   uint64_t need, buffer_access access)
{
    cl_context mctx;
    cl_int e = clg_clGetMemObjectInfo(mem, CL_MEM_CONTEXT, sizeof mctx, &mctx, NULL);
    if (e == CL_INVALID_MEM_OBJECT)
        return clg_fail(CLGCONV_ERROR_INVALID_ARGUMENT, "%s (%p) is not a valid cl_mem", name,
                        (void *)mem);
    if (e != CL_SUCCESS) return clg_fail_cl("clGetMemObjectInfo", e, "querying CL_MEM_CONTEXT");
    if (mctx != ctx->cl_ctx)
        return clg_fail(CLGCONV_ERROR_INVALID_ARGUMENT,
                        "%s (%p) belongs to another cl_context than the plan's", name,
                        (void *)mem);
    cl_mem_object_type type;
    e = clg_clGetMemObjectInfo(mem, CL_MEM_TYPE, sizeof type, &type, NULL);
    if (e != CL_SUCCESS) return clg_fail_cl("clGetMemObjectInfo", e, "querying CL_MEM_TYPE");
    if (type != CL_MEM_OBJECT_BUFFER)
        return clg_fail(CLGCONV_ERROR_INVALID_ARGUMENT, "%s (%p) is an image, not a buffer", name,
                        (void *)mem);
    size_t size;
    e = clg_clGetMemObjectInfo(mem, CL_MEM_SIZE, sizeof size, &size, NULL);
    if (e != CL_SUCCESS) return clg_fail_cl("clGetMemObjectInfo", e, "querying CL_MEM_SIZE");
    if ((uint64_t)size < need)
        return clg_fail(CLGCONV_ERROR_INVALID_ARGUMENT,
                        "%s buffer holds %llu bytes but the plan needs %llu", name,
                        (unsigned long long)size, (unsigned long long)need);
    cl_mem_flags flags;
    e = clg_clGetMemObjectInfo(mem, CL_MEM_FLAGS, sizeof flags, &flags, NULL);
    if (e != CL_SUCCESS) return clg_fail_cl("clGetMemObjectInfo", e, "querying CL_MEM_FLAGS");
    if ((access & WRITE) && (flags & CL_MEM_READ_ONLY))
        return clg_fail(CLGCONV_ERROR_INVALID_ARGUMENT,
                        "%s buffer (%p) is CL_MEM_READ_ONLY but is written", name, (void *)mem);
    if ((access & READ) && (flags & CL_MEM_WRITE_ONLY))
        return clg_fail(CLGCONV_ERROR_INVALID_ARGUMENT,
                        "%s buffer (%p) is CL_MEM_WRITE_ONLY but is read", name, (void *)mem);
    return CLGCONV_SUCCESS;
}

/* A buffer argument and the bytes of it a call touches (from its start); check_overlaps fills
   in where those bytes live. */
typedef struct buffer_use {
    const char *name;
    cl_mem mem; /* NULL: not used */
    uint64_t bytes;
    cl_mem root;    /* the buffer itself, or a sub-buffer's parent */
    uint64_t start; /* its offset there */
} buffer_use;

/* Where a buffer's bytes live: its parent and offset for a sub-buffer (OpenCL 1.2 sub-buffers do
   not nest), else itself at 0. */
static clgconv_status buffer_root(cl_mem mem, cl_mem *root, uint64_t *offset)
{
    cl_mem parent = NULL;
    size_t off = 0;
    cl_int e = clg_clGetMemObjectInfo(mem, CL_MEM_ASSOCIATED_MEMOBJECT, sizeof parent, &parent,
                                      NULL);
    if (e != CL_SUCCESS)
        return clg_fail_cl("clGetMemObjectInfo", e, "querying CL_MEM_ASSOCIATED_MEMOBJECT");
    if (parent) {
        e = clg_clGetMemObjectInfo(mem, CL_MEM_OFFSET, sizeof off, &off, NULL);
        if (e != CL_SUCCESS) return clg_fail_cl("clGetMemObjectInfo", e, "querying CL_MEM_OFFSET");
    }
    *root = parent ? parent : mem;
    *offset = off;
    return CLGCONV_SUCCESS;
}

/* INVALID_ARGUMENT when one of the first `written` uses overlaps any other use: the same
   buffer, or sub-buffers of one buffer whose touched byte ranges intersect (the kernels would
   read what they are writing). Uses are validated buffers of the plan's context. */
static clgconv_status check_overlaps(buffer_use *uses, size_t written, size_t count)
{
    clgconv_status st;
    for (size_t i = 0; i < count; ++i)
        if (uses[i].mem && (st = buffer_root(uses[i].mem, &uses[i].root, &uses[i].start)))
            return st;
    for (size_t i = 0; i < written && i < count; ++i) {
        if (!uses[i].mem) continue;
        for (size_t j = i + 1; j < count; ++j) {
            const buffer_use *a = &uses[i], *b = &uses[j];
            if (!b->mem || a->root != b->root) continue;
            const bool same = a->mem == b->mem;
            if (!same && (a->start >= b->start + b->bytes || b->start >= a->start + a->bytes))
                continue;
            if (same)
                return clg_fail(CLGCONV_ERROR_INVALID_ARGUMENT,
                                "%s (%p) is the same buffer as %s: the call writes %s while "
                                "reading %s (in-place operation is not supported)",
                                a->name, (void *)a->mem, b->name, a->name, b->name);
            return clg_fail(CLGCONV_ERROR_INVALID_ARGUMENT,
                            "%s (%p) and %s (%p) are sub-buffers of one buffer (%p) whose bytes "
                            "overlap (%s at offset %llu, %llu bytes used; %s at %llu, %llu): "
                            "the call writes %s",
                            a->name, (void *)a->mem, b->name, (void *)b->mem, (void *)a->root,
                            a->name, (unsigned long long)a->start, (unsigned long long)a->bytes,
                            b->name, (unsigned long long)b->start, (unsigned long long)b->bytes,
                            a->name);
        }
    }
    return CLGCONV_SUCCESS;
}

/* The checks every enqueueing call makes on its queue and wait list (plan and queue are not
   NULL: the caller checked): the list's pointers, the queue's context and device, then each
   event's context. */
static clgconv_status check_queue_and_waits(const clgconv_plan *plan, cl_command_queue queue,
                                            cl_uint num_wait_events, const cl_event *wait_events)
{
    if (num_wait_events > 0 && !wait_events)
        return clg_fail(CLGCONV_ERROR_INVALID_ARGUMENT,
                        "num_wait_events (%u) is not 0 but wait_events is NULL", num_wait_events);
    if (num_wait_events == 0 && wait_events)
        return clg_fail(CLGCONV_ERROR_INVALID_ARGUMENT,
                        "wait_events is not NULL but num_wait_events is 0");
    for (cl_uint i = 0; i < num_wait_events; ++i)
        if (!wait_events[i])
            return clg_fail(CLGCONV_ERROR_INVALID_ARGUMENT, "wait_events[%u] is NULL", i);
    const clgconv_context *ctx = plan->ctx;
    cl_context qctx;
    cl_int e = clg_clGetCommandQueueInfo(queue, CL_QUEUE_CONTEXT, sizeof qctx, &qctx, NULL);
    if (e == CL_INVALID_COMMAND_QUEUE)
        return clg_fail(CLGCONV_ERROR_INVALID_ARGUMENT, "queue (%p) is not a valid command queue",
                        (void *)queue);
    if (e != CL_SUCCESS) return clg_fail_cl("clGetCommandQueueInfo", e, "querying CL_QUEUE_CONTEXT");
    if (qctx != ctx->cl_ctx)
        return clg_fail(CLGCONV_ERROR_INVALID_ARGUMENT,
                        "queue (%p) belongs to another cl_context than the plan's", (void *)queue);
    cl_device_id qdev;
    e = clg_clGetCommandQueueInfo(queue, CL_QUEUE_DEVICE, sizeof qdev, &qdev, NULL);
    if (e != CL_SUCCESS) return clg_fail_cl("clGetCommandQueueInfo", e, "querying CL_QUEUE_DEVICE");
    if (qdev != ctx->device)
        return clg_fail(CLGCONV_ERROR_INVALID_ARGUMENT,
                        "queue (%p) is for another device than the plan's", (void *)queue);

    for (cl_uint i = 0; i < num_wait_events; ++i) {
        cl_context ectx;
        e = clg_clGetEventInfo(wait_events[i], CL_EVENT_CONTEXT, sizeof ectx, &ectx, NULL);
        if (e == CL_INVALID_EVENT)
            return clg_fail(CLGCONV_ERROR_INVALID_ARGUMENT,
                            "wait_events[%u] (%p) is not a valid cl_event", i,
                            (void *)wait_events[i]);
        if (e != CL_SUCCESS)
            return clg_fail_cl("clGetEventInfo", e, "querying CL_EVENT_CONTEXT of a wait event");
        if (ectx != ctx->cl_ctx)
            return clg_fail(CLGCONV_ERROR_INVALID_ARGUMENT,
                            "wait_events[%u] (%p) belongs to another cl_context than the plan's",
                            i, (void *)wait_events[i]);
    }
    return CLGCONV_SUCCESS;
}

/* clgconv_conv2d_forward (packed false: weights as given) and clgconv_conv2d_forward_packed
   (weights packed by clgconv_conv2d_pack_weights; named packed_weights in messages). */
static clgconv_status forward(const clgconv_plan *plan, cl_command_queue queue, cl_mem input,
                              cl_mem weights, cl_mem bias, cl_mem output, cl_mem workspace,
                              cl_uint num_wait_events, const cl_event *wait_events,
                              cl_event *event, bool packed)
{
    if (event) *event = NULL;
    const char *wname = packed ? "packed_weights" : "weights";
    clgconv_status st;
    if (!plan) return clg_fail(CLGCONV_ERROR_INVALID_ARGUMENT, "plan is NULL");
    if (!queue) return clg_fail(CLGCONV_ERROR_INVALID_ARGUMENT, "queue is NULL");
    if (!input) return clg_fail(CLGCONV_ERROR_INVALID_ARGUMENT, "input is NULL");
    if (!weights) return clg_fail(CLGCONV_ERROR_INVALID_ARGUMENT, "%s is NULL", wname);
    if (!output) return clg_fail(CLGCONV_ERROR_INVALID_ARGUMENT, "output is NULL");
    if ((st = check_queue_and_waits(plan, queue, num_wait_events, wait_events))) return st;
    const clgconv_context *ctx = plan->ctx;
    const clg_shape *s = &plan->shape;
    const uint64_t weight_bytes =
        packed ? plan->packed_weights_bytes : (uint64_t)s->weight_elems * 4;
    const size_t workspace_bytes = packed ? plan->packed_workspace_bytes : plan->workspace_bytes;

    if ((st = check_buffer(ctx, input, "input", (uint64_t)s->input_elems * 4, READ)) ||
        (st = check_buffer(ctx, weights, wname, weight_bytes, READ)) ||
        (bias && (st = check_buffer(ctx, bias, "bias", (uint64_t)s->K * 4, READ))) ||
        (st = check_buffer(ctx, output, "output", (uint64_t)s->output_elems * 4, WRITE)))
        return st;
    if (workspace_bytes > 0) {
        if (!workspace)
            return clg_fail(CLGCONV_ERROR_INVALID_ARGUMENT,
                            "workspace is NULL but the plan (algorithm %s) needs %llu bytes",
                            clgconv_algo_name(plan->algo), (unsigned long long)workspace_bytes);
        /* The plans write their pre-passes' results there and read them back. */
        if ((st = check_buffer(ctx, workspace, "workspace", workspace_bytes, READ_WRITE)))
            return st;
    }
    const bool uses_workspace = workspace && workspace_bytes > 0;
    /* What the plan writes (output, workspace) must not overlap anything else it touches. */
    buffer_use uses[] = {{"output", output, (uint64_t)s->output_elems * 4, NULL, 0},
                         {"workspace", uses_workspace ? workspace : NULL, workspace_bytes, NULL, 0},
                         {"input", input, (uint64_t)s->input_elems * 4, NULL, 0},
                         {wname, weights, weight_bytes, NULL, 0},
                         {"bias", bias, bias ? (uint64_t)s->K * 4 : 0, NULL, 0}};
    if ((st = check_overlaps(uses, 2, sizeof uses / sizeof uses[0]))) return st;

    clg_forward_args args = {input, weights, bias, output, uses_workspace ? workspace : NULL,
                             NULL, packed};
    clgconv_plan *mplan = (clgconv_plan *)plan; /* the lock is the only mutable part */
    clg_mutex_lock(&mplan->lock);
    st = plan->impl->enqueue(plan, queue, &args, num_wait_events, wait_events, event);
    clg_mutex_unlock(&mplan->lock);
    if (st == CLGCONV_SUCCESS && event && *event) clg_event_handed_out();
    return st;
}

clgconv_status clgconv_conv2d_forward(const clgconv_plan *plan, cl_command_queue queue,
                                      cl_mem input, cl_mem weights, cl_mem bias, cl_mem output,
                                      cl_mem workspace, cl_uint num_wait_events,
                                      const cl_event *wait_events, cl_event *event)
{
    return forward(plan, queue, input, weights, bias, output, workspace, num_wait_events,
                   wait_events, event, false);
}

clgconv_status clgconv_conv2d_forward_packed(const clgconv_plan *plan, cl_command_queue queue,
                                             cl_mem input, cl_mem packed_weights, cl_mem bias,
                                             cl_mem output, cl_mem workspace,
                                             cl_uint num_wait_events, const cl_event *wait_events,
                                             cl_event *event)
{
    return forward(plan, queue, input, packed_weights, bias, output, workspace, num_wait_events,
                   wait_events, event, true);
}

clgconv_status clgconv_conv2d_pack_weights(const clgconv_plan *plan, cl_command_queue queue,
                                           cl_mem weights, cl_mem packed_weights,
                                           cl_uint num_wait_events, const cl_event *wait_events,
                                           cl_event *event)
{
    if (event) *event = NULL;
    clgconv_status st;
    if (!plan) return clg_fail(CLGCONV_ERROR_INVALID_ARGUMENT, "plan is NULL");
    if (!queue) return clg_fail(CLGCONV_ERROR_INVALID_ARGUMENT, "queue is NULL");
    if (!weights) return clg_fail(CLGCONV_ERROR_INVALID_ARGUMENT, "weights is NULL");
    if (!packed_weights) return clg_fail(CLGCONV_ERROR_INVALID_ARGUMENT, "packed_weights is NULL");
    if ((st = check_queue_and_waits(plan, queue, num_wait_events, wait_events))) return st;
    const uint64_t weight_bytes = (uint64_t)plan->shape.weight_elems * 4;
    if ((st = check_buffer(plan->ctx, weights, "weights", weight_bytes, READ)) ||
        (st = check_buffer(plan->ctx, packed_weights, "packed_weights",
                           plan->packed_weights_bytes, WRITE)))
        return st;
    buffer_use uses[] = {{"packed_weights", packed_weights, plan->packed_weights_bytes, NULL, 0},
                         {"weights", weights, weight_bytes, NULL, 0}};
    if ((st = check_overlaps(uses, 1, 2))) return st;

    clgconv_plan *mplan = (clgconv_plan *)plan;
    clg_mutex_lock(&mplan->lock);
    if (plan->packs_weights) {
        st = plan->impl->pack(plan, queue, weights, packed_weights, num_wait_events, wait_events,
                              event);
    } else {
        cl_int e = clg_clEnqueueCopyBuffer(queue, weights, packed_weights, 0, 0,
                                           (size_t)weight_bytes, num_wait_events, wait_events,
                                           event);
        st = e == CL_SUCCESS ? CLGCONV_SUCCESS
                             : clg_fail_cl("clEnqueueCopyBuffer", e, "copying the weights");
    }
    clg_mutex_unlock(&mplan->lock);
    if (st == CLGCONV_SUCCESS && event && *event) clg_event_handed_out();
    return st;
}
