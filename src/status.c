/* status.c: status names and messages (one table), the per-thread last-error message, cl error names. */
#include "internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define CLG_STR2(x) #x
#define CLG_STR(x) CLG_STR2(x)

const char *clgconv_version(void)
{
    return CLG_STR(CLGCONV_VERSION_MAJOR) "." CLG_STR(CLGCONV_VERSION_MINOR) "." CLG_STR(
        CLGCONV_VERSION_PATCH);
}

/* X(enum, text): the one table that names every status. */
#define CLG_STATUS_TABLE(X)                                                                     \
    X(CLGCONV_SUCCESS, "success")                                                               \
    X(CLGCONV_ERROR_INVALID_ARGUMENT, "invalid argument")                                       \
    X(CLGCONV_ERROR_UNSUPPORTED, "unsupported on this device or algorithm")                     \
    X(CLGCONV_ERROR_OUT_OF_MEMORY, "out of memory")                                             \
    X(CLGCONV_ERROR_BUILD_FAILED, "OpenCL program build failed")                                \
    X(CLGCONV_ERROR_OPENCL, "OpenCL call failed")                                               \
    X(CLGCONV_ERROR_NO_DEVICE, "no OpenCL device")

const char *clgconv_status_string(clgconv_status status)
{
    switch (status) {
#define CLG_STATUS_CASE(e, text)                                                                \
    case e: return #e ": " text;
        CLG_STATUS_TABLE(CLG_STATUS_CASE)
#undef CLG_STATUS_CASE
    }
    return "unknown status";
}

static CLG_THREAD_LOCAL char g_last_error[4096];

const char *clgconv_last_error(void) { return g_last_error; }

clgconv_status clg_fail(clgconv_status status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(g_last_error, sizeof g_last_error, fmt, ap);
    va_end(ap);
    return status;
}

const char *clg_cl_error_name(cl_int err)
{
    switch (err) {
#define E(x)                                                                                    \
    case x: return #x;
        E(CL_SUCCESS) E(CL_DEVICE_NOT_FOUND) E(CL_DEVICE_NOT_AVAILABLE)
        E(CL_COMPILER_NOT_AVAILABLE) E(CL_MEM_OBJECT_ALLOCATION_FAILURE) E(CL_OUT_OF_RESOURCES)
        E(CL_OUT_OF_HOST_MEMORY) E(CL_PROFILING_INFO_NOT_AVAILABLE) E(CL_MEM_COPY_OVERLAP)
        E(CL_IMAGE_FORMAT_MISMATCH) E(CL_IMAGE_FORMAT_NOT_SUPPORTED) E(CL_BUILD_PROGRAM_FAILURE)
        E(CL_MAP_FAILURE) E(CL_MISALIGNED_SUB_BUFFER_OFFSET)
        E(CL_EXEC_STATUS_ERROR_FOR_EVENTS_IN_WAIT_LIST) E(CL_COMPILE_PROGRAM_FAILURE)
        E(CL_LINKER_NOT_AVAILABLE) E(CL_LINK_PROGRAM_FAILURE) E(CL_DEVICE_PARTITION_FAILED)
        E(CL_KERNEL_ARG_INFO_NOT_AVAILABLE) E(CL_INVALID_VALUE) E(CL_INVALID_DEVICE_TYPE)
        E(CL_INVALID_PLATFORM) E(CL_INVALID_DEVICE) E(CL_INVALID_CONTEXT)
        E(CL_INVALID_QUEUE_PROPERTIES) E(CL_INVALID_COMMAND_QUEUE) E(CL_INVALID_HOST_PTR)
        E(CL_INVALID_MEM_OBJECT) E(CL_INVALID_IMAGE_FORMAT_DESCRIPTOR) E(CL_INVALID_IMAGE_SIZE)
        E(CL_INVALID_SAMPLER) E(CL_INVALID_BINARY) E(CL_INVALID_BUILD_OPTIONS)
        E(CL_INVALID_PROGRAM) E(CL_INVALID_PROGRAM_EXECUTABLE) E(CL_INVALID_KERNEL_NAME)
        E(CL_INVALID_KERNEL_DEFINITION) E(CL_INVALID_KERNEL) E(CL_INVALID_ARG_INDEX)
        E(CL_INVALID_ARG_VALUE) E(CL_INVALID_ARG_SIZE) E(CL_INVALID_KERNEL_ARGS)
        E(CL_INVALID_WORK_DIMENSION) E(CL_INVALID_WORK_GROUP_SIZE) E(CL_INVALID_WORK_ITEM_SIZE)
        E(CL_INVALID_GLOBAL_OFFSET) E(CL_INVALID_EVENT_WAIT_LIST) E(CL_INVALID_EVENT)
        E(CL_INVALID_OPERATION) E(CL_INVALID_GL_OBJECT) E(CL_INVALID_BUFFER_SIZE)
        E(CL_INVALID_MIP_LEVEL) E(CL_INVALID_GLOBAL_WORK_SIZE) E(CL_INVALID_PROPERTY)
        E(CL_INVALID_IMAGE_DESCRIPTOR) E(CL_INVALID_COMPILER_OPTIONS) E(CL_INVALID_LINKER_OPTIONS)
        E(CL_INVALID_DEVICE_PARTITION_COUNT)
#undef E
    case -1001: return "CL_PLATFORM_NOT_FOUND_KHR";
    }
    return "CL_UNKNOWN_ERROR";
}

clgconv_status clg_fail_cl(const char *call, cl_int err, const char *what)
{
    bool alloc = err == CL_OUT_OF_HOST_MEMORY || err == CL_MEM_OBJECT_ALLOCATION_FAILURE ||
                 (err == CL_OUT_OF_RESOURCES && strcmp(call, "clCreateBuffer") == 0);
    clgconv_status st = alloc ? CLGCONV_ERROR_OUT_OF_MEMORY : CLGCONV_ERROR_OPENCL;
    return clg_fail(st, "%s failed with %s (%d) while %s", call, clg_cl_error_name(err), (int)err,
                    what);
}
