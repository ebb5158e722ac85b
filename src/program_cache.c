/* program_cache.c: builds each (kernel family, options) program once per context and keeps it; kernel sources come embedded or from CLGCONV_KERNEL_DIR. */
#include "internal.h"
#include "testing.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct clg_program_entry {
    char *family;
    char *options;
    cl_program program;
    clg_program_entry *next;
};

static char *dup_string(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d) memcpy(d, s, n);
    return d;
}

/* Reads a whole file; NULL if it cannot be read. */
static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    char *buf = NULL;
    long n = -1;
    if (fseek(f, 0, SEEK_END) == 0) n = ftell(f);
    if (n >= 0 && fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)n + 1)) != NULL) {
        if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
            free(buf);
            buf = NULL;
        } else {
            buf[n] = 0;
        }
    }
    fclose(f);
    return buf;
}

/* The source of a family: $CLGCONV_KERNEL_DIR/<family>.cl when that variable is set (for kernel
   development without rebuilding), else the copy embedded at build time. *owned is set when the
   returned text must be freed. */
static clgconv_status kernel_source(const char *family, const char **text, char **owned)
{
    *owned = NULL;
    const char *dir = getenv("CLGCONV_KERNEL_DIR");
    if (dir && *dir) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s.cl", dir, family);
        *owned = read_file(path);
        if (!*owned)
            return clg_fail(CLGCONV_ERROR_INVALID_ARGUMENT,
                            "CLGCONV_KERNEL_DIR is set but %s cannot be read", path);
        *text = *owned;
        return CLGCONV_SUCCESS;
    }
    for (size_t i = 0; i < clg_kernel_source_count; ++i)
        if (strcmp(clg_kernel_sources[i].name, family) == 0) {
            *text = clg_kernel_sources[i].text;
            return CLGCONV_SUCCESS;
        }
    return clg_fail(CLGCONV_ERROR_UNSUPPORTED, "no kernel family named \"%s\" is built in", family);
}

/* Fails with BUILD_FAILED and the (trimmed) build log. */
static clgconv_status build_failure(clgconv_context *ctx, cl_program program, const char *family,
                                    const char *options, cl_int err)
{
    size_t size = 0;
    char log[2048] = "";
    if (clg_clGetProgramBuildInfo(program, ctx->device, CL_PROGRAM_BUILD_LOG, 0, NULL, &size) ==
            CL_SUCCESS &&
        size > 0) {
        char *full = malloc(size + 1);
        if (full && clg_clGetProgramBuildInfo(program, ctx->device, CL_PROGRAM_BUILD_LOG, size,
                                              full, NULL) == CL_SUCCESS) {
            full[size] = 0;
            /* Keep the start of the log: the first errors are the useful ones. */
            snprintf(log, sizeof log, "%s", full);
            if (strlen(full) >= sizeof log) memcpy(log + sizeof log - 5, "...", 4);
        }
        free(full);
    }
    return clg_fail(CLGCONV_ERROR_BUILD_FAILED,
                    "clBuildProgram of kernel family \"%s\" with options \"%s\" failed with %s "
                    "(%d); build log:\n%s",
                    family, options, clg_cl_error_name(err), (int)err, log);
}

/* The key of a program binary: everything that changes the compiled code. */
static void binary_key(const clgconv_context *ctx, const char *const text[2],
                       const char *options, uint64_t *key, uint64_t *check)
{
    /* Limits too: the same device name can come with other limits (a sub-device, or PoCL under
       POCL_MAX_WORK_GROUP_SIZE / POCL_MEMORY_LIMIT), whose binaries must not be mixed up. */
    const clg_device_info *in = &ctx->info;
    char limits[256];
    snprintf(limits, sizeof limits, "cu%u wg%zu items%zu,%zu,%zu mem%llu alloc%llu local%llu",
             in->compute_units, in->max_wg, in->max_item[0], in->max_item[1], in->max_item[2],
             (unsigned long long)in->global_mem, (unsigned long long)in->max_alloc,
             (unsigned long long)in->local_mem);
    const char *parts[] = {text[0],    text[1],    options,    in->platform, in->name,
                           in->vendor, in->driver, in->version,  limits,
                           clgconv_version()};
    uint64_t h1 = 0, h2 = 0x9E3779B97F4A7C15ull;
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; ++i) {
        h1 = clg_hash_string(parts[i], h1);
        h2 = clg_hash_string(parts[i], h2);
    }
    *key = h1, *check = h2;
}

/* Builds from a cached binary when one exists and loads; false otherwise (nothing leaks). */
static bool build_from_binary(clgconv_context *ctx, const char *options, uint64_t key,
                              uint64_t check, cl_program *out)
{
    unsigned char *bin;
    size_t size;
    if (!clg_binary_cache_load(key, check, &bin, &size)) return false;
    cl_int e, bin_status = CL_SUCCESS;
    const unsigned char *bins[1] = {bin};
    cl_program p = clg_clCreateProgramWithBinary(ctx->cl_ctx, 1, &ctx->device, &size, bins,
                                                 &bin_status, &e);
    free(bin);
    if (!p) return false;
    if (bin_status != CL_SUCCESS || clg_clBuildProgram(p, 1, &ctx->device, options) != CL_SUCCESS) {
        clg_clReleaseProgram(p);
        return false;
    }
    *out = p;
    return true;
}

/* The key of the device's slow-binaries marker: the binary key's device, driver, limits and
   library version without any source or options. */
static uint64_t device_key(const clgconv_context *ctx)
{
    const char *none[2] = {"", ""};
    uint64_t key, check;
    binary_key(ctx, none, "slow-binaries", &key, &check);
    return key;
}

static CLG_THREAD_LOCAL int g_slow_binaries; /* clgconv_testing_slow_binaries */
void clgconv_testing_slow_binaries(int slow) { g_slow_binaries = slow != 0; }

/* CLGCONV_CACHE_BINARIES: "always" stores every program built from source, "never" none; unset
   or anything else is "auto". */
typedef enum { BINARIES_AUTO, BINARIES_ALWAYS, BINARIES_NEVER } binaries_policy;
static binaries_policy binaries_policy_from_env(void)
{
    const char *v = getenv("CLGCONV_CACHE_BINARIES");
    if (v && strcmp(v, "always") == 0) return BINARIES_ALWAYS;
    if (v && strcmp(v, "never") == 0) return BINARIES_NEVER;
    return BINARIES_AUTO;
}

/* Stores the binary of p, built from source in build_seconds, unless binaries are not worth it
   on this device. Auto: a driver may compile more to hand out a binary than to build from
   source. PoCL compiles every kernel of the program for a generic work-group size to produce
   it (measured on the CI VM: a cold clgconv-bench --quick, both layouts, 15 s without the disk
   cache and 30 s with it; with PoCL's own kernel cache warm, 1.0 s without and 21 s for the
   run that stored the binaries, 0.4 s after), so a binary that took longer to fetch from the
   driver than the program took to build, by more than 50 ms (so that a driver that hands out
   its binaries in milliseconds is never marked by a stall), marks the device (in memory and
   with a marker file in the cache directory, keyed by device, driver and library version) and
   no further binaries are stored for it. Existing binaries are still loaded. Called under the
   context lock. */
static void store_binary(clgconv_context *ctx, cl_program p, uint64_t key, uint64_t check,
                         double build_seconds)
{
    const binaries_policy policy = binaries_policy_from_env();
    if (policy == BINARIES_NEVER) return;
    if (policy == BINARIES_AUTO) {
        if (!ctx->slow_binaries && clg_slow_binaries_marked(device_key(ctx)))
            ctx->slow_binaries = 1;
        if (ctx->slow_binaries) return;
    }
    const double fetch_seconds = clg_binary_cache_store(p, key, check);
    if (policy == BINARIES_AUTO && (g_slow_binaries || fetch_seconds > build_seconds + 0.05)) {
        ctx->slow_binaries = 1;
        char why[160];
        snprintf(why, sizeof why,
                 "program binaries not stored: fetching one took %.3f s, building it %.3f s\n",
                 fetch_seconds, build_seconds);
        clg_slow_binaries_mark(device_key(ctx), why);
    }
}

/* The prelude every family's program starts with (cl/vector_common.cl). */
#define CLG_PRELUDE_FAMILY "vector_common"

static clgconv_status build_program(clgconv_context *ctx, const char *family, const char *options,
                                    cl_program *out)
{
    /* Two source strings, the prelude and the family; OpenCL concatenates them. */
    const char *text[2];
    char *owned[2] = {NULL, NULL};
    clgconv_status st = kernel_source(CLG_PRELUDE_FAMILY, &text[0], &owned[0]);
    if (st == CLGCONV_SUCCESS) st = kernel_source(family, &text[1], &owned[1]);
    if (st != CLGCONV_SUCCESS) {
        free(owned[0]);
        return st;
    }
    uint64_t key, check;
    binary_key(ctx, text, options, &key, &check);
    if (build_from_binary(ctx, options, key, check, out)) {
        free(owned[0]), free(owned[1]);
        return CLGCONV_SUCCESS;
    }
    cl_int e;
    cl_program p = clg_clCreateProgramWithSource(ctx->cl_ctx, 2, text, NULL, &e);
    free(owned[0]), free(owned[1]);
    if (!p) return clg_fail_cl("clCreateProgramWithSource", e, "creating a program");
    const double t0 = clg_now_seconds();
    e = clg_clBuildProgram(p, 1, &ctx->device, options);
    const double build_seconds = clg_now_seconds() - t0;
    if (e != CL_SUCCESS) {
        st = e == CL_BUILD_PROGRAM_FAILURE || e == CL_INVALID_BUILD_OPTIONS
                 ? build_failure(ctx, p, family, options, e)
                 : clg_fail_cl("clBuildProgram", e, "building a program");
        clg_clReleaseProgram(p);
        return st;
    }
    store_binary(ctx, p, key, check, build_seconds);
    *out = p;
    return CLGCONV_SUCCESS;
}

clgconv_status clg_context_get_program(clgconv_context *ctx, const char *family,
                                       const char *options, cl_program *program)
{
    clgconv_status st = CLGCONV_SUCCESS;
    clg_mutex_lock(&ctx->lock);
    clg_program_entry *e = ctx->programs;
    while (e && !(strcmp(e->family, family) == 0 && strcmp(e->options, options) == 0)) e = e->next;
    if (!e) {
        /* Built under the lock: concurrent plans needing the same program wait for one build. */
        cl_program p = NULL;
        st = build_program(ctx, family, options, &p);
        if (st == CLGCONV_SUCCESS) {
            e = calloc(1, sizeof *e);
            if (e) e->family = dup_string(family), e->options = dup_string(options);
            if (!e || !e->family || !e->options) {
                if (e) free(e->family), free(e->options), free(e);
                e = NULL;
                clg_clReleaseProgram(p);
                st = clg_fail(CLGCONV_ERROR_OUT_OF_MEMORY, "allocating a program cache entry");
            } else {
                e->program = p;
                e->next = ctx->programs;
                ctx->programs = e;
            }
        }
    }
    if (e) *program = e->program;
    clg_mutex_unlock(&ctx->lock);
    return st;
}

clgconv_status clg_context_create_kernel(clgconv_context *ctx, const char *family,
                                         const char *options, const char *kernel_name,
                                         cl_kernel *kernel)
{
    cl_program p;
    clgconv_status st = clg_context_get_program(ctx, family, options, &p);
    if (st != CLGCONV_SUCCESS) return st;
    cl_int e;
    *kernel = clg_clCreateKernel(p, kernel_name, &e);
    if (!*kernel) {
        char what[300];
        snprintf(what, sizeof what, "creating kernel %s of family %s", kernel_name, family);
        return clg_fail_cl("clCreateKernel", e, what);
    }
    if (clg_verbose())
        fprintf(stderr, "clgconv: kernel %s (%s.cl, %s)\n", kernel_name, family, options);
    return CLGCONV_SUCCESS;
}

void clg_program_cache_clear(clgconv_context *ctx)
{
    for (clg_program_entry *p = ctx->programs, *next; p; p = next) {
        next = p->next;
        clg_clReleaseProgram(p->program);
        free(p->family);
        free(p->options);
        free(p);
    }
    ctx->programs = NULL;
}
