/* test_differential.c: every OpenCL algorithm and the host path against the CPU reference, on named edge cases and a seeded random sweep. */
#include "test_cases.h"
#include "testing.h"

#include <math.h>
#include <string.h>

static clgconv_context *g_ctx;
static cl_command_queue g_queue;
/* The context whose plans check_all_algos makes (g_ctx, or the GPU-planning twin of gpu_plans),
   and the algorithms it runs (a bit per clgconv_algo). */
static clgconv_context *g_plan_ctx;
static unsigned g_algo_mask = ~0u;
static const char *g_plan_label = ""; /* what a failure label says of g_plan_ctx's plans */
static int g_runs[CLGCONV_ALGO_COUNT_];       /* comparisons made per algorithm */
static double g_seconds[CLGCONV_ALGO_COUNT_]; /* time spent per algorithm (informative only) */
/* CLGCONV_TEST_SHARD=i/n: this process checks shapes i, i+n, i+2n, ... of the whole list (named,
   random, medium; the host path in shard 0), so n processes can share a many-core machine. */
static int g_shard, g_shards = 1, g_shape_index, g_shapes_checked;
static cl_uint g_compute_units; /* the device's */

/* Runs desc with every algorithm that takes it and compares each with the reference. */
static void check_all_algos(const clgconv_conv2d_desc *d, bool with_bias, test_rng *r,
                            const char *name)
{
    if (g_shape_index++ % g_shards != g_shard) return;
    if (g_algo_mask & 1u << CLGCONV_ALGO_DIRECT) ++g_shapes_checked; /* shapes direct must run */
    size_t in_b, w_b, b_b, out_b;
    CHECK_OK(clgconv_conv2d_tensor_bytes(d, &in_b, &w_b, &b_b, &out_b));
    float *x = test_random_tensor(r, in_b / 4), *w = test_random_tensor(r, w_b / 4);
    float *b = with_bias ? test_random_tensor(r, b_b / 4) : NULL;
    float *y = malloc(out_b);
    CHECK(y != NULL);
    char desc_text[256], label[400];
    test_desc_str(d, desc_text, sizeof desc_text);
    for (int a = CLGCONV_ALGO_DIRECT; a < CLGCONV_ALGO_COUNT_; ++a) {
        if (!(g_algo_mask & (1u << a))) continue;
        /* Tiled runs twice: on the zero-padded copy of the input (the pre-pass, used for every
           shape with border blocks or tiles) and without it, whatever the cost model would
           pick; NHWC layers a third time through the NCHW kernel (pad_input_from_nhwc and an
           NHWC-writing conv2d_tiled_nchw) where the cost model may pick it (output channels
           per group not a multiple of 8) and in the named tiled_ cases (which reach the
           NCHW kernel's other tiles that way, bar the tiled_nhwc_pixel_run cases, whose
           point is the NHWC kernel); NCHW layers of the medium sweep and the named
           tiled_nchw_via_nhwc cases with at least 8 input and a multiple of 8 output channels
           per group a third time through the NHWC kernel: its pitched or edge row tiles with
           NCHW addressing where they suit the layer (which CPU plans pick for small images), else
           its row tiles on a transposed copy (each new combination of channel counts and
           geometry is a program build, hence not every tiled_ case); the named
           tiled_nchw_edges cases a fourth time with narrow rows on the unpadded input and
           shifted edge loads, the named tiled_nhwc_edges cases and the random and medium
           sweeps' NHWC layers with row tiles on the unpadded input (both -DCLG_EDGES; for
           NHWC the CPU plans' usual choice; the cost model's own run is not made for tiled
           here; about 40 more runs per shard and no measurable time, cold); the named
           tiled_nchw_copy cases and every third NCHW layer of the random sweep a fifth time
           through the NHWC kernel's row tiles on a transposed copy of the input (a program
           build each, hence not every layer).
           Modes: 4 via the NHWC copy, 3 edge rows, 1 padded, 0 unpadded, 2 via the other
           layout's kernel, -1 the only run of other algorithms. */
        const bool tiled = a == CLGCONV_ALGO_TILED;
        const int cpg = d->in_channels / d->groups, kpg = d->out_channels / d->groups;
        const bool via =
            d->layout == CLGCONV_LAYOUT_NHWC
                ? kpg % 8 != 0 || (strncmp(name, "tiled_", 6) == 0 &&
                                   strncmp(name, "tiled_nhwc_pixel_run", 20) != 0)
                : g_plan_ctx == g_ctx && cpg >= 8 && (kpg % 8 == 0 || strstr(name, "_kpad")) &&
                      (strncmp(name, "tiled_nchw_via_nhwc", 19) == 0 ||
                       strncmp(name, "medium", 6) == 0);
        const int plan_registers = clgconv_testing_context_cpu_registers(g_plan_ctx); /* 0: GPU */
        const char *edges_prefix =
            d->layout == CLGCONV_LAYOUT_NCHW ? "tiled_nchw_edges" : "tiled_nhwc_edges";
        const bool named_edges = strncmp(name, edges_prefix, 16) == 0;
        const bool copy = d->layout == CLGCONV_LAYOUT_NCHW &&
                          (strncmp(name, "tiled_nchw_copy", 15) == 0 ||
                           (strncmp(name, "random", 6) == 0 && g_shape_index % 3 == 0));
        const bool edges =
            named_edges || (d->layout == CLGCONV_LAYOUT_NHWC && plan_registers > 0 &&
                            (strncmp(name, "medium", 6) == 0 || strncmp(name, "random", 6) == 0 ||
                             strncmp(name, "tiled_nhwc_pairs", 16) == 0 ||
                             strncmp(name, "tiled_nhwc_kpad", 15) == 0));
        /* Planned for 32 registers on a CPU, each case named for a path must reach it: a
           tiled_nchw_edges or tiled_nhwc_edges case edge rows (in its edge-rows run), a
           depthwise_nhwc_rows case unrolled rows, a depthwise_flat case (1024 or more planes)
           the flat kernel where the device has up to 16 compute units (the rule wants 64
           planes per unit). Checked on each case's own plan, so that a change to the plan
           choices cannot drop one unnoticed. */
        const bool wide_cpu = plan_registers >= 32;
        const bool want_edges = tiled && named_edges && wide_cpu;
        /* an NCHW case named for the NHWC kernel's edge rows takes them in its run through it */
        const bool want_io_rows =
            tiled && wide_cpu && strncmp(name, "tiled_nchw_via_nhwc_rows", 24) == 0;
        /* a case named for tiles of two channel vectors takes them: NHWC in every run but the
           one through the NCHW kernel, NCHW in its run through the NHWC kernel (nchw_io) */
        const bool want_kv = tiled && wide_cpu && strstr(name, "_kv2") != NULL;
        const bool nhwc_case = d->layout == CLGCONV_LAYOUT_NHWC;
        /* a copy case named for two channel vectors takes them in its run on the copy */
        const bool want_copy_kv = tiled && wide_cpu && copy && strstr(name, "two_vectors");
        /* a case named for input channel pairs takes them: NHWC in every run but the one
           through the NCHW kernel, NCHW in its run on the NHWC copy */
        const bool want_pairs = tiled && wide_cpu && strstr(name, "_pairs") != NULL;
        /* a case named for padded channel blocks takes them: NHWC in every run but the one
           through the NCHW kernel, NCHW in its runs through the NHWC kernel */
        const bool want_kpad = tiled && wide_cpu && strstr(name, "_kpad") != NULL;
        /* a case named for pitched rows takes them in its padded run */
        const bool want_pitched =
            tiled && wide_cpu && strncmp(name, "tiled_nchw_pitched_rows", 23) == 0;
        const bool want_rows = a == CLGCONV_ALGO_DEPTHWISE && wide_cpu &&
                               (strncmp(name, "depthwise_nhwc_rows", 19) == 0 ||
                                strncmp(name, "depthwise_nhwc_kc_rows", 22) == 0);
        const bool want_flat = a == CLGCONV_ALGO_DEPTHWISE && wide_cpu &&
                               g_compute_units <= 16 && strncmp(name, "depthwise_flat", 14) == 0;
        /* a depthwise_nhwc_kc case takes several channel vectors per work-item, forced
           (clgconv_testing_depthwise_channel_vectors): the rule keeps them for layers larger
           than 1.25 MiB per compute unit; the streamed-stores pass runs these cases again */
        const bool want_kc = a == CLGCONV_ALGO_DEPTHWISE && wide_cpu &&
                             strncmp(name, "depthwise_nhwc_kc", 17) == 0;
        for (int mode = tiled ? (copy ? 4 : edges ? 3 : via ? 2 : 1) : -1;
             mode >= (tiled ? 0 : -1); --mode) {
            if ((mode == 3 && !edges) || (mode == 2 && !via)) continue;
            const char *algo = clgconv_algo_name((clgconv_algo)a);
            snprintf(label, sizeof label, "%s [%s%s] %s%s%s", name, desc_text,
                     with_bias ? "" : " no bias", algo,
                     mode == 4   ? " via NHWC copy"
                     : mode == 3 ? " edge rows"
                     : mode == 2 ? (d->layout == CLGCONV_LAYOUT_NHWC ? " via NCHW" : " via NHWC")
                     : mode == 1 ? " padded"
                     : mode == 0 ? " unpadded"
                                 : "",
                     g_plan_label);
            clgconv_testing_tiled_padding(mode == 3 ? 2 : mode == 2 || mode == 4 ? -1 : mode);
            clgconv_testing_tiled_via_nchw(mode == 2 ? 1 : mode >= 0 ? 0 : -1);
            clgconv_testing_tiled_via_nhwc(mode == 4 ? 2 : mode == 2 ? 1 : mode >= 0 ? 0 : -1);
            const long edges0 = clgconv_testing_tiled_edge_plans();
            const long kv0 = clgconv_testing_tiled_kv_plans();
            const long pairs0 = clgconv_testing_tiled_pair_plans();
            const long kpad0 = clgconv_testing_tiled_channel_pad_plans();
            const long copy0 = clgconv_testing_tiled_copy_plans();
            const long pitched0 = clgconv_testing_tiled_pitched_plans();
            const long rows0 = clgconv_testing_depthwise_row_plans();
            const long flat0 = clgconv_testing_depthwise_flat_plans();
            const long kc0 = clgconv_testing_depthwise_channel_vector_plans();
            if (want_kc) clgconv_testing_depthwise_channel_vectors(1);
            double t0 = test_now_seconds();
            clgconv_status st =
                test_run_plan(g_plan_ctx, g_queue, d, (clgconv_algo)a, x, w, b, y);
            g_seconds[a] += test_now_seconds() - t0;
            clgconv_testing_depthwise_channel_vectors(-1);
            if (want_kc)
                EXPECT(clgconv_testing_depthwise_channel_vector_plans() > kc0,
                       "%s: the plan did not take several channel vectors per work-item", label);
            if (want_edges && mode == 3)
                EXPECT(clgconv_testing_tiled_edge_plans() > edges0,
                       "%s: the plan did not take edge rows", label);
            if (want_io_rows && mode == 2)
                EXPECT(clgconv_testing_tiled_edge_plans() > edges0,
                       "%s: the plan through the NHWC kernel did not take edge rows", label);
            if (want_pitched && mode == 1)
                EXPECT(clgconv_testing_tiled_pitched_plans() > pitched0,
                       "%s: the plan did not take pitched blocks", label);
            if (mode == 4)
                EXPECT(clgconv_testing_tiled_copy_plans() > copy0,
                       "%s: the plan did not run the NHWC kernel on a copy", label);
            if (want_copy_kv && mode == 4)
                EXPECT(clgconv_testing_tiled_kv_plans() > kv0,
                       "%s: the plan on the copy did not take two channel vectors", label);
            if (want_kv && (nhwc_case ? mode != 2 && mode != 4 : mode == 2))
                EXPECT(clgconv_testing_tiled_kv_plans() > kv0,
                       "%s: the plan did not take two channel vectors", label);
            if (want_pairs && (nhwc_case ? mode != 2 : mode == 4))
                EXPECT(clgconv_testing_tiled_pair_plans() > pairs0,
                       "%s: the plan did not take input channel pairs", label);
            if (want_kpad && (nhwc_case ? mode != 2 : mode == 2 || mode == 4))
                EXPECT(clgconv_testing_tiled_channel_pad_plans() > kpad0,
                       "%s: the plan did not take padded channel blocks", label);
            if (want_rows)
                EXPECT(clgconv_testing_depthwise_row_plans() > rows0,
                       "%s: the plan did not unroll its rows", label);
            if (want_flat)
                EXPECT(clgconv_testing_depthwise_flat_plans() > flat0,
                       "%s: the plan did not take the flat kernel", label);
            clgconv_testing_tiled_padding(-1);
            clgconv_testing_tiled_via_nchw(-1);
            clgconv_testing_tiled_via_nhwc(-1);
            if (!test_algo_ran((clgconv_algo)a, st, label)) continue;
            double err = 0;
            EXPECT(test_compare_with_reference(d, x, w, b, y, label, &err),
                   "%s: max error %.3g beyond tolerance", label, err);
            ++g_runs[a];
        }
    }
    free(x), free(w), free(b), free(y);
}

/* The named cases (without those marked cpu_paths when skip_cpu_paths; with a prefix, only those
   whose name starts with it); returns how many ran. */
static int g_layout_filter = -1; /* named_cases: only this layout when >= 0 */
static int named_cases(test_rng *r, bool skip_cpu_paths, const char *prefix)
{
    int shapes = 0;
    for (size_t i = 0; i < test_named_case_count; ++i) {
        if (skip_cpu_paths && test_named_cases[i].cpu_paths) continue;
        if (prefix && strncmp(test_named_cases[i].name, prefix, strlen(prefix)) != 0) continue;
        clgconv_conv2d_desc d;
        test_case_desc(&test_named_cases[i], &d);
        if (g_layout_filter >= 0 && (int)d.layout != g_layout_filter) continue;
        check_all_algos(&d, !test_named_cases[i].no_bias, r, test_named_cases[i].name);
        ++shapes;
    }
    return shapes;
}

/* The OpenCL context and device of g_ctx, and the device's type. */
static cl_device_id plan_device(cl_context *c, cl_device_type *type)
{
    cl_device_id dev;
    *type = 0;
    CHECK_OK(clgconv_context_get_cl(g_ctx, c, &dev));
    CHECK(clGetDeviceInfo(dev, CL_DEVICE_TYPE, sizeof *type, type, NULL) == CL_SUCCESS);
    return dev;
}

/* The named cases (named_cases' skip_cpu_paths and prefix) again on the algorithms of algo_mask
   with plans made in ctx (a second context on g_ctx's cl_context, so that g_queue serves it),
   which it then releases; failures carry label. Returns the number of shapes it listed. */
static int named_cases_in(clgconv_context *ctx, unsigned algo_mask, bool skip_cpu_paths,
                          const char *prefix, const char *label, test_rng *r)
{
    g_plan_ctx = ctx;
    g_algo_mask = algo_mask;
    g_plan_label = label;
    const int shapes = named_cases(r, skip_cpu_paths, prefix);
    g_plan_label = "";
    g_algo_mask = ~0u;
    g_plan_ctx = g_ctx;
    clgconv_context_release(ctx);
    return shapes;
}

/* The named cases again with plans made for a GPU (clgconv_testing_plan_as_gpu) and run on this
   device: the GPU-only tile sizes and work-group shapes of tiled and depthwise stay covered
   where CI has no GPU (about 2 minutes of cold builds, split over the ctest shards; gemm's GPU
   tiles are older and ran on an H200; direct and clblast plan alike on every device); not the
   cases marked cpu_paths, whose paths GPU plans never take. Skipped when the device is a GPU
   (the main pass covers it). Returns the number of shapes it listed. */
static int gpu_plans(test_rng *r)
{
    cl_context c;
    cl_device_type type;
    const cl_device_id dev = plan_device(&c, &type);
    if (type & CL_DEVICE_TYPE_GPU) return 0;
    /* 8 compute units: tiles shrink until 512 work-items (64 per compute unit), fully for
       small cases, part-way for larger ones (132, an H200's, would shrink every named case to
       the smallest tile), and work-groups range from 8 to 128 items. */
    clgconv_testing_plan_as_gpu(8);
    clgconv_context *gpu = NULL;
    clgconv_status st = clgconv_context_create(c, dev, &gpu); /* same cl_context: g_queue works */
    clgconv_testing_plan_as_gpu(0);
    CHECK_OK(st);
    /* not the cpu_paths cases: paths GPU plans never take */
    return named_cases_in(gpu, 1u << CLGCONV_ALGO_TILED | 1u << CLGCONV_ALGO_DEPTHWISE, true, NULL,
                          " (GPU plans)", r);
}

/* A second context on g_ctx's cl_context (so that g_queue serves it) whose CPU register tiles
   are sized for `registers` 8-float registers (clgconv_testing_cpu_registers). */
static clgconv_context *context_with_registers(cl_context c, cl_device_id dev, int registers)
{
    clgconv_testing_cpu_registers(registers);
    clgconv_context *ctx = NULL;
    clgconv_status st = clgconv_context_create(c, dev, &ctx);
    clgconv_testing_cpu_registers(0);
    CHECK_OK(st);
    return ctx;
}

/* On CPU devices, the named cases again on tiled and depthwise with plans made for the other
   register file (clgconv_testing_cpu_registers: 16 where the device has 32, else 32), so that
   both families of CPU register tiles (AVX2-sized and AVX-512-sized), and depthwise's choices
   by register count (16-lane narrow groups, NCHW row blocks and their 16-lane rows, 16-plane
   channel-vectorised blocks, 16-lane NHWC vectors for windows over 9 taps), are checked on
   whichever CPU runs the tests. Returns the number of shapes it listed (0 on GPUs). */
static int other_register_plans(test_rng *r)
{
    cl_context c;
    cl_device_type type;
    cl_uint width = 0;
    const cl_device_id dev = plan_device(&c, &type);
    if (!(type & CL_DEVICE_TYPE_CPU)) return 0;
    CHECK(clGetDeviceInfo(dev, CL_DEVICE_NATIVE_VECTOR_WIDTH_FLOAT, sizeof width, &width, NULL) ==
          CL_SUCCESS);
    clgconv_context *other = context_with_registers(c, dev, width >= 16 ? 16 : 32);
    return named_cases_in(other, 1u << CLGCONV_ALGO_TILED | 1u << CLGCONV_ALGO_DEPTHWISE, false,
                          NULL, " (other register file)", r);
}

/* Whether a plan of d on algo, created in ctx (and released), moves the per-thread plan counter
   count: the plan took the path count counts. */
static bool plan_counted(clgconv_context *ctx, const clgconv_conv2d_desc *d, clgconv_algo algo,
                         long (*count)(void))
{
    const long before = count();
    clgconv_plan *plan = NULL;
    CHECK_OK(clgconv_conv2d_plan_create(ctx, d, algo, &plan));
    const bool counted = count() > before;
    clgconv_plan_release(plan);
    return counted;
}

/* d = the layer l in NHWC; returns its input and output bytes together (what the depthwise
   stream and channel-vector rules weigh). */
static double nhwc_desc_bytes(const test_case *l, clgconv_conv2d_desc *d)
{
    test_case_desc(l, d);
    d->layout = CLGCONV_LAYOUT_NHWC;
    size_t input, weights, bias, output;
    CHECK_OK(clgconv_conv2d_tensor_bytes(d, &input, &weights, &bias, &output));
    return (double)input + (double)output;
}

/* The default streaming rule for NHWC depthwise (clg_stream_stores), by plan creation alone, on
   CPU devices that report a cache: a 3x3 layer of 256 channels 28x28 at batch 8 (12.8 MB of
   input and output, memory-bound) streams exactly when it outgrows the lesser of half the
   reported cache and 4 MiB per compute unit (so on 1-3 compute units whatever the cache: the
   Intel Xeon VM reports 260 MiB), in 16-lane plans (32 registers: whole 64-byte lines); 384
   channels 14x14 at batch 1 (0.6 MB) streams on no device that reports 2 MB of cache. */
static void stream_rule(cl_context c, cl_device_id dev)
{
    cl_ulong cache = 0;
    cl_uint units = 0;
    CHECK(clGetDeviceInfo(dev, CL_DEVICE_GLOBAL_MEM_CACHE_SIZE, sizeof cache, &cache, NULL) ==
          CL_SUCCESS);
    CHECK(clGetDeviceInfo(dev, CL_DEVICE_MAX_COMPUTE_UNITS, sizeof units, &units, NULL) ==
          CL_SUCCESS);
    if (cache < (2u << 20) || units == 0) return; /* the rule needs the cache size */
    const double limit = fmin(0.5 * (double)cache, 4.0 * 1048576.0 * units);
    static const test_case layers[] = {
        {"stream_rule", 8, 256, 28, 28, 256, 256, 3, 3, 1, 1, 1, 1, 1, 1},
        {"stream_rule", 1, 384, 14, 14, 384, 384, 3, 3, 1, 1, 1, 1, 1, 1}};
    clgconv_context *ctx = context_with_registers(c, dev, 32);
    for (size_t i = 0; i < sizeof layers / sizeof layers[0]; ++i) {
        const test_case *l = &layers[i];
        clgconv_conv2d_desc d;
        const double bytes = nhwc_desc_bytes(l, &d); /* what the rule weighs */
        const bool streamed = plan_counted(ctx, &d, CLGCONV_ALGO_DEPTHWISE,
                                           clgconv_testing_depthwise_streamed_plans);
        const bool expected = bytes > limit;
        EXPECT(streamed == expected,
               "stream rule: N%d C%d %dx%d NHWC depthwise (%.1f MB; %llu-byte cache, %u compute "
               "units: streams above %.1f MB) %s", l->n, l->c, l->h, l->w, bytes / 1e6,
               (unsigned long long)cache, units, limit / 1e6,
               streamed ? "streamed its stores" : "did not stream its stores");
    }
    clgconv_context_release(ctx);
    printf("stream rule: NHWC depthwise of 12.8 and 0.6 MB checked (streams above %.1f MB)\n",
           limit / 1e6);
}

/* The default channel-vector rule for NHWC depthwise (nhwc_channel_vectors), by plan creation
   alone, on CPU devices planned for 32 registers: MobileNetV2's 28x28x192 layer at batch 8 (9.6
   MB of input and output) and 14x14x384 at batch 1 (0.6 MB) take several 16-channel vectors per
   work-item exactly when they outgrow 1.25 MiB per compute unit; 112 channels (7 vectors: no
   divisor from 2 to 6) never do. */
static void channel_vector_rule(cl_context c, cl_device_id dev)
{
    cl_uint units = 0;
    CHECK(clGetDeviceInfo(dev, CL_DEVICE_MAX_COMPUTE_UNITS, sizeof units, &units, NULL) ==
          CL_SUCCESS);
    const double limit = 1.25 * 1048576.0 * (units ? units : 1);
    static const test_case layers[] = {
        {"channel_vector_rule", 8, 192, 28, 28, 192, 192, 3, 3, 1, 1, 1, 1, 1, 1},
        {"channel_vector_rule", 1, 384, 14, 14, 384, 384, 3, 3, 1, 1, 1, 1, 1, 1},
        {"channel_vector_rule", 64, 112, 28, 28, 112, 112, 3, 3, 1, 1, 1, 1, 1, 1}};
    clgconv_context *ctx = context_with_registers(c, dev, 32);
    for (size_t i = 0; i < sizeof layers / sizeof layers[0]; ++i) {
        const test_case *l = &layers[i];
        clgconv_conv2d_desc d;
        const double bytes = nhwc_desc_bytes(l, &d); /* what the rule weighs */
        const bool taken = plan_counted(ctx, &d, CLGCONV_ALGO_DEPTHWISE,
                                        clgconv_testing_depthwise_channel_vector_plans);
        const int vectors = l->c / 16; /* 16-channel vectors: a divisor from 2 to 6 needed */
        bool divisor = false;
        for (int v = 2; v <= 6; ++v) divisor = divisor || vectors % v == 0;
        const bool expected = bytes > limit && divisor;
        EXPECT(taken == expected,
               "channel vector rule: N%d C%d %dx%d NHWC depthwise (%.1f MB; %u compute units: "
               "above %.1f MB) %s", l->n, l->c, l->h, l->w, bytes / 1e6, units, limit / 1e6,
               taken ? "took several channel vectors" : "took one channel vector");
    }
    /* the hook's values outside -1, 0, 1: any positive value forces (the 0.6 MB layer takes
       them), any negative one is the default (it does not); 0 refuses the 9.6 MB layer */
    static const struct {
        int mode, layer;
        bool taken;
    } hooks[] = {{7, 1, true}, {-5, 1, false}, {0, 0, false}};
    for (size_t i = 0; i < sizeof hooks / sizeof hooks[0]; ++i) {
        clgconv_conv2d_desc d;
        (void)nhwc_desc_bytes(&layers[hooks[i].layer], &d);
        clgconv_testing_depthwise_channel_vectors(hooks[i].mode);
        const bool taken = plan_counted(ctx, &d, CLGCONV_ALGO_DEPTHWISE,
                                        clgconv_testing_depthwise_channel_vector_plans);
        clgconv_testing_depthwise_channel_vectors(-1);
        EXPECT(taken == hooks[i].taken,
               "channel vector hook %d: N%d C%d NHWC depthwise %s", hooks[i].mode,
               layers[hooks[i].layer].n, layers[hooks[i].layer].c,
               taken ? "took several channel vectors" : "took one channel vector");
    }
    clgconv_context_release(ctx);
    printf("channel vector rule: NHWC depthwise of 9.6, 0.6 and 45 MB checked (above %.1f MB), "
           "and the hook's values 7, -5 and 0\n", limit / 1e6);
}

/* The rule that sends NCHW layers through the NHWC tiles on a transposed copy (nhwc_copy_pays
   in algo_tiled.c), by plan creation on CPU devices planned for 32 registers: 3x3 28x28 with
   128 output channels per group takes the copy at batch 2, not at batch 1. */
static void copy_rule(cl_context c, cl_device_id dev)
{
    static const test_case layers[] = {
        {"copy_rule", 2, 128, 28, 28, 128, 1, 3, 3, 1, 1, 1, 1, 1, 1},
        {"copy_rule", 1, 128, 28, 28, 128, 1, 3, 3, 1, 1, 1, 1, 1, 1}};
    clgconv_context *ctx = context_with_registers(c, dev, 32);
    for (size_t i = 0; i < sizeof layers / sizeof layers[0]; ++i) {
        const test_case *l = &layers[i];
        clgconv_conv2d_desc d;
        test_case_desc(l, &d);
        const bool copied =
            plan_counted(ctx, &d, CLGCONV_ALGO_TILED, clgconv_testing_tiled_copy_plans);
        EXPECT(copied == (l->n >= 2), "copy rule: N%d C%d %dx%d NCHW 3x3 %s", l->n, l->c, l->h,
               l->w, copied ? "ran on the NHWC copy" : "did not run on the NHWC copy");
    }
    clgconv_context_release(ctx);
    printf("copy rule: 28x28 NCHW at batch 2 and 1 checked\n");
}

/* The named depthwise_ cases again on depthwise with streaming output stores forced
   (clgconv_testing_stream_stores), which plans otherwise take only for layers larger than half
   the device's cache (NHWC: or 4 MiB per compute unit), and register tiles sized for 32
   registers on CPUs (so that the 16-lane kernels that stream on AVX-512 CPUs are built on any
   CPU): the streamed stores, their alignment test and their plain fallback are checked on
   every depthwise kernel variant the list reaches, in a context of its own whose programs
   carry the option. Returns the number of shapes it listed. */
static int streamed_plans(test_rng *r)
{
    cl_context c;
    cl_device_type type;
    const cl_device_id dev = plan_device(&c, &type);
    clgconv_context *streamed = context_with_registers(c, dev, type & CL_DEVICE_TYPE_CPU ? 32 : 0);
    clgconv_testing_stream_stores(1);
    const int shapes = named_cases_in(streamed, 1u << CLGCONV_ALGO_DEPTHWISE, false, "depthwise",
                                      " (streamed stores)", r);
    clgconv_testing_stream_stores(-1);
    if (g_shard == 0 && (type & CL_DEVICE_TYPE_CPU))
        stream_rule(c, dev), copy_rule(c, dev), channel_vector_rule(c, dev);
    return shapes;
}

/* The default ring rule, by plan creation alone (no buffers): a CPU plan of a 3x3 NCHW
   depthwise layer whose input and output exceed the device's cache stages a ring; the same
   layer planned for a GPU (clgconv_testing_plan_as_gpu) does not. */
static void ring_rule(cl_context c, cl_device_id dev)
{
    cl_ulong cache = 0;
    CHECK(clGetDeviceInfo(dev, CL_DEVICE_GLOBAL_MEM_CACHE_SIZE, sizeof cache, &cache, NULL) ==
          CL_SUCCESS);
    if (cache == 0) return; /* the rule needs the cache size */
    /* 64 planes of 64x64 per image: 2 MiB of input and output per image */
    const test_case big = {"ring_rule", (int)(cache / (2u << 20)) + 1, 64, 64, 64, 64, 64,
                           3, 3, 1, 1, 1, 1, 1, 1};
    clgconv_conv2d_desc d;
    test_case_desc(&big, &d);
    for (int as_gpu = 0; as_gpu <= 1; ++as_gpu) {
        clgconv_testing_plan_as_gpu(as_gpu ? 8 : 0);
        clgconv_context *ctx = NULL;
        clgconv_status st = clgconv_context_create(c, dev, &ctx);
        clgconv_testing_plan_as_gpu(0);
        CHECK_OK(st);
        const long rings0 = clgconv_testing_depthwise_ring_plans();
        clgconv_plan *plan = NULL;
        CHECK_OK(clgconv_conv2d_plan_create(ctx, &d, CLGCONV_ALGO_DEPTHWISE, &plan));
        const long rings = clgconv_testing_depthwise_ring_plans() - rings0;
        EXPECT(rings == (as_gpu ? 0 : 1), "ring rule: N%d C64 64x64 depthwise (%llu-byte cache) "
               "planned %s made %ld ring plans", big.n, (unsigned long long)cache,
               as_gpu ? "for a GPU" : "for the CPU", rings);
        clgconv_plan_release(plan);
        clgconv_context_release(ctx);
    }
    printf("ring rule: N%d C64 64x64 depthwise (a %llu-byte cache) checked on CPU and GPU plans\n",
           big.n, (unsigned long long)cache);
}

/* The GPU padding rule (gpu_padding_pays in src/algo_tiled.c), by plan creation alone: tiled
   plans made for a GPU copy an NCHW input zero-padded into their workspace first when the
   reduction is 64 or longer (256 channels 28x28 3x3, g=32: 72) and not when it is shorter
   (g=128: 18), and never copy an NHWC input (g=16 at batch 8: the workspace holds only the
   transposed weights, less than the input). */
static void gpu_padding_rule(cl_context c, cl_device_id dev)
{
    static const struct {
        int n, groups;
        clgconv_layout layout;
        bool padded;
    } rules[] = {{1, 32, CLGCONV_LAYOUT_NCHW, true},
                 {1, 128, CLGCONV_LAYOUT_NCHW, false},
                 {8, 16, CLGCONV_LAYOUT_NHWC, false}};
    clgconv_testing_plan_as_gpu(8);
    clgconv_context *ctx = NULL;
    clgconv_status st = clgconv_context_create(c, dev, &ctx);
    clgconv_testing_plan_as_gpu(0);
    CHECK_OK(st);
    for (size_t i = 0; i < sizeof rules / sizeof rules[0]; ++i) {
        const test_case layer = {"gpu_padding_rule", rules[i].n, 256, 28, 28, 256, rules[i].groups,
                                 3, 3, 1, 1, 1, 1, 1, 1};
        clgconv_conv2d_desc d;
        test_case_desc(&layer, &d);
        d.layout = rules[i].layout;
        clgconv_plan *plan = NULL;
        CHECK_OK(clgconv_conv2d_plan_create(ctx, &d, CLGCONV_ALGO_TILED, &plan));
        const size_t ws = clgconv_plan_workspace_size(plan);
        size_t input, weights, bias, output;
        CHECK_OK(clgconv_conv2d_tensor_bytes(&d, &input, &weights, &bias, &output));
        const bool padded = d.layout == CLGCONV_LAYOUT_NCHW ? ws > 0 : ws > input;
        EXPECT(padded == rules[i].padded,
               "GPU padding rule: N%d C256 28x28 g=%d %s planned for a GPU has a %zu-byte "
               "workspace (%s the padded copy)", layer.n, rules[i].groups,
               d.layout == CLGCONV_LAYOUT_NHWC ? "NHWC" : "NCHW", ws,
               rules[i].padded ? "expected" : "not expected");
        clgconv_plan_release(plan);
    }
    clgconv_context_release(ctx);
    printf("GPU padding rule: 256 channels 28x28 3x3, g=32 and g=128 NCHW, g=16 NHWC checked\n");
}

/* The named NCHW depthwise_ cases again on depthwise with a ring of staged rows forced
   (clgconv_testing_depthwise_ring), which plans otherwise take only for layers larger than half
   the device's cache, and register tiles sized for 32 registers on CPUs (16-lane rows and
   4-row blocks): the ring's slots, its rows staged ahead and past the plane, and its blocks
   and single rows are checked on every self-staged geometry the list reaches. CPU devices
   only (GPU plans never stage a ring). Returns the number of shapes it listed. */
static int ring_plans(test_rng *r)
{
    cl_context c;
    cl_device_type type;
    const cl_device_id dev = plan_device(&c, &type);
    if (!(type & CL_DEVICE_TYPE_CPU)) return 0;
    clgconv_context *ringed = context_with_registers(c, dev, 32);
    clgconv_testing_depthwise_ring(1);
    const long rings0 = clgconv_testing_depthwise_ring_plans();
    g_layout_filter = CLGCONV_LAYOUT_NCHW;
    const int shapes =
        named_cases_in(ringed, 1u << CLGCONV_ALGO_DEPTHWISE, false, "depthwise", " (ring)", r);
    g_layout_filter = -1;
    clgconv_testing_depthwise_ring(-1);
    const long rings = clgconv_testing_depthwise_ring_plans() - rings0;
    printf("ring pass: %d shapes, %ld ring plans\n", shapes, rings);
    /* guards the pass: at least a tenth of this shard's shapes reach the ring */
    EXPECT(rings * 10 >= shapes / g_shards, "only %ld of %d ring-pass shapes staged a ring",
           rings, shapes);
    if (g_shard == 0) ring_rule(c, dev);
    return shapes;
}

static void random_sweep(uint64_t seed, int count)
{
    test_rng shapes, data;
    test_rng_seed(&shapes, seed);
    test_rng_seed(&data, seed ^ 0xDA7A);
    int depthwise = 0, nhwc = 0, narrow = 0, nchw_narrow = 0, one_pixel = 0, dilated = 0, big_stride = 0, clamped = 0,
        no_bias = 0, asym = 0, multiplier = 0;
    for (int i = 0; i < count; ++i) {
        clgconv_conv2d_desc d;
        bool with_bias;
        test_random_desc(&shapes, &d, &with_bias);
        char name[64];
        snprintf(name, sizeof name, "random #%d (seed %llu)", i, (unsigned long long)seed);
        check_all_algos(&d, with_bias, &data, name);
        depthwise += d.groups == d.in_channels;
        multiplier += d.groups == d.in_channels && d.out_channels > d.in_channels;
        nhwc += d.layout == CLGCONV_LAYOUT_NHWC;
        const bool groups_of_2_or_4 =
            d.in_channels == d.out_channels && d.groups > 0 &&
            (d.in_channels / d.groups == 2 || d.in_channels / d.groups == 4);
        narrow += d.layout == CLGCONV_LAYOUT_NHWC && groups_of_2_or_4 && d.out_channels % 8 == 0;
        nchw_narrow += d.layout == CLGCONV_LAYOUT_NCHW && groups_of_2_or_4;
        one_pixel += d.in_height == 1 && d.in_width == 1;
        dilated += d.dilation_h > 1 || d.dilation_w > 1;
        big_stride += d.stride_h > d.kernel_h || d.stride_w > d.kernel_w;
        clamped += d.output_min > -INFINITY || d.output_max < INFINITY;
        no_bias += !with_bias;
        asym += d.pad_top != d.pad_bottom || d.pad_left != d.pad_right;
    }
    printf("random sweep: %d shapes (seed %llu): %d depthwise (%d with multiplier), %d NHWC "
           "(%d in narrow groups), %d NCHW in groups of 2 or 4, %d 1x1 images, %d dilated, %d stride > kernel, %d asymmetric pads, %d clamped, "
           "%d without bias\n",
           count, (unsigned long long)seed, depthwise, multiplier, nhwc, narrow, nchw_narrow, one_pixel, dilated,
           big_stride, asym, clamped, no_bias);
    /* The sweep must actually cover what it claims to (guards the generator). */
    EXPECT(depthwise > 0 && multiplier > 0 && nhwc > 0 && narrow > 0 && nchw_narrow > 0 &&
               one_pixel > 0 && dilated > 0 &&
               big_stride > 0 && asym > 0 && clamped > 0 && no_bias > 0,
           "random sweep of %d shapes misses a feature", count);
}

/* Medium shapes (test_random_medium_desc): the specialised constant-channel builds, channel
   tiles that do not divide the group, interior blocks of real-sized rows. Each shape builds
   its own specialised programs (seconds cold), so the default count is small;
   CLGCONV_TEST_MEDIUM sets it. */
static void medium_sweep(uint64_t seed, int count)
{
    test_rng shapes, data;
    test_rng_seed(&shapes, seed ^ 0x3ED1);
    test_rng_seed(&data, seed ^ 0xDA7B);
    for (int i = 0; i < count; ++i) {
        clgconv_conv2d_desc d;
        bool with_bias;
        test_random_medium_desc(&shapes, &d, &with_bias);
        char name[64];
        snprintf(name, sizeof name, "medium #%d (seed %llu)", i, (unsigned long long)seed);
        check_all_algos(&d, with_bias, &data, name);
    }
    printf("medium sweep: %d shapes (seed %llu)\n", count, (unsigned long long)seed);
}

/* clgconv_conv2d_forward_host on a subset: repeated calls on the same shape (fresh data each
   time, bias then no bias), more distinct shapes than its cache holds (8), then the first
   shapes again after they were evicted. */
static void host_path(test_rng *r)
{
    enum { SHAPES = 12 };
    static const size_t picks[SHAPES] = {0, 3, 6, 8, 9, 12, 15, 18, 21, 24, 27, 36};
    for (int round = 0; round < 2; ++round) {
        for (int s = 0; s < SHAPES; ++s) {
            const test_case *tc = &test_named_cases[picks[s] % test_named_case_count];
            clgconv_conv2d_desc d;
            test_case_desc(tc, &d);
            size_t in_b, w_b, b_b, out_b;
            CHECK_OK(clgconv_conv2d_tensor_bytes(&d, &in_b, &w_b, &b_b, &out_b));
            int repeats = s % 3 == 0 ? 3 : 1;
            for (int rep = 0; rep < repeats; ++rep) {
                float *x = test_random_tensor(r, in_b / 4), *w = test_random_tensor(r, w_b / 4);
                /* Alternate bias and no bias on one cached entry: a stale bias must not leak. */
                float *b = (rep + round) % 2 == 0 ? test_random_tensor(r, b_b / 4) : NULL;
                float *y = test_filled(out_b / 4, NAN);
                char label[200];
                snprintf(label, sizeof label, "host path %s round %d call %d%s", tc->name, round,
                         rep, b ? "" : " (no bias)");
                clgconv_status st = clgconv_conv2d_forward_host(g_ctx, &d, x, w, b, y);
                if (EXPECT(st == CLGCONV_SUCCESS, "%s: %s", label, clgconv_status_string(st)))
                    EXPECT(test_compare_with_reference(&d, x, w, b, y, label, NULL), "%s", label);
                free(x), free(w), free(b), free(y);
            }
        }
    }
}

/* The GEMM paths with a workspace cap of one or two (image, group) slots
   (clgconv_testing_workspace_cap), so that they run in several chunks, each waiting for the
   previous one; with 3 groups, two-slot chunks also start and end inside an image (CLBlast's
   NCHW chunks stop at an image's end): both layouts, each plan also packed (test_run_plan),
   checked against the reference. */
static void chunked_workspaces(test_rng *r)
{
    for (int run = 0; run < 4; ++run) {
        const int layout = run % 2, slots = 1 + run / 2;
        clgconv_conv2d_desc d;
        clgconv_conv2d_desc_init(&d);
        d.batch = 3, d.in_channels = 12, d.in_height = 9, d.in_width = 7, d.out_channels = 6;
        d.groups = 3, d.kernel_h = d.kernel_w = 3;
        d.pad_top = d.pad_left = d.pad_bottom = d.pad_right = 1;
        d.layout = layout ? CLGCONV_LAYOUT_NHWC : CLGCONV_LAYOUT_NCHW;
        const size_t slot = (size_t)(4 * 9) * (9 * 7) * sizeof(float); /* RED x P floats */
        size_t in_b, w_b, b_b, out_b;
        CHECK_OK(clgconv_conv2d_tensor_bytes(&d, &in_b, &w_b, &b_b, &out_b));
        float *x = test_random_tensor(r, in_b / 4), *w = test_random_tensor(r, w_b / 4);
        float *b = test_random_tensor(r, b_b / 4), *y = malloc(out_b);
        CHECK(y);
        const clgconv_algo algos[] = {CLGCONV_ALGO_GEMM, CLGCONV_ALGO_CLBLAST};
        for (size_t a = 0; a < sizeof algos / sizeof algos[0]; ++a) {
            char label[160];
            snprintf(label, sizeof label, "chunked workspace (%d slots), %s %s", slots,
                     clgconv_algo_name(algos[a]), layout ? "NHWC" : "NCHW");
            clgconv_testing_workspace_cap((size_t)slots * slot);
            clgconv_plan *plan = NULL;
            clgconv_status st = clgconv_conv2d_plan_create(g_ctx, &d, algos[a], &plan);
            size_t ws = st == CLGCONV_SUCCESS ? clgconv_plan_workspace_size(plan) : 0;
            clgconv_plan_release(plan);
            if (st == CLGCONV_SUCCESS) /* unchunked, the 9 pairs' slots would all be there */
                EXPECT(ws < 9 * slot, "%s: workspace %zu, not chunked (slot %zu)", label, ws,
                       slot);
            st = test_run_plan(g_ctx, g_queue, &d, algos[a], x, w, b, y);
            clgconv_testing_workspace_cap(0);
            if (!test_algo_ran(algos[a], st, label)) continue;
            double err = 0;
            EXPECT(test_compare_with_reference(&d, x, w, b, y, label, &err),
                   "%s: max error %.3g beyond tolerance", label, err);
        }
        free(x), free(w), free(b), free(y);
    }
}

int main(void)
{
    g_ctx = g_plan_ctx = test_open_context(&g_queue);
    printf("device: %s\n", clgconv_context_device_name(g_ctx));
    {
        cl_context c;
        cl_device_id dev;
        CHECK_OK(clgconv_context_get_cl(g_ctx, &c, &dev));
        CHECK(clGetDeviceInfo(dev, CL_DEVICE_MAX_COMPUTE_UNITS, sizeof g_compute_units,
                              &g_compute_units, NULL) == CL_SUCCESS);
    }
    const char *shard = getenv("CLGCONV_TEST_SHARD");
    if (shard && *shard) {
        char tail;
        if (sscanf(shard, "%d/%d%c", &g_shard, &g_shards, &tail) != 2 || g_shards < 1 ||
            g_shard < 0 || g_shard >= g_shards) {
            fprintf(stderr, "CLGCONV_TEST_SHARD (\"%s\") is not i/n with 0 <= i < n\n", shard);
            return 2;
        }
        printf("shard %d of %d\n", g_shard, g_shards);
    }
    uint64_t seed = test_seed(20261125);
    int count = 300;
    const char *cs = getenv("CLGCONV_TEST_SWEEP");
    if (cs && atoi(cs) > 0) count = atoi(cs);
    printf("random sweep seed: %llu (set CLGCONV_TEST_SEED to change, CLGCONV_TEST_SWEEP for the "
           "count)\n",
           (unsigned long long)seed);
    fflush(stdout);
    test_rng r;
    test_rng_seed(&r, seed + 1);
    /* Wall time per part (informative: with cold program caches it is mostly OpenCL builds). */
    double part[8], t = test_now_seconds();
    named_cases(&r, false, NULL);
    part[0] = test_now_seconds() - t, t = test_now_seconds();
    const int gpu_shapes = gpu_plans(&r);
    part[1] = test_now_seconds() - t, t = test_now_seconds();
    const int register_shapes = other_register_plans(&r);
    part[5] = test_now_seconds() - t, t = test_now_seconds();
    const int streamed_shapes = streamed_plans(&r);
    part[6] = test_now_seconds() - t, t = test_now_seconds();
    const int ring_shapes = ring_plans(&r);
    if (g_shard == 0) { /* on every device: GPU plans can be made anywhere */
        cl_context c;
        cl_device_type type;
        const cl_device_id dev = plan_device(&c, &type);
        gpu_padding_rule(c, dev);
    }
    part[7] = test_now_seconds() - t, t = test_now_seconds();
    random_sweep(seed, count);
    part[2] = test_now_seconds() - t, t = test_now_seconds();
    int medium = 12;
    const char *ms = getenv("CLGCONV_TEST_MEDIUM");
    if (ms && *ms && atoi(ms) >= 0) medium = atoi(ms);
    medium_sweep(seed, medium);
    part[3] = test_now_seconds() - t, t = test_now_seconds();
    if (g_shard == 0) host_path(&r), chunked_workspaces(&r);
    part[4] = test_now_seconds() - t;
    printf("wall time: named cases %.1f s, GPU plans %.1f s, other CPU register file %.1f s, "
           "streamed stores %.1f s, ring %.1f s, random sweep %.1f s, medium sweep %.1f s, host "
           "path and chunked workspaces %.1f s\n",
           part[0], part[1], part[5], part[6], part[7], part[2], part[3], part[4]);
    for (int a = CLGCONV_ALGO_DIRECT; a < CLGCONV_ALGO_COUNT_; ++a)
        printf("  %-10s compared on %d shapes (%.1f s including plan creation)\n",
               clgconv_algo_name((clgconv_algo)a), g_runs[a], g_seconds[a]);
    const int listed = (int)test_named_case_count + gpu_shapes + register_shapes +
                       streamed_shapes + ring_shapes + count + medium;
    EXPECT(g_shape_index == listed, "%d shapes listed, expected %d", g_shape_index, listed);
    EXPECT(g_runs[CLGCONV_ALGO_DIRECT] == g_shapes_checked, "direct ran %d of %d shapes",
           g_runs[CLGCONV_ALGO_DIRECT], g_shapes_checked);
    clReleaseCommandQueue(g_queue);
    clgconv_context_release(g_ctx);
    return test_summary("test_differential");
}
