/* bench.h: types and functions shared by the files of clgconv-bench (layers, runner, machine facts, report). */
#ifndef CLGCONV_BENCH_H
#define CLGCONV_BENCH_H

#include "clgconv.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* ---------------------------------------------------------------- layers (layers.c) */

/* One convolution layer as the benchmark names it: square stride, symmetric pad, same dilation
   in both directions (the --layer syntax "N,C,H,W,K,g,kh,kw,stride,pad,dilation"). */
typedef struct bench_layer {
    char name[48];   /* e.g. "resnext50-conv3" */
    char family[24]; /* "alexnet", "resnext50", "mobilenetv2", "shufflenet", "custom", "sweep" */
    int n, c, h, w, k, g, kh, kw, stride, pad, dilation;
} bench_layer;

/* A growable list of layers. */
typedef struct bench_layer_list {
    bench_layer *items;
    int count, cap;
} bench_layer_list;

/* Appends a copy of layer; false when out of memory. */
bool bench_layers_add(bench_layer_list *list, const bench_layer *layer);
void bench_layers_free(bench_layer_list *list);

/* The default suite of real network layers (grouped ones only: dense counterparts are added by
   bench_layers_add_dense_counterparts). quick selects the small CI subset. */
bool bench_layers_default_suite(bench_layer_list *list, bool quick);
/* The layers off the common path (--unusual), batch 1. */
bool bench_layers_unusual(bench_layer_list *list);

/* Parses "[name:]N,C,H,W,K,g,kh,kw[,stride[,pad[,dilation]]]" (stride 1, pad 0, dilation 1 when
   omitted). Returns false and writes a message to err on a malformed string. */
bool bench_layer_parse(const char *text, bench_layer *out, char *err, size_t err_size);

/* The groups sweep of base: a copy per g = 1, 2, 4, ... (while g divides C and K), plus g = C when
   C divides K and it is not a power of two. */
bool bench_layers_sweep(bench_layer_list *list, const bench_layer *base);

/* For every layer with g > 1 whose dense twin (same shape, g = 1) is not in the list, inserts the
   twin right before it, named "<name>-dense". */
bool bench_layers_add_dense_counterparts(bench_layer_list *list);

/* True when a and b have the same shape (all fields except name, family and g). */
bool bench_layer_same_shape(const bench_layer *a, const bench_layer *b);

/* Fills desc from layer (square stride/pad/dilation) with the given layout. */
void bench_layer_to_desc(const bench_layer *layer, clgconv_layout layout, clgconv_conv2d_desc *desc);

/* "N1 C256 28x28 K256 k3x3 s1 p1 d1" (groups are shown separately). */
const char *bench_layer_shape_str(const bench_layer *layer, char *buf, size_t size);

/* ---------------------------------------------------------------- runner (runner.c) */

typedef enum bench_status {
    BENCH_OK = 0,          /* ran and verified (or verification disabled) */
    BENCH_FAIL,            /* ran but the output did not match the reference */
    BENCH_UNSUPPORTED,     /* the algorithm cannot run this layer on this device */
    BENCH_ERROR            /* any other error (plan, OpenCL, memory) */
} bench_status;

const char *bench_status_name(bench_status status);

typedef struct bench_runner {
    clgconv_context *ctx;
    cl_context cl_ctx;
    cl_device_id device;
    cl_command_queue queue;
    int iters;     /* timed runs per measurement (at least) */
    double min_time_ms; /* more timed runs, up to 50 x iters, until they add up to this */
    int warmup;    /* untimed runs before them (the first one also compiles kernels) */
    bool verify;   /* compare with clgconv_conv2d_reference */
    double tolerance_scale; /* multiplies the per-element tolerance (1; 0 to see a check fail) */
    bool packed;   /* weights packed once per plan (untimed), timed calls forward_packed */
} bench_runner;

/* The result of one layer x layout x algorithm measurement. */
typedef struct bench_result {
    bench_layer layer;
    char mode[12]; /* "suite", "layer", "sweep" */
    clgconv_layout layout;
    clgconv_algo algo_requested;
    clgconv_algo algo_used; /* AUTO when no plan was made */
    bench_status status;
    char message[320];
    int iters;
    double median_ms, min_ms;
    double macs, gflops;
    double max_abs_err;   /* over the verified images; NAN when not verified */
    double worst_err_ratio; /* max over elements of error / tolerance (<= 1 passes) */
    int verified_images;  /* how many images of the batch were compared (0 = none) */
    double t_over_dense;  /* median_ms / the fastest of the same shape with g = 1; NAN if none */
    double plan_ms;       /* wall time of clgconv_conv2d_plan_create (program builds included) */
} bench_result;

/* Host and device data of one layer in one layout, shared by all algorithms run on it: random
   input, weights and bias, device buffers, and (computed on first use) the CPU reference of the
   verified images. */
typedef struct bench_layer_data bench_layer_data;

/* Creates the data; on failure returns NULL and writes a message to err. */
bench_layer_data *bench_layer_data_create(bench_runner *runner, const bench_layer *layer,
                                          clgconv_layout layout, char *err, size_t err_size);
void bench_layer_data_free(bench_layer_data *data);

/* qsort comparator of doubles, ascending. */
int bench_compare_doubles(const void *a, const void *b);

/* Plans, warms up, times and verifies one algorithm on data; fills result (layer, layout and algo
   fields included). Never exits: every failure becomes result->status. */
void bench_run_algo(bench_runner *runner, bench_layer_data *data, clgconv_algo algo,
                    bench_result *result);

/* ---------------------------------------------------------------- machine facts (machine.c) */

typedef struct bench_machine {
    char device[512];    /* clgconv_context_device_name */
    unsigned device_compute_units;
    bool device_is_cpu;
    bool queue_profiling; /* the device supports CL_QUEUE_PROFILING_ENABLE */
    char host_cpu[256];  /* "model name" of /proc/cpuinfo, or "unknown" */
    int host_threads;    /* online logical CPUs */
    double busy_before; /* fraction of all CPUs busy (with other processes) during 0.25 s before
                           the run, from /proc/stat; -1 unknown */
    char pocl_affinity[16]; /* $POCL_AFFINITY at the run ("" unset; pin_worker_threads sets 1) */
    char library_version[32];
    char date_utc[32];
} bench_machine;

void bench_machine_query(clgconv_context *ctx, bench_machine *machine);

/* Prints every platform and device: global index, "P:D", platform / device name, type; marks the
   one clgconv_context_create_default picks. Returns 0, or 1 when OpenCL listing failed. */
int bench_list_devices(FILE *out);

/* Monotonic wall clock in milliseconds. */
double bench_now_ms(void);

/* ---------------------------------------------------------------- roofline (roofline.c) */

/* What the device reaches, measured in the benchmark's run (--roofline). */
typedef struct bench_roofline {
    double peak_gflops; /* float FMA peak: 8 independent chains of FMAs per work-item on vectors
                           of peak_width floats, the faster of 8 and 16 */
    int peak_width;
    double copy_gbs;    /* copy bandwidth: bytes read + bytes written per second, / 1e9 */
    size_t copy_bytes;  /* size of each of the copy's two buffers: 4x the cache, at least 64
                           MiB, at most one allocation and a quarter of the device memory */
    double cache_bytes; /* CL_DEVICE_GLOBAL_MEM_CACHE_SIZE (0 when the device reports none) */
    /* The same copy with smaller buffers (256 KiB, 1, 4 and 16 MiB each, those under
       copy_bytes), which stay in the caches they fit between copies: copy_small_gbs[i] with two
       buffers of copy_small_bytes[i]; copy_small_count of them. */
    int copy_small_count;
    size_t copy_small_bytes[4];
    double copy_small_gbs[4];
    double call_floor_ms; /* median wall time of one empty kernel's enqueue + clFinish: the
                             least a layer call costs through this driver */
} bench_roofline;

/* Runs the measuring kernels (FMA chains, two copies, the empty kernel) on runner's device and
   queue; false with a message in err on an OpenCL error. */
bool bench_roofline_measure(bench_runner *runner, bench_roofline *out, char *err,
                            size_t err_size);

/* The fewest bytes the layer can move: input, weights, bias and output once each. */
double bench_layer_min_bytes(const bench_layer *layer);

/* What bounds a layer by the reading: depthwise layers (g = C) memory, dense layers and
   groups of at least 16 input and 16 output channels compute, the others (2-15 channels per
   group) neither clearly. */
typedef enum bench_bound {
    BENCH_BOUND_NEITHER = 0,
    BENCH_BOUND_COMPUTE,
    BENCH_BOUND_MEMORY
} bench_bound;
bench_bound bench_layer_bound(const bench_layer *layer);

/* ---------------------------------------------------------------- report (report.c) */

typedef enum bench_format { BENCH_FORMAT_TEXT = 0, BENCH_FORMAT_MARKDOWN = 1 } bench_format;

/* Sets t_over_dense of every result: its time over the fastest result with the same shape and
   layout and g = 1 (NAN when there is none or either did not run). With one algorithm per run
   that is the dense twin run the same way; with --compare-algos, the best dense algorithm. */
void bench_results_link_dense(bench_result *results, int count);

/* Prints the machine header, the result table and its notes. sweep adds the ideal 1/g column;
   roofline (NULL when not measured) adds each row's fraction of the peak and bandwidth, and the
   roofline targets' summary. */
void bench_print_report(FILE *out, bench_format format, const bench_machine *machine,
                        const bench_runner *runner, const bench_result *results, int count,
                        bool sweep, bool batch_reduced_verify, const bench_roofline *roofline);

/* Writes the machine (and roofline, when not NULL) as '#' comment lines, a header row and one
   row per result. */
bool bench_write_csv(const char *path, const bench_machine *machine, const bench_runner *runner,
                     const bench_result *results, int count, const bench_roofline *roofline);

#endif /* CLGCONV_BENCH_H */
