/* testing.h: test-only hooks exported by the library (failure injection, object counting); not installed. */
#ifndef CLGCONV_TESTING_H
#define CLGCONV_TESTING_H

#include "clgconv.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Makes the nth (0-based) OpenCL call made by the library on this thread from now on fail with
   err (a negative cl error). nth < 0 disables injection. Resets this thread's call counter. */
CLGCONV_API void clgconv_testing_fail_call(long nth, cl_int err);

/* OpenCL calls the library made on this thread since the last clgconv_testing_fail_call. */
CLGCONV_API long clgconv_testing_call_count(void);

/* Name of the OpenCL function whose failure was injected last on this thread ("" if none). */
CLGCONV_API const char *clgconv_testing_injected_call(void);

/* OpenCL objects (buffers, programs, kernels, queues, internal events, contexts retained)
   that the library created or retained and has not released yet, over all threads. */
CLGCONV_API long clgconv_testing_live_objects(void);

/* Tiled plans created on this thread from now on: -1 (default) lets the cost model decide
   (on GPUs, the measured rule gpu_padding_pays in algo_tiled.c) whether to zero-pad the input
   into the workspace first, 0 never does (border blocks and tiles
   take the checked border path), 1 does for every shape with border blocks (so tests cover
   both paths); 2 runs on the unpadded input with -DCLG_EDGES wherever the geometry allows
   (NCHW narrow rows with shifted edge loads, whatever the reduction and batch; CPU NHWC row
   tiles reading zeros for taps outside the image, whatever the batch and register count) and
   lets the model decide elsewhere. */
CLGCONV_API void clgconv_testing_tiled_padding(int mode);

/* How many tiled plans this thread has created with edge rows (-DCLG_EDGES), so that tests can
   tell that the edge-row cases reached them. */
CLGCONV_API long clgconv_testing_tiled_edge_plans(void);

/* Tiled plans created on this thread whose NHWC work-items take two channel vectors
   (-DCLG_KV=2: CPUs with 32 vector registers, groups of a multiple of 32 output channels). */
CLGCONV_API long clgconv_testing_tiled_kv_plans(void);

/* Tiled plans created on this thread whose NHWC tiles sum input channel pairs in 16-lane
   accumulators (-DCLG_RPV=2: CPUs with 32 vector registers, an even number of input channels
   per group, and output channels per group in 8-lane vectors: a multiple of 8 but not of 16
   (8, 24, 40, ...), or padded to 8-lane blocks, see clgconv_testing_tiled_channel_pad_plans). */
CLGCONV_API long clgconv_testing_tiled_pair_plans(void);

/* Tiled plans created on this thread whose NHWC kernel covers each group's output channels
   in 8-lane blocks rounded up past them (-DCLG_KPGP: CPUs with 32 vector registers, 5 or more
   output channels per group, not a multiple of 8). */
CLGCONV_API long clgconv_testing_tiled_channel_pad_plans(void);

/* Tiled plans created on this thread whose NCHW kernel runs pitched blocks over the padded
   image's flat positions (-DCLG_PITCHED without -DCLG_NHWC). */
CLGCONV_API long clgconv_testing_tiled_pitched_plans(void);

/* How many depthwise plans this thread has created whose NHWC kernel walks unrolled rows
   (-DCLG_ROW_OW), so that tests can tell that the row cases reached them. */
CLGCONV_API long clgconv_testing_depthwise_row_plans(void);

/* NHWC depthwise plans created on this thread from now on: -1 (default) lets the plan decide
   whether a work-item of its kernel takes several 16-channel vectors (-DCLG_KC; plans take it
   for layers larger than 1.25 MiB per compute unit), 0 never, 1 wherever the plan can (CPU
   devices planned for 32 registers, 16-lane vectors, multiplier 1, specialised windows, K/16
   with a divisor from 2 to 6), whatever the layer's size, so that tests cover it on small
   shapes. */
CLGCONV_API void clgconv_testing_depthwise_channel_vectors(int mode);

/* How many depthwise plans this thread has created whose NHWC work-items take several channel
   vectors. */
CLGCONV_API long clgconv_testing_depthwise_channel_vector_plans(void);

/* How many depthwise plans this thread has created with conv2d_depthwise_nchw_flat. */
CLGCONV_API long clgconv_testing_depthwise_flat_plans(void);

/* NCHW depthwise plans created on this thread from now on: -1 (default) lets the plan decide
   whether its staged-plane kernel stages a ring of rows instead of whole planes (-DCLG_RING;
   plans take it for layers larger than half the device's cache), 0 never, 1 for every shape
   the per-plane self-staged kernel takes on a CPU device, whatever its size (not those of the
   8/16-plane kernel, conv2d_depthwise_nchw_cv), so that tests cover the ring on small shapes. */
CLGCONV_API void clgconv_testing_depthwise_ring(int mode);

/* How many depthwise plans this thread has created whose staged-plane kernel stages a ring. */
CLGCONV_API long clgconv_testing_depthwise_ring_plans(void);

/* How many depthwise plans this thread has created whose kernel streams its output stores
   (-DCLG_STREAM_STORES=1, by the rule in clg_stream_stores or as clgconv_testing_stream_stores
   forces it). */
CLGCONV_API long clgconv_testing_depthwise_streamed_plans(void);

/* Tiled NHWC plans created on this thread from now on: -1 (default) lets the cost model decide
   whether to run the layer through the NCHW kernel between two layout copies, 0 never does, 1
   does for every NHWC layer whose copies fit the workspace limits. */
CLGCONV_API void clgconv_testing_tiled_via_nchw(int mode);

/* Tiled NCHW plans created on this thread from now on: -1 (default) lets the plan decide
   whether to run the layer through the NHWC kernel, 0 never does, 1 always does where the
   copies fit the workspace limits: with NCHW addressing in the pitched tiles for the layers
   that suit them (CPU devices, constant channel counts in 8-lane vectors, the default tile
   variant, not 1x1 flat runs), else on a transposed, padded copy of the input with NCHW
   stores; 2 always on the copy. */
CLGCONV_API void clgconv_testing_tiled_via_nhwc(int mode);

/* How many tiled NCHW plans this thread has created that run the NHWC kernel on a transposed
   copy of the input. */
CLGCONV_API long clgconv_testing_tiled_copy_plans(void);

/* Depthwise plans created on this thread from now on: -1 (default) lets the plan decide whether
   its kernels use streaming (non-temporal) output stores, 0 never, 1 always (where the kernel
   compiler has them; stores at addresses not aligned to the vector stay plain), so that tests
   cover the streamed stores on shapes of every size and alignment. */
CLGCONV_API void clgconv_testing_stream_stores(int mode);

/* Contexts created on this thread from now on plan as if their device were a GPU with
   compute_units compute units (its device facts otherwise), so that a CPU device runs the
   GPU-only choices of every algorithm (tile sizes, work-group shapes); 0 (default) plans for
   the device's own class. */
CLGCONV_API void clgconv_testing_plan_as_gpu(unsigned compute_units);

/* CPU contexts created on this thread from now on size their register tiles for this many
   8-float vector registers (16: AVX2-class, 32: AVX-512-class), whatever the device reports; 0
   (default) uses the device's own (32 where its native float vector is 16 lanes, else 16). */
CLGCONV_API void clgconv_testing_cpu_registers(int registers);

/* The vector registers (8-float units) ctx's CPU register tiles are sized for: 16 or 32 on CPU
   devices (after CLGCONV_CPU_REGISTERS and clgconv_testing_cpu_registers), 0 on others. */
CLGCONV_API int clgconv_testing_context_cpu_registers(const clgconv_context *ctx);

/* Plans created on this thread from now on cap the GEMM paths' im2col workspace at this many
   bytes (at most the library's own cap), so that small shapes run in several (image, group)
   chunks; 0 (default) restores the library's cap. */
CLGCONV_API void clgconv_testing_workspace_cap(size_t bytes);

/* Program binaries stored on this thread from now on under CLGCONV_CACHE_BINARIES=auto count as
   slower to fetch than to build (1), so that the device is marked and no more are stored, or
   are measured (0, default). */
CLGCONV_API void clgconv_testing_slow_binaries(int slow);

/* AUTO's view of desc on ctx, building nothing: each algorithm's estimated seconds in
   seconds[algo] (negative where the algorithm cannot run desc; seconds[CLGCONV_ALGO_AUTO]
   negative) and the algorithm AUTO would take in *pick (without tuning). For replaying the
   cost models against measured times (tests/auto_replay.c). */
CLGCONV_API clgconv_status clgconv_testing_auto_estimates(const clgconv_context *ctx,
                                                          const clgconv_conv2d_desc *desc,
                                                          double seconds[CLGCONV_ALGO_COUNT_],
                                                          clgconv_algo *pick);

#ifdef __cplusplus
}
#endif

#endif /* CLGCONV_TESTING_H */
