/* algo_depthwise.c: CLGCONV_ALGO_DEPTHWISE, kernels (cl/depthwise.cl) for groups == in_channels with any channel multiplier, kernel, stride, dilation, padding and layout, and for groups of 2 or 4 channels (NHWC; NCHW on CPU devices). */
#include "internal.h"
#include "testing.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>


typedef struct depthwise_state {
    cl_kernel kernel;
    const char *kernel_name;
    size_t global[3], local[3];
    int tile;          /* conv2d_depthwise_nchw_tile: zero-padded planes in local memory */
    int th, tw;        /* its padded plane height and width */
    size_t tile_bytes; /* its __local argument */
    int rpw;           /* NHWC: output rows per work-item */
    /* NHWC: depthwise_pack_weights, which packs the weights for forward_packed */
    cl_kernel pack_kernel;
    size_t pack_global[3], pack_local[3];
} depthwise_state;

/* A cap on the output plane the zero-padded-plane kernel takes (it stages whole planes per
   work-group; plan_tile checks the local memory and work-group limits, which bind first on
   GPUs). Measured on PoCL it beat the streaming kernel on every plane tried, 7x7 to 112x112:
   MobileNetV2's 7x7/14x14/28x28 depthwise layers 0.35-0.55 -> 0.19-0.21 ms, 112x112 with 32
   channels 0.52-0.58 -> 0.25-0.30 ms, 56x56 with 144 channels 0.82 -> 0.28-0.35 ms. */
#define TILE_MAX_PLANE 65536

/* Narrow groups: NHWC groups of 2 or 4 input channels and as many output channels, K a
   multiple of 8. conv2d_depthwise_nhwc built with -DCLG_CPG computes them with channel
   vectors of 8 lanes (16 on AVX-512: wide_narrow_groups) that span 8/CPG (16/CPG) groups (a
   shuffle per input channel of the group and tap), where the tiled kernel's NHWC channel
   vectors are CPG lanes wide. 8 lanes, wall time per call on PoCL (2-vCPU AVX2
   VM, POCL_AFFINITY=1, medians of 3 alternating runs each), tiled -> this: the groups sweep's
   28x28x256 layer at g = 64 0.57-0.93 -> 0.25-0.29 ms, batch 8 4.6-5.5 -> 1.8-2.3; g = 128
   0.39-0.51 -> 0.17-0.22, batch 8 2.7-3.7 -> 1.4-1.6; 112x112x32 g = 16 0.80-1.5 -> 0.36-0.50;
   7x7x512 g = 128 0.16-0.28 -> 0.13. AUTO's cost model (depthwise_estimate) ranks it first on
   these on CPUs; on GPUs see depthwise_estimate. */
static bool narrow_groups(const clg_shape *s)
{
    return s->d.layout == CLGCONV_LAYOUT_NHWC && (s->CPG == 2 || s->CPG == 4) &&
           s->KPG == s->CPG && s->K % 8 == 0;
}

/* The kernels' channel multiplier M: output channel k reads input channel k / M (depthwise:
   K/C). Narrow groups take 1: the NHWC kernel reads the same channel index, k, and combines
   the group's channels in lanes; the NCHW staged-plane kernel reads the group's input planes
   (k/G)*G + c itself. */
static int64_t multiplier(const clg_shape *s) { return s->CPG == 1 ? s->KPG : 1; }

static bool nchw_narrow_groups(const clgconv_context *ctx, const clg_shape *s);
static bool flat_planes(const clgconv_context *ctx, const clg_shape *s);
static bool staged_planes_fit(const clgconv_context *ctx, const clg_shape *s, int vw,
                              int64_t planes);

static clgconv_status depthwise_supports(const clgconv_context *ctx, const clg_shape *s)
{
    if (s->CPG != 1 && !narrow_groups(s) && !nchw_narrow_groups(ctx, s))
        return clg_fail(CLGCONV_ERROR_UNSUPPORTED,
                        "depthwise: needs one input channel per group (groups == in_channels), "
                        "or groups of 2 or 4 input and as many output channels: in NHWC with "
                        "out_channels a multiple of 8, in NCHW on CPU devices for windows up to "
                        "11x11, stride_w up to 2 and planes of up to 1024 outputs, or stride 1, "
                        "output rows as wide as the input's, windows of up to 9 taps and at "
                        "least 64 groups per compute unit; got %lld "
                        "input and %lld output channels per group (in_channels %lld, "
                        "out_channels %lld, groups %lld, %s, %lldx%lld outputs)",
                        (long long)s->CPG, (long long)s->KPG, (long long)s->C, (long long)s->K,
                        (long long)s->G,
                        s->d.layout == CLGCONV_LAYOUT_NHWC ? "NHWC" : "NCHW", (long long)s->OH,
                        (long long)s->OW);
    /* Image sizes, channel counts and the weight tensor are ints in the kernels. */
    if (s->N * s->K > INT32_MAX || s->N * s->OH > INT32_MAX || s->H * s->W > INT32_MAX ||
        s->weight_elems > INT32_MAX)
        return clg_fail(CLGCONV_ERROR_UNSUPPORTED,
                        "depthwise: batch*out_channels (%lld), batch*out_height (%lld), the input "
                        "plane (%lld) or the weights (%lld) exceed 2^31",
                        (long long)(s->N * s->K), (long long)(s->N * s->OH),
                        (long long)(s->H * s->W), (long long)s->weight_elems);
    return clg_check_coordinates(s, CLG_VECTOR_OVERHANG, "depthwise");
}

/* Geometries common in real networks (square 3x3, 5x5 or 7x7 windows, stride 1 or 2, no
   dilation, multiplier 1 or 2): the set on which the staged kernels' choices below were
   measured. */
static bool common_geometry(const clg_shape *s)
{
    return s->KH == s->KW && (s->KH == 3 || s->KH == 5 || s->KH == 7) && s->SH == s->SW &&
           (s->SH == 1 || s->SH == 2) && s->DH == 1 && s->DW == 1 && multiplier(s) <= 2;
}

/* Geometries built with the window, strides, dilations and multiplier as compile-time
   constants (unrolled window loops): every window up to 11x11 (the unrolled code grows with
   the taps; strides, dilations and multipliers only change constants); larger windows share
   one generic build. Specialised against generic on PoCL (best of 41 alternating calls):
   multiplier 3, 56x56x32 -> 96, 0.45 -> 0.17 ms NCHW, 1.22 -> 0.26 NHWC (batch 8 2.7 -> 1.1,
   9.8 -> 1.9); multiplier 4, 14x14x64 -> 256, 0.19 -> 0.06 / 0.18 -> 0.07; a 4x4 window
   28x28x96 0.54 -> 0.10 / 0.39 -> 0.08; 9x9 28x28x64 1.18 -> 0.30 / 0.88 -> 0.25; stride 3
   42x42x128 0.12 -> 0.11 / 0.12 -> 0.06. The generic build had been up to 4x slower than
   tiled on such layers, which AUTO did not know, so they fell off the fast path. */
static bool specialised_geometry(const clg_shape *s)
{
    return s->KH <= 11 && s->KW <= 11;
}

/* Channels per work-group of the NCHW kernel: enough for about 2048 outputs per work-group
   (8 rows each), at most 16; a power of two so that plans share few local sizes. */
static size_t nchw_planes_per_group(const clg_shape *s)
{
    size_t planes = 1;
    while (planes < 16 && (int64_t)(8 * planes) * s->OW < 2048 &&
           (int64_t)planes * 2 <= s->N * s->K)
        planes *= 2;
    return planes;
}

/* Whether an NHWC shape runs conv2d_depthwise_nhwc_tile (a work-item per 8 channels of an
   image, its zero-padded plane staged in local memory): CPU devices, common geometries (4x4 and
   2x2 windows measured no faster), multiplier 1, K a multiple of 8 (the channel vector is 8)
   and small images: at most 256 outputs, or 100 when K is a multiple of 16 (the streaming
   kernel's 16-lane vectors, see nhwc_vector_width, win from there on). Kernel time against the
   8-lane conv2d_depthwise_nhwc on PoCL (best of 4 alternating runs): MobileNetV2's 7x7x960
   0.031 -> 0.021 ms, batch 8 0.21 -> 0.16, 14x14x384 0.041 -> 0.039, batch 8 0.26 -> 0.24, 5x5
   14x14x240 0.056 both; 28x28x192 was 0.12 -> 0.07 ms but batch 8 0.42 -> 0.47, so larger
   images keep the streaming kernel. Against its 16-lane vectors: 7x7x960 0.032 -> 0.019 ms,
   batch 8 0.131 -> 0.108; 10x10x512 equal (0.035-0.039, batch 8 0.19); 12x12x512 batch 8 0.205
   -> 0.253, 14x14x384 0.046 -> 0.058, batch 8 0.146 -> 0.243 (slower). */
static bool nhwc_row_unrolled(const clgconv_context *ctx, const clg_shape *s);
static bool nhwc_tiled(const clgconv_context *ctx, const clg_shape *s)
{
    return ctx->info.is_cpu && s->d.layout == CLGCONV_LAYOUT_NHWC && common_geometry(s) &&
           s->KPG == 1 && s->K % 8 == 0 && s->OH * s->OW <= (s->K % 16 == 0 ? 100 : 256) &&
           !nhwc_row_unrolled(ctx, s); /* which beat it wherever it applies (see there) */
}

/* Whether the NHWC kernel walks its rows fully unrolled (-DCLG_ROW_OW/W/PL/CB: output width,
   input width and left padding as constants, so every tap's column is known when compiling and
   taps outside the row vanish): CPU devices, one input channel per group (any multiplier),
   specialised windows, rows of up to 32 outputs and 384 taps (the unrolled code grows with
   them: a cold build of a 28-wide 3x3 row took 1.8 s against 0.9 for the walk, 14-wide 5x5
   2.0 s against 1.6, 24-wide 7x7 5.6 against 3.0, 32-wide 11x11 21 s against 11); with
   16 vector registers only rows of up to 8 or windows of more than 9 taps. Kernel time against
   the interior/border walk (or conv2d_depthwise_nhwc_tile where that took the shape), AVX-512
   VM, medians of 31-41 alternating calls, batch 8 unless noted: MobileNetV2's 7x7x960 0.54x
   (tile kernel before), 14x14x384 0.81-0.85x (batch 1 0.84-0.87x), 28x28x192 0.81-0.93x
   (batch 1 0.87-0.93x); 5x5 14x14x240 0.75x, 7x7x576 0.43x, stride 2 14x14x672 0.36x, 28x28x144
   stride 2 0.97x, 56x56x144 stride 2 1.02x, dilation 2 0.94x, 7x7 window 0.69x; multiplier 2
   28x28 0.83x, 14x14 0.82x, multiplier 3 7x7 0.62x; 20, 36 and 3 channels 0.56-0.72x. With PoCL
   compiling for Haswell and 16-register plans: 7x7x960 0.65x (tile kernel before), 5x5 windows
   0.49-0.72x, 7x7 window 0.67x, but 3x3 on 14x14x384 1.08x, 28x28x192 1.12x, multiplier 2
   28x28 1.10x (those keep the walk). */
static bool nhwc_row_unrolled(const clgconv_context *ctx, const clg_shape *s)
{
    return ctx->info.is_cpu && s->d.layout == CLGCONV_LAYOUT_NHWC && s->CPG == 1 &&
           specialised_geometry(s) && s->OW <= 32 && s->OW * s->KH * s->KW <= 384 &&
           (ctx->info.cpu_registers >= 32 || s->OW <= 8 || s->KH * s->KW > 9);
}

/* clgconv_testing_depthwise_row_plans / _flat_plans / _streamed_plans: depthwise plans created
   on this thread with unrolled NHWC rows / with conv2d_depthwise_nchw_flat / streamed stores. */
static CLG_THREAD_LOCAL long g_row_plans = 0, g_flat_plans = 0, g_streamed_plans = 0;

long clgconv_testing_depthwise_row_plans(void) { return g_row_plans; }
long clgconv_testing_depthwise_flat_plans(void) { return g_flat_plans; }
long clgconv_testing_depthwise_streamed_plans(void) { return g_streamed_plans; }

/* Outputs per chunk of an unrolled row (CLG_ROW_CB): the row in equal chunks of at most 10
   outputs with 32 vector registers, 4 with 16. Kernel time, AVX-512, chunks of at most 14 ->
   10: 28x28x192 0.92x, 14x14x384 (one chunk of 14 -> two of 7) 0.99x; at most 7: 28x28x192
   0.95x, 14x14x384 0.95x; at most 4: 1.00x / 1.05x.
   Haswell target: at most 2 1.10-1.11x slower than 4, 7 1.21x on 28x28x192. */
static int nhwc_row_chunk(const clgconv_context *ctx, const clg_shape *s)
{
    const int64_t most = ctx->info.cpu_registers >= 32 ? 10 : 4;
    const int64_t chunks = (s->OW + most - 1) / most;
    return (int)((s->OW + chunks - 1) / chunks);
}

/* Whether narrow groups run 16-lane channel vectors (then with fewer, longer work-items; see
   nhwc_rows_per_item): CPU devices with 32 vector registers (AVX-512), K a multiple of 16,
   specialised builds. Same plan, calls alternating (medians of 41, AVX-512 VM, PoCL 3.1), time
   with 8 lanes / time with 16: ResNeXt's 56x56x128 g = 32 1.14, batch 8 1.32; the groups
   sweep's 28x28x256 g = 64 1.26, batch 8 1.30, g = 128 1.09-1.30; 112x112x64 g = 16 1.23;
   7x7x512 g = 128 batch 8 1.32; stride 2 56x56x128 g = 32 1.10-1.70; 5x5 dilation 2 28x28x64
   g = 16 1.45; 7x7 dilation 3 1.65-1.74; 11x11 2.8. Not measured on AVX2 (16 registers), where
   a float16 is two registers: those keep 8 lanes. */
static bool wide_narrow_groups(const clgconv_context *ctx, const clg_shape *s)
{
    return ctx->info.is_cpu && ctx->info.cpu_registers >= 32 && narrow_groups(s) &&
           s->K % 16 == 0 && specialised_geometry(s);
}

/* Channel vector width for the NHWC kernel: the largest of 8, 4, 2, 1 dividing K; on CPUs 16
   for multiplier 1 and K a multiple of 16, unless conv2d_depthwise_nhwc_tile takes the shape,
   for windows of at most 9 taps (two AVX registers on AVX2 CPUs), and on CPUs with 32 vector
   registers (AVX-512, where it is one) for every specialised window. Kernel time on PoCL, best
   of 4 alternating runs, 8 -> 16 lanes (AVX2 VM): MobileNetV2's 112x112x32 0.14-0.16 -> 0.07-0.11
   ms, batch 8 1.97 -> 0.83; 112x112x96 stride 2 0.21 -> 0.12, batch 8 3.65 -> 2.62; 56x56x144
   0.18 -> 0.14; 28x28x192 0.073 -> 0.058, batch 8 0.30 -> 0.21; but a 5x5 window (50 registers of
   weights) 0.108 -> 0.130 ms and multiplier 2 (gathered inputs) 0.42 -> 0.64. On the AVX-512 VM
   (medians of 31 alternating calls), windows over 9 taps: MixNet's 9x9 28x28x64 0.72-0.74x the
   time (batch 8 0.58x), 7x7 28x28x64 0.67x, 56x56x64 0.61x, 5x5 28x28x96 0.79x, 11x11 0.72x;
   not the generic build (13x13: 1.35x) nor multiplier 2 (5x5: 1.37x), which keep 8. Narrow
   groups take 16 lanes on AVX-512 for every specialised window (wide_narrow_groups). */
static int nhwc_vector_width(const clgconv_context *ctx, const clg_shape *s)
{
    if (ctx->info.is_cpu && s->KPG == 1 && s->K % 16 == 0 && !nhwc_tiled(ctx, s) &&
        (s->KH * s->KW <= 9 || (ctx->info.cpu_registers >= 32 && specialised_geometry(s))))
        return 16;
    if (wide_narrow_groups(ctx, s)) return 16;
    static const int widths[] = {8, 4, 2, 1};
    for (size_t i = 0; i < sizeof widths / sizeof widths[0]; ++i)
        if (s->K % widths[i] == 0) return widths[i];
    return 1;
}

/* Channel vectors per work-item of the NHWC kernel (-DCLG_KC): 1, or on CPUs with 32 vector
   registers, for 16-lane depthwise plans (multiplier 1, specialised window) whose input and output
   together outgrow 1.25 MiB per compute unit, the largest divisor of K/16 up to 6. A work-item
   then takes that many consecutive 16-channel vectors, one after the other for each chunk of
   outputs (an unrolled row chunk, 4 interior pixels or a border pixel), so that its successive
   loads of a pixel's input run along consecutive 64-byte lines, which the hardware prefetchers
   follow, instead of one line per pixel C floats apart; the tap weights come from the first-level
   cache each time instead of registers. perf on the one-vector kernel (28x28x192, batch 8) had its
   samples on the instructions after input loads. Plans alternating call by call, medians of 21,
   AVX-512 VM (2 vCPUs, 2 MiB of L2 per core), kernel time against one vector per work-item, batch
   8 unless noted: MobileNetV2's 112x112x32 0.79-0.83x (batch 1 0.86-0.89x), 112x112x96 stride 2
   0.52-0.61x (batch 1 0.75-0.81x), 28x28x192 0.77-0.81x, 14x14x384 0.71-0.73x, 14x14x576 0.65x,
   7x7x960 0.74-0.84x; the groups sweep's 28x28x256 0.68-0.74x; 5x5 56x56x64 0.82x; 56x56x144
   0.97-1.12x and at stride 2 0.93-1.11x (no gain, no loss beyond noise; 9 vectors there 0.92-1.03x
   the time of 3). 3 to 6 vectors measured alike, 2 0.90x the gain of 4, 12-20 less than 4-6.
   Layers whose data stays in the cores' second-level caches showed no steady gain: batch 1
   28x28x192 (1.2 MB) 0.98x, 14x14x384 1.07x, 7x7x960 1.09x, 28x28x256 (1.6 MB) 0.90x; batch 2
   28x28x192 (2.4 MB) 1.03x, 7x7x960 1.02x; the smallest that gained were 7x7x960 at batch 8 (3.0
   MB) and 112x112x32 at batch 1 (3.2 MB); so 1.25 MiB per compute unit (2.6 MB here). Narrow
   groups (4 or 2 channels per group, 16 lanes), where each load feeds 4 or 2 FMAs, measured
   0.88-1.08x: not taken. Not measured on 16-register CPUs (AVX2), which keep one vector. */
static CLG_THREAD_LOCAL int g_kc_mode = -1; /* clgconv_testing_depthwise_channel_vectors */
static CLG_THREAD_LOCAL long g_kc_plans = 0;

void clgconv_testing_depthwise_channel_vectors(int mode) { g_kc_mode = mode < 0 ? -1 : mode > 0; }
long clgconv_testing_depthwise_channel_vector_plans(void) { return g_kc_plans; }

static int nhwc_channel_vectors(const clgconv_context *ctx, const clg_shape *s, int vw)
{
    if (g_kc_mode == 0 || !ctx->info.is_cpu || ctx->info.cpu_registers < 32 ||
        s->d.layout != CLGCONV_LAYOUT_NHWC || s->CPG != 1 || multiplier(s) != 1 ||
        !specialised_geometry(s) || vw != 16)
        return 1;
    const double bytes = 4.0 * ((double)s->input_elems + (double)s->output_elems);
    if (g_kc_mode < 0 && bytes <= 1.25 * 1048576.0 * (double)clg_compute_units(ctx)) return 1;
    const int64_t vectors = s->K / 16;
    int kc = 6;
    while (kc > 1 && vectors % kc != 0) --kc;
    return kc;
}

static double depthwise_estimate(const clgconv_context *ctx, const clg_shape *s)
{
    /* Narrow groups on GPUs: the one measurement (H200, the groups sweep's 28x28x256 layer at
       g = 64, batch 8, NHWC) had it at 0.054 ms against tiled's 0.048, so AUTO leaves them to
       the other algorithms there; asking for DEPTHWISE (or tuning) still runs it. */
    if (!ctx->info.is_cpu && s->CPG > 1) return HUGE_VAL;
    /* NCHW narrow groups (CPU only): with 2 channels per group the staged-plane kernel beat
       tiled on every layer measured, with 4 tiled won (AVX-512 VM, clgconv-bench, medians of
       5+ calls, depthwise time / tiled time, batch 1 and 8): 2 per group - 28x28x256 g = 128
       0.61 / 0.73, 14x14x512 g = 256 0.55 / 0.73, 5x5 28x28x128 g = 64 0.74 / 0.77, stride 2
       28x28x128 g = 64 0.93 / 0.99; 4 per group - 28x28x256 g = 64 1.02 / 1.42, 14x14x512 g =
       128 1.52 / 1.45, 7x7x512 g = 128 1.15 / 1.68, 32x32x64 g = 16 1.08 / 1.53, stride 2
       28x28x128 g = 32 1.27 / 1.53; and a 1x1 window with 2 per group (28x28x256 g = 128) 1.12
       / 1.49: too little arithmetic per staged plane. AUTO leaves groups of 4, and windows of
       fewer than 9 taps, to the others; asking for DEPTHWISE still runs them. Flat runs
       (flat_planes) beat both on every layer measured there (see flat_planes): AUTO weighs
       them, their loads feeding an FMA per output channel of the group (half the peak
       instead of a third below; measured 0.45-0.57 of it). */
    const bool flat = flat_planes(ctx, s);
    if (s->d.layout == CLGCONV_LAYOUT_NCHW && s->CPG > 1 && !flat &&
        (s->CPG == 4 || s->KH * s->KW < 9))
        return HUGE_VAL;
    if (!ctx->info.is_cpu) {
        /* Fitted on an H200 (docs/gpu.md). NCHW: a work-item per output row (its OW outputs
           in turn); NHWC: a work-item per row of one channel vector. */
        static const clg_gpu_fit nchw = {12e-6, 8000e9, 128, 0, 64},
                                 nhwc = {12e-6, 16000e9, 64, 4, 64};
        const bool is_nhwc = s->d.layout == CLGCONV_LAYOUT_NHWC;
        const int vw = is_nhwc ? nhwc_vector_width(ctx, s) : 1;
        const double items = (double)(s->N * s->OH) * (double)(is_nhwc ? s->K / vw : s->K);
        return clg_gpu_seconds(ctx, is_nhwc ? &nhwc : &nchw, 2.0 * s->macs, items,
                               is_nhwc ? (double)vw : (double)s->OW, (double)s->reduction);
    }
    double peak, bw, launch;
    clg_device_roofline(ctx, &peak, &bw, &launch);
    /* Each input element is read once from memory and once per tap from cache; a tap costs a
       vector load, a broadcast weight and one FMA, so the loads bound the arithmetic side at
       about a third of the FMA peak. */
    double flops = 2.0 * s->macs;
    double bytes = 4.0 * (double)(s->input_elems + s->output_elems + s->weight_elems);
    double compute = flops / ((flat && s->CPG > 1 ? 0.5 : 0.3) * peak),
           memory = bytes / (0.8 * bw);
    /* Windows over 11x11 run the generic build. Narrow groups there gather a tap's weights (8
       scalar loads) at every use: 2.6-3.4x tiled's time (measured on dilated 3x3 layers when
       those were generic: NHWC 28x28x64 g=16 0.67 vs 0.26 ms; batch 8 28x28x128 g=64 5.2 vs
       1.5 ms; a 1x13 window 28x28x64 g=16 0.44 vs 0.17). NHWC depthwise layers in the generic
       build took 1.6-4.4x tiled's time (dilated 3x3 56x56x64 0.40 vs 0.18 ms, 4x4 28x28x96 0.35
       vs 0.17, 9x9 28x28x64 0.85 vs 0.19, 1x15 20x20x128 0.116 vs 0.058); NCHW ones were
       within 0.7-2.5x of tiled either way, left to the model. */
    if (!specialised_geometry(s)) {
        if (s->CPG > 1)
            compute *= 4.0;
        else if (s->d.layout == CLGCONV_LAYOUT_NHWC)
            compute *= 3.0;
    }
    return (compute > memory ? compute : memory) + launch;
}

/* Output rows per work-item of the NHWC kernel. Each work-item gathers its channels' tap
   weights first (from [K][taps]: a scalar load per lane and tap), which at one row of a small
   image cost as much as the row itself. On CPUs a work-item therefore takes several rows, as
   many as keeps about 64 work-items per compute unit, spread evenly over the rows; GPUs keep
   one row per work-item. 16-lane narrow groups gather 16 x CPG x taps weights per item (576
   for a 3x3 window and CPG 4) and keep about 8 per compute unit: the sweep's 28x28x256 g = 64
   layer with 16 lanes took 1.09-1.19x the 8-lane time at 64 items per unit, 0.81x at 8 (8
   lanes: the same at 8 or 64, 0.94-1.04). With packed weights (depthwise_pack: a vector load
   per tap, no gather) the counts still hold: narrow groups at 64 per unit measured 1.2-1.6x
   the kernel time of 8 at batch 1 (1.0x at batch 8); depthwise at 8 or 16 per unit mixed
   (28x28x256 0.66-0.79x, 112x112x32 up to 3.2x slower). */
static int nhwc_rows_per_item(const clgconv_context *ctx, const clg_shape *s, int vw)
{
    if (!ctx->info.is_cpu) return 1;
    const int64_t cu = clg_compute_units(ctx);
    const int64_t items_per_cu = wide_narrow_groups(ctx, s) ? 8 : 64;
    int64_t rows = (s->K / vw) * s->OH * s->N / (items_per_cu * cu);
    if (rows < 1) rows = 1;
    if (rows > s->OH) rows = s->OH;
    const int64_t blocks = (s->OH + rows - 1) / rows;
    return (int)((s->OH + blocks - 1) / blocks);
}

/* Whether the shape suits the zero-padded-plane kernel (which the device may still not fit). */
static bool tile_suits(const clg_shape *s)
{
    return s->d.layout == CLGCONV_LAYOUT_NCHW && specialised_geometry(s) && s->SW <= 2 &&
           s->OH * s->OW <= TILE_MAX_PLANE;
}

/* Stride 2 along x, one input channel per group: the planes self_staged takes up to 64x64. */
static bool stride2_planes(const clg_shape *s) { return s->SW == 2 && s->CPG == 1; }

/* Whether the zero-padded-plane kernel runs self-staged (CLG_SELF_STAGED: one work-item per
   plane, staging and convolving it alone, no barrier): on CPU devices for planes of at most
   1024 outputs (32x32). PoCL splits a kernel with a barrier into regions and pays for it; measured
   with profiling events (kernel time, alternating runs), MobileNetV2's 7x7 x 960 layer
   0.16-0.32 -> 0.08-0.22 ms, 14x14 x 384 0.15-0.31 -> 0.09-0.24 ms, 28x28 x 192 0.14 -> 0.10
   ms, a 5x5 14x14 x 240 layer 0.16-0.20 -> 0.12-0.14 ms; larger planes (56x56, 112x112) were
   no faster and, with few planes, lose parallelism. Stride 2 along x with one input channel
   per group (stride2_planes) self-stages planes of up to 4096 outputs (64x64), in 16-lane rows
   where nchw_vector_width allows: kernel time against work-group staging in 8 lanes (AVX-512
   VM, medians of 41 alternating calls), MobileNetV2's 112x112x96 stride 2 0.88-0.92x (batch 8
   0.90x), 112x112x32 0.81-0.84x, 56x56x144 0.94-0.97x, 5x5 112x112x64 0.85x, dilation 2 0.80x.
   Layers that stage a ring of rows (ring_planes) self-stage larger planes too (up to
   TILE_MAX_PLANE outputs). GPUs keep one work-item per row. */
static bool ring_planes(const clgconv_context *ctx, const clg_shape *s);
static bool self_staged(const clgconv_context *ctx, const clg_shape *s)
{
    const int64_t max_outputs = stride2_planes(s) ? 4096 : 1024;
    return ctx->info.is_cpu && tile_suits(s) &&
           (s->OH * s->OW <= max_outputs || ring_planes(ctx, s));
}

/* Whether a self-staged shape runs conv2d_depthwise_nchw_cv: multiplier 1 and planes of 8 to
   256 outputs (and at least 8 inputs: its copies move 8 flat elements of a plane at a time), 8
   or 16 planes per work-item (cv_planes; its tile holds them transposed: 8 or 16 times a
   plane). Measured, with 8, on PoCL against the per-plane kernel (min / median of 4
   alternating runs): MobileNetV2's 7x7x960 0.64x / 0.60x, batch 8 0.74x / 0.64x, 14x14x384
   0.84x / 0.76x, batch 8 0.82x / 0.84x, a 5x5 14x14 layer 0.79x / 0.72x; 28x28x192 1.10x /
   1.13x (slower: keeps the per-plane kernel). Its copies then moved to 8 x 8 blocks transposed
   in registers (they were a scalar store per element; kernel time, best of 4 alternating
   runs): 14x14x384 0.099 -> 0.060 ms, batch 8 0.65 -> 0.39, 7x7x960 batch 8 0.45 -> 0.25, 5x5
   14x14x240 0.127 -> 0.066; 28x28 planes with it were still no faster than the per-plane
   kernel (0.11-0.12 ms both). A block's planes are consecutive (the last block moves back), so
   the layer needs at least 8 planes (N*K; cv_planes takes 16 only from 16): one base pointer
   instead of a pointer per plane, which perf had shown spilled and reloaded around every load
   (kernel time 0.91-1.02x: 14x14x384 0.92x, batch 8 0.92x; 7x7x960 1.02x, batch 8 0.96x). */
static bool channel_vectorised(const clgconv_context *ctx, const clg_shape *s)
{
    return self_staged(ctx, s) && s->KPG == 1 && s->OH * s->OW <= 256 && s->OH * s->OW >= 8 &&
           s->H * s->W >= 8 && s->N * s->K >= 8;
}

/* Whether an NCHW shape runs conv2d_depthwise_nchw_flat: a work-item per output plane, its
   outputs in flat runs of 16 lanes (8 with 16 vector registers) whose tap offsets and lane masks
   are build-time constants (-DCLG_FLAT_H/W/OH/PT/PL: a program per plane geometry). CPU devices,
   one input channel per group (any multiplier), specialised windows of at most 9 taps, stride
   1, output rows as wide as the input's (OW == W: a tap is then one offset in the flat plane),
   planes of at least one vector and at most 450 vector taps (the unrolled plane: a 28x28 plane,
   49 x 9, built cold in 3.7 s against 1.9 for the staged kernel; 7x7 1.3 against 2.4), and at
   least 64 planes per compute unit (one work-item per plane: 32 or 64 planes in all measured
   up to 2x slower at batch 1). Against the staged kernels (channel-vectorised for 7x7 and
   14x14, per-plane for 28x28), AVX-512 VM, medians of 21-41 alternating calls, kernel / whole
   call: MobileNetV2's 7x7x960 batch 8 0.64x / 0.71x (batch 1 0.81x / 0.93x), 14x14x384 0.64x /
   0.65x (batch 1 0.64x / 0.86x), 28x28x192 0.61x / 0.67x (batch 1 0.85x / 0.88x); dilation 2
   28x28 0.58x / 0.66x; multiplier 2 14x14 0.38x / 0.52x. With PoCL compiling for Haswell and
   8 lanes: 7x7x960 batch 8 0.64x / 0.66x, 14x14x384 0.76x / 0.79x. 5x5 windows measured no
   faster (0.96-1.00x) and a 7x7 window on 24x24 planes 1.8x slower (1764 unrolled taps).
   NCHW narrow groups (2 or 4 input and as many output channels per group) take it on the same
   rule, counting groups (a work-item per group) and vector taps of one input plane (the
   group's planes are a loop). Against the staged-plane kernel (2 per group) or tiled (4 per
   group, AUTO's pick before), kernel / whole call, medians of 21-31 alternating calls: the
   groups sweep's 28x28x256 g = 128 0.50x / 0.60x (batch 8 0.50x / 0.53x), dilation 2 0.51x /
   0.59x; 14x14x512 g = 256 0.32x / 0.45x (batch 8 0.28x / 0.30x); 7x7x1024 g = 512 0.24x /
   0.44x (batch 8 0.25x / 0.29x); a 1x1 window 28x28x256 g = 128 0.47x / 0.66x (batch 8 0.49x
   / 0.54x); 4 per group: 14x14x512 g = 128 0.36x / 0.38x (batch 8 0.40x / 0.35x), 7x7x512 g =
   128 0.45x / 0.45x (batch 8 0.41x / 0.32x), 9x9x96 g = 24 batch 8 0.40x / 0.42x; 28x28x256 g
   = 64 batch 8 0.99x / 1.01x. With PoCL compiling for Haswell (8 lanes): 14x14x512 g = 128
   batch 8 0.55x / 0.46x, 7x7x512 g = 128 0.54x / 0.47x (28x28 planes are over the unroll limit
   at 8 lanes and keep their plans). */
static int flat_vector_width(const clgconv_context *ctx)
{
    return ctx->info.cpu_registers >= 32 ? 16 : 8;
}

static bool flat_planes(const clgconv_context *ctx, const clg_shape *s)
{
    const int64_t vw = flat_vector_width(ctx);
    const bool narrow = (s->CPG == 2 || s->CPG == 4) && s->KPG == s->CPG;
    return ctx->info.is_cpu && s->d.layout == CLGCONV_LAYOUT_NCHW && (s->CPG == 1 || narrow) &&
           specialised_geometry(s) && s->SH == 1 && s->SW == 1 && s->OW == s->W &&
           s->OH * s->OW >= vw && s->KH * s->KW <= 9 &&
           s->N * s->K / s->CPG >= 64 * clg_compute_units(ctx) &&
           (s->OH * s->OW + vw - 1) / vw * s->KH * s->KW <= 450;
}

/* Output rows per block of conv2d_depthwise_nchw_tile (CLG_RB; 0: one row at a time). A block
   loads each staged input vector once for all its rows that use it, so it pays where the
   window's rows overlap between output rows ((KH-1)*DH >= SH). CPUs, the per-plane tile kernel
   (not the channel-vectorised one), stride 1 along x, rows of 16 or more. With 32 vector
   registers (AVX-512): 4 rows for windows of up to 3 rows, 2 for taller ones (4 rows of a 5x5
   or larger window measured slower than 2: too many live weights). Kernel time on PoCL
   (AVX-512 VM, profiling events, medians of 31-61 alternating calls), one row at a time with
   8-lane vectors -> blocks with 16-lane vectors (nchw_vector_width): MixNet's 9x9 28x28x64
   0.20-0.23 -> 0.10-0.11 ms (batch 8 1.45-1.74 -> 0.80), 7x7 28x28x64 0.59x, 5x5 28x28x96
   0.72-0.74x (batch 8 0.72x); 3x3: 28x28x192 0.85x (batch 8 0.89x), 112x112x32 0.82x (batch 8
   0.95x), 56x56x144 0.77x. With 16 (AVX2; measured with PoCL compiling for Haswell on the same
   VM), 8 lanes: 2 rows for windows over 3 rows (9x9 0.69-0.71x, 7x7 0.75x, 5x5 0.86-0.94x); 3x3
   windows keep one row (2 rows 0.97-1.04x, 4 rows 1.17-1.25x; two rows of a 3x3 window were no
   consistent win in session 6 either). Stride 2 along x (SW 2) gained nothing (2-row blocks
   1.05x): not blocked. A vertical stride alone (SH 2, SW 1) is: 3x3 56x56x64 0.81x (batch 8
   0.94x), 112x112x32 0.88x, against one row in 8 lanes (AVX-512). GPUs keep one row (not
   measured). */
static int nchw_rows_per_block(const clgconv_context *ctx, const clg_shape *s)
{
    if (!ctx->info.is_cpu || !tile_suits(s) || channel_vectorised(ctx, s) || s->SW != 1 ||
        s->OW < 16 || (s->KH - 1) * s->DH < s->SH)
        return 0;
    if (ctx->info.cpu_registers >= 32) return s->KH <= 3 ? 4 : 2;
    return s->KH > 3 ? 2 : 0;
}

/* Vector width along x for the NCHW kernels: 8 floats (one AVX register: float16 would split
   in two on AVX2 CPUs and PoCL warns about its calling convention), 4 for rows shorter than 16,
   where 8-wide chunks reach past the row on most taps and take the lane-by-lane border loads
   (MobileNetV2's 7x7 and 14x14 depthwise layers: 0.51 -> 0.35 ms and 0.41 -> 0.33 ms on PoCL;
   28x28 and larger rows are faster at 8). Row blocks on AVX-512 CPUs (nchw_rows_per_block) take
   16 where a row's 16-lane chunks cover it about as tightly as 8-lane ones (at most 1.15x the
   outputs the 8-lane chunks cover: 28, 56, 112 yes, 17 or 20 no): alone, 16 lanes measured
   0.65x (9x9) to 1.06x (3x3) of 8 lanes' time; with the blocks they are what made them pay on
   5x5 and larger windows. Self-staged stride-2 planes take 16 by the same rule (their taps
   load the staged rows' even or odd halves; with work-group staging 16 lanes measured 0.97-1.05x
   of 8, self-staged they are part of the gain measured at self_staged). */
static int nchw_vector_width(const clgconv_context *ctx, const clg_shape *s)
{
    /* row blocks, or self-staged stride-2 planes (self_staged) that fit the local memory (so
       that a 16-lane plan never falls to the streaming kernel, whose 16-lane stride-2 loads
       are gathers) */
    const bool wide = nchw_rows_per_block(ctx, s) ||
                      (stride2_planes(s) && s->OW >= 16 && self_staged(ctx, s) &&
                       !channel_vectorised(ctx, s) && staged_planes_fit(ctx, s, 16, 1));
    if (wide && ctx->info.cpu_registers >= 32 && clg_covers_as_well(s->OW, 8, 16)) return 16;
    return s->OW >= 16 ? 8 : 4;
}

static CLG_THREAD_LOCAL int g_ring_mode = -1; /* clgconv_testing_depthwise_ring */
static CLG_THREAD_LOCAL long g_ring_plans = 0;
void clgconv_testing_depthwise_ring(int mode) { g_ring_mode = mode < 0 ? -1 : mode > 0; }
long clgconv_testing_depthwise_ring_plans(void) { return g_ring_plans; }

/* Whether self-staged planes of shape s stage a ring of rows (CLG_RING) instead of the whole
   plane: one input channel per group, CPU devices, input and output together over half the
   device's cache and at least 8 planes per compute unit (a work-item per plane). Such layers
   also self-stage planes larger than self_staged's whole-plane limits (up to tile_suits'
   TILE_MAX_PLANE outputs). Kernel time against the previous plans
   (whole planes staged per work-item, or per work-group for stride-1 planes over 1024
   outputs), AVX-512 VM, medians of 21-31 alternating calls: MobileNetV2's 112x112x96 stride
   2 batch 8 0.68-0.74x (batch 4 0.83x; batch 2 1.02x, batch 1 1.04-1.13x: not taken there),
   112x112x32 batch 8 0.68x, 56x56x144 batch 8 0.71x, stride 2 0.97x; 5x5 112x112x64 batch 4
   0.74x, stride 2 batch 8 0.85x; dilation 2 56x56x128 batch 8 0.65x; multiplier 2 56x56x64
   batch 8 0.73x; a 7x7 window 0.99x, 64x64x32 batch 16 1.01x. With PoCL compiling for
   Haswell: 0.71-0.81x on the first four. */
static bool ring_planes(const clgconv_context *ctx, const clg_shape *s)
{
    if (g_ring_mode >= 0) return g_ring_mode == 1 && ctx->info.is_cpu && s->CPG == 1;
    return ctx->info.is_cpu && s->CPG == 1 && ctx->info.global_cache > 0 &&
           s->N * s->K >= 8 * clg_compute_units(ctx) &&
           4.0 * ((double)s->input_elems + (double)s->output_elems) >
               0.5 * (double)ctx->info.global_cache;
}

/* Padded input rows a ring stages ahead of the block of output rows it computes
   (CLG_RING_AHEAD): those of one block's output rows. */
static int64_t ring_ahead(const clgconv_context *ctx, const clg_shape *s)
{
    const int64_t rb = nchw_rows_per_block(ctx, s);
    return (rb ? rb : 1) * s->SH;
}

/* Padded rows of the ring of conv2d_depthwise_nchw_tile (CLG_RING; 0: the whole plane): one
   block of output rows' window, and the rows staged ahead. */
static int64_t ring_rows(const clgconv_context *ctx, const clg_shape *s)
{
    if (!ring_planes(ctx, s) || !self_staged(ctx, s) || channel_vectorised(ctx, s)) return 0;
    const int64_t rb = nchw_rows_per_block(ctx, s);
    return ((rb ? rb : 1) - 1) * s->SH + (s->KH - 1) * s->DH + 1 + ring_ahead(ctx, s);
}

/* The zero-padded plane the staged kernels hold in local memory for one plane (NHWC tile: one
   channel) of shape s with vector width vw: th rows of tw floats. */
static void staged_plane(const clgconv_context *ctx, const clg_shape *s, int vw, int64_t *th,
                         int64_t *tw)
{
    const bool nhwc = nhwc_tiled(ctx, s);
    const int64_t ow = nhwc || s->OW > vw ? s->OW : vw;
    const int64_t ring = nhwc ? 0 : ring_rows(ctx, s);
    *th = ring ? ring : (s->OH - 1) * s->SH + (s->KH - 1) * s->DH + 1;
    *tw = (ow - 1) * s->SW + (s->KW - 1) * s->DW + 1 + (nhwc ? 0 : s->SW);
}

/* Whether a work-item's `planes` staged planes of shape s (vector width vw) fit half the local
   memory: plan_tile's limit for one work-item per work-group. */
static bool staged_planes_fit(const clgconv_context *ctx, const clg_shape *s, int vw,
                              int64_t planes)
{
    int64_t th, tw;
    staged_plane(ctx, s, vw, &th, &tw);
    return (double)planes * (double)th * (double)tw * (double)sizeof(float) <=
           (double)ctx->info.local_mem / 2.0;
}

/* Planes per work-item of conv2d_depthwise_nchw_cv (CLG_CV_PLANES) for a shape that
   channel_vectorised, staged with vector width vw: 16 on CPUs with 32 vector registers
   (AVX-512: a float16 is one register) when 16 staged planes fit half the local memory
   (plan_tile's limit), else 8. Kernel time, AVX-512 VM, medians of 31 alternating calls,
   8 -> 16 planes: MobileNetV2's 14x14x384 0.93x (batch 8 0.92x), 7x7x960 0.94x (batch 8 0.93x),
   a 5x5 14x14x240 layer 0.92x. */
static int cv_planes(const clgconv_context *ctx, const clg_shape *s, int vw)
{
    return ctx->info.cpu_registers >= 32 && s->N * s->K >= 16 && staged_planes_fit(ctx, s, vw, 16)
               ? 16
               : 8;
}

/* NCHW narrow groups (groups of 2 or 4 input and as many output channels): flat runs where
   flat_planes allows, else conv2d_depthwise_nchw_tile built with -DCLG_CPG, self-staged (CPU
   devices, planes of up to 1024 outputs, specialised windows, SW <= 2: self_staged), when a
   work-item's CLG_CPG staged planes fit half the local memory (plan_tile's limit). The tiled
   kernel's NCHW register tiles span output channels of one group, which has only 2 or 4. */
static bool nchw_narrow_groups(const clgconv_context *ctx, const clg_shape *s)
{
    return s->d.layout == CLGCONV_LAYOUT_NCHW && (s->CPG == 2 || s->CPG == 4) &&
           s->KPG == s->CPG &&
           (flat_planes(ctx, s) ||
            (self_staged(ctx, s) && staged_planes_fit(ctx, s, nchw_vector_width(ctx, s), s->CPG)));
}

/* Chooses the geometry of the zero-padded-plane kernels (conv2d_depthwise_nchw_tile: work-groups
   of all OH rows (with row blocks: a power of two at least the number of blocks, and one
   plane) x planes, or one work-item per plane (NCHW narrow groups: per group of CPG planes)
   when self-staged; conv2d_depthwise_nchw_cv: one
   work-item per cv_block planes, the 8 or 16 of cv_planes that the kernel was built for;
   conv2d_depthwise_nhwc_tile: one per 8 channels of an image) for a shape that tile_suits or
   nhwc_tiled, when the device's limits allow it; false otherwise. */
static bool plan_tile(const clgconv_context *ctx, const clg_shape *s, int vw, int row_block,
                      int cv_block, size_t wg, depthwise_state *st)
{
    const bool nhwc = nhwc_tiled(ctx, s);
    int64_t th, tw;
    staged_plane(ctx, s, vw, &th, &tw);
    const size_t plane_bytes = (size_t)(th * tw) * sizeof(float);
    const bool self = nhwc || self_staged(ctx, s), cv = nhwc || channel_vectorised(ctx, s);
    /* planes (channels) per item; NCHW narrow groups: a group's CPG output planes, from its
       CPG staged input planes */
    const int64_t per_item = nhwc ? 8 : cv ? cv_block : s->CPG;
    const int64_t items = (s->N * s->K + per_item - 1) / per_item;
    const size_t plane_bytes_all = plane_bytes * (size_t)per_item;
    /* work-items per plane (not self-staged): enough for one pass over its rows or row blocks */
    const int64_t passes = row_block ? (s->OH + row_block - 1) / row_block : s->OH;
    size_t rows = 1;
    while (!self && rows < (size_t)passes) rows *= 2;
    if (rows > wg || rows > ctx->info.max_item[0]) return false;
    /* Self-staged: at most an eighth of the planes per compute unit in a work-group, so that
       every core gets several work-groups. Work-group-staged planes in row blocks: one plane
       per work-group (the blocks' fewer work-items per plane had let 4-8x more planes into a
       work-group; kernel time against that, AVX-512 VM, medians of 31 alternating calls:
       112x112x32 batch 1 0.93x, batch 8 0.91-0.94x; 56x56x144 batch 1 0.90x, batch 8 1.11x;
       against one row per work-item (the code before row blocks): 112x112x32 0.71-0.79x, batch
       8 1.03-1.04x; 56x56x144 0.75x, batch 8 0.98x; 5x5 56x56x64 0.85x; 7x7 112x112x32 0.67x). */
    const size_t cu = (size_t)clg_compute_units(ctx);
    const size_t max_planes = self ? (size_t)items / (8 * cu) : row_block ? 1 : 256;
    /* Planes per work-group: up to 256 work-items and half the local memory. Not limited by
       the number of planes, so that the local size depends on the row count only (PoCL compiles
       a kernel again for every local size; surplus planes of the last group stay idle). */
    size_t planes = 1;
    while (rows * planes * 2 <= 256 && rows * planes * 2 <= wg && planes * 2 <= max_planes &&
           planes * 2 <= ctx->info.max_item[1] &&
           (planes * 2) * plane_bytes_all <= ctx->info.local_mem / 2)
        planes *= 2;
    if (planes * plane_bytes_all > ctx->info.local_mem / 2) return false;
    st->tile = 1, st->th = (int)th, st->tw = (int)tw, st->tile_bytes = planes * plane_bytes_all;
    st->local[0] = rows, st->local[1] = planes, st->local[2] = 1;
    st->global[0] = rows;
    st->global[1] = clg_round_up((size_t)items, planes);
    st->global[2] = 1;
    return true;
}

static clgconv_status depthwise_create(clgconv_plan *plan)
{
    const clg_shape *s = &plan->shape;
    depthwise_state *st = calloc(1, sizeof *st);
    if (!st) return clg_fail(CLGCONV_ERROR_OUT_OF_MEMORY, "allocating the depthwise plan");
    int64_t biggest = s->input_elems > s->output_elems ? s->input_elems : s->output_elems;
    const bool nhwc = s->d.layout == CLGCONV_LAYOUT_NHWC;
    const bool flat = flat_planes(plan->ctx, s);
    const int vw = nhwc   ? nhwc_vector_width(plan->ctx, s)
                   : flat ? flat_vector_width(plan->ctx)
                          : nchw_vector_width(plan->ctx, s);
    const int row_block = nhwc || flat ? 0 : nchw_rows_per_block(plan->ctx, s);
    /* the build option and plan_tile's geometry take the same planes per work-item */
    const int cv_block =
        !nhwc && !flat && channel_vectorised(plan->ctx, s) ? cv_planes(plan->ctx, s, vw) : 0;
    char options[320]; /* the longest option string: about 265 characters */
    int len = 0;
    if (specialised_geometry(s))
        len = snprintf(options, sizeof options,
                       "-DCLG_KH=%d -DCLG_KW=%d -DCLG_SH=%d -DCLG_SW=%d -DCLG_DH=%d -DCLG_DW=%d "
                       "-DCLG_M=%d ",
                       (int)s->KH, (int)s->KW, (int)s->SH, (int)s->SW, (int)s->DH, (int)s->DW,
                       (int)multiplier(s));
    len += snprintf(options + len, sizeof options - (size_t)len, "-DCLG_VW=%d", vw);
    if (nhwc) len += snprintf(options + len, sizeof options - (size_t)len, " -DCLG_NHWC=1");
    if (s->CPG > 1)
        len += snprintf(options + len, sizeof options - (size_t)len, " -DCLG_CPG=%d", (int)s->CPG);
    const bool rows = nhwc && nhwc_row_unrolled(plan->ctx, s);
    if (rows)
        len += snprintf(options + len, sizeof options - (size_t)len,
                        " -DCLG_ROW_OW=%d -DCLG_ROW_W=%d -DCLG_ROW_PL=%d -DCLG_ROW_CB=%d",
                        (int)s->OW, (int)s->W, (int)s->PL, nhwc_row_chunk(plan->ctx, s));
    const int kc = nhwc ? nhwc_channel_vectors(plan->ctx, s, vw) : 1;
    if (kc > 1) len += snprintf(options + len, sizeof options - (size_t)len, " -DCLG_KC=%d", kc);
    if (flat)
        len += snprintf(options + len, sizeof options - (size_t)len,
                        " -DCLG_FLAT_H=%d -DCLG_FLAT_W=%d -DCLG_FLAT_OH=%d -DCLG_FLAT_PT=%d "
                        "-DCLG_FLAT_PL=%d",
                        (int)s->H, (int)s->W, (int)s->OH, (int)s->PT, (int)s->PL);
    else if (self_staged(plan->ctx, s))
        len += snprintf(options + len, sizeof options - (size_t)len, " -DCLG_SELF_STAGED=1");
    if (cv_block && cv_block != 8)
        len += snprintf(options + len, sizeof options - (size_t)len, " -DCLG_CV_PLANES=%d",
                        cv_block);
    if (row_block)
        len += snprintf(options + len, sizeof options - (size_t)len, " -DCLG_RB=%d", row_block);
    /* padded rows of the staged-plane kernel's ring (0: whole planes) */
    const int64_t ring = nhwc || flat ? 0 : ring_rows(plan->ctx, s);
    if (ring)
        len += snprintf(options + len, sizeof options - (size_t)len,
                        " -DCLG_RING=%d -DCLG_RING_AHEAD=%d", (int)ring,
                        (int)ring_ahead(plan->ctx, s));
    /* Streaming stores only where each one writes a whole 64-byte line that no other store
       touches (16 lanes: NHWC pixel vectors of 16 of K channels, NCHW rows of whole 16-lane
       chunks): a partly written line costs a read anyway, and a plain store after a streamed
       one to the same line stalls (NCHW 56x56 rows, whose last chunk moves back over the one
       before, ran 3x slower). */
    const bool whole_lines =
        vw == 16 && !cv_block && !flat && (nhwc ? s->K % 16 == 0 : s->OW % 16 == 0);
    const bool streamed =
        clg_stream_stores(plan->ctx, s->input_elems, s->output_elems, s->macs, whole_lines, nhwc);
    if (streamed)
        len += snprintf(options + len, sizeof options - (size_t)len, " -DCLG_STREAM_STORES=1");
    if (biggest > INT32_MAX)
        snprintf(options + len, sizeof options - (size_t)len, " -DCLG_IDX=long");
    st->kernel_name = nhwc   ? "conv2d_depthwise_nhwc"
                      : flat ? "conv2d_depthwise_nchw_flat"
                             : "conv2d_depthwise_nchw";
    clgconv_status r =
        clg_context_create_kernel(plan->ctx, "depthwise", options, st->kernel_name, &st->kernel);
    size_t wg = 1;
    if (r == CLGCONV_SUCCESS) r = clg_kernel_wg_limit(plan->ctx, st->kernel, st->kernel_name, &wg);
    /* Small NCHW planes: a zero-padded-plane kernel of the same program, when it fits. */
    cl_kernel tile_kernel = NULL;
    size_t tile_wg = 1;
    if (r == CLGCONV_SUCCESS && !flat && (tile_suits(s) || nhwc_tiled(plan->ctx, s))) {
        const char *tile_name = nhwc_tiled(plan->ctx, s)           ? "conv2d_depthwise_nhwc_tile"
                                : channel_vectorised(plan->ctx, s) ? "conv2d_depthwise_nchw_cv"
                                                                   : "conv2d_depthwise_nchw_tile";
        r = clg_context_create_kernel(plan->ctx, "depthwise", options, tile_name, &tile_kernel);
        if (r == CLGCONV_SUCCESS)
            r = clg_kernel_wg_limit(plan->ctx, tile_kernel, tile_name, &tile_wg);
        if (r == CLGCONV_SUCCESS &&
            plan_tile(plan->ctx, s, vw, row_block, cv_block, tile_wg, st)) {
            clg_clReleaseKernel(st->kernel);
            st->kernel = tile_kernel, tile_kernel = NULL;
            st->kernel_name = tile_name;
        }
        if (tile_kernel) clg_clReleaseKernel(tile_kernel);
    }
    /* NHWC: packed weights [CPG][taps][K] (see depthwise_pack) */
    size_t pack_wg = 1;
    const bool packs = nhwc && plan->ctx->info.is_cpu; /* measured on CPUs only */
    if (r == CLGCONV_SUCCESS && packs)
        r = clg_context_create_kernel(plan->ctx, "depthwise", options, "depthwise_pack_weights",
                                      &st->pack_kernel);
    if (r == CLGCONV_SUCCESS && packs)
        r = clg_kernel_wg_limit(plan->ctx, st->pack_kernel, "depthwise_pack_weights", &pack_wg);
    /* nothing else computes NCHW narrow groups */
    if (r == CLGCONV_SUCCESS && !st->tile && !nhwc && !flat && s->CPG > 1)
        r = clg_fail(CLGCONV_ERROR_UNSUPPORTED,
                     "depthwise: NCHW groups of %lld channels need the staged-plane kernel, "
                     "which does not fit this device's limits for this shape",
                     (long long)s->CPG);
    if (r != CLGCONV_SUCCESS) {
        if (st->kernel) clg_clReleaseKernel(st->kernel);
        if (st->pack_kernel) clg_clReleaseKernel(st->pack_kernel);
        free(st);
        return r;
    }
    if (packs) {
        size_t work[3] = {(size_t)s->K, (size_t)(s->CPG * s->KH * s->KW), 1};
        const size_t local_size[3] = {64, 1, 1};
        clg_device_geometry(plan->ctx, pack_wg, work, local_size, st->pack_global,
                            st->pack_local);
        plan->packs_weights = true;
        plan->packed_weights_bytes = (size_t)s->weight_elems * sizeof(float);
        plan->packed_workspace_bytes = 0;
    }
    if (!st->tile) { /* plan_tile set the zero-padded-plane kernel's geometry */
        if (nhwc) {
            st->rpw = nhwc_rows_per_item(plan->ctx, s, vw * kc);
            const int64_t row_blocks = (s->OH + st->rpw - 1) / st->rpw;
            size_t work[3] = {(size_t)(s->K / (vw * kc)), (size_t)row_blocks, (size_t)s->N};
            /* CPUs: 8 channel blocks of one row block per work-group, so that a work-group
               reads and writes each pixel's channels as one run (8 x 16 lanes: 512 bytes; with
               nhwc_channel_vectors' blocks of several vectors, as many as there are, up to 8).
               They had taken 8 row blocks of one channel block (64 bytes of each pixel, C
               floats apart) wherever there were 8 row blocks or more; AVX-512 VM, plans
               alternating call by call, medians of 31, whole call: 28x28x256 0.66x (kernel
               0.49x: the layer the groups sweep's g = 256 runs, 1.3-1.5x the per-channel time
               of 192 or 320 channels, whose row blocks had come to 14 and 7), 28x28x192 0.87x,
               112x112x32 0.94x (batch 8 0.79x), 112x112x96 stride 2 0.95x; batch 8 28x28x256
               and x192 0.97-0.99x, ResNeXt's 56x56 g = 32 (4 per group) 1.01x. GPUs keep the
               row blocks (8 row blocks of one channel block, or 8 channel blocks of one row
               block when there are fewer than 8 row blocks). */
            const size_t rows_local[3] = {1, 8, 1}, channels_local[3] = {8, 1, 1};
            const bool by_rows = !plan->ctx->info.is_cpu && row_blocks >= 8;
            clg_device_geometry(plan->ctx, wg, work, by_rows ? rows_local : channels_local,
                                st->global, st->local);
        } else if (flat) {
            /* up to 32 planes per work-group, at least 8 work-groups per compute unit */
            const size_t items = (size_t)(s->N * s->K / s->CPG); /* planes or groups */
            size_t work[3] = {items, 1, 1};
            const size_t cu = (size_t)clg_compute_units(plan->ctx);
            size_t planes = 32;
            while (planes > 1 && items / planes < 8 * cu) planes /= 2;
            const size_t local_size[3] = {planes, 1, 1};
            clg_device_geometry(plan->ctx, wg, work, local_size, st->global, st->local);
        } else {
            size_t work[3] = {(size_t)s->OH, (size_t)(s->N * s->K), 1};
            /* 8 rows of `planes` channels per work-group, each work-item walking its row. Small
               images take several channels per work-group: PoCL's CPU device pays about a
               microsecond per work-group, which dominated 7x7 and 14x14 layers (960 work-groups of
               56 outputs each for MobileNetV2's 7x7 depthwise layer). */
            const size_t local_size[3] = {8, nchw_planes_per_group(s), 1};
            clg_device_geometry(plan->ctx, wg, work, local_size, st->global, st->local);
        }
    }
    if (rows) ++g_row_plans;
    if (kc > 1) ++g_kc_plans;
    if (flat) ++g_flat_plans;
    if (streamed) ++g_streamed_plans;
    if (st->tile && ring) ++g_ring_plans;
    plan->state = st;
    plan->workspace_bytes = 0;
    return CLGCONV_SUCCESS;
}

static clgconv_status depthwise_enqueue(const clgconv_plan *plan, cl_command_queue queue,
                                        const clg_forward_args *a, cl_uint num_wait,
                                        const cl_event *wait, cl_event *event)
{
    const depthwise_state *st = plan->state;
    const clg_shape *s = &plan->shape;
    cl_kernel k = st->kernel;
    const char *name = st->kernel_name;
    cl_mem bias = a->bias ? a->bias : a->weights;
    int iargs[] = {(int)s->N, (int)s->C, (int)s->H, (int)s->W, (int)s->K, (int)s->OH, (int)s->OW,
                   (int)s->PT, (int)s->PL, a->bias != NULL};
    clgconv_status r;
    cl_uint i = 0;
    if ((r = clg_set_arg(k, i++, sizeof(cl_mem), &a->input, name)) ||
        (r = clg_set_arg(k, i++, sizeof(cl_mem), &a->weights, name)) ||
        (r = clg_set_arg(k, i++, sizeof(cl_mem), &bias, name)) ||
        (r = clg_set_arg(k, i++, sizeof(cl_mem), &a->output, name)))
        return r;
    if ((r = clg_set_int_args(k, &i, iargs, sizeof iargs / sizeof iargs[0], name))) return r;
    float lo = s->d.output_min, hi = s->d.output_max;
    if ((r = clg_set_arg(k, i++, sizeof(float), &lo, name)) ||
        (r = clg_set_arg(k, i++, sizeof(float), &hi, name)))
        return r;
    /* packed weights in the packed layout (plans that pack them as a copy read them as given) */
    const int packed = a->packed && plan->packs_weights;
    if (st->tile) {
        int sizes[] = {st->th, st->tw};
        if ((r = clg_set_int_args(k, &i, sizes, 2, name)) ||
            (r = clg_set_arg(k, i++, st->tile_bytes, NULL, name)))
            return r;
        if (s->d.layout == CLGCONV_LAYOUT_NHWC && (r = clg_set_int_args(k, &i, &packed, 1, name)))
            return r;
        return clg_enqueue_kernel(queue, k, name, 3, st->global, st->local, num_wait, wait,
                                  event);
    }
    int geometry[] = {(int)s->KH, (int)s->KW, (int)s->SH, (int)s->SW,
                      (int)s->DH, (int)s->DW, (int)multiplier(s)};
    if ((r = clg_set_int_args(k, &i, geometry, sizeof geometry / sizeof geometry[0], name)))
        return r;
    if (s->d.layout == CLGCONV_LAYOUT_NHWC && ((r = clg_set_int_args(k, &i, &st->rpw, 1, name)) ||
                                               (r = clg_set_int_args(k, &i, &packed, 1, name))))
        return r;
    return clg_enqueue_kernel(queue, k, name, 3, st->global, st->local, num_wait, wait, event);
}

/* Packs NHWC plans' weights on CPU devices (GPU plans, not measured, keep the gather and pack
   as a copy), [K][CPG][taps] -> [CPG][taps][K], so that the kernels load a tap's
   weights for a channel vector with one vector load instead of a load per lane (which cost
   small layers a large part of their time: kernel time with vector loads, AVX-512 VM, batch
   1, medians of 31-41 alternating calls, three runs: MobileNetV2's 28x28x192 0.92-1.00x,
   14x14x384 0.88x, 7x7x960 0.61-0.86x (batch 8 0.86x in one run, 1.07x in the other); the
   groups sweep's 28x28x256 g = 256 0.94x; narrow groups g = 128 and 64 1.00x). The raw path
   (clgconv_conv2d_forward) still gathers: packing per call would cost a launch. */
static clgconv_status depthwise_pack(const clgconv_plan *plan, cl_command_queue queue,
                                     cl_mem weights, cl_mem packed, cl_uint num_wait,
                                     const cl_event *wait, cl_event *event)
{
    const depthwise_state *st = plan->state;
    const clg_shape *s = &plan->shape;
    cl_kernel k = st->pack_kernel;
    const char *name = "depthwise_pack_weights";
    int sizes[] = {(int)s->K, (int)(s->CPG * s->KH * s->KW)};
    clgconv_status r;
    cl_uint i = 0;
    if ((r = clg_set_arg(k, i++, sizeof(cl_mem), &weights, name)) ||
        (r = clg_set_arg(k, i++, sizeof(cl_mem), &packed, name)) ||
        (r = clg_set_int_args(k, &i, sizes, 2, name)))
        return r;
    return clg_enqueue_kernel(queue, k, name, 2, st->pack_global, st->pack_local, num_wait, wait,
                              event);
}

static void depthwise_destroy(clgconv_plan *plan)
{
    depthwise_state *st = plan->state;
    if (!st) return;
    clg_clReleaseKernel(st->kernel);
    if (st->pack_kernel) clg_clReleaseKernel(st->pack_kernel);
    free(st);
    plan->state = NULL;
}

const clg_algo_impl clg_algo_depthwise = {CLGCONV_ALGO_DEPTHWISE, depthwise_supports,
                                          depthwise_estimate, depthwise_create,
                                          depthwise_enqueue, depthwise_destroy,
                                          NULL, depthwise_pack};
