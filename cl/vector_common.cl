/* vector_common.cl: the prelude the host places before every kernel family: the float-vector type and loads chosen by -DCLG_VW, strided row loads, and the NaN-preserving output clamp. */

/*
 * Compile-time options read here (each kernel family documents the ones it passes):
 *   -DCLG_VW=n   vector width (1, 2, 4, 8 or 16): defines floatV, LOADV, STOREV (to __global
 *                memory), FROM_ARRAY, TO_ARRAY (to a private array), clamp_output and
 *                store_lanes; without it nothing below is defined
 *                except MULADD and transpose8x8 (an 8 x 8 block of float8 in registers)
 *   -DCLG_NHWC=1 skips the strided row loads (only NCHW kernels load along rows)
 *   -DCLG_STREAM_STORES=1 (with CLG_VW) STOREV_STREAM stores non-temporally where it can
 *   -DCLG_KH= .. -DCLG_DW=  with a specialised geometry, LOAD_STRIDED picks a load for the
 *                constant stride CLG_SW; without it, the kernel's runtime argument SW is used
 *
 * Strided row loads (NCHW, CLG_VW set):
 *   LOAD_STRIDED(p)  floatV of p[0], p[SW], ..., p[(CLG_VW-1)*SW], all inside the buffer
 *   LOAD_SPAN        how many elements past p[0] LOAD_STRIDED touches
 *   load_checked(row, x0, stride, n)  row[x0 + j*stride] for j < CLG_VW, 0 where the index
 *                    lies outside [0, n) (the address is clamped, so nothing outside is read)
 */

/* transpose8x8(b): the 8 x 8 block b[0..7] (b[i] lane j = element (i, j)) becomes its
   transpose (b[j] lane i = element (i, j)), in registers. Three rounds of two-vector shuffles
   (interleave pairs, then pairs of pairs, then swap 128-bit halves), each a single instruction
   on AVX; gathering a column from eight vectors at once compiled to about 24 lane inserts. */
#define CLG_INTERLEAVE_LO(a, b) ((float8)((a).s0, (b).s0, (a).s1, (b).s1, (a).s4, (b).s4, (a).s5, (b).s5))
#define CLG_INTERLEAVE_HI(a, b) ((float8)((a).s2, (b).s2, (a).s3, (b).s3, (a).s6, (b).s6, (a).s7, (b).s7))
#define CLG_PAIRS_LO(a, b) ((float8)((a).s0, (a).s1, (b).s0, (b).s1, (a).s4, (a).s5, (b).s4, (b).s5))
#define CLG_PAIRS_HI(a, b) ((float8)((a).s2, (a).s3, (b).s2, (b).s3, (a).s6, (a).s7, (b).s6, (b).s7))
static void transpose8x8(float8 *b)
{
    const float8 t0 = CLG_INTERLEAVE_LO(b[0], b[1]), t1 = CLG_INTERLEAVE_HI(b[0], b[1]);
    const float8 t2 = CLG_INTERLEAVE_LO(b[2], b[3]), t3 = CLG_INTERLEAVE_HI(b[2], b[3]);
    const float8 t4 = CLG_INTERLEAVE_LO(b[4], b[5]), t5 = CLG_INTERLEAVE_HI(b[4], b[5]);
    const float8 t6 = CLG_INTERLEAVE_LO(b[6], b[7]), t7 = CLG_INTERLEAVE_HI(b[6], b[7]);
    /* u0: column 0 of rows 0-3, then column 4; u1: columns 1 and 5; u2: 2, 6; u3: 3, 7. */
    const float8 u0 = CLG_PAIRS_LO(t0, t2), u1 = CLG_PAIRS_HI(t0, t2);
    const float8 u2 = CLG_PAIRS_LO(t1, t3), u3 = CLG_PAIRS_HI(t1, t3);
    const float8 u4 = CLG_PAIRS_LO(t4, t6), u5 = CLG_PAIRS_HI(t4, t6);
    const float8 u6 = CLG_PAIRS_LO(t5, t7), u7 = CLG_PAIRS_HI(t5, t7);
    b[0] = (float8)(u0.lo, u4.lo), b[4] = (float8)(u0.hi, u4.hi);
    b[1] = (float8)(u1.lo, u5.lo), b[5] = (float8)(u1.hi, u5.hi);
    b[2] = (float8)(u2.lo, u6.lo), b[6] = (float8)(u2.hi, u6.hi);
    b[3] = (float8)(u3.lo, u7.lo), b[7] = (float8)(u3.hi, u7.hi);
}

/* a*b + c written as an expression: OpenCL C contracts it to one FMA where the hardware has
   one (PoCL's mad() stays a separate multiply and add) and to a multiply-add elsewhere. */
#define MULADD(a, b, c) ((a) * (b) + (c))

#ifdef CLG_VW

#if CLG_VW == 1
#define floatV float
#define LOADV(p) (*(p))
#define STOREV(v, p) (*(p) = (v))
#define FROM_ARRAY(t) ((t)[0])
#define TO_ARRAY(v, t) ((t)[0] = (v))
#elif CLG_VW == 2
#define floatV float2
#define LOADV(p) vload2(0, p)
#define STOREV(v, p) vstore2(v, 0, p)
#elif CLG_VW == 4
#define floatV float4
#define LOADV(p) vload4(0, p)
#define STOREV(v, p) vstore4(v, 0, p)
#elif CLG_VW == 8
#define floatV float8
#define LOADV(p) vload8(0, p)
#define STOREV(v, p) vstore8(v, 0, p)
#elif CLG_VW == 16
#define floatV float16
#define LOADV(p) vload16(0, p)
#ifdef __clang__
/* STOREV(v, p), p a __global float pointer: one store of the whole vector at 4-byte
   alignment (a typedef may lower a type's alignment in Clang). PoCL's vstore16 compiled to
   three stores (4, 4 and 8 lanes) on AVX-512: perf had 35 % of the NHWC depthwise kernel's
   samples on them; kernel time with one store 0.87-0.98x (MobileNetV2's depthwise layers). */
typedef float16 clg_float16_unaligned __attribute__((aligned(4)));
#define STOREV(v, p) (*(__global clg_float16_unaligned *)(p) = (v))
#define TO_ARRAY(v, t) vstore16(v, 0, t)
#else
#define STOREV(v, p) vstore16(v, 0, p)
#endif
#else
#error "CLG_VW must be 1, 2, 4, 8 or 16"
#endif

/* STOREV_STREAM(v, p): STOREV, or with -DCLG_STREAM_STORES=1 a non-temporal store where p is
   aligned to the vector: the output then goes to memory without first reading each line it
   overwrites (write-allocate). The host passes it on CPU devices for memory-bound layers whose
   input and output together outgrow half the device's cache, in kernels whose streamed stores
   each write whole 64-byte lines (clg_stream_stores, algo_depthwise.c). A Clang builtin:
   compilers without it, and unaligned addresses, take the plain store.
   STREAM_FENCE() orders the streamed stores, which are weakly ordered, before the work-item
   ends (x86: an sfence; elsewhere the OpenCL fence): the driver's completion signal (on x86 a
   locked instruction, which drains them too) then publishes them like any store. */
#if defined(CLG_STREAM_STORES) && defined(__clang__) && defined(__has_builtin)
#if CLG_STREAM_STORES
#if __has_builtin(__builtin_nontemporal_store)
#define CLG_HAVE_STREAM_STORES 1
#endif
#endif
#endif
#ifdef CLG_HAVE_STREAM_STORES
#define STOREV_STREAM(v, p)                                                                    \
    do {                                                                                       \
        __global float *const q_ = (p);                                                        \
        if ((((size_t)q_) & (sizeof(floatV) - 1)) == 0)                                        \
            __builtin_nontemporal_store((v), (__global floatV *)q_);                           \
        else                                                                                   \
            STOREV((v), q_);                                                                   \
    } while (0)
#if __has_builtin(__builtin_ia32_sfence)
#define STREAM_FENCE() __builtin_ia32_sfence()
#else
#define STREAM_FENCE() mem_fence(CLK_GLOBAL_MEM_FENCE)
#endif
#else
#define STOREV_STREAM(v, p) STOREV(v, p)
#define STREAM_FENCE() ((void)0)
#endif
#if CLG_VW != 1
#define FROM_ARRAY(t) LOADV(t)
#ifndef TO_ARRAY
#define TO_ARRAY(v, t) STOREV(v, t)
#endif
#endif

/* clamp(v, lo, hi) with comparisons, so NaN stays NaN. */
static floatV clamp_output(floatV v, float lo, float hi)
{
#if CLG_VW == 1
    if (v < lo) v = lo;
    if (v > hi) v = hi;
#else
    v = select(v, (floatV)(lo), v < (floatV)(lo));
    v = select(v, (floatV)(hi), v > (floatV)(hi));
#endif
    return v;
}

/* Stores lanes [first, last) of v at p[first] .. p[last - 1]: one vector store when that is
   all of them (row tails and blocks moved back to end at a row's end store fewer). */
static void store_lanes(floatV v, __global float *p, int first, int last)
{
    if (first == 0 && last == CLG_VW) {
        STOREV(v, p);
    } else {
        float t[CLG_VW];
        TO_ARRAY(v, t);
        for (int j = first; j < last; ++j) p[j] = t[j];
    }
}

#if !defined(CLG_NHWC) || !CLG_NHWC

/* Every LOAD_STRIDED reads exactly its lanes' span, p[0] .. p[(CLG_VW-1)*stride]. */
#ifdef CLG_KH
#define LOAD_SPAN ((CLG_VW - 1) * CLG_SW)
#if CLG_SW == 1
#define LOAD_STRIDED(p) LOADV(p)
#elif CLG_SW == 2 && CLG_VW == 8
/* p[0], p[2], ..., p[14]: the even lanes of p[0..7], then the odd lanes of p[7..14] - nothing
   past p[14] (loading p[8..15] read one element past the last input, which sent the last block
   of a row that ends on a window, e.g. 2x2 or 1x1 stride 2, to the border path) */
#define LOAD_STRIDED(p) ((float8)(vload8(0, p).even, vload8(0, (p) + 7).odd))
#elif CLG_SW == 2 && CLG_VW == 4
#define LOAD_STRIDED(p) ((float4)(vload4(0, p).even, vload4(0, (p) + 3).odd))
#else
#define LOAD_STRIDED(p) load_strided_gather(p, CLG_SW)
#define CLG_NEED_GATHER 1
#endif
#else
#define LOAD_STRIDED(p) (SW == 1 ? LOADV(p) : load_strided_gather(p, SW))
#define LOAD_SPAN ((CLG_VW - 1) * SW)
#define CLG_NEED_GATHER 1
#endif

#ifdef CLG_NEED_GATHER
static floatV load_strided_gather(const __global float *p, int stride)
{
    float t[CLG_VW];
#pragma unroll
    for (int j = 0; j < CLG_VW; ++j) t[j] = p[j * stride];
    return FROM_ARRAY(t);
}
#endif

static floatV load_checked(const __global float *row, int x0, int stride, int n)
{
    float t[CLG_VW];
#pragma unroll
    for (int j = 0; j < CLG_VW; ++j) {
        const int x = x0 + j * stride;
        const float v = row[clamp(x, 0, n - 1)];
        t[j] = (x >= 0 && x < n) ? v : 0.0f;
    }
    return FROM_ARRAY(t);
}

#endif /* NCHW */
#endif /* CLG_VW */
