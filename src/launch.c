/* launch.c: NDRange geometry, kernel argument and enqueue helpers shared by the algorithms. */
#include "internal.h"
#include "testing.h"

#include <math.h>
#include <stdio.h>

clgconv_status clg_kernel_wg_limit(const clgconv_context *ctx, cl_kernel kernel,
                                   const char *kernel_name, size_t *limit)
{
    size_t wg = 0;
    cl_int e = clg_clGetKernelWorkGroupInfo(kernel, ctx->device, CL_KERNEL_WORK_GROUP_SIZE,
                                            sizeof wg, &wg, NULL);
    if (e != CL_SUCCESS) {
        char what[200];
        snprintf(what, sizeof what, "querying CL_KERNEL_WORK_GROUP_SIZE of %s", kernel_name);
        return clg_fail_cl("clGetKernelWorkGroupInfo", e, what);
    }
    if (wg == 0 || wg > ctx->info.max_wg) wg = ctx->info.max_wg;
    *limit = wg ? wg : 1;
    return CLGCONV_SUCCESS;
}

void clg_launch_geometry(const clgconv_context *ctx, size_t wg_limit, cl_uint dims,
                         const size_t *work, const size_t *preferred, size_t *global,
                         size_t *local)
{
    size_t product = 1;
    for (cl_uint i = 0; i < dims; ++i) {
        size_t l = preferred[i] ? preferred[i] : 1;
        size_t cap = ctx->info.max_item[i] ? ctx->info.max_item[i] : 1;
        if (l > cap) l = cap;
        /* No point in a local size larger than the work, rounded up to a power of two. */
        size_t w = 1;
        while (w < work[i]) w <<= 1;
        if (l > w) l = w;
        local[i] = l;
        product *= l;
    }
    while (product > wg_limit) {
        cl_uint big = 0;
        for (cl_uint i = 1; i < dims; ++i)
            if (local[i] > local[big]) big = i;
        product /= local[big];
        local[big] = (local[big] + 1) / 2;
        product *= local[big];
    }
    for (cl_uint i = 0; i < dims; ++i) global[i] = clg_round_up(work[i] ? work[i] : 1, local[i]);
}

void clg_fixed_geometry(const clgconv_context *ctx, size_t wg_limit, const size_t *work,
                        const size_t *local_size, size_t *global, size_t *local)
{
    size_t padded[3];
    for (int i = 0; i < 3; ++i) padded[i] = clg_round_up(work[i] ? work[i] : 1, local_size[i]);
    clg_launch_geometry(ctx, wg_limit, 3, padded, local_size, global, local);
}

void clg_device_geometry(const clgconv_context *ctx, size_t wg_limit, const size_t *work,
                         const size_t *cpu_local, size_t *global, size_t *local)
{
    if (ctx->info.is_cpu) {
        clg_fixed_geometry(ctx, wg_limit, work, cpu_local, global, local);
        return;
    }
    /* Small NDRanges: smaller groups (at least 8 items), so that the work spreads over the
       compute units rather than filling a few (measured on an H200: 448 work-items in groups
       of 128, on 4 of its 132 SMs, ran 2.6x slower than in groups of 8). */
    const double cu = (double)clg_compute_units(ctx);
    const double per_cu = (double)work[0] * (double)work[1] * (double)work[2] / cu;
    size_t preferred[3], left = CLG_GPU_GROUP_ITEMS;
    while (left > 8 && (double)left > per_cu) left /= 2;
    for (int i = 0; i < 3; ++i) {
        size_t l = 1;
        while (l < work[i] && l * 2 <= left) l <<= 1;
        preferred[i] = l;
        left /= l;
    }
    clg_launch_geometry(ctx, wg_limit, 3, work, preferred, global, local);
}

bool clg_covers_as_well(int64_t run, int64_t narrow, int64_t wide)
{
    return (double)clg_round_up((size_t)run, (size_t)wide) <=
           1.15 * (double)clg_round_up((size_t)run, (size_t)narrow);
}

/* Streaming stores skip the read of each output line that a plain store makes first
   (write-allocate). They pay only when the lines would leave the cache anyway (kept in cache,
   one call's output is rewritten by the next without memory traffic) and when memory is what
   bounds the layer. Kernel time on PoCL (AMD EPYC AVX-512 VM, 32 MiB cache, medians of 31
   alternating calls), batch 8 depthwise: 3x3 112x112x32 NHWC 0.70-0.77x, NCHW 0.87-0.90x;
   56x56x144 NHWC 0.79-0.80x; 112x112x64 NCHW 0.86x, dilation 2 0.81x; stride 2 112x112x96
   1.00x; but 5x5 (dilation 1 or 2) 1.06-1.14x and 7x7 1.17-1.19x slower: those do 6-12
   FLOPs per byte, above this device's balance in clg_device_roofline (5.2). On CPUs with more
   cores the roofline's balance grows (its bandwidth is capped) and such windows count as
   memory-bound too: an extrapolation, not measured.
   The cache a call can count on: a VM's share of a server's last-level cache is far below the
   size the device reports (the 2-vCPU Intel Xeon VM of sessions 22-25 reports 260 MiB; its
   copy runs at 47-52 GB/s with 4-16 MiB buffers and 23 GB/s with 1 GiB ones). NHWC depthwise
   at batch 8 there, streamed against plain stores, whole call, medians of 31 alternating
   calls, three runs each: 28x28x192 (9.6 MB of input and output) 0.89-0.96x, 28x28x256 (12.8
   MB) 0.85-0.90x, 112x112x32 (25.7 MB) 0.87-0.97x, 112x112x96 stride 2 (48 MB) 0.82-0.85x;
   14x14x384 and x512 (4.8, 6.4 MB) and batch-1 112x112x64 (6.4 MB) 0.94-1.03x (no gain). So
   NHWC kernels stream from 4 MiB per compute unit on (8.4 MB here), or half the reported cache
   if less (PoCL's compute units are logical CPUs; desktops, with a few MiB of last-level cache
   per core: unchanged; the AMD VM above: 8.4 MB instead of 16.8, not measured there in
   between). NCHW kernels
   keep half the reported cache: on the Intel VM streaming made 112x112x32 at batch 8 (25.7 MB,
   whole 16-lane rows) 1.39-1.51x slower, where the AMD VM measured 0.87-0.90x. */
static CLG_THREAD_LOCAL int g_stream_mode = -1; /* clgconv_testing_stream_stores */

void clgconv_testing_stream_stores(int mode) { g_stream_mode = mode < 0 ? -1 : mode > 0; }

bool clg_stream_stores(const clgconv_context *ctx, int64_t input_elems, int64_t output_elems,
                       double macs, bool whole_lines, bool nhwc)
{
    if (g_stream_mode >= 0) return g_stream_mode == 1;
    if (!whole_lines || !ctx->info.is_cpu || ctx->info.global_cache == 0) return false;
    double peak, bw, launch;
    clg_device_roofline(ctx, &peak, &bw, &launch);
    const double bytes = 4.0 * ((double)input_elems + (double)output_elems);
    double cache_bytes = 0.5 * (double)ctx->info.global_cache;
    if (nhwc) cache_bytes = fmin(cache_bytes, 4.0 * 1048576.0 * (double)clg_compute_units(ctx));
    return bytes > cache_bytes && 2.0 * macs < bytes * peak / bw;
}

int64_t clg_compute_units(const clgconv_context *ctx)
{
    return ctx->info.compute_units ? (int64_t)ctx->info.compute_units : 1;
}

/* 64 work-items per compute unit. Measured on an H200 (132 SMs, NVIDIA's OpenCL), tiled's
   batch-1 NCHW suite in all: 6.15 ms with the CPU-sized tiles, 3.78 with 64 per compute unit,
   3.98 with 256 and 4.37 with 1024 (smaller tiles than needed lose more than they gain:
   ResNeXt's dense 56x56 layer 0.15 ms at 64, 0.46 at 256). */
int64_t clg_gpu_target_items(const clgconv_context *ctx)
{
    if (ctx->info.is_cpu) return 0;
    return 64 * clg_compute_units(ctx);
}

double clg_gpu_scale(const clgconv_context *ctx)
{
    return (double)clg_compute_units(ctx) / CLG_GPU_FIT_UNITS;
}

double clg_gpu_seconds(const clgconv_context *ctx, const clg_gpu_fit *fit, double flops,
                       double items, double tile, double reduction)
{
    const double cu = (double)clg_compute_units(ctx);
    double fill = items / (cu * fit->items_per_cu);
    if (fill > 1.0) fill = 1.0;
    const double eff = fill * tile / (tile + fit->tile0) * reduction / (reduction + fit->red0);
    return fit->launch_s + flops / (fit->rate * clg_gpu_scale(ctx) * (eff > 1e-9 ? eff : 1e-9));
}

static CLG_THREAD_LOCAL uint64_t g_testing_cap; /* clgconv_testing_workspace_cap; 0: none */

void clgconv_testing_workspace_cap(size_t bytes) { g_testing_cap = bytes; }

uint64_t clg_workspace_cap(const clgconv_context *ctx)
{
    const uint64_t cap = (uint64_t)256 << 20, half = (uint64_t)ctx->info.max_alloc / 2;
    const uint64_t own = half < cap ? half : cap;
    return g_testing_cap > 0 && g_testing_cap < own ? g_testing_cap : own;
}

/* Guesses per compute unit. CPU (PoCL on the 2-core CI machine, AVX2): about 70 GFLOP/s of
   float8/float16 FMAs and 13.5 GB/s of copy bandwidth per core, bandwidth capped at 60 GB/s for
   the socket. GPU: about 250 GFLOP/s and 20 GB/s per compute unit (an NVIDIA SM or AMD CU at
   ~1.5 GHz; e.g. 132 SMs of an H100 give 33 TFLOP/s and 2.6 TB/s). */
void clg_device_roofline(const clgconv_context *ctx, double *peak_flops, double *bandwidth,
                         double *launch_s)
{
    double cu = (double)clg_compute_units(ctx);
    if (ctx->info.is_cpu) {
        *peak_flops = 70e9 * cu;
        *bandwidth = 13.5e9 * cu < 60e9 ? 13.5e9 * cu : 60e9;
        *launch_s = 20e-6;
    } else {
        *peak_flops = 250e9 * cu;
        *bandwidth = 20e9 * cu;
        *launch_s = 10e-6;
    }
}

clgconv_status clg_set_arg(cl_kernel kernel, cl_uint index, size_t size, const void *value,
                           const char *kernel_name)
{
    cl_int e = clg_clSetKernelArg(kernel, index, size, value);
    if (e != CL_SUCCESS) {
        char what[200];
        snprintf(what, sizeof what, "setting argument %u of kernel %s", index, kernel_name);
        return clg_fail_cl("clSetKernelArg", e, what);
    }
    return CLGCONV_SUCCESS;
}

clgconv_status clg_set_int_args(cl_kernel kernel, cl_uint *index, const int *values, size_t count,
                                const char *kernel_name)
{
    for (size_t j = 0; j < count; ++j) {
        clgconv_status r = clg_set_arg(kernel, (*index)++, sizeof(int), &values[j], kernel_name);
        if (r != CLGCONV_SUCCESS) return r;
    }
    return CLGCONV_SUCCESS;
}

clgconv_status clg_enqueue_kernel(cl_command_queue queue, cl_kernel kernel,
                                  const char *kernel_name, cl_uint dims, const size_t *global,
                                  const size_t *local, cl_uint num_wait, const cl_event *wait,
                                  cl_event *event)
{
    cl_int e = clg_clEnqueueNDRangeKernel(queue, kernel, dims, NULL, global, local, num_wait,
                                          wait, event);
    if (e != CL_SUCCESS) {
        char what[200];
        snprintf(what, sizeof what, "enqueueing kernel %s (global %zu x %zu x %zu, local %zu x "
                 "%zu x %zu)", kernel_name, global[0], dims > 1 ? global[1] : 1,
                 dims > 2 ? global[2] : 1, local[0], dims > 1 ? local[1] : 1,
                 dims > 2 ? local[2] : 1);
        return clg_fail_cl("clEnqueueNDRangeKernel", e, what);
    }
    return CLGCONV_SUCCESS;
}
