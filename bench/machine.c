/* machine.c: facts about the machine a benchmark ran on (device, host CPU, threads), the device list, and the clock. */
#define _POSIX_C_SOURCE 200809L
#include "bench.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

double bench_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec * 1e-6;
}

/* The "model name" line of /proc/cpuinfo (x86; "Model"/"Hardware" elsewhere), or "unknown". */
static void host_cpu_model(char *buf, size_t size)
{
    snprintf(buf, size, "unknown");
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (!f) return;
    char line[512];
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "model name", 10) != 0 && strncmp(line, "Model", 5) != 0 &&
            strncmp(line, "Hardware", 8) != 0)
            continue;
        const char *colon = strchr(line, ':');
        if (!colon) continue;
        ++colon;
        while (*colon == ' ' || *colon == '\t') ++colon;
        size_t len = strcspn(colon, "\r\n");
        if (len == 0) continue;
        snprintf(buf, size, "%.*s", (int)len, colon);
        break;
    }
    fclose(f);
}

/* Sums the "cpu" line of /proc/stat: total and idle (idle + iowait) jiffies. */
static bool read_cpu_times(unsigned long long *total, unsigned long long *idle)
{
    FILE *f = fopen("/proc/stat", "r");
    if (!f) return false;
    unsigned long long v[8] = {0};
    int n = fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3],
                   &v[4], &v[5], &v[6], &v[7]);
    fclose(f);
    if (n < 4) return false;
    *total = 0;
    for (int i = 0; i < 8; ++i) *total += v[i];
    *idle = v[3] + v[4];
    return true;
}

/* Fraction of all CPUs busy during the next ms milliseconds (this process sleeps meanwhile, so
   it is other processes' load); -1 when /proc/stat is unavailable. */
static double cpu_busy_fraction(int ms)
{
    unsigned long long t0, i0, t1, i1;
    if (!read_cpu_times(&t0, &i0)) return -1;
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
    if (!read_cpu_times(&t1, &i1) || t1 <= t0) return -1;
    return 1.0 - (double)(i1 - i0) / (double)(t1 - t0);
}

void bench_machine_query(clgconv_context *ctx, bench_machine *m)
{
    memset(m, 0, sizeof *m);
    snprintf(m->device, sizeof m->device, "%s", clgconv_context_device_name(ctx));
    cl_device_id dev = NULL;
    if (clgconv_context_get_cl(ctx, NULL, &dev) == CLGCONV_SUCCESS && dev) {
        cl_uint cu = 0;
        cl_device_type type = 0;
        cl_command_queue_properties props = 0;
        if (clGetDeviceInfo(dev, CL_DEVICE_MAX_COMPUTE_UNITS, sizeof cu, &cu, NULL) == CL_SUCCESS)
            m->device_compute_units = cu;
        if (clGetDeviceInfo(dev, CL_DEVICE_TYPE, sizeof type, &type, NULL) == CL_SUCCESS)
            m->device_is_cpu = (type & CL_DEVICE_TYPE_CPU) != 0;
        if (clGetDeviceInfo(dev, CL_DEVICE_QUEUE_PROPERTIES, sizeof props, &props, NULL) ==
            CL_SUCCESS)
            m->queue_profiling = (props & CL_QUEUE_PROFILING_ENABLE) != 0;
    }
    host_cpu_model(m->host_cpu, sizeof m->host_cpu);
    m->busy_before = cpu_busy_fraction(250);
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    m->host_threads = n > 0 ? (int)n : 1;
    const char *affinity = getenv("POCL_AFFINITY");
    snprintf(m->pocl_affinity, sizeof m->pocl_affinity, "%s", affinity ? affinity : "");
    snprintf(m->library_version, sizeof m->library_version, "%s", clgconv_version());
    time_t now = time(NULL);
    struct tm tm_utc;
    if (gmtime_r(&now, &tm_utc)) strftime(m->date_utc, sizeof m->date_utc, "%Y-%m-%d %H:%M UTC", &tm_utc);
}

static const char *device_type_name(cl_device_type t)
{
    if (t & CL_DEVICE_TYPE_GPU) return "GPU";
    if (t & CL_DEVICE_TYPE_CPU) return "CPU";
    if (t & CL_DEVICE_TYPE_ACCELERATOR) return "accelerator";
    return "other";
}

/* Lists devices in the order clgconv_context_create_default numbers them (platforms in order,
   CL_DEVICE_TYPE_ALL within each), so the index and "P:D" printed here are valid CLGCONV_DEVICE /
   --device values. */
int bench_list_devices(FILE *out)
{
    cl_platform_id platforms[16];
    cl_uint np = 0;
    cl_int e = clGetPlatformIDs(16, platforms, &np);
    if (e == -1001 /* CL_PLATFORM_NOT_FOUND_KHR */ || (e == CL_SUCCESS && np == 0)) {
        fprintf(out, "no OpenCL platform found (is an ICD such as pocl-opencl-icd installed?)\n");
        return 0;
    }
    if (e != CL_SUCCESS) {
        fprintf(stderr, "clgconv-bench: clGetPlatformIDs failed: %d\n", (int)e);
        return 1;
    }
    if (np > 16) np = 16;
    /* Which device the library would open by default (with the current CLGCONV_DEVICE). */
    cl_device_id chosen = NULL;
    clgconv_context *ctx = NULL;
    if (clgconv_context_create_default(&ctx) == CLGCONV_SUCCESS)
        clgconv_context_get_cl(ctx, NULL, &chosen);
    fprintf(out, "%-5s %-5s %-12s %s\n", "index", "P:D", "type", "platform / device (* = default)");
    int index = 0;
    for (cl_uint p = 0; p < np; ++p) {
        char pname[256] = "";
        clGetPlatformInfo(platforms[p], CL_PLATFORM_NAME, sizeof pname, pname, NULL);
        pname[sizeof pname - 1] = 0;
        cl_device_id devs[32];
        cl_uint nd = 0;
        e = clGetDeviceIDs(platforms[p], CL_DEVICE_TYPE_ALL, 32, devs, &nd);
        if (e == CL_DEVICE_NOT_FOUND) continue;
        if (e != CL_SUCCESS) {
            fprintf(stderr, "clgconv-bench: clGetDeviceIDs on platform %u (%s) failed: %d\n", p,
                    pname, (int)e);
            clgconv_context_release(ctx);
            return 1;
        }
        if (nd > 32) nd = 32;
        for (cl_uint d = 0; d < nd; ++d, ++index) {
            char dname[256] = "", version[128] = "";
            cl_device_type type = 0;
            cl_uint cu = 0;
            clGetDeviceInfo(devs[d], CL_DEVICE_NAME, sizeof dname, dname, NULL);
            clGetDeviceInfo(devs[d], CL_DEVICE_VERSION, sizeof version, version, NULL);
            clGetDeviceInfo(devs[d], CL_DEVICE_TYPE, sizeof type, &type, NULL);
            clGetDeviceInfo(devs[d], CL_DEVICE_MAX_COMPUTE_UNITS, sizeof cu, &cu, NULL);
            dname[sizeof dname - 1] = 0, version[sizeof version - 1] = 0;
            char pd[32];
            snprintf(pd, sizeof pd, "%u:%u", p, d);
            fprintf(out, "%-5d %-5s %-12s %s / %s  [%s, %u compute units]%s\n", index, pd,
                    device_type_name(type), pname, dname, version, cu,
                    devs[d] == chosen ? " *" : "");
        }
    }
    clgconv_context_release(ctx);
    return 0;
}
