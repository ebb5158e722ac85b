/* roofline.c: measures the device's float FMA peak and copy bandwidth in the benchmark's own run, so that each layer's speed can be read as a fraction of what the device reaches. */
#include "bench.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Kernels, built from this source with default options:
   fma_peak8, fma_peak16: each work-item runs CHAINS independent chains of FMAs on vectors of 8
     or 16 floats (8 chains keep two FMA pipes of 4-cycle latency busy); PoCL reaches its peak
     only with explicit vectors, and which width reaches it depends on the CPU: on AVX2 a float16
     is two registers (8 chains of it need 16 plus the two operands: spills), on a CPU with
     full-width 512-bit FMAs (the Intel Xeon VM of sessions 22-25: 311-344 GFLOP/s against
     150-180 with float8) only float16 fills them; on the H200 float8 is the faster (62 TFLOP/s).
     The peak is the faster of the two. iters is a runtime argument and a, b are runtime
     values, so no chain can be folded; the sum is stored so that none is dead code.
     Arguments: out (one float per work-item), iters, a, b.
   copy4: out[i] = in[i] for float4 elements, one per work-item (contiguous along dim 0, which a
     CPU implementation vectorises and a GPU coalesces). Arguments: in, out.
   empty: does nothing; one work-item of it, enqueued and waited for, is the least a layer call
     can cost through this driver (the call floor). Argument: out (unused, so that the kernel
     has the same kind of signature as real ones). */
static const char roofline_source[] =
    "#define CHAINS 8\n"
    "#define FMA_PEAK(NAME, T, WIDTH)                                                      \\\n"
    "__kernel void NAME(__global float *out, const int iters, const float a, const float b) \\\n"
    "{                                                                                      \\\n"
    "    const T va = (T)(a), vb = (T)(b);                                                  \\\n"
    "    T x[CHAINS];                                                                       \\\n"
    "    for (int c = 0; c < CHAINS; ++c) x[c] = (T)((float)get_global_id(0) * 1e-9f + c); \\\n"
    "    for (int i = 0; i < iters; ++i) {                                                  \\\n"
    "        _Pragma(\"unroll\")                                                            \\\n"
    "        for (int c = 0; c < CHAINS; ++c) x[c] = fma(x[c], va, vb);                     \\\n"
    "    }                                                                                  \\\n"
    "    T s = x[0];                                                                        \\\n"
    "    for (int c = 1; c < CHAINS; ++c) s += x[c];                                        \\\n"
    "    float sum = 0.0f;                                                                  \\\n"
    "    for (int l = 0; l < WIDTH; ++l) sum += ((float *)&s)[l];                           \\\n"
    "    out[get_global_id(0)] = sum;                                                       \\\n"
    "}\n"
    "FMA_PEAK(fma_peak8, float8, 8)\n"
    "FMA_PEAK(fma_peak16, float16, 16)\n"
    "__kernel void copy4(__global const float4 *in, __global float4 *out)\n"
    "{\n"
    "    out[get_global_id(0)] = in[get_global_id(0)];\n"
    "}\n"
    "__kernel void empty(__global float *out)\n"
    "{\n"
    "}\n";

enum { FMA_CHAINS = 8, ROOFLINE_RUNS = 5, FLOOR_CALLS = 201 };

/* Wall time in ms of reps enqueues of kernel over global items, to the return of clFinish; a
   negative value on an OpenCL error (written to err). */
static double time_kernel(bench_runner *r, cl_kernel kernel, size_t global, int reps, char *err,
                          size_t err_size)
{
    const double t0 = bench_now_ms();
    cl_int e = CL_SUCCESS;
    for (int i = 0; i < reps && e == CL_SUCCESS; ++i)
        e = clEnqueueNDRangeKernel(r->queue, kernel, 1, NULL, &global, NULL, 0, NULL, NULL);
    if (e == CL_SUCCESS) e = clFinish(r->queue);
    if (e != CL_SUCCESS) {
        snprintf(err, err_size, "enqueueing a roofline kernel (%zu work-items): OpenCL error %d",
                 global, (int)e);
        return -1.0;
    }
    return bench_now_ms() - t0;
}

/* The median of ROOFLINE_RUNS timed runs (of reps enqueues each) after one untimed run;
   negative on an error. */
static double median_time(bench_runner *r, cl_kernel kernel, size_t global, int reps, char *err,
                          size_t err_size)
{
    double t[ROOFLINE_RUNS];
    if (time_kernel(r, kernel, global, reps, err, err_size) < 0) return -1.0;
    for (int i = 0; i < ROOFLINE_RUNS; ++i)
        if ((t[i] = time_kernel(r, kernel, global, reps, err, err_size)) < 0) return -1.0;
    qsort(t, ROOFLINE_RUNS, sizeof t[0], bench_compare_doubles);
    return t[ROOFLINE_RUNS / 2];
}

/* The FMA rate of the kernel fma_peak<width> over items work-items, in *gflops. */
static bool measure_peak(bench_runner *r, cl_program program, size_t items, int width,
                         double *gflops, char *err, size_t err_size)
{
    cl_int e;
    bool ok = false;
    cl_mem sink = clCreateBuffer(r->cl_ctx, CL_MEM_WRITE_ONLY, items * sizeof(float), NULL, &e);
    char name[32];
    snprintf(name, sizeof name, "fma_peak%d", width);
    cl_kernel k = sink ? clCreateKernel(program, name, &e) : NULL;
    if (!k) {
        snprintf(err, err_size, "creating the FMA peak kernel %s%s: OpenCL error %d", name,
                 sink ? "" : "'s output buffer", (int)e);
        goto done;
    }
    const float a = 0.999f, b = 0.001f;
    cl_int iters = 256;
    e = clSetKernelArg(k, 0, sizeof sink, &sink);
    if (e == CL_SUCCESS) e = clSetKernelArg(k, 2, sizeof a, &a);
    if (e == CL_SUCCESS) e = clSetKernelArg(k, 3, sizeof b, &b);
    if (e != CL_SUCCESS) {
        snprintf(err, err_size, "setting the FMA peak kernel's arguments: OpenCL error %d", (int)e);
        goto done;
    }
    /* Grow the loop until one run takes 50 ms, so that launch overhead stays under a percent. */
    double ms = 0.0;
    for (;;) {
        if ((e = clSetKernelArg(k, 1, sizeof iters, &iters)) != CL_SUCCESS) {
            snprintf(err, err_size, "setting the FMA peak kernel's iterations: OpenCL error %d",
                     (int)e);
            goto done;
        }
        if ((ms = median_time(r, k, items, 1, err, err_size)) < 0) goto done;
        if (ms >= 50.0 || iters >= (1 << 24)) break;
        const double grow = ms > 0.5 ? 60.0 / ms : 100.0;
        iters = (cl_int)fmin((double)(1 << 24), ceil(iters * grow));
    }
    *gflops = 2.0 * FMA_CHAINS * width * (double)iters * (double)items / (ms * 1e-3) / 1e9;
    ok = true;
done:
    if (k) clReleaseKernel(k);
    if (sink) clReleaseMemObject(sink);
    return ok;
}

/* Copy bandwidth with two buffers of bytes each: bytes read + written per second / 1e9 in
   *gbs, over the time the copies take beyond the same number of launches of the empty kernel
   over as many work-items (launch and scheduling cost, which the call floor counts once per
   call, would otherwise make small copies look slow). */
static bool measure_copy(bench_runner *r, cl_program program, size_t bytes, double *gbs,
                         char *err, size_t err_size)
{
    cl_int e = CL_SUCCESS;
    bool ok = false;
    cl_kernel k = NULL, empty = NULL;
    cl_mem in = clCreateBuffer(r->cl_ctx, CL_MEM_READ_ONLY, bytes, NULL, &e);
    cl_mem dst = in ? clCreateBuffer(r->cl_ctx, CL_MEM_WRITE_ONLY, bytes, NULL, &e) : NULL;
    if (!dst) {
        snprintf(err, err_size, "allocating two %zu-byte copy buffers: OpenCL error %d", bytes,
                 (int)e);
        goto done;
    }
    const cl_uchar zero = 0;
    e = clEnqueueFillBuffer(r->queue, in, &zero, 1, 0, bytes, 0, NULL, NULL);
    if (e == CL_SUCCESS) e = clEnqueueFillBuffer(r->queue, dst, &zero, 1, 0, bytes, 0, NULL, NULL);
    if (e == CL_SUCCESS) e = clFinish(r->queue);
    if (e == CL_SUCCESS) k = clCreateKernel(program, "copy4", &e);
    if (e == CL_SUCCESS) e = clSetKernelArg(k, 0, sizeof in, &in);
    if (e == CL_SUCCESS) e = clSetKernelArg(k, 1, sizeof dst, &dst);
    if (e == CL_SUCCESS) empty = clCreateKernel(program, "empty", &e);
    if (e == CL_SUCCESS) e = clSetKernelArg(empty, 0, sizeof dst, &dst);
    if (e != CL_SUCCESS) {
        snprintf(err, err_size, "preparing the copy kernel: OpenCL error %d", (int)e);
        goto done;
    }
    /* As many copies per timed run as make it last 20 ms, so that the timer's resolution and
       the one clFinish stay small against it. */
    const double one = time_kernel(r, k, bytes / 16, 1, err, err_size);
    if (one < 0) goto done;
    const int reps = one >= 20.0 ? 1 : (int)fmin(1000.0, ceil(20.0 / fmax(one, 0.01)));
    const double ms = median_time(r, k, bytes / 16, reps, err, err_size);
    const double launches = ms < 0 ? -1.0 : median_time(r, empty, bytes / 16, reps, err, err_size);
    if (launches < 0) goto done;
    /* bytes read + written, as STREAM counts a copy; the launches' share at most 90 % of the
       time (beyond that the difference is noise, and this errs towards a slower copy) */
    *gbs = 2.0 * (double)bytes * reps / (fmax(ms - launches, 0.1 * ms) * 1e-3) / 1e9;
    ok = true;
done:
    if (empty) clReleaseKernel(empty);
    if (k) clReleaseKernel(k);
    if (dst) clReleaseMemObject(dst);
    if (in) clReleaseMemObject(in);
    return ok;
}

/* The call floor: the median wall time of FLOOR_CALLS calls of one work-item of the empty
   kernel, each enqueued and waited for with clFinish, as the benchmark times a layer call (after
   a few untimed calls). No layer call can take less than about this: it is the driver's cost of
   one launch and one wait, which a layer pays at least once. */
static bool measure_call_floor(bench_runner *r, cl_program program, double *floor_ms, char *err,
                               size_t err_size)
{
    cl_int e = CL_SUCCESS;
    bool ok = false;
    double *t = malloc(FLOOR_CALLS * sizeof *t);
    cl_mem sink = t ? clCreateBuffer(r->cl_ctx, CL_MEM_WRITE_ONLY, sizeof(float), NULL, &e) : NULL;
    cl_kernel k = sink ? clCreateKernel(program, "empty", &e) : NULL;
    if (k) e = clSetKernelArg(k, 0, sizeof sink, &sink);
    if (!k || e != CL_SUCCESS) {
        snprintf(err, err_size, "preparing the empty kernel: %s %d", t ? "OpenCL error" :
                 "out of host memory, error", (int)e);
        goto done;
    }
    for (int i = 0; i < 5; ++i)
        if (time_kernel(r, k, 1, 1, err, err_size) < 0) goto done;
    for (int i = 0; i < FLOOR_CALLS; ++i)
        if ((t[i] = time_kernel(r, k, 1, 1, err, err_size)) < 0) goto done;
    qsort(t, FLOOR_CALLS, sizeof t[0], bench_compare_doubles);
    *floor_ms = t[FLOOR_CALLS / 2];
    ok = true;
done:
    if (k) clReleaseKernel(k);
    if (sink) clReleaseMemObject(sink);
    free(t);
    return ok;
}

bool bench_roofline_measure(bench_runner *r, bench_roofline *out, char *err, size_t err_size)
{
    memset(out, 0, sizeof *out);
    cl_uint units = 1;
    cl_ulong cache = 0, max_alloc = 0, global_mem = 0;
    cl_device_type type = 0;
    clGetDeviceInfo(r->device, CL_DEVICE_MAX_COMPUTE_UNITS, sizeof units, &units, NULL);
    clGetDeviceInfo(r->device, CL_DEVICE_GLOBAL_MEM_CACHE_SIZE, sizeof cache, &cache, NULL);
    clGetDeviceInfo(r->device, CL_DEVICE_MAX_MEM_ALLOC_SIZE, sizeof max_alloc, &max_alloc, NULL);
    clGetDeviceInfo(r->device, CL_DEVICE_GLOBAL_MEM_SIZE, sizeof global_mem, &global_mem, NULL);
    clGetDeviceInfo(r->device, CL_DEVICE_TYPE, sizeof type, &type, NULL);
    out->cache_bytes = (double)cache;

    const char *src = roofline_source;
    cl_int e;
    cl_program program = clCreateProgramWithSource(r->cl_ctx, 1, &src, NULL, &e);
    if (!program) {
        snprintf(err, err_size, "creating the roofline program: OpenCL error %d", (int)e);
        return false;
    }
    if ((e = clBuildProgram(program, 1, &r->device, "", NULL, NULL)) != CL_SUCCESS) {
        snprintf(err, err_size, "building the roofline program: OpenCL error %d", (int)e);
        clReleaseProgram(program);
        return false;
    }
    /* Enough work-items to fill every compute unit: 64 each on a CPU (PoCL runs a work-group's
       items as one vectorised loop), 2048 each on a GPU (occupancy). */
    const size_t items = (size_t)(units ? units : 1) * ((type & CL_DEVICE_TYPE_CPU) ? 64 : 2048);
    /* Copy buffers of four times the device's cache (at least 64 MiB), within a quarter of its
       memory and one allocation, in whole float4 elements. */
    double bytes = fmax(64.0 * 1024 * 1024, 4.0 * (double)cache);
    if (max_alloc && bytes > (double)max_alloc) bytes = (double)max_alloc;
    if (global_mem && bytes > (double)global_mem / 4) bytes = (double)global_mem / 4;
    out->copy_bytes = (size_t)bytes / 16 * 16;
    /* float8 must run; float16 is a second try whose failure (say, a driver out of registers
       for 128 live floats a work-item) leaves the float8 peak */
    bool ok = measure_peak(r, program, items, 8, &out->peak_gflops, err, err_size);
    out->peak_width = 8;
    double gflops16 = 0.0;
    char err16[256];
    if (ok && measure_peak(r, program, items, 16, &gflops16, err16, sizeof err16) &&
        gflops16 > out->peak_gflops) {
        out->peak_gflops = gflops16;
        out->peak_width = 16;
    }
    ok = ok && measure_copy(r, program, out->copy_bytes, &out->copy_gbs, err, err_size);
    /* The copy's bandwidth by size: a layer whose tensors fit a cache streams them at the
       bandwidth of a copy of about its size, not of the big one. */
    for (size_t small = 256 * 1024; ok && small < out->copy_bytes && out->copy_small_count < 4;
         small *= 4) {
        const int i = out->copy_small_count++;
        out->copy_small_bytes[i] = small;
        ok = measure_copy(r, program, small, &out->copy_small_gbs[i], err, err_size);
    }
    ok = ok && measure_call_floor(r, program, &out->call_floor_ms, err, err_size);
    clReleaseProgram(program);
    return ok;
}

/* The fewest bytes a convolution moves: input, weights, bias and output once each. */
double bench_layer_min_bytes(const bench_layer *l)
{
    clgconv_conv2d_desc d;
    bench_layer_to_desc(l, CLGCONV_LAYOUT_NCHW, &d);
    size_t in, weights, bias, out;
    if (clgconv_conv2d_tensor_bytes(&d, &in, &weights, &bias, &out) != CLGCONV_SUCCESS)
        return NAN;
    return (double)in + (double)weights + (double)bias + (double)out;
}

bench_bound bench_layer_bound(const bench_layer *l)
{
    if (l->g == l->c) return BENCH_BOUND_MEMORY; /* depthwise, any channel multiplier */
    if (l->g == 1 || (l->c / l->g >= 16 && l->k / l->g >= 16)) return BENCH_BOUND_COMPUTE;
    return BENCH_BOUND_NEITHER;
}
