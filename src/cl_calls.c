/* cl_calls.c: OpenCL call wrappers with test-only failure injection and live-object counting. */
#include "internal.h"
#include "testing.h"

#include <stdatomic.h>

static CLG_THREAD_LOCAL long g_fail_at = -1;
static CLG_THREAD_LOCAL long g_calls;
static CLG_THREAD_LOCAL cl_int g_fail_err = CL_OUT_OF_RESOURCES;
static CLG_THREAD_LOCAL const char *g_injected = "";
static atomic_long g_live_objects;

void clgconv_testing_fail_call(long nth, cl_int err)
{
    g_fail_at = nth;
    g_fail_err = err;
    g_calls = 0;
    g_injected = "";
}

long clgconv_testing_call_count(void) { return g_calls; }
const char *clgconv_testing_injected_call(void) { return g_injected; }
long clgconv_testing_live_objects(void) { return atomic_load(&g_live_objects); }

/* Counts the call; true when this call is the one to fail. */
static bool inject(const char *name)
{
    long n = g_calls++;
    if (g_fail_at >= 0 && n == g_fail_at) {
        g_injected = name;
        return true;
    }
    return false;
}

static void live(long delta) { atomic_fetch_add(&g_live_objects, delta); }
void clg_event_handed_out(void) { live(-1); }
void clg_object_retained(void) { live(1); }

#define INJECT_RET(name)                                                                        \
    do {                                                                                        \
        if (inject(name)) return g_fail_err;                                                    \
    } while (0)
#define INJECT_OBJ(name)                                                                        \
    do {                                                                                        \
        if (inject(name)) {                                                                     \
            if (err) *err = g_fail_err;                                                         \
            return NULL;                                                                        \
        }                                                                                       \
    } while (0)

cl_int clg_clGetPlatformIDs(cl_uint n, cl_platform_id *platforms, cl_uint *count)
{
    INJECT_RET("clGetPlatformIDs");
    return clGetPlatformIDs(n, platforms, count);
}
cl_int clg_clGetPlatformInfo(cl_platform_id p, cl_platform_info param, size_t size, void *value,
                             size_t *ret)
{
    INJECT_RET("clGetPlatformInfo");
    return clGetPlatformInfo(p, param, size, value, ret);
}
cl_int clg_clGetDeviceIDs(cl_platform_id p, cl_device_type type, cl_uint n, cl_device_id *devices,
                          cl_uint *count)
{
    INJECT_RET("clGetDeviceIDs");
    return clGetDeviceIDs(p, type, n, devices, count);
}
cl_int clg_clGetDeviceInfo(cl_device_id d, cl_device_info param, size_t size, void *value,
                           size_t *ret)
{
    INJECT_RET("clGetDeviceInfo");
    return clGetDeviceInfo(d, param, size, value, ret);
}
cl_int clg_clGetContextInfo(cl_context c, cl_context_info param, size_t size, void *value,
                            size_t *ret)
{
    INJECT_RET("clGetContextInfo");
    return clGetContextInfo(c, param, size, value, ret);
}
cl_context clg_clCreateContext(const cl_context_properties *props, cl_uint n,
                               const cl_device_id *devices, cl_int *err)
{
    INJECT_OBJ("clCreateContext");
    cl_context c = clCreateContext(props, n, devices, NULL, NULL, err);
    if (c) live(1);
    return c;
}
cl_int clg_clRetainContext(cl_context c)
{
    INJECT_RET("clRetainContext");
    cl_int e = clRetainContext(c);
    if (e == CL_SUCCESS) live(1);
    return e;
}
cl_int clg_clReleaseContext(cl_context c)
{
    live(-1);
    return clReleaseContext(c);
}
cl_int clg_clRetainDevice(cl_device_id d)
{
    INJECT_RET("clRetainDevice");
    cl_int e = clRetainDevice(d);
    if (e == CL_SUCCESS) live(1);
    return e;
}
cl_int clg_clReleaseDevice(cl_device_id d)
{
    live(-1);
    return clReleaseDevice(d);
}
cl_command_queue clg_clCreateCommandQueue(cl_context c, cl_device_id d,
                                          cl_command_queue_properties props, cl_int *err)
{
    INJECT_OBJ("clCreateCommandQueue");
#if defined(__GNUC__) || defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
#endif
    cl_command_queue q = clCreateCommandQueue(c, d, props, err);
#if defined(__GNUC__) || defined(__clang__)
#pragma GCC diagnostic pop
#endif
    if (q) live(1);
    return q;
}
cl_int clg_clReleaseCommandQueue(cl_command_queue q)
{
    live(-1);
    return clReleaseCommandQueue(q);
}
cl_int clg_clGetCommandQueueInfo(cl_command_queue q, cl_command_queue_info param, size_t size,
                                 void *value, size_t *ret)
{
    INJECT_RET("clGetCommandQueueInfo");
    return clGetCommandQueueInfo(q, param, size, value, ret);
}
cl_program clg_clCreateProgramWithSource(cl_context c, cl_uint n, const char **strings,
                                         const size_t *lengths, cl_int *err)
{
    INJECT_OBJ("clCreateProgramWithSource");
    cl_program p = clCreateProgramWithSource(c, n, strings, lengths, err);
    if (p) live(1);
    return p;
}
cl_program clg_clCreateProgramWithBinary(cl_context c, cl_uint n, const cl_device_id *devices,
                                         const size_t *lengths, const unsigned char **binaries,
                                         cl_int *binary_status, cl_int *err)
{
    INJECT_OBJ("clCreateProgramWithBinary");
    cl_program p = clCreateProgramWithBinary(c, n, devices, lengths, binaries, binary_status, err);
    if (p) live(1);
    return p;
}
cl_int clg_clBuildProgram(cl_program p, cl_uint n, const cl_device_id *devices,
                          const char *options)
{
    INJECT_RET("clBuildProgram");
    return clBuildProgram(p, n, devices, options, NULL, NULL);
}
cl_int clg_clGetProgramBuildInfo(cl_program p, cl_device_id d, cl_program_build_info param,
                                 size_t size, void *value, size_t *ret)
{
    INJECT_RET("clGetProgramBuildInfo");
    return clGetProgramBuildInfo(p, d, param, size, value, ret);
}
cl_int clg_clGetProgramInfo(cl_program p, cl_program_info param, size_t size, void *value,
                            size_t *ret)
{
    INJECT_RET("clGetProgramInfo");
    return clGetProgramInfo(p, param, size, value, ret);
}
cl_int clg_clReleaseProgram(cl_program p)
{
    live(-1);
    return clReleaseProgram(p);
}
cl_kernel clg_clCreateKernel(cl_program p, const char *name, cl_int *err)
{
    INJECT_OBJ("clCreateKernel");
    cl_kernel k = clCreateKernel(p, name, err);
    if (k) live(1);
    return k;
}
cl_int clg_clReleaseKernel(cl_kernel k)
{
    live(-1);
    return clReleaseKernel(k);
}
cl_int clg_clSetKernelArg(cl_kernel k, cl_uint index, size_t size, const void *value)
{
    INJECT_RET("clSetKernelArg");
    return clSetKernelArg(k, index, size, value);
}
cl_int clg_clGetKernelWorkGroupInfo(cl_kernel k, cl_device_id d, cl_kernel_work_group_info param,
                                    size_t size, void *value, size_t *ret)
{
    INJECT_RET("clGetKernelWorkGroupInfo");
    return clGetKernelWorkGroupInfo(k, d, param, size, value, ret);
}
cl_mem clg_clCreateBuffer(cl_context c, cl_mem_flags flags, size_t size, void *host, cl_int *err)
{
    INJECT_OBJ("clCreateBuffer");
    cl_mem m = clCreateBuffer(c, flags, size, host, err);
    if (m) live(1);
    return m;
}
cl_int clg_clReleaseMemObject(cl_mem m)
{
    live(-1);
    return clReleaseMemObject(m);
}
cl_int clg_clGetMemObjectInfo(cl_mem m, cl_mem_info param, size_t size, void *value, size_t *ret)
{
    INJECT_RET("clGetMemObjectInfo");
    return clGetMemObjectInfo(m, param, size, value, ret);
}

static cl_int count_event(cl_int e, cl_event *event)
{
    if (e == CL_SUCCESS && event) live(1);
    return e;
}

cl_int clg_clEnqueueNDRangeKernel(cl_command_queue q, cl_kernel k, cl_uint dims,
                                  const size_t *offset, const size_t *global, const size_t *local,
                                  cl_uint num_wait, const cl_event *wait, cl_event *event)
{
    INJECT_RET("clEnqueueNDRangeKernel");
    return count_event(
        clEnqueueNDRangeKernel(q, k, dims, offset, global, local, num_wait, wait, event), event);
}
cl_int clg_clEnqueueWriteBuffer(cl_command_queue q, cl_mem m, cl_bool blocking, size_t offset,
                                size_t size, const void *ptr, cl_uint num_wait,
                                const cl_event *wait, cl_event *event)
{
    INJECT_RET("clEnqueueWriteBuffer");
    return count_event(
        clEnqueueWriteBuffer(q, m, blocking, offset, size, ptr, num_wait, wait, event), event);
}
cl_int clg_clEnqueueReadBuffer(cl_command_queue q, cl_mem m, cl_bool blocking, size_t offset,
                               size_t size, void *ptr, cl_uint num_wait, const cl_event *wait,
                               cl_event *event)
{
    INJECT_RET("clEnqueueReadBuffer");
    return count_event(
        clEnqueueReadBuffer(q, m, blocking, offset, size, ptr, num_wait, wait, event), event);
}
cl_int clg_clEnqueueCopyBuffer(cl_command_queue q, cl_mem src, cl_mem dst, size_t src_offset,
                              size_t dst_offset, size_t size, cl_uint num_wait,
                              const cl_event *wait, cl_event *event)
{
    INJECT_RET("clEnqueueCopyBuffer");
    return count_event(
        clEnqueueCopyBuffer(q, src, dst, src_offset, dst_offset, size, num_wait, wait, event),
        event);
}
cl_int clg_clEnqueueBarrierWithWaitList(cl_command_queue q, cl_uint num_wait,
                                        const cl_event *wait, cl_event *event)
{
    INJECT_RET("clEnqueueBarrierWithWaitList");
    return count_event(clEnqueueBarrierWithWaitList(q, num_wait, wait, event), event);
}
cl_int clg_clFinish(cl_command_queue q)
{
    INJECT_RET("clFinish");
    return clFinish(q);
}
cl_int clg_clGetEventInfo(cl_event e, cl_event_info param, size_t size, void *value, size_t *ret)
{
    INJECT_RET("clGetEventInfo");
    return clGetEventInfo(e, param, size, value, ret);
}
cl_int clg_clReleaseEvent(cl_event e)
{
    live(-1);
    return clReleaseEvent(e);
}
