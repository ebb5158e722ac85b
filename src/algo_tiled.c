/* algo_tiled.c: CLGCONV_ALGO_TILED, the register-tiled direct kernel (cl/tiled.cl) specialised at plan creation on kernel geometry and channels per group, for NCHW and NHWC. */
#include "internal.h"
#include "testing.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Largest kernel window the kernels unroll (longer unrolls make builds slow, not faster). */
#define TILED_MAX_TAPS 121

typedef struct tiled_params {
    int specialised; /* kernel geometry built in as constants */
    int channels;    /* channels per group built in as constants */
    int vw; /* vector width along the contiguous dimension */
    int kv; /* NHWC: channel vectors per work-item (-DCLG_KV), else 1 */
    int tb; /* tile depth: output channels (NCHW) or output pixels (NHWC) per work-item */
    int tx; /* NCHW: vectors along the pixel run per work-item */
    int flat; /* NCHW 1x1 stride-1 unpadded: pixels as one flat run */
    int gpv;  /* NHWC: groups per vector (> 1 for few channels per group), else 1 */
    int padded;     /* pad_input copies the input zero-padded into the workspace first */
    int64_t hp, wp; /* its padded image (rows, columns) */
    int pitched;    /* -DCLG_PITCHED. NCHW stride 1, rows under two vectors or rows whose
                       blocks leave lanes idle: blocks over the padded image's flat positions
                       (always padded). NHWC: pixel tiles over
                       the image's output pixels in order, each pixel's window at its own
                       offset (never padded: taps outside the image read zeros) */
    int via_nchw;   /* NHWC layer run by the NCHW kernel: the other fields are the NCHW twin's
                       (always padded, by pad_input_from_nhwc); it writes NHWC output */
    int nchw_io;    /* NCHW layer run by the NHWC kernel's pitched or edge row tiles, reading
                       and writing NCHW (-DCLG_NCHW_IO): the other fields are the NHWC twin's */
    int via_nhwc;   /* NCHW layer run by the NHWC kernel's row tiles on a padded NHWC copy
                       (pad_input_from_nchw), storing NCHW (-DCLG_OUT_NCHW): the other fields
                       are the NHWC twin's (always padded) */
    int group_blocked; /* NHWC with padded: the padded copy is group-blocked, [N][G][HP][WP][CPG]
                          (pad_input_group_blocked, -DCLG_GROUP_BLOCKED) */
    int pairs; /* NHWC 8-lane tiles of one group vector: 16-lane accumulators over input
                  channel pairs (-DCLG_RPV=2, see tiled_choose) */
    int pad_channels; /* NHWC, output channels per group not a multiple of 8: 8-lane blocks
                         over them rounded up to 8 (-DCLG_KPGP, tile_channels) */
    int edges; /* on the unpadded input (-DCLG_EDGES, see edge_rows), no pre-pass: NCHW
                  narrow rows, their edge loads shifted; NHWC row tiles, their taps outside
                  the image reading zeros after the weights */
} tiled_params;

typedef struct tiled_state {
    cl_kernel conv, transpose; /* transpose only for NHWC */
    cl_kernel pad;             /* with padded: the zero-padding pre-pass */
    const char *conv_name, *pad_name;
    size_t global[3], local[3];
    size_t t_global[3], t_local[3]; /* transpose_weights */
    size_t p_global[3], p_local[3]; /* the pre-pass (pad_input, _from_nhwc, _from_nchw or
                                       _group_blocked) */
    int xb; /* NCHW: pixel blocks per output row */
    int hp, wp; /* with the pre-pass: the padded image */
    int pad_ints[9]; /* the pre-pass's int arguments */
    int pad_nints;   /* how many: pad_input, _from_nhwc and _from_nchw 8, _group_blocked 9 */
    int wt_offset;   /* NHWC: where the transposed weights start in the workspace */
    int t_groups;    /* NHWC: transpose_weights' G argument (weight vectors' groups) */
    int zeros;       /* NHWC: zeros transpose_weights writes after the weights (outside_zeros) */
} tiled_state;

/* clgconv_testing_tiled_padding: -1 lets the cost model choose, 0 never pads, 1 pads every
   shape with border blocks or tiles, 2 takes edge rows wherever their geometry allows (per
   thread, read at plan creation). */
static CLG_THREAD_LOCAL int g_padding_mode = -1;

void clgconv_testing_tiled_padding(int mode)
{
    g_padding_mode = mode < 0 ? -1 : mode > 2 ? 1 : mode;
}

/* clgconv_testing_tiled_edge_plans: tiled plans created on this thread with edge rows. */
static CLG_THREAD_LOCAL long g_edge_plans = 0;

long clgconv_testing_tiled_edge_plans(void) { return g_edge_plans; }

/* clgconv_testing_tiled_kv_plans: tiled plans created on this thread with two channel vectors
   per NHWC work-item (-DCLG_KV=2). */
static CLG_THREAD_LOCAL long g_kv_plans = 0;

long clgconv_testing_tiled_kv_plans(void) { return g_kv_plans; }

/* clgconv_testing_tiled_pair_plans: tiled plans created on this thread whose NHWC tiles sum
   input channel pairs in 16-lane accumulators (-DCLG_RPV=2). */
static CLG_THREAD_LOCAL long g_pair_plans = 0;

long clgconv_testing_tiled_pair_plans(void) { return g_pair_plans; }

/* clgconv_testing_tiled_channel_pad_plans: tiled plans created on this thread whose NHWC
   kernel covers each group's output channels in 8-lane blocks rounded up (-DCLG_KPGP). */
static CLG_THREAD_LOCAL long g_channel_pad_plans = 0;

long clgconv_testing_tiled_channel_pad_plans(void) { return g_channel_pad_plans; }

/* clgconv_testing_tiled_pitched_plans: tiled plans created on this thread whose NCHW kernel
   runs pitched blocks over the padded image (-DCLG_PITCHED without -DCLG_NHWC). */
static CLG_THREAD_LOCAL long g_pitched_plans = 0;

long clgconv_testing_tiled_pitched_plans(void) { return g_pitched_plans; }

/* clgconv_testing_tiled_copy_plans: tiled NCHW plans created on this thread that run the NHWC
   kernel on a transposed copy of the input (via_nhwc). */
static CLG_THREAD_LOCAL long g_copy_plans = 0;

long clgconv_testing_tiled_copy_plans(void) { return g_copy_plans; }

/* clgconv_testing_tiled_via_nchw: -1 lets the cost model choose, 0 never runs an NHWC layer
   through the NCHW kernel, 1 does whenever the layer fits (per thread, read at plan creation). */
static CLG_THREAD_LOCAL int g_via_mode = -1;

void clgconv_testing_tiled_via_nchw(int mode) { g_via_mode = mode < 0 ? -1 : mode > 0; }

/* clgconv_testing_tiled_via_nhwc: -1 lets the plan choose, 0 never runs an NCHW layer through
   the NHWC kernel, 1 always does: with NCHW addressing where the layer suits its pitched or
   edge row tiles (nchw_io), else on a transposed copy of the input (via_nhwc); 2 always on the
   copy (per thread, read at plan creation). */
static CLG_THREAD_LOCAL int g_via_nhwc_mode = -1;

void clgconv_testing_tiled_via_nhwc(int mode)
{
    g_via_nhwc_mode = mode < 0 ? -1 : mode > 2 ? 2 : mode;
}

/* The twin of a layer in the other layout: the same convolution with that layout's strides. */
static void layout_twin(const clg_shape *s, clgconv_layout layout, clg_shape *twin)
{
    clgconv_conv2d_desc d = s->d;
    d.layout = layout;
    /* Only the layout differs from a shape already validated, so this cannot fail. */
    (void)clg_shape_from_desc(&d, twin);
}
static void nchw_twin(const clg_shape *s, clg_shape *twin)
{
    layout_twin(s, CLGCONV_LAYOUT_NCHW, twin);
}

/* The shape p's convolution kernel runs: s, or its twin in the other layout (filled into
   *twin) when p runs the other layout's kernel (via_nchw: NCHW; nchw_io, via_nhwc: NHWC). */
static const clg_shape *kernel_shape(const clg_shape *s, const tiled_params *p, clg_shape *twin)
{
    if (!p->via_nchw && !p->nchw_io && !p->via_nhwc) return s;
    layout_twin(s, p->via_nchw ? CLGCONV_LAYOUT_NCHW : CLGCONV_LAYOUT_NHWC, twin);
    return twin;
}

/* NHWC: the output channels per group that p's tiles cover (KPG, or with pad_channels KPG
   rounded up to 8), and the transposed weights' element count, G * that * the reduction (the
   weight tensor's count unless padded). */
static int64_t tile_channels(const clg_shape *s, const tiled_params *p)
{
    return p->pad_channels ? (s->KPG + 7) / 8 * 8 : s->KPG;
}

static int64_t transposed_elems(const clg_shape *s, const tiled_params *p)
{
    return s->G * tile_channels(s, p) * s->reduction;
}

/* Zeros after the transposed weights that the NHWC kernel's pitched and edge tiles read for
   taps outside the image, for layer s with parameters p: one per input channel of a group, or
   with NCHW input (nchw_io) enough for a group's channel stride H*W; none for other plans
   (NCHW pitched blocks, via_nchw's among them, read the padded copy). */
static int64_t outside_zeros(const clg_shape *s, const tiled_params *p)
{
    if (p->nchw_io) return (s->CPG - 1) * s->H * s->W + 1; /* pitched or edge tiles */
    if (p->edges && s->d.layout == CLGCONV_LAYOUT_NHWC) return s->CPG;
    if (!p->pitched || p->via_nchw) return 0;
    return s->d.layout == CLGCONV_LAYOUT_NHWC ? s->CPG : 0;
}

static clgconv_status tiled_supports(const clgconv_context *ctx, const clg_shape *s)
{
    (void)ctx;
    if (s->KH * s->KW > TILED_MAX_TAPS)
        return clg_fail(CLGCONV_ERROR_UNSUPPORTED,
                        "tiled: the kernel window %lldx%lld has more than %d taps (the kernel "
                        "unrolls it); use direct or gemm",
                        (long long)s->KH, (long long)s->KW, TILED_MAX_TAPS);
    /* Offsets within one image plane, row or weight tensor and the NDRange ids are ints. */
    const struct {
        const char *what;
        int64_t value;
    } limits[] = {{"in_height*in_width", s->H * s->W},
                  {"out_height*out_width", s->OH * s->OW},
                  {"in_width*in_channels", s->W * s->C},
                  {"out_width*out_channels", s->OW * s->K},
                  {"the weight tensor's element count", s->weight_elems},
                  {"batch*groups*out_height", s->N * s->G * s->OH},
                  {"batch*groups*out_width", s->N * s->G * s->OW}};
    for (size_t i = 0; i < sizeof limits / sizeof limits[0]; ++i)
        if (limits[i].value > INT32_MAX)
            return clg_fail(CLGCONV_ERROR_UNSUPPORTED, "tiled: %s (%lld) exceeds 2^31 - 1",
                            limits[i].what, (long long)limits[i].value);
    return clg_check_coordinates(s, CLG_VECTOR_OVERHANG, "tiled");
}

/* Geometries built with the window, strides and dilations as compile-time constants (unrolled
   window loops, and the tile shapes that need them: constant channel counts, multi-vector
   and pitched tiles): every window up to 7x7, any stride and dilation. Larger windows (the
   unrolled code grows with the taps) run the generic build of the same kernels. Until session
   10 only square 1/3/5/7 windows with stride 1-2 and no dilation were specialised; against the
   generic build on PoCL (best of 41 alternating calls, NCHW / NHWC): Inception's 1x7 17x17x128
   0.77 -> 0.51 / 0.86 -> 0.59 ms, 7x1 1.53 -> 0.73 / 0.62 -> 0.53, 1x3 8x8x384 1.48 -> 0.48 /
   1.31 -> 0.49, 3x1 8x8x448 1.11 -> 0.39 / 1.13 -> 0.38; ConvNeXt's 2x2 stride-2 56x56 96->192
   (g=2) 3.0 -> 1.6 / 0.67 -> 0.77 (slower); 4x4 28x28x256 dense 27.3 -> 14.2 / 20.4 -> 16.9;
   stride 3 28x28x128 1.63 -> 1.00 / 0.56 -> 0.40; 6x6 stride 2 56x56x64 6.6 -> 3.2 / 2.0 ->
   2.1; 1x5 32x32 g=4 0.14 -> 0.09 / 0.081 -> 0.086. AlexNet's 11x11 stride 4 ran 1.27x
   slower specialised, hence the 7x7 limit. */
static bool specialised_geometry(const clg_shape *s) { return s->KH <= 7 && s->KW <= 7; }

/* Number of tiles of at most max items covering n, then the tile size that spreads n evenly. */
static int even_tile(int64_t n, int max)
{
    int64_t tiles = (n + max - 1) / max;
    return (int)((n + tiles - 1) / tiles);
}

/* Tile depth for builds without constant channel counts: 8, 4 or 1 (the largest at most max
   and at most n), so that all such layers share a handful of programs. */
static int coarse_tile(int64_t n, int max)
{
    if (n >= 8 && max >= 8) return 8;
    if (n >= 4 && max >= 4) return 4;
    return 1;
}

/* The largest power of two at most max and at most n. */
static int pow2_tile(int64_t n, int max)
{
    int t = 1;
    while (t * 2 <= max && t * 2 <= n) t *= 2;
    return t;
}

/* NCHW channel tile for a 2-vector block on CPUs: 4 to 6 channels (16 registers: 12
   accumulators, two inputs and a broadcast) or 4 to 8 (32 registers: 16 accumulators),
   whichever costs least per output channel - the tiles cover ceil(KPG/tb)*tb channels (the last
   one overlaps), and a step of tb x 2 FMAs takes tb + 2 loads - ties going to the tile that
   wastes fewer channels (KPG = 16 on 16 registers: 4 measured faster than 6). 32 registers
   (AVX-512 PoCL), plans alternating call by call, medians: ResNeXt's g=32 28x28 layer (8
   channels per group, 4 x 2 tiles before) 1.11x faster, dense 28x28x256 1.09x; AlexNet's 5x5
   g=2 layer ran the same with 6, 8 or 12 channels, so no 24-accumulator tiles. On AVX2, 8 x 2
   tiles spilled (1.5x slower). */
static int two_vector_channel_tile(int64_t kpg, int cpu_regs)
{
    if (kpg < 4) return (int)kpg; /* tiles never span more channels than a group has */
    const int max = cpu_regs >= 32 ? 8 : 6;
    int best = max;
    double best_cost = 0.0;
    for (int tb = max; tb >= 4; --tb) {
        const int64_t covered = (kpg + tb - 1) / tb * tb;
        const double cost = (double)covered * (double)(tb + 2) / (double)(2 * tb);
        if (tb == max || cost <= best_cost) best = tb, best_cost = cost;
    }
    return best;
}

/* NCHW: pixel blocks per run (an output row; flat and pitched blocks: the whole plane's run,
   pitched ones over the padded image's pitch p->wp). */
static int64_t nchw_blocks_per_run(const clg_shape *s, const tiled_params *p)
{
    const int64_t run = p->flat      ? s->OH * s->OW
                        : p->pitched ? (s->OH - 1) * p->wp + s->OW
                                     : s->OW;
    const int64_t span = (int64_t)p->tx * p->vw;
    return (run + span - 1) / span;
}

/* The convolution kernel's work per NDRange dimension for these tiles, before rounding up to
   the work-group size. NHWC: channel vectors (all K when groups share vectors), pixel tiles of
   a row, rows (of each group); NCHW: pixel blocks, channel tiles, images x groups. */
static void tiled_work(const clg_shape *s, const tiled_params *p, size_t work[3])
{
    if (s->d.layout == CLGCONV_LAYOUT_NHWC) {
        const bool shared = p->gpv > 1;
        work[0] = (size_t)((shared ? s->K : tile_channels(s, p)) / (p->vw * p->kv));
        if (p->pitched) { /* tiles of the image's pixels, then images x groups */
            work[1] = (size_t)((s->OH * s->OW + p->tb - 1) / p->tb);
            work[2] = (size_t)(s->N * s->G);
        } else {
            work[1] = (size_t)((s->OW + p->tb - 1) / p->tb);
            work[2] = (size_t)(s->N * s->OH * (shared ? 1 : s->G));
        }
    } else {
        const int64_t blocks = nchw_blocks_per_run(s, p);
        work[0] = (size_t)(p->flat || p->pitched ? blocks : blocks * s->OH);
        work[1] = (size_t)((s->KPG + p->tb - 1) / p->tb);
        work[2] = (size_t)(s->N * s->G);
    }
}

/* Work-items of the convolution kernel's NDRange (before rounding up). */
static int64_t tiled_items(const clg_shape *s, const tiled_params *p)
{
    size_t work[3];
    tiled_work(s, p, work);
    return (int64_t)work[0] * (int64_t)work[1] * (int64_t)work[2];
}

/* The next smaller tile depth than tb over n (channels, NCHW; pixels, NHWC) of the same kind
   as tiled_choose's (even, power of two, or coarse 8/4/1). */
static int smaller_tile(const tiled_params *p, int64_t n, int tb)
{
    const int max = tb / 2 > 1 ? tb / 2 : 1;
    return p->channels ? even_tile(n, max) : p->specialised ? pow2_tile(n, max) : coarse_tile(n, max);
}

/* GPUs: a work-item runs its tile's whole reduction alone, so the CPU-sized tiles (64 outputs
   per work-item) left an H200 with 900-7000 work-items on ResNeXt's and MobileNetV2's layers
   at batch 1, and its rate followed that count (0.85-4.4 TFLOP/s on dense 3x3 layers). Halve
   the tile until the NDRange reaches gpu_items work-items: pixel vectors per block, then the
   tile depth down to 2, then 4-lane vectors, then depth 1. */
static void fill_gpu(const clg_shape *s, tiled_params *p, int64_t gpu_items)
{
    const bool nchw = s->d.layout == CLGCONV_LAYOUT_NCHW;
    const int64_t depth_n = nchw ? s->KPG : s->OW;
    while (tiled_items(s, p) < gpu_items) {
        if (nchw && p->tx > 1)
            p->tx /= 2;
        else if (p->tb > 2)
            p->tb = smaller_tile(p, depth_n, p->tb);
        else if (p->vw > 4 && (nchw || s->KPG % 4 == 0))
            p->vw = 4;
        else if (p->tb > 1)
            p->tb = smaller_tile(p, depth_n, p->tb);
        else
            return;
    }
}

/* tiled_choose's pitched tiles: never; where they suit the layer better than row tiles; or,
   for NHWC twins run with NCHW addressing (nchw_io, whose pitched tiles compete with edge row
   tiles only on 32 registers), where they suit it better than row tiles of 6 or 8 pixels (the
   comparison that path was measured on). */
typedef enum { PITCHED_NEVER, PITCHED_IF_BETTER, PITCHED_FOR_NCHW_IO } pitched_choice;

/* The default tile choice (variant 0) and the alternatives the tuner may measure. cpu_regs:
   the CPU's vector registers in 8-float units (clg_device_info.cpu_registers: 16 on AVX2, 32 on
   AVX-512), which bound the register tile, or 0 on other devices; gpu_items:
   clg_gpu_target_items (0 on CPUs), which variant 0's tiles shrink to reach (fill_gpu). */
static tiled_params tiled_choose(const clg_shape *s, int variant, int cpu_regs,
                                 pitched_choice pitched, int64_t gpu_items)
{
    const bool allow_pitched = pitched != PITCHED_NEVER;
    const bool cpu = cpu_regs > 0;
    tiled_params p = {.vw = 8, .kv = 1, .tb = 8, .tx = 1, .gpv = 1};
    p.specialised = specialised_geometry(s);
    /* Constant channel counts (a build per channel pair: the reduction loops unroll and the
       CPU register tiles below open up): groups of 8 or more input and output channels, and
       on CPUs groups of 2 or more input and 3 or more output channels. Those small groups had
       shared their geometry's runtime-channel build; against it, AVX-512 PoCL, plans
       alternating call by call (medians of 21), whole call: 256 channels 28x28 g=64 (4 per
       group) NCHW 0.60x, batch 8 0.54x; 96 channels 28x28 g=16 (6) 0.61x / 0.76x NHWC, batch 8
       0.57x; g=32 (3) 0.50x / 0.84x, batch 8 0.47x / 0.82x; ResNeXt's 56x56 g=32 (4) 0.91x,
       batch 8 0.92x; 64 -> 256 channels g=16 (4 -> 16) 0.53x / 0.95x; 256 -> 96 g=32 (8 -> 3)
       0.42x / 0.71x; 5x5 80 channels g=16 0.55x / 0.72x; 17x17 g=12 (5) 0.60x / 0.93x; 112x112
       g=8 (3) 0.77x / 0.83x; 15x15 g=15 (3) 0.92x / 0.90x; 7x7 g=16 (4) 0.83x (3 output
       channels per group take 3-channel tiles, two_vector_channel_tile). With PoCL compiling
       for Haswell and 16 registers: 5 or 6 per group 0.78-0.82x, 4 per group 0.96-1.01x (7x7
       1.10x). Two output channels per group lost (kernel 1.06-1.16x): those keep the shared
       build. */
    p.channels = p.specialised &&
                 ((s->CPG >= 8 && s->KPG >= 8) || (cpu && s->CPG >= 2 && s->KPG >= 3));
    if (s->d.layout == CLGCONV_LAYOUT_NCHW) {
        p.flat = s->KH == 1 && s->KW == 1 && s->SH == 1 && s->SW == 1 && s->PT == 0 &&
                 s->PL == 0 && s->PB == 0 && s->PR == 0;
        int64_t run = p.flat ? s->OH * s->OW : s->OW;
        /* Generic builds (odd geometries) always use 8 lanes, and no multi-vector tiles. */
        p.vw = run <= 4 && p.specialised ? 4 : 8;
        int64_t vectors = run / p.vw > 1 ? run / p.vw : 1;
        /* CPUs, constant channel counts, rows of two vectors or more: 12 accumulators as a
           tile of 4-6 channels x 2 vectors (tb + 2 loads per 2*tb FMAs instead of 9 per 8;
           AVX2's 16 registers hold them, the two input vectors and a broadcast). Measured on
           PoCL, 3x3 NCHW batch 1, kernel time: 256 channels 28x28 dense 11.3 -> 7.6 ms, g=16
           0.75 -> 0.53 ms; 56x56 g=16 2.56 -> 2.02 ms; AlexNet's 5x5 g=2 layer 1.25x. With 8
           channels x 2 vectors (16 accumulators) it spilled: 1.5x slower. Variant 1 is then
           the 8 x 1 tile, for the tuner. */
        const bool two_vectors = cpu && p.channels && vectors >= 2;
        /* AVX2 has 16 vector registers: 8 accumulators + input + broadcast. */
        int max_tb = 8;
        if (variant == 1 && !two_vectors) max_tb = 6;
        if (variant == 2) max_tb = 12;
        if (variant == 3) p.vw = 4, max_tb = 8;
        p.tb = p.channels      ? even_tile(s->KPG, max_tb)
               : p.specialised ? pow2_tile(s->KPG, max_tb)
                               : coarse_tile(s->KPG, max_tb);
        /* Small channel tiles take several vectors along the run (8 accumulators in all), so
           each broadcast weight feeds several FMAs; no more vectors than the run fills
           completely (a block longer than the run would take the slow border path). */
        p.tx = p.specialised ? pow2_tile(vectors, p.tb >= 8 ? 1 : 8 / p.tb) : 1;
        /* 32 registers: up to 16 accumulators, when the longer block covers the run with at
           most 15 % more computed outputs than the 8-accumulator one (its last block moves
           back and recomputes). Plans alternating call by call (AVX-512 PoCL, medians of 61),
           4 channels per group, 3x3: ResNeXt's g=32 56x56 layer 0.86-0.91x the time, batch 8
           0.90-0.92x; 64x64 0.89x; 112x112 g=16 0.90-0.97x; 5x5 / 7x7 dilated 56x56 0.91x /
           0.93x; 60x60 with 6 groups 0.96x. Runs the longer block would cover worse: 40x40
           1.08x, 48x48 1.04x, 80x80 (1.2x the outputs) 0.99x - those keep 8. Tiles of 2 or 1
           channels (8 x 2, 16 x 1 vectors) measured the same as before (1.00x, 64x64). */
        if (cpu_regs >= 32 && p.specialised && p.tb < 8 && variant == 0 && !two_vectors) {
            const int wide = pow2_tile(vectors, 16 / p.tb);
            if (wide > p.tx && clg_covers_as_well(run, p.vw * p.tx, p.vw * wide)) p.tx = wide;
        }
        if (two_vectors && variant == 0) {
            p.tb = two_vector_channel_tile(s->KPG, cpu_regs);
            p.tx = 2;
            /* 32 registers: the same tiles in 16-lane vectors (16 accumulators of 16 lanes, a
               broadcast weight then feeds 32 pixels), where 32-pixel blocks cover the run
               about as tightly as 16-pixel ones (clg_covers_as_well: runs of 17-32, 49-64,
               81-128, ...; a block longer than its row takes the padded copy, so flat runs,
               never padded, need 32 pixels), stride 1 along x. Plans alternating call by call
               (AVX-512 VM, kernel time, medians of 11-21): dense 3x3 28x28x256 0.84x,
               28x28x192 0.81x, 56x56x128 0.75x, 112x112x32 0.85x, 30x30 unpadded 0.64-0.82x
               (batch 8 0.82x); AlexNet's 5x5 g=2 0.87x (batch 8 0.89-0.92x); 256 channels
               28x28 g=4 0.81x, g=8 0.83x, g=16 0.80-0.84x (batch 8 0.79-0.89x), g=32
               0.85-0.95x (batch 8 0.80-0.81x);
               ShuffleNet's 1x1 g=3 flat runs 0.76-0.93x; 20x20 0.96x. Not taken: 44x44 (64
               pixels computed for 48) 1.03x; stride 2, whose 16-lane strided loads are
               gathers, 1.28-1.30x. */
            if (cpu_regs >= 32 && s->SW == 1 && clg_covers_as_well(run, 16, 32) &&
                (!p.flat || run >= 32))
                p.vw = 16;
        }
        /* Rows narrower than two vectors (7x7, 14x14 images), stride 1: the same tiles over
           the zero-padded image's flat positions, row pitch OW + (KW-1)*DW (the positions
           past OW in each row are computed and dropped). Measured on PoCL, kernel time, best
           of 60: dense 3x3 384 channels 14x14 6.7 -> 4.3 ms, 960 channels 7x7 10.0 -> 6.8
           ms; ResNeXt's g=32 conv5 (7x7) 0.39 -> 0.32 ms, conv4 (14x14) 0.38 -> 0.36 ms
           (batch 8: 4.4 -> 3.8 ms). The run must fill one block. */
        const int64_t pitch = s->OW + (s->KW - 1) * s->DW;
        const int64_t pitched_run = (s->OH - 1) * pitch + s->OW;
        const int pitched_vw = cpu_regs >= 32 && pitched_run >= 32 ? 16 : 8;
        /* Rows of two vectors or more whose blocks leave lanes idle (17 of 32 lanes on 17x17,
           35 of 48 on 35x35): pitched blocks as well, on 32 registers, when they compute at
           most 0.9x the positions of the row blocks and the reduction (288 or more terms)
           amortises a block's set-up. Plans alternating call by call (AVX-512 VM, medians of
           15, whole call): dense 3x3 17x17x128 0.69-0.72x, 20x20x160 0.60-0.72x, 35x35x96
           0.65-0.68x (batch 8 0.68x), 40x40x64 0.71x; Inception's 7x1 17x17x128 0.67-0.84x
           (batch 8 0.61x), 5x5 35x35 48 -> 64 0.48x; 35x35x256 g=8 0.65x, 17x17x128 g=4
           0.88x (batch 8 0.86x), 17x17x256 g=8 0.92x. Short reductions lost to the row
           blocks on the unpadded input: 17x17x256 g=16 (144 terms) 1.51x, g=32 (72) 1.77x,
           20x20x64 g=4 (144) 1.55x, 35x35x256 g=32 (72) 1.12x. Not taken: 28x28 (0.96x the
           positions; dense 256 channels 0.94x), 27x27 5x5 (1.0x); rows of 56 or more (not
           measured past 40; 56x56 dense layers run faster through the NHWC copy, which
           nhwc_copy_pays does not offer pitched plans). */
        const bool idle_lanes =
            cpu_regs >= 32 && vectors >= 2 && s->OW < 56 && s->reduction >= 288 &&
            (double)clg_round_up((size_t)pitched_run, (size_t)(2 * pitched_vw)) <=
                0.9 * (double)s->OH * (double)clg_round_up((size_t)s->OW, (size_t)(p.vw * p.tx));
        if (allow_pitched && cpu && p.channels && variant == 0 && (vectors < 2 || idle_lanes) &&
            s->SH == 1 && s->SW == 1 && !p.flat && pitched_run >= 16) {
            p.pitched = 1;
            /* 16 lanes with 32 registers where the run fills a 32-pixel block (the pitched
               run's last block moves back, so no coverage rule; alternating plans, dense 3x3
               14x14x512 0.78x, 14x14x384 0.83x, 7x7x1024 0.84x, 7x7x960 0.81x) */
            p.vw = pitched_vw;
            p.tb = two_vector_channel_tile(s->KPG, cpu_regs);
            p.tx = 2;
        }
    } else {
        static const int widths[] = {8, 4, 2, 1};
        int widest = 0;
        for (size_t i = 0; !widest && i < sizeof widths / sizeof widths[0]; ++i)
            if (s->KPG % widths[i] == 0) widest = widths[i];
        p.vw = widest;
        /* 1 or 2 channels per group (in = out): 8-lane vectors across 8 / KPG groups instead
           of KPG-lane vectors (a quarter of the FMA width at 2 channels per group); the input
           is loaded once per pixel and rotated within each group per step. Measured on PoCL,
           256 channels 28x28 3x3 NHWC: g = 128 0.85 -> 0.39-0.44 ms; at 4 channels per group
           (g = 64) the rotations cost more than they save (0.6-0.76 -> 0.86-1.3 ms, also
           with 4-pixel tiles), so that stays on 4-lane vectors. */
        if (s->KPG <= 2 && s->CPG == s->KPG && s->K % 8 == 0)
            p.vw = 8, p.gpv = (int)(8 / s->KPG), p.channels = 1;
        /* 32 registers, constant channel counts, 5 or more output channels per group but not
           a multiple of 8 (ShuffleNet's 20 and 60): 8-lane blocks over the group's channels
           rounded up to 8 (zero weights in the last block's spare lanes, which are neither
           biased nor stored) instead of 4-lane vectors or narrower (a quarter of the FMA
           width or less) or the NCHW kernel; with an even number of input channels, pairs
           (below) then fill 16 lanes. Plans alternating call by call (Intel Xeon VM, AVX-512,
           PoCL 3.1, medians of 21, whole call) against the plans before: ShuffleNet's 1x1 240
           -> 60 dense 0.48x (batch 8 0.43x), g=3 0.70x (batch 8 0.44x), and against gemm,
           which AUTO had taken there, 0.92x / 0.73x (batch 8 0.84x / 0.70x); 3x3 28x28: 96
           channels g=8 (12 per group) 0.72x (batch 8 0.76x), 120 g=6 (20) 0.75x, 60 g=3 (20)
           0.61x, 90 g=9 (10) 0.67x, 45 -> 60 g=3 (15 inputs: no pairs) 0.68x, 96 g=16 (6)
           0.59x, 80 g=16 (5) 0.57x (batch 8 0.76x), 84 g=12 (7) 0.50x, 112 g=16 (7) 0.59x;
           72 channels 56x56 g=2 (36) 0.72x; 240 channels 14x14 g=12 stride 2 0.45x. Not
           taken: 3 per group (96 channels g=32: kernel 1.36x), 4 per group (1.4-1.8x the
           depthwise kernel's time, which AUTO takes for 4 in and 4 out). */
        if (cpu_regs >= 32 && p.channels && p.gpv == 1 && variant == 0 && s->KPG >= 5 &&
            s->KPG % 8 != 0)
            p.vw = 8, p.pad_channels = 1;
        int max_tb = variant == 1 ? 6 : variant == 2 ? 12 : variant == 3 ? 4 : 8;
        /* CPUs, 16 or a multiple of 16 channels per group: 16-lane vectors (two AVX2 registers)
           over 6 pixels, 12 accumulators, so that a step's 8 loads (2 weight halves, 6
           broadcasts) feed 12 FMAs instead of 9 loads feeding 8. Measured on PoCL, kernel time,
           256 channels 28x28 3x3: dense 13.0 -> 8.2 ms, g=16 0.74 -> 0.45 ms; AlexNet's 5x5
           g=2 layer 6.6 -> 4.8 ms; batch 8 g=8 12.4 -> 10.0 ms. 4 or 7 pixels measured slower
           than 6 (7: spills). Variant 3 keeps 8-lane vectors for the tuner. */
        if (cpu && p.gpv == 1 && s->KPG % 16 == 0 && variant != 3) {
            p.vw = 16;
            max_tb = 6;
        }
        p.tb = p.channels      ? even_tile(s->OW, max_tb)
               : p.specialised ? pow2_tile(s->OW, max_tb)
                               : coarse_tile(s->OW, max_tb);
        /* Rows of at most two tiles that force smaller tiles (7x7 images: 4 pixels, 14x14: 5)
           or leave a tenth of the slots idle: tiles over the image's pixels in order instead,
           the full tile depth, only the image's last tile partly idle. Interleaved A/B on
           PoCL, whole plan, ResNeXt's g=32 layers: 7x7 1.28-1.31x faster (batch 8
           1.32-1.34x), 14x14 1.14-1.28x (batch 8 1.19-1.28x); dense 7x7x1024 1.12-1.22x.
           Wider rows keep row tiles: AlexNet's 27x27 5x5 g=2 layer (10 % of the slots idle)
           ran 6-15 % slower in order, and 28x28 with 8 channels per group, 1.11-1.17x faster
           at batch 1 in one A/B, ran its kernel at 5.6 against 3.6 ms at batch 8 in the
           benchmark (the groups sweep's g=32 layer). */
        const int64_t pixels = s->OH * s->OW;
        /* 32 registers (AVX-512 PoCL; plans alternating call by call, medians), constant
           channel counts: 16-lane vectors take runs of up to 7 pixels (14 accumulators), e.g.
           7x7 images in 7 tiles instead of 9 of 6: ResNeXt's g=32 7x7 layer 1.06-1.07x faster
           (batch 8 also), dense 14x14x512 1.06x, g=32 14x14 the same. */
        const bool wide_regs = cpu_regs >= 32 && variant == 0 && p.channels && p.gpv == 1;
        const int run_tb = even_tile(pixels, wide_regs && p.vw == 16 ? 7 : max_tb);
        /* The row tiles the pitched ones compete with: on 32-register CPUs those of the rules
           below, up to 7 pixels of 16 lanes or 16 of 8 lanes (their edge tiles need no copy).
           Compared with tiles of 6 or 8 (as before they were), 14x14 and 7x7 layers took
           pitched tiles, and row tiles of 7 or 14 pixels ran them faster: Intel Xeon VM,
           plans alternating call by call, medians of 31, whole call, 14x14 g=32 (16 per
           group) 0.75-0.81x (batch 8 0.75-0.78x), g=16 (32 per group, two vectors) 0.90x,
           g=64 (8 per group) 0.53x (batch 8 0.53x), 256 channels g=32 0.62x, 256 channels g=16
           0.86x, 13x13 g=6 0.83x; 7x7 g=32 0.98x (batch 8 0.90x), 7x7 g=128 1.06x, 7x7 with 8
           per group 0.68x. NCHW layers run with NCHW addressing keep the old comparison
           (choose_nchw_io, measured on it). */
        const int wide_tb =
            p.vw == 16 ? even_tile(s->OW, 7) : p.vw == 8 ? even_tile(s->OW, 16) : p.tb;
        const int row_tb = wide_regs && pitched != PITCHED_FOR_NCHW_IO ? wide_tb : p.tb;
        const int64_t row_slots = s->OH * ((s->OW + row_tb - 1) / row_tb * row_tb);
        const int64_t run_slots = (pixels + run_tb - 1) / run_tb * run_tb;
        if (allow_pitched && cpu && p.channels && p.gpv == 1 && variant == 0 && s->OW < 16 &&
            (run_tb > row_tb || (double)run_slots < 0.9 * (double)row_slots)) {
            p.pitched = 1;
            p.tb = run_tb;
            /* two channel vectors as in row tiles below: ResNeXt's g=32 7x7 layer (32 per
               group) 0.75x the kernel time (batch 8 0.72x), 14x14 g=16 0.72x, dense 7x13 with
               64 channels 0.76x; with NCHW addressing too (choose_nchw_io) */
            if (wide_regs && p.vw == 16 && s->KPG % 32 == 0) p.kv = 2;
        } else if (wide_regs && p.vw == 8) {
            /* 32 registers, one 8-lane vector per group: row tiles of up to 16 pixels (the
               pitched choice above compares with them, bar PITCHED_FOR_NCHW_IO's): ResNeXt's
               g=32 28x28 layer (14 pixels instead of 7) 1.09x faster. Pitched runs keep 8: 16
               ran 0.90x on a 14x14 g=32 layer. */
            p.tb = wide_tb;
        }
        /* 32 registers, 16-lane row tiles, groups of a multiple of 32 output channels: two
           channel vectors per work-item over up to 7 pixels (14 accumulators), each broadcast
           input value feeding an FMA per vector (a step's 2 weight loads and 7 broadcasts feed
           14 FMAs, where 1 and 6 fed 6). Plans alternating call by call (Intel Xeon VM with
           AVX-512, PoCL 3.1, medians of 15-21, kernel time): dense 3x3 28x28x256 0.66x (batch
           8 0.68x), 56x56x128 0.65x, 28x28x192 0.64x, 112x112x32 0.70x, 112x112x96 stride 2
           0.65x; AlexNet's 5x5 27x27 layer 0.61x, with g=2 0.67x; 256 channels 28x28 g=4 0.81x,
           g=8 0.76x (batch 8 0.69x). Tiles of 6 pixels 0.68-0.83x, 4 pixels x 2 vectors 0.82x,
           3 x 4 vectors 0.89x. Outputs bit-identical (each output's sum in the same order). */
        if (wide_regs && !p.pitched && p.vw == 16 && s->KPG % 32 == 0) {
            p.kv = 2;
            p.tb = wide_tb;
        }
        /* One 16-lane vector (16 output channels per group, or 48, 80, ...): rows of up to 7
           pixels as well. With 6 accumulators the FMAs' latency (4 cycles, 2 FMA units: 8 in
           flight) was not covered. Intel Xeon VM (AVX-512, PoCL 3.1), plans alternating call
           by call, medians of 21, whole call: 256 channels 28x28 g=16 0.88-0.90x (batch 8
           0.88x), 128 channels 56x56 g=8 0.86x; 14x14 g=32 (pitched tiles of 7 already) 0.97x.
           The AMD VM of sessions 11-21 (Zen 4, whose 512-bit FMAs issue as two halves) had
           measured 0.96-1.07x on 27x27 and 28x28 layers; the CI class (Zen 5) has full-width
           512-bit FMA units. 10 or 13-14 pixels measured no faster. */
        else if (wide_regs && !p.pitched && p.vw == 16)
            p.tb = wide_tb;
        /* 32 registers, 8-lane vectors of one group (8, 24, 40, ... output channels, or padded
           blocks), an even number of input channels per group: 16-lane accumulators over
           input channel pairs (-DCLG_RPV=2), lane 2j + i summing channel j's terms of the
           even or odd input channels, so that each FMA fills the full-width unit an 8-lane
           vector half filled; a step broadcasts a pixel's two adjacent input channels as one
           64-bit value. Against the 8-lane tiles (row_share's at stride 1), Intel Xeon VM
           (AVX-512, PoCL 3.1), plans alternating call by call,
           medians of 21, whole call: 256 channels 28x28 g=32 0.83-0.92x (batch 8
           0.82-0.96x), stride 2 0.78x, 56x56 stride 2 0.78x; 128 channels 56x56 g=16 batch 8
           0.82x; 7x7x1024 g=128 batch 8 0.79x; 14x14x512 g=64 0.90-1.03x (batch 8 0.92x);
           64 channels 28x28 g=8 5x5 0.76x, dilation 2 0.66x; small layers (4 or 12 input
           channels per group, 0.03-0.04 ms kernels) 0.86-1.00x. Groups of 24, 40, ... output
           channels (8-lane vectors, weights in blocks of 8 channels) take pairs too, each
           block's pair rows together (CLG_WT_BLOCKED with CLG_RPV=2). Against their 8-lane
           tiles, same VM and method: ShuffleNet's 1x1 480 -> 120 0.61-0.70x kernel time
           (dense and g=3, batch 1 and 8), 112 -> 56 3x3 stride 2 0.68x; at stride 1 (row-share
           tiles before) 96 -> 48 g=2 28x28 0.93x (batch 8 0.84x), 72 channels 56x56 g=3 0.93x
           (batch 8 0.87x), 240 -> 120 g=3 0.95x, 80 channels 14x14 g=2 0.91x, 24 channels
           56x56 0.67-0.92x; 240 -> 120 7x7 g=3 (pitched, 1.00x) within noise. */
        if (wide_regs && p.vw == 8 && (s->KPG % 8 == 0 || p.pad_channels) && s->CPG % 2 == 0)
            p.pairs = 1;
    }
    if (gpu_items > 0 && variant == 0 && p.gpv == 1 && !p.pitched) fill_gpu(s, &p, gpu_items);
    return p;
}


/* NCHW: the fraction of a row's pixel blocks that take the border path (some vector load of the
   block leaves the row, so the block's loads are checked, lane by lane where they leave). */
static double border_block_fraction(const clg_shape *s, const tiled_params *p)
{
    if (p->flat) return 0.0;
    const int64_t span = (int64_t)p->tx * p->vw;
    const int64_t reach = (span - 1) * s->SW + (s->KW - 1) * s->DW; /* last column a block reads */
    const int64_t blocks = (s->OW + span - 1) / span;
    const int64_t sampled = blocks < 4096 ? blocks : 4096; /* long rows: sample evenly */
    int64_t border = 0;
    for (int64_t i = 0; i < sampled; ++i) {
        const int64_t b = sampled == blocks ? i : i * blocks / sampled;
        int64_t ox0 = s->OW >= span ? b * span : 0;
        if (s->OW >= span && ox0 > s->OW - span) ox0 = s->OW - span;
        const int64_t ix0 = ox0 * s->SW - s->PL;
        border += ix0 < 0 || ix0 + reach >= s->W;
    }
    return sampled ? (double)border / (double)sampled : 0.0;
}

/* NHWC: the fraction of a row's pixel tiles that take the border path (some window column of
   some pixel leaves the row: clamped offsets and selects for every channel). */
static double border_tile_fraction(const clg_shape *s, const tiled_params *p)
{
    const int64_t tiles = (s->OW + p->tb - 1) / p->tb;
    const int64_t sampled = tiles < 4096 ? tiles : 4096; /* long rows: sample evenly */
    int64_t border = 0;
    for (int64_t i = 0; i < sampled; ++i) {
        const int64_t ix0 = (sampled == tiles ? i : i * tiles / sampled) * p->tb * s->SW - s->PL;
        border += ix0 < 0 || ix0 + (p->tb - 1) * s->SW + (s->KW - 1) * s->DW >= s->W;
    }
    return sampled ? (double)border / (double)sampled : 0.0;
}

/* Seconds of the convolution kernel alone: the FMA side (at the efficiency of the tile, with
   border, the fraction of pixel blocks / tiles on the border path) or the memory side. */
static double conv_seconds(const clgconv_context *ctx, const clg_shape *s, const tiled_params *p,
                           double border)
{
    double peak, bw, launch;
    clg_device_roofline(ctx, &peak, &bw, &launch);
    const bool nchw = s->d.layout == CLGCONV_LAYOUT_NCHW;
    /* Useful fraction of the vector lanes (a row's last block overlaps its neighbour) and of
       the tiles (a group's last tile overlaps its neighbour). */
    int64_t run = nchw ? (p->flat ? s->OH * s->OW : s->OW) : p->gpv > 1 ? s->K : s->KPG;
    int64_t span = (int64_t)p->vw * (nchw ? p->tx : 1);
    double lanes = (double)run / (double)(((run + span - 1) / span) * span);
    if (p->pitched) { /* the run of flat positions, OH*OW of them stored */
        run = (s->OH - 1) * (s->OW + (s->KW - 1) * s->DW) + s->OW;
        lanes = (double)(s->OH * s->OW) / (double)(((run + span - 1) / span) * span);
    }
    int64_t depth = nchw ? s->KPG : p->pitched ? s->OH * s->OW : s->OW;
    double tiles = (double)depth / (double)(((depth + p->tb - 1) / p->tb) * p->tb);
    /* A step of tb*tx FMAs needs tb + tx loads (NHWC: tb*kv FMAs, tb + kv loads), counted in
       8-lane registers (a 16-lane vector is two). A load weighs 1.25 FMAs: fitted to the
       12-accumulator tiles (12 FMAs, 8 loads), measured 1.25-1.6x faster than the 8 x 1 tiles
       (8 FMAs, 9 loads) on PoCL. Vectors narrower than 8 lanes use part of the FMA width on
       CPUs. The rest is measured efficiency (address arithmetic, loop overhead, stores). NCHW,
       fitted on PoCL with 8 x 1 tiles to interior blocks (zero-padded input): about 0.67 of the
       FMA peak for long reductions, less for short ones, as if each work-item spent 48
       reduction steps on its set-up and stores (ResNeXt's g=32 layers, reductions 72-288:
       46-49 % of the peak; dense 3x3 layers of 256 channels, 2304: 54 %; with 6 x 2 tiles,
       85 %). NHWC: 0.40. */
    const int width = p->pairs ? 2 * p->vw : p->vw; /* an accumulator's lanes */
    const double regs = width > 8 ? (double)width / 8.0 : 1.0;
    const double fmas = (double)p->tb * (nchw ? p->tx : p->kv) * regs;
    const double loads = 1.25 * ((double)p->tb + (nchw ? (double)p->tx : regs * p->kv));
    double base = (nchw ? 0.9375 * (double)s->reduction / ((double)s->reduction + 48.0) : 0.5625);
    /* NHWC on CPUs with constant channel counts, 8- or 16-lane vectors and several per group:
       weights in blocks of the vector (a work-item's weights consecutive, CLG_WT_BLOCKED) ran
       dense 3x3 layers at 0.75-1.0 of the peak (256 channels 28x28 6.5-8.7 ms; it was 9-10 ms
       with rows of KPG), so 0.8. */
    if (!nchw && ctx->info.is_cpu && p->channels && p->gpv == 1 && p->vw >= 8 && s->KPG > p->vw)
        base = 0.8;
    /* Two channel vectors per work-item (-DCLG_KV=2): measured 0.61-0.83x the time of one
       (see tiled_choose), so 1.1 (above 1: a relative rating against clg_device_roofline's
       guessed peak, which these tiles exceed; the NCHW route that small_long_rule forces for
       dense 7x7 / 14x14 layers was measured against one-vector tiles) */
    if (p->kv > 1) base = 1.1;
    double eff = base * lanes * tiles * fmas / (fmas > loads ? fmas : loads);
    if (ctx->info.is_cpu && p->vw < 8) eff *= (double)p->vw / 8.0;
    /* Groups per vector: CPG - 1 of every CPG steps also rotate each input vector. */
    if (p->gpv > 1) eff *= (double)s->CPG / (double)(2 * s->CPG - 1);
    /* NCHW: a border block costs about twice an interior one (measured on PoCL with and
       without the zero-padding pre-pass, which makes every block interior: ResNeXt's g=32
       layers, all blocks border at 7x7 and 14x14, 2.2x and 1.3-1.4x; half of them at 28x28
       and 56x56, 1.05x and 1.3x; 2 of 14 at 112x112 with g=8, 1.0x). */
    /* NHWC: likewise (ResNeXt's g=32 layers at 7x7 and 14x14, all border tiles, ran 1.6-2x
       slower on tiled than on gemm, against an estimate that had tiled ahead; 28x28 g=8, half
       border tiles, 1.05-2x). */
    eff /= 1.0 + border;
    double flops = 2.0 * s->macs;
    double bytes = 4.0 * (double)(s->input_elems + s->output_elems + s->weight_elems);
    double compute = flops / (eff * peak), memory = bytes / (0.7 * bw);
    return compute > memory ? compute : memory;
}

/* The fraction of pixel blocks (NCHW) or tiles (NHWC) on the border path. */
static double border_fraction(const clg_shape *s, const tiled_params *p)
{
    if (s->d.layout == CLGCONV_LAYOUT_NCHW) return border_block_fraction(s, p);
    return p->pitched ? 0.0 : border_tile_fraction(s, p); /* pitched: no border path */
}

/* The padded image of pad_input: tall enough for every window row of every output row, wide
   enough that every block / tile passes its interior test with PT = PL = 0 on it.
   NCHW: a block's loads reach column (span-1)*SW + (KW-1)*DW past its start (LOAD_SPAN of
   vector_common.cl is (VW-1)*SW: its loads read nothing past their last lane), and the
   interior test wants that column inside the row: hence the + 1. NHWC: a tile of TB pixels
   (the last one partial, not moved back) reads up to column (ox0 + TB - 1)*SW + (KW-1)*DW. */
static void padded_image(const clg_shape *s, tiled_params *p)
{
    p->hp = (s->OH - 1) * s->SH + (s->KH - 1) * s->DH + 1;
    if (p->pitched) {
        p->wp = s->OW + (s->KW - 1) * s->DW; /* stride 1: every window of a row, no more */
    } else if (s->d.layout == CLGCONV_LAYOUT_NCHW) {
        const int64_t span = (int64_t)p->tx * p->vw;
        const int64_t last = s->OW >= span ? s->OW - span : 0; /* a row's last block */
        p->wp = last * s->SW + (s->KW - 1) * s->DW + (span - 1) * s->SW + 1;
    } else {
        const int64_t last = (s->OW - 1) / p->tb * p->tb; /* a row's last tile */
        p->wp = (last + p->tb - 1) * s->SW + (s->KW - 1) * s->DW + 1;
    }
}

/* Elements of the padded image: planes (NCHW N*C, NHWC N) x HP rows x row elements (NCHW WP,
   NHWC WP*C). Only for parameters that choose_padding accepted. */
static int64_t padded_rows(const clg_shape *s, const tiled_params *p)
{
    return (s->d.layout == CLGCONV_LAYOUT_NCHW ? s->N * s->C : s->N) * p->hp;
}
static int64_t padded_row_elems(const clg_shape *s, const tiled_params *p)
{
    return s->d.layout == CLGCONV_LAYOUT_NCHW ? p->wp : p->wp * s->C;
}

/* Seconds of the pre-pass: one launch and a copy at the full bandwidth guess (measured on PoCL:
   the padded layers listed at choose_padding ran faster in total, so the copy costs no more). */
static double pad_seconds(const clgconv_context *ctx, const clg_shape *s, const tiled_params *p)
{
    double peak, bw, launch;
    clg_device_roofline(ctx, &peak, &bw, &launch);
    const double padded = (double)padded_rows(s, p) * (double)padded_row_elems(s, p);
    return 4.0 * ((double)s->input_elems + padded) / bw + launch;
}

/* Whether p's padded image (hp, wp set) suits the kernels, whose row ids, row lengths and plane
   offsets are ints, followed in the workspace by `after` elements (NHWC: the transposed
   weights), the whole within the workspace cap. Each product is formed only once its factors
   are known small enough not to overflow. */
static bool padded_fits(const clgconv_context *ctx, const clg_shape *s, const tiled_params *p,
                        int64_t after)
{
    const int64_t planes = s->d.layout == CLGCONV_LAYOUT_NCHW ? s->N * s->C : s->N;
    const int64_t row_factor = s->d.layout == CLGCONV_LAYOUT_NCHW ? 1 : s->C;
    if (p->hp > INT32_MAX || p->wp > INT32_MAX / row_factor || p->hp * p->wp > INT32_MAX ||
        planes > INT32_MAX / p->hp)
        return false;
    const uint64_t elems = (uint64_t)padded_rows(s, p) * (uint64_t)padded_row_elems(s, p);
    const uint64_t total = elems + (uint64_t)after;
    return elems <= INT32_MAX && total <= clg_workspace_cap(ctx) / sizeof(float);
}

/* NCHW blocks wider than their row (one block per row) but the row at least a vector wide:
   -DCLG_NARROW moves the block's last vectors back to end at the row's end, so that every
   vector is stored whole; otherwise the last vector's tail goes lane by lane
   through a private array, whose reload of partly forwarded stores stalls (perf, 28x28 rows in
   2 x 16-lane blocks, 16 channels per group, batch 8: 13 % of the kernel's samples on those
   stores). The moved offsets are runtime values that every load then adds, which costs more
   than the stores save once the reduction is long, so only reductions of up to 576 (64
   channels x 3x3). Kernel time, plans alternating call by call, medians of 41, AVX-512 PoCL:
   256 channels 28x28 3x3, g=32 (reduction 72) 0.90-0.99x, batch 8 0.90-0.92x; g=16 0.95x,
   batch 8 0.94-0.95x; g=8 0.96-0.99x; g=4 (576) 0.99-1.01x; dense 192 channels (1728) 1.02x
   slower. CPUs only (measured there; GPUs keep private arrays in registers). */
static bool narrow_run(const clgconv_context *ctx, const clg_shape *s, const tiled_params *p)
{
    /* Not for via_nchw plans (NHWC output, every lane stored on its own: the moved vectors
       would store more lanes, not whole vectors), nor flat runs (their 16-lane blocks start at
       32 pixels, so they are never narrow). */
    if (!ctx->info.is_cpu || s->d.layout != CLGCONV_LAYOUT_NCHW || p->pitched || p->via_nchw ||
        p->flat)
        return false;
    return s->OW < (int64_t)p->tx * p->vw && s->OW >= p->vw && s->reduction <= 576;
}

/* NHWC edge tiles: the bounds of the columns j of a tile's span (input column ix0 + j, j =
   p*SW + kx*DW < span) that can be outside the image in some tile: j < *left (the padding) or
   j >= *right (W + PL - ox0*SW for the row's last tile, ox0 its first output pixel), both
   clamped to [0, span] (-DCLG_EDGE_LEFT, -DCLG_EDGE_RIGHT; equal bounds share a program). */
static void edge_bounds(const clg_shape *s, const tiled_params *p, int *left, int *right)
{
    const int64_t span = (int64_t)(p->tb - 1) * s->SW + (s->KW - 1) * s->DW + 1;
    const int64_t r = s->W + s->PL - (s->OW - 1) / p->tb * p->tb * s->SW;
    *left = (int)(s->PL < span ? s->PL : span);
    *right = (int)(r < 0 ? 0 : r < span ? r : span);
}

/* Whether an NHWC plan's row tiles can run on the unpadded input (-DCLG_EDGES, see edge_rows):
   CPUs, a specialised build, one group per vector, row tiles with border tiles. */
static bool nhwc_edge_tiles(const clgconv_context *ctx, const clg_shape *s, const tiled_params *p)
{
    return s->d.layout == CLGCONV_LAYOUT_NHWC && ctx->info.is_cpu && p->specialised &&
           !p->pitched && p->gpv == 1 && border_fraction(s, p) > 0.0;
}

/* 16-register CPUs, groups of 16-31 channels, batch 4 or more: the group-blocked padded copy
   (choose_group_blocked) comes before edge tiles, which these layers take only where the cost
   model does not pad (edge_rows). */
static bool nhwc_blocked_first(const clgconv_context *ctx, const clg_shape *s)
{
    return ctx->info.cpu_registers < 32 && s->G > 1 && s->CPG >= 16 && s->CPG < 32 &&
           s->N >= 4;
}

/* NCHW rows held whole by one narrow block (narrow_run: 28x28 images in 2 x 16 lanes), stride
   1, a specialised build of 16 lanes, input rows at least a vector wide, every load's
   lanes at most 2 outside its row (windows up to 5 wide with their padding): the block can run
   on the unpadded input, each load that leaves its row taken inside it and shifted
   (-DCLG_EDGES), with no pre-pass and no second launch. Its kernel runs slower than on the
   padded copy (the shifts, and rows of W floats where the copy's are longer), so only where
   the copy costs more: plans alternating call by call, AVX-512 PoCL, whole call, medians of
   31-41, 256 channels 28x28 3x3 (padded / edges): reduction 72 (g=32) 1.13-1.16x at batch 1,
   1.14 / 1.12 at 2 / 4, 1.02-1.12x at 8; 144 (g=16) 1.04x at batch 1, 2 and 4, 0.94-0.96x at
   8 (once 1.04x); 288 (g=8) 0.93-1.07x at batch 1, 0.95-1.00x at 8; 128 channels 17x17 g=8
   (144) 1.33x at batch 1. Taken for reductions up to 72, and up to 144 at batches up to 4. */
static bool edge_rows(const clgconv_context *ctx, const clg_shape *s, const tiled_params *p,
                      bool any_size)
{
    /* NHWC row tiles on CPUs (a specialised build, one group per vector) with border tiles:
       every tile runs the interior loops on the unpadded input, each span column that some
       tile can have outside the image (edge_bounds) pointing at zeros after the weights where
       it is outside (-DCLG_EDGES), so no pre-pass and no border path (one launch fewer).
       Plans alternating call by call, AVX-512 PoCL, medians of 21-41, whole call edges /
       padded (kernel): 256 channels 28x28 3x3 g=32 (then row-share tiles) 0.81-0.87x (0.95-0.98x)
       at batch 1 and 8; against the previous choice (padded copy, group-blocked for 16 or
       more channels per group, or the border path): g=16 0.88x, batch 8 0.93x (kernel 1.09x:
       the blocked copy's locality lost, the copy saved); g=8 0.91x; dense 0.96x; dilation 2
       0.93x; stride 2 128 channels 56x56 g=8 0.75x; 5x5 windows: 96 channels 27x27 g=12
       0.91x (batch 8 0.99x), AlexNet's g=2 0.95x (batch 8 0.94x); 7x7 56x56 g=4 0.94x;
       MobileNetV2's dense 112x112x32 0.94x, stride-2 112x112x96 0.89x, 28x28x192 0.98x.
       Outputs bit-identical to the padded plan's. With PoCL compiling for Haswell and 16
       registers: g=32 0.76x (batch 8 0.75x), g=8 batch 8 0.95x, stride 2 0.78x, dense 0.89x,
       AlexNet's g=2 0.97x; but 16 channels per group lost the blocked copy's locality at
       batch 4 and 8 (1.11x, 1.14x; 0.94x at batch 2, 0.90x at 1), so those keep it there
       where the cost model pads (nhwc_blocked_first; elsewhere they take edge tiles too). */
    if (s->d.layout == CLGCONV_LAYOUT_NHWC)
        return nhwc_edge_tiles(ctx, s, p) && (any_size || !nhwc_blocked_first(ctx, s));
    if (!narrow_run(ctx, s, p) || !p->specialised || s->SW != 1 || p->vw != 16 || s->W < p->vw ||
        !(any_size || s->reduction <= 72 || (s->reduction <= 144 && s->N <= 4)))
        return false;
    for (int t = 0; t < p->tx; ++t)
        for (int64_t kx = 0; kx < s->KW; ++kx) {
            const int64_t voff = (int64_t)t * p->vw < s->OW - p->vw ? (int64_t)t * p->vw
                                                                    : s->OW - p->vw;
            const int64_t o = voff + kx * s->DW - s->PL;
            const int64_t oc = o < 0 ? 0 : o > s->W - p->vw ? s->W - p->vw : o;
            if (o - oc < -2 || o - oc > 2) return false;
        }
    return true;
}

/* GPUs: whether the pre-pass pays, from the variants an H200 measured (NVIDIA OpenCL, the
   tuner's times of every variant, 256 channels 28x28 3x3; docs/gpu.md). NCHW border blocks build
   their vectors lane by lane, a divergent path that cost 1.5-7x an interior block there, more
   the longer the reduction: the padded copy ran batch 1 g=1..32 (reductions 2304..72) 4.0, 3.7,
   2.8, 1.9, 1.6 and 1.2x faster, g=64 (36) the same, g=128 (18) 0.84x. NHWC border tiles only
   clamp and select their loads, which cost little there, while pad_input copies a padded row
   (W*C floats) per work-item, a few hundred work-items at batch 8: the padded copy ran batch 8
   g=1..16 0.85, 1.02, 0.72, 0.52 and 0.33x as fast, g=32..256 0.13-0.26x. */
static bool gpu_padding_pays(const clg_shape *s)
{
    return s->d.layout == CLGCONV_LAYOUT_NCHW && s->reduction >= 64;
}

/* Whether to run the pre-pass. Border blocks (NCHW: a block whose loads leave the row, e.g.
   every block of a 7x7 or 14x14 image with padding) build their vectors lane by lane, border
   tiles (NHWC) clamp and select every load; on the zero-padded copy every block / tile is
   interior. It pays when the estimated saving exceeds the copy (ResNeXt's g=32 3x3 layers on
   PoCL, batch 1, NCHW: 7x7 0.90 -> 0.40 ms, 14x14 0.54-0.60 -> 0.42 ms, 56x56 0.50-0.63 ->
   0.39 ms; AlexNet's g=2 5x5 layer 6.1 -> 4.2 ms; NHWC: 28x28 0.71 -> 0.45-0.55 ms, 14x14 1.3
   -> 0.5 ms). The copy must fit the workspace cap and int offsets. Narrow NCHW rows and NHWC
   row tiles that edge_rows takes need neither (edge loads shifted in registers, or taps
   outside the image reading zeros). */
static void choose_padding(const clgconv_context *ctx, const clg_shape *s, tiled_params *p,
                           bool flip)
{
    p->padded = 0;
    p->edges = 0;
    if (p->flat || g_padding_mode == 0) return;
    const bool nhwc = s->d.layout == CLGCONV_LAYOUT_NHWC;
    const int64_t after = nhwc ? transposed_elems(s, p) : 0;
    if (g_padding_mode != 1 && edge_rows(ctx, s, p, g_padding_mode == 2)) {
        /* the other choice (variants 4-7): the padded copy */
        if (!flip) {
            p->edges = 1;
        } else {
            padded_image(s, p);
            p->padded = padded_fits(ctx, s, p, after);
        }
        return;
    }
    if (p->pitched) {
        /* NCHW pitched blocks need the padded copy: no choice to make. NHWC pitched tiles read
           taps outside the image as zeros (CLG_PITCHED in cl/tiled.cl): never a copy (it was
           7-22 % slower in interleaved A/B on ResNeXt's g=32 layers, batch 1 and 8). */
        if (nhwc) return;
        padded_image(s, p);
        p->padded = !flip && padded_fits(ctx, s, p, after);
        return;
    }
    const double border = border_fraction(s, p);
    if (border <= 0.0) return;
    padded_image(s, p);
    if (padded_fits(ctx, s, p, after)) {
        bool pays = g_padding_mode == 1;
        if ((g_padding_mode < 0 || g_padding_mode == 2) && !ctx->info.is_cpu)
            pays = gpu_padding_pays(s);
        else if (g_padding_mode < 0 || g_padding_mode == 2)
            pays = conv_seconds(ctx, s, p, border) - conv_seconds(ctx, s, p, 0.0) >
                   pad_seconds(ctx, s, p);
        p->padded = pays != flip;
    }
    /* NHWC layers that would rather take the group-blocked copy (nhwc_blocked_first) take edge
       tiles where it is not taken, not the border path */
    if (!p->padded && g_padding_mode != 1 && nhwc_edge_tiles(ctx, s, p)) p->edges = 1;
}

/* Seconds of the whole plan for layer s with parameters p: launches, pre-passes, convolution. */
static double plan_seconds(const clgconv_context *ctx, const clg_shape *s, const tiled_params *p)
{
    double peak, bw, launch;
    clg_device_roofline(ctx, &peak, &bw, &launch);
    if (p->nchw_io || p->via_nhwc) {
        /* The NHWC twin's plan; its NCHW stores (whole tiles transposed in registers, the
           image's last tile lane by lane) taken as about a copy of the output (fitted when
           every lane was stored on its own); via_nhwc: the twin's padded plan counts its copy
           as a plain one, and the transposition adds about a pass over the input. */
        clg_shape twin;
        layout_twin(s, CLGCONV_LAYOUT_NHWC, &twin);
        tiled_params q = *p;
        q.nchw_io = q.via_nhwc = 0;
        const double transposing = p->via_nhwc ? 4.0 * (double)s->input_elems / bw : 0.0;
        return plan_seconds(ctx, &twin, &q) + transposing + 8.0 * (double)s->output_elems / bw;
    }
    if (p->via_nchw) {
        /* The transposing pre-pass and the NCHW convolution, whose lane-by-lane NHWC stores
           cost about as much as a copy of the output. The pre-pass ran at about half the copy
           bandwidth on PoCL while its input and output fit a quarter of the device's cache
           (batch 1), at a sixth beyond (batch 8: 6.4 MB in 3 ms). */
        clg_shape twin;
        nchw_twin(s, &twin);
        const double copy_bytes =
            4.0 * ((double)s->input_elems +
                   (double)padded_rows(&twin, p) * (double)padded_row_elems(&twin, p));
        const double slowdown = copy_bytes <= 0.25 * (double)ctx->info.global_cache ? 2.0 : 6.0;
        return 2.0 * launch + slowdown * copy_bytes / bw + conv_seconds(ctx, &twin, p, 0.0) +
               8.0 * (double)s->output_elems / bw;
    }
    double t = launch;
    if (p->padded)
        t += conv_seconds(ctx, s, p, 0.0) + pad_seconds(ctx, s, p);
    else if (p->edges) /* no copy; NCHW's kernel measured 3-20 % slower than on the copy,
                          NHWC's 0.95-1.09x */
        t += (s->d.layout == CLGCONV_LAYOUT_NHWC ? 1.0 : 1.1) * conv_seconds(ctx, s, p, 0.0);
    else
        t += conv_seconds(ctx, s, p, border_fraction(s, p));
    /* NHWC: the weight transposition, a second launch. */
    if (s->d.layout == CLGCONV_LAYOUT_NHWC)
        t += 8.0 * (double)transposed_elems(s, p) / bw + launch;
    return t;
}

/* NHWC layers with narrow groups (tiles of 4-lane vectors or less: 3-4 channels per group, or
   counts that no 8-lane vector or group rotation fits) can run faster through the NCHW kernel,
   whose vectors run along the pixels: pad_input_from_nhwc copies the input into a padded NCHW
   image and the kernel, built with CLG_OUT_NHWC, stores NHWC. Measured on PoCL (whole plan,
   best of 60 runs), batch 1: ResNeXt's conv2 (128 channels 56x56, g=32) 1.06-1.23 -> 0.67-0.87
   ms; 256 channels 28x28 g=64 0.56-0.64 -> 0.43-0.46 ms; 96 channels 27x27 5x5 g=24 0.45 ->
   0.28 ms. At batch 8 the copy leaves the cache and runs 3x slower: g=64 then measured 4.9
   through NHWC, 7.4 ms via NCHW. The cost model decides for narrow groups, and for groups
   that 32-register CPUs cover in padded 8-lane blocks (pad_channels, see tiled_choose: those
   were measured faster than the plans before, the NCHW route among them, but the model still
   compares the two).
   Long reductions (over 576 terms: dense-like layers) on images with rows under 16 pixels
   (7x7, 14x14), with a window larger than 1x1, stride 1 and no dilation (what was measured),
   take this path on CPUs whatever the model says: the NCHW kernel's pitched
   blocks run them near the peak, where the NHWC tiles stream large weight blocks - the mirror
   of choose_nchw_io's rule. Interleaved A/B on PoCL, whole plan, dense 3x3: 7x7x1024 0.56x the
   time (batch 8 0.77x), 7x7x960 0.55-0.59x, 14x14x512 0.73-0.79x (batch 8 0.84-0.87x),
   14x14x384 0.84x. Not taken: 28x28 and wider (256 channels 1.05-1.18x, 56x56x128 1.22x),
   ResNeXt's g=32 7x7/14x14 layers (reductions 288 and 144: 1.14-1.73x slower), 1x1 layers
   (ShuffleNet's: 0.72x once, 1.15-1.93x slower in a second A/B). The test hook forces it for
   any NHWC layer. */
static bool small_long_rule(const clgconv_context *ctx, const clg_shape *s)
{
    return ctx->info.is_cpu && s->OW < 16 && s->reduction > 576 && s->KH * s->KW > 1 &&
           s->SH == 1 && s->SW == 1 && s->DH == 1 && s->DW == 1;
}

static void choose_via_nchw(const clgconv_context *ctx, const clg_shape *s, int variant,
                            tiled_params *p)
{
    const bool small_long = small_long_rule(ctx, s);
    /* Measured and modelled on CPUs only: GPUs keep NHWC unless a test forces it. */
    if (g_via_mode == 0 ||
        (g_via_mode < 0 && !small_long &&
         (p->gpv > 1 || (p->vw > 4 && !p->pad_channels) || !ctx->info.is_cpu)))
        return;
    clg_shape twin;
    nchw_twin(s, &twin);
    tiled_params q =
        tiled_choose(&twin, variant % 4, ctx->info.cpu_registers, PITCHED_IF_BETTER,
                     clg_gpu_target_items(ctx));
    if (q.flat) /* 1x1, stride 1, no padding: the kernel reads the plane as one run */
        q.hp = twin.H, q.wp = twin.W;
    else
        padded_image(&twin, &q);
    if (!padded_fits(ctx, &twin, &q, 0)) return;
    q.padded = 1;
    q.via_nchw = 1;
    if (g_via_mode < 0 && !small_long && plan_seconds(ctx, s, &q) >= plan_seconds(ctx, s, p))
        return;
    *p = q;
}

/* NCHW grouped layers with short reductions (at most 576 terms) whose rows are shorter than two
   vectors (7x7 and 14x14 images: the NCHW kernel runs pitched blocks over the padded image, 49
   of 64 lanes useful on 7x7, and short reductions do not amortise its tiles' set-up) with
   constant channel counts of 8-lane vectors: on CPUs, the NHWC kernel's pitched tiles (or, on
   32 registers, its edge row tiles) with NCHW addressing (channel vectors over output
   channels, transposed in registers to store each channel's pixels together). Interleaved
   A/B on PoCL, whole plan, pitched tiles, ResNeXt's g=32 layers: 14x14 1.20-1.29x faster
   (batch 8 1.14-1.26x), 7x7 0.91-0.98x (batch 8 1.06-1.11x), when each output lane was
   stored on its own (perf, 14x14 batch 8: 19 % of the kernel's samples on those stores); the
   transposed stores since: kernel time 0.91-0.99x (batch 8 14x14 0.91-0.94x, g=64 0.85x; 7x7
   0.97-0.98x). Dense 7x7 and 14x14 layers (reductions of thousands) keep the NCHW kernel,
   which runs them near the peak. The test hook (1) forces it for every NCHW layer that suits
   the tiles (variant 0, not a flat 1x1 run). Returns whether p took it. */
static bool choose_nchw_io(const clgconv_context *ctx, const clg_shape *s, int variant,
                           tiled_params *p)
{
    if (!ctx->info.is_cpu || variant != 0 || p->flat) return false;
    if (g_via_nhwc_mode < 0 && (s->OW >= 16 || s->reduction > 576)) return false;
    clg_shape twin;
    layout_twin(s, CLGCONV_LAYOUT_NHWC, &twin);
    tiled_params q = tiled_choose(&twin, 0, ctx->info.cpu_registers, PITCHED_FOR_NCHW_IO, 0);
    /* 32 registers: the twin's row tiles on the unpadded input (-DCLG_EDGES, taps outside the
       image reading zeros), as the NHWC layer itself runs, where they hold 8-lane vectors
       (sharing each input value between a row's taps, row_share) or a row takes two tiles or
       more. Plans alternating call by call (AVX-512 VM, medians of 21, whole call, against
       pitched tiles): 14x14x512 g=32 0.85-0.90x (batch 8 0.82-0.89x), g=16 0.98x (batch 8
       0.87x), g=64 0.65x (batch 8 0.53x); 12x12x256 g=16 0.90x (batch 8 0.86x); 13x13x384
       g=24 0.99x (batch 8 0.88x); 10x10 and 9x9 x256 g=32 0.78x and 0.53x; 7x7x1024 g=128,
       which pitched tiles did not take (the NCHW kernel's pitched blocks), 0.49x (batch 8
       0.45x). A 7-wide row in one 16-lane tile keeps pitched tiles: 7x7x1024 g=32 1.08-1.15x
       (batch 8 0.95x), g=64 1.03x (batch 8 0.90x), 7x7x512 g=16 1.01x. */
    if (ctx->info.cpu_registers >= 32) {
        tiled_params r = tiled_choose(&twin, 0, ctx->info.cpu_registers, PITCHED_NEVER, 0);
        if (r.specialised && r.channels && r.gpv == 1 &&
            (r.vw == 8 || (r.vw == 16 && twin.OW > r.tb)))
            q = r, q.edges = 1;
    }
    /* (padded channel blocks were not measured on this route) */
    if ((!q.pitched && !q.edges) || q.vw < 8 || (q.pad_channels && g_via_nhwc_mode < 0))
        return false;
    /* q keeps the twin's two channel vectors (groups of a multiple of 32 output channels on
       32-register CPUs): each input value, a load from its own channel plane, then feeds two
       FMAs. Plans alternating call by call (AVX-512 VM, medians of 21, whole call, outputs
       bit-identical to one vector): ResNeXt's g=32 7x7 layer 0.85-0.87x (batch 8 0.75-0.79x),
       7x7x1024 g=16 0.87x (batch 8), 14x14x512 g=16 0.77x (batch 8 0.80x), g=8 0.67-0.77x. */
    q.nchw_io = 1;
    q.pairs = 0; /* input channels a plane apart */
    /* the zeros (a group's channel stride) and the weights within the workspace cap */
    const uint64_t elems = (uint64_t)transposed_elems(&twin, &q) + (uint64_t)outside_zeros(s, &q);
    if (elems > INT32_MAX || elems > clg_workspace_cap(ctx) / sizeof(float)) return false;
    *p = q;
    return true;
}

/* NCHW layers that the NHWC kernel's row tiles run faster than the NCHW kernel, even after a
   transposing copy: pad_input_from_nchw copies the input into a padded NHWC image in the
   workspace (the mirror of pad_input_from_nhwc), the NHWC twin's row tiles run on it, built
   with -DCLG_OUT_NCHW to store each channel's pixels together (8 x 8 blocks transposed in
   registers). Taken on CPUs with 32 vector registers (AVX-512; 16-register CPUs were not
   measured), windows larger than 1x1, rows not pitched:
   - stride 2 or more along x, 16-lane NHWC tiles (16 or more output channels per group) of a
     dense layer or of 32 or more per group: the NCHW kernel's vectors run along the pixels,
     and with a stride each load gathers every other float (LOAD_STRIDED), where the NHWC
     tiles broadcast one value. Plans alternating call by call (AVX-512 VM, whole call,
     medians of 15): 3x3 stride 2 dense 112x112x96 0.32x (batch 8 0.33x), 56x56x192 0.57x,
     28x28x256 0.43x, 28x28x128 0.53x, 28x28x512 0.50x, 56x56x256 0.42x; ResNet's 7x7 stem
     (3 -> 64 channels, 224x224) 0.63x; ConvNeXt's 2x2 stride-2 patch layer (96 -> 192
     channels, 56x56) 0.72x. Not taken: 16 per group (56x56x256 g=16: kernel 0.95x, but the
     copy of a short reduction's input made the call 1.15x).
   - stride 1, rows of 56 or more pixels and two channel vectors (-DCLG_KV=2, see
     tiled_choose): dense 3x3 56x56x128 0.73-0.79x (batch 8 0.73x), 56x56x64 0.78-0.90x,
     112x112x64 0.54x, 112x112x32 0.72-0.74x (batch 8 0.73x), 56x56 32 -> 64 channels 1.01x.
   - stride 1, rows of 28 to 55 at batch 2 or more, windows up to 3x3, groups of 128 output
     channels or more (two vectors): since the copy walks the input row (session 26), 3x3
     28x28x256 dense batch 2 0.83x, 4 0.82x, 8 0.81x; 28x28x192 batch 4 0.77x; g=2 batch 2
     0.93x, 4 0.85x. Not taken: batch 1 (dense 256 channels 1.08x, once 0.92-1.07x; 192 0.93x,
     g=2 0.89x), g=4 (64 per group, batch 8 1.00x), AlexNet's 27x27 5x5 (g=2 1.22x, batch 4
     1.05x; dense 1.17x), 14x14x512 1.33x, 7x7x1024 2.0x, 1x1 layers (56x56x64 1.74x: the
     NCHW kernel runs them as one flat run).
   The test hook forces it on any device and layer. */
static bool nhwc_copy_pays(const clgconv_context *ctx, const clg_shape *s,
                           const tiled_params *own, const tiled_params *q)
{
    /* measured on 32-register CPUs only */
    if (!ctx->info.is_cpu || ctx->info.cpu_registers < 32 || s->KH * s->KW == 1 || own->pitched)
        return false;
    if (s->SW > 1) return q->vw == 16 && (s->G == 1 || s->KPG % 32 == 0);
    if (q->kv < 2) return false;
    return s->OW >= 56 ||
           (s->OW >= 28 && s->N >= 2 && s->KH * s->KW <= 9 && s->KPG >= 128);
}

static void choose_nhwc_copy(const clgconv_context *ctx, const clg_shape *s, int variant,
                             tiled_params *p)
{
    clg_shape twin;
    layout_twin(s, CLGCONV_LAYOUT_NHWC, &twin);
    tiled_params q = tiled_choose(&twin, variant % 4, ctx->info.cpu_registers, PITCHED_NEVER,
                                  clg_gpu_target_items(ctx));
    if (g_via_nhwc_mode < 0 && !nhwc_copy_pays(ctx, s, p, &q)) return;
    padded_image(&twin, &q);
    if (!padded_fits(ctx, &twin, &q, transposed_elems(&twin, &q))) return;
    q.padded = 1;
    q.via_nhwc = 1;
    *p = q;
}

/* NCHW layers through the NHWC kernel: with NCHW addressing (choose_nchw_io) or on a
   transposed copy (choose_nhwc_copy). */
static void choose_via_nhwc(const clgconv_context *ctx, const clg_shape *s, int variant,
                            tiled_params *p)
{
    if (g_via_nhwc_mode == 0) return;
    if (g_via_nhwc_mode != 2 && choose_nchw_io(ctx, s, variant, p)) return;
    choose_nhwc_copy(ctx, s, variant, p);
}

/* NHWC grouped layers on CPUs whose plan pads the input (row tiles, one group per vector,
   constant channel counts) with at least 16 channels per group (a pixel's group channels fill
   a 64-byte line): the padded copy is group-blocked, each group's padded image contiguous, so
   that a tile's input pixels are CPG floats apart instead of C. Where they were C apart, every
   pixel of a group sat on its own line a KB or more from the next, lines the prefetchers did
   not fetch ahead, and each new input row of a tile waited on them (perf, batch 8, 16 per
   group: the tap rows that touch a new input row took most of the kernel's samples; the same
   layer run as a dense layer over N*G images of CPG channels, the blocked layout, took 0.68x
   the kernel time). The copy is the same pre-pass, reordered, at about 0.1-0.3 ms more per 7
   MB. AVX-512 VM, 256 channels 28x28 3x3 (the groups sweep), plans alternating call by call,
   medians of 31, whole call / kernel: batch 8 g=16 0.75x / 0.68x, g=8 (32 per group) 0.96x /
   0.93x, batch 1 g=16 1.00x. With 8 per group (g=32) the kernel gained (batch 8 0.92x) but the
   copy of 32-byte pieces cost more (whole call 1.05x): those keep the plain copy. */
static void choose_group_blocked(const clgconv_context *ctx, const clg_shape *s, tiled_params *p)
{
    p->group_blocked = s->d.layout == CLGCONV_LAYOUT_NHWC && ctx->info.is_cpu && p->padded &&
                       !p->pitched && p->gpv == 1 && p->channels && s->G > 1 && s->CPG >= 16;
}

/* The parameters of variant for this shape and device in the layer's own layout: variants 0-3
   are tiled_choose's with the cost model's padding choice, 4-7 the same tiles with the other
   choice (only offered when the shape can be padded, see tiled_variant_count). */
static tiled_params tiled_params_own_layout(const clgconv_context *ctx, const clg_shape *s,
                                            int variant)
{
    const int64_t gpu_items = clg_gpu_target_items(ctx);
    tiled_params p =
        tiled_choose(s, variant % 4, ctx->info.cpu_registers, PITCHED_IF_BETTER, gpu_items);
    choose_padding(ctx, s, &p, variant >= 4);
    if (p.pitched && !p.padded && s->d.layout == CLGCONV_LAYOUT_NCHW) {
        /* the padded copy did not fit, or a test forbids it */
        p = tiled_choose(s, variant % 4, ctx->info.cpu_registers, PITCHED_NEVER, gpu_items);
        choose_padding(ctx, s, &p, variant >= 4);
    }
    choose_group_blocked(ctx, s, &p);
    return p;
}

/* Whether the plan runs the other layout's kernel instead (replaces p when it does). */
static void choose_other_layout(const clgconv_context *ctx, const clg_shape *s, int variant,
                                tiled_params *p)
{
    if (s->d.layout == CLGCONV_LAYOUT_NHWC)
        choose_via_nchw(ctx, s, variant, p);
    else
        choose_via_nhwc(ctx, s, variant, p);
}

/* The plan's parameters of variant. */
static tiled_params tiled_params_for(const clgconv_context *ctx, const clg_shape *s, int variant)
{
    tiled_params p = tiled_params_own_layout(ctx, s, variant);
    choose_other_layout(ctx, s, variant, &p);
    return p;
}

static int tiled_variant_count(const clgconv_context *ctx, const clg_shape *s)
{
    tiled_params a = tiled_params_for(ctx, s, 0), b = tiled_params_for(ctx, s, 4);
    return a.padded != b.padded ? 8 : 4;
}

static double tiled_estimate(const clgconv_context *ctx, const clg_shape *s)
{
    const tiled_params own = tiled_params_own_layout(ctx, s, 0);
    tiled_params p = own;
    choose_other_layout(ctx, s, 0, &p);
    if (!ctx->info.is_cpu) {
        /* Fitted on an H200 (docs/gpu.md), pre-passes included: large tiles run at up to 17
           TFLOP/s when the NDRange fills the device (batch 8), small ones far less. NHWC plans
           fill it from 256 work-items per compute unit since they stopped padding on GPUs
           (8ce8705): with 1024, dense and wide-group layers were estimated 2-5x slower than
           measured, and at batch 8 AUTO sent the groups sweep's g = 2-8 to CLBlast at 1.5-3.6x
           tiled's time. Replayed over the 2026-11-27 late run's 137 layers (tests/auto_replay):
           AUTO's pick / fastest 1.116 -> 1.046; batch 1 NHWC 1.081 -> 1.026, batch 8 NHWC
           1.240 -> 1.024. */
        static const clg_gpu_fit nchw = {12e-6, 16000e9, 256, 16, 64},
                                 nhwc = {14e-6, 16000e9, 256, 32, 0};
        clg_shape twin;
        const clg_shape *cs = kernel_shape(s, &p, &twin);
        const double tile = (double)p.vw * (double)p.tb * (double)p.tx;
        return clg_gpu_seconds(ctx, cs->d.layout == CLGCONV_LAYOUT_NHWC ? &nhwc : &nchw,
                               2.0 * s->macs, (double)tiled_items(cs, &p), tile,
                               (double)s->reduction);
    }
    double t = plan_seconds(ctx, s, &p);
    /* Layers that small_long_rule sends through the NCHW kernel against the model: measured
       faster than the NHWC tiles, so they are not estimated slower than those. */
    if (p.via_nchw && small_long_rule(ctx, s)) {
        const double t_own = plan_seconds(ctx, s, &own);
        if (t_own < t) t = t_own;
    }
    /* One channel per group: measured 3-4x slower than the depthwise kernel on PoCL (a tile of
       one channel spends most of its time on address arithmetic), so never prefer it there. */
    if (s->CPG == 1) t *= 3.0;
    return t;
}

/* Whether NHWC row tiles share each broadcast input value between the KW taps of a row
   (-DCLG_ROW_SHARE): stride 1, no dilation along x, a specialised build, one group per 8-lane
   vector, on CPUs with 32 vector registers that hold the TB + KW - 1 values, the TB
   accumulators and a weight vector. Kernel time, AVX-512 VM, medians of 21 alternating calls:
   256 channels 28x28 3x3 g=32 (8 per group, tiles of 14 pixels) 0.85x, batch 8 0.88x; in
   16-lane tiles (6 pixels: 16 or more per group, dense) it measured 0.98-1.02x and is not taken
   (holding the values first mattered: broadcasting each value into the KW taps' accumulators
   in turn chained their FMAs, 1.05-1.09x slower with 6 accumulators). Groups of 8 output
   channels (or 24, 40, ..., or padded 8-lane blocks) with an even number of input channels
   take input channel pairs instead (faster, see tiled_choose), so row-share tiles keep odd
   input channel counts. */
static bool row_share(const clgconv_context *ctx, const clg_shape *s, const tiled_params *p)
{
    return s->d.layout == CLGCONV_LAYOUT_NHWC && ctx->info.is_cpu &&
           ctx->info.cpu_registers >= 32 && p->specialised && !p->pitched && p->gpv == 1 &&
           p->vw == 8 && !p->pairs && s->SW == 1 && s->DW == 1 && 2 * p->tb + s->KW <= 32;
}

static void tiled_release(tiled_state *st)
{
    if (!st) return;
    if (st->conv) clg_clReleaseKernel(st->conv);
    if (st->transpose) clg_clReleaseKernel(st->transpose);
    if (st->pad) clg_clReleaseKernel(st->pad);
    free(st);
}

static clgconv_status tiled_create(clgconv_plan *plan)
{
    const clg_shape *s = &plan->shape;
    tiled_params p = tiled_params_for(plan->ctx, s, plan->variant);
    clg_shape twin;
    const clg_shape *cs = kernel_shape(s, &p, &twin);
    const bool nhwc = cs->d.layout == CLGCONV_LAYOUT_NHWC;
    tiled_state *st = calloc(1, sizeof *st);
    if (!st) return clg_fail(CLGCONV_ERROR_OUT_OF_MEMORY, "allocating the tiled plan");
    const int64_t padded_elems = p.padded ? padded_rows(cs, &p) * padded_row_elems(cs, &p) : 0;
    int64_t biggest = s->input_elems > s->output_elems ? s->input_elems : s->output_elems;
    if (padded_elems > biggest) biggest = padded_elems;
    /* NHWC: the transposed weights follow the padded copy in the workspace (their offsets
       reach its size plus theirs), and pitched and edge tiles read zeros just past them (see
       CLG_PITCHED) */
    const int64_t zeros = outside_zeros(s, &p);
    /* NHWC kernel: the transposed weights, then with pitched or edge tiles their zeros */
    const int64_t wt_elems = nhwc ? transposed_elems(cs, &p) + zeros : 0;
    if (nhwc && padded_elems + wt_elems > biggest) biggest = padded_elems + wt_elems;
    char options[320];
    int len = 0;
    if (p.specialised)
        len = snprintf(options, sizeof options,
                       "-DCLG_KH=%d -DCLG_KW=%d -DCLG_SH=%d -DCLG_SW=%d -DCLG_DH=%d -DCLG_DW=%d ",
                       (int)s->KH, (int)s->KW, (int)s->SH, (int)s->SW, (int)s->DH, (int)s->DW);
    if (p.channels)
        len += snprintf(options + len, sizeof options - (size_t)len, "-DCLG_CPG=%d -DCLG_KPG=%d ",
                        (int)s->CPG, (int)s->KPG);
    len += snprintf(options + len, sizeof options - (size_t)len, "-DCLG_VW=%d -DCLG_TB=%d", p.vw,
                    p.tb);
    if (p.kv > 1)
        len += snprintf(options + len, sizeof options - (size_t)len, " -DCLG_KV=%d", p.kv);
    if (p.pairs) len += snprintf(options + len, sizeof options - (size_t)len, " -DCLG_RPV=2");
    if (p.pad_channels)
        len += snprintf(options + len, sizeof options - (size_t)len, " -DCLG_KPGP=%d",
                        (int)tile_channels(cs, &p));
    if (p.tx > 1)
        len += snprintf(options + len, sizeof options - (size_t)len, " -DCLG_TX=%d", p.tx);
    if (p.flat) len += snprintf(options + len, sizeof options - (size_t)len, " -DCLG_FLAT=1");
    if (p.pitched)
        len += snprintf(options + len, sizeof options - (size_t)len, " -DCLG_PITCHED=1");
    if (narrow_run(plan->ctx, cs, &p))
        len += snprintf(options + len, sizeof options - (size_t)len, " -DCLG_NARROW=1");
    if (p.edges && nhwc) {
        int left, right;
        edge_bounds(cs, &p, &left, &right);
        len += snprintf(options + len, sizeof options - (size_t)len,
                        " -DCLG_EDGES=1 -DCLG_EDGE_LEFT=%d -DCLG_EDGE_RIGHT=%d", left, right);
    } else if (p.edges)
        len += snprintf(options + len, sizeof options - (size_t)len,
                        " -DCLG_EDGES=1 -DCLG_EDGE_W=%d -DCLG_EDGE_OW=%d -DCLG_EDGE_PL=%d",
                        (int)cs->W, (int)cs->OW, (int)cs->PL);
    if (nhwc) len += snprintf(options + len, sizeof options - (size_t)len, " -DCLG_NHWC=1");
    if (p.nchw_io)
        len += snprintf(options + len, sizeof options - (size_t)len, " -DCLG_NCHW_IO=1");
    if (row_share(plan->ctx, cs, &p))
        len += snprintf(options + len, sizeof options - (size_t)len, " -DCLG_ROW_SHARE=1");
    if (p.group_blocked)
        len += snprintf(options + len, sizeof options - (size_t)len, " -DCLG_GROUP_BLOCKED=1");
    if (p.via_nchw)
        len += snprintf(options + len, sizeof options - (size_t)len, " -DCLG_OUT_NHWC=1");
    if (p.via_nhwc)
        len += snprintf(options + len, sizeof options - (size_t)len, " -DCLG_OUT_NCHW=1");
    if (p.gpv > 1)
        len += snprintf(options + len, sizeof options - (size_t)len, " -DCLG_GPV=%d", p.gpv);
    else if (nhwc && plan->ctx->info.is_cpu && (s->KPG > p.vw || p.pad_channels))
        /* CPUs, groups of several channel vectors: the transposed weights in blocks of the
           vector, so that a work-item's weight vectors are consecutive instead of KPG floats
           apart (interleaved A/B on PoCL, whole plan, dense 3x3 NHWC: 7x7x1024 2.2x, 14x14x512
           1.75x, 28x28x256 1.14x faster; AlexNet's g=2 5x5 layer 1.09x). With one vector per
           group the layouts are the same, and the blocked build's kernel ran 10-25 % slower
           on the groups sweep's g=16 layer at batch 8 (same work-items and padding), so
           those keep the plain build (bar padded channel blocks of 5-7 channels, whose
           rounded-up block the kernel reads as blocked weights). GPUs keep rows of KPG, where
           neighbouring work-items' weight loads are adjacent. */
        len += snprintf(options + len, sizeof options - (size_t)len, " -DCLG_WT_BLOCKED=1");
    if (biggest > INT32_MAX)
        snprintf(options + len, sizeof options - (size_t)len, " -DCLG_IDX=long");
    if (p.edges) ++g_edge_plans;
    if (p.kv > 1) ++g_kv_plans;
    if (p.pairs) ++g_pair_plans;
    if (p.pad_channels) ++g_channel_pad_plans;
    if (p.pitched && !nhwc) ++g_pitched_plans;
    if (p.via_nhwc) ++g_copy_plans;
    st->conv_name = nhwc ? "conv2d_tiled_nhwc" : "conv2d_tiled_nchw";
    const char *pad_name = st->pad_name = p.via_nchw        ? "pad_input_from_nhwc"
                                          : p.via_nhwc      ? "pad_input_from_nchw"
                                          : p.group_blocked ? "pad_input_group_blocked"
                                                            : "pad_input";
    clgconv_status r =
        clg_context_create_kernel(plan->ctx, "tiled", options, st->conv_name, &st->conv);
    size_t wg = 1, twg = 1, pwg = 1;
    if (r == CLGCONV_SUCCESS) r = clg_kernel_wg_limit(plan->ctx, st->conv, st->conv_name, &wg);
    if (r == CLGCONV_SUCCESS && nhwc)
        r = clg_context_create_kernel(plan->ctx, "tiled", options, "transpose_weights",
                                      &st->transpose);
    if (r == CLGCONV_SUCCESS && nhwc)
        r = clg_kernel_wg_limit(plan->ctx, st->transpose, "transpose_weights", &twg);
    if (r == CLGCONV_SUCCESS && p.padded)
        r = clg_context_create_kernel(plan->ctx, "tiled", options, pad_name, &st->pad);
    if (r == CLGCONV_SUCCESS && p.padded)
        r = clg_kernel_wg_limit(plan->ctx, st->pad, pad_name, &pwg);
    if (r != CLGCONV_SUCCESS) {
        tiled_release(st);
        return r;
    }
    size_t work[3];
    tiled_work(cs, &p, work);
    if (nhwc) {
        const size_t gpv = (size_t)p.gpv;
        /* A work-group spans 8 rows (or groups) of one channel block; consecutive work-groups
           take the next channel blocks of the same rows, which are then in cache. */
        size_t local_size[3] = {1, 1, 8};
        /* Pitched tiles: dim 2 counts images x groups only, often fewer than 8 (dense layers,
           AlexNet's g=2): the work-group takes 8 / that many pixel tiles of each (a work-group
           per tile of 8 work-items, 6 idle, made AlexNet's g=2 5x5 layer 10-15 % slower than
           row tiles). */
        if (p.pitched) {
            size_t across = 1;
            while (across < 8 && across * 2 <= work[2]) across *= 2;
            local_size[1] = 8 / across, local_size[2] = across;
        }
        /* Pitched tiles whose channel block's weights outgrow a core's cache (dense layers of
           long reductions): a work-group takes up to 16 pixel tiles of one channel block
           instead, which then read its weights from cache. Interleaved A/B on PoCL, whole
           plan: dense 3x3 7x7x1024 (590 KB of weights per block of 16 channels) 46 -> 17 ms,
           7x7x960 46 -> 20 ms, 14x14x512 (295 KB) 14.2 -> 12.1 ms; at 220 KB and less no
           gain (14x14x384 1.05-1.09x, ResNeXt's g=32 layers 0.92-1.15x). */
        if (p.pitched &&
            (double)s->reduction * (double)(p.vw * p.kv) * sizeof(float) > 256.0 * 1024)
            local_size[1] = (size_t)even_tile((int64_t)work[1], 16), local_size[2] = 1;
        clg_device_geometry(plan->ctx, wg, work, local_size, st->global, st->local);
        st->t_groups = gpv > 1 ? (int)(s->K / p.vw) : (int)s->G;
        size_t twork[3] = {(size_t)(gpv > 1 ? p.vw : (s->KPG + 7) / 8), (size_t)st->t_groups, 1};
        const size_t t_local_size[3] = {8, 1, 1};
        clg_device_geometry(plan->ctx, twg, twork, t_local_size, st->t_global, st->t_local);
    } else {
        st->xb = (int)nchw_blocks_per_run(cs, &p);
        /* A work-group takes 8 pixel blocks of one channel tile, so the next work-groups take
           the next pixel blocks and a channel tile sweeps the group's whole image before the
           next tile reads it again. Where that image outgrows the cores' share of the cache
           (more than a sixteenth of it), the work-group takes the 8 pixel blocks of every
           channel tile (up to 16, in even parts) instead, so the tiles reuse those input rows
           from cache.
           Interleaved A/B on PoCL (32 MiB cache, whole plan, dense 3x3 layers): 96 channels
           112x112 stride 2 (4.8 MB per image) batch 8 0.49-0.85x the time, batch 1 0.72-0.93x;
           stride 1 0.40-0.75x; 64 channels 112x112 (3.2 MB) 0.64-0.84x; 192 channels 56x56
           stride 2 (2.4 MB) 0.99-1.05x; but 128 channels 56x56 (1.6 MB) 1.15-1.38x at batch 1,
           and grouped layers (small images per group) 1.1-1.3x slower. */
        size_t local_size[3] = {8, 1, 1};
        const double group_image_bytes = 4.0 * (double)cs->CPG * (double)cs->H * (double)cs->W;
        if (plan->ctx->info.is_cpu && !p.pitched && !p.flat && plan->ctx->info.global_cache &&
            group_image_bytes > (double)plan->ctx->info.global_cache / 16.0)
            local_size[1] = (size_t)even_tile((int64_t)work[1], 16);
        clg_device_geometry(plan->ctx, wg, work, local_size, st->global, st->local);
    }
    /* Workspace: the padded input (if any), then (NHWC) the transposed weights. */
    if (p.via_nchw || p.via_nhwc) {
        st->hp = (int)p.hp, st->wp = (int)p.wp;
        const int pad_ints[8] = {(int)s->N, (int)s->C,  (int)s->H,  (int)s->W,
                                 st->hp,    st->wp,     p.flat ? 0 : (int)s->PT,
                                 p.flat ? 0 : (int)s->PL};
        memcpy(st->pad_ints, pad_ints, sizeof pad_ints);
        st->pad_nints = 8;
        /* Both transposing copies (pad_input_from_nhwc and _from_nchw): one row of 8-channel
           blocks per work-item (PoCL pays about a microsecond per work-group: with one 8 x 8
           block per work-item the copy ran 3x slower). */
        size_t pwork[3] = {(size_t)((s->C + 7) / 8), (size_t)(s->N * p.hp), 1};
        const size_t copy_local_size[3] = {8, 1, 1};
        clg_device_geometry(plan->ctx, pwg, pwork, copy_local_size, st->p_global, st->p_local);
    } else if (p.padded) {
        st->hp = (int)p.hp, st->wp = (int)p.wp;
        const int64_t rows = padded_rows(s, &p);
        /* Rows per work-item: one on GPUs; on CPUs as many as leaves about 64 work-items per
           compute unit. PoCL pays about a microsecond per work-group: one row per work-item
           made 576 work-groups of 16 for ResNeXt's 7x7 g=32 layer (1024 channels x 9 rows)
           and its copy took 0.074 ms for 0.5 MB. The group-blocked copy has a work-item per
           group and block of rows. */
        const int64_t cu = clg_compute_units(plan->ctx);
        const int64_t items = p.group_blocked ? rows * s->G : rows;
        int64_t rpi = plan->ctx->info.is_cpu ? items / (64 * cu) : 1;
        if (rpi < 1) rpi = 1;
        if (rpi > rows) rpi = rows;
        size_t pwork[3] = {(size_t)((rows + rpi - 1) / rpi), 1, 1};
        size_t p_local_size[3] = {16, 1, 1};
        if (p.group_blocked) {
            /* rows (N*HP) and the image in pixels, then G; dim 0 groups, dim 1 row blocks
               (work-groups of 8 groups of a row block, or of 8 row blocks of a group when
               there are fewer than 8 groups) */
            const int ints[9] = {(int)rows, (int)s->H,  (int)s->W, st->hp,   st->wp,
                                 (int)s->PT, (int)s->PL, (int)rpi, (int)s->G};
            memcpy(st->pad_ints, ints, sizeof ints);
            st->pad_nints = 9;
            pwork[1] = pwork[0], pwork[0] = (size_t)s->G;
            p_local_size[0] = s->G >= 8 ? 8 : 1, p_local_size[1] = s->G >= 8 ? 1 : 8;
        } else {
            const int64_t factor = nhwc ? s->C : 1; /* NHWC rows hold W pixels of C channels */
            const int ints[8] = {(int)rows,
                                 (int)s->H,
                                 (int)(s->W * factor),
                                 st->hp,
                                 (int)padded_row_elems(s, &p),
                                 (int)s->PT,
                                 (int)(s->PL * factor),
                                 (int)rpi};
            memcpy(st->pad_ints, ints, sizeof ints);
            st->pad_nints = 8;
        }
        clg_device_geometry(plan->ctx, pwg, pwork, p_local_size, st->p_global, st->p_local);
    }
    st->wt_offset = (int)padded_elems;
    st->zeros = (int)zeros;
    plan->workspace_bytes = (size_t)(padded_elems + wt_elems) * sizeof(float);
    if (st->transpose) {
        /* Packed weights: what transpose_weights writes, at offset 0 of their own buffer. */
        plan->packs_weights = true;
        plan->packed_weights_bytes = (size_t)wt_elems * sizeof(float);
        plan->packed_workspace_bytes = (size_t)padded_elems * sizeof(float);
    }
    plan->state = st;
    return CLGCONV_SUCCESS;
}

/* Sets mems, then ints, then lo and hi, then the geometry (KH KW SH SW DH DW CPG KPG). */
static clgconv_status set_args(cl_kernel k, const char *name, const cl_mem *mems, size_t nmem,
                               const int *ints, size_t nint, float lo, float hi,
                               const clg_shape *s)
{
    clgconv_status r;
    cl_uint i = 0;
    for (size_t j = 0; j < nmem; ++j)
        if ((r = clg_set_arg(k, i++, sizeof(cl_mem), &mems[j], name))) return r;
    if ((r = clg_set_int_args(k, &i, ints, nint, name))) return r;
    if ((r = clg_set_arg(k, i++, sizeof(float), &lo, name)) ||
        (r = clg_set_arg(k, i++, sizeof(float), &hi, name)))
        return r;
    const int geometry[] = {(int)s->KH, (int)s->KW, (int)s->SH,  (int)s->SW,
                            (int)s->DH, (int)s->DW, (int)s->CPG, (int)s->KPG};
    if ((r = clg_set_int_args(k, &i, geometry, sizeof geometry / sizeof geometry[0], name)))
        return r;
    return CLGCONV_SUCCESS;
}

/* transpose_weights' arguments: from w into wt at wt_offset. */
static clgconv_status set_transpose_args(const clgconv_plan *plan, cl_mem w, cl_mem wt,
                                         int wt_offset)
{
    const tiled_state *st = plan->state;
    const clg_shape *s = &plan->shape;
    const int t_ints[] = {wt_offset,   st->t_groups, (int)s->KH, (int)s->KW,
                          (int)s->CPG, (int)s->KPG,  st->zeros};
    const char *name = "transpose_weights";
    clgconv_status r;
    cl_uint i = 0;
    if ((r = clg_set_arg(st->transpose, i++, sizeof(cl_mem), &w, name)) ||
        (r = clg_set_arg(st->transpose, i++, sizeof(cl_mem), &wt, name)) ||
        (r = clg_set_int_args(st->transpose, &i, t_ints, sizeof t_ints / sizeof t_ints[0], name)))
        return r;
    return CLGCONV_SUCCESS;
}

/* Packing: transpose_weights alone, into packed at offset 0 (the zeros after them too). */
static clgconv_status tiled_pack(const clgconv_plan *plan, cl_command_queue queue, cl_mem weights,
                                 cl_mem packed, cl_uint num_wait, const cl_event *wait,
                                 cl_event *event)
{
    const tiled_state *st = plan->state;
    clgconv_status r = set_transpose_args(plan, weights, packed, 0);
    if (r) return r;
    return clg_enqueue_kernel(queue, st->transpose, "transpose_weights", 3, st->t_global,
                              st->t_local, num_wait, wait, event);
}

static clgconv_status tiled_enqueue(const clgconv_plan *plan, cl_command_queue queue,
                                    const clg_forward_args *a, cl_uint num_wait,
                                    const cl_event *wait, cl_event *event)
{
    const tiled_state *st = plan->state;
    const clg_shape *s = &plan->shape;
    cl_mem bias = a->bias ? a->bias : a->weights;
    const int has_bias = a->bias != NULL;
    const float lo = s->d.output_min, hi = s->d.output_max;
    clgconv_status r;
    /* The NCHW kernel (NCHW layers, and NHWC ones run via NCHW) has no weight transposition. */
    const bool nchw = st->transpose == NULL;
    /* Before the convolution, each after the wait list: the padding pre-pass (into the start
       of the workspace) and, NHWC, the weight transposition (after the padded input). */
    cl_event before[2] = {NULL, NULL};
    cl_uint nbefore = 0;
    if (st->pad) {
        cl_uint i = 0;
        if ((r = clg_set_arg(st->pad, i++, sizeof(cl_mem), &a->input, st->pad_name)) ||
            (r = clg_set_arg(st->pad, i++, sizeof(cl_mem), &a->workspace, st->pad_name)) ||
            (r = clg_set_int_args(st->pad, &i, st->pad_ints, (size_t)st->pad_nints,
                                  st->pad_name)))
            return r;
    }
    /* Packed weights (a->packed) are already transposed, at offset 0 of their buffer. */
    const bool transpose = st->transpose && !a->packed;
    const cl_mem wt = a->packed ? a->weights : a->workspace;
    const int wt_offset = a->packed ? 0 : st->wt_offset;
    if (transpose && (r = set_transpose_args(plan, a->weights, a->workspace, st->wt_offset)))
        return r;
    /* The convolution reads the padded copy (no padding left) when there is one. */
    const cl_mem in = st->pad ? a->workspace : a->input;
    const int H = st->pad ? st->hp : (int)s->H, W = st->pad ? st->wp : (int)s->W;
    const int PT = st->pad ? 0 : (int)s->PT, PL = st->pad ? 0 : (int)s->PL;
    if (nchw) {
        const cl_mem mems[] = {in, a->weights, bias, a->output};
        const int ints[] = {(int)s->N, (int)s->G, H, W, (int)s->OH, (int)s->OW, PT, PL, st->xb,
                            has_bias};
        r = set_args(st->conv, st->conv_name, mems, 4, ints, 10, lo, hi, s);
    } else {
        const cl_mem mems[] = {in, wt, bias, a->output};
        const int ints[] = {(int)s->N, (int)s->G, H, W, (int)s->OH, (int)s->OW, PT, PL, has_bias,
                            wt_offset};
        r = set_args(st->conv, st->conv_name, mems, 4, ints, 10, lo, hi, s);
    }
    if (r) return r;
    if (st->pad)
        r = clg_enqueue_kernel(queue, st->pad, st->pad_name, 3, st->p_global, st->p_local,
                               num_wait, wait, &before[nbefore++]);
    if (!r && transpose)
        r = clg_enqueue_kernel(queue, st->transpose, "transpose_weights", 3, st->t_global,
                               st->t_local, num_wait, wait, &before[nbefore++]);
    if (!r)
        r = nbefore ? clg_enqueue_kernel(queue, st->conv, st->conv_name, 3, st->global,
                                         st->local, nbefore, before, event)
                    : clg_enqueue_kernel(queue, st->conv, st->conv_name, 3, st->global,
                                         st->local, num_wait, wait, event);
    for (cl_uint j = 0; j < 2; ++j)
        if (before[j]) clg_clReleaseEvent(before[j]);
    return r;
}

static void tiled_destroy(clgconv_plan *plan)
{
    tiled_release(plan->state);
    plan->state = NULL;
}

const clg_algo_impl clg_algo_tiled = {CLGCONV_ALGO_TILED, tiled_supports,  tiled_estimate,
                                      tiled_create,       tiled_enqueue,   tiled_destroy,
                                      tiled_variant_count, tiled_pack};
