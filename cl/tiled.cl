/* tiled.cl: register-tiled direct grouped convolution, specialised at build time on the kernel geometry and channels per group, vectorised along the contiguous dimension. */

/*
 * Compile-time options (the host passes them in this order so that equal options give equal
 * strings and share one cached program; image sizes, padding, batch and group count stay
 * runtime arguments so one program serves many layers, but for -DCLG_EDGES' row constants):
 *   -DCLG_KH=, -DCLG_KW=, -DCLG_SH=, -DCLG_SW=, -DCLG_DH=, -DCLG_DW=
 *                kernel geometry, all or none: with them the window loops are unrolled (a
 *                specialised build: the host gives them for every window up to 7x7); without
 *                them the kernels read these values from their trailing runtime arguments
 *                (one generic build per tile shape serves the larger windows)
 *   -DCLG_CPG=, -DCLG_KPG=  input and output channels per group, both or none: with them the
 *                weight rows of a tile sit at constant offsets (for layers with many channels
 *                per group, where it pays); without them they are runtime arguments
 *   -DCLG_VW=n   vector width along the contiguous dimension (1, 2, 4, 8 or 16)
 *   -DCLG_TB=t   tile depth in the other dimension (NCHW: output channels per work-item;
 *                NHWC: output pixels along x per work-item), 1..16
 *   -DCLG_TX=x   (NCHW only) vectors along the run per work-item (default 1): the tile is
 *                CLG_TB channels x CLG_TX*CLG_VW pixels, so small channel tiles still reuse each
 *                broadcast weight for several vectors
 *   -DCLG_FLAT=1 (NCHW only) 1x1 kernel, stride 1, no padding: pixels are taken as one flat
 *                run of H*W, so vectors never straddle row ends
 *   -DCLG_NARROW=1 (NCHW rows, not flat or pitched) rows narrower than the block's
 *                CLG_TX*CLG_VW pixels but at least CLG_VW: the block's last vectors move back
 *                to end at the row's end and every vector is stored whole
 *   -DCLG_EDGES=1 on the unpadded input, no pre-pass. NCHW, with -DCLG_EDGE_W=w
 *                -DCLG_EDGE_OW=ow -DCLG_EDGE_PL=pl (input width w >= CLG_VW, output width ow,
 *                left padding pl), CLG_NARROW, a specialised geometry with SW 1 and CLG_VW 16:
 *                one block per output row; a load whose lanes leave the row loads the vector
 *                inside it and shifts its lanes by up to 2, zeros coming in (edge_load). NHWC,
 *                with -DCLG_EDGE_LEFT=l -DCLG_EDGE_RIGHT=r, a specialised geometry, row tiles
 *                of one group per vector: every tile takes the interior loops; column j of a
 *                tile's span (p*SW + kx*DW) can be outside the image only where j < l or j >=
 *                r (the host's bounds), and there reads the zeros after the weights
 *   -DCLG_KV=v   (NHWC tiles, one group per vector; default 1) v channel vectors per
 *                work-item: each broadcast input value feeds v FMAs, one per weight vector
 *                (not with CLG_ROW_SHARE)
 *   -DCLG_RPV=2  (NHWC tiles of 8-lane group vectors, CLG_CPG even, NHWC input
 *                addressing; default 1) reduction pairs: 16-lane accumulators, lane 2j + i
 *                summing output channel j's terms of the even (i = 0) or odd (i = 1) input
 *                channels, a pixel's two adjacent input channels broadcast as one 64-bit
 *                value; the halves are added before the bias (not with CLG_KV, CLG_ROW_SHARE
 *                or CLG_NCHW_IO)
 *   -DCLG_KPGP=p (NHWC build with CLG_KPG not a multiple of 8, CLG_WT_BLOCKED, CLG_VW=8)
 *                p = CLG_KPG rounded up to 8: each group's channels in whole 8-lane blocks,
 *                transpose_weights writing zero weights for channels KPG .. p-1 (the
 *                transposed weights are G*p*RED floats), the conv2d_tiled_nhwc work-items of
 *                a group's last block reading the bias and storing only its first KPG % 8
 *                channels
 *   -DCLG_GPV=n  (NHWC only, with CLG_VW=8 and CLG_CPG == CLG_KPG) n = 8/KPG groups per vector:
 *                a work-item's 8 lanes are 8 consecutive output channels of n groups
 *   -DCLG_NHWC=1 build the NHWC kernels (conv2d_tiled_nhwc, transpose_weights) instead of the
 *                NCHW ones (each build compiles only what its layout needs)
 *   -DCLG_OUT_NHWC=1 (NCHW build) conv2d_tiled_nchw writes an NHWC output (see below)
 *   -DCLG_PITCHED=1 NCHW build (stride 1, on pad_input's padded image): pixel blocks run over
 *                the padded image's flat positions instead of one output row; NHWC build:
 *                pixel tiles run over the image's output pixels in order (see below)
 *   -DCLG_WT_BLOCKED=1 (NHWC, one group per vector) transpose_weights writes, and
 *                conv2d_tiled_nhwc reads, the weights in blocks of CLG_VW channels
 *   -DCLG_NCHW_IO=1 (NHWC build with CLG_PITCHED or CLG_EDGES) conv2d_tiled_nhwc reads NCHW
 *                input and writes NCHW output (an NCHW layer run by the NHWC kernel's tiles)
 *   -DCLG_OUT_NCHW=1 (NHWC build) conv2d_tiled_nhwc writes NCHW output (an NCHW layer run by
 *                the NHWC kernel on pad_input_from_nchw's copy), and the build has
 *                pad_input_from_nchw
 *   -DCLG_ROW_SHARE=1 (NHWC build, specialised geometry with SW 1 and DW 1, row tiles, one
 *                group per vector) conv2d_tiled_nhwc's interior tiles broadcast each input value
 *                of a row once for all KW taps (TB + KW - 1 values held in registers)
 *   -DCLG_GROUP_BLOCKED=1 (NHWC build with constant channel counts, row tiles, one group per
 *                vector) conv2d_tiled_nhwc reads a group-blocked input, [N][G][H][W][CPG]:
 *                pad_input_group_blocked's padded copy
 *   -DCLG_IDX=type element offsets: int (default) or long for tensors of 2^31 elements or more
 *
 * Semantics: y[n][k][oy][ox] = clamp(b[k] + sum_{c,ky,kx} x[n][g*CPG+c][iy][ix] * w[k][c][ky][kx])
 * with g = k / KPG, iy = oy*SH - PT + ky*DH, ix = ox*SW - PL + kx*DW, x = 0 outside the image.
 * The clamp uses comparisons, so NaN stays NaN. bias is read only when has_bias != 0.
 *
 * conv2d_tiled_nchw: input [N][C][H][W], weights [K][CPG][KH][KW], output [N][K][OH][OW].
 *   dim 0: pixel block, S = CLG_TX*CLG_VW consecutive output pixels of one row (or of the flat
 *          run when CLG_FLAT): block b -> oy = b / XB, ox0 = (b % XB) * S, XB = ceil(OW / S)
 *   dim 1: block of CLG_TB output channels within the group
 *   dim 2: n*G + g (all groups and images in one launch)
 *   The last pixel block of a run and the last channel tile of a group are moved back to end
 *   at the run's / group's end and store only what no other block stores, so every block
 *   works on full vectors and the weight rows of a tile sit at constant offsets.
 *   Each work-item holds CLG_TB x CLG_TX vectors of CLG_VW outputs: one input vector load feeds
 *   CLG_TB FMAs and one broadcast weight CLG_TX FMAs. Blocks whose input span lies inside the
 *   row use vector loads; border and tail blocks
 *   build their input vectors with clamped addresses and selects (a separate loop, so the
 *   interior loop has no per-element branches).
 *   With -DCLG_OUT_NHWC=1 (an NHWC layer run through this kernel) the output is NHWC,
 *   [N][OH][OW][K], each lane stored on its own.
 *   With -DCLG_PITCHED=1 (stride 1; input zero-padded so that PT = PL = 0 and rows of pitch W
 *   hold every window): dim 0's blocks cover the run of flat positions p = oy*W + ox, p <
 *   (OH-1)*W + OW, so that images narrower than two vectors still fill 2-vector blocks; the
 *   window of p starts at position p of each input plane, so every load is a plain vector
 *   load; lanes with ox >= OW are dropped and the others stored one by one. Needs run >= SPAN.
 *   Arguments: input, weights, bias, output, N, G, H, W, OH, OW, PT, PL, XB, has_bias,
 *   output_min, output_max, KH, KW, SH, SW, DH, DW, CPG, KPG.
 *
 * conv2d_tiled_nhwc: input [N][H][W][C], output [N][OH][OW][K], weights pre-transposed by
 *   transpose_weights to wt[wt_offset + ...] as [g][c][ky][kx][KPG] (the plan's workspace;
 *   with CLG_WT_BLOCKED [g][KPG/CLG_VW][c][ky][kx][CLG_VW]; with CLG_RPV=2
 *   [g][c/2][ky][kx][KPG][2], the last index c%2, and with both [g][KPG/8][c/2][ky][kx][8][2];
 *   with CLG_KPGP, KPGP in place of KPG, the channels past KPG zero weights).
 *   dim 0: block of CLG_KV*CLG_VW output channels within the group (the host picks
 *          CLG_KV*CLG_VW | KPG, or with CLG_KPGP 8-lane blocks over KPGP);
 *          with CLG_GPV > 1 a block of 8 output channels over all K (dim 2 then n*OH + oy)
 *   dim 1: block of CLG_TB output pixels along x: ox0 = id * CLG_TB
 *   dim 2: (n*OH + oy)*G + g
 *   With CLG_PITCHED (one group per vector): dim 1 is a tile of CLG_TB consecutive output
 *   pixels q0 = id * CLG_TB of the image (p = oy*OW + ox; a tile may span rows, each pixel's
 *   window at its own offset; the image's last tile computes its surplus pixels from the last
 *   pixel and stores only its own), dim 2: n*G + g. Taps outside the image read zeros at
 *   wt[wt_offset + G*KPGP*RED] (transpose_weights writes them; KPGP = KPG unless CLG_KPGP),
 *   so no padded copy is needed.
 *   With CLG_NCHW_IO as well (pitched or edge row tiles): input [N][C][H][W] and output
 *   [N][K][OH][OW], the zeros (CPG-1)*H*W + 1 of them.
 *   With CLG_NCHW_IO or CLG_OUT_NCHW the output is [N][K][OH][OW]: a whole tile (8-lane
 *   multiples) is transposed in registers in blocks of 8 pixels x 8 channels and each
 *   channel's pixels stored together; a partial tile (the image's last pitched tile, a row's
 *   last row tile) and narrower vectors go lane by lane.
 *   Each work-item holds CLG_TB x CLG_KV vectors of CLG_VW channels (with CLG_RPV=2 of
 *   2*CLG_VW lanes, two per channel, folded before the stores): one weight vector load feeds
 *   CLG_TB FMAs with broadcast input values, one broadcast CLG_KV FMAs.
 *   With CLG_GROUP_BLOCKED the input is [N][G][H][W][CPG] (each group's image contiguous, a
 *   pixel's CPG channels CPG floats apart from the next pixel's).
 *   Arguments: input, wt, bias, output, N, G, H, W, OH, OW, PT, PL, has_bias, wt_offset,
 *   output_min, output_max, KH, KW, SH, SW, DH, DW, CPG, KPG.
 *
 * transpose_weights: wt[wt_offset + (g*RED + r)*KPG + kk] = w[(g*KPG + kk)*RED + r] for
 *   r < RED = CPG*KH*KW (with CLG_WT_BLOCKED: wt[wt_offset + g*RED*KPG + ((kk/CLG_VW)*RED +
 *   r)*CLG_VW + kk%CLG_VW]; with CLG_RPV=2, r = c*KH*KW + tap: wt[wt_offset + g*RED*KPG +
 *   ((c/2)*KH*KW + tap)*2*KPG + 2*kk + c%2], pair rows of 2*KPG lanes; with both,
 *   wt[wt_offset + g*RED*KPG + (kk/8)*RED*8 + ((c/2)*KH*KW + tap)*16 + 2*(kk%8) + c%2]; with
 *   CLG_KPGP, g*RED*KPGP for g*RED*KPG and zero weights for KPG <= kk < KPGP); then `zeros`
 *   zeros after them (the pitched and edge tiles' taps outside the image read them; 0
 *   for other plans).
 *   dim 0: block of 8 output channels kk (with CLG_GPV: one lane kk), dim 1: g; each
 *   work-item walks the whole reduction (one element per work-item made it a work-group per
 *   64 weights, and PoCL pays about a microsecond per work-group), 8 x 8 blocks transposed in
 *   registers (with CLG_RPV=2 element by element). Arguments: w, wt, wt_offset, G, KH, KW, CPG,
 *   KPG, zeros.
 *
 * pad_input (both builds): the optional pre-pass of either layout (the host picks it when
 *   border blocks or tiles would cost more than a copy): writes the input zero-padded into the
 *   plan's workspace, padded[p][r][q] = input[p][r - PT][q - PL] (0 outside the image) for
 *   p < planes, r < HP, q < WP, with HP and WP large enough that every block / tile of the
 *   convolution, run with PT = PL = 0 on it, takes the interior path. In elements: NCHW passes
 *   planes N*C and rows of W; NHWC planes N and rows of W*C (with WP and PL times C too).
 *   dim 0: block of RPI padded rows (work-item i writes rows i*RPI .. i*RPI + RPI - 1 of the
 *   rows p*HP + r, those below `rows`).
 *   Arguments: input, padded, rows (planes*HP), H, W, HP, WP, PT, PL, RPI.
 *
 * pad_input_group_blocked (NHWC builds with CLG_GROUP_BLOCKED): the pre-pass writing the
 *   group-blocked padded image, padded[n][g][r][q][c] = input[n][r - PT][q - PL][g*CPG + c] (0
 *   outside the image), r < HP, q < WP, c < CPG. dim 0: group g, dim 1: block of RPI rows
 *   n*HP + r (a work-item writes its group's padded rows, each one contiguous run).
 *   Arguments: input, padded, rows (N*HP), H, W, HP, WP, PT, PL, RPI, G.
 *
 * NHWC layers with few channels per group run through the NCHW kernel (the host decides; their
 * NHWC tiles use 4-lane vectors or less): pad_input_from_nhwc copies the input to a padded NCHW
 * image, the kernel built with -DCLG_OUT_NHWC=1 writes the NHWC output.
 * pad_input_from_nhwc: the pre-pass reading an NHWC input, writing the NCHW padded image:
 *   padded[(n*C + c)*HP + r][q] = input[n][r - PT][q - PL][c] (0 outside the image).
 *   dim 0: block of 8 channels c, dim 1: n*HP + r (each work-item walks its row in blocks of
 *   8 columns). Arguments: input, padded, N, C, H, W, HP, WP, PT, PL.
 *
 * NCHW layers that the NHWC row tiles run faster (strided, wide images) take the mirror path:
 * pad_input_from_nchw (NHWC builds with CLG_OUT_NCHW): the pre-pass reading an NCHW input,
 *   writing the padded NHWC image: padded[(n*HP + r)*WP + q][c] = input[n][c][r - PT][q - PL]
 *   (0 outside the image). dim 0: block of 8 channels c, dim 1: n*HP + r (each work-item walks
 *   its row in blocks of 8 columns, 8 x 8 blocks transposed in registers). Arguments: input,
 *   padded, N, C, H, W, HP, WP, PT, PL.
 */

#ifndef CLG_IDX
#define CLG_IDX int
#endif
#ifndef CLG_FLAT
#define CLG_FLAT 0
#endif
#ifndef CLG_NHWC
#define CLG_NHWC 0
#endif
#ifndef CLG_OUT_NHWC
#define CLG_OUT_NHWC 0
#endif
/* conv2d_tiled_nchw's distance between consecutive output pixels of one channel (K: the
   kernel's channel count, for NHWC output). */
#if CLG_OUT_NHWC
#define OUT_STEP K
#else
#define OUT_STEP 1
#endif
#ifndef CLG_PITCHED
#define CLG_PITCHED 0
#endif
#ifndef CLG_NARROW
#define CLG_NARROW 0
#endif
#ifndef CLG_EDGES
#define CLG_EDGES 0
#endif
#ifndef CLG_NCHW_IO
#define CLG_NCHW_IO 0
#endif
#if CLG_NCHW_IO && !(CLG_NHWC && (CLG_PITCHED || CLG_EDGES))
#error CLG_NCHW_IO needs the NHWC build's pitched or edge tiles
#endif
#ifndef CLG_OUT_NCHW
#define CLG_OUT_NCHW 0
#endif
#if CLG_OUT_NCHW && !CLG_NHWC
#error CLG_OUT_NCHW is for the NHWC build
#endif
/* conv2d_tiled_nhwc stores NCHW output (an NCHW layer run by the NHWC kernel) */
#define NCHW_OUT_ (CLG_NCHW_IO || CLG_OUT_NCHW)

/* Geometry: build-time constants in a specialised build, else the runtime arguments. */
#ifdef CLG_KH
#define KH_ CLG_KH
#define KW_ CLG_KW
#define SH_ CLG_SH
#define SW_ CLG_SW
#define DH_ CLG_DH
#define DW_ CLG_DW
#define UNROLL_GEOMETRY _Pragma("unroll")
#else
#define KH_ KH
#define KW_ KW
#define SH_ SH
#define SW_ SW
#define DH_ DH
#define DW_ DW
#define UNROLL_GEOMETRY
#endif
#ifdef CLG_CPG
#define CPG_ CLG_CPG
#define KPG_ CLG_KPG
#if !CLG_NHWC && CLG_TB > CLG_KPG
#error "NCHW channel tiles (CLG_TB) must not exceed the group's output channels (CLG_KPG)"
#endif
#else
#define CPG_ CPG
#define KPG_ KPG
#endif

#define RED_ (CPG_ * KH_ * KW_) /* reduction length per output */

/* NHWC: the output channels per group that the tiles cover (CLG_KPGP, see the option list),
   KPG_ unless padded to whole 8-lane vectors */
#ifdef CLG_KPGP
#define KPGP_ CLG_KPGP
#if !CLG_NHWC || !defined(CLG_KPG) || !defined(CLG_WT_BLOCKED) || CLG_VW != 8 ||            \
    CLG_GPV > 1 || CLG_KPG % 8 == 0 || CLG_KPGP % 8 != 0 || CLG_KPGP < CLG_KPG ||             \
    CLG_KPGP >= CLG_KPG + 8
#error CLG_KPGP: NHWC, constant counts, blocked weights, one group per 8 lanes, KPG rounded up
#endif
#else
#define KPGP_ KPG_
#endif

/* Border blocks (a few per row) keep their window loops rolled: unrolled, with every lane's
   checked load, they multiplied the build time of a specialised program (9.5 s for a 3x3
   stride-2 build on PoCL) for no measurable speed. */
#define KEEP_ROLLED _Pragma("unroll 1")

/* MULADD, floatV, LOADV, STOREV, FROM_ARRAY, TO_ARRAY, clamp_output, store_lanes, LOAD_STRIDED,
   LOAD_SPAN and load_checked come from vector_common.cl, which the host places before this file. */

#ifndef CLG_TX
#define CLG_TX 1
#endif
#define SPAN (CLG_TX * CLG_VW) /* NCHW: output pixels of a work-item along the run */

/* NCHW: the tile's FMAs for reduction index r: every channel's weight (broadcast once) times
   every input vector x[t]. */
#define TILE_FMAS(r)                                                                           \
    do {                                                                                       \
        _Pragma("unroll") for (int j_ = 0; j_ < CLG_TB; ++j_)                                  \
        {                                                                                      \
            const floatV w_ = (floatV)(wt0[j_ * RED_ + (r)]);                                  \
            _Pragma("unroll") for (int t_ = 0; t_ < CLG_TX; ++t_)                              \
                acc[j_ * CLG_TX + t_] = MULADD(x[t_], w_, acc[j_ * CLG_TX + t_]);              \
        }                                                                                      \
    } while (0)

/* Transposing copies (pad_input_from_nhwc and _from_nchw, transpose_weights) move 8 x 8
   blocks: eight 8-float loads along one layout, eight 8-float stores along the other (the
   transposition in registers, transpose8x8 from vector_common.cl); blocks cut by an edge go
   element by element. STORE_COLUMNS stores column j of b[0..7] at dst + j*stride (b is
   transposed in place). */
#define STORE_COLUMNS(b, dst, stride)                                                          \
    do {                                                                                       \
        transpose8x8(b);                                                                       \
        _Pragma("unroll") for (int j_ = 0; j_ < 8; ++j_)                                       \
            vstore8((b)[j_], 0, (dst) + j_ * (stride));                                        \
    } while (0)

/* The pre-passes' (pad_input, pad_input_from_nhwc, _from_nchw) padded row r of an image (input
   row iy = r - PT): padded columns [*lo, *hi) hold input columns [*lo - PL, *hi - PL) (the
   padded row may end before the input row does); the rest are 0, and all of a row outside the
   image (*lo = *hi = WP). */
static void padded_span(const int iy, const int H, const int W, const int PL, const int WP,
                        int *lo, int *hi)
{
    const bool in_rows = iy >= 0 && iy < H;
    *lo = in_rows ? min(PL, WP) : WP;
    *hi = in_rows ? min(PL + W, WP) : WP;
}

#if !CLG_NHWC

#if CLG_NARROW && (CLG_FLAT || CLG_PITCHED)
#error CLG_NARROW is for rows of one block, not flat or pitched runs
#endif
#if CLG_EDGES
#if !CLG_NARROW || !defined(CLG_KH) || CLG_SW != 1 || CLG_VW != 16
#error CLG_EDGES needs CLG_NARROW, a specialised geometry with stride 1 and 16 lanes
#endif
/* Vector t of a row's block starts at output pixel EDGE_VOFF(t) (the last ones moved back to
   end at the row's end, as with CLG_NARROW). */
#define EDGE_VOFF(t) min((t) * CLG_VW, CLG_EDGE_OW - CLG_VW)
/* Shifts of d lanes, zeros coming in: mask EDGE_Rd puts v[j - d] in lane j (a row's start),
   EDGE_Ld v[j + d] (a row's end), d = 1 or 2. */
#define EDGE_R1 16, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14
#define EDGE_R2 16, 16, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13
#define EDGE_L1 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16
#define EDGE_L2 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 16
/* v's lanes moved by a constant shift, zeros (lane CLG_VW of the pair) coming in. Clang's
   __builtin_shufflevector makes it one two-source permutation; vectors built from swizzled
   pieces compiled to 4-6 inserts and OpenCL's shuffle2 with a constant mask to more (the
   kernel 1.25x / 1.4x slower than on the padded copy); other compilers get shuffle2. */
#ifdef __clang__
#define EDGE_SHIFT(v, m) __builtin_shufflevector((v), (floatV)(0.0f), m)
#else
#define EDGE_SHIFT(v, m) shuffle2((v), (floatV)(0.0f), (uint16)(m))
#endif
/* row[o .. o+CLG_VW-1] of an input row, 0 outside it: the vector inside the row nearest to it,
   shifted (o is a constant once the window loops are unrolled; the host guarantees the shift
   is at most 2 and CLG_EDGE_W >= CLG_VW). */
static floatV edge_load(const __global float *row, const int o)
{
    const int oc = clamp(o, 0, CLG_EDGE_W - CLG_VW), d = o - oc;
    const floatV v = LOADV(row + oc);
    if (d == -1) return EDGE_SHIFT(v, EDGE_R1);
    if (d == -2) return EDGE_SHIFT(v, EDGE_R2);
    if (d == 1) return EDGE_SHIFT(v, EDGE_L1);
    if (d == 2) return EDGE_SHIFT(v, EDGE_L2);
    return v;
}
#endif

/* The interior loop's load of vector t for tap column kx from row (ix0 already added): plain
   strided loads, or with CLG_EDGES edge_load at the row's constant offsets. */
#if CLG_EDGES
#define INTERIOR_LOAD(row, kx, t) edge_load((row), voff[t] + (kx) * DW_ - CLG_EDGE_PL)
#else
#define INTERIOR_LOAD(row, kx, t) LOAD_STRIDED((row) + (kx) * DW_ + voff[t] * SW_)
#endif

__kernel void conv2d_tiled_nchw(__global const float *restrict input,
                                __global const float *restrict weights,
                                __global const float *restrict bias,
                                __global float *restrict output, const int N, const int G,
                                const int H, const int W, const int OH, const int OW,
                                const int PT, const int PL, const int XB, const int has_bias,
                                const float output_min, const float output_max, const int KH,
                                const int KW, const int SH, const int SW, const int DH,
                                const int DW, const int CPG, const int KPG)
{
    const int blk = (int)get_global_id(0);
    const int kb0 = (int)get_global_id(1) * CLG_TB;
    const int ng = (int)get_global_id(2);
#if CLG_FLAT
    const int oy = 0, run = OH * OW, start = blk * SPAN;
    if (start >= run || kb0 >= KPG_ || ng >= N * G) return;
#elif CLG_PITCHED
    /* Output (oy, ox) is flat position oy*W + ox of the padded image's pitch W (the run's
       positions with ox >= OW are computed and dropped); its window starts at the same
       position of the padded input. */
    const int oy = 0, run = (OH - 1) * W + OW, start = blk * SPAN;
    if (start >= run || kb0 >= KPG_ || ng >= N * G) return;
#else
    const int oy = blk / XB, run = OW, start = (blk - oy * XB) * SPAN;
    if (oy >= OH || kb0 >= KPG_ || ng >= N * G) return;
#endif
    const int n = ng / G, g = ng - n * G;
    const int C = G * CPG_, K = G * KPG_;
    /* The last block of a run and the last channel tile of a group are moved back to end at
       the run's / group's end (when it is long enough), so every block is made of full vectors
       and every tile's weight rows lie at constant offsets; a moved block stores only the
       outputs from its nominal start on. The host guarantees CLG_TB <= KPG. */
    const int ox0 = run >= SPAN ? min(start, run - SPAN) : 0;
    /* Vector t starts at pixel ox0 + voff[t]: t*CLG_VW, or with CLG_NARROW (rows narrower than
       the block, at least a vector wide) the last vectors move back to end at the row's end,
       overlapping the ones before, which hold the same outputs: every vector is then stored
       whole by this work-item instead of lane by lane through memory. */
    int voff[CLG_TX];
#if CLG_EDGES
#pragma unroll
    for (int t = 0; t < CLG_TX; ++t) voff[t] = EDGE_VOFF(t);
#elif CLG_NARROW
    const int last_off = run - ox0 >= CLG_VW ? run - ox0 - CLG_VW : (CLG_TX - 1) * CLG_VW;
#pragma unroll
    for (int t = 0; t < CLG_TX; ++t) voff[t] = min(t * CLG_VW, last_off);
#else
#pragma unroll
    for (int t = 0; t < CLG_TX; ++t) voff[t] = t * CLG_VW;
#endif
    const int kt = min(kb0, KPG_ - CLG_TB);
    const __global float *wt0 = weights + (CLG_IDX)(g * KPG_ + kt) * RED_;

    floatV acc[CLG_TB * CLG_TX]; /* acc[j * CLG_TX + t]: channel kt + j, vector t */
#pragma unroll
    for (int i = 0; i < CLG_TB * CLG_TX; ++i) acc[i] = (floatV)(0.0f);
    floatV x[CLG_TX];

    const __global float *in = input + ((CLG_IDX)n * C + (CLG_IDX)g * CPG_) * H * W;
#if CLG_FLAT
    if (ox0 + voff[CLG_TX - 1] + CLG_VW <= run) {
        for (int c = 0; c < CPG_; ++c) {
#pragma unroll
            for (int t = 0; t < CLG_TX; ++t) x[t] = LOADV(in + (CLG_IDX)c * run + ox0 + voff[t]);
            TILE_FMAS(c);
        }
    } else {
        for (int c = 0; c < CPG_; ++c) {
#pragma unroll
            for (int t = 0; t < CLG_TX; ++t)
                x[t] = load_checked(in + (CLG_IDX)c * run, ox0 + voff[t], 1, run);
            TILE_FMAS(c);
        }
    }
#else
#if CLG_PITCHED
    /* Every block is interior: row iy = ky*DH starts at plane + iy*W + ox0. */
    const int iy0 = 0, ix0 = ox0;
    const bool interior = true;
#elif CLG_EDGES
    /* One block per output row (ox0 = 0) on the unpadded input: every block takes the interior
       loop, its loads that leave the row shifted by edge_load (INTERIOR_LOAD). */
    const int iy0 = oy * SH_ - PT, ix0 = 0;
    const bool interior = true;
#else
    const int iy0 = oy * SH_ - PT, ix0 = ox0 * SW_ - PL;
    const bool interior =
        ix0 >= 0 && ix0 + (KW_ - 1) * DW_ + voff[CLG_TX - 1] * SW_ + LOAD_SPAN < W;
#endif
    if (interior) {
        for (int c = 0; c < CPG_; ++c) {
            const __global float *plane = in + (CLG_IDX)c * H * W;
            UNROLL_GEOMETRY
            for (int ky = 0; ky < KH_; ++ky) {
                const int iy = iy0 + ky * DH_;
                if (iy < 0 || iy >= H) continue;
                const __global float *row = plane + iy * W + ix0;
                UNROLL_GEOMETRY
                for (int kx = 0; kx < KW_; ++kx) {
#pragma unroll
                    for (int t = 0; t < CLG_TX; ++t)
                        x[t] = INTERIOR_LOAD(row, kx, t);
                    TILE_FMAS((c * KH_ + ky) * KW_ + kx);
                }
            }
        }
    } else {
        /* Border blocks: vectors whose span lies inside the row still use vector loads. */
        for (int c = 0; c < CPG_; ++c) {
            const __global float *plane = in + (CLG_IDX)c * H * W;
            KEEP_ROLLED
            for (int ky = 0; ky < KH_; ++ky) {
                const int iy = iy0 + ky * DH_;
                if (iy < 0 || iy >= H) continue;
                const __global float *row = plane + iy * W;
                KEEP_ROLLED
                for (int kx = 0; kx < KW_; ++kx) {
#pragma unroll
                    for (int t = 0; t < CLG_TX; ++t) {
                        const int ix = ix0 + kx * DW_ + voff[t] * SW_;
                        if (ix >= 0 && ix + LOAD_SPAN < W)
                            x[t] = LOAD_STRIDED(row + ix);
                        else
                            x[t] = load_checked(row, ix, SW_, W);
                    }
                    TILE_FMAS((c * KH_ + ky) * KW_ + kx);
                }
            }
        }
    }
#endif

#pragma unroll
    for (int j = 0; j < CLG_TB; ++j) {
        if (kt + j < kb0) continue; /* another tile's channel */
        const int k = g * KPG_ + kt + j;
        const float b = has_bias ? bias[k] : 0.0f;
#if CLG_OUT_NHWC
        /* Pixel x of the run is output pixel (n, oy, x) (flat runs: oy = 0, x < OH*OW). */
        __global float *out = output + ((CLG_IDX)n * OH + oy) * OW * K + k;
#else
        __global float *out = output + (((CLG_IDX)n * K + k) * OH + oy) * OW;
#endif
#pragma unroll
        for (int t = 0; t < CLG_TX; ++t) {
            const int x0 = ox0 + voff[t]; /* first pixel of vector t */
            const floatV v =
                clamp_output(acc[j * CLG_TX + t] + (floatV)(b), output_min, output_max);
            const int first = clamp(start - x0, 0, CLG_VW), last = clamp(run - x0, 0, CLG_VW);
#if CLG_PITCHED || CLG_OUT_NHWC
            /* Lane by lane: output pixel o of lane l goes to out[o * OUT_STEP]. Pitched runs:
               lane l is flat position x0 + l = py*W + px, an output only when px < OW. */
            float lanes[CLG_VW];
            TO_ARRAY(v, lanes);
#if CLG_PITCHED
            int py = (x0 + first) / W, px = x0 + first - py * W;
#endif
            for (int l = first; l < last; ++l) {
#if CLG_PITCHED
                const int o = py * OW + px;
                const bool stored = px < OW;
                if (++px == W) px = 0, ++py;
#else
                const int o = x0 + l;
                const bool stored = true;
#endif
                if (stored) out[(CLG_IDX)o * OUT_STEP] = lanes[l];
            }
#else
            store_lanes(v, out + x0, first, last);
#endif
        }
    }
}

#else /* CLG_NHWC */

#ifndef CLG_GPV
#define CLG_GPV 1
#endif
#ifndef CLG_RPV
#define CLG_RPV 1
#endif
#if CLG_GPV > 1
/* Several groups per vector (CLG_GPV = CLG_VW / KPG, needs CPG == KPG as constants): lane j is
   output channel k0 + j; the pixel's CLG_VW channels starting at the vector's first group are
   one load, and reduction step c takes them rotated by c within each group, so lane j reads
   channel (j % KPG + c) % KPG of its group (transpose_weights orders the weights to match). */
#if CLG_VW != 8 || !defined(CLG_CPG)
#error CLG_GPV needs CLG_VW=8 and constant channel counts
#endif
#define uintV uint8
#define LANE_IDS ((uint8)(0, 1, 2, 3, 4, 5, 6, 7))
#define WT_LANES CLG_VW
#define INNER_UNROLL _Pragma("unroll")
#define ROTATE_MASK(c)                                                                         \
    ((LANE_IDS) - (LANE_IDS) % (uintV)(KPG_) + ((LANE_IDS) % (uintV)(KPG_) + (uintV)(c)) %    \
                                                   (uintV)(KPG_))
#define INPUT_INTERIOR(ptr, v, c) shuffle(v, ROTATE_MASK(c))
#define INPUT_BORDER(ptr, c) shuffle(LOADV(ptr), ROTATE_MASK(c))
#else
/* One group per vector: the input value of channel c is broadcast to every lane. The
   transposed weights of group g are rows r < RED of its KPG channels (WT_LANES = KPG), or
   with CLG_WT_BLOCKED blocks of CLG_VW channels, each its RED rows of CLG_VW lanes (so that
   a work-item's weight vectors are consecutive). WT_INDEX(r, kk): weight r of the group's
   channel kk from the group's start. */
#if defined(CLG_WT_BLOCKED) && CLG_RPV == 2
/* Blocked reduction pairs: block kk / 8 of the group's channels holds RED / 2 pair rows of 16
   lanes, row r = c*KH*KW + tap of channel kk going to pair row (c/2)*KH*KW + tap, lane
   2*(kk % 8) + c%2. */
#define WT_LANES CLG_VW
#define WT_INDEX(r, kk)                                                                        \
    ((CLG_IDX)((kk) / 8) * RED_ * 8 +                                                          \
     ((CLG_IDX)((r) / (KH_ * KW_) / 2 * (KH_ * KW_) + (r) % (KH_ * KW_))) * 16 +              \
     2 * ((kk) % 8) + (r) / (KH_ * KW_) % 2)
#define WT_ROWS_OF_8 0
#elif defined(CLG_WT_BLOCKED)
#define WT_LANES CLG_VW
#define WT_INDEX(r, kk) ((CLG_IDX)((kk) / CLG_VW * RED_ + (r)) * CLG_VW + (kk) % CLG_VW)
#define WT_ROWS_OF_8 (CLG_VW >= 8)
#elif CLG_RPV == 2
/* Reduction pairs (see CLG_RPV below): row r = c*KH*KW + tap of channel kk goes to the pair
   row (c/2)*KH*KW + tap, lane 2*kk + c%2, a pair row holding 2*KPG lanes. */
#define WT_LANES KPG_
#define WT_INDEX(r, kk)                                                                        \
    (((CLG_IDX)((r) / (KH_ * KW_) / 2 * (KH_ * KW_) + (r) % (KH_ * KW_))) * (2 * KPG_) +      \
     2 * (kk) + (r) / (KH_ * KW_) % 2)
#define WT_ROWS_OF_8 0
#else
#define WT_LANES KPG_
#define WT_INDEX(r, kk) ((CLG_IDX)(r) * KPG_ + (kk))
#define WT_ROWS_OF_8 1
#endif
#define INNER_UNROLL
#define INPUT_INTERIOR(ptr, v, c) BROADCAST((ptr) + (c))
#define INPUT_BORDER(ptr, c) BROADCAST((ptr) + (c))
#endif

/* CLG_KV channel vectors per work-item (NHWC row and pitched tiles): vector v's weights are
   KV_STRIDE floats after vector 0's, and NHWC_FMAS(wc, X) loads the CLG_KV weight vectors at wc
   (one channel's, one tap's; with CLG_RPV=2 a channel pair's) and adds X(p) times each to
   pixel p's accumulators acc[p*CLG_KV + v] (X(p): pixel p's broadcast input value, or value
   pair, a macro of p). */
#ifndef CLG_KV
#define CLG_KV 1
#endif
#if CLG_KV > 1 && (defined(CLG_ROW_SHARE) || CLG_GPV > 1)
#error CLG_KV needs tiles of one group per vector, without row sharing
#endif
#if CLG_KV > 1 && (!defined(CLG_KPG) || CLG_KPG % (CLG_VW * CLG_KV) != 0)
#error CLG_KV needs constant channel counts, CLG_KPG a multiple of CLG_VW * CLG_KV
#endif
#ifdef CLG_WT_BLOCKED
#define KV_STRIDE (RED_ * CLG_VW)
#else
#define KV_STRIDE CLG_VW
#endif

/* -DCLG_RPV=2 (reduction pairs per vector; NHWC tiles of 8-lane group vectors, CLG_CPG
   even): the accumulators are 16 lanes, lane 2*j + i summing output channel k0 + j's terms of
   the even (i = 0) or odd (i = 1) input channels, so each FMA fills the 16 lanes of a
   full-width unit where an 8-lane vector filled half. A step takes input channels c and c + 1
   of a pixel (adjacent in NHWC) as one 64-bit value broadcast to the 8 pairs, and a 16-lane
   weight vector (transpose_weights' pair rows); the two halves of each output are added
   before the bias. accV: the accumulators' type, LOADW: a weight vector's load, BROADCAST(p):
   the input value(s) at p as an accumulator vector, FOLD(a): a's output channels. */
#if CLG_RPV == 2
#if CLG_VW != 8 || CLG_GPV > 1 || CLG_KV > 1 || defined(CLG_ROW_SHARE) || CLG_NCHW_IO ||       \
    !defined(CLG_CPG) || CLG_CPG % 2 != 0
#error CLG_RPV=2: 8-lane group vectors, CLG_CPG even, NHWC input; no KV or ROW_SHARE
#endif
#define accV float16
#define LOADW(p) vload16(0, p)
static float16 pair_broadcast(const __global float *p)
{
    const float2 x = vload2(0, p);
    return (float16)(x, x, x, x, x, x, x, x);
}
#define BROADCAST(p) pair_broadcast(p)
#define FOLD(a) ((a).even + (a).odd)
#elif CLG_RPV == 1
#define accV floatV
#define LOADW(p) LOADV(p)
#define BROADCAST(p) ((floatV)(*(p)))
#define FOLD(a) (a)
#else
#error CLG_RPV must be 1 or 2
#endif
/* floats from one tap's weight rows to the next */
#define WT_TAP (CLG_RPV * WT_LANES)

#define NHWC_FMAS(wc, X)                                                                       \
    do {                                                                                       \
        accV w_[CLG_KV];                                                                       \
        _Pragma("unroll") for (int v_ = 0; v_ < CLG_KV; ++v_) w_[v_] =                         \
            LOADW((wc) + v_ * KV_STRIDE);                                                      \
        _Pragma("unroll") for (int p_ = 0; p_ < CLG_TB; ++p_)                                  \
        {                                                                                      \
            const accV x_ = X(p_);                                                             \
            _Pragma("unroll") for (int v_ = 0; v_ < CLG_KV; ++v_) acc[p_ * CLG_KV + v_] =      \
                MULADD(x_, w_[v_], acc[p_ * CLG_KV + v_]);                                     \
        }                                                                                      \
    } while (0)

#if (NCHW_OUT_ || defined(CLG_KPGP)) && CLG_VW % 8 == 0
/* EIGHT_LANES(v, h): lanes h*8 .. h*8+7 of v (h a constant after unrolling). */
#if CLG_VW == 8
#define EIGHT_LANES(v, h) (v)
#else
#define EIGHT_LANES(v, h) ((h) == 0 ? (v).lo : (v).hi)
#endif
/* Stores lanes 0 .. n-1 of v at p[0] .. p[n-1] (n <= 8, a constant after unrolling: whole
   vector stores of 4, 2 and 1). */
static void store_first_lanes(float8 v, __global float *p, int n)
{
    if (n == 8) {
        vstore8(v, 0, p);
        return;
    }
    int o = 0;
    if (n & 4) vstore4(v.lo, 0, p), o = 4;
    if (n & 2) vstore2(o ? v.s45 : v.s01, 0, p + o), o += 2;
    if (n & 1) p[o] = o == 6 ? v.s6 : o == 4 ? v.s4 : o == 2 ? v.s2 : v.s0;
}
#endif

#ifdef CLG_KPGP
/* p[0] .. p[n-1] in lanes 0 .. n-1 (n <= 8), zeros in the rest; nothing read past p[n-1]. */
static float8 load_first_lanes(const __global float *p, int n)
{
    if (n >= 8) return vload8(0, p);
    float l[8];
#pragma unroll
    for (int i = 0; i < 8; ++i) l[i] = i < n ? p[i] : 0.0f;
    return vload8(0, l);
}
#endif

__kernel void conv2d_tiled_nhwc(__global const float *restrict input,
                                __global const float *restrict wt,
                                __global const float *restrict bias,
                                __global float *restrict output, const int N, const int G,
                                const int H, const int W, const int OH, const int OW,
                                const int PT, const int PL, const int has_bias,
                                const int wt_offset, const float output_min,
                                const float output_max, const int KH, const int KW,
                                const int SH, const int SW, const int DH, const int DW,
                                const int CPG, const int KPG)
{
    const int k0 = (int)get_global_id(0) * (CLG_VW * CLG_KV);
#if CLG_PITCHED
    /* Tiles of the image's output pixels in order (taps outside the image read zeros). */
#if CLG_GPV > 1
#error CLG_PITCHED NHWC tiles need one group per vector
#endif
    const int q0 = (int)get_global_id(1) * CLG_TB, OHW = OH * OW;
    const int ng = (int)get_global_id(2);
    if (k0 >= KPGP_ || q0 >= OHW || ng >= N * G) return;
    const int n = ng / G, g = ng - n * G, kv = g * KPG_;
#else
    const int ox0 = (int)get_global_id(1) * CLG_TB;
#if CLG_GPV > 1
    /* CLG_GPV groups per vector: k0 runs over all K, g is the vector's first group. */
    const int ny = (int)get_global_id(2);
    if (k0 >= G * KPG_ || ox0 >= OW || ny >= N * OH) return;
    const int g = k0 / KPG_, kv = 0; /* k0 holds the whole offset of the vector's channels */
#else
    const int nyg = (int)get_global_id(2);
    if (k0 >= KPGP_ || ox0 >= OW || nyg >= N * OH * G) return;
    const int ny = nyg / G, g = nyg - ny * G, kv = g * KPG_;
#endif
    const int n = ny / OH, oy = ny - n * OH;
#endif /* CLG_PITCHED */
    const int C = G * CPG_, K = G * KPG_;

    accV acc[CLG_TB * CLG_KV];
#pragma unroll
    for (int p = 0; p < CLG_TB * CLG_KV; ++p) acc[p] = (accV)(0.0f);

#if CLG_EDGES && (!defined(CLG_KH) || !defined(CLG_EDGE_LEFT) || !defined(CLG_EDGE_RIGHT) || \
                  CLG_PITCHED || CLG_GROUP_BLOCKED || CLG_GPV > 1)
#error CLG_EDGES (NHWC) needs a specialised geometry, its bounds and one-group row tiles
#endif
#if CLG_GROUP_BLOCKED && (CLG_PITCHED || CLG_NCHW_IO || CLG_GPV > 1 || !defined(CLG_CPG))
#error CLG_GROUP_BLOCKED needs row tiles, one group per vector and constant channel counts
#endif
#if CLG_NCHW_IO
    const __global float *image = input + ((CLG_IDX)n * C + g * CPG_) * H * W;
#elif CLG_GROUP_BLOCKED
    const __global float *image = input + ((CLG_IDX)n * G + g) * H * W * CPG_;
#else
    const __global float *image = input + (CLG_IDX)n * H * W * C + g * CPG_;
#endif
    /* floats from one input pixel to the next along a row (and the row pitch's unit), and
       from one input channel to the next */
#if CLG_NCHW_IO
    const int PX = 1, CX = H * W;
#elif CLG_GROUP_BLOCKED
    const int PX = CPG_, CX = 1;
#else
    const int PX = C, CX = 1;
#endif
#if CLG_GPV > 1
    const __global float *wg = wt + wt_offset + (CLG_IDX)(k0 / CLG_VW) * RED_ * CLG_VW;
#elif defined(CLG_WT_BLOCKED)
    const __global float *wg = wt + wt_offset + ((CLG_IDX)g * KPGP_ + k0) * RED_;
#else
    const __global float *wg = wt + wt_offset + (CLG_IDX)g * RED_ * KPG_ + CLG_RPV * k0;
#endif
#if CLG_PITCHED
    /* Pixel p of the tile: its window's first input row and column (a tile may span rows;
       the last tile's pixels past the image repeat its last pixel and are not stored). Taps
       outside the image read zeros that transpose_weights writes after the transposed
       weights (CPG of them; with CLG_NCHW_IO (CPG-1)*H*W + 1, a channel being H*W apart), so
       the reduction loop has no border path. */
    int iy0[CLG_TB], ix0[CLG_TB];
#pragma unroll
    for (int p = 0; p < CLG_TB; ++p) {
        const int q = min(q0 + p, OHW - 1), y = q / OW, x = q - y * OW;
        iy0[p] = y * SH_ - PT, ix0[p] = x * SW_ - PL;
    }
    const __global float *zeros = wt + wt_offset + (CLG_IDX)G * KPGP_ * RED_;
    UNROLL_GEOMETRY
    for (int ky = 0; ky < KH_; ++ky) {
        UNROLL_GEOMETRY
        for (int kx = 0; kx < KW_; ++kx) {
            const __global float *wk = wg + (ky * KW_ + kx) * WT_TAP;
            const __global float *px[CLG_TB];
#pragma unroll
            for (int p = 0; p < CLG_TB; ++p) {
                const int iy = iy0[p] + ky * DH_, ix = ix0[p] + kx * DW_;
                px[p] = iy >= 0 && iy < H && ix >= 0 && ix < W
                            ? image + ((CLG_IDX)iy * W + ix) * PX
                            : zeros;
            }
            INNER_UNROLL
            for (int c = 0; c < CPG_; c += CLG_RPV) {
#define PITCHED_INPUT(p) BROADCAST(px[p] + (CLG_IDX)c * CX)
                NHWC_FMAS(wk + c * (KH_ * KW_ * WT_LANES), PITCHED_INPUT);
#undef PITCHED_INPUT
            }
        }
    }
#else
    const int iy0 = oy * SH_ - PT, ix0 = ox0 * SW_ - PL;
#if CLG_EDGES
    /* Every tile takes the interior loops on the unpadded input. Column j of a tile's span
       (input column ix0 + j, j = p * SW + kx * DW, a constant once the loops are unrolled) can
       be outside the image only for j < CLG_EDGE_LEFT or j >= CLG_EDGE_RIGHT; those columns
       point at the zeros after the weights (CPG of them; (CPG-1)*H*W + 1 with CLG_NCHW_IO)
       where they are outside, so the channel loop has no selects. */
    const bool interior = true;
    const __global float *zeros = wt + wt_offset + (CLG_IDX)G * KPGP_ * RED_;
#define EDGE_PIXEL(line, j)                                                                  \
    (((j) < CLG_EDGE_LEFT || (j) >= CLG_EDGE_RIGHT) && (ix0 + (j) < 0 || ix0 + (j) >= W)      \
         ? zeros                                                                               \
         : (line) + (CLG_IDX)(ix0 + (j)) * PX)
#else
    const bool interior = ix0 >= 0 && ix0 + (CLG_TB - 1) * SW_ + (KW_ - 1) * DW_ < W;
#endif
    if (interior) {
#ifdef CLG_ROW_SHARE
#if !defined(CLG_KH) || CLG_SW != 1 || CLG_DW != 1 || CLG_GPV > 1
#error CLG_ROW_SHARE needs a specialised geometry with SW 1, DW 1 and one group per vector
#endif
        /* Stride 1 along x: input column j of the tile's span feeds its pixel j - kx through
           tap kx, so each input value is broadcast once per (ky, c) and held for every tap of
           the row (TB + KW - 1 broadcasts instead of TB * KW); each tap's FMAs then go to
           the TB accumulators in turn. */
        UNROLL_GEOMETRY
        for (int ky = 0; ky < KH_; ++ky) {
            const int iy = iy0 + ky * DH_;
            if (iy < 0 || iy >= H) continue;
            const __global float *wk = wg + ky * KW_ * WT_LANES;
#if CLG_EDGES
            const __global float *line = image + (CLG_IDX)iy * W * PX;
            const __global float *src[CLG_TB + KW_ - 1];
#pragma unroll
            for (int j = 0; j < CLG_TB + KW_ - 1; ++j) src[j] = EDGE_PIXEL(line, j);
#else
            const __global float *row = image + ((CLG_IDX)iy * W + ix0) * PX;
#endif
            INNER_UNROLL
            for (int c = 0; c < CPG_; ++c) {
                floatV x[CLG_TB + KW_ - 1];
#pragma unroll
                for (int j = 0; j < CLG_TB + KW_ - 1; ++j)
#if CLG_EDGES
                    x[j] = (floatV)(src[j][(CLG_IDX)c * CX]);
#else
                    x[j] = (floatV)(row[(CLG_IDX)j * PX + c]);
#endif
#pragma unroll
                for (int kx = 0; kx < KW_; ++kx) {
                    const floatV w = LOADV(wk + kx * WT_LANES + c * (KH_ * KW_ * WT_LANES));
#pragma unroll
                    for (int p = 0; p < CLG_TB; ++p) acc[p] = MULADD(x[p + kx], w, acc[p]);
                }
            }
        }
#else
        UNROLL_GEOMETRY
        for (int ky = 0; ky < KH_; ++ky) {
            const int iy = iy0 + ky * DH_;
            if (iy < 0 || iy >= H) continue;
            const __global float *row = image + (CLG_IDX)iy * W * PX;
            UNROLL_GEOMETRY
            for (int kx = 0; kx < KW_; ++kx) {
                const __global float *wk = wg + (ky * KW_ + kx) * WT_TAP;
#if CLG_EDGES
                const __global float *src[CLG_TB];
#pragma unroll
                for (int p = 0; p < CLG_TB; ++p) src[p] = EDGE_PIXEL(row, p * SW_ + kx * DW_);
                INNER_UNROLL
                for (int c = 0; c < CPG_; c += CLG_RPV) {
#define EDGE_INPUT(p) BROADCAST(src[p] + (CLG_IDX)c * CX)
                    NHWC_FMAS(wk + c * (KH_ * KW_ * WT_LANES), EDGE_INPUT);
#undef EDGE_INPUT
                }
#else
                const __global float *px = row + (CLG_IDX)(ix0 + kx * DW_) * PX;
#if CLG_GPV > 1
                floatV v[CLG_TB]; /* each pixel's channels of the vector's groups */
#pragma unroll
                for (int p = 0; p < CLG_TB; ++p) v[p] = LOADV(px + (CLG_IDX)p * SW_ * PX);
#endif
                INNER_UNROLL
                for (int c = 0; c < CPG_; c += CLG_RPV) {
#define PLAIN_INPUT(p) INPUT_INTERIOR(px + (CLG_IDX)(p) * SW_ * PX, v[p], c)
                    NHWC_FMAS(wk + c * (KH_ * KW_ * WT_LANES), PLAIN_INPUT);
#undef PLAIN_INPUT
                }
#endif /* CLG_EDGES */
            }
        }
#endif
    } else {
        /* Border tiles: clamped offsets and selects; the window loops stay rolled (see
           KEEP_ROLLED: unrolled, a 7x7 build took 5 s cold on PoCL). */
        KEEP_ROLLED
        for (int ky = 0; ky < KH_; ++ky) {
            const int iy = iy0 + ky * DH_;
            if (iy < 0 || iy >= H) continue;
            const __global float *row = image + (CLG_IDX)iy * W * PX;
            KEEP_ROLLED
            for (int kx = 0; kx < KW_; ++kx) {
                const __global float *wk = wg + (ky * KW_ + kx) * WT_TAP;
                int off[CLG_TB];
                bool ok[CLG_TB];
#pragma unroll
                for (int p = 0; p < CLG_TB; ++p) {
                    const int ix = ix0 + p * SW_ + kx * DW_;
                    ok[p] = ix >= 0 && ix < W;
                    off[p] = clamp(ix, 0, W - 1) * PX;
                }
                for (int c = 0; c < CPG_; c += CLG_RPV) {
#define BORDER_INPUT(p) (ok[p] ? INPUT_BORDER(row + off[p], c) : (accV)(0.0f))
                    NHWC_FMAS(wk + c * (KH_ * KW_ * WT_LANES), BORDER_INPUT);
#undef BORDER_INPUT
                }
            }
        }
    }

#endif /* CLG_PITCHED */

#if CLG_RPV > 1
    floatV sums[CLG_TB * CLG_KV]; /* each output's two halves added */
#pragma unroll
    for (int p = 0; p < CLG_TB * CLG_KV; ++p) sums[p] = FOLD(acc[p]);
#define OUT_ACC sums
#else
#define OUT_ACC acc
#endif
    floatV bv[CLG_KV]; /* the bias of vector v of the work-item's channels */
#ifdef CLG_KPGP
    /* Padded channel blocks (one 8-lane vector per work-item): the first `valid` lanes are
       the group's channels; the others (zero weights) have no bias and are not stored. */
    const int valid = KPG_ - k0;
#define CHANNEL_STORED(j) ((j) < valid)
    bv[0] = has_bias ? load_first_lanes(bias + kv + k0, valid) : (floatV)(0.0f);
#else
#define CHANNEL_STORED(j) 1
#pragma unroll
    for (int v = 0; v < CLG_KV; ++v)
        bv[v] = has_bias ? LOADV(bias + kv + k0 + v * CLG_VW) : (floatV)(0.0f);
#endif
#if NCHW_OUT_
    /* NCHW output: lane j of vector v of pixel p is channel kv + k0 + v*CLG_VW + j at the
       tile's position p of its plane (pitched: position q0 + p of the image; row tiles: ox0 +
       p of row oy) */
#if CLG_PITCHED
    __global float *out = output + ((CLG_IDX)n * K + kv + k0) * OHW + q0;
    const int tile_pixels = min(CLG_TB, OHW - q0);
#else
    const int OHW = OH * OW;
    __global float *out = output + ((CLG_IDX)n * K + kv + k0) * OHW + (CLG_IDX)oy * OW + ox0;
    const int tile_pixels = min(CLG_TB, OW - ox0);
#endif
#pragma unroll
    for (int p = 0; p < CLG_TB * CLG_KV; ++p)
        OUT_ACC[p] = clamp_output(OUT_ACC[p] + bv[p % CLG_KV], output_min, output_max);
#if CLG_VW % 8 == 0
    if (tile_pixels == CLG_TB) {
        /* A whole tile: blocks of 8 pixels x 8 channels transposed in registers, then each
           channel's pixels (consecutive in its plane) stored together. */
#pragma unroll
        for (int v = 0; v < CLG_KV; ++v) {
#pragma unroll
            for (int p0 = 0; p0 < CLG_TB; p0 += 8) {
#pragma unroll
                for (int h = 0; h < CLG_VW / 8; ++h) {
                    float8 blk[8]; /* blk[p] lanes: channels h*8 .. h*8+7 of pixel p0 + p */
#pragma unroll
                    for (int p = 0; p < 8; ++p)
                        blk[p] = p0 + p < CLG_TB ? EIGHT_LANES(OUT_ACC[(p0 + p) * CLG_KV + v], h)
                                                 : (float8)(0.0f);
                    transpose8x8(blk);
#pragma unroll
                    for (int j = 0; j < 8; ++j)
                        if (CHANNEL_STORED(v * CLG_VW + h * 8 + j))
                            store_first_lanes(
                                blk[j], out + (CLG_IDX)(v * CLG_VW + h * 8 + j) * OHW + p0,
                                min(8, CLG_TB - p0));
                }
            }
        }
        return;
    }
#endif
    /* (no break: with one the compiler could not unroll this loop and warned) */
#pragma unroll
    for (int p = 0; p < CLG_TB; ++p) {
        if (p < tile_pixels) {
#pragma unroll
            for (int v = 0; v < CLG_KV; ++v) {
                float lanes[CLG_VW];
                TO_ARRAY(OUT_ACC[p * CLG_KV + v], lanes);
#pragma unroll
                for (int j = 0; j < CLG_VW; ++j)
                    if (CHANNEL_STORED(v * CLG_VW + j))
                        out[(CLG_IDX)(v * CLG_VW + j) * OHW + p] = lanes[j];
            }
        }
    }
}
#else
/* pixel p's CLG_KV output vectors at dst, dst + CLG_VW, ... (padded blocks: its valid lanes) */
#ifdef CLG_KPGP
#define STORE_PIXEL(p, dst)                                                                    \
    store_first_lanes(clamp_output(OUT_ACC[p] + bv[0], output_min, output_max), dst,          \
                      min(valid, 8))
#else
#define STORE_PIXEL(p, dst)                                                                    \
    do {                                                                                       \
        _Pragma("unroll") for (int v_ = 0; v_ < CLG_KV; ++v_)                                  \
            STOREV(clamp_output(OUT_ACC[(p) * CLG_KV + v_] + bv[v_], output_min, output_max),  \
                   (dst) + v_ * CLG_VW);                                                       \
    } while (0)
#endif
#if CLG_PITCHED
    __global float *out = output + ((CLG_IDX)n * OHW + q0) * K + kv + k0;
    const int tile_pixels = min(CLG_TB, OHW - q0);
#pragma unroll
    for (int p = 0; p < CLG_TB; ++p) /* (no break, see above) */
        if (p < tile_pixels) STORE_PIXEL(p, out + (CLG_IDX)p * K);
#else
    __global float *out = output + (((CLG_IDX)n * OH + oy) * OW) * K + kv + k0;
#pragma unroll
    for (int p = 0; p < CLG_TB; ++p) {
        if (ox0 + p >= OW) break;
        STORE_PIXEL(p, out + (CLG_IDX)(ox0 + p) * K);
    }
#endif
#undef STORE_PIXEL
}
#endif /* NCHW_OUT_ */
#undef OUT_ACC
#undef CHANNEL_STORED

__kernel void transpose_weights(__global const float *restrict w, __global float *restrict wt,
                                const int wt_offset, const int G, const int KH, const int KW,
                                const int CPG, const int KPG, const int zeros)
{
#if CLG_GPV > 1
    const int kk = (int)get_global_id(0), g = (int)get_global_id(1);
    if (kk >= WT_LANES || g >= G) return;
    /* Lane kk of vector g is output channel g*CLG_VW + kk; row r = rot*KH*KW + tap holds, for
       each lane, its weight of input channel (kk % KPG + rot) % KPG of its group. */
    const __global float *from = w + ((CLG_IDX)g * CLG_VW + kk) * RED_;
    __global float *to = wt + wt_offset + (CLG_IDX)g * RED_ * CLG_VW + kk;
    for (int r = 0; r < RED_; ++r) {
        const int rot = r / (KH_ * KW_), tap = r - rot * (KH_ * KW_);
        const int c = (kk % KPG_ + rot) % KPG_;
        to[(CLG_IDX)r * CLG_VW] = from[c * (KH_ * KW_) + tap];
    }
#else
    /* Channels kk0 .. kk0+7 of group g, the reduction in blocks of 8. */
    const int kk0 = (int)get_global_id(0) * 8, g = (int)get_global_id(1);
    /* the zeros that conv2d_tiled_nhwc's pitched and edge tiles' taps outside the image read */
    if (kk0 == 0 && g == 0)
        for (int i = 0; i < zeros; ++i) wt[wt_offset + (CLG_IDX)G * KPGP_ * RED_ + i] = 0.0f;
    if (kk0 >= KPG_ || g >= G) return;
    const __global float *from = w + ((CLG_IDX)g * KPG_ + kk0) * RED_;
    __global float *to = wt + wt_offset + (CLG_IDX)g * RED_ * KPGP_;
    /* nk of the block's channels are the group's, the rest (CLG_KPGP) zero weights */
    const int nk = min(8, KPG_ - kk0), lanes = min(8, KPGP_ - kk0);
    for (int r0 = 0; r0 < RED_; r0 += 8) {
        /* 8 x 8 blocks where the 8 channels are consecutive lanes of a weight row (blocked
           weights: vectors of 8 or 16 lanes, which a multiple of 8, kk0, does not straddle) */
        bool block = nk == 8 && r0 + 8 <= RED_;
#if !WT_ROWS_OF_8
        block = false;
#endif
        if (block) {
            float8 rows[8]; /* rows[k]: weights r0 .. r0+7 of channel kk0 + k */
#pragma unroll
            for (int k = 0; k < 8; ++k) rows[k] = vload8(0, from + k * RED_ + r0);
            STORE_COLUMNS(rows, to + WT_INDEX(r0, kk0), WT_LANES);
        } else {
            for (int r = r0; r < min(r0 + 8, RED_); ++r)
                for (int k = 0; k < lanes; ++k)
                    to[WT_INDEX(r, kk0 + k)] = k < nk ? from[k * RED_ + r] : 0.0f;
        }
    }
#endif
}

#endif /* CLG_NHWC */

__kernel void pad_input(__global const float *restrict input,
                        __global float *restrict padded, const int rows, const int H,
                        const int W, const int HP, const int WP, const int PT, const int PL,
                        const int RPI)
{
    const int first = (int)get_global_id(0) * RPI;
    for (int row = first; row < min(rows, first + RPI); ++row) {
        const int p = row / HP, r = row - p * HP, iy = r - PT;
        __global float *dst = padded + (CLG_IDX)row * WP;
        int lo, hi; /* the padded columns that hold the input row's (padded_span) */
        padded_span(iy, H, W, PL, WP, &lo, &hi);
        for (int q = 0; q < lo; ++q) dst[q] = 0.0f;
        for (int q = hi; q < WP; ++q) dst[q] = 0.0f;
        if (hi <= lo) continue; /* a row outside the image */
        const __global float *src = input + ((CLG_IDX)p * H + iy) * W + (lo - PL);
        for (int q = lo; q < hi; ++q) dst[q] = src[q - lo];
    }
}

#if CLG_NHWC && CLG_GROUP_BLOCKED

__kernel void pad_input_group_blocked(__global const float *restrict input,
                                      __global float *restrict padded, const int rows,
                                      const int H, const int W, const int HP, const int WP,
                                      const int PT, const int PL, const int RPI, const int G)
{
    const int g = (int)get_global_id(0), first = (int)get_global_id(1) * RPI, C = G * CPG_;
    if (g >= G) return;
    for (int row = first; row < min(rows, first + RPI); ++row) {
        const int n = row / HP, r = row - n * HP, iy = r - PT;
        const bool in_rows = iy >= 0 && iy < H;
        /* group g's channels of the input row, shifted so that src[q * C] is padded column q's
           pixel; its padded row r in group g's image */
        const __global float *src =
            input + ((CLG_IDX)n * H + iy) * W * C - (CLG_IDX)PL * C + g * CPG_;
        __global float *dst = padded + (((CLG_IDX)n * G + g) * HP + r) * WP * CPG_;
        for (int q = 0; q < WP; ++q) {
            const int ix = q - PL;
            const __global float *x = src + (CLG_IDX)q * C;
            __global float *d = dst + (CLG_IDX)q * CPG_;
            if (in_rows && ix >= 0 && ix < W) {
#if CPG_ % 8 == 0
#pragma unroll
                for (int c = 0; c < CPG_; c += 8) vstore8(vload8(0, x + c), 0, d + c);
#elif CPG_ % 4 == 0
#pragma unroll
                for (int c = 0; c < CPG_; c += 4) vstore4(vload4(0, x + c), 0, d + c);
#else
#pragma unroll
                for (int c = 0; c < CPG_; ++c) d[c] = x[c];
#endif
            } else {
#pragma unroll
                for (int c = 0; c < CPG_; ++c) d[c] = 0.0f;
            }
        }
    }
}

#endif /* CLG_NHWC && CLG_GROUP_BLOCKED */

#if CLG_NHWC && CLG_OUT_NCHW

__kernel void pad_input_from_nchw(__global const float *restrict input,
                                  __global float *restrict padded, const int N, const int C,
                                  const int H, const int W, const int HP, const int WP,
                                  const int PT, const int PL)
{
    const int c0 = (int)get_global_id(0) * 8, row = (int)get_global_id(1);
    if (c0 >= C || row >= N * HP) return;
    const int n = row / HP, r = row - n * HP, iy = r - PT;
    const CLG_IDX plane = (CLG_IDX)H * W; /* input elements per channel */
    __global float *dst = padded + (CLG_IDX)row * WP * C + c0;
    const int nc = min(8, C - c0);
    int lo, hi; /* the padded columns that hold the input row's (padded_span) */
    padded_span(iy, H, W, PL, WP, &lo, &hi);
    for (int q = 0; q < lo; ++q)
        for (int c = 0; c < nc; ++c) dst[(CLG_IDX)q * C + c] = 0.0f;
    for (int q = hi; q < WP; ++q)
        for (int c = 0; c < nc; ++c) dst[(CLG_IDX)q * C + c] = 0.0f;
    if (hi <= lo) return;
    /* Channel c0's input row from column lo - PL: src[c * plane + x] is padded column lo + x
       of channel c0 + c. */
    const __global float *src =
        input + ((CLG_IDX)n * C + c0) * plane + (CLG_IDX)iy * W + (lo - PL);
    __global float *d = dst + (CLG_IDX)lo * C;
    const int span = hi - lo;
    if (nc == 8 && span >= 8) {
        /* blocks of 8 columns along the input row, the last moved back to end at hi (it
           rewrites some of its neighbour's columns with the same values) */
        for (int x0 = 0; x0 < span; x0 += 8) {
            const int x = min(x0, span - 8);
            float8 px[8]; /* px[c]: columns x .. x+7 of channel c0 + c */
#pragma unroll
            for (int c = 0; c < 8; ++c) px[c] = vload8(0, src + c * plane + x);
            STORE_COLUMNS(px, d + (CLG_IDX)x * C, C);
        }
    } else {
        for (int x = 0; x < span; ++x)
            for (int c = 0; c < nc; ++c) d[(CLG_IDX)x * C + c] = src[c * plane + x];
    }
}

#endif /* CLG_NHWC && CLG_OUT_NCHW */

#if !CLG_NHWC

__kernel void pad_input_from_nhwc(__global const float *restrict input,
                                  __global float *restrict padded, const int N, const int C,
                                  const int H, const int W, const int HP, const int WP,
                                  const int PT, const int PL)
{
    const int c0 = (int)get_global_id(0) * 8, row = (int)get_global_id(1);
    if (c0 >= C || row >= N * HP) return;
    const int n = row / HP, r = row - n * HP, iy = r - PT;
    const CLG_IDX plane = (CLG_IDX)HP * WP; /* padded elements per channel */
    __global float *dst = padded + ((CLG_IDX)n * C + c0) * plane + (CLG_IDX)r * WP;
    const int nc = min(8, C - c0);
    int lo, hi; /* the padded columns that hold the input row's (padded_span) */
    padded_span(iy, H, W, PL, WP, &lo, &hi);
    for (int c = 0; c < nc; ++c) {
        for (int q = 0; q < lo; ++q) dst[c * plane + q] = 0.0f;
        for (int q = hi; q < WP; ++q) dst[c * plane + q] = 0.0f;
    }
    if (hi <= lo) return;
    /* The image row from column lo - PL: src[x * C] is padded column lo + x's pixel. */
    const __global float *src = input + (((CLG_IDX)n * H + iy) * W + (lo - PL)) * C + c0;
    __global float *d = dst + lo;
    const int span = hi - lo;
    if (nc == 8 && span >= 8) {
        /* blocks of 8 columns along the input row, the last moved back to end at hi (it
           rewrites some of its neighbour's columns with the same values) */
        for (int x0 = 0; x0 < span; x0 += 8) {
            const int x = min(x0, span - 8);
            float8 px[8]; /* px[i]: channels c0 .. c0+7 of column x + i */
#pragma unroll
            for (int i = 0; i < 8; ++i) px[i] = vload8(0, src + (CLG_IDX)(x + i) * C);
            STORE_COLUMNS(px, d + x, plane);
        }
    } else {
        for (int c = 0; c < nc; ++c)
            for (int x = 0; x < span; ++x) d[c * plane + x] = src[(CLG_IDX)x * C + c];
    }
}

#endif /* !CLG_NHWC */
