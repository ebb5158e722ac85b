/* context.c: clgconv_context (wrapping or opening a device), device facts, and the per-context program cache. */
#include "internal.h"
#include "testing.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


/* clgconv_testing_plan_as_gpu: compute units of the GPU that contexts created on this thread
   pretend to be (0: the device's own class). */
static CLG_THREAD_LOCAL unsigned g_plan_as_gpu;

void clgconv_testing_plan_as_gpu(unsigned compute_units) { g_plan_as_gpu = compute_units; }

/* clgconv_testing_cpu_registers: the register count that CPU contexts created on this thread
   plan with (0: the device's own). */
static CLG_THREAD_LOCAL int g_cpu_registers;

void clgconv_testing_cpu_registers(int registers)
{
    g_cpu_registers = registers > 0 ? registers : 0;
}

int clgconv_testing_context_cpu_registers(const clgconv_context *ctx)
{
    return ctx ? ctx->info.cpu_registers : 0;
}

static clgconv_status query_device(cl_device_id dev, clg_device_info *info)
{
    cl_int e;
    cl_platform_id platform = NULL;
    memset(info, 0, sizeof *info);
#define Q(param, field)                                                                         \
    if ((e = clg_clGetDeviceInfo(dev, param, sizeof(info->field), &info->field, NULL)) !=       \
        CL_SUCCESS)                                                                             \
        return clg_fail_cl("clGetDeviceInfo", e, "querying " #param);
    Q(CL_DEVICE_NAME, name)
    Q(CL_DEVICE_VENDOR, vendor)
    Q(CL_DRIVER_VERSION, driver)
    Q(CL_DEVICE_VERSION, version)
    Q(CL_DEVICE_TYPE, type)
    Q(CL_DEVICE_GLOBAL_MEM_SIZE, global_mem)
    Q(CL_DEVICE_MAX_MEM_ALLOC_SIZE, max_alloc)
    Q(CL_DEVICE_LOCAL_MEM_SIZE, local_mem)
    Q(CL_DEVICE_GLOBAL_MEM_CACHE_SIZE, global_cache)
    Q(CL_DEVICE_MAX_WORK_GROUP_SIZE, max_wg)
    Q(CL_DEVICE_MAX_WORK_ITEM_SIZES, max_item)
    Q(CL_DEVICE_MAX_COMPUTE_UNITS, compute_units)
    Q(CL_DEVICE_MEM_BASE_ADDR_ALIGN, mem_base_align_bits)
    Q(CL_DEVICE_NATIVE_VECTOR_WIDTH_FLOAT, native_float_width)
    Q(CL_DEVICE_PLATFORM, platform)
#undef Q
    info->name[sizeof info->name - 1] = 0;
    info->vendor[sizeof info->vendor - 1] = 0;
    info->driver[sizeof info->driver - 1] = 0;
    info->version[sizeof info->version - 1] = 0;
    e = clg_clGetPlatformInfo(platform, CL_PLATFORM_NAME, sizeof info->platform, info->platform,
                              NULL);
    if (e != CL_SUCCESS) return clg_fail_cl("clGetPlatformInfo", e, "querying CL_PLATFORM_NAME");
    info->platform[sizeof info->platform - 1] = 0;
    info->is_cpu = (info->type & CL_DEVICE_TYPE_CPU) != 0;
    if (g_plan_as_gpu) info->is_cpu = false, info->compute_units = g_plan_as_gpu;
    if (info->is_cpu) {
        info->cpu_registers = info->native_float_width >= 16 ? 32 : 16;
        /* CLGCONV_CPU_REGISTERS=16 or 32 overrides it (other values are ignored): for a PoCL
           told to compile for another CPU than the one it runs on (see .ci/valgrind.sh). */
        const char *env = getenv("CLGCONV_CPU_REGISTERS");
        if (env && (!strcmp(env, "16") || !strcmp(env, "32"))) info->cpu_registers = atoi(env);
        if (g_cpu_registers) info->cpu_registers = g_cpu_registers;
    }
    snprintf(info->description, sizeof info->description, "%s / %s / %s", info->platform,
             info->name, info->driver);
    return CLGCONV_SUCCESS;
}

clgconv_status clgconv_context_create(cl_context cl_ctx, cl_device_id device,
                                      clgconv_context **out)
{
    if (!out) return clg_fail(CLGCONV_ERROR_INVALID_ARGUMENT, "out is NULL");
    *out = NULL;
    if (!cl_ctx) return clg_fail(CLGCONV_ERROR_INVALID_ARGUMENT, "cl_ctx is NULL");
    if (!device) return clg_fail(CLGCONV_ERROR_INVALID_ARGUMENT, "device is NULL");

    /* The device must belong to the context. */
    cl_uint ndev = 0;
    cl_int e = clg_clGetContextInfo(cl_ctx, CL_CONTEXT_NUM_DEVICES, sizeof ndev, &ndev, NULL);
    if (e == CL_INVALID_CONTEXT)
        return clg_fail(CLGCONV_ERROR_INVALID_ARGUMENT, "cl_ctx (%p) is not a valid cl_context",
                        (void *)cl_ctx);
    if (e != CL_SUCCESS) return clg_fail_cl("clGetContextInfo", e, "querying the context's devices");
    cl_device_id *devs = calloc(ndev ? ndev : 1, sizeof *devs);
    if (!devs) return clg_fail(CLGCONV_ERROR_OUT_OF_MEMORY, "allocating %u device ids", ndev);
    e = clg_clGetContextInfo(cl_ctx, CL_CONTEXT_DEVICES, ndev * sizeof *devs, devs, NULL);
    if (e != CL_SUCCESS) {
        free(devs);
        return clg_fail_cl("clGetContextInfo", e, "querying the context's devices");
    }
    bool found = false;
    for (cl_uint i = 0; i < ndev; ++i) found = found || devs[i] == device;
    free(devs);
    if (!found)
        return clg_fail(CLGCONV_ERROR_INVALID_ARGUMENT,
                        "device (%p) does not belong to cl_ctx (%p)", (void *)device,
                        (void *)cl_ctx);

    clgconv_context *ctx = calloc(1, sizeof *ctx);
    if (!ctx) return clg_fail(CLGCONV_ERROR_OUT_OF_MEMORY, "allocating a context");
    bool lock_ok = false, host_lock_ok = false, ctx_retained = false;
    clgconv_status st = query_device(device, &ctx->info);
    if (st != CLGCONV_SUCCESS) goto fail;
    lock_ok = clg_mutex_init(&ctx->lock) == 0;
    host_lock_ok = lock_ok && clg_mutex_init(&ctx->host_lock) == 0;
    if (!host_lock_ok) {
        st = clg_fail(CLGCONV_ERROR_OUT_OF_MEMORY, "creating a mutex");
        goto fail;
    }
    e = clg_clRetainContext(cl_ctx);
    if (e != CL_SUCCESS) {
        st = clg_fail_cl("clRetainContext", e, "retaining the caller's context");
        goto fail;
    }
    ctx_retained = true;
    e = clg_clRetainDevice(device); /* a no-op for root devices; keeps sub-devices alive */
    if (e != CL_SUCCESS) {
        st = clg_fail_cl("clRetainDevice", e, "retaining the caller's device");
        goto fail;
    }
    ctx->cl_ctx = cl_ctx;
    ctx->device = device;
    ctx->refcount = 1;
    const char *tune = getenv("CLGCONV_TUNE");
    ctx->tuning = tune && *tune && strcmp(tune, "0") != 0;
    *out = ctx;
    return CLGCONV_SUCCESS;

fail:
    if (ctx_retained) clg_clReleaseContext(cl_ctx);
    if (host_lock_ok) clg_mutex_destroy(&ctx->host_lock);
    if (lock_ok) clg_mutex_destroy(&ctx->lock);
    free(ctx);
    return st;
}

/* ---------------------------------------------------------------- default device selection */

typedef struct device_entry {
    cl_platform_id platform;
    cl_device_id device;
    unsigned pi, di;
    cl_device_type type;
    char label[600];
} device_entry;

static bool contains_nocase(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    if (n == 0) return true;
    for (; *hay; ++hay) {
        size_t i = 0;
        while (i < n && hay[i] && tolower((unsigned char)hay[i]) == tolower((unsigned char)needle[i]))
            ++i;
        if (i == n) return true;
    }
    return false;
}

/* Lists every device of every platform (at most cap); returns the count, or -1 with the cl error
   in *err and the failing call's name in *call. */
static int list_devices(device_entry *out, int cap, cl_int *err, const char **call)
{
    *call = "clGetPlatformIDs";
    cl_platform_id platforms[16];
    cl_uint np = 0;
    *err = clg_clGetPlatformIDs(16, platforms, &np);
    if (*err == -1001 /* CL_PLATFORM_NOT_FOUND_KHR: the ICD loader found no platform */ ||
        (*err == CL_SUCCESS && np == 0)) {
        *err = CL_SUCCESS;
        return 0;
    }
    if (*err != CL_SUCCESS) return -1;
    if (np > 16) np = 16;
    int count = 0;
    for (cl_uint p = 0; p < np; ++p) {
        cl_device_id devs[32];
        cl_uint nd = 0;
        char pname[256] = "";
        cl_int e = clg_clGetDeviceIDs(platforms[p], CL_DEVICE_TYPE_ALL, 32, devs, &nd);
        if (e == CL_DEVICE_NOT_FOUND) continue;
        if (e != CL_SUCCESS) {
            *err = e, *call = "clGetDeviceIDs";
            return -1;
        }
        if (nd > 32) nd = 32;
        e = clg_clGetPlatformInfo(platforms[p], CL_PLATFORM_NAME, sizeof pname, pname, NULL);
        if (e != CL_SUCCESS) {
            *err = e, *call = "clGetPlatformInfo";
            return -1;
        }
        pname[sizeof pname - 1] = 0;
        for (cl_uint d = 0; d < nd && count < cap; ++d) {
            device_entry *de = &out[count];
            char dname[256] = "";
            de->platform = platforms[p], de->device = devs[d], de->pi = p, de->di = d;
            e = clg_clGetDeviceInfo(devs[d], CL_DEVICE_NAME, sizeof dname, dname, NULL);
            if (e == CL_SUCCESS)
                e = clg_clGetDeviceInfo(devs[d], CL_DEVICE_TYPE, sizeof de->type, &de->type, NULL);
            if (e != CL_SUCCESS) {
                *err = e, *call = "clGetDeviceInfo";
                return -1;
            }
            dname[sizeof dname - 1] = 0;
            snprintf(de->label, sizeof de->label, "%s / %s", pname, dname);
            ++count;
        }
    }
    return count;
}

clgconv_status clgconv_context_create_default(clgconv_context **out)
{
    if (!out) return clg_fail(CLGCONV_ERROR_INVALID_ARGUMENT, "out is NULL");
    *out = NULL;
    device_entry devs[64];
    cl_int e;
    const char *call;
    int n = list_devices(devs, 64, &e, &call);
    if (n < 0)
        return clg_fail(CLGCONV_ERROR_NO_DEVICE,
                        "%s failed with %s (%d) while listing OpenCL devices", call,
                        clg_cl_error_name(e), (int)e);
    if (n == 0)
        return clg_fail(CLGCONV_ERROR_NO_DEVICE,
                        "no OpenCL platform or device found (is an ICD such as pocl-opencl-icd "
                        "installed?)");
    int pick = -1;
    const char *want = getenv("CLGCONV_DEVICE");
    if (want && *want) {
        unsigned a, b;
        char tail;
        if (sscanf(want, "%u:%u%c", &a, &b, &tail) == 2) {
            for (int i = 0; i < n && pick < 0; ++i)
                if (devs[i].pi == a && devs[i].di == b) pick = i;
        } else if (sscanf(want, "%u%c", &a, &tail) == 1) {
            if (a < (unsigned)n) pick = (int)a;
        } else {
            for (int i = 0; i < n && pick < 0; ++i)
                if (contains_nocase(devs[i].label, want)) pick = i;
        }
        if (pick < 0)
            return clg_fail(CLGCONV_ERROR_NO_DEVICE,
                            "CLGCONV_DEVICE (\"%s\") matches none of the %d OpenCL devices", want,
                            n);
    } else {
        for (int i = 0; i < n && pick < 0; ++i)
            if (devs[i].type & CL_DEVICE_TYPE_GPU) pick = i;
        if (pick < 0) pick = 0;
    }
    cl_context_properties props[] = {CL_CONTEXT_PLATFORM,
                                     (cl_context_properties)devs[pick].platform, 0};
    cl_context c = clg_clCreateContext(props, 1, &devs[pick].device, &e);
    if (!c)
        return clg_fail(e == CL_OUT_OF_HOST_MEMORY
                            ? CLGCONV_ERROR_OUT_OF_MEMORY
                            : CLGCONV_ERROR_NO_DEVICE,
                        "clCreateContext failed with %s (%d) for %s", clg_cl_error_name(e),
                        (int)e, devs[pick].label);
    clgconv_status st = clgconv_context_create(c, devs[pick].device, out);
    clg_clReleaseContext(c); /* the clgconv context holds its own reference */
    return st;
}

/* ---------------------------------------------------------------- lifetime */

void clg_context_retain(clgconv_context *ctx)
{
    clg_mutex_lock(&ctx->lock);
    ctx->refcount++;
    clg_mutex_unlock(&ctx->lock);
}


void clgconv_context_release(clgconv_context *ctx)
{
    if (!ctx) return;
    /* The caller's reference goes: the plans cached for forward_host go with it. */
    clg_host_cache_clear(ctx);
    clg_context_unref(ctx);
}

void clg_context_unref(clgconv_context *ctx)
{
    clg_mutex_lock(&ctx->lock);
    int left = --ctx->refcount;
    clg_mutex_unlock(&ctx->lock);
    if (left > 0) return;
    clg_program_cache_clear(ctx);
    if (ctx->host_queue) clg_clReleaseCommandQueue(ctx->host_queue);
    clg_clReleaseDevice(ctx->device);
    clg_clReleaseContext(ctx->cl_ctx);
    clg_mutex_destroy(&ctx->host_lock);
    clg_mutex_destroy(&ctx->lock);
    free(ctx);
}

clgconv_status clgconv_context_get_cl(const clgconv_context *ctx, cl_context *cl_ctx,
                                      cl_device_id *device)
{
    if (!ctx) return clg_fail(CLGCONV_ERROR_INVALID_ARGUMENT, "ctx is NULL");
    if (cl_ctx) *cl_ctx = ctx->cl_ctx;
    if (device) *device = ctx->device;
    return CLGCONV_SUCCESS;
}

clgconv_status clgconv_context_set_tuning(clgconv_context *ctx, int enable)
{
    if (!ctx) return clg_fail(CLGCONV_ERROR_INVALID_ARGUMENT, "ctx is NULL");
    clg_mutex_lock(&ctx->lock);
    ctx->tuning = enable != 0;
    clg_mutex_unlock(&ctx->lock);
    return CLGCONV_SUCCESS;
}

const char *clgconv_context_device_name(const clgconv_context *ctx)
{
    return ctx ? ctx->info.description : "(null context)";
}
