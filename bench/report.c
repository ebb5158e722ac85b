/* report.c: clgconv-bench's output: the result table (plain text or Markdown), its notes, and the CSV file. */
#include "bench.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void bench_results_link_dense(bench_result *results, int count)
{
    for (int i = 0; i < count; ++i) {
        bench_result *r = &results[i];
        r->t_over_dense = NAN;
        if (r->status != BENCH_OK && r->status != BENCH_FAIL) continue;
        double best = NAN;
        for (int j = 0; j < count; ++j) {
            const bench_result *d = &results[j];
            if (d->layer.g == 1 && bench_layer_same_shape(&d->layer, &r->layer) &&
                d->layout == r->layout && (d->status == BENCH_OK || d->status == BENCH_FAIL) &&
                d->median_ms > 0 && !(d->median_ms >= best))
                best = d->median_ms;
        }
        r->t_over_dense = r->median_ms / best; /* NAN when there is no dense twin */
    }
}

static const char *layout_name(clgconv_layout layout)
{
    return layout == CLGCONV_LAYOUT_NHWC ? "NHWC" : "NCHW";
}

/* "direct", or "auto>direct" when the library chose. */
static void algo_cell(const bench_result *r, char *buf, size_t size)
{
    const char *req = clgconv_algo_name(r->algo_requested);
    if (r->algo_used == CLGCONV_ALGO_AUTO)
        snprintf(buf, size, "%s", req ? req : "?");
    else if (r->algo_requested == CLGCONV_ALGO_AUTO)
        snprintf(buf, size, "auto>%s", clgconv_algo_name(r->algo_used));
    else
        snprintf(buf, size, "%s", clgconv_algo_name(r->algo_used));
}

static void number_cell(char *buf, size_t size, const char *fmt, double v)
{
    if (isnan(v))
        snprintf(buf, size, "-");
    else
        snprintf(buf, size, fmt, v);
}

/* A table with columns of cells, printed as aligned text or as Markdown. */
#define REPORT_MAX_COLUMNS 16
#define REPORT_CELL 64

typedef struct table {
    int columns, rows;
    const char *titles[REPORT_MAX_COLUMNS];
    bool right_aligned[REPORT_MAX_COLUMNS];
    char (*cells)[REPORT_MAX_COLUMNS][REPORT_CELL];
} table;

static void table_print(FILE *out, bench_format format, const table *t)
{
    int width[REPORT_MAX_COLUMNS];
    for (int c = 0; c < t->columns; ++c) {
        width[c] = (int)strlen(t->titles[c]);
        for (int r = 0; r < t->rows; ++r) {
            int len = (int)strlen(t->cells[r][c]);
            if (len > width[c]) width[c] = len;
        }
    }
    const char *sep = format == BENCH_FORMAT_MARKDOWN ? " | " : "  ";
    const char *open = format == BENCH_FORMAT_MARKDOWN ? "| " : "";
    const char *close = format == BENCH_FORMAT_MARKDOWN ? " |" : "";
    fputs(open, out);
    for (int c = 0; c < t->columns; ++c)
        fprintf(out, "%s%*s", c ? sep : "", t->right_aligned[c] ? width[c] : -width[c],
                t->titles[c]);
    fprintf(out, "%s\n", close);
    fputs(open, out);
    for (int c = 0; c < t->columns; ++c) {
        fputs(c ? sep : "", out);
        int w = width[c];
        if (format == BENCH_FORMAT_MARKDOWN && t->right_aligned[c]) {
            for (int i = 0; i < w - 1; ++i) fputc('-', out);
            fputc(':', out);
        } else {
            for (int i = 0; i < w; ++i) fputc('-', out);
        }
    }
    fprintf(out, "%s\n", close);
    for (int r = 0; r < t->rows; ++r) {
        fputs(open, out);
        for (int c = 0; c < t->columns; ++c) {
            bool last = c == t->columns - 1 && format == BENCH_FORMAT_TEXT && !t->right_aligned[c];
            if (last)
                fprintf(out, "%s%s", c ? sep : "", t->cells[r][c]);
            else
                fprintf(out, "%s%*s", c ? sep : "", t->right_aligned[c] ? width[c] : -width[c],
                        t->cells[r][c]);
        }
        fprintf(out, "%s\n", close);
    }
}

/* Effective bandwidth of a run: the layer's fewest bytes over its median time (GB/s). */
static double result_gbs(const bench_result *r)
{
    return r->median_ms > 0 ? bench_layer_min_bytes(&r->layer) / (r->median_ms * 1e-3) / 1e9 : NAN;
}

/* The roofline targets over the runs of the first algorithm in the table (AUTO with
   --compare-algos): compute-bound layers at >= 50 % of the peak, depthwise layers that move more
   than the device's cache at >= 50 % of the copy bandwidth (smaller ones run from the cache, where
   the copy bandwidth is not their limit; their range is shown for reference). */
static void print_roofline_summary(FILE *out, const char *bullet, const bench_roofline *roof,
                                   const bench_result *results, int count)
{
    fprintf(out, "%sroofline, measured in this run: float FMA peak %.1f GFLOP/s (8 chains of "
                 "float%d FMAs per work-item, the faster of float8 and float16), copy bandwidth "
                 "%.1f GB/s (bytes read + written, two %.0f MiB buffers, net of the launches); "
                 "%% peak = GFLOP/s / peak; GB/s = (input + "
                 "weights + bias + output bytes) / time\n",
            bullet, roof->peak_gflops, roof->peak_width, roof->copy_gbs,
            (double)roof->copy_bytes / 1048576.0);
    fprintf(out, "%scall floor, measured in this run: %.3f ms (median of one empty kernel's "
                 "enqueue + clFinish, about the least a layer call costs through this driver)",
            bullet, roof->call_floor_ms);
    for (int i = 0; i < roof->copy_small_count; ++i)
        fprintf(out, "%s %.1f GB/s (two %g MiB buffers)",
                i ? "," : "; copy bandwidth with smaller buffers:", roof->copy_small_gbs[i],
                (double)roof->copy_small_bytes[i] / 1048576.0);
    fprintf(out, "\n");
    if (count == 0) return;
    int compute = 0, compute_met = 0, memory = 0, memory_met = 0, cached = 0;
    const bench_result *worst_compute = NULL, *worst_memory = NULL;
    double cached_lo = NAN, cached_hi = NAN;
    for (int i = 0; i < count; ++i) {
        const bench_result *r = &results[i];
        if (r->algo_requested != results[0].algo_requested || r->status != BENCH_OK) continue;
        const bench_bound bound = bench_layer_bound(&r->layer);
        if (bound == BENCH_BOUND_COMPUTE) {
            ++compute;
            compute_met += r->gflops >= 0.5 * roof->peak_gflops;
            if (!worst_compute || r->gflops < worst_compute->gflops) worst_compute = r;
        } else if (bound == BENCH_BOUND_MEMORY) {
            const double gbs = result_gbs(r);
            if (roof->cache_bytes > 0 && bench_layer_min_bytes(&r->layer) <= roof->cache_bytes) {
                ++cached;
                if (!(gbs >= cached_lo)) cached_lo = gbs;
                if (!(gbs <= cached_hi)) cached_hi = gbs;
                continue;
            }
            ++memory;
            memory_met += gbs >= 0.5 * roof->copy_gbs;
            if (!worst_memory || gbs < result_gbs(worst_memory)) worst_memory = r;
        }
    }
    if (compute)
        fprintf(out,
                "%scompute-bound layers (dense, or >= 16 input and output channels per group): "
                "%d of %d at >= 50 %% of the peak; lowest %s %s g=%d at %.0f %%\n",
                bullet, compute_met, compute, worst_compute->layer.name,
                layout_name(worst_compute->layout), worst_compute->layer.g,
                100.0 * worst_compute->gflops / roof->peak_gflops);
    if (memory)
        fprintf(out, "%sdepthwise layers moving more than the device's %.0f MiB cache: %d of %d at "
                     ">= 50 %% of the copy bandwidth; lowest %s %s at %.0f %%\n",
                bullet, roof->cache_bytes / 1048576.0, memory_met, memory,
                worst_memory->layer.name, layout_name(worst_memory->layout),
                100.0 * result_gbs(worst_memory) / roof->copy_gbs);
    if (cached)
        fprintf(out, "%sdepthwise layers within the device's %.0f MiB cache: %d, at %.1f-%.1f "
                     "GB/s\n",
                bullet, roof->cache_bytes / 1048576.0, cached, cached_lo, cached_hi);
}

/* How long plan creation took over the plans made (the issue asks that it stay fast): the
   median and the slowest, and how many plans were made (failed creations have no time). The
   first plan needing a program builds it (or loads it from PoCL's or clgconv's disk cache);
   later ones reuse the context's cache. */
static void print_plan_times(FILE *out, const char *bullet, const bench_result *results,
                             int count)
{
    double *t = malloc((size_t)(count > 0 ? count : 1) * sizeof *t);
    if (!t) return;
    int n = 0, slowest = -1;
    for (int i = 0; i < count; ++i) {
        if (results[i].algo_used == CLGCONV_ALGO_AUTO || !(results[i].plan_ms >= 0)) continue;
        t[n++] = results[i].plan_ms;
        if (slowest < 0 || results[i].plan_ms > results[slowest].plan_ms) slowest = i;
    }
    if (n > 0) {
        qsort(t, (size_t)n, sizeof *t, bench_compare_doubles);
        fprintf(out,
                "%splan creation (clgconv_conv2d_plan_create, program builds included): %d "
                "plans, median %.1f ms, slowest %.1f ms (%s %s); the first plan needing a "
                "program builds it (or loads it from a disk cache), later plans in the context "
                "reuse it (microseconds)\n",
                bullet, n, t[n / 2], t[n - 1], results[slowest].layer.name,
                layout_name(results[slowest].layout));
    }
    free(t);
}

void bench_print_report(FILE *out, bench_format format, const bench_machine *m,
                        const bench_runner *runner, const bench_result *results, int count,
                        bool sweep, bool batch_reduced_verify, const bench_roofline *roof)
{
    const bool md = format == BENCH_FORMAT_MARKDOWN;
    const char *bullet = md ? "- " : "";
    fprintf(out, "%sdevice: %s (%u compute units)\n", bullet, m->device, m->device_compute_units);
    if (md) fprintf(out, "\n");
    fprintf(out, "%shost: %s, %d threads online", bullet, m->host_cpu, m->host_threads);
    if (m->busy_before >= 0)
        fprintf(out, ", %.0f %% busy with other work just before the run", 100 * m->busy_before);
    fprintf(out, "\n");
    if (m->busy_before > 0.25) {
        if (md) fprintf(out, "\n");
        fprintf(out, "%sWARNING: other processes were using the CPUs: timings on a CPU device are "
                     "unreliable; compare only ratios measured in one run\n",
                bullet);
    }
    if (m->device_is_cpu && m->pocl_affinity[0]) {
        if (md) fprintf(out, "\n");
        fprintf(out, "%sPOCL_AFFINITY=%s (a PoCL device's worker threads pinned to cores when 1)\n",
                bullet, m->pocl_affinity);
    }
    if (md) fprintf(out, "\n");
    fprintf(out, "%sclgconv %s, %s\n\n", bullet, m->library_version, m->date_utc);

    table t = {0};
    t.rows = count;
    t.cells = calloc(count ? (size_t)count : 1, sizeof *t.cells);
    if (!t.cells) {
        fprintf(stderr, "clgconv-bench: out of memory printing the table\n");
        return;
    }
    const char *titles[] = {"layer",   "layout", "shape",   "g",
                            "algorithm", "ms",   "GFLOP/s", "% peak",
                            "GB/s",    "max err", sweep ? "t(g)/t(1)" : "vs g=1", "ideal 1/g",
                            "status"};
    const bool right[] = {false, false, false, true, false, true, true,
                          true,  true,  true,  true, true,  false};
    _Static_assert(sizeof titles / sizeof titles[0] <= REPORT_MAX_COLUMNS &&
                       sizeof right / sizeof right[0] == sizeof titles / sizeof titles[0],
                   "the report table has more columns than REPORT_MAX_COLUMNS");
    int ncols = 0;
    for (int c = 0; c < 13; ++c) {
        if (!sweep && c == 11) continue; /* the ideal column belongs to sweeps */
        if (!roof && (c == 7 || c == 8)) continue; /* no roofline measured */
        t.titles[ncols] = titles[c];
        t.right_aligned[ncols] = right[c];
        ++ncols;
    }
    t.columns = ncols;
    int failures = 0, errors = 0, unsupported = 0;
    for (int i = 0; i < count; ++i) {
        const bench_result *r = &results[i];
        char(*row)[REPORT_CELL] = t.cells[i];
        int c = 0;
        snprintf(row[c++], REPORT_CELL, "%s", r->layer.name);
        snprintf(row[c++], REPORT_CELL, "%s", layout_name(r->layout));
        bench_layer_shape_str(&r->layer, row[c++], REPORT_CELL);
        snprintf(row[c++], REPORT_CELL, "%d", r->layer.g);
        algo_cell(r, row[c++], REPORT_CELL);
        number_cell(row[c++], REPORT_CELL, "%.3f", r->median_ms);
        number_cell(row[c++], REPORT_CELL, "%.1f", r->gflops);
        if (roof) {
            number_cell(row[c++], REPORT_CELL, "%.0f", 100.0 * r->gflops / roof->peak_gflops);
            number_cell(row[c++], REPORT_CELL, "%.1f", result_gbs(r));
        }
        number_cell(row[c++], REPORT_CELL, "%.1e", r->max_abs_err);
        number_cell(row[c++], REPORT_CELL, "%.3f", r->t_over_dense);
        if (sweep) number_cell(row[c++], REPORT_CELL, "%.3f", 1.0 / r->layer.g);
        snprintf(row[c++], REPORT_CELL, "%s", bench_status_name(r->status));
        failures += r->status == BENCH_FAIL;
        errors += r->status == BENCH_ERROR;
        unsupported += r->status == BENCH_UNSUPPORTED;
    }
    table_print(out, format, &t);
    free(t.cells);

    if (runner->min_time_ms > 0)
        fprintf(out, "\n%stime: median of at least %d timed runs (more, up to %d, until they add "
                     "up to %g ms; the CSV has the count) after %d warm-up run(s)",
                bullet, runner->iters, 50 * runner->iters, runner->min_time_ms, runner->warmup);
    else
        fprintf(out, "\n%stime: median of %d timed runs after %d warm-up run(s)", bullet,
                runner->iters, runner->warmup);
    fprintf(out, "; wall clock from %s to the return of clFinish (enqueue and launch overhead "
                 "included; the first warm-up run also compiles the kernels)\n",
            runner->packed ? "clgconv_conv2d_forward_packed (weights packed once per plan, "
                             "untimed; --weights raw to time clgconv_conv2d_forward)"
                           : "clgconv_conv2d_forward (weights as given, --weights raw)");
    fprintf(out, "%sGFLOP/s = 2 x MACs / time; %s = time / time of the same shape with g = 1 "
                 "(its fastest run in this run when several algorithms ran); the ideal is 1/g\n",
            bullet, sweep ? "t(g)/t(1)" : "vs g=1");
    if (runner->verify) {
        fprintf(out, "%sverification: every output element of image 0%s against "
                     "clgconv_conv2d_reference (double accumulation) of that image alone; "
                     "tolerance per element (L+2)*FLT_EPSILON*sum|terms| + 1e-6, L = (C/g)*kh*kw; "
                     "max err = largest |ours - reference|\n",
                bullet, batch_reduced_verify ? " and of the last image of the batch" : "");
        if (runner->tolerance_scale != 1.0)
            fprintf(out, "%stolerance scaled by %g (--tolerance-scale)\n", bullet,
                    runner->tolerance_scale);
    } else {
        fprintf(out, "%sverification: disabled (--no-verify)\n", bullet);
    }
    print_plan_times(out, bullet, results, count);
    if (roof) print_roofline_summary(out, bullet, roof, results, count);
    if (unsupported)
        fprintf(out, "%s%d run(s) unsupported (\"-\"): the algorithm cannot run that layer on "
                     "this device\n",
                bullet, unsupported);
    for (int i = 0; i < count; ++i) {
        const bench_result *r = &results[i];
        if (r->status != BENCH_FAIL && r->status != BENCH_ERROR) continue;
        char algo[64];
        algo_cell(r, algo, sizeof algo);
        fprintf(out, "%s%s: %s %s %s: %s\n", bullet, bench_status_name(r->status), r->layer.name,
                layout_name(r->layout), algo, r->message);
    }
    if (failures || errors)
        fprintf(out, "%s%d verification failure(s), %d error(s)\n", bullet, failures, errors);
}

/* A CSV field: quoted when it holds a comma, a quote or a line break. */
static void csv_field(FILE *f, const char *s, bool last)
{
    if (strpbrk(s, ",\"\r\n")) {
        fputc('"', f);
        for (; *s; ++s) {
            if (*s == '"') fputc('"', f);
            fputc(*s == '\n' || *s == '\r' ? ' ' : *s, f);
        }
        fputc('"', f);
    } else {
        fputs(s, f);
    }
    fputc(last ? '\n' : ',', f);
}

static void csv_number(FILE *f, const char *fmt, double v)
{
    if (isnan(v))
        fputs(",", f);
    else {
        fprintf(f, fmt, v);
        fputc(',', f);
    }
}

bool bench_write_csv(const char *path, const bench_machine *m, const bench_runner *runner,
                     const bench_result *results, int count, const bench_roofline *roof)
{
    FILE *f = fopen(path, "w");
    if (!f) return false;
    fprintf(f, "# clgconv-bench results\n");
    fprintf(f, "# device: %s\n", m->device);
    fprintf(f, "# device_compute_units: %u\n", m->device_compute_units);
    fprintf(f, "# device_is_cpu: %d\n", m->device_is_cpu ? 1 : 0);
    fprintf(f, "# host_cpu: %s\n", m->host_cpu);
    fprintf(f, "# host_threads: %d\n", m->host_threads);
    fprintf(f, "# cpu_busy_before: %.2f\n", m->busy_before);
    fprintf(f, "# pocl_affinity: %s\n", m->pocl_affinity);
    fprintf(f, "# library_version: %s\n", m->library_version);
    fprintf(f, "# date: %s\n", m->date_utc);
    fprintf(f, "# iters: %d\n# min_time_ms: %g\n# warmup: %d\n", runner->iters,
            runner->min_time_ms, runner->warmup);
    if (roof) {
        fprintf(f, "# peak_gflops: %.3f\n# peak_width: %d\n# copy_gbs: %.3f\n# copy_bytes: %zu\n"
                   "# cache_bytes: %.0f\n# call_floor_ms: %.6f\n# copy_gbs_by_bytes:",
                roof->peak_gflops, roof->peak_width, roof->copy_gbs, roof->copy_bytes,
                roof->cache_bytes, roof->call_floor_ms);
        for (int i = 0; i < roof->copy_small_count; ++i)
            fprintf(f, " %zu=%.3f", roof->copy_small_bytes[i], roof->copy_small_gbs[i]);
        fprintf(f, " %zu=%.3f\n", roof->copy_bytes, roof->copy_gbs);
    }
    fprintf(f, "# weights: %s\n", runner->packed ? "packed" : "raw");
    fprintf(f, "# timer: wall clock, %s to clFinish return, median\n",
            runner->packed ? "clgconv_conv2d_forward_packed" : "clgconv_conv2d_forward");
    fprintf(f, "mode,family,layer,batch,in_channels,in_height,in_width,out_channels,groups,"
               "kernel_h,kernel_w,stride,pad,dilation,layout,algo_requested,algo,status,iters,"
               "median_ms,min_ms,macs,gflops,max_abs_err,err_over_tol,verified_images,"
               "t_over_dense,ideal_ratio,min_bytes,gbs,plan_ms,message\n");
    for (int i = 0; i < count; ++i) {
        const bench_result *r = &results[i];
        const bench_layer *l = &r->layer;
        csv_field(f, r->mode, false);
        csv_field(f, l->family, false);
        csv_field(f, l->name, false);
        fprintf(f, "%d,%d,%d,%d,%d,%d,%d,%d,%d,%d,%d,", l->n, l->c, l->h, l->w, l->k, l->g, l->kh,
                l->kw, l->stride, l->pad, l->dilation);
        fprintf(f, "%s,%s,%s,%s,%d,", layout_name(r->layout) , clgconv_algo_name(r->algo_requested),
                r->algo_used == CLGCONV_ALGO_AUTO ? "" : clgconv_algo_name(r->algo_used),
                bench_status_name(r->status), r->iters);
        csv_number(f, "%.6f", r->median_ms);
        csv_number(f, "%.6f", r->min_ms);
        csv_number(f, "%.0f", r->macs);
        csv_number(f, "%.3f", r->gflops);
        csv_number(f, "%.3e", r->max_abs_err);
        csv_number(f, "%.3e", r->worst_err_ratio);
        fprintf(f, "%d,", r->verified_images);
        csv_number(f, "%.6f", r->t_over_dense);
        csv_number(f, "%.6f", 1.0 / l->g);
        csv_number(f, "%.0f", bench_layer_min_bytes(l));
        csv_number(f, "%.3f", result_gbs(r));
        csv_number(f, "%.3f", r->plan_ms);
        csv_field(f, r->message, true);
    }
    bool ok = !ferror(f);
    if (fclose(f) != 0) ok = false;
    return ok;
}
