/* algo_gemm.h: the GEMM-path pieces shared by CLGCONV_ALGO_GEMM (algo_gemm.c) and CLGCONV_ALGO_CLBLAST (algo_clblast.c): problem layout, workspace sizing and the im2col launch. */
#ifndef CLGCONV_ALGO_GEMM_H
#define CLGCONV_ALGO_GEMM_H

#include "internal.h"

/* The im2col part of a GEMM-path workspace stays under clg_workspace_cap (launch.c). When the
   im2col matrices of all N*G (image, group) pairs need more, forward processes the pairs in
   chunks (several launches in one call) reusing the same workspace. One pair's matrix is always
   allowed, even above the cap, as long as the workspace fits in one device allocation. */

/* How a convolution maps onto batched GEMMs, one per (image, group) pair b = n*G + gi. */
typedef struct clg_gemm_layout {
    int direct;              /* 1x1, stride 1, no padding: the input is the GEMM operand, no im2col */
    int kkc_order;           /* NHWC im2col rows in (ky, kx, c) order, else (c, ky, kx) */
    int plane_runs;          /* NCHW im2col: one work-item per (r) plane (CPUs), else per row */
    int64_t P;               /* output pixels OH*OW */
    int64_t RED;             /* reduction CPG*KH*KW */
    int64_t pairs;           /* N*G */
    int64_t slot_elems;      /* floats of one pair's im2col matrix (RED*P), 0 when direct */
    int64_t pairs_per_chunk; /* pairs unfolded per im2col launch (all when direct) */
    int64_t head_elems;      /* floats reserved besides the im2col area (gemm NHWC: transposed
                                weights; clblast: the staged output), 0 if none: at the
                                workspace start, unless the algorithm moves the im2col area
                                there (clblast's NCHW im2col plans) */
    int64_t col_offset;      /* element offset of the im2col area in the workspace */
    uint64_t workspace_bytes;
} clg_gemm_layout;

/* Checks the int ranges the GEMM-path kernels use and that the workspace (head_elems floats
   plus one pair's im2col matrix) fits one allocation; UNSUPPORTED (with the reason, naming
   algo_name) otherwise. */
clgconv_status clg_gemm_check(const clgconv_context *ctx, const clg_shape *s, int64_t head_elems,
                              const char *algo_name);

/* Fills the layout; head_elems floats are reserved at the workspace start, before the im2col
   area (col_offset = head_elems; an algorithm may swap the two, keeping workspace_bytes). */
void clg_gemm_layout_init(const clgconv_context *ctx, const clg_shape *s, int64_t head_elems,
                          int kkc_order, clg_gemm_layout *layout);

/* Creates the im2col_grouped kernel for the shape's layout: col[r][p] for NCHW, col[p][r] for
   NHWC with r in (ky, kx, c) order when layout->kkc_order, else (c, ky, kx). */
clgconv_status clg_im2col_create(clgconv_context *ctx, const clg_shape *s,
                                 const clg_gemm_layout *layout, cl_kernel *kernel,
                                 size_t *wg_limit);

/* Enqueues im2col of pairs [b0, b0 + count) into workspace at the layout's col_offset. */
clgconv_status clg_im2col_enqueue(const clgconv_context *ctx, const clg_shape *s,
                                  const clg_gemm_layout *l, cl_kernel kernel, size_t wg_limit,
                                  cl_command_queue queue, cl_mem input, cl_mem workspace,
                                  int64_t b0, int64_t count, cl_uint num_wait,
                                  const cl_event *wait, cl_event *event);

/* Releases *event (if any) through the counted wrapper and clears it. */
void clg_event_drop(cl_event *event);

#endif /* CLGCONV_ALGO_GEMM_H */
