/* clgconv_bench.c: clgconv-bench, runs grouped convolutions (a suite of real layers, given layers, unusual layers or a groups sweep) on a device, verifies and times them. */
#define _POSIX_C_SOURCE 200809L
#include "bench.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef CLGCONV_TOOLS_SOURCE_DIR
#define CLGCONV_TOOLS_SOURCE_DIR ""
#endif
#ifndef CLGCONV_TOOLS_INSTALL_DIR
#define CLGCONV_TOOLS_INSTALL_DIR ""
#endif

/* Exit codes. */
enum { EXIT_ALL_OK = 0, EXIT_FAILED = 1, EXIT_USAGE = 2 };

static void usage(FILE *out)
{
    fprintf(out,
        "usage: clgconv-bench [options]\n"
        "Runs convolutions on an OpenCL device, verifies each against the CPU reference and\n"
        "times it. By default: a suite of real network layers (AlexNet conv2 g=2, ResNeXt-50\n"
        "g=32, MobileNetV2 depthwise, ShuffleNet g=3 1x1) with the dense (g=1) twin of each,\n"
        "so every row shows its time relative to the same layer without groups.\n"
        "\n"
        "  --device X          device: \"P:D\", a global index or a name substring (as\n"
        "                      CLGCONV_DEVICE; see --list-devices)\n"
        "  --list-devices      list every OpenCL platform and device and exit\n"
        "  --layer SPEC        run this layer instead of the suite (repeatable):\n"
        "                      [name:]N,C,H,W,K,g,kh,kw[,stride[,pad[,dilation]]]\n"
        "  --sweep             groups sweep of the --layer (default C=K=256, 28x28, 3x3, pad 1):\n"
        "                      g = 1, 2, 4, ..., C with t(g)/t(1) and the ideal 1/g\n"
        "  --unusual           run layers off the common path instead of the suite (depthwise\n"
        "                      channel multiplier 2 and 3, 9x9 depthwise, dilation 12, stride-2\n"
        "                      g=32, 1x7 and 7x1, 2x2 stride 2), batch 1\n"
        "  --batch N           override every layer's batch size\n"
        "  --layout L          nchw (default), nhwc, or both\n"
        "  --algo NAME         auto (default), direct, tiled, depthwise, gemm, clblast\n"
        "  --compare-algos     run every algorithm on each layer (unsupported ones shown as -)\n"
        "  --iters N           timed runs per measurement, median reported (default 10;\n"
        "                      3 with --quick)\n"
        "  --min-time MS       keep timing (up to 50 x iters runs) until the timed runs add\n"
        "                      up to MS milliseconds (default 200; 0: exactly --iters runs)\n"
        "  --warmup N          untimed runs before them (default 1)\n"
        "  --weights W         packed (default): weights packed once per plan, untimed, and\n"
        "                      the timed calls are clgconv_conv2d_forward_packed (fixed\n"
        "                      weights, as in inference); raw: clgconv_conv2d_forward with\n"
        "                      the weights as given (plans that rearrange weights do it in\n"
        "                      every call)\n"
        "  --no-dense          do not add the g=1 twin of grouped layers\n"
        "  --no-verify         skip the comparison with the CPU reference\n"
        "  --tolerance-scale F multiply the verification tolerance by F (default 1; a tiny F\n"
        "                      shows that the check can fail)\n"
        "  --quick             small layers for a smoke test (seconds)\n"
        "  --csv FILE          also write every result as CSV (machine facts as # lines)\n"
        "  --markdown          print the table as Markdown\n"
        "  --torch             afterwards run tools/torch_conv_bench.py on the same layers\n"
        "                      (PyTorch CPU, same thread count) and print the ratios; skipped\n"
        "                      with a message when PyTorch is absent\n"
        "  --roofline          first measure the device's float FMA peak, copy bandwidth\n"
        "                      (large and smaller buffers) and call floor (one empty\n"
        "                      kernel, enqueue + clFinish), then give each layer's %% of the\n"
        "                      peak and GB/s, and which layers reach half of them (the speed\n"
        "                      targets' roofline)\n"
        "  --quiet             no progress on stderr\n"
        "  --help              this text\n"
        "\n"
        "Exit status: 0 when every run verified, 1 on a failed verification or an error\n"
        "(an algorithm named with --algo or --compare-algos that cannot run a layer is not an\n"
        "error), 2 on a usage error.\n");
}

typedef struct options {
    const char *device;
    bench_layer_list layers;
    bool sweep, unusual, compare_algos, quick, verify, add_dense, markdown, torch, quiet;
    bool packed;
    bool list_devices, roofline;
    int batch;
    int iters, warmup, min_time_ms;
    double tolerance_scale;
    bool layouts[2]; /* NCHW, NHWC */
    clgconv_algo algo;
    const char *csv;
} options;

static bool parse_count(const char *opt, const char *value, int min, int *out)
{
    char *end;
    errno = 0;
    long v = value ? strtol(value, &end, 10) : 0;
    if (!value || end == value || *end || errno || v < min || v > 1000000) {
        fprintf(stderr, "clgconv-bench: %s needs an integer >= %d, got \"%s\"\n", opt, min,
                value ? value : "");
        return false;
    }
    *out = (int)v;
    return true;
}

/* Returns EXIT_ALL_OK to go on, or an exit code. */
static int parse_options(int argc, char **argv, options *o)
{
    memset(o, 0, sizeof *o);
    o->verify = true;
    o->packed = true;
    o->add_dense = true;
    o->iters = -1;
    o->warmup = 1;
    o->min_time_ms = -1;
    o->tolerance_scale = 1.0;
    o->layouts[0] = true;
    o->algo = CLGCONV_ALGO_AUTO;
    for (int i = 1; i < argc; ++i) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
#define NEEDS_VALUE                                                                              \
    do {                                                                                         \
        if (!v) {                                                                                \
            fprintf(stderr, "clgconv-bench: %s needs a value (see --help)\n", a);                \
            return EXIT_USAGE;                                                                   \
        }                                                                                        \
        ++i;                                                                                     \
    } while (0)
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            exit(EXIT_ALL_OK);
        } else if (!strcmp(a, "--device")) {
            NEEDS_VALUE;
            o->device = v;
        } else if (!strcmp(a, "--list-devices")) {
            o->list_devices = true;
        } else if (!strcmp(a, "--layer")) {
            NEEDS_VALUE;
            bench_layer l;
            char err[256];
            if (!bench_layer_parse(v, &l, err, sizeof err)) {
                fprintf(stderr, "clgconv-bench: %s\n", err);
                return EXIT_USAGE;
            }
            if (!bench_layers_add(&o->layers, &l)) return EXIT_FAILED;
        } else if (!strcmp(a, "--sweep")) {
            o->sweep = true;
        } else if (!strcmp(a, "--batch")) {
            NEEDS_VALUE;
            if (!parse_count(a, v, 1, &o->batch)) return EXIT_USAGE;
        } else if (!strcmp(a, "--layout")) {
            NEEDS_VALUE;
            o->layouts[0] = !strcmp(v, "nchw") || !strcmp(v, "NCHW") || !strcmp(v, "both");
            o->layouts[1] = !strcmp(v, "nhwc") || !strcmp(v, "NHWC") || !strcmp(v, "both");
            if (!o->layouts[0] && !o->layouts[1]) {
                fprintf(stderr, "clgconv-bench: --layout must be nchw, nhwc or both, got \"%s\"\n", v);
                return EXIT_USAGE;
            }
        } else if (!strcmp(a, "--algo")) {
            NEEDS_VALUE;
            if (clgconv_algo_from_name(v, &o->algo) != CLGCONV_SUCCESS) {
                fprintf(stderr, "clgconv-bench: --algo: %s\n", clgconv_last_error());
                return EXIT_USAGE;
            }
        } else if (!strcmp(a, "--compare-algos")) {
            o->compare_algos = true;
        } else if (!strcmp(a, "--iters")) {
            NEEDS_VALUE;
            if (!parse_count(a, v, 1, &o->iters)) return EXIT_USAGE;
        } else if (!strcmp(a, "--min-time")) {
            NEEDS_VALUE;
            if (!parse_count(a, v, 0, &o->min_time_ms)) return EXIT_USAGE;
        } else if (!strcmp(a, "--warmup")) {
            NEEDS_VALUE;
            if (!parse_count(a, v, 0, &o->warmup)) return EXIT_USAGE;
        } else if (!strcmp(a, "--weights")) {
            NEEDS_VALUE;
            if (strcmp(v, "packed") && strcmp(v, "raw")) {
                fprintf(stderr, "clgconv-bench: --weights is packed or raw, got \"%s\"\n", v);
                return EXIT_USAGE;
            }
            o->packed = !strcmp(v, "packed");
        } else if (!strcmp(a, "--no-dense")) {
            o->add_dense = false;
        } else if (!strcmp(a, "--no-verify")) {
            o->verify = false;
        } else if (!strcmp(a, "--tolerance-scale")) {
            NEEDS_VALUE;
            char *end;
            o->tolerance_scale = strtod(v, &end);
            if (end == v || *end || !(o->tolerance_scale >= 0)) {
                fprintf(stderr, "clgconv-bench: --tolerance-scale needs a number >= 0, got \"%s\"\n", v);
                return EXIT_USAGE;
            }
        } else if (!strcmp(a, "--quick")) {
            o->quick = true;
        } else if (!strcmp(a, "--unusual")) {
            o->unusual = true;
        } else if (!strcmp(a, "--csv")) {
            NEEDS_VALUE;
            o->csv = v;
        } else if (!strcmp(a, "--markdown")) {
            o->markdown = true;
        } else if (!strcmp(a, "--torch")) {
            o->torch = true;
        } else if (!strcmp(a, "--quiet")) {
            o->quiet = true;
        } else if (!strcmp(a, "--roofline")) {
            o->roofline = true;
        } else {
            fprintf(stderr, "clgconv-bench: unknown option \"%s\" (see --help)\n", a);
            return EXIT_USAGE;
        }
#undef NEEDS_VALUE
    }
    if (o->unusual && (o->sweep || o->layers.count || o->quick)) {
        fprintf(stderr, "clgconv-bench: --unusual runs its own layers; it does not combine with "
                        "--layer, --sweep or --quick\n");
        return EXIT_USAGE;
    }
    if (o->iters < 0) o->iters = o->quick ? 3 : 10;
    if (o->min_time_ms < 0) o->min_time_ms = o->quick ? 0 : 200;
    return EXIT_ALL_OK;
}

/* The run list: given layers, a sweep of them, the unusual layers or the suite; batch override;
   dense twins. */
static bool build_layer_list(options *o, bench_layer_list *out)
{
    bench_layer_list base = {0};
    if (o->layers.count) {
        for (int i = 0; i < o->layers.count; ++i)
            if (!bench_layers_add(&base, &o->layers.items[i])) return false;
    } else if (o->sweep) {
        bench_layer l;
        char err[256];
        const char *spec = o->quick ? "sweep:1,32,14,14,32,1,3,3,1,1,1" : "sweep:1,256,28,28,256,1,3,3,1,1,1";
        if (!bench_layer_parse(spec, &l, err, sizeof err) || !bench_layers_add(&base, &l))
            return false;
    } else if (o->unusual) {
        if (!bench_layers_unusual(&base)) return false;
    } else if (!bench_layers_default_suite(&base, o->quick)) {
        return false;
    }
    for (int i = 0; i < base.count; ++i)
        if (o->batch) base.items[i].n = o->batch;
    if (o->sweep) {
        for (int i = 0; i < base.count; ++i)
            if (!bench_layers_sweep(out, &base.items[i])) return false;
    } else {
        for (int i = 0; i < base.count; ++i)
            if (!bench_layers_add(out, &base.items[i])) return false;
        if (o->add_dense && !bench_layers_add_dense_counterparts(out)) return false;
    }
    bench_layers_free(&base);
    return true;
}

/* The torch comparison script: $CLGCONV_TORCH_SCRIPT, the source tree's tools/, or the
   installed copy. */
static const char *find_torch_script(void)
{
    static char path[4096];
    const char *env = getenv("CLGCONV_TORCH_SCRIPT");
    if (env && *env) return env;
    const char *dirs[] = {CLGCONV_TOOLS_SOURCE_DIR, CLGCONV_TOOLS_INSTALL_DIR};
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; ++i) {
        if (!dirs[i][0]) continue;
        snprintf(path, sizeof path, "%s/torch_conv_bench.py", dirs[i]);
        if (access(path, R_OK) == 0) return path;
    }
    return NULL;
}

/* Runs the PyTorch comparison on csv_path; returns its exit status (0 also when skipped). */
static int run_torch_comparison(const char *csv_path, int threads, int iters, bool markdown)
{
    const char *script = find_torch_script();
    if (!script) {
        fprintf(stderr, "clgconv-bench: --torch: torch_conv_bench.py not found (set "
                        "CLGCONV_TORCH_SCRIPT); skipped\n");
        return 0;
    }
    const char *python = getenv("CLGCONV_PYTHON");
    if (!python || !*python) python = "/usr/bin/python3";
    char threads_s[16], iters_s[16];
    snprintf(threads_s, sizeof threads_s, "%d", threads);
    snprintf(iters_s, sizeof iters_s, "%d", iters);
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        fprintf(stderr, "clgconv-bench: --torch: fork failed: %s\n", strerror(errno));
        return 1;
    }
    if (pid == 0) {
        /* Without these, glibc returns big freed blocks to the OS and every batch-8 tensor costs
           fresh page faults on each call (2-40x slower PyTorch timings on this VM class). */
        setenv("GLIBC_TUNABLES",
               "glibc.malloc.mmap_threshold=2147483647:glibc.malloc.trim_threshold=17179869184", 0);
        /* Its OpenMP threads pinned to cores, as PoCL's are (pin_worker_threads). */
        setenv("OMP_PROC_BIND", "close", 0);
        setenv("OMP_PLACES", "cores", 0);
        char *args[] = {(char *)python, (char *)script, "--bench-csv", (char *)csv_path,
                        "--threads", threads_s, "--iters", iters_s,
                        markdown ? "--markdown" : NULL, NULL};
        execv(python, args);
        fprintf(stderr, "clgconv-bench: --torch: cannot run %s: %s; skipped\n", python,
                strerror(errno));
        _exit(0);
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

/* PoCL's CPU device runs work-groups on one worker thread per core, and those threads sleep
   between kernels. Unpinned, on the 2-vCPU CI-class VM, both sometimes ran on one core for
   whole stretches of a run: per-call times fell into two groups exactly 2x apart (ResNeXt conv5
   g=32 batch 1 kernel 0.245 or 0.485 ms) and layer medians moved 1.3-2x between runs. With
   POCL_AFFINITY=1 (PoCL pins worker i to CPU i) the slow group vanished (4 alternating rounds:
   conv5 wall median 0.40-0.61 -> 0.33-0.38 ms, 112x112x96 s2 depthwise 0.44-0.52 -> 0.26-0.31).
   So the benchmark pins them, unless the caller set POCL_AFFINITY, and PyTorch's OpenMP threads
   get the same treatment (run_torch_comparison); other OpenCL drivers ignore the variable. It
   must be set before the process's first OpenCL call. */
static void pin_worker_threads(void)
{
    setenv("POCL_AFFINITY", "1", 0);
}

int main(int argc, char **argv)
{
    pin_worker_threads();
    options o;
    int rc = parse_options(argc, argv, &o);
    if (rc != EXIT_ALL_OK) return rc;
    if (o.list_devices) {
        if (o.device) setenv("CLGCONV_DEVICE", o.device, 1);
        return bench_list_devices(stdout);
    }
    if (o.device) setenv("CLGCONV_DEVICE", o.device, 1);

    clgconv_context *ctx = NULL;
    clgconv_status st = clgconv_context_create_default(&ctx);
    if (st != CLGCONV_SUCCESS) {
        fprintf(stderr, "clgconv-bench: cannot open a device: %s: %s\n", clgconv_status_string(st),
                clgconv_last_error());
        return EXIT_FAILED;
    }
    bench_runner runner = {0};
    runner.ctx = ctx;
    runner.iters = o.iters;
    runner.warmup = o.warmup;
    runner.min_time_ms = o.min_time_ms;
    runner.verify = o.verify;
    runner.packed = o.packed;
    runner.tolerance_scale = o.tolerance_scale;
    clgconv_context_get_cl(ctx, &runner.cl_ctx, &runner.device);
    cl_int e = CL_SUCCESS;
#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
#endif
    runner.queue = clCreateCommandQueue(runner.cl_ctx, runner.device, 0, &e);
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif
    if (!runner.queue) {
        fprintf(stderr, "clgconv-bench: clCreateCommandQueue failed: %d\n", (int)e);
        clgconv_context_release(ctx);
        return EXIT_FAILED;
    }
    bench_machine machine;
    bench_machine_query(ctx, &machine);
    bench_roofline roof = {0};
    if (o.roofline) {
        char err[256] = "";
        if (!o.quiet) fprintf(stderr, "measuring the device's FMA peak, copy bandwidth and call floor ...\n");
        if (!bench_roofline_measure(&runner, &roof, err, sizeof err)) {
            fprintf(stderr, "clgconv-bench: --roofline: %s\n", err);
            clReleaseCommandQueue(runner.queue);
            clgconv_context_release(ctx);
            return EXIT_FAILED;
        }
        if (!o.quiet)
            fprintf(stderr, "peak %.1f GFLOP/s (float%d), copy %.1f GB/s, call floor %.3f ms\n",
                    roof.peak_gflops, roof.peak_width, roof.copy_gbs, roof.call_floor_ms);
    }

    bench_layer_list layers = {0};
    if (!build_layer_list(&o, &layers)) {
        fprintf(stderr, "clgconv-bench: out of memory building the layer list\n");
        return EXIT_FAILED;
    }
    clgconv_algo algos[CLGCONV_ALGO_COUNT_];
    int nalgos = 0;
    if (o.compare_algos)
        for (int a = 0; a < CLGCONV_ALGO_COUNT_; ++a) algos[nalgos++] = (clgconv_algo)a;
    else
        algos[nalgos++] = o.algo;
    int nlayouts = (int)o.layouts[0] + (int)o.layouts[1];
    int total = layers.count * nalgos * nlayouts;
    bench_result *results = calloc((size_t)(total ? total : 1), sizeof *results);
    if (!results) {
        fprintf(stderr, "clgconv-bench: out of memory\n");
        return EXIT_FAILED;
    }
    const char *mode = o.sweep          ? "sweep"
                       : o.layers.count ? "layer"
                       : o.unusual      ? "unusual"
                                        : "suite";
    bool tty = isatty(STDERR_FILENO);
    bool batch_reduced_verify = false;
    int done = 0;
    double t_start = bench_now_ms();
    for (int li = 0; li < 2; ++li) {
        if (!o.layouts[li]) continue;
        clgconv_layout layout = li ? CLGCONV_LAYOUT_NHWC : CLGCONV_LAYOUT_NCHW;
        for (int i = 0; i < layers.count; ++i) {
            const bench_layer *l = &layers.items[i];
            batch_reduced_verify = batch_reduced_verify || l->n > 1;
            char err[256] = "";
            bench_layer_data *data = bench_layer_data_create(&runner, l, layout, err, sizeof err);
            for (int a = 0; a < nalgos; ++a) {
                bench_result *r = &results[done];
                if (!o.quiet) {
                    fprintf(stderr, "%s[%d/%d] %s %s g=%d %s ...", tty ? "\r\033[K" : "", done + 1,
                            total, l->name, li ? "NHWC" : "NCHW", l->g, clgconv_algo_name(algos[a]));
                    fflush(stderr);
                }
                if (data) {
                    bench_run_algo(&runner, data, algos[a], r);
                } else {
                    memset(r, 0, sizeof *r);
                    r->layer = *l;
                    r->layout = layout;
                    r->algo_requested = algos[a];
                    r->status = BENCH_ERROR;
                    r->median_ms = r->min_ms = r->gflops = r->max_abs_err = NAN;
                    r->worst_err_ratio = r->t_over_dense = NAN;
                    r->macs = 0;
                    snprintf(r->message, sizeof r->message, "%s", err);
                }
                snprintf(r->mode, sizeof r->mode, "%s", mode);
                if (!o.quiet) {
                    if (r->status == BENCH_OK)
                        fprintf(stderr, " %.3f ms%s", r->median_ms, tty ? "" : "\n");
                    else
                        fprintf(stderr, " %s%s", bench_status_name(r->status), tty ? "" : "\n");
                    fflush(stderr);
                }
                ++done;
            }
            bench_layer_data_free(data);
        }
    }
    if (!o.quiet)
        fprintf(stderr, "%s%d runs in %.1f s\n", tty ? "\r\033[K" : "", done,
                (bench_now_ms() - t_start) / 1e3);

    bench_results_link_dense(results, done);
    bench_print_report(stdout, o.markdown ? BENCH_FORMAT_MARKDOWN : BENCH_FORMAT_TEXT, &machine,
                       &runner, results, done, o.sweep, batch_reduced_verify,
                       o.roofline ? &roof : NULL);

    rc = EXIT_ALL_OK;
    for (int i = 0; i < done; ++i) {
        const bench_result *r = &results[i];
        if (r->status == BENCH_FAIL || r->status == BENCH_ERROR) rc = EXIT_FAILED;
        /* With AUTO the library must find some algorithm: unsupported is an error then. */
        if (r->status == BENCH_UNSUPPORTED && r->algo_requested == CLGCONV_ALGO_AUTO) rc = EXIT_FAILED;
    }

    char temp_csv[] = "/tmp/clgconv-bench-XXXXXX";
    const char *csv = o.csv;
    if (!csv && o.torch) {
        int fd = mkstemp(temp_csv);
        if (fd >= 0) {
            close(fd);
            csv = temp_csv;
        } else {
            fprintf(stderr, "clgconv-bench: --torch: cannot create a temporary file: %s\n",
                    strerror(errno));
        }
    }
    if (csv && !bench_write_csv(csv, &machine, &runner, results, done, o.roofline ? &roof : NULL)) {
        fprintf(stderr, "clgconv-bench: cannot write %s: %s\n", csv, strerror(errno));
        rc = EXIT_FAILED;
    }
    if (o.torch && csv) {
        printf("\n");
        int threads = machine.device_is_cpu && machine.device_compute_units
                          ? (int)machine.device_compute_units
                          : machine.host_threads;
        if (run_torch_comparison(csv, threads, o.iters, o.markdown) != 0) rc = EXIT_FAILED;
    }
    if (csv == temp_csv) remove(temp_csv);

    free(results);
    bench_layers_free(&layers);
    bench_layers_free(&o.layers);
    clReleaseCommandQueue(runner.queue);
    clgconv_context_release(ctx);
    return rc;
}
