/* auto_replay.c: replays AUTO's cost models against measured per-algorithm times (clgconv-bench --compare-algos CSVs, e.g. from a GPU run) and reports what each pick costs against the fastest algorithm. */
#include "clgconv.h"
#include "test_util.h"
#include "testing.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(void)
{
    fprintf(stderr,
            "usage: auto_replay [--dump] [--as-gpu CU] CSV...\n"
            "  CSV       clgconv-bench --compare-algos --csv files (every algorithm timed per\n"
            "            layer; rows whose status is not ok are ignored)\n"
            "  --as-gpu  plan as a GPU of CU compute units (clgconv_testing_plan_as_gpu); default:\n"
            "            the CSV's device_compute_units unless its device_is_cpu is 1, else the\n"
            "            default device's own class\n"
            "  --dump    also print one line per (layer, algorithm): estimate and measured time\n"
            "Estimates come from the default clgconv device (CLGCONV_DEVICE) planning as told; no\n"
            "kernel is built. Each file's layers are replayed on their own (two runs of a layer\n"
            "count twice). Prints, per layer, AUTO's pick, its measured time and the fastest\n"
            "algorithm's, then the geometric mean of pick / fastest per batch size and layout.\n");
}

enum { MAX_ROWS = 8192, FIELDS = 32 };

typedef struct row {
    char layer[64];
    clgconv_conv2d_desc desc;
    int algo;        /* measured algorithm; CLGCONV_ALGO_AUTO: the row of AUTO's own pick */
    int device_pick; /* on AUTO's row, the algorithm AUTO took on the measured device */
    double ms;
    unsigned cu; /* compute units to plan as; 0: the device's own class */
    int file;    /* which CSV: runs in different files are never merged */
} row;

static row g_rows[MAX_ROWS];
static int g_count;

/* Splits line (modified) at commas into at most FIELDS fields; returns how many. */
static int split(char *line, char *field[FIELDS])
{
    int n = 0;
    char *p = line;
    while (n < FIELDS) {
        field[n++] = p;
        char *c = strchr(p, ',');
        if (!c) break;
        *c = '\0';
        p = c + 1;
    }
    line[strcspn(line, "\r\n")] = '\0';
    for (int i = 0; i < n; ++i) field[i][strcspn(field[i], "\r\n")] = '\0';
    return n;
}

static int column(char *header[FIELDS], int n, const char *name)
{
    for (int i = 0; i < n; ++i)
        if (!strcmp(header[i], name)) return i;
    return -1;
}

static int read_csv(const char *path, int file, long as_gpu)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "auto_replay: cannot open %s\n", path);
        return 1;
    }
    char line[2048], head_line[2048] = "";
    char *head[FIELDS];
    int nhead = 0;
    unsigned cu = as_gpu >= 0 ? (unsigned)as_gpu : 0;
    int device_is_cpu = 0;
    enum { LAYER, BATCH, C, H, W, K, G, KH, KW, STRIDE, PAD, DIL, LAYOUT, REQ, ALGO, STATUS, MS,
           NCOL };
    static const char *names[NCOL] = {"layer",    "batch",    "in_channels",    "in_height",
                                      "in_width", "out_channels", "groups", "kernel_h",
                                      "kernel_w", "stride",   "pad",      "dilation",
                                      "layout",   "algo_requested", "algo", "status", "median_ms"};
    int col[NCOL];
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#') {
            unsigned v;
            if (as_gpu < 0 && sscanf(line, "# device_compute_units: %u", &v) == 1 && !device_is_cpu)
                cu = v;
            if (sscanf(line, "# device_is_cpu: %d", &device_is_cpu) == 1 && device_is_cpu)
                cu = as_gpu >= 0 ? (unsigned)as_gpu : 0;
            continue;
        }
        if (!nhead) {
            strcpy(head_line, line);
            nhead = split(head_line, head);
            for (int i = 0; i < NCOL; ++i)
                if ((col[i] = column(head, nhead, names[i])) < 0) {
                    fprintf(stderr, "auto_replay: %s has no column %s\n", path, names[i]);
                    fclose(f);
                    return 1;
                }
            continue;
        }
        char *fld[FIELDS];
        const int n = split(line, fld);
        if (n < nhead || strcmp(fld[col[STATUS]], "ok") != 0) continue;
        clgconv_algo algo, took = CLGCONV_ALGO_AUTO;
        if (clgconv_algo_from_name(fld[col[REQ]], &algo) != CLGCONV_SUCCESS) continue;
        if (algo == CLGCONV_ALGO_AUTO &&
            clgconv_algo_from_name(fld[col[ALGO]], &took) != CLGCONV_SUCCESS)
            continue;
        if (g_count == MAX_ROWS) {
            fprintf(stderr, "auto_replay: more than %d rows\n", MAX_ROWS);
            fclose(f);
            return 1;
        }
        row *r = &g_rows[g_count++];
        snprintf(r->layer, sizeof r->layer, "%s", fld[col[LAYER]]);
        clgconv_conv2d_desc *d = &r->desc;
        clgconv_conv2d_desc_init(d);
        d->batch = atoi(fld[col[BATCH]]);
        d->in_channels = atoi(fld[col[C]]);
        d->in_height = atoi(fld[col[H]]);
        d->in_width = atoi(fld[col[W]]);
        d->out_channels = atoi(fld[col[K]]);
        d->groups = atoi(fld[col[G]]);
        d->kernel_h = atoi(fld[col[KH]]);
        d->kernel_w = atoi(fld[col[KW]]);
        d->stride_h = d->stride_w = atoi(fld[col[STRIDE]]);
        d->pad_top = d->pad_bottom = d->pad_left = d->pad_right = atoi(fld[col[PAD]]);
        d->dilation_h = d->dilation_w = atoi(fld[col[DIL]]);
        d->layout = !strcmp(fld[col[LAYOUT]], "NHWC") ? CLGCONV_LAYOUT_NHWC : CLGCONV_LAYOUT_NCHW;
        r->algo = (int)algo;
        r->device_pick = (int)took;
        r->ms = atof(fld[col[MS]]);
        r->cu = cu;
        r->file = file;
    }
    fclose(f);
    return 0;
}

static int same_layer(const row *a, const row *b)
{
    return a->file == b->file && !strcmp(a->layer, b->layer) &&
           !memcmp(&a->desc, &b->desc, sizeof a->desc) && a->cu == b->cu;
}

int main(int argc, char **argv)
{
    int dump = 0, first = 1, differ = 0;
    long as_gpu = -1;
    for (; first < argc && argv[first][0] == '-'; ++first) {
        if (!strcmp(argv[first], "--dump")) dump = 1;
        else if (!strcmp(argv[first], "--as-gpu") && first + 1 < argc) {
            char *end;
            as_gpu = strtol(argv[++first], &end, 10);
            if (*end || end == argv[first] || as_gpu < 0 || as_gpu > 65536) {
                fprintf(stderr, "auto_replay: --as-gpu (%s) is not a compute unit count\n",
                        argv[first]);
                return 2;
            }
        } else {
            usage();
            return 2;
        }
    }
    if (first >= argc) {
        usage();
        return 2;
    }
    for (int i = first; i < argc; ++i)
        if (read_csv(argv[i], i, as_gpu)) return 1;

    /* Per (batch, layout): sum of log(pick / fastest), layers, layers over 1.15x. */
    enum { CONFIGS = 16 };
    struct { int batch, layout, layers, over; double log_sum; } cfg[CONFIGS];
    int ncfg = 0, layers = 0, over = 0;
    double log_all = 0, worst = 0;
    char worst_name[96] = "";
    clgconv_context *ctx = NULL;
    unsigned ctx_cu = ~0u;
    int *done = calloc((size_t)g_count, sizeof *done);
    if (!done) return 1;
    printf("%-28s %5s %4s %-10s %9s %-10s %9s %6s\n", "layer", "batch", "lay", "auto", "auto ms",
           "fastest", "ms", "ratio");
    for (int i = 0; i < g_count; ++i) {
        if (done[i]) continue;
        const row *r = &g_rows[i];
        double measured[CLGCONV_ALGO_COUNT_];
        int device_pick = CLGCONV_ALGO_AUTO;
        for (int a = 0; a < CLGCONV_ALGO_COUNT_; ++a) measured[a] = -1;
        for (int j = i; j < g_count; ++j)
            if (!done[j] && same_layer(r, &g_rows[j])) {
                done[j] = 1;
                if (g_rows[j].algo == CLGCONV_ALGO_AUTO) device_pick = g_rows[j].device_pick;
                else measured[g_rows[j].algo] = g_rows[j].ms;
            }
        if (ctx_cu != r->cu) {
            clgconv_context_release(ctx);
            clgconv_testing_plan_as_gpu(r->cu);
            ctx = test_open_context(NULL); /* exits 77 without a device (see test_util.h) */
            ctx_cu = r->cu;
        }
        double est[CLGCONV_ALGO_COUNT_];
        clgconv_algo pick;
        if (clgconv_testing_auto_estimates(ctx, &r->desc, est, &pick) != CLGCONV_SUCCESS) {
            printf("%-28s: %s\n", r->layer, clgconv_last_error());
            continue;
        }
        int best = -1;
        for (int a = 1; a < CLGCONV_ALGO_COUNT_; ++a)
            if (measured[a] > 0 && (best < 0 || measured[a] < measured[best])) best = a;
        const char *lay = r->desc.layout == CLGCONV_LAYOUT_NHWC ? "nhwc" : "nchw";
        if (dump)
            for (int a = 1; a < CLGCONV_ALGO_COUNT_; ++a)
                if (est[a] >= 0 || measured[a] > 0)
                    printf("dump,%s,%d,%s,%s,%.4f,%.4f\n", r->layer, r->desc.batch, lay,
                           clgconv_algo_name((clgconv_algo)a), est[a] * 1e3, measured[a]);
        if (best < 0 || measured[pick] <= 0) {
            printf("%-28s %5d %4s %-10s %9s (not measured)\n", r->layer, r->desc.batch, lay,
                   clgconv_algo_name(pick), "-");
            continue;
        }
        const double ratio = measured[pick] / measured[best];
        printf("%-28s %5d %4s %-10s %9.3f %-10s %9.3f %6.2f", r->layer, r->desc.batch, lay,
               clgconv_algo_name(pick), measured[pick], clgconv_algo_name((clgconv_algo)best),
               measured[best], ratio);
        /* The measured run's AUTO chose otherwise: its estimates differ from this replay's
           (another library version, or device facts this device does not share). */
        if (device_pick != CLGCONV_ALGO_AUTO && device_pick != (int)pick)
            printf("  (the run took %s)", clgconv_algo_name((clgconv_algo)device_pick)), ++differ;
        printf("\n");
        int c = 0;
        while (c < ncfg && (cfg[c].batch != r->desc.batch || cfg[c].layout != (int)r->desc.layout))
            ++c;
        if (c == ncfg) {
            if (ncfg == CONFIGS) continue;
            cfg[ncfg].batch = r->desc.batch, cfg[ncfg].layout = (int)r->desc.layout;
            cfg[ncfg].layers = cfg[ncfg].over = 0, cfg[ncfg].log_sum = 0;
            ++ncfg;
        }
        cfg[c].layers++, cfg[c].log_sum += log(ratio), cfg[c].over += ratio > 1.15;
        layers++, log_all += log(ratio), over += ratio > 1.15;
        if (ratio > worst) {
            worst = ratio;
            snprintf(worst_name, sizeof worst_name, "%s batch %d %s", r->layer, r->desc.batch, lay);
        }
    }
    clgconv_context_release(ctx);
    free(done);
    printf("\nAUTO's pick / fastest measured, geometric mean:\n");
    for (int c = 0; c < ncfg; ++c)
        printf("  batch %d %s: %.3f over %d layers (%d over 1.15x)\n", cfg[c].batch,
               cfg[c].layout == (int)CLGCONV_LAYOUT_NHWC ? "NHWC" : "NCHW",
               exp(cfg[c].log_sum / cfg[c].layers), cfg[c].layers, cfg[c].over);
    if (layers)
        printf("  all: %.3f over %d layers (%d over 1.15x), worst %.2f (%s)\n",
               exp(log_all / layers), layers, over, worst, worst_name);
    if (differ) printf("  %d layers where the measured run's AUTO took another algorithm\n", differ);
    return 0;
}
