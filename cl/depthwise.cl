/* depthwise.cl: depthwise convolution (one input channel per group, any channel multiplier) in vectors along the contiguous dimension, and groups of 2 or 4 channels (NHWC: in the same channel vectors; NCHW: staged planes or flat runs). */

/*
 * Compile-time options (the host passes them in this order so that equal options give equal
 * strings and share one cached program):
 *   -DCLG_KH=, -DCLG_KW=, -DCLG_SH=, -DCLG_SW=, -DCLG_DH=, -DCLG_DW=, -DCLG_M=
 *                          kernel geometry and channel multiplier K/C, all or none: with them the
 *                          window loops unroll (a specialised build: the host gives them for
 *                          every window up to 11x11); without them the kernels read the
 *                          trailing runtime arguments KH, KW, SH, SW, DH, DW, M (one generic
 *                          build serves the larger windows)
 *   -DCLG_VW=n             vector width along the contiguous dimension: 1, 2, 4, 8 or 16
 *                          (NCHW: output pixels along x; NHWC: output channels)
 *   -DCLG_NHWC=1           build conv2d_depthwise_nhwc instead of conv2d_depthwise_nchw
 *   -DCLG_CPG=2 or 4       (CLG_M 1) narrow groups instead of depthwise: groups of CLG_CPG input
 *                          and CLG_CPG output channels; NHWC with CLG_VW 8 or 16 (see
 *                          conv2d_depthwise_nhwc), NCHW in conv2d_depthwise_nchw_tile and
 *                          conv2d_depthwise_nchw_flat
 *   -DCLG_SELF_STAGED=1    (NCHW) conv2d_depthwise_nchw_tile without a barrier, and
 *                          conv2d_depthwise_nchw_cv (see below)
 *   -DCLG_CV_PLANES=16     (NCHW, self-staged) 16 planes per work-item of conv2d_depthwise_nchw_cv
 *   -DCLG_RING=r, -DCLG_RING_AHEAD=a
 *                          (NCHW, self-staged, CLG_CPG 1) conv2d_depthwise_nchw_tile stages a
 *                          ring of r padded rows instead of the whole plane, a rows ahead of
 *                          the output rows it computes (see the kernel)
 *   -DCLG_RB=r             (NCHW, CLG_SW 1) blocks of r output rows in conv2d_depthwise_nchw_tile
 *   -DCLG_FLAT_H=, -DCLG_FLAT_W=, -DCLG_FLAT_OH=, -DCLG_FLAT_PT=, -DCLG_FLAT_PL=
 *                          (NCHW, specialised stride-1 builds with CLG_VW 8 or 16, all or none)
 *                          build conv2d_depthwise_nchw_flat for planes of this input height and
 *                          width, output height and top and left padding (they must equal the
 *                          H, W, OH, PT, PL arguments, and OW must equal W)
 *   -DCLG_ROW_OW=, -DCLG_ROW_W=, -DCLG_ROW_PL=, -DCLG_ROW_CB=
 *                          (NHWC, specialised builds, all or none) conv2d_depthwise_nhwc computes
 *                          each row fully unrolled for this output width, input width and left
 *                          padding (which must equal the OW, W and PL arguments), in chunks of
 *                          CLG_ROW_CB outputs
 *   -DCLG_KC=v             (NHWC, specialised depthwise builds with CLG_M 1, CLG_VW 16)
 *                          conv2d_depthwise_nhwc's work-items take v consecutive channel
 *                          vectors each (see the kernel)
 *   -DCLG_STREAM_STORES=1  conv2d_depthwise_nhwc, conv2d_depthwise_nchw and
 *                          conv2d_depthwise_nchw_tile store full output vectors with streaming
 *                          (non-temporal) stores where aligned (STOREV_STREAM, vector_common.cl)
 *   -DCLG_IDX=type         element offsets: int (default) or long for tensors of 2^31 elements
 * Image sizes, padding and batch are runtime arguments, so one program serves every layer with
 * the same kernel geometry.
 *
 * Both kernels compute y[n][k][oy][ox] = clamp(b[k] + sum_{ky,kx} x[n][k/M][iy][ix] * w[k][ky][kx])
 * with iy = oy*SH - PT + ky*DH, ix = ox*SW - PL + kx*DW, x = 0 outside the image; weights are
 * [K][1][KH][KW]; bias [K] read only when has_bias != 0 (any valid buffer otherwise); the clamp
 * uses comparisons so NaN stays NaN. With CLG_CPG = G (narrow groups, M 1) the sum also runs
 * over the G input channels c of k's group, (k/G)*G + c, with weights [K][G][KH][KW].
 *
 * conv2d_depthwise_nchw: input [N][C][H][W], output [N][K][OH][OW].
 *   dim 0: output row oy, dim 1: n*K + k. Items beyond the bounds return. Each work-item
 *   walks its row in chunks of CLG_VW pixels (enough work per item to hide PoCL's per-item
 *   cost); the row's last chunk is moved back to end at OW, so chunks are full vectors. Taps
 *   whose input span lies inside the row use vector loads;
 *   the others (image borders) build their vectors element by element with clamped addresses
 *   and selects.
 *   Arguments: input, weights, bias, output, N, C, H, W, K, OH, OW, PT, PL, has_bias,
 *   output_min, output_max, KH, KW, SH, SW, DH, DW, M.
 *
 * conv2d_depthwise_nchw_flat (CLG_FLAT_W builds): small planes whose output rows are as wide
 *   as the input's (OW == W), so that a tap's input for output o of the plane is element
 *   o + dy*W + dx of the input plane. A work-item computes one output plane in flat runs of
 *   CLG_VW outputs (the last run moved back to end at the plane's end), each tap one vector
 *   load at a constant offset with the lanes whose pixel lies outside the image (rows above or
 *   below, columns that wrapped into the neighbouring row) masked to zero by a constant mask.
 *   Masked lanes read the neighbouring planes; the planes at either end of the tensor, whose
 *   masked lanes could read outside the buffer, take the same runs in a loop (not unrolled)
 *   whose loads leaving the buffer read only their unmasked lanes.
 *   With CLG_CPG = G (narrow groups) a work-item computes a group's G output planes together:
 *   each masked input vector of the group's G input planes feeds an FMA per output plane.
 *   dim 0: output plane n*K + k (with CLG_CPG the group (n*K + k)/G). Arguments: as for
 *   conv2d_depthwise_nchw.
 *
 * conv2d_depthwise_nchw_tile (specialised builds with SW 1 or 2): planes
 *   that fit in local memory. A work-group stages whole zero-padded input planes (TH x TW floats each, TH =
 *   (OH-1)*SH + (KH-1)*DH + 1, TW = (max(OW, CLG_VW)-1)*SW + (KW-1)*DW + 1 + SW) into the
 *   __local argument tile, then every tap is a plain vector load: no border path, which
 *   dominated 7x7 and 14x14 planes (most 8-lane loads leave such rows). With SW 2 each staged
 *   row holds the padded row's even columns, then its odd ones, so that a tap's every-other-
 *   column inputs are contiguous.
 *   dim 0: output rows oy = id, id + size, ... (one work-group spans dim 0: the host gives
 *   one work-item per row, or with CLG_RB a power of two at least the number of row blocks,
 *   or with CLG_SELF_STAGED one for all rows), dim 1: n*K + k (with CLG_CPG
 *   the group (n*K + k)/G; the local size is the number of planes, or groups, per work-group;
 *   tile holds that many planes, G per group).
 *   -DCLG_SELF_STAGED=1: dim 0 has size 1, each work-item stages and convolves its own plane
 *   and the kernel has no barrier (on PoCL a barrier splits the kernel into costly regions).
 *   -DCLG_RING=r (self-staged, CLG_CPG 1): the work-item's tile holds r padded rows (TH is r),
 *   padded row i in slot i % r, each staged just before the first block of output rows that
 *   reads it, CLG_RING_AHEAD rows ahead; r covers a block's window and those rows. The staged
 *   rows stay in the first-level cache where whole staged planes of large images did not.
 *   -DCLG_RB=r (CLG_SW 1): work-items take blocks of r output rows (blocks id, id + size, ...;
 *   the OH % r rows left one at a time), loading each staged input vector once for all the
 *   block's rows it feeds (the host sets it on CPUs, see nchw_rows_per_block).
 *   -DCLG_CPG=G (2 or 4, CLG_M 1; K == C, groups of G input and G output channels, weights
 *   [K][G][KH][KW]): narrow groups. Dim 1 indexes groups: the work-items of group (n*K + k)/G
 *   stage its G input planes one after another (G planes of the tile per group) and compute
 *   the group's G output planes from them, each summing the window over the G planes.
 *   Arguments: input, weights, bias, output, N, C, H, W, K, OH, OW, PT, PL, has_bias,
 *   output_min, output_max, TH, TW, tile.
 *
 * conv2d_depthwise_nchw_cv (CLG_SELF_STAGED builds with CLG_M 1): for small planes, a
 *   work-item takes P planes q0 = P*id .. q0+P-1 (n*K + k; P = 8, or 16 with
 *   -DCLG_CV_PLANES=16; the last block moves back to end at plane N*K - 1 and stores only its
 *   own planes), stages them zero-padded and transposed into its TH x TW x P part of the
 *   __local tile and computes all P with P-lane vectors (one lane per plane); both copies move
 *   8 x 8 blocks, so the host sends only planes of at least 8 input and 8 output elements, and
 *   layers of at least P planes (N*K >= P).
 *   dim 0: size 1; dim 1: P-plane block (the local size is the number of blocks per
 *   work-group).
 *   Arguments: as for conv2d_depthwise_nchw_tile.
 *
 * conv2d_depthwise_nhwc: input [N][H][W][C], output [N][OH][OW][K].
 *   dim 0: chunk of CLG_VW output channels (k0 = id*CLG_VW; the host picks CLG_VW dividing K),
 *   dim 1: block of RPW output rows (oy = id*RPW ...), dim 2: n. Each work-item walks its rows,
 *   interior pixels 4 at a time in specialised builds, the others one by one; the tap weight
 *   vectors (one load each from packed weights, gathered from [K][KH*KW] otherwise) stay in
 *   registers in specialised builds, loaded once for all RPW rows; with multiplier 1 the input
 *   is one vector load per pixel and tap.
 *   With CLG_ROW_OW (depthwise only, CLG_CPG 1): each row is unrolled instead of walked, in
 *   chunks of CLG_ROW_CB outputs; taps leaving the row are dropped at compile time, so no
 *   output takes the checked path (which 3 of a 7-wide 3x3 row's 7 pixels took).
 *   With CLG_KC = v: dim 0 indexes blocks of v channel vectors (k0 = id*CLG_VW*v; the host
 *   gives K/(CLG_VW*v) of them), and each chunk of outputs (a row chunk, 4 interior pixels or a
 *   border pixel) is computed for the v vectors one after the other, so that consecutive loads
 *   of a pixel's input run along consecutive lines; the tap weights, read once per work-item,
 *   come from private memory for each vector instead of staying in registers.
 *   Arguments: as for the NCHW kernel, then RPW, packed_weights (non-zero: weights packed by
 *   depthwise_pack_weights, [CLG_CPG][KH][KW][K], a tap's channel vector one load; zero: as
 *   given, gathered a lane at a time).
 *   With CLG_CPG = G (2 or 4; K == C, groups of G input and G output channels, weights
 *   [K][G][KH][KW]): the same walk computes a grouped convolution. The CLG_VW (8 or 16) output
 *   channels of a vector span CLG_VW/G whole groups whose inputs are the same CLG_VW channels
 *   of the pixel, so a tap is one vector load and, per input channel c of the group, a lane
 *   shuffle (lane j takes channel (j/G)*G + c: x.s00004444 for G 4, c 0, 8 lanes) and an FMA:
 *   CLG_VW lanes of useful work where the tiled kernel's channel vectors are G lanes wide.
 *
 * conv2d_depthwise_nhwc_tile (specialised builds with CLG_M 1 and CLG_VW 8): small images. A
 *   work-item takes channels k0 .. k0+7 of image n, copies their zero-padded TH x TW plane
 *   (one 8-channel vector per pixel) into its part of the __local tile and convolves every
 *   output pixel from it. dim 0: size 1; dim 1: n*(K/8) + k0/8 (the local size is the number
 *   of blocks per work-group).
 *   Arguments: as for conv2d_depthwise_nchw_tile, then packed_weights (as for
 *   conv2d_depthwise_nhwc).
 *
 * depthwise_pack_weights (NHWC builds): see the kernel.
 */

#ifndef CLG_IDX
#define CLG_IDX int
#endif
#ifndef CLG_NHWC
#define CLG_NHWC 0
#endif

/* Geometry: build-time constants in a specialised build, else the runtime arguments. */
#ifdef CLG_KH
#define KH_ CLG_KH
#define KW_ CLG_KW
#define SH_ CLG_SH
#define SW_ CLG_SW
#define DH_ CLG_DH
#define DW_ CLG_DW
#define M_ CLG_M
#define UNROLL_GEOMETRY _Pragma("unroll")
#else
#define KH_ KH
#define KW_ KW
#define SH_ SH
#define SW_ SW
#define DH_ DH
#define DW_ DW
#define M_ M
#define UNROLL_GEOMETRY
#endif
#define TAPS_ (KH_ * KW_)

#ifdef CLG_KH
/* One output pixel of the staged kernels whose tiles hold N-lane pixel vectors (window8: 8
   planes of conv2d_depthwise_nchw_cv, 8 channels of conv2d_depthwise_nhwc_tile; window16: 16
   planes of conv2d_depthwise_nchw_cv): a plus the window at px (row pitch TW pixels) times the
   tap weight vectors wv[0 .. TAPS_-1]. */
#define DEFINE_WINDOW(N)                                                                           \
    static float##N window##N(const __local float *px, const float##N *wv, float##N a, int TW)    \
    {                                                                                              \
        _Pragma("unroll") for (int ky = 0; ky < KH_; ++ky)                                         \
            _Pragma("unroll") for (int kx = 0; kx < KW_; ++kx) a =                                 \
                fma(vload##N(0, px + (ky * DH_ * TW + kx * DW_) * N), wv[ky * KW_ + kx], a);       \
        return a;                                                                                  \
    }
DEFINE_WINDOW(8)
#endif

/* MULADD, floatV, LOADV, STOREV, FROM_ARRAY, TO_ARRAY, clamp_output, store_lanes, LOAD_STRIDED,
   LOAD_SPAN and load_checked come from vector_common.cl, which the host places before this file. */

#ifndef CLG_CPG
#define CLG_CPG 1
#endif

#if CLG_NHWC
/* Tap t of the weights of output channels k0 .. k0+CLG_VW-1 for input channel c of their group
   (c is 0 for depthwise): weights as given, [K][CLG_CPG][taps] (a load per lane), or packed
   by depthwise_pack_weights, [CLG_CPG][taps][K] (one vector load). */
static floatV load_weights(const __global float *weights, int k0, int c, int t, int taps, int K,
                           int packed)
{
    if (packed) return LOADV(weights + (c * taps + t) * K + k0);
    float tw[CLG_VW];
#pragma unroll
    for (int j = 0; j < CLG_VW; ++j) tw[j] = weights[((k0 + j) * CLG_CPG + c) * taps + t];
    return FROM_ARRAY(tw);
}

#if CLG_CPG == 1
#define GROUP_CHANNEL(x, c) (x)
#else
#define GROUP_CHANNEL(x, c) group_channel(x, c)
/* Narrow groups: lane j of the result is channel (j/CLG_CPG)*CLG_CPG + c of the pixel vector x
   (c a constant after unrolling, so each is one shuffle). */
static floatV group_channel(floatV x, int c)
{
#if CLG_VW == 8
#if CLG_CPG == 2
    return c == 0 ? x.s00224466 : x.s11335577;
#elif CLG_CPG == 4
    return c == 0 ? x.s00004444 : c == 1 ? x.s11115555 : c == 2 ? x.s22226666 : x.s33337777;
#else
#error "CLG_CPG must be 2 or 4"
#endif
#elif CLG_VW == 16
#if CLG_CPG == 2
    return c == 0 ? x.s0022446688aaccee : x.s1133557799bbddff;
#elif CLG_CPG == 4
    return c == 0   ? x.s000044448888cccc
           : c == 1 ? x.s111155559999dddd
           : c == 2 ? x.s22226666aaaaeeee
                    : x.s33337777bbbbffff;
#else
#error "CLG_CPG must be 2 or 4"
#endif
#else
#error "narrow groups need CLG_VW 8 or 16"
#endif
}
#endif

/* The input vector of output channels k0 .. k0+CLG_VW-1 at pixel px (px points at the pixel's
   channel 0): one vector load with multiplier 1, else a gather of channels ch[j]. */
static floatV load_pixel(const __global float *px, int k0, const int *ch, int m)
{
    if (m == 1) return LOADV(px + k0);
    float tx[CLG_VW];
#pragma unroll
    for (int j = 0; j < CLG_VW; ++j) tx[j] = px[ch[j]];
    return FROM_ARRAY(tx);
}

/* Channel vectors per work-item of the NHWC kernel (-DCLG_KC, see conv2d_depthwise_nhwc). */
#ifdef CLG_KC
#if !defined(CLG_KH) || CLG_CPG != 1 || CLG_M != 1 || CLG_VW != 16
#error "CLG_KC needs a specialised depthwise build with multiplier 1 and CLG_VW 16"
#endif
#define KC_ CLG_KC
#else
#define KC_ 1
#endif

/* Interior pixels taken together by the NHWC kernel: 4 in specialised builds (4 accumulators
   and the 9 weight vectors of a 3x3 window fit AVX2's 16 registers), 1 in generic builds. */
#ifdef CLG_KH
#define NHWC_PX 4
#else
#define NHWC_PX 1
#endif
#endif

#if !CLG_NHWC

/* Stores the chunk v of outputs ox0 .. ox0+CLG_VW-1 of an output row of OW. A row's last chunk
   moves back to end at OW, and it stores all its lanes: the ones before its nominal start
   rewrite the previous chunk's outputs with the same values (the same work-item computed them
   from the same inputs in the same order, interior or border path alike), which is cheaper
   than a store per lane. Rows shorter than a vector store their OW outputs only. */
static void store_row_chunk(floatV v, __global float *out_row, int ox0, int OW)
{
    if (OW >= CLG_VW)
        STOREV_STREAM(v, out_row + ox0);
    else
        store_lanes(v, out_row + ox0, 0, OW);
}

#ifdef CLG_FLAT_W
#if !defined(CLG_KH) || CLG_SH != 1 || CLG_SW != 1 || (CLG_VW != 8 && CLG_VW != 16) || \
    (CLG_CPG != 1 && CLG_M != 1)
#error "CLG_FLAT_W needs a specialised stride-1 build with CLG_VW 8 or 16 (narrow groups: CLG_M 1)"
#endif
#if CLG_FLAT_OH * CLG_FLAT_W < CLG_VW
#error "CLG_FLAT_W needs output planes of at least CLG_VW elements"
#endif
/* conv2d_depthwise_nchw_flat: small planes as flat runs of CLG_VW outputs (see the file's
   comment). The plane's geometry is constant, so every vector's tap offsets and lane masks
   are too. */
#define FLAT_IN (CLG_FLAT_H * CLG_FLAT_W)    /* input plane */
#define FLAT_OUT (CLG_FLAT_OH * CLG_FLAT_W)  /* output plane (OW == W) */
#define FLAT_VECS ((FLAT_OUT + CLG_VW - 1) / CLG_VW)
/* Offsets, relative to a plane's start, of the first and one past the last element any
   vector load of the plane touches (masked lanes included). */
#define FLAT_LO (-(CLG_FLAT_PT * CLG_FLAT_W + CLG_FLAT_PL))
#define FLAT_HI (FLAT_OUT + ((KH_ - 1) * DH_ - CLG_FLAT_PT) * CLG_FLAT_W + (KW_ - 1) * DW_ - CLG_FLAT_PL)
#if CLG_VW == 16
#define FLAT_INTV int16
#define FLAT_IOTA (int16)(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)
#else
#define FLAT_INTV int8
#define FLAT_IOTA (int8)(0, 1, 2, 3, 4, 5, 6, 7)
#endif
/* Narrow groups take their input planes in a loop: unrolled, the twice or four times larger
   runs measured 1.4-1.6x slower (28x28x256 g = 128, batch 1 and 8). */
#if CLG_CPG == 1
#define FLAT_CI_LOOP _Pragma("unroll")
#else
#define FLAT_CI_LOOP _Pragma("unroll 1")
#endif

/* One input vector of conv2d_depthwise_nchw_flat at offset off of the group's first input plane
   in: lanes where ok is false are zero. Checked (the planes at the ends of the tensor): a load
   whose span leaves [lo, hi) (offsets of the buffer's first and one past its last element)
   reads only the lanes that are ok, which lie inside the image and so inside the buffer. */
static floatV flat_load(const __global float *in, int off, FLAT_INTV ok, bool checked, long lo,
                        long hi)
{
    if (!checked || (off >= lo && off + CLG_VW <= hi))
        return select((floatV)(0.0f), LOADV(in + off), ok);
    int lane_ok[CLG_VW]; /* the mask as an array: OpenCL C 1.2 has no vector subscripts */
#if CLG_VW == 16
    vstore16(ok, 0, lane_ok);
#else
    vstore8(ok, 0, lane_ok);
#endif
    float t[CLG_VW];
#pragma unroll
    for (int j = 0; j < CLG_VW; ++j) t[j] = lane_ok[j] ? in[off + j] : 0.0f;
    return FROM_ARRAY(t);
}

/* Flat run o .. o+CLG_VW-1 of the work-item's CLG_CPG output planes (see the kernel), with
   checked loads when `checked` (a constant). A macro, not a function: in the unrolled loop
   over a plane's runs o must be a constant in each copy (its lane masks fold), and a function
   that size is not reliably inlined (kernel time 2x when it was not). */
#define FLAT_RUN(o_, checked)                                                                      \
    do {                                                                                           \
        const int o = (o_);                                                                        \
        const FLAT_INTV lane = (FLAT_INTV)(o) + FLAT_IOTA;                                         \
        const FLAT_INTV oy = lane / CLG_FLAT_W, ox = lane - oy * CLG_FLAT_W;                       \
        floatV acc[CLG_CPG];                                                                       \
        _Pragma("unroll") for (int ko = 0; ko < CLG_CPG; ++ko) acc[ko] = (floatV)(0.0f);          \
        FLAT_CI_LOOP for (int ci = 0; ci < CLG_CPG; ++ci)                                          \
        {                                                                                          \
            _Pragma("unroll") for (int ky = 0; ky < KH_; ++ky)                                     \
            {                                                                                      \
                const int dy = ky * DH_ - CLG_FLAT_PT;                                             \
                const FLAT_INTV row_ok = oy + dy >= 0 && oy + dy < CLG_FLAT_H;                     \
                _Pragma("unroll") for (int kx = 0; kx < KW_; ++kx)                                 \
                {                                                                                  \
                    const int dx = kx * DW_ - CLG_FLAT_PL;                                         \
                    const FLAT_INTV ok = row_ok && ox + dx >= 0 && ox + dx < CLG_FLAT_W;           \
                    const floatV x = flat_load(in, ci * FLAT_IN + o + dy * CLG_FLAT_W + dx, ok,    \
                                               checked, lo, hi);                                   \
                    _Pragma("unroll") for (int ko = 0; ko < CLG_CPG; ++ko) acc[ko] =               \
                        MULADD(x, (floatV)(w[(ko * CLG_CPG + ci) * TAPS_ + ky * KW_ + kx]),        \
                               acc[ko]);                                                           \
                }                                                                                  \
            }                                                                                      \
        }                                                                                          \
        _Pragma("unroll") for (int ko = 0; ko < CLG_CPG; ++ko)                                     \
            STOREV(clamp_output(acc[ko] + (floatV)(b[ko]), output_min, output_max),                \
                   out + ko * FLAT_OUT + o);                                                       \
    } while (0)

__kernel void conv2d_depthwise_nchw_flat(__global const float *restrict input,
                                         __global const float *restrict weights,
                                         __global const float *restrict bias,
                                         __global float *restrict output, const int N,
                                         const int C, const int H, const int W, const int K,
                                         const int OH, const int OW, const int PT, const int PL,
                                         const int has_bias, const float output_min,
                                         const float output_max, const int KH, const int KW,
                                         const int SH, const int SW, const int DH, const int DW,
                                         const int M)
{
    /* the work-item's first output plane n*K + k0: plane q (depthwise), or the first of group
       q's CLG_CPG planes (narrow groups) */
    const int q0 = (int)get_global_id(0) * CLG_CPG;
    if (q0 >= N * K) return;
    const int n = q0 / K, k0 = q0 - n * K;
    const int ci0 = n * C + k0 / M_; /* its (first) input plane */
    const __global float *in = input + (CLG_IDX)ci0 * FLAT_IN;
    __global float *out = output + (CLG_IDX)q0 * FLAT_OUT;
    /* w[(ko*CLG_CPG + ci)*TAPS_ + t]: output plane k0 + ko, input plane ci of the group */
    float w[CLG_CPG * CLG_CPG * TAPS_], b[CLG_CPG];
#pragma unroll
    for (int t = 0; t < CLG_CPG * CLG_CPG * TAPS_; ++t) w[t] = weights[k0 * CLG_CPG * TAPS_ + t];
#pragma unroll
    for (int ko = 0; ko < CLG_CPG; ++ko) b[ko] = has_bias ? bias[k0 + ko] : 0.0f;
    /* Masked lanes load from the neighbouring planes; the groups at the ends of the tensor,
       whose loads could leave the buffer, take the runs in a loop with checked loads (a copy
       of the unrolled runs would double the build time). lo, hi: the buffer's bounds as
       offsets from in. */
    const long lo = -(long)ci0 * FLAT_IN, hi = (long)N * C * FLAT_IN + lo;
    if (FLAT_LO >= lo && (CLG_CPG - 1) * FLAT_IN + FLAT_HI <= hi) {
#pragma unroll
        for (int v = 0; v < FLAT_VECS; ++v) /* the last vector moves back to end at the plane's end */
            FLAT_RUN(min(v * CLG_VW, FLAT_OUT - CLG_VW), false);
    } else {
        _Pragma("unroll 1")
        for (int v = 0; v < FLAT_VECS; ++v)
            FLAT_RUN(min(v * CLG_VW, FLAT_OUT - CLG_VW), true);
    }
}
#endif /* CLG_FLAT_W */

__kernel void conv2d_depthwise_nchw(__global const float *restrict input,
                                    __global const float *restrict weights,
                                    __global const float *restrict bias,
                                    __global float *restrict output, const int N, const int C,
                                    const int H, const int W, const int K, const int OH,
                                    const int OW, const int PT, const int PL, const int has_bias,
                                    const float output_min, const float output_max,
                                    const int KH, const int KW, const int SH, const int SW,
                                    const int DH, const int DW, const int M)
{
    const int oy = (int)get_global_id(0);
    const int nk = (int)get_global_id(1);
    if (oy >= OH || nk >= N * K) return;
    const int n = nk / K, k = nk - n * K;
    const int c = k / M_;

    const __global float *w = weights + k * TAPS_;
    const __global float *plane = input + ((CLG_IDX)n * C + c) * H * W;
    __global float *out_row = output + (((CLG_IDX)n * K + k) * OH + oy) * OW;
    const float b = has_bias ? bias[k] : 0.0f;
    const int iy0 = oy * SH_ - PT;

    for (int start = 0; start < OW; start += CLG_VW) {
        /* The row's last chunk is moved back to end at OW (when OW >= CLG_VW) so that every
           chunk is a full vector; it stores only the outputs from its nominal start on. */
        const int ox0 = OW >= CLG_VW ? min(start, OW - CLG_VW) : 0;
        const int ix0 = ox0 * SW_ - PL;
        const bool interior = ix0 >= 0 && ix0 + (KW_ - 1) * DW_ + LOAD_SPAN < W;
        floatV acc = (floatV)(0.0f);
        if (interior) {
            UNROLL_GEOMETRY
            for (int ky = 0; ky < KH_; ++ky) {
                const int iy = iy0 + ky * DH_;
                if (iy < 0 || iy >= H) continue;
                const __global float *row = plane + (CLG_IDX)iy * W + ix0;
                UNROLL_GEOMETRY
                for (int kx = 0; kx < KW_; ++kx)
                    acc = MULADD(LOAD_STRIDED(row + kx * DW_), (floatV)(w[ky * KW_ + kx]), acc);
            }
        } else {
            /* Border chunks: taps whose span lies inside the row still use vector loads. The
               window loops stay rolled: unrolled with every lane's checked load they tripled
               the build time of a specialised 7x7 program (5.3 s -> 2.5 s cold on PoCL) for no
               measurable speed. */
            _Pragma("unroll 1")
            for (int ky = 0; ky < KH_; ++ky) {
                const int iy = iy0 + ky * DH_;
                if (iy < 0 || iy >= H) continue;
                const __global float *row = plane + (CLG_IDX)iy * W;
                _Pragma("unroll 1")
                for (int kx = 0; kx < KW_; ++kx) {
                    const int ix = ix0 + kx * DW_;
                    floatV x;
                    if (ix >= 0 && ix + LOAD_SPAN < W)
                        x = LOAD_STRIDED(row + ix);
                    else
                        x = load_checked(row, ix, SW_, W);
                    acc = MULADD(x, (floatV)(w[ky * KW_ + kx]), acc);
                }
            }
        }
        store_row_chunk(clamp_output(acc + (floatV)(b), output_min, output_max), out_row, ox0,
                        OW);
    }
    STREAM_FENCE();
}

/* The zero-padded-plane kernel needs a specialised geometry with SW 1 or 2: its taps are then
   plain vector loads from __local memory (SW 2: from the staged rows' even or odd halves). */
#if defined(CLG_KH) && (CLG_SW == 1 || CLG_SW == 2)

#if CLG_SW == 2
/* Stride 2: each staged row holds the padded row's even columns, then its odd ones, so that a
   tap's inputs for a chunk (every other column) are one plain vector load. Padded column j
   of a row of TW sits at TILE_COL(j), with TWE = (TW + 1) / 2 even columns. */
#define TILE_COL(j) (((j)&1) ? TWE + ((j) >> 1) : ((j) >> 1))
#else
#define TILE_COL(j) (j) /* stride 1: the padded row in order */
#endif

/* Stages one zero-padded row of TW columns at dst: zeros when the row is outside the image
   (!inside), else padded column j is src[j] for PL <= j < right and zero elsewhere. */
static void stage_padded_row(__local float *dst, const __global float *src, bool inside, int PL,
                             int right, int TW)
{
#if CLG_SW == 2
    const int TWE = (TW + 1) / 2;
#endif
    if (!inside) {
        for (int j = 0; j < TW; ++j) dst[j] = 0.0f;
        return;
    }
    /* only the padding columns are zeroed (zeroing whole stride-2 rows first took 10 % of the
       kernel's time, perf) */
    for (int j = 0; j < PL && j < TW; ++j) dst[TILE_COL(j)] = 0.0f;
    for (int j = max(right, PL); j < TW; ++j) dst[TILE_COL(j)] = 0.0f;
#if CLG_SW == 2
    if (right - PL >= 16) {
        /* 16 at a time split into even and odd columns (one load, two lane selections:
           two-source permutes on AVX-512, where two 8-float loads had taken four 128-bit
           shuffles); v.even holds the columns of j's parity. Whole blocks from PL keep PL's
           parity, so their halves' destinations advance by 8; a last block moves back to end
           at `right`. */
        __local float *same = dst + TILE_COL(PL), *other = dst + TILE_COL(PL + 1);
        int j = PL;
        for (; j + 16 <= right; j += 16, same += 8, other += 8) {
            const float16 v = vload16(0, src + j);
            vstore8(v.even, 0, same);
            vstore8(v.odd, 0, other);
        }
        if (j < right) {
            j = right - 16;
            const float16 v = vload16(0, src + j);
            vstore8(v.even, 0, dst + TILE_COL(j));
            vstore8(v.odd, 0, dst + TILE_COL(j + 1));
        }
    } else {
        for (int j = PL; j < right; ++j) dst[TILE_COL(j)] = src[j];
    }
#else
    if (right - PL >= 8) {
        /* 8 at a time, the last 8 moved back to end at `right` */
        for (int j0 = PL; j0 < right; j0 += 8) {
            const int j = min(j0, right - 8);
            vstore8(vload8(0, src + j), 0, dst + j);
        }
    } else {
        for (int j = PL; j < right; ++j) dst[j] = src[j];
    }
#endif
}

__kernel void conv2d_depthwise_nchw_tile(__global const float *restrict input,
                                         __global const float *restrict weights,
                                         __global const float *restrict bias,
                                         __global float *restrict output, const int N,
                                         const int C, const int H, const int W, const int K,
                                         const int OH, const int OW, const int PT, const int PL,
                                         const int has_bias, const float output_min,
                                         const float output_max, const int TH, const int TW,
                                         __local float *tile)
{
    const int ly = (int)get_local_id(0), lp = (int)get_local_id(1);
    const int rows = (int)get_local_size(0), planes = (int)get_local_size(1);
    const int first_plane = (int)get_group_id(1) * planes;
    /* work-items' planes: output planes n*K + k, or with CLG_CPG groups (n*K + k) / CLG_CPG */
    const int NK = N * K / CLG_CPG, plane_elems = TH * TW;

    /* Stage plane lp of this work-group (with CLG_CPG its group's planes), zero-padded, into
       local memory: the work-items of the plane take its padded rows r = ly, ly + rows, ...
       (all of them when self-staged).
       Padded row r is input row r - PT, padded column j input column j - PL (the row's left
       padding, its W input values, then zeros to TW). */
    const int nk = first_plane + lp;
    const int right = min(PL + W, TW); /* padded columns [PL, right) hold input */
    /* With CLG_CPG (narrow groups) the CLG_CPG input planes of the group, one after another */
    __local float *staged = tile + lp * plane_elems * CLG_CPG;
#if CLG_SW == 2
    const int TWE = (TW + 1) / 2; /* even columns of a staged row (see TILE_COL) */
#endif
    const int q0 = nk * CLG_CPG, n = q0 / K, kk = q0 - n * K; /* kk: the group's first */
    /* the group's input plane ci (ci 0 without CLG_CPG), shifted by PL: padded column j of a
       row is element j of the row there */
#define PLANE_SRC(ci) \
    (input + ((CLG_IDX)n * C + (CLG_CPG == 1 ? kk / M_ : kk + (ci))) * H * W - PL)
#ifdef CLG_RING
#if !defined(CLG_SELF_STAGED) || CLG_CPG != 1
#error "CLG_RING needs CLG_SELF_STAGED and CLG_CPG 1"
#endif
    /* Ring: the staged plane holds CLG_RING (TH) padded rows, row r in slot r % CLG_RING, each
       staged just before the first output row that needs it (next_row: the first row not yet
       staged); CLG_RING covers the rows one block of output rows reads. */
#define ROW_SLOT(r) ((r) % CLG_RING)
    int next_row = 0;
#ifndef CLG_RING_AHEAD
#define CLG_RING_AHEAD 0
#endif
#define STAGE_ROWS_TO(last)                                                                        \
    for (; next_row <= (last) + CLG_RING_AHEAD; ++next_row)                                        \
        stage_padded_row(staged + ROW_SLOT(next_row) * TW, PLANE_SRC(0) + (CLG_IDX)(next_row - PT) * W, \
                         next_row - PT >= 0 && next_row - PT < H, PL, right, TW)
#else
#define ROW_SLOT(r) (r)
#define STAGE_ROWS_TO(last)
    for (int rc = ly; nk < NK && rc < TH * CLG_CPG; rc += rows) {
        /* padded row r of the group's input plane ci */
        const int ci = CLG_CPG == 1 ? 0 : rc / TH, r = rc - ci * TH;
        stage_padded_row(staged + ci * plane_elems + r * TW, PLANE_SRC(ci) + (CLG_IDX)(r - PT) * W,
                         r - PT >= 0 && r - PT < H, PL, right, TW);
    }
#endif
    /* padded row r of the group's staged input plane ci */
#define STAGED_ROW(ci, r) (staged + (ci)*plane_elems + ROW_SLOT(r) * TW)
#ifndef CLG_SELF_STAGED
    barrier(CLK_LOCAL_MEM_FENCE); /* a plane's rows were staged by several work-items */
#endif

    if (nk >= NK) return;
    /* With CLG_CPG the work-item computes every output plane of its group from the staged
       planes: output plane q = nk*CLG_CPG + ko (n*K + k). */
    for (int ko = 0; ko < CLG_CPG; ++ko) {
        const int q = nk * CLG_CPG + ko;
        const int k = q - (q / K) * K;
        const __global float *w = weights + k * CLG_CPG * TAPS_; /* [K][CLG_CPG][KH][KW] */
        const float b = has_bias ? bias[k] : 0.0f;
        float wr[CLG_CPG * TAPS_];
#pragma unroll
        for (int i = 0; i < CLG_CPG * TAPS_; ++i) wr[i] = w[i];

#ifdef CLG_RB
#if CLG_SW != 1
#error "CLG_RB needs CLG_SW 1"
#endif
        /* Blocks of CLG_RB output rows (blocks ly, ly + rows, ...; the OH % CLG_RB rows left take
           the one-row loop below): staged input row rr of a block feeds its output row j through
           tap row (rr - j*SH)/DH, so each input vector is loaded once for every output row it
           feeds. Each accumulator still takes its taps in (ky, kx) order: the results equal the
           one-row loop's. The conditions on rr and j are constants once the loops unroll. */
#define FEEDS(rr, j) \
        ((rr) - (j)*SH_ >= 0 && ((rr) - (j)*SH_) % DH_ == 0 && ((rr) - (j)*SH_) / DH_ < KH_)
#define TAP_ROW(rr, j) (((rr) - (j)*SH_) / DH_)
        const int blocks = OH / CLG_RB;
        for (int blk = ly; blk < blocks; blk += rows) {
            const int oy = blk * CLG_RB;
            __global float *out_row = output + ((CLG_IDX)q * OH + oy) * OW;
            STAGE_ROWS_TO((oy + CLG_RB - 1) * SH_ + (KH_ - 1) * DH_);
            for (int start = 0; start < OW; start += CLG_VW) {
                const int ox0 = OW >= CLG_VW ? min(start, OW - CLG_VW) : 0;
                floatV acc[CLG_RB];
#pragma unroll
                for (int j = 0; j < CLG_RB; ++j) acc[j] = (floatV)(0.0f);
#pragma unroll
                for (int ci = 0; ci < CLG_CPG; ++ci) {
#pragma unroll
                    for (int rr = 0; rr < (CLG_RB - 1) * SH_ + (KH_ - 1) * DH_ + 1; ++rr) {
                        bool used = false;
#pragma unroll
                        for (int j = 0; j < CLG_RB; ++j) used = used || FEEDS(rr, j);
                        if (!used) continue;
#pragma unroll
                        for (int kx = 0; kx < KW_; ++kx) {
                            const floatV x = LOADV(STAGED_ROW(ci, oy * SH_ + rr) + ox0 + kx * DW_);
#pragma unroll
                            for (int j = 0; j < CLG_RB; ++j)
                                if (FEEDS(rr, j))
                                    acc[j] = MULADD(
                                        x, (floatV)(wr[ci * TAPS_ + TAP_ROW(rr, j) * KW_ + kx]),
                                        acc[j]);
                        }
                    }
                }
#pragma unroll
                for (int j = 0; j < CLG_RB; ++j)
                    store_row_chunk(clamp_output(acc[j] + (floatV)(b), output_min, output_max),
                                    out_row + j * OW, ox0, OW);
            }
        }
        const int first_single = blocks * CLG_RB;
#else
        const int first_single = 0;
#endif
        /* output rows first_single + ly, + rows, ... (all rows from ly without CLG_RB) */
        for (int oy = first_single + ly; oy < OH; oy += rows) {
            __global float *out_row = output + ((CLG_IDX)q * OH + oy) * OW;
            STAGE_ROWS_TO(oy * SH_ + (KH_ - 1) * DH_);
            for (int start = 0; start < OW; start += CLG_VW) {
                /* As in conv2d_depthwise_nchw: the last chunk moves back to end at OW; rows shorter
                   than a vector compute padding lanes (the tile is wide enough), store only OW. */
                const int ox0 = OW >= CLG_VW ? min(start, OW - CLG_VW) : 0;
#if CLG_SW == 2
                /* lane i, tap kx: padded column 2*(ox0 + i) + kx*DW, in the half of kx*DW's parity
                   at ox0 + i + (kx*DW >> 1) */
#define TAP_INPUTS(ci, ky, kx) \
        LOADV(STAGED_ROW(ci, oy * SH_ + (ky)*DH_) + ox0 + TILE_COL((kx)*DW_))
#else
#define TAP_INPUTS(ci, ky, kx) \
        LOAD_STRIDED(STAGED_ROW(ci, oy * SH_ + (ky)*DH_) + ox0 * SW_ + (kx)*DW_)
#endif
                floatV acc = (floatV)(0.0f);
#pragma unroll
                for (int ci = 0; ci < CLG_CPG; ++ci)
#pragma unroll
                    for (int ky = 0; ky < KH_; ++ky)
#pragma unroll
                        for (int kx = 0; kx < KW_; ++kx)
                            acc = MULADD(TAP_INPUTS(ci, ky, kx),
                                         (floatV)(wr[ci * TAPS_ + ky * KW_ + kx]), acc);
                store_row_chunk(clamp_output(acc + (floatV)(b), output_min, output_max), out_row,
                                ox0, OW);
            }
        }
    }
    STREAM_FENCE();
}

#if defined(CLG_SELF_STAGED) && CLG_M == 1

/* Channel-vectorised variant for small planes and multiplier 1: a work-item stages P planes (8,
   or 16 with CLG_CV_PLANES) transposed into local memory (tile[r][q][j] = plane j's padded
   element (r, q)), so that one P-lane load holds a pixel of all P planes, and convolves them
   together: no partial vectors, no per-row staging loops per plane, and the loads of a pixel
   are shared by P planes.
   Both copies move 8 x 8 blocks transposed in registers (transpose8x8): 8 consecutive elements of
   each plane's flat input (or output) are one vector load (store) per plane; the last block of
   a plane moves back to end at the plane's end (the host requires planes of >= 8 elements). */
/* clamp_output for 8 lanes whatever CLG_VW is (NaN stays NaN). */
static float8 clamp_output8(float8 v, float lo, float hi)
{
    v = select(v, (float8)(lo), v < (float8)(lo));
    return select(v, (float8)(hi), v > (float8)(hi));
}

/* Planes per work-item of conv2d_depthwise_nchw_cv: 8 (float8 pixels), or 16 with
   -DCLG_CV_PLANES=16 (float16: one AVX-512 register; the copies still move 8 x 8 blocks, two per
   16 planes). */
#ifndef CLG_CV_PLANES
#define CLG_CV_PLANES 8
#endif
#define CV_PLANES CLG_CV_PLANES
#if CV_PLANES == 16
#define CV_FLOAT float16
#define CV_LOAD(p) vload16(0, p)
#define CV_WINDOW window16
DEFINE_WINDOW(16)
#elif CV_PLANES == 8
#define CV_FLOAT float8
#define CV_LOAD(p) vload8(0, p)
#define CV_WINDOW window8
#else
#error "CLG_CV_PLANES must be 8 or 16"
#endif

__kernel void conv2d_depthwise_nchw_cv(__global const float *restrict input,
                                       __global const float *restrict weights,
                                       __global const float *restrict bias,
                                       __global float *restrict output, const int N,
                                       const int C, const int H, const int W, const int K,
                                       const int OH, const int OW, const int PT, const int PL,
                                       const int has_bias, const float output_min,
                                       const float output_max, const int TH, const int TW,
                                       __local float *tile)
{
    const int NK = N * K;
    const int q0 = (int)get_global_id(1) * CV_PLANES; /* first plane; with multiplier 1 the
                                                         input plane of output plane n*K + k is
                                                         n*C + k, the same */
    if (q0 >= NK) return;
    /* The last block moves back to end at plane NK - 1 (the host requires NK >= CV_PLANES), so
       that a block's planes are always consecutive (one base pointer, constant strides); it
       stores only planes from q0 on. */
    const int qb = min(q0, NK - CV_PLANES), skip = q0 - qb;
    const int in_plane = H * W, out_plane = OH * OW;
    const __global float *in = input + (CLG_IDX)qb * in_plane;

    __local float *t = tile + (int)get_local_id(1) * (TH * TW * CV_PLANES);
    /* Zeros where the copy below writes nothing: the padding rows and columns (the tile's
       pixels outside rows PT .. PT+H-1 and columns PL .. PL+W-1). */
#define CV_ZERO(r, c)                                                                     \
    for (int h = 0; h < CV_PLANES / 8; ++h)                                               \
        vstore8((float8)(0.0f), 0, t + ((r) * TW + (c)) * CV_PLANES + h * 8)
    for (int r = 0; r < TH; ++r) {
        if (r < PT || r >= PT + H) {
            for (int c = 0; c < TW; ++c) CV_ZERO(r, c);
        } else {
            for (int c = 0; c < min(PL, TW); ++c) CV_ZERO(r, c);
            for (int c = PL + W; c < TW; ++c) CV_ZERO(r, c);
        }
    }
#undef CV_ZERO
    /* (iy, ix): the input pixel of flat element e, kept by steps of 8 (no division per
       block); the last block moves back to end at the plane's end. */
    int iy = 0, ix = 0;
    for (int e0 = 0; e0 < in_plane; e0 += 8) {
        const int e = min(e0, in_plane - 8);
        if (e != e0) iy = e / W, ix = e - iy * W;
#pragma unroll
        for (int h = 0; h < CV_PLANES / 8; ++h) { /* planes 8h .. 8h+7: lanes 8h .. 8h+7 */
            float8 b[8];
#pragma unroll
            for (int j = 0; j < 8; ++j)
                b[j] = vload8(0, in + (CLG_IDX)(h * 8 + j) * in_plane + e);
            transpose8x8(b); /* b[i]: flat element e + i (row iy, column ix) of the 8 planes */
            int y = iy, x = ix;
#pragma unroll
            for (int i = 0; i < 8; ++i) {
                if (y + PT < TH && x + PL < TW)
                    vstore8(b[i], 0, t + ((y + PT) * TW + x + PL) * CV_PLANES + h * 8);
                if (++x == W) x = 0, ++y;
            }
        }
        ix += 8;
        while (ix >= W) ix -= W, ++iy;
    }

    CV_FLOAT wv[TAPS_];
    float bl[CV_PLANES];
    {
        float wl[TAPS_][CV_PLANES];
        for (int j = 0; j < CV_PLANES; ++j) {
            const int k = (qb + j) % K;
#pragma unroll
            for (int tap = 0; tap < TAPS_; ++tap) wl[tap][j] = weights[k * TAPS_ + tap];
            bl[j] = has_bias ? bias[k] : 0.0f;
        }
#pragma unroll
        for (int tap = 0; tap < TAPS_; ++tap) wv[tap] = CV_LOAD(wl[tap]);
    }
    const CV_FLOAT bv = CV_LOAD(bl);

    __global float *out_base = output + (CLG_IDX)qb * out_plane;
    int oy = 0, ox = 0; /* output pixel of flat position o, kept as (iy, ix) above */
    for (int o0 = 0; o0 < out_plane; o0 += 8) {
        const int o = min(o0, out_plane - 8);
        if (o != o0) oy = o / OW, ox = o - oy * OW;
        float8 acc[CV_PLANES / 8][8]; /* acc[h][i]: output o + i of planes 8h .. 8h+7 */
        int y = oy, x = ox;
#pragma unroll
        for (int i = 0; i < 8; ++i) {
            const CV_FLOAT a =
                CV_WINDOW(t + ((y * SH_) * TW + x * SW_) * CV_PLANES, wv, bv, TW);
#if CV_PLANES == 16
            acc[0][i] = clamp_output8(a.lo, output_min, output_max);
            acc[1][i] = clamp_output8(a.hi, output_min, output_max);
#else
            acc[0][i] = clamp_output8(a, output_min, output_max);
#endif
            if (++x == OW) x = 0, ++y;
        }
        ox += 8;
        while (ox >= OW) ox -= OW, ++oy;
        __global float *out = out_base + o;
#pragma unroll
        for (int h = 0; h < CV_PLANES / 8; ++h) {
            transpose8x8(acc[h]); /* acc[h][j]: outputs o .. o+7 of plane 8h + j */
#pragma unroll
            for (int j = 0; j < 8; ++j)
                if (h * 8 + j >= skip) /* planes before q0 are another work-item's */
                    vstore8(acc[h][j], 0, out + (CLG_IDX)(h * 8 + j) * out_plane);
        }
    }
}

#endif /* channel-vectorised kernel */

#endif /* zero-padded-plane kernel */

#else /* CLG_NHWC */

__kernel void conv2d_depthwise_nhwc(__global const float *restrict input,
                                    __global const float *restrict weights,
                                    __global const float *restrict bias,
                                    __global float *restrict output, const int N, const int C,
                                    const int H, const int W, const int K, const int OH,
                                    const int OW, const int PT, const int PL, const int has_bias,
                                    const float output_min, const float output_max,
                                    const int KH, const int KW, const int SH, const int SW,
                                    const int DH, const int DW, const int M, const int RPW,
                                    const int packed_weights)
{
    /* with CLG_KC the host gives dim 0 K/(CLG_VW*KC_) items: all KC_ vectors lie below K */
    const int k0 = (int)get_global_id(0) * CLG_VW * KC_;
    const int oy0 = (int)get_global_id(1) * RPW;
    const int n = (int)get_global_id(2);
    if (k0 >= K || oy0 >= OH || n >= N) return;

    /* Input channel of each output channel lane (multiplier 1: consecutive, one vector load). */
    int ch[CLG_VW];
#pragma unroll
    for (int j = 0; j < CLG_VW; ++j) ch[j] = (k0 + j) / M_;

#if KC_ > 1
    /* Channel vectors k0 + kc*CLG_VW: each one's tap weights, read once (gathered a lane at a
       time when not packed); CHANNEL_VECTORS_BEGIN takes them from here, from the first-level
       cache, for every chunk of outputs. */
    floatV wkc[KC_][TAPS_];
#pragma unroll 1
    for (int kc = 0; kc < KC_; ++kc)
#pragma unroll
        for (int t = 0; t < TAPS_; ++t)
            wkc[kc][t] = load_weights(weights, k0 + kc * CLG_VW, 0, t, TAPS_, K, packed_weights);
#define TAP_WEIGHTS(c, t) wk[t]
#elif defined(CLG_KH)
    /* Specialised build: the tap weights stay in registers for the whole row (with narrow
       groups, CLG_CPG per tap: some spill to the stack, which is still one load each). */
    floatV wv[CLG_CPG][TAPS_];
#pragma unroll
    for (int c = 0; c < CLG_CPG; ++c)
#pragma unroll
        for (int t = 0; t < TAPS_; ++t)
            wv[c][t] = load_weights(weights, k0, c, t, TAPS_, K, packed_weights);
#define TAP_WEIGHTS(c, t) wv[c][t]
#else
#define TAP_WEIGHTS(c, t) load_weights(weights, k0, c, t, TAPS_, K, packed_weights)
#endif
/* acc += the tap's pixel vector x times the tap's weights, for each input channel of the groups
   (depthwise: one). */
#define TAP_ACCUMULATE(acc, x, t)                                                                  \
    do {                                                                                           \
        const floatV x_ = (x);                                                                     \
        _Pragma("unroll") for (int c_ = 0; c_ < CLG_CPG; ++c_) acc =                               \
            MULADD(GROUP_CHANNEL(x_, c_), TAP_WEIGHTS(c_, t), acc);                                \
    } while (0)
#if KC_ == 1
    floatV b = (floatV)(0.0f);
    if (has_bias) b = LOADV(bias + k0);
#endif
/* The work-item's channel vectors around a chunk of outputs: kk, the vector's first channel
   relative to k0, and bk, its bias; with CLG_KC also wk, its tap weights. Without CLG_KC the
   one vector's weights come from TAP_WEIGHTS as before (registers in specialised builds). */
#if KC_ > 1
#define CHANNEL_VECTORS_BEGIN                                                                      \
    _Pragma("unroll 1") for (int kc = 0; kc < KC_; ++kc)                                           \
    {                                                                                              \
        const int kk = kc * CLG_VW;                                                                \
        floatV wk[TAPS_];                                                                          \
        _Pragma("unroll") for (int t = 0; t < TAPS_; ++t) wk[t] = wkc[kc][t];                      \
        const floatV bk = has_bias ? LOADV(bias + k0 + kk) : (floatV)(0.0f);
#else
#define CHANNEL_VECTORS_BEGIN                                                                      \
    {                                                                                              \
        const int kk = 0;                                                                          \
        const floatV bk = b;
#endif
#define CHANNEL_VECTORS_END }

    const __global float *image = input + (CLG_IDX)n * H * W * C;
    /* Interior pixels [lo, hi): every window column inside the row. */
    const int lo = (int)min(((long)PL + SW_ - 1) / SW_, (long)OW);
    const long reach = (long)W + PL - (long)(KW_ - 1) * DW_; /* interior while ox*SW < reach */
    const int hi = reach <= 0 ? lo : max(lo, (int)min((long)OW, (reach + SW_ - 1) / SW_));

    for (int oy = oy0; oy < min(OH, oy0 + RPW); ++oy) {
        const int iy0 = oy * SH_ - PT;
        __global float *out_row = output + (((CLG_IDX)n * OH + oy) * OW) * K + k0;
#ifdef CLG_ROW_OW
#if !defined(CLG_KH) || CLG_CPG != 1
#error "CLG_ROW_OW needs a specialised depthwise build"
#endif
        /* Whole rows, unrolled: OW, W and PL are constants, so each tap's column is known at
           compile time, taps outside the row vanish instead of being checked, and the loads
           neighbouring outputs share are one load. Chunks of CLG_ROW_CB outputs bound the
           live accumulators. Taps are summed in the same order as the paths below. */
#pragma unroll
        for (int c0 = 0; c0 < CLG_ROW_OW; c0 += CLG_ROW_CB) {
            CHANNEL_VECTORS_BEGIN
            floatV acc[CLG_ROW_CB];
#pragma unroll
            for (int p = 0; p < CLG_ROW_CB; ++p) acc[p] = (floatV)(0.0f);
            UNROLL_GEOMETRY
            for (int ky = 0; ky < KH_; ++ky) {
                const int iy = iy0 + ky * DH_;
                if (iy < 0 || iy >= H) continue;
                const __global float *row = image + (CLG_IDX)iy * CLG_ROW_W * C;
#pragma unroll
                for (int p = 0; p < CLG_ROW_CB; ++p) {
                    UNROLL_GEOMETRY
                    for (int kx = 0; kx < KW_; ++kx) {
                        const int ix = (c0 + p) * SW_ - CLG_ROW_PL + kx * DW_;
                        if (c0 + p < CLG_ROW_OW && ix >= 0 && ix < CLG_ROW_W)
                            TAP_ACCUMULATE(acc[p],
                                           load_pixel(row + (CLG_IDX)ix * C, k0 + kk, ch, M_),
                                           ky * KW_ + kx);
                    }
                }
            }
#pragma unroll
            for (int p = 0; p < CLG_ROW_CB; ++p)
                if (c0 + p < CLG_ROW_OW)
                    STOREV_STREAM(clamp_output(acc[p] + bk, output_min, output_max),
                                  out_row + (CLG_IDX)(c0 + p) * K + kk);
            CHANNEL_VECTORS_END
        }
#else
        int ox = 0;
        while (ox < OW) {
            if (NHWC_PX > 1 && ox >= lo && ox + NHWC_PX <= hi) {
                /* NHWC_PX interior pixels at once: no column checks, and the loads that
                   neighbouring pixels share (stride 1) are one load. */
                const int ix0 = ox * SW_ - PL;
                CHANNEL_VECTORS_BEGIN
                floatV acc[NHWC_PX];
#pragma unroll
                for (int p = 0; p < NHWC_PX; ++p) acc[p] = (floatV)(0.0f);
                UNROLL_GEOMETRY
                for (int ky = 0; ky < KH_; ++ky) {
                    const int iy = iy0 + ky * DH_;
                    if (iy < 0 || iy >= H) continue;
                    const __global float *row = image + (CLG_IDX)iy * W * C;
                    UNROLL_GEOMETRY
                    for (int kx = 0; kx < KW_; ++kx) {
#pragma unroll
                        for (int p = 0; p < NHWC_PX; ++p)
                            TAP_ACCUMULATE(
                                acc[p],
                                load_pixel(row + (CLG_IDX)(ix0 + p * SW_ + kx * DW_) * C,
                                           k0 + kk, ch, M_),
                                ky * KW_ + kx);
                    }
                }
#pragma unroll
                for (int p = 0; p < NHWC_PX; ++p)
                    STOREV_STREAM(clamp_output(acc[p] + bk, output_min, output_max),
                                  out_row + (CLG_IDX)(ox + p) * K + kk);
                CHANNEL_VECTORS_END
                ox += NHWC_PX;
                continue;
            }
            /* One pixel, columns checked (borders, and what is left of the interior). */
            const int ix0 = ox * SW_ - PL;
            CHANNEL_VECTORS_BEGIN
            floatV acc = (floatV)(0.0f);
            UNROLL_GEOMETRY
            for (int ky = 0; ky < KH_; ++ky) {
                const int iy = iy0 + ky * DH_;
                if (iy < 0 || iy >= H) continue;
                const __global float *row = image + (CLG_IDX)iy * W * C;
                UNROLL_GEOMETRY
                for (int kx = 0; kx < KW_; ++kx) {
                    const int ix = ix0 + kx * DW_;
                    if (ix < 0 || ix >= W) continue;
                    TAP_ACCUMULATE(acc, load_pixel(row + (CLG_IDX)ix * C, k0 + kk, ch, M_),
                                   ky * KW_ + kx);
                }
            }
            STOREV_STREAM(clamp_output(acc + bk, output_min, output_max),
                          out_row + (CLG_IDX)ox * K + kk);
            CHANNEL_VECTORS_END
            ++ox;
        }
#endif
    }
    STREAM_FENCE();
}

#if defined(CLG_KH) && CLG_M == 1 && CLG_VW == 8

/* NHWC counterpart of conv2d_depthwise_nchw_cv for small images: a work-item takes 8 channels
   k0 .. k0+7 of one image, copies their zero-padded TH x TW plane into its part of the __local
   tile (one 8-channel vector per pixel, already contiguous in NHWC), then convolves every
   output pixel with plain vector loads: no border checks, which took 3 of 7 pixels of a 7x7
   row through the checked path of conv2d_depthwise_nhwc. */
__kernel void conv2d_depthwise_nhwc_tile(__global const float *restrict input,
                                         __global const float *restrict weights,
                                         __global const float *restrict bias,
                                         __global float *restrict output, const int N,
                                         const int C, const int H, const int W, const int K,
                                         const int OH, const int OW, const int PT, const int PL,
                                         const int has_bias, const float output_min,
                                         const float output_max, const int TH, const int TW,
                                         __local float *tile, const int packed_weights)
{
    const int blocks = K / 8;
    const int q = (int)get_global_id(1); /* n * blocks + channel block */
    if (q >= N * blocks) return;
    const int n = q / blocks, k0 = (q - n * blocks) * 8;

    __local float *t = tile + (int)get_local_id(1) * (TH * TW * 8);
    for (int i = 0; i < TH * TW; ++i) vstore8((float8)(0.0f), i, t);
    const int rows = min(H, TH - PT), cols = min(W, TW - PL);
    const __global float *image = input + (CLG_IDX)n * H * W * C + k0;
    for (int iy = 0; iy < rows; ++iy)
        for (int ix = 0; ix < cols; ++ix)
            vstore8(vload8(0, image + (CLG_IDX)(iy * W + ix) * C), (iy + PT) * TW + ix + PL, t);

    float8 wv[TAPS_];
#pragma unroll
    for (int tap = 0; tap < TAPS_; ++tap)
        wv[tap] = load_weights(weights, k0, 0, tap, TAPS_, K, packed_weights);
    const float8 bv = has_bias ? vload8(0, bias + k0) : (float8)(0.0f);

    __global float *out = output + (CLG_IDX)n * OH * OW * K + k0;
    for (int oy = 0; oy < OH; ++oy)
        for (int ox = 0; ox < OW; ++ox) {
            const float8 a = window8(t + ((oy * SH_) * TW + ox * SW_) * 8, wv, bv, TW);
            vstore8(clamp_output(a, output_min, output_max), 0,
                    out + (CLG_IDX)(oy * OW + ox) * K);
        }
}

#endif /* NHWC tile kernel */

/* depthwise_pack_weights: the NHWC kernels' packed weights (clgconv_conv2d_pack_weights):
   packed[i][k] = weights[k][i] for the K output channels and the GT = CLG_CPG x taps weights
   of each, so that a tap's weights for consecutive channels are one vector load.
   dim 0: k, dim 1: i (items beyond K or GT return). Arguments: weights, packed, K, GT. */
__kernel void depthwise_pack_weights(__global const float *restrict weights,
                                     __global float *restrict packed, const int K, const int GT)
{
    const int k = (int)get_global_id(0), i = (int)get_global_id(1);
    if (k < K && i < GT) packed[(CLG_IDX)i * K + k] = weights[(CLG_IDX)k * GT + i];
}

#endif /* CLG_NHWC */
