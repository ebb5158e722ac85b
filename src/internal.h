/* internal.h: types and helpers shared by the library's source files (not installed). */
#ifndef CLGCONV_INTERNAL_H
#define CLGCONV_INTERNAL_H

#include "clgconv.h"
#include "cl_calls.h"
#include "platform.h"

#include <stdint.h>
#include <stdbool.h>

/* ---------------------------------------------------------------- errors (status.c) */

/* Records a printf-style message as this thread's last error and returns status. */
#if defined(__GNUC__) || defined(__clang__)
__attribute__((format(printf, 2, 3)))
#endif
clgconv_status clg_fail(clgconv_status status, const char *fmt, ...);

/* Fails with CLGCONV_ERROR_OPENCL (or OUT_OF_MEMORY for allocation errors) naming the call. */
clgconv_status clg_fail_cl(const char *call, cl_int err, const char *what);

/* "CL_INVALID_VALUE" etc.; "CL_UNKNOWN_ERROR" for unknown codes. */
const char *clg_cl_error_name(cl_int err);

/* ---------------------------------------------------------------- shapes (desc.c) */

/* A validated descriptor with every derived size in 64 bits. */
typedef struct clg_shape {
    clgconv_conv2d_desc d;
    int64_t N, C, H, W, K, G, KH, KW, SH, SW, PT, PL, PB, PR, DH, DW;
    int64_t OH, OW;
    int64_t CPG; /* input channels per group, C/g */
    int64_t KPG; /* output channels per group, K/g */
    int64_t input_elems, weight_elems, output_elems;
    int64_t reduction; /* CPG*KH*KW: terms summed per output */
    double macs;
    /* element strides of input and output for the layout: index = n*sN + c*sC + y*sY + x*sX */
    int64_t in_sN, in_sC, in_sY, in_sX;
    int64_t out_sN, out_sC, out_sY, out_sX;
} clg_shape;

/* Validates desc (NULL allowed: reported) and fills shape. */
clgconv_status clg_shape_from_desc(const clgconv_conv2d_desc *desc, clg_shape *shape);

/* Whether the input coordinates a kernel forms fit in int: oy*SH - PT + ky*DH and
   ox*SW - PL + kx*DW for outputs up to `overhang` positions past the last one (vector lanes and
   tile tails a work-item computes and discards), and the sums of such a coordinate with a
   window or load span that kernels compare against the image size. Returns UNSUPPORTED naming
   `algo` and the offending fields when they do not (shapes with strides, pads or dilations near
   2^31); the caller's kernels then never see a wrapped (undefined) int. */
/* An overhang that covers every vectorised kernel's lanes and tile tails (at most 16 lanes x 8
   vectors, plus load spans), for clg_check_coordinates. */
#define CLG_VECTOR_OVERHANG 256
clgconv_status clg_check_coordinates(const clg_shape *s, int64_t overhang, const char *algo);
/* The largest such coordinate sum (see above), for kernels that switch to 64-bit arithmetic. */
double clg_coordinate_bound(const clg_shape *s, int64_t overhang);

/* Field-by-field equality (floats compared bit-wise-aware: equal or both same infinity). */
bool clg_desc_equal(const clgconv_conv2d_desc *a, const clgconv_conv2d_desc *b);

/* ---------------------------------------------------------------- disk cache (disk_cache.c) */

/* FNV-1a over bytes / a NUL-terminated string, continuing from h (0 starts afresh). */
uint64_t clg_hash64(const void *data, size_t size, uint64_t h);
uint64_t clg_hash_string(const char *s, uint64_t h);

/* The cache directory: $CLGCONV_CACHE_DIR, else $XDG_CACHE_HOME/clgconv, else ~/.cache/clgconv,
   created if missing. NULL when disabled (CLGCONV_CACHE_DIR=0 or off) or unavailable. */
const char *clg_cache_dir(char *buf, size_t size);

/* Program binaries cached by key; check is a second, independent hash of the same key text.
   The store returns the seconds spent fetching the binary from the driver (0 when the cache
   directory is disabled or unavailable). */
bool clg_binary_cache_load(uint64_t key, uint64_t check, unsigned char **binary, size_t *size);
double clg_binary_cache_store(cl_program program, uint64_t key, uint64_t check);

/* A marker (a file named by key, a device's hash; its text, why says what was measured) that
   fetching program binaries from that device's driver costs more than building from source
   (program_cache.c stops storing them there): whether it exists, and creating it. */
bool clg_slow_binaries_marked(uint64_t key);
void clg_slow_binaries_mark(uint64_t key, const char *why);

/* ---------------------------------------------------------------- kernels (generated) */

typedef struct clg_kernel_source {
    const char *name; /* family name, the cl/ file name without .cl */
    const char *text; /* NUL-terminated OpenCL C source */
} clg_kernel_source;

extern const clg_kernel_source clg_kernel_sources[];
extern const size_t clg_kernel_source_count;

/* ---------------------------------------------------------------- contexts (context.c) */

typedef struct clg_device_info {
    char name[256], vendor[256], platform[256], driver[128], version[128];
    char description[800]; /* "platform / device / driver" */
    cl_device_type type;
    cl_ulong global_mem, max_alloc, local_mem;
    cl_ulong global_cache; /* CL_DEVICE_GLOBAL_MEM_CACHE_SIZE (0: none reported) */
    size_t max_wg;
    size_t max_item[3];
    cl_uint compute_units;
    cl_uint mem_base_align_bits;
    cl_uint native_float_width; /* CL_DEVICE_NATIVE_VECTOR_WIDTH_FLOAT */
    bool is_cpu;
    /* CPUs: vector registers in 8-float units that a register tile may fill: 32 where the native
       float vector is 16 lanes wide (AVX-512: 32 registers), else 16 (AVX2's 16 ymm; NEON's 32
       quad registers hold 16 float8). 0 on other devices. */
    int cpu_registers;
} clg_device_info;

typedef struct clg_program_entry clg_program_entry;
typedef struct clg_host_entry clg_host_entry;

struct clgconv_context {
    cl_context cl_ctx;
    cl_device_id device;
    clg_device_info info;
    clg_mutex lock;        /* guards refcount, programs, host_queue, host cache */
    int refcount;          /* the caller's reference + one per live plan */
    clg_program_entry *programs;
    clg_mutex host_lock;   /* serialises forward_host */
    cl_command_queue host_queue;
    clg_host_entry *host_entries;
    int host_entry_count;
    unsigned long host_clock; /* LRU clock of the host cache */
    int tuning;               /* AUTO measures candidates (clgconv_context_set_tuning) */
    int slow_binaries;        /* 1: this device's binaries are not stored (program_cache.c) */
};

void clg_context_retain(clgconv_context *ctx);
/* Drops one reference; destroys the context at zero. */
void clg_context_unref(clgconv_context *ctx);
/* CLGCONV_VERBOSE set and not "0": plan choices, tuning measurements and kernel builds are
   printed to stderr (for calibrating the cost models; plan.c). */
bool clg_verbose(void);

/* The layer as one line of text for those messages ("N1 C256 28x28 K256 g32 k3x3 s1x1 p1,1,1,1
   d1x1 NCHW"; pads top, left, bottom, right); snprintf's return. */
int clg_shape_text(const clg_shape *s, char *buf, size_t size);

/* Releases every cached program (program_cache.c) / host-path plan and buffer (host.c). */
void clg_program_cache_clear(clgconv_context *ctx);
void clg_host_cache_clear(clgconv_context *ctx);

/* Returns the program for a kernel family built with options, building and caching it on first
   use. The program stays owned by the context's cache. Thread-safe. */
clgconv_status clg_context_get_program(clgconv_context *ctx, const char *family,
                                       const char *options, cl_program *program);

/* Creates a kernel from a cached program; the caller releases it. */
clgconv_status clg_context_create_kernel(clgconv_context *ctx, const char *family,
                                         const char *options, const char *kernel_name,
                                         cl_kernel *kernel);

/* ---------------------------------------------------------------- plans and algorithms */

typedef struct clg_forward_args {
    cl_mem input, weights, bias, output, workspace;
    cl_mem zero_bias; /* unused slot kept for algorithms needing a dummy buffer */
    /* weights holds the plan's packed weights (clgconv_conv2d_forward_packed): the algorithm's
       per-call weight rearrangement is skipped and the workspace holds
       plan->packed_workspace_bytes */
    bool packed;
} clg_forward_args;

typedef struct clg_algo_impl clg_algo_impl;

struct clgconv_plan {
    clgconv_context *ctx;
    clg_shape shape;
    clgconv_algo algo;
    int variant;            /* parameter variant of the algorithm (0 = its default) */
    const clg_algo_impl *impl;
    void *state;            /* the algorithm's kernels and launch geometry */
    size_t workspace_bytes;
    /* Packed weights (clgconv_conv2d_pack_weights) and the workspace forward_packed needs: where
       the plan rearranges weights per call, create() sets packs_weights and both sizes; else
       plan.c makes them the weights' size and workspace_bytes (packing copies) */
    bool packs_weights; /* create() set it and the two sizes below: impl->pack packs, else a
                           copy does (and the weights' own layout is the packed one) */
    size_t packed_weights_bytes, packed_workspace_bytes;
    clg_mutex lock;         /* serialises clSetKernelArg + enqueue on the plan's kernels */
};

struct clg_algo_impl {
    clgconv_algo id;
    /* SUCCESS when the algorithm can run this shape on ctx's device, else UNSUPPORTED with the
       reason in the last error. Must not build anything. */
    clgconv_status (*supports)(const clgconv_context *ctx, const clg_shape *shape);
    /* Estimated seconds on ctx's device (for AUTO); smaller is better. */
    double (*estimate)(const clgconv_context *ctx, const clg_shape *shape);
    /* Builds programs, creates kernels, sets plan->state and plan->workspace_bytes. On failure
       releases whatever it created. */
    clgconv_status (*create)(clgconv_plan *plan);
    /* Enqueues the work (called with plan->lock held, arguments already validated). Must wait
       for the wait list, and give one event (or none when event is NULL) for the whole work. */
    clgconv_status (*enqueue)(const clgconv_plan *plan, cl_command_queue queue,
                              const clg_forward_args *args, cl_uint num_wait,
                              const cl_event *wait, cl_event *event);
    void (*destroy)(clgconv_plan *plan);
    /* Optional (NULL means 1): how many parameter variants (tile sizes, local sizes, vector
       widths) create() accepts in plan->variant for this shape; the tuner measures each one.
       Variant 0 is the algorithm's own heuristic choice. */
    int (*variant_count)(const clgconv_context *ctx, const clg_shape *shape);
    /* Optional (NULL: packed weights are a plain copy of the weights): enqueues the packing of
       weights into packed (called with plan->lock held, arguments validated), waiting for the
       wait list and giving one event (or none when event is NULL). Called only for plans whose
       create() set packs_weights. */
    clgconv_status (*pack)(const clgconv_plan *plan, cl_command_queue queue, cl_mem weights,
                           cl_mem packed, cl_uint num_wait, const cl_event *wait,
                           cl_event *event);
};

/* Creates a plan for a validated shape with a concrete algorithm and variant (plan.c). */
clgconv_status clg_plan_create_exact(clgconv_context *ctx, const clg_shape *shape,
                                     clgconv_algo algo, int variant, clgconv_plan **out);

/* Tuning (tuning.c): the remembered or measured best (algo, variant) for shape on ctx's device.
   UNSUPPORTED when no algorithm can run the shape. */
clgconv_status clg_tune(clgconv_context *ctx, const clg_shape *shape, clgconv_algo *algo,
                        int *variant);

/* The registered algorithms (algo_registry.c); NULL for those not built in. */
const clg_algo_impl *clg_algo_get(clgconv_algo algo);

extern const clg_algo_impl clg_algo_direct;
extern const clg_algo_impl clg_algo_gemm;
#ifdef CLGCONV_HAVE_CLBLAST
extern const clg_algo_impl clg_algo_clblast;
#endif
extern const clg_algo_impl clg_algo_tiled;
extern const clg_algo_impl clg_algo_depthwise;

/* ---------------------------------------------------------------- launch helpers (launch.c) */

/* The work-group size limit of a built kernel on ctx's device (CL_KERNEL_WORK_GROUP_SIZE, capped
   by CL_DEVICE_MAX_WORK_GROUP_SIZE). */
clgconv_status clg_kernel_wg_limit(const clgconv_context *ctx, cl_kernel kernel,
                                   const char *kernel_name, size_t *limit);

/* NDRange geometry for work[dims] items: local[i] starts at preferred[i] (>= 1), is clamped to
   the device's CL_DEVICE_MAX_WORK_ITEM_SIZES and, halving the largest dimension, to wg_limit;
   global[i] is work[i] rounded up to a multiple of local[i] (kernels bounds-check), so local
   sizes always divide global sizes (no non-uniform work-groups). */
void clg_launch_geometry(const clgconv_context *ctx, size_t wg_limit, cl_uint dims,
                         const size_t *work, const size_t *preferred, size_t *global,
                         size_t *local);

/* clg_launch_geometry for 3 dimensions with a fixed local size: the work is padded to a multiple
   of local_size first (the kernels bounds-check), so the local size is kept unless the device's
   limits say otherwise, and plans share a few local sizes (PoCL compiles a kernel again for each
   new local size it is launched with). */
void clg_fixed_geometry(const clgconv_context *ctx, size_t wg_limit, const size_t *work,
                        const size_t *local_size, size_t *global, size_t *local);

/* Work-items per work-group on GPUs (clg_device_geometry): whole SIMD groups (NVIDIA's 32-wide
   warps, AMD's 64-wide wavefronts) with room for the scheduler to hide latency. */
#define CLG_GPU_GROUP_ITEMS 128

/* The NDRange of a kernel whose work is split along 3 dimensions: on CPUs clg_fixed_geometry
   with cpu_local (a few shared local sizes); on GPUs work-groups of CLG_GPU_GROUP_ITEMS items
   (halved, down to 8, while the NDRange has fewer items than that per compute unit) filled
   dimension by dimension in order (dimension 0 first, each up to its work rounded up to a
   power of two), since a CPU-sized group of 8 items would occupy a quarter of a warp. */
void clg_device_geometry(const clgconv_context *ctx, size_t wg_limit, const size_t *work,
                         const size_t *cpu_local, size_t *global, size_t *local);

/* Whether blocks of `wide` elements cover a run of `run` elements about as tightly as blocks of
   `narrow` (rounded up, at most 15 % more elements computed): the rule by which the CPU plans
   take longer vectors or blocks where they waste little of them. */
bool clg_covers_as_well(int64_t run, int64_t narrow, int64_t wide);

/* Whether a plan's kernels stream their output stores (-DCLG_STREAM_STORES=1, see STOREV_STREAM
   in cl/vector_common.cl): on CPU devices, for kernels whose streamed stores each write whole
   64-byte lines (whole_lines, the caller's to judge), memory-bound layers (2 x macs FLOPs per
   byte of input and output under clg_device_roofline's balance) whose input and output
   (elements) together outgrow half the device's global memory cache (NHWC kernels, nhwc: or
   4 MiB per compute unit, if less); or as clgconv_testing_stream_stores says. */
bool clg_stream_stores(const clgconv_context *ctx, int64_t input_elems, int64_t output_elems,
                       double macs, bool whole_lines, bool nhwc);

/* The device's compute units, at least 1 (a driver may report 0). */
int64_t clg_compute_units(const clgconv_context *ctx);

/* GPUs: the work-items a kernel's NDRange should have to keep every compute unit busy (the
   tiled kernels shrink their register tiles until they reach it); 0 on CPUs. */
int64_t clg_gpu_target_items(const clgconv_context *ctx);

/* A GPU cost model fitted to per-algorithm timings on one GPU (an H200 through NVIDIA's OpenCL,
   132 compute units; docs/gpu.md): seconds = launch + flops / (rate * fill * tile / (tile +
   tile0) * reduction / (reduction + red0)), where fill = min(1, items / (compute units *
   items_per_cu)) is how much of the device the NDRange's work-items occupy, tile the outputs
   per work-item and reduction the MACs per output. rate scales with the compute units. */
typedef struct clg_gpu_fit {
    double launch_s;     /* one call's floor: enqueue to completion of the plan's kernels */
    double rate;         /* FLOP/s of the kernel with a full device of CLG_GPU_FIT_UNITS */
    double items_per_cu; /* work-items per compute unit for a full device */
    double tile0, red0;  /* tile and reduction lengths at which efficiency halves */
} clg_gpu_fit;

double clg_gpu_seconds(const clgconv_context *ctx, const clg_gpu_fit *fit, double flops,
                       double items, double tile, double reduction);

/* Compute units of the GPU the fits were measured on (an H200). */
#define CLG_GPU_FIT_UNITS 132.0

/* ctx's compute units over CLG_GPU_FIT_UNITS: the factor on a fitted rate or bandwidth. */
double clg_gpu_scale(const clgconv_context *ctx);

/* Upper bound on the workspace an algorithm asks for (GEMM's im2col matrices, tiled's padded
   input): min(256 MiB, half the device's largest allocation). */
uint64_t clg_workspace_cap(const clgconv_context *ctx);

/* The roofline the CPU estimates share, so AUTO compares like with like: peak FLOP/s, memory
   bandwidth (bytes/s) and launch cost (s) assumed for ctx's device class. On GPUs AUTO uses the
   clg_gpu_fit models instead; the GPU roofline only sizes tiled's padding choice there. */
void clg_device_roofline(const clgconv_context *ctx, double *peak_flops, double *bandwidth,
                         double *launch_s);

/* Sets argument index of kernel, failing with the call site named. */
clgconv_status clg_set_arg(cl_kernel kernel, cl_uint index, size_t size, const void *value,
                           const char *kernel_name);

/* Sets count int arguments from values, starting at *index (advanced past them). */
clgconv_status clg_set_int_args(cl_kernel kernel, cl_uint *index, const int *values, size_t count,
                                const char *kernel_name);

/* Enqueues kernel; on failure names the kernel and the cl error. */
clgconv_status clg_enqueue_kernel(cl_command_queue queue, cl_kernel kernel,
                                  const char *kernel_name, cl_uint dims, const size_t *global,
                                  const size_t *local, cl_uint num_wait, const cl_event *wait,
                                  cl_event *event);

/* Rounds x up to a multiple of m. */
static inline size_t clg_round_up(size_t x, size_t m) { return (x + m - 1) / m * m; }

#endif /* CLGCONV_INTERNAL_H */
