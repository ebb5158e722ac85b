/* clgconv.h: public C API of clgconv, grouped 2-D convolution on any OpenCL device. */
#ifndef CLGCONV_H
#define CLGCONV_H

/*
 * Overview
 * --------
 * A grouped convolution splits the C input channels into g groups of C/g channels; each group has
 * its own K/g filters that read only that group's channels, and the g outputs are concatenated
 * into K channels. g = 1 is a dense convolution, g = C a depthwise one (K = m*C: channel
 * multiplier m).
 *
 *   y[n][k][oy][ox] = clamp(b[k] + sum_{c < C/g, ky < kh, kx < kw}
 *                              x[n][gi*(C/g) + c][oy*sh - pad_top + ky*dh][ox*sw - pad_left + kx*dw]
 *                              * w[k][c][ky][kx],  output_min, output_max),   gi = k / (K/g)
 *
 * with x read as 0 outside the image. Layout NCHW or NHWC applies to input and output; weights
 * are always [K][C/g][kh][kw] (the PyTorch / ONNX layout); bias is [K] or absent. All tensors
 * are float32.
 *
 * Usage: wrap your cl_context/cl_device_id in a clgconv_context, create a clgconv_plan per layer
 * (this compiles the OpenCL programs it needs), then call clgconv_conv2d_forward as often as you
 * like: it only enqueues work on your queue. Weights that stay fixed can be packed once
 * (clgconv_conv2d_pack_weights) and passed to clgconv_conv2d_forward_packed, which skips the
 * per-call weight rearrangement some plans do.
 *
 * Errors: every function returning clgconv_status validates all of its arguments before it
 * touches any buffer or enqueues anything. On failure it returns a specific status and leaves a
 * message naming the offending field and its value, readable with clgconv_last_error() on the
 * same thread. On failure no output is written, nothing is enqueued and nothing leaks.
 *
 * Thread safety:
 *  - clgconv_status_string, clgconv_last_error, clgconv_conv2d_desc_init,
 *    clgconv_conv2d_output_size and clgconv_conv2d_reference are thread-safe (the last-error
 *    message is per thread).
 *  - A clgconv_context may be used from several threads at once: plan creation (and its
 *    program cache) and clgconv_conv2d_forward_host are internally synchronised
 *    (forward_host calls on one context are serialised).
 *  - A clgconv_plan is immutable after creation: clgconv_conv2d_forward,
 *    clgconv_conv2d_forward_packed and clgconv_conv2d_pack_weights may be called on the same
 *    plan from several threads at once, on the same or different queues. Each concurrent
 *    forward call needs its own workspace buffer if the plan needs one.
 *  - clgconv_plan_release / clgconv_context_release must not race with other uses of the same
 *    object. A context may be released before its plans: it stays alive until the last plan that
 *    uses it is released.
 */

#ifndef CL_TARGET_OPENCL_VERSION
#define CL_TARGET_OPENCL_VERSION 120
#endif
#ifdef __APPLE__
#include <OpenCL/cl.h>
#else
#include <CL/cl.h>
#endif

#include <stddef.h>

#if defined(_WIN32) && defined(CLGCONV_SHARED)
#if defined(CLGCONV_BUILDING)
#define CLGCONV_API __declspec(dllexport)
#else
#define CLGCONV_API __declspec(dllimport)
#endif
#elif defined(__GNUC__) || defined(__clang__)
#define CLGCONV_API __attribute__((visibility("default")))
#else
#define CLGCONV_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

#define CLGCONV_VERSION_MAJOR 0
#define CLGCONV_VERSION_MINOR 1
#define CLGCONV_VERSION_PATCH 0

/* "MAJOR.MINOR.PATCH" of the library actually linked. */
CLGCONV_API const char *clgconv_version(void);

/* ---------------------------------------------------------------- status and errors */

typedef enum clgconv_status {
    CLGCONV_SUCCESS = 0,
    CLGCONV_ERROR_INVALID_ARGUMENT, /* a bad descriptor field, NULL handle, buffer too small, ... */
    CLGCONV_ERROR_UNSUPPORTED,      /* valid request this device/algorithm cannot run */
    CLGCONV_ERROR_OUT_OF_MEMORY,    /* host or device allocation failed */
    CLGCONV_ERROR_BUILD_FAILED,     /* an OpenCL program failed to build (log in the message) */
    CLGCONV_ERROR_OPENCL,           /* any other failing OpenCL call (its cl error in the message) */
    CLGCONV_ERROR_NO_DEVICE         /* no OpenCL platform/device could be found or opened */
} clgconv_status;

/* Short name and meaning of a status, e.g. "CLGCONV_ERROR_INVALID_ARGUMENT: invalid argument".
   Never NULL; unknown values give "unknown status". */
CLGCONV_API const char *clgconv_status_string(clgconv_status status);

/* Human-readable detail of the last call on this thread that failed, e.g.
   "in_channels (30) is not divisible by groups (4)". Never NULL ("" before any failure).
   A successful call does not clear it. The pointer stays valid until the next failing call on
   this thread. */
CLGCONV_API const char *clgconv_last_error(void);

/* ---------------------------------------------------------------- the problem descriptor */

typedef enum clgconv_layout { CLGCONV_LAYOUT_NCHW = 0, CLGCONV_LAYOUT_NHWC = 1 } clgconv_layout;

typedef struct clgconv_conv2d_desc {
    int batch;                                    /* N */
    int in_channels;                              /* C, over all groups */
    int in_height, in_width;                      /* H, W */
    int out_channels;                             /* K, over all groups */
    int groups;                                   /* g: divides C and K. 1 = dense, C = depthwise */
    int kernel_h, kernel_w;
    int stride_h, stride_w;
    int pad_top, pad_left, pad_bottom, pad_right; /* zero padding, may be asymmetric, >= 0 */
    int dilation_h, dilation_w;
    float output_min, output_max; /* fused clamp after bias: ReLU = [0, +inf], ReLU6 = [0, 6] */
    clgconv_layout layout;        /* of input and output; weights are always [K][C/g][kh][kw] */
} clgconv_conv2d_desc;

/* Defaults: all sizes 0 (must be set), groups 1, strides 1, pads 0, dilations 1,
   output_min -INFINITY, output_max +INFINITY, layout NCHW. desc must not be NULL. */
CLGCONV_API void clgconv_conv2d_desc_init(clgconv_conv2d_desc *desc);

/* Validates desc and gives OH = (H + pad_top + pad_bottom - dilation_h*(kernel_h-1) - 1)/stride_h + 1,
   OW alike. Checks every field (positive sizes, groups dividing C and K, strides and dilations
   >= 1, pads >= 0, the dilated kernel fitting in the padded input, output_min <= output_max and
   neither NaN, a known layout, and that every tensor's element count is below 2^60, so that
   its byte size fits in 64 bits, and that its byte size fits in size_t). Returns CLGCONV_ERROR_INVALID_ARGUMENT with the field named otherwise.
   out_height / out_width may be NULL. */
CLGCONV_API clgconv_status clgconv_conv2d_output_size(const clgconv_conv2d_desc *desc,
                                                      int *out_height, int *out_width);

/* Sizes in bytes of the four tensors of a valid desc (any pointer may be NULL; bias_bytes is
   K*4). Returns the same errors as clgconv_conv2d_output_size. */
CLGCONV_API clgconv_status clgconv_conv2d_tensor_bytes(const clgconv_conv2d_desc *desc,
                                                       size_t *input_bytes, size_t *weight_bytes,
                                                       size_t *bias_bytes, size_t *output_bytes);

/* Multiply-accumulate count of the layer (N*K*OH*OW*(C/g)*kh*kw); FLOPs are twice this.
   Returns 0 for an invalid desc. */
CLGCONV_API double clgconv_conv2d_macs(const clgconv_conv2d_desc *desc);

/* ---------------------------------------------------------------- contexts */

typedef struct clgconv_context clgconv_context;

/* Wraps a caller's context and device (both retained here, released on release). device must
   belong to cl_ctx. Queries the device's limits once. Thread-safe. */
CLGCONV_API clgconv_status clgconv_context_create(cl_context cl_ctx, cl_device_id device,
                                                  clgconv_context **out);

/* Opens a device itself: the one named by env CLGCONV_DEVICE if set, else the first GPU, else the
   first device. CLGCONV_DEVICE is either "P:D" (platform index P, device index D within it),
   a plain index over all devices of all platforms (in the order of clgconv-bench
   --list-devices), or a case-insensitive substring of "platform name / device name".
   Returns CLGCONV_ERROR_NO_DEVICE when nothing matches or no device exists. */
CLGCONV_API clgconv_status clgconv_context_create_default(clgconv_context **out);

/* Drops the caller's reference; the context is destroyed once no plan uses it. NULL is a no-op. */
CLGCONV_API void clgconv_context_release(clgconv_context *ctx);

/* The OpenCL objects behind a context (not retained for the caller). Either pointer may be NULL. */
CLGCONV_API clgconv_status clgconv_context_get_cl(const clgconv_context *ctx, cl_context *cl_ctx,
                                                  cl_device_id *device);

/* "platform / device / driver version" of the context's device. Never NULL for a valid ctx. */
CLGCONV_API const char *clgconv_context_device_name(const clgconv_context *ctx);

/* Tuning. When on, plan creation with CLGCONV_ALGO_AUTO measures, once per shape, every algorithm
   that supports it and each of its parameter variants (tile / local-size / vector-width choices),
   running them on temporary buffers on an internal queue, and remembers the fastest on disk
   (tuning.txt in the cache directory: $CLGCONV_CACHE_DIR, else $XDG_CACHE_HOME/clgconv, else
   ~/.cache/clgconv), keyed by device, driver version, library version and shape. Later plans for
   the same shape, in any process, reuse the winner without measuring. Off by default (AUTO then
   uses the library's cost model); CLGCONV_TUNE=1 in the environment turns it on for every new
   context. Tuning makes the first plan of a shape slow (it runs every candidate). */
CLGCONV_API clgconv_status clgconv_context_set_tuning(clgconv_context *ctx, int enable);

/* ---------------------------------------------------------------- plans */

typedef enum clgconv_algo {
    CLGCONV_ALGO_AUTO = 0,      /* the library picks per shape and device */
    CLGCONV_ALGO_DIRECT = 1,    /* direct kernel: any shape, all groups in one launch */
    CLGCONV_ALGO_TILED = 2,     /* register-tiled direct kernel specialised per shape (vectorised) */
    CLGCONV_ALGO_DEPTHWISE = 3, /* depthwise (C/g = 1, any multiplier); also C/g = K/g = 2, 4 */
    CLGCONV_ALGO_GEMM = 4,      /* grouped im2col (none for 1x1) + our own batched GEMM kernel */
    CLGCONV_ALGO_CLBLAST = 5,   /* grouped im2col + CLBlast batched SGEMM (if built with CLBlast) */
    CLGCONV_ALGO_COUNT_ = 6     /* number of values; not an algorithm */
} clgconv_algo;
/* Which algorithm takes which shape: DIRECT takes every valid shape whose tensors fit the
   device's allocation limit (it switches to 64-bit index and coordinate arithmetic when needed),
   so AUTO always finds one. The others return CLGCONV_ERROR_UNSUPPORTED, with the reason, for
   shapes outside their design: DEPTHWISE needs groups == in_channels, or groups of 2 or 4
   input and as many output channels: in NHWC with out_channels a multiple of 8, in NCHW on CPU
   devices for windows up to 11x11, stride_w up to 2 and planes of up to 1024 outputs; TILED
   unrolls windows of at most 121 taps; all four refuse shapes whose input coordinates would
   leave 32-bit ints (strides, pads or dilations near 2^31) or whose image planes exceed 2^31
   elements. */

/* "auto", "direct", "tiled", "depthwise", "gemm", "clblast"; NULL for unknown values. */
CLGCONV_API const char *clgconv_algo_name(clgconv_algo algo);

/* Parses the names above; returns CLGCONV_ERROR_INVALID_ARGUMENT for anything else. */
CLGCONV_API clgconv_status clgconv_algo_from_name(const char *name, clgconv_algo *algo);

typedef struct clgconv_plan clgconv_plan;

/* Validates desc, checks that algo can run it on ctx's device (UNSUPPORTED otherwise, with the
   reason), and compiles every OpenCL program it needs (programs are cached per context and
   build options and shared by all plans). The plan copies desc. Thread-safe on one context. */
CLGCONV_API clgconv_status clgconv_conv2d_plan_create(clgconv_context *ctx,
                                                      const clgconv_conv2d_desc *desc,
                                                      clgconv_algo algo, clgconv_plan **out);

/* Bytes of device workspace forward needs; 0 when none is needed (then pass NULL). Which plans
   need one: GEMM and CLBLAST (im2col matrices; little or none for 1x1 layers), TILED in
   NHWC (transposed weights; for layers with few channels per group, run through the NCHW
   kernel, the input copied as a padded NCHW image instead) and TILED in NCHW when it zero-pads
   the input first (shapes whose padding or row ends put pixel blocks on the border path, e.g.
   7x7-28x28 images). */
CLGCONV_API size_t clgconv_plan_workspace_size(const clgconv_plan *plan);

/* The algorithm the plan runs (never AUTO) and its descriptor. */
CLGCONV_API clgconv_algo clgconv_plan_algo(const clgconv_plan *plan);
CLGCONV_API const clgconv_conv2d_desc *clgconv_plan_desc(const clgconv_plan *plan);

/* NULL is a no-op. Must not race with a forward call on the same plan; work already enqueued
   stays valid (kernels are retained by the OpenCL runtime until they complete). */
CLGCONV_API void clgconv_plan_release(clgconv_plan *plan);

/* ---------------------------------------------------------------- running */

/* Enqueues the convolution on the caller's queue; never blocks on it. input [N][C][H][W] (or
   NHWC), weights [K][C/g][kh][kw], bias [K] or NULL, output [N][K][OH][OW] (or NHWC), each a
   buffer of the plan's context at least as large as the tensor (checked with CL_MEM_SIZE);
   output must not be the same buffer as input, weights, bias or workspace, nor workspace the
   same as input, weights or bias (nor overlapping sub-buffers of one). workspace may be NULL
   when the plan needs none, else it must hold clgconv_plan_workspace_size bytes. Buffer flags:
   input, weights and bias are read (not CL_MEM_WRITE_ONLY), output is written (not
   CL_MEM_READ_ONLY; CL_MEM_WRITE_ONLY is fine), workspace is written and read back (neither).
   The queue and every wait event must belong to the plan's context (the queue to its device
   too). The enqueued work waits for
   wait_events; when event is not NULL it receives an event the caller owns (release it with
   clReleaseEvent) that completes when the output is written. Works on in-order and
   out-of-order queues. On any error nothing is enqueued and no buffer is written, *event stays
   NULL. Two precise limits of that promise, both only for OpenCL runtime failures (never for
   argument errors, which are all checked first): an algorithm that launches several kernels
   (GEMM, CLBLAST, TILED with a workspace) writes its intermediate results to the workspace
   only, so a failure while enqueueing its later kernels can leave the workspace (never the
   output) modified; and a GEMM or
   CLBLAST plan whose im2col exceeds its workspace cap (min(256 MiB, half the device's largest
   allocation)) works through (image, group) chunks, so a failure enqueueing a later chunk can
   leave earlier chunks' part of the output written. The workspace's contents are unspecified
   between calls. */
CLGCONV_API clgconv_status clgconv_conv2d_forward(const clgconv_plan *plan, cl_command_queue queue,
                                                  cl_mem input, cl_mem weights, cl_mem bias,
                                                  cl_mem output, cl_mem workspace,
                                                  cl_uint num_wait_events,
                                                  const cl_event *wait_events, cl_event *event);

/* Convenience for host arrays: plans (or reuses a plan cached in ctx, with its device buffers
   and workspace), uploads, runs, waits, downloads. bias may be NULL. Uses an internal in-order
   queue of ctx. output is written only on success. Calls on one context are serialised. */
CLGCONV_API clgconv_status clgconv_conv2d_forward_host(clgconv_context *ctx,
                                                       const clgconv_conv2d_desc *desc,
                                                       const float *input, const float *weights,
                                                       const float *bias, float *output);

/* The CPU reference: plain loops, double accumulation, no OpenCL. Same layouts and semantics.
   Validates like clgconv_conv2d_output_size; bias may be NULL. */
CLGCONV_API clgconv_status clgconv_conv2d_reference(const clgconv_conv2d_desc *desc,
                                                    const float *input, const float *weights,
                                                    const float *bias, float *output);

/* ---------------------------------------------------------------- packed weights */

/* Weights packed once for repeated forward calls. Some plans rearrange the weights on every
   forward call before the convolution proper (TILED plans that run their NHWC kernel - most
   NHWC layers, and NCHW layers with small images - transpose them so that output channels are
   contiguous; GEMM in NHWC transposes the weight matrix). An application whose weights do not
   change between calls (inference) can pack them once into a buffer of its own and then call
   clgconv_conv2d_forward_packed, which skips that step: one kernel launch and one pass over the
   weights fewer per call. Plans that read the weights as given pack them as a plain copy, so
   the same code works with every plan; clgconv_plan_packs_weights tells them apart.

   The packed layout is private to the plan that packed it (it depends on the plan's algorithm,
   tiles and device): pass packed weights only to clgconv_conv2d_forward_packed with that plan.
   Repack after the weights change. forward_packed only reads the packed buffer, so concurrent
   calls may share it.

   clgconv_plan_packed_weights_size: bytes the packed weights buffer must hold (at least the
   weights' own size). clgconv_plan_packed_workspace_size: bytes of workspace
   clgconv_conv2d_forward_packed needs (never more than clgconv_plan_workspace_size; 0 means none,
   pass NULL). Both return 0 for a NULL plan. */
CLGCONV_API size_t clgconv_plan_packed_weights_size(const clgconv_plan *plan);
CLGCONV_API size_t clgconv_plan_packed_workspace_size(const clgconv_plan *plan);

/* 1 when the plan's packed layout differs from the weights' own (packing rearranges them and
   forward_packed saves that work in every call); 0 when packing is a plain copy - then the
   weights buffer itself may be passed to clgconv_conv2d_forward_packed as packed_weights, with
   no packing and no second buffer - and for a NULL plan. */
CLGCONV_API int clgconv_plan_packs_weights(const clgconv_plan *plan);

/* Enqueues the packing of weights [K][C/g][kh][kw] into packed_weights (a writable buffer of the
   plan's context holding at least clgconv_plan_packed_weights_size bytes, not the same buffer as
   weights, nor overlapping it; weights not CL_MEM_WRITE_ONLY). forward_packed then reads
   packed_weights: a buffer created CL_MEM_WRITE_ONLY is refused there. Queue, wait list and
   event as in clgconv_conv2d_forward; validates everything first and on any error enqueues
   nothing and writes nothing. Thread-safe like forward. */
CLGCONV_API clgconv_status clgconv_conv2d_pack_weights(const clgconv_plan *plan,
                                                       cl_command_queue queue, cl_mem weights,
                                                       cl_mem packed_weights,
                                                       cl_uint num_wait_events,
                                                       const cl_event *wait_events,
                                                       cl_event *event);

/* clgconv_conv2d_forward with weights packed by clgconv_conv2d_pack_weights (make the call wait
   for the packing's event, or use an in-order queue). The same checks, semantics and failure
   promises; workspace needs clgconv_plan_packed_workspace_size bytes; output must not be the
   same buffer as packed_weights, nor workspace the same as input, packed_weights or bias. */
CLGCONV_API clgconv_status clgconv_conv2d_forward_packed(const clgconv_plan *plan,
                                                         cl_command_queue queue, cl_mem input,
                                                         cl_mem packed_weights, cl_mem bias,
                                                         cl_mem output, cl_mem workspace,
                                                         cl_uint num_wait_events,
                                                         const cl_event *wait_events,
                                                         cl_event *event);

#ifdef __cplusplus
}
#endif

#endif /* CLGCONV_H */
