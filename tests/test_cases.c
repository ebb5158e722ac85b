/* test_cases.c: the named edge-case shapes and the random shape generator shared by the tests. */
#include "test_cases.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* name, n, c, h, w, k, g, kh, kw, sh, sw, pt, pl, pb, pr, dh, dw, nhwc, clamp, no_bias */
const test_case test_named_cases[] = {
    {"grouped_1x1", 1, 8, 5, 6, 12, 4, 1, 1},
    {"grouped_1x1_nhwc", 2, 8, 5, 3, 8, 2, 1, 1, .nhwc = 1},
    {"grouped_1x1_stride2", 1, 6, 7, 7, 6, 3, 1, 1, 2, 2},
    {"depthwise_3x3_s2", 1, 8, 9, 9, 8, 8, 3, 3, 2, 2, 1, 1, 1, 1},
    {"depthwise_3x3_s2_nhwc", 1, 8, 10, 7, 8, 8, 3, 3, 2, 2, 1, 1, 1, 1, .nhwc = 1},
    {"depthwise_3x3_s1", 2, 5, 6, 7, 5, 5, 3, 3, 1, 1, 1, 1, 1, 1},
    {"depthwise_multiplier2", 1, 4, 7, 6, 8, 4, 3, 3, 1, 1, 1, 1, 1, 1},
    {"depthwise_multiplier3_5x5_nhwc", 1, 3, 8, 9, 9, 3, 5, 5, 1, 1, 2, 2, 2, 2, .nhwc = 1},
    {"depthwise_multiplier2_s2_nhwc", 2, 6, 9, 8, 12, 6, 3, 3, 2, 2, 1, 1, 1, 1, .nhwc = 1},
    {"asymmetric_padding", 1, 4, 6, 7, 4, 2, 3, 3, 1, 1, 2, 0, 1, 3},
    {"asymmetric_padding_nhwc", 1, 6, 5, 5, 6, 3, 3, 3, 1, 1, 0, 2, 3, 1, .nhwc = 1},
    {"asymmetric_padding_depthwise_s2", 1, 4, 8, 9, 4, 4, 3, 3, 2, 2, 0, 1, 1, 0},
    {"dilation3", 1, 4, 11, 10, 6, 2, 3, 3, 1, 1, 3, 3, 3, 3, 3, 3},
    {"dilation_2x3_nhwc", 1, 6, 9, 12, 6, 6, 3, 3, 1, 1, 2, 3, 2, 3, 2, 3, .nhwc = 1},
    {"dilation2_stride2", 1, 4, 12, 11, 4, 2, 3, 3, 2, 2, 2, 2, 2, 2, 2, 2},
    {"stride3_kernel2", 1, 4, 11, 13, 4, 2, 2, 2, 3, 3},
    {"stride4_kernel1", 1, 6, 9, 10, 3, 3, 1, 1, 4, 4},
    {"stride3x2_kernel1x2_nhwc", 1, 4, 10, 7, 8, 4, 1, 2, 3, 2, .nhwc = 1},
    {"image_1x1_k1", 1, 6, 1, 1, 6, 3, 1, 1},
    {"image_1x1_k3_pad1", 2, 4, 1, 1, 8, 2, 3, 3, 1, 1, 1, 1, 1, 1},
    {"image_1x1_depthwise_nhwc", 1, 5, 1, 1, 10, 5, 3, 3, 2, 2, 1, 1, 1, 1, .nhwc = 1},
    {"nhwc_dense", 1, 5, 6, 7, 7, 1, 3, 3, 1, 1, 1, 1, 1, 1, .nhwc = 1},
    {"nhwc_grouped_batch2", 2, 12, 5, 6, 8, 4, 3, 3, 1, 1, 1, 1, 1, 1, .nhwc = 1},
    {"nhwc_depthwise", 1, 7, 6, 5, 7, 7, 3, 3, 1, 1, 1, 1, 1, 1, .nhwc = 1},
    {"relu6_clamp", 1, 6, 6, 6, 6, 3, 3, 3, 1, 1, 1, 1, 1, 1, .clamp = TEST_CLAMP_RELU6},
    {"relu_clamp_nhwc", 1, 4, 5, 6, 8, 2, 3, 3, 1, 1, 1, 1, 1, 1, .nhwc = 1, .clamp = TEST_CLAMP_RELU},
    {"narrow_clamp_depthwise", 1, 6, 7, 7, 6, 6, 3, 3, 1, 1, 1, 1, 1, 1, .clamp = TEST_CLAMP_NARROW},
    {"no_bias", 1, 6, 6, 5, 9, 3, 3, 3, 1, 1, 1, 1, 1, 1, .no_bias = 1},
    {"no_bias_depthwise_relu6", 1, 8, 6, 6, 8, 8, 3, 3, 1, 1, 1, 1, 1, 1, .clamp = TEST_CLAMP_RELU6, .no_bias = 1},
    {"batch3", 3, 6, 5, 5, 6, 2, 3, 3, 1, 1, 1, 1, 1, 1},
    {"batch4_depthwise_nhwc", 4, 3, 4, 5, 3, 3, 3, 3, 1, 1, 1, 1, 1, 1, .nhwc = 1},
    {"odd_sizes", 1, 15, 13, 11, 21, 3, 3, 3, 1, 1, 1, 1, 1, 1},
    {"odd_sizes_nhwc_s2", 1, 9, 11, 13, 15, 3, 3, 3, 2, 2, 1, 1, 1, 1, .nhwc = 1},
    {"g_eq_c_k_eq_c", 1, 16, 6, 6, 16, 16, 3, 3, 1, 1, 1, 1, 1, 1},
    {"dense", 1, 8, 7, 6, 16, 1, 3, 3, 1, 1, 1, 1, 1, 1},
    {"dense_1x1", 2, 16, 4, 5, 24, 1, 1, 1},
    {"large_kernel_7x7", 1, 4, 12, 11, 4, 2, 7, 7, 1, 1, 3, 3, 3, 3},
    {"large_kernel_7x7_depthwise_s2", 1, 6, 13, 12, 6, 6, 7, 7, 2, 2, 3, 3, 3, 3},
    {"kernel_1x5", 1, 6, 5, 9, 6, 2, 1, 5, 1, 1, 0, 2, 0, 2},
    {"kernel_5x1", 1, 6, 9, 5, 6, 3, 5, 1, 1, 1, 2, 0, 2, 0},
    {"kernel_1x7_depthwise_nhwc", 1, 4, 4, 10, 4, 4, 1, 7, 1, 1, 0, 3, 0, 3, .nhwc = 1},
    {"kernel_equals_padded_input", 1, 4, 5, 4, 6, 2, 7, 6, 1, 1, 1, 1, 1, 1},
    {"kernel_equals_input", 2, 6, 3, 5, 6, 6, 3, 5},
    {"channels_per_group_3", 1, 12, 6, 5, 8, 4, 3, 3, 1, 1, 1, 1, 1, 1},
    {"channels_per_group_5_kpg_7", 1, 10, 5, 6, 14, 2, 3, 3, 1, 1, 1, 1, 1, 1},
    {"many_groups_32", 1, 64, 4, 4, 64, 32, 3, 3, 1, 1, 1, 1, 1, 1},
    {"wide_image_row", 1, 4, 2, 70, 4, 2, 3, 3, 1, 1, 1, 1, 1, 1},
    /* Depthwise rows of 16+ outputs (8-wide vectors) through the zero-padded-plane kernel:
       stride 2 with a multiplier and a batch, and 5x5 with planes that do not fill the last
       work-group. */
    {"depthwise_wide_rows_s2_multiplier2_batch2", 2, 6, 9, 40, 12, 6, 3, 3, 2, 2, 1, 1, 1, 1},
    {"depthwise_5x5_wide_rows", 1, 5, 18, 33, 5, 5, 5, 5, 1, 1, 2, 2, 2, 2},
    /* Planes of more than 32x32 outputs: on CPU devices these take the zero-padded-plane
       kernel's shared staging (one work-item per row and a barrier), smaller ones the
       self-staged build. */
    {"depthwise_large_plane_multiplier2", 1, 3, 40, 36, 6, 3, 3, 3, 1, 1, 1, 1, 1, 1},
    {"depthwise_large_plane_s2_batch2", 2, 4, 70, 67, 4, 4, 3, 3, 2, 2, 1, 0, 1, 1},
    /* Small NCHW planes with multiplier 1: on CPUs the channel-vectorised kernel takes 8 planes
       per work-item; batches make blocks span images, and the last block is partial. */
    {"depthwise_8_plane_blocks_partial", 3, 5, 9, 7, 5, 5, 3, 3, 1, 1, 1, 1, 1, 1},
    {"depthwise_8_plane_blocks_5x5_s2", 1, 12, 11, 13, 12, 12, 5, 5, 2, 2, 2, 1, 2, 2, .no_bias = 1},
    /* Its copies move 8 flat elements of each plane at a time, the last 8 of a plane moved back
       to overlap the previous ones; planes of fewer than 8 inputs or outputs take the per-plane
       kernel instead. Input rows and columns past the padded tile (stride 2) are not staged. */
    {"depthwise_8_plane_blocks_overlapping_tail", 2, 11, 2, 5, 11, 11, 3, 3, 1, 1, 1, 1, 1, 1},
    {"depthwise_8_plane_blocks_7x7_asymmetric", 1, 16, 9, 10, 16, 16, 7, 7, 1, 1, 3, 2, 1, 3},
    {"depthwise_8_plane_blocks_unused_rows_s2", 1, 8, 10, 10, 8, 8, 3, 3, 2, 2, 0, 0, 0, 0},
    /* Stride 2 in the per-plane kernel (multiplier 2, or planes of more than 256 outputs):
       staged rows split into even and odd columns, copied 16 at a time from either parity
       (rows of fewer than 16 inputs one by one). */
    {"depthwise_s2_split_rows_odd_pad", 1, 8, 40, 41, 8, 8, 3, 3, 2, 2, 1, 1, 0, 1},
    {"depthwise_s2_split_rows_5x5", 1, 4, 45, 50, 4, 4, 5, 5, 2, 2, 2, 2, 2, 1, .no_bias = 1},
    {"depthwise_s2_split_rows_short_7x7_multiplier2", 1, 4, 12, 13, 8, 4, 7, 7, 2, 2, 3, 3, 3, 3},
    {"depthwise_plane_under_8_outputs", 1, 16, 4, 4, 16, 16, 3, 3, 1, 1, 0, 0, 0, 0},
    {"depthwise_plane_under_8_inputs", 1, 9, 2, 2, 9, 9, 3, 3, 1, 1, 2, 2, 2, 2, .clamp = TEST_CLAMP_RELU6},
    /* NHWC images of <= 256 outputs with K a multiple of 8 and multiplier 1: on CPUs a work-item
       per 8 channels of an image stages its zero-padded plane (rows past the tile unused). */
    {"depthwise_nhwc_tile_batch3", 3, 16, 7, 7, 16, 16, 3, 3, 1, 1, 1, 1, 1, 1, .nhwc = 1},
    {"depthwise_nhwc_tile_5x5_s2_asymmetric", 1, 24, 11, 13, 24, 24, 5, 5, 2, 2, 2, 1, 1, 2, .nhwc = 1, .no_bias = 1},
    {"depthwise_nhwc_tile_unused_rows_s2", 1, 8, 10, 9, 8, 8, 3, 3, 2, 2, 0, 0, 0, 0, .nhwc = 1, .clamp = TEST_CLAMP_RELU6},
    {"depthwise_nhwc_tile_7x7_kernel", 1, 8, 9, 8, 8, 8, 7, 7, 1, 1, 3, 3, 3, 3, .nhwc = 1},
    {"depthwise_nhwc_tile_image_1x1", 2, 8, 1, 1, 8, 8, 3, 3, 1, 1, 1, 1, 1, 1, .nhwc = 1},
    /* (16 registers: 12-wide rows of a 3x3 window keep the tile kernel, unrolled rows taking
       rows up to 8; with 32 registers this and most tile cases above unroll their rows) */
    {"depthwise_nhwc_tile_12x12_24_channels", 1, 24, 12, 12, 24, 24, 3, 3, 1, 1, 1, 1, 1, 1, .nhwc = 1},
    /* Larger NHWC images, multiplier 1, <= 9 taps, K a multiple of 16: 16-lane channel vectors
       on CPUs (specialised 3x3 and stride 2, the generic build for 1x3 and dilation). */
    {"depthwise_nhwc_16_lanes", 1, 16, 17, 18, 16, 16, 3, 3, 1, 1, 1, 1, 1, 1, .nhwc = 1},
    {"depthwise_nhwc_16_lanes_s2_batch2", 2, 32, 35, 33, 32, 32, 3, 3, 2, 2, 1, 0, 1, 1, .nhwc = 1, .clamp = TEST_CLAMP_RELU6},
    {"depthwise_nhwc_16_lanes_1x3", 1, 16, 20, 20, 16, 16, 1, 3, 1, 1, 0, 1, 0, 1, .nhwc = 1, .no_bias = 1},
    {"depthwise_nhwc_16_lanes_dilated", 1, 32, 20, 19, 32, 32, 3, 3, 1, 1, 2, 2, 2, 2, 2, 2, .nhwc = 1},
    {"depthwise_nhwc_16_lanes_12x12", 1, 32, 12, 12, 32, 32, 3, 3, 1, 1, 1, 1, 1, 1, .nhwc = 1},
    /* NHWC depthwise rows long enough for the kernel's runs of 4 interior pixels (specialised
       geometries), with and without a multiplier, stride 2, asymmetric padding, 5x5 and 7x7. */
    {"depthwise_nhwc_interior_runs_multiplier2", 1, 5, 9, 17, 10, 5, 3, 3, 1, 1, 1, 1, 1, 1, .nhwc = 1},
    {"depthwise_nhwc_interior_runs_s2_batch2", 2, 16, 11, 23, 16, 16, 3, 3, 2, 2, 0, 1, 1, 0, .nhwc = 1},
    {"depthwise_nhwc_interior_runs_5x5", 1, 8, 12, 19, 8, 8, 5, 5, 1, 1, 2, 2, 2, 2, .nhwc = 1, .no_bias = 1},
    {"depthwise_nhwc_interior_runs_7x7_s2", 1, 12, 15, 30, 24, 12, 7, 7, 2, 2, 3, 3, 3, 3, .nhwc = 1},
    /* Geometries outside the common set, built specialised since session 10 (any window up
       to 11x11): NCHW staged planes with multiplier 3 (self-staged, and work-group-staged
       with a 4x4 window), 8-plane blocks with a dilated 5x5 stride-2 window and with an even
       4x4 window; NHWC rows with dilation 3 (small images with dilation keep the streaming
       kernel), multiplier 4 with stride 3, dilation 6; multiplier 10; and the generic build
       beyond that range (13x13 window). The GPU-plans pass skips the first three (CPU-only
       self-staged planes and 8-plane blocks; the fourth covers work-group staging there). */
    {"depthwise_staged_multiplier3", 1, 4, 12, 11, 12, 4, 3, 3, 1, 1, 1, 1, 1, 1, .cpu_paths = 1},
    {"depthwise_staged_dilated_5x5_s2", 1, 6, 17, 15, 6, 6, 5, 5, 2, 2, 4, 3, 4, 4, 2, 2, .cpu_paths = 1},
    {"depthwise_large_plane_multiplier3_4x4", 1, 2, 38, 35, 6, 2, 4, 4, 1, 1, 2, 1, 1, 2},
    {"depthwise_8_plane_blocks_4x4_even_window", 1, 16, 9, 8, 16, 16, 4, 4, 1, 1, 2, 1, 1, 2, .clamp = TEST_CLAMP_RELU6, .cpu_paths = 1},
    {"depthwise_nhwc_dilated3_small_image", 1, 16, 9, 9, 16, 16, 3, 3, 1, 1, 3, 3, 3, 3, 3, 3, .nhwc = 1},
    {"depthwise_nhwc_multiplier4_stride3", 1, 4, 13, 14, 16, 4, 3, 3, 3, 3, 1, 1, 1, 1, .nhwc = 1, .no_bias = 1},
    {"depthwise_generic_13x13", 1, 4, 15, 14, 4, 4, 13, 13, 1, 1, 6, 6, 6, 6},
    {"depthwise_dilation6_nhwc", 1, 8, 20, 19, 8, 8, 3, 3, 1, 1, 6, 6, 6, 6, 6, 6, .nhwc = 1},
    {"depthwise_multiplier10", 1, 2, 6, 7, 20, 2, 3, 3, 1, 1, 1, 1, 1, 1},
    /* 16-plane blocks of the channel-vectorised kernel (AVX-512 CPUs): 40 planes (the last
       block moves back over 8 planes of the one before) and 26 planes (over 6). */
    {"depthwise_16_plane_blocks_40_planes", 2, 20, 7, 7, 20, 20, 3, 3, 1, 1, 1, 1, 1, 1},
    {"depthwise_16_plane_blocks_26_planes", 2, 13, 9, 8, 13, 13, 3, 3, 1, 1, 1, 1, 1, 1, .clamp = TEST_CLAMP_RELU6},
    /* A block's planes are consecutive: the last block moves back over planes of the one before
       and stores only its own (17 planes: 16 + a block storing 1; 9 planes in 8-plane blocks:
       the last stores 1); fewer planes than a block take the per-plane kernel (a route check:
       the kernel would read before the input there, for planes it then skips). */
    {"depthwise_16_plane_blocks_last_moved_back_15", 1, 17, 7, 9, 17, 17, 3, 3, 1, 1, 1, 1, 1, 1},
    {"depthwise_8_plane_blocks_last_moved_back_7", 1, 9, 8, 8, 9, 9, 3, 3, 2, 2, 1, 1, 1, 1},
    {"depthwise_fewer_planes_than_a_block", 1, 6, 9, 7, 6, 6, 3, 3, 1, 1, 1, 1, 1, 1},
    /* NCHW row blocks (CLG_RB; CPUs, stride 1 along x, rows of 16 or more; AVX2-sized plans
       block only windows over 3 rows, which the other-register-file pass runs): 2-row
       blocks of a 9x9 window with one row left over and 16-lane chunks; 4-row blocks of a 3x3
       window with 3 rows left over (self-staged) and with 1 left over in work-group-staged
       planes of 56-wide rows, batch 2; dilation 2; multiplier 2 with a 5x5 window; vertical
       stride 2 (blocks share one input row per pair of output rows); a tall 7x3 window; fewer
       output rows than a block (all rows left over), a window taller than the output, and
       work-group-staged planes with 3 rows left over (several work-items take leftovers). */
    {"depthwise_row_blocks_9x9_odd_rows", 1, 4, 29, 28, 4, 4, 9, 9, 1, 1, 4, 4, 4, 4},
    {"depthwise_row_blocks_3x3_three_left", 1, 6, 31, 28, 6, 6, 3, 3, 1, 1, 1, 1, 1, 1, .clamp = TEST_CLAMP_RELU6},
    {"depthwise_row_blocks_large_plane_batch2", 2, 3, 57, 56, 3, 3, 3, 3, 1, 1, 1, 1, 1, 1, .no_bias = 1},
    {"depthwise_row_blocks_dilated", 1, 4, 30, 32, 4, 4, 3, 3, 1, 1, 2, 2, 2, 2, 2, 2},
    {"depthwise_row_blocks_multiplier2_5x5", 1, 3, 20, 28, 6, 3, 5, 5, 1, 1, 2, 2, 2, 2},
    {"depthwise_row_blocks_vertical_stride2", 1, 4, 33, 28, 4, 4, 3, 3, 2, 1, 1, 1, 1, 1, .clamp = TEST_CLAMP_NARROW},
    {"depthwise_row_blocks_7x3_asymmetric", 1, 5, 24, 30, 5, 5, 7, 3, 1, 1, 3, 1, 2, 1},
    {"depthwise_row_blocks_fewer_rows_than_block", 1, 3, 2, 28, 6, 3, 3, 3, 1, 1, 1, 1, 1, 1},
    {"depthwise_row_blocks_window_taller_than_output", 1, 2, 3, 30, 4, 2, 5, 5, 1, 1, 2, 2, 2, 2},
    {"depthwise_row_blocks_large_plane_three_left", 1, 2, 59, 56, 2, 2, 3, 3, 1, 1, 1, 1, 1, 1, .clamp = TEST_CLAMP_RELU6},
    /* NHWC 16-lane channel vectors for windows over 9 taps (AVX-512 CPUs, multiplier 1, K a
       multiple of 16): 9x9 at batch 2 with interior runs and borders, 5x5 dilated with stride 2,
       a 7x3 window with asymmetric padding, 11x11 on an image smaller than the window. */
    {"depthwise_nhwc_16_lanes_9x9_batch2", 2, 16, 20, 19, 16, 16, 9, 9, 1, 1, 4, 4, 4, 4, .nhwc = 1},
    {"depthwise_nhwc_16_lanes_5x5_dilated_s2", 1, 32, 23, 21, 32, 32, 5, 5, 2, 2, 4, 3, 4, 4, 2, 2, .nhwc = 1, .clamp = TEST_CLAMP_RELU6},
    {"depthwise_nhwc_16_lanes_7x3_asymmetric", 1, 16, 15, 22, 16, 16, 7, 3, 1, 1, 3, 1, 2, 0, .nhwc = 1, .no_bias = 1},
    {"depthwise_nhwc_16_lanes_11x11_small_image", 1, 16, 9, 10, 16, 16, 11, 11, 1, 1, 5, 5, 5, 5, .nhwc = 1},
    /* NCHW depthwise planes in flat runs (CPU devices, stride 1, OW == W, windows of up to 9
       taps, at least 64 planes per compute unit: these have 1024 or more, and
       test_differential expects them to reach the flat kernel on devices of up to 16
       compute units): 7x7 planes (the last run moved back) with a clamp; multiplier 2 on
       14x14; dilation 2; padding only at the top and only at the bottom (OH < H); padding
       taller than the window (OH > H); a 1x3 window on 6x5 planes; a 3x1 window on 8x4 planes
       (whole runs); 25x32 planes, the 450 vector taps of the unroll limit at 16 lanes. The
       first and last planes of each take the checked loop; 4x4 planes with dilation 4 reach
       beyond one plane, so two planes at each end do. */
    {"depthwise_flat_7x7_batch8_relu6", 8, 128, 7, 7, 128, 128, 3, 3, 1, 1, 1, 1, 1, 1, .clamp = TEST_CLAMP_RELU6},
    {"depthwise_flat_multiplier2_14x14", 2, 256, 14, 14, 512, 256, 3, 3, 1, 1, 1, 1, 1, 1},
    {"depthwise_flat_dilated2", 4, 256, 9, 10, 256, 256, 3, 3, 1, 1, 2, 2, 2, 2, 2, 2, .no_bias = 1},
    {"depthwise_flat_top_pad_only", 4, 256, 9, 6, 256, 256, 3, 3, 1, 1, 2, 1, 0, 1},
    {"depthwise_flat_bottom_pad_only", 3, 352, 6, 9, 352, 352, 3, 3, 1, 1, 0, 1, 1, 1, .clamp = TEST_CLAMP_NARROW},
    {"depthwise_flat_taller_padding", 8, 128, 5, 7, 128, 128, 3, 3, 1, 1, 2, 1, 2, 1},
    {"depthwise_flat_dilated4_4x4_two_checked_planes", 8, 128, 4, 4, 128, 128, 3, 3, 1, 1, 4, 4, 4, 4, 4, 4},
    {"depthwise_flat_1x3_6x5", 8, 128, 6, 5, 128, 128, 1, 3, 1, 1, 0, 1, 0, 1},
    {"depthwise_flat_3x1_8x4", 8, 128, 8, 4, 128, 128, 3, 1, 1, 1, 1, 0, 1, 0},
    {"depthwise_flat_25x32_unroll_limit", 1, 1024, 25, 32, 1024, 1024, 3, 3, 1, 1, 1, 1, 1, 1},
    /* NCHW narrow groups in flat runs (groups of 2 or 4 input and as many output channels, the
       same rule counting groups: these have 1024): 7x7 planes with a clamp; 4 per group on
       14x14 with dilation 2; a 1x1 window on 5x6 planes (a run moved back by 14); 4 per group
       with padding at the top only; 4x4 planes with dilation 4 (one run; the checked groups at
       each end). */
    {"depthwise_flat_cpg2_7x7_batch8_relu6", 8, 256, 7, 7, 256, 128, 3, 3, 1, 1, 1, 1, 1, 1, .clamp = TEST_CLAMP_RELU6},
    {"depthwise_flat_cpg4_14x14_dilated2", 8, 512, 14, 14, 512, 128, 3, 3, 1, 1, 2, 2, 2, 2, 2, 2, .no_bias = 1},
    {"depthwise_flat_cpg2_1x1_5x6", 4, 512, 5, 6, 512, 256, 1, 1, 1, 1, 0, 0, 0, 0},
    {"depthwise_flat_cpg4_top_pad_only", 8, 512, 9, 6, 512, 128, 3, 3, 1, 1, 2, 1, 0, 1, .clamp = TEST_CLAMP_NARROW},
    {"depthwise_flat_cpg2_dilated4_4x4", 8, 256, 4, 4, 256, 128, 3, 3, 1, 1, 4, 4, 4, 4, 4, 4},
    /* NCHW depthwise planes of one row at a time in the staged-plane kernel (no row blocks: a
       1x3 window; rows narrower than 16, in 4 lanes), for test_differential's ring pass, which
       otherwise reaches the ring with row blocks or stride 2 only. */
    {"depthwise_ring_1x3_single_rows", 2, 8, 20, 24, 8, 8, 1, 3, 1, 1, 0, 1, 0, 1},
    {"depthwise_ring_3x3_narrow_rows", 1, 4, 30, 12, 4, 4, 3, 3, 1, 1, 1, 1, 1, 1, .clamp = TEST_CLAMP_RELU6},
    /* NHWC depthwise rows unrolled at compile time (CPU devices, rows of up to 32 outputs and
       384 taps; test_differential expects every depthwise_nhwc_rows case planned for 32
       registers to reach them): the 32-output limit in chunks of 8; 11 outputs in chunks of 6
       (the last one short), 24 channels in 8-lane vectors, batch 3; padding wider than the
       window (outputs with no tap inside the row: bias only) on both sides and at the bottom;
       stride 3 over a dilated 2-tap window with multiplier 3; a 7x7 window on a 7-wide row in
       4-lane vectors; exactly 384 taps (4x4 window, 24 outputs); 16-lane vectors with stride 2,
       uneven padding and 14 rows. The depthwise_nhwc_walk cases keep the interior/border walk
       covered: 33 outputs (one over the limit) and 40 with multiplier 2 and stride 2 rows. */
    {"depthwise_nhwc_rows_32_wide_limit", 1, 16, 5, 32, 16, 16, 3, 3, 1, 1, 1, 1, 1, 1, .nhwc = 1},
    {"depthwise_nhwc_rows_11_wide_short_chunk_batch3", 3, 24, 4, 11, 24, 24, 3, 3, 1, 1, 1, 1, 1, 1, .nhwc = 1, .clamp = TEST_CLAMP_RELU6},
    {"depthwise_nhwc_rows_padding_wider_than_window", 2, 8, 5, 6, 8, 8, 3, 3, 1, 1, 0, 3, 4, 4, .nhwc = 1},
    {"depthwise_nhwc_rows_stride3_dilated_multiplier3", 1, 4, 10, 17, 12, 4, 2, 2, 3, 3, 1, 2, 0, 1, 2, 2, .nhwc = 1, .no_bias = 1},
    {"depthwise_nhwc_rows_7x7_window_7_wide", 1, 20, 8, 7, 20, 20, 7, 7, 1, 1, 3, 3, 3, 3, .nhwc = 1},
    {"depthwise_nhwc_rows_384_taps_4x4", 1, 8, 6, 24, 8, 8, 4, 4, 1, 1, 2, 2, 1, 1, .nhwc = 1, .clamp = TEST_CLAMP_NARROW},
    {"depthwise_nhwc_rows_16_lanes_s2_batch2", 2, 48, 28, 28, 48, 48, 3, 3, 2, 2, 0, 0, 1, 1, .nhwc = 1},
    {"depthwise_nhwc_walk_33_wide", 1, 16, 4, 33, 16, 16, 3, 3, 1, 1, 1, 1, 1, 1, .nhwc = 1},
    {"depthwise_nhwc_walk_40_wide_multiplier2_s2", 2, 8, 9, 80, 16, 8, 3, 3, 2, 2, 1, 1, 1, 0, .nhwc = 1, .no_bias = 1},
    /* NHWC depthwise work-items of several 16-channel vectors (-DCLG_KC, the largest divisor
       of K/16 up to 6), forced by test_differential for every depthwise_nhwc_kc case planned
       for 32 registers (the rule keeps them for layers larger than 1.25 MiB per compute
       unit), and run again with streamed stores: unrolled rows (the kc_rows cases, asserted)
       with 3 vectors, dilation and top and bottom borders at batch 2; 6 vectors at stride 2
       with uneven padding; 5 vectors on 1x1 images at batch 3; a 1x1 window without bias; and
       the interior/border walk (rows over 32 outputs or 384 taps) with 2 vectors under a 7x7
       window, 4 at stride 2 under a 5x5 window, 5 dilated, 3 over 33 outputs with uneven
       padding, 2 under a dilated 5x5 window. */
    {"depthwise_nhwc_kc_rows_48_dilated_batch2", 2, 48, 9, 11, 48, 48, 3, 3, 1, 1, 2, 2, 2, 2, 2, 2, .nhwc = 1, .cpu_paths = 1},
    {"depthwise_nhwc_kc_rows_96_s2_asymmetric", 1, 96, 13, 14, 96, 96, 3, 3, 2, 2, 1, 0, 1, 2, .nhwc = 1, .clamp = TEST_CLAMP_RELU6, .cpu_paths = 1},
    {"depthwise_nhwc_kc_walk_7x7_window_32", 1, 32, 10, 12, 32, 32, 7, 7, 1, 1, 3, 3, 3, 3, .nhwc = 1, .no_bias = 1, .cpu_paths = 1},
    {"depthwise_nhwc_kc_rows_image_1x1_80_batch3", 3, 80, 1, 1, 80, 80, 3, 3, 1, 1, 1, 1, 1, 1, .nhwc = 1, .cpu_paths = 1},
    {"depthwise_nhwc_kc_rows_1x1_window_96", 1, 96, 5, 7, 96, 96, 1, 1, 1, 1, 0, 0, 0, 0, .nhwc = 1, .no_bias = 1, .cpu_paths = 1},
    {"depthwise_nhwc_kc_walk_64_5x5_s2", 1, 64, 11, 75, 64, 64, 5, 5, 2, 2, 2, 2, 2, 2, .nhwc = 1, .clamp = TEST_CLAMP_NARROW, .no_bias = 1, .cpu_paths = 1},
    {"depthwise_nhwc_kc_walk_80_dilated_batch2", 2, 80, 6, 40, 80, 80, 3, 3, 1, 1, 2, 2, 2, 2, 2, 2, .nhwc = 1, .cpu_paths = 1},
    {"depthwise_nhwc_kc_walk_48_33_wide", 1, 48, 5, 33, 48, 48, 3, 3, 1, 1, 0, 1, 1, 1, .nhwc = 1, .cpu_paths = 1},
    {"depthwise_nhwc_kc_walk_5x5_dilated_32", 1, 32, 9, 20, 32, 32, 5, 5, 1, 1, 4, 4, 4, 4, 2, 2, .nhwc = 1, .clamp = TEST_CLAMP_RELU6, .cpu_paths = 1},
    /* NHWC with 2 channels per group (in = out): tiled puts 4 groups in one 8-lane vector and
       rotates the input within each group; 4 channels per group stay on 4-lane vectors. */
    {"nhwc_two_channels_per_group", 1, 16, 9, 11, 16, 8, 3, 3, 1, 1, 1, 1, 1, 1, .nhwc = 1},
    {"nhwc_four_channels_per_group_s2_batch2", 2, 32, 10, 9, 32, 8, 3, 3, 2, 2, 1, 1, 1, 1, .nhwc = 1},
    /* NHWC narrow groups (2 or 4 input and output channels per group, K a multiple of 8):
       depthwise's NHWC kernel with -DCLG_CPG, 8-lane vectors over 8/CPG groups. 3x3 with runs
       of interior pixels, 5x5, 7x7 stride 2, dilation, 1x3 windows and stride 3 (all
       specialised builds), the generic build for a 1x13 window; the smallest K, a 1x1 image,
       clamps and no bias. */
    {"narrow_groups_cpg4_nhwc_interior_runs", 1, 16, 9, 23, 16, 4, 3, 3, 1, 1, 1, 1, 1, 1, .nhwc = 1, .clamp = TEST_CLAMP_RELU6},
    {"narrow_groups_cpg2_nhwc_5x5_asymmetric", 1, 24, 11, 12, 24, 12, 5, 5, 1, 1, 2, 1, 1, 2, .nhwc = 1},
    {"narrow_groups_cpg2_nhwc_7x7_s2_batch3", 3, 16, 13, 15, 16, 8, 7, 7, 2, 2, 3, 3, 3, 3, .nhwc = 1, .no_bias = 1},
    {"narrow_groups_cpg4_nhwc_dilated", 1, 32, 12, 11, 32, 8, 3, 3, 1, 1, 2, 2, 2, 2, 2, 2, .nhwc = 1, .clamp = TEST_CLAMP_NARROW},
    {"narrow_groups_cpg2_nhwc_1x3_stride3x2", 2, 16, 10, 11, 16, 8, 1, 3, 3, 2, 0, 1, 0, 1, .nhwc = 1},
    {"narrow_groups_cpg2_nhwc_generic_1x13", 1, 16, 5, 15, 16, 8, 1, 13, 1, 1, 0, 6, 0, 6, .nhwc = 1},
    {"narrow_groups_cpg4_nhwc_k8_image_1x1", 2, 8, 1, 1, 8, 2, 3, 3, 1, 1, 1, 1, 1, 1, .nhwc = 1},
    {"narrow_groups_cpg4_nhwc_s2_unpadded", 1, 8, 9, 10, 8, 2, 3, 3, 2, 2, 0, 0, 0, 0, .nhwc = 1, .no_bias = 1},
    /* NHWC grouped layers whose tiled plan pads the input into the group-blocked copy
       (pad_input_group_blocked: [N][G][HP][WP][CPG]; CPU plans with constant channel counts,
       16 or more input channels per group, row tiles): 16 per group in 16 lanes at batch 2
       and with a 5x5 stride-2 window and asymmetric padding, 20 in and 24 out per group
       (8-lane blocked weights, a copy of 4-float pieces) dilated, 32 per group with a 1x7
       window and only left/right padding, three groups of 16 at batch 3 with a clamp, 17
       input channels per group (a copy float by float), and 9 groups (work-groups of 8 groups,
       the last one partly idle). */
    {"tiled_nhwc_group_blocked_cpg16_batch2", 2, 32, 9, 20, 32, 2, 3, 3, 1, 1, 1, 1, 1, 1, .nhwc = 1},
    {"tiled_nhwc_group_blocked_cpg16_5x5_s2", 1, 48, 13, 34, 48, 3, 5, 5, 2, 2, 2, 1, 1, 2, .nhwc = 1, .no_bias = 1},
    {"tiled_nhwc_group_blocked_cpg20_kpg24_dilated", 1, 60, 11, 19, 72, 3, 3, 3, 1, 1, 2, 2, 2, 2, 2, 2, .nhwc = 1},
    {"tiled_nhwc_group_blocked_cpg32_1x7", 1, 64, 5, 18, 64, 2, 1, 7, 1, 1, 0, 3, 0, 3, .nhwc = 1, .clamp = TEST_CLAMP_RELU6},
    {"tiled_nhwc_group_blocked_g3_batch3", 3, 48, 7, 17, 48, 3, 3, 3, 1, 1, 1, 1, 1, 1, .nhwc = 1, .clamp = TEST_CLAMP_NARROW},
    {"tiled_nhwc_group_blocked_cpg17_float_copy", 1, 34, 8, 18, 32, 2, 3, 3, 1, 1, 1, 1, 1, 1, .nhwc = 1},
    {"tiled_nhwc_group_blocked_g9_batch2", 2, 144, 5, 17, 144, 9, 3, 3, 1, 1, 1, 1, 1, 1, .nhwc = 1},
    /* NCHW stride-2 depthwise planes self-staged up to 64x64 outputs (CPU devices), in 16-lane
       rows on AVX-512 where 16 lanes cover the row about as tightly as 8: a 50x49 plane (16
       lanes, the last chunk moved back; no left padding), a 30x35 plane with a multiplier and a
       dilated 5x5 window (8 lanes), a 17x32 plane at batch 2 (16 lanes, one column of left
       padding), the 64x64 limit, and a 65x64 plane just over it (work-group staging). Each
       staged row is zeroed only in its padding columns. */
    {"depthwise_s2_self_staged_16_lanes_50x49", 1, 3, 100, 98, 3, 3, 3, 3, 2, 2, 1, 0, 0, 1, .cpu_paths = 1},
    {"depthwise_s2_self_staged_multiplier2_5x5_dilated", 1, 2, 60, 70, 4, 2, 5, 5, 2, 2, 4, 3, 4, 4, 2, 2, .clamp = TEST_CLAMP_NARROW, .cpu_paths = 1},
    {"depthwise_s2_16_lanes_17x32_batch2", 2, 4, 33, 64, 4, 4, 3, 3, 2, 2, 1, 1, 1, 0, .clamp = TEST_CLAMP_RELU6, .cpu_paths = 1},
    {"depthwise_s2_self_staged_limit_64x64", 1, 2, 128, 128, 2, 2, 3, 3, 2, 2, 1, 1, 1, 1, .no_bias = 1, .cpu_paths = 1},
    {"depthwise_s2_work_group_staged_65x64", 1, 2, 130, 128, 2, 2, 3, 3, 2, 2, 1, 1, 1, 1},
    /* even staged tile widths: a 4x4 window (8 lanes, 40x36 outputs) and a 2x2 window dilated
       3 (16 lanes, 34x32) */
    {"depthwise_s2_self_staged_4x4_even_tile", 1, 2, 80, 70, 2, 2, 4, 4, 2, 2, 1, 2, 1, 2, .cpu_paths = 1},
    {"depthwise_s2_16_lanes_2x2_dilated3", 1, 3, 70, 67, 3, 3, 2, 2, 2, 2, 0, 0, 0, 0, 3, 3, .cpu_paths = 1},
    /* NCHW narrow groups (CPU devices): depthwise's staged-plane kernel with -DCLG_CPG, each
       work-item staging its group's 2 or 4 input planes and computing the group's output
       planes. Row blocks with a leftover row (3x3 in 16 lanes, 5x5 asymmetric, K 12 in 8
       lanes), one row at a time in rows narrower than 16 (dilated), stride 2 columns (7x7 at
       batch 3 and a 1x3 window with stride 3x2 in 4 lanes; a 17-wide output row in 8 lanes,
       the last chunk moved back, staged 16 columns at a time), a 1x1 image, a window taller
       than the output, clamps and no bias. */
    {"narrow_groups_cpg2_nchw_row_blocks", 1, 16, 29, 28, 16, 8, 3, 3, 1, 1, 1, 1, 1, 1, .clamp = TEST_CLAMP_RELU6, .cpu_paths = 1},
    {"narrow_groups_cpg4_nchw_5x5_asymmetric", 1, 12, 12, 17, 12, 3, 5, 5, 1, 1, 2, 1, 1, 2, .cpu_paths = 1},
    {"narrow_groups_cpg2_nchw_7x7_s2_batch3", 3, 8, 13, 15, 8, 4, 7, 7, 2, 2, 3, 3, 3, 3, .no_bias = 1, .cpu_paths = 1},
    {"narrow_groups_cpg4_nchw_s2_wide", 1, 16, 32, 33, 16, 4, 3, 3, 2, 2, 1, 1, 1, 1, .cpu_paths = 1},
    {"narrow_groups_cpg4_nchw_dilated", 1, 16, 12, 11, 16, 4, 3, 3, 1, 1, 2, 2, 2, 2, 2, 2, .clamp = TEST_CLAMP_NARROW, .cpu_paths = 1},
    {"narrow_groups_cpg2_nchw_1x3_stride3x2", 2, 8, 10, 11, 8, 4, 1, 3, 3, 2, 0, 1, 0, 1, .cpu_paths = 1},
    {"narrow_groups_cpg4_nchw_k12_batch2", 2, 12, 9, 20, 12, 3, 3, 3, 1, 1, 1, 1, 1, 1, .cpu_paths = 1},
    {"narrow_groups_cpg2_nchw_image_1x1", 2, 4, 1, 1, 4, 2, 3, 3, 1, 1, 1, 1, 1, 1, .cpu_paths = 1},
    {"narrow_groups_cpg2_nchw_window_taller_than_output", 1, 6, 3, 30, 6, 3, 5, 5, 1, 1, 2, 2, 2, 2, .cpu_paths = 1},
    /* Tiled's 12-accumulator tiles on CPUs (constant channel counts, >= 8 per group, common
       geometries). NCHW: 4-6 channels x 2 row vectors - 24 channels (tiles of 6), 16 (tiles
       of 4) and 9 (tiles of 5, the last moved back), rows of 2-3 vectors with the last block
       moved back. NHWC: 16-lane vectors over 6 pixels for 16 or 32 channels per group, rows
       whose last tile is partial. */
    {"tiled_two_vectors_dense", 1, 16, 9, 21, 24, 1, 3, 3, 1, 1, 1, 1, 1, 1},
    {"tiled_two_vectors_grouped_s2_batch2", 2, 32, 8, 37, 32, 2, 3, 3, 2, 2, 1, 1, 1, 1, .no_bias = 1},
    {"tiled_two_vectors_5x5_moved_tile", 1, 16, 7, 30, 18, 2, 5, 5, 1, 1, 2, 2, 2, 2,
     .clamp = TEST_CLAMP_RELU6},
    /* Windows up to 7x7 with any stride or dilation, specialised since session 10 (they ran
       the generic build), in the tiles that need a specialised build: two row vectors with
       a 1x7 window, pitched rows with a dilated 3x3 and with a 4x4 window (NCHW and NHWC),
       NHWC constant channels with a 3x1 window and stride 3x1, a 2x2 stride-2 grouped layer.
       The GPU-plans pass skips the CPU-only tiles (two row vectors, pitched rows). */
    {"tiled_two_vectors_1x7", 1, 16, 8, 24, 24, 1, 1, 7, 1, 1, 0, 3, 0, 3, .cpu_paths = 1},
    {"tiled_pitched_dilated_3x3", 1, 16, 9, 10, 16, 1, 3, 3, 1, 1, 2, 2, 2, 2, 2, 2, .cpu_paths = 1},
    {"tiled_pitched_4x4_asymmetric", 1, 16, 7, 7, 24, 1, 4, 4, 1, 1, 2, 1, 1, 2, .no_bias = 1, .cpu_paths = 1},
    {"tiled_nhwc_pitched_4x4", 1, 16, 7, 7, 16, 1, 4, 4, 1, 1, 2, 1, 1, 2, .nhwc = 1, .cpu_paths = 1},
    {"tiled_nhwc_channels_3x1_stride3x1", 1, 32, 13, 11, 32, 2, 3, 1, 3, 1, 1, 0, 1, 0, .nhwc = 1},
    {"tiled_2x2_s2_grouped_nhwc_batch2", 2, 32, 10, 12, 64, 2, 2, 2, 2, 2, 0, 0, 0, 0, .nhwc = 1,
     .clamp = TEST_CLAMP_RELU6},
    /* NCHW stride 1 with rows under two vectors: tiled's blocks run over the padded image's
       flat positions (pitched), dropping the positions past each row's end; a run shorter
       than one block falls back to row blocks. */
    {"tiled_pitched_7x7", 1, 16, 7, 7, 16, 1, 3, 3, 1, 1, 1, 1, 1, 1},
    {"tiled_pitched_5x5_grouped_batch2", 2, 32, 11, 12, 48, 2, 5, 5, 1, 1, 2, 2, 2, 2,
     .clamp = TEST_CLAMP_RELU6},
    {"tiled_pitched_asymmetric_padding", 1, 8, 9, 10, 8, 1, 3, 3, 1, 1, 0, 2, 1, 0, .no_bias = 1},
    {"tiled_pitched_1x1_padded", 1, 8, 5, 6, 8, 1, 1, 1, 1, 1, 1, 1, 1, 1},
    {"tiled_pitched_run_too_short", 1, 8, 2, 3, 8, 1, 3, 3, 1, 1, 1, 1, 1, 1},
    {"tiled_sixteen_lanes_nhwc_dense", 1, 16, 7, 13, 32, 1, 3, 3, 1, 1, 1, 1, 1, 1, .nhwc = 1},
    {"tiled_sixteen_lanes_nhwc_s2_batch2", 2, 32, 9, 15, 32, 2, 3, 3, 2, 2, 1, 1, 1, 1, .nhwc = 1,
     .no_bias = 1},
    {"tiled_sixteen_lanes_nhwc_7x7", 1, 16, 10, 17, 16, 1, 7, 7, 1, 1, 3, 3, 3, 3, .nhwc = 1,
     .clamp = TEST_CLAMP_NARROW},
    /* NHWC tiles over an image's output pixels in order (pitched; taps outside the image read
       a block of zeros) where rows force smaller pixel tiles: 16 or more channels per group
       (16-lane vectors, tiles of up to 6 pixels) on 7x7 and 9x9 outputs - padding, stride 2,
       asymmetric padding, 5x5 with a clamp, the image's last tile partial - and layers
       without padding (3x3 valid, 1x1). Plans for 16 registers take them on each (the
       differential suite's other-register-file pass); for 32 registers on the 9x9 output
       (rows of 7 take row tiles of 7 there). */
    {"tiled_nhwc_pixel_run_7x7_grouped", 1, 32, 7, 7, 32, 2, 3, 3, 1, 1, 1, 1, 1, 1, .nhwc = 1,
     .cpu_paths = 1},
    {"tiled_nhwc_pixel_run_s2_batch2", 2, 32, 13, 13, 32, 2, 3, 3, 2, 2, 1, 1, 1, 1, .nhwc = 1,
     .no_bias = 1, .cpu_paths = 1},
    {"tiled_nhwc_pixel_run_asymmetric", 1, 16, 8, 7, 16, 1, 3, 3, 1, 1, 0, 2, 1, 0, .nhwc = 1,
     .cpu_paths = 1},
    {"tiled_nhwc_pixel_run_5x5_batch2", 2, 48, 9, 9, 48, 3, 5, 5, 1, 1, 2, 2, 2, 2, .nhwc = 1,
     .clamp = TEST_CLAMP_RELU6, .cpu_paths = 1},
    {"tiled_nhwc_pixel_run_unpadded_3x3", 2, 32, 9, 9, 32, 2, 3, 3, 1, 1, 0, 0, 0, 0, .nhwc = 1,
     .cpu_paths = 1},
    {"tiled_nhwc_pixel_run_unpadded_1x1", 1, 32, 7, 7, 32, 2, 1, 1, 1, 1, 0, 0, 0, 0, .nhwc = 1,
     .clamp = TEST_CLAMP_NARROW, .cpu_paths = 1},
    /* NCHW grouped layers with short reductions on small images run the NHWC kernel's pitched
       tiles with NCHW addressing (the differential suite also forces that path on every NCHW
       layer that suits it): 14x14 with 4 groups and a clamp, stride 2 with asymmetric
       padding, batch 3 with 8-channel groups (8-lane vectors), two channel vectors (groups
       of 32 output channels at batch 2; 64 with asymmetric padding, two blocks of them; on
       32-register CPUs each asserts that its run through the NHWC kernel takes them), edge
       row tiles on 32 registers (8 per group in 8-lane tiles sharing a row's values; stride
       2 with asymmetric padding, 16 per group, three tiles a row; each asserts edge rows in
       that run; the kpg64 case takes them too, with two vectors), pitched tiles of two
       vectors over two channel blocks (7x7, a row in one tile), more input than output
       channels per group. */
    {"tiled_nchw_via_nhwc_14x14_g4", 2, 64, 14, 14, 64, 4, 3, 3, 1, 1, 1, 1, 1, 1,
     .clamp = TEST_CLAMP_RELU6, .cpu_paths = 1},
    {"tiled_nchw_via_nhwc_s2_asymmetric", 1, 32, 13, 14, 32, 2, 3, 3, 2, 2, 0, 0, 1, 1,
     .cpu_paths = 1},
    {"tiled_nchw_via_nhwc_batch3_cpg8", 3, 32, 14, 14, 32, 4, 3, 3, 1, 1, 1, 1, 1, 1,
     .no_bias = 1, .cpu_paths = 1},
    {"tiled_nchw_via_nhwc_kv2_7x7_batch2", 2, 64, 7, 7, 64, 2, 3, 3, 1, 1, 1, 1, 1, 1,
     .cpu_paths = 1},
    {"tiled_nchw_via_nhwc_kv2_kpg64_asymmetric", 1, 64, 13, 11, 64, 1, 3, 3, 1, 1, 0, 1, 2, 1,
     .clamp = TEST_CLAMP_NARROW, .cpu_paths = 1},
    {"tiled_nchw_via_nhwc_kv2_pitched_7x7_kpg64", 1, 64, 7, 7, 64, 1, 3, 3, 1, 1, 1, 1, 1, 1,
     .no_bias = 1, .cpu_paths = 1},
    {"tiled_nchw_via_nhwc_rows_10x10_cpg8", 1, 64, 10, 10, 64, 8, 3, 3, 1, 1, 1, 1, 1, 1,
     .cpu_paths = 1},
    {"tiled_nchw_via_nhwc_rows_s2_13x15", 2, 32, 25, 29, 32, 2, 3, 3, 2, 2, 1, 0, 1, 2,
     .clamp = TEST_CLAMP_RELU, .cpu_paths = 1},
    {"tiled_nchw_via_nhwc_wide_input", 1, 64, 7, 7, 32, 2, 3, 3, 1, 1, 1, 1, 1, 1,
     .cpu_paths = 1},
    /* NCHW layers run by the NHWC kernel's row tiles on a transposed, padded copy of the
       input (pad_input_from_nchw, -DCLG_OUT_NCHW; CPU plans take it for strided and wide
       layers, the differential suite forces it on these cases and on a share of the random
       sweep's NCHW layers): stride 2 with asymmetric padding in 16-lane tiles, rows of 57 in
       two channel vectors (the last tile partial), 2 channels per group (groups per vector),
       3 input and 5 output channels per group (narrow vectors) dilated with a stride over the
       kernel, a 5x5 at batch 3 without a bias, a 1x1 layer with more input than output
       channels. */
    {"tiled_nchw_copy_s2_asymmetric", 1, 32, 29, 31, 32, 1, 3, 3, 2, 2, 0, 1, 1, 0,
     .clamp = TEST_CLAMP_RELU6},
    {"tiled_nchw_copy_two_vectors_57_wide", 1, 64, 6, 57, 64, 1, 3, 3, 1, 1, 1, 1, 1, 1},
    {"tiled_nchw_copy_groups_per_vector", 2, 16, 9, 11, 16, 8, 3, 3, 1, 1, 1, 1, 1, 1},
    {"tiled_nchw_copy_narrow_dilated", 2, 9, 11, 13, 15, 3, 3, 3, 3, 3, 2, 1, 0, 2, 2, 2},
    {"tiled_nchw_copy_5x5_batch3", 3, 24, 10, 17, 48, 2, 5, 5, 1, 1, 2, 2, 2, 2, .no_bias = 1},
    {"tiled_nchw_copy_1x1", 1, 48, 7, 9, 16, 1, 1, 1, 1, 1, 0, 0, 0, 0,
     .clamp = TEST_CLAMP_NARROW},
    /* NCHW rows of one 2-vector block on the unpadded input, loads leaving a row shifted
       (tiled, -DCLG_EDGES, on 32-register CPUs): shifts of 1 each side, of 2 (dilation, and
       asymmetric padding on either side), a stride along y only, 16 channels per group at
       batch 3, more output than input channels per group, rows just over a vector. */
    {"tiled_nchw_edges_28_wide", 1, 32, 9, 28, 32, 4, 3, 3, 1, 1, 1, 1, 1, 1,
     .clamp = TEST_CLAMP_RELU6, .cpu_paths = 1},
    {"tiled_nchw_edges_dilated_shift2", 1, 16, 8, 26, 16, 2, 3, 3, 1, 1, 2, 2, 2, 2, 2, 2,
     .cpu_paths = 1},
    {"tiled_nchw_edges_left_pad2", 2, 16, 9, 24, 16, 2, 3, 3, 1, 1, 0, 2, 1, 0, .cpu_paths = 1},
    {"tiled_nchw_edges_right_pad2_stride_y2", 1, 16, 12, 22, 16, 2, 3, 3, 2, 1, 1, 0, 1, 2,
     .no_bias = 1, .cpu_paths = 1},
    {"tiled_nchw_edges_cpg16_batch3", 3, 32, 6, 20, 32, 2, 3, 3, 1, 1, 1, 1, 1, 1,
     .cpu_paths = 1},
    {"tiled_nchw_edges_kpg12_17_wide", 1, 16, 7, 17, 24, 2, 3, 3, 1, 1, 1, 1, 1, 1,
     .clamp = TEST_CLAMP_NARROW, .cpu_paths = 1},
    /* NCHW rows of two vectors or more whose row blocks leave a third or more of their lanes
       idle, run as pitched blocks over the padded image (tiled, 32-register CPUs, reductions
       of 288 terms or more): 17 wide 3x3, Inception's 7x1 unpadded at batch 2 with more
       channels than a tile, 35 wide dilated with asymmetric pads and 2 groups (8-lane rows,
       16-lane pitched blocks), 5x5 with more output than input channels. */
    {"tiled_nchw_pitched_rows_17_wide", 1, 32, 17, 17, 32, 1, 3, 3, 1, 1, 1, 1, 1, 1,
     .cpu_paths = 1},
    {"tiled_nchw_pitched_rows_7x1_batch2", 2, 48, 13, 19, 24, 1, 7, 1, 1, 1, 0, 0, 0, 0,
     .clamp = TEST_CLAMP_RELU, .cpu_paths = 1},
    {"tiled_nchw_pitched_rows_dilated_g2", 1, 64, 12, 35, 64, 2, 3, 3, 1, 1, 2, 1, 0, 3, 2, 2,
     .no_bias = 1, .cpu_paths = 1},
    {"tiled_nchw_pitched_rows_5x5_kpg40", 1, 24, 20, 21, 40, 1, 5, 5, 1, 1, 2, 2, 2, 2,
     .cpu_paths = 1},
    /* NHWC tiles of two 16-lane channel vectors (tiled, -DCLG_KV=2: groups of a multiple of
       32 output channels on CPUs with 32 vector registers): a 19-wide row (tiles of 7, 7 and
       5) with two channel blocks; 2 groups of 32 at stride 2 with asymmetric pads, batch 2, a
       clamp; a dilated 5x5 window padded by 4, no bias; a 1x1 window with three blocks of 32
       channels; pitched tiles (a 5x9 image, whose rows would take tiles of 5: 45 pixels in
       tiles of 7, the last of 3). Each
       runs padded, unpadded (the border path) and via NCHW; tiled_nhwc_edges_kv2 (below)
       takes edge rows. */
    {"tiled_nhwc_kv2_dense_19_wide", 1, 40, 7, 19, 64, 1, 3, 3, 1, 1, 1, 1, 1, 1, .nhwc = 1,
     .cpu_paths = 1},
    {"tiled_nhwc_kv2_grouped_stride2", 2, 64, 11, 35, 64, 2, 3, 3, 2, 2, 1, 0, 1, 2, .nhwc = 1,
     .clamp = TEST_CLAMP_RELU6, .cpu_paths = 1},
    {"tiled_nhwc_kv2_dilated_5x5", 1, 32, 12, 21, 32, 1, 5, 5, 1, 1, 4, 4, 4, 4, 2, 2, .nhwc = 1,
     .no_bias = 1, .cpu_paths = 1},
    {"tiled_nhwc_kv2_1x1_three_blocks", 1, 48, 6, 30, 96, 1, 1, 1, .nhwc = 1, .cpu_paths = 1},
    {"tiled_nhwc_kv2_pitched_5x9_batch2", 2, 64, 5, 9, 64, 2, 3, 3, 1, 1, 1, 1, 1, 1,
     .nhwc = 1, .clamp = TEST_CLAMP_RELU6, .cpu_paths = 1},
    /* NHWC tiles summing input channel pairs in 16-lane accumulators (tiled, -DCLG_RPV=2: 8
       output channels and an even number of input channels per group, CPUs with 32 vector
       registers): 4 groups on 19-wide rows with a clamp; 2 input channels per group at
       stride 2 with asymmetric pads, batch 2, no bias; 12 per group (more input than output
       channels) in a dilated 5x5 window padded by 4; pitched tiles on a 9x7 image (63
       pixels in tiles of 8, where rows would take tiles of 7), batch 2; a 1x1 window, 6 per
       group; 16 per group, whose padded run reads the group-blocked copy. Each runs with
       edge rows, padded, unpadded (the border path) and via NCHW; tiled_nchw_copy_pairs runs
       them on the NHWC copy of an NCHW layer (29 wide: tiles of 15 and 14, the second stored
       lane by lane). */
    {"tiled_nhwc_pairs_19_wide_g4", 1, 32, 9, 19, 32, 4, 3, 3, 1, 1, 1, 1, 1, 1, .nhwc = 1,
     .clamp = TEST_CLAMP_RELU6, .cpu_paths = 1},
    {"tiled_nhwc_pairs_cpg2_stride2", 2, 8, 11, 29, 32, 4, 3, 3, 2, 2, 1, 0, 1, 2, .nhwc = 1,
     .no_bias = 1, .cpu_paths = 1},
    {"tiled_nhwc_pairs_cpg12_dilated_5x5", 1, 36, 12, 23, 24, 3, 5, 5, 1, 1, 4, 4, 4, 4, 2, 2,
     .nhwc = 1, .cpu_paths = 1},
    {"tiled_nhwc_pairs_pitched_9x7", 2, 64, 9, 7, 64, 8, 3, 3, 1, 1, 1, 1, 1, 1, .nhwc = 1,
     .clamp = TEST_CLAMP_NARROW, .cpu_paths = 1},
    {"tiled_nhwc_pairs_1x1_cpg6", 1, 24, 5, 33, 32, 4, 1, 1, .nhwc = 1, .cpu_paths = 1},
    {"tiled_nhwc_pairs_cpg16_blocked", 1, 32, 9, 21, 16, 2, 3, 3, 1, 1, 1, 1, 1, 1, .nhwc = 1,
     .cpu_paths = 1},
    {"tiled_nchw_copy_pairs_g4", 2, 32, 10, 29, 32, 4, 3, 3, 1, 1, 1, 1, 1, 1,
     .clamp = TEST_CLAMP_RELU, .cpu_paths = 1},
    /* Input channel pairs for groups of 24, 40, ... output channels (weights in blocks of 8
       channels, -DCLG_WT_BLOCKED): 2 groups of 24 (three blocks) on 19-wide rows with a
       clamp; a 1x1 window with 40 output channels from 20 inputs (five blocks), batch 2, no
       bias; 12 input channels per group at stride 2 with asymmetric pads (a 9x7 output in
       pitched tiles of 8); 2 input channels per group, dilated; the NHWC copy of an NCHW layer. */
    {"tiled_nhwc_pairs_kpg24_19_wide", 1, 48, 9, 19, 48, 2, 3, 3, 1, 1, 1, 1, 1, 1, .nhwc = 1,
     .clamp = TEST_CLAMP_RELU6, .cpu_paths = 1},
    {"tiled_nhwc_pairs_kpg40_1x1_batch2", 2, 20, 5, 33, 40, 1, 1, 1, .nhwc = 1, .no_bias = 1,
     .cpu_paths = 1},
    {"tiled_nhwc_pairs_kpg24_stride2_9x7", 1, 36, 17, 13, 72, 3, 3, 3, 2, 2, 1, 0, 1, 2,
     .nhwc = 1, .cpu_paths = 1},
    {"tiled_nhwc_pairs_kpg24_cpg2_dilated", 1, 4, 11, 21, 48, 2, 3, 3, 1, 1, 2, 2, 2, 2, 2, 2,
     .nhwc = 1, .cpu_paths = 1},
    {"tiled_nchw_copy_pairs_kpg24", 2, 48, 10, 29, 48, 2, 3, 3, 1, 1, 1, 1, 1, 1,
     .clamp = TEST_CLAMP_RELU, .cpu_paths = 1},
    /* NHWC tiles over output channel counts that are not a multiple of 8, rounded up to whole
       8-lane blocks (tiled, -DCLG_KPGP: 5 or more per group, CPUs with 32 vector registers;
       the last block's spare lanes have zero weights, no bias read and no store): ShuffleNet's
       1x1 with 20 per group (three blocks, the last with 4 of 8) from 16 input channels
       (pairs), a clamp; 12 per group from 9 (odd: no pairs; row-share tiles), batch 2; 6 per
       group at stride 2 with asymmetric pads, no bias; 60 dense (eight blocks) on a 9x7
       image in pitched tiles; 13 per group (the last block 5 of 8) dilated 5x5; 20 per group
       from 16 in 3x3 windows, whose padded run reads the group-blocked copy; 10 per group from
       9 (last block 2 of 8) in pitched tiles without pairs, batch 2; 7 per group in a padded
       1x1 window; 11 per group (3 of 8) at stride 2 along y. Each runs with edge rows, padded,
       unpadded and via NCHW (the 1x1 unpadded and the pitched cases take the same plan in the
       first three). NCHW: 20 per group on the NHWC copy (transposed stores of a partial block,
       29 wide), 12 per group on a 7x7 image through the NHWC kernel with NCHW addressing, and
       both in their forced runs through it. */
    {"tiled_nhwc_kpad20_1x1_g3", 1, 48, 7, 30, 60, 3, 1, 1, .nhwc = 1,
     .clamp = TEST_CLAMP_RELU6, .cpu_paths = 1},
    {"tiled_nhwc_kpad12_odd_cpg_batch2", 2, 27, 9, 19, 36, 3, 3, 3, 1, 1, 1, 1, 1, 1,
     .nhwc = 1, .cpu_paths = 1},
    {"tiled_nhwc_kpad6_stride2", 1, 24, 13, 21, 24, 4, 3, 3, 2, 2, 1, 0, 1, 2, .nhwc = 1,
     .no_bias = 1, .cpu_paths = 1},
    {"tiled_nhwc_kpad60_pitched_9x7", 1, 32, 9, 7, 60, 1, 3, 3, 1, 1, 1, 1, 1, 1, .nhwc = 1,
     .clamp = TEST_CLAMP_RELU, .cpu_paths = 1},
    {"tiled_nhwc_kpad13_dilated_5x5", 1, 26, 12, 23, 26, 2, 5, 5, 1, 1, 4, 4, 4, 4, 2, 2,
     .nhwc = 1, .cpu_paths = 1},
    {"tiled_nhwc_kpad20_cpg16_blocked", 1, 32, 9, 21, 40, 2, 3, 3, 1, 1, 1, 1, 1, 1,
     .nhwc = 1, .cpu_paths = 1},
    {"tiled_nhwc_kpad10_pitched_odd_cpg", 2, 27, 9, 7, 30, 3, 3, 3, 1, 1, 1, 1, 1, 1,
     .nhwc = 1, .clamp = TEST_CLAMP_RELU6, .cpu_paths = 1},
    {"tiled_nhwc_kpad7_1x1_padded", 1, 21, 6, 17, 21, 3, 1, 1, 1, 1, 1, 1, 1, 1, .nhwc = 1,
     .cpu_paths = 1},
    {"tiled_nhwc_kpad11_stride2_y", 1, 22, 8, 15, 22, 2, 3, 3, 2, 1, 1, 1, 1, 1, .nhwc = 1,
     .no_bias = 1, .cpu_paths = 1},
    {"tiled_nchw_copy_kpad20", 2, 40, 10, 29, 40, 2, 3, 3, 1, 1, 1, 1, 1, 1,
     .clamp = TEST_CLAMP_RELU, .cpu_paths = 1},
    {"tiled_nchw_via_nhwc_kpad12_7x7", 1, 24, 7, 7, 24, 2, 3, 3, 1, 1, 1, 1, 1, 1,
     .cpu_paths = 1},
    /* NHWC row tiles on the unpadded input, span columns outside the image reading zeros
       (tiled, -DCLG_EDGES, CPU plans). On 32 registers (8 output channels per group),
       row-share tiles where the groups' input channels are odd, input channel pairs where
       they are even: two 14-pixel tiles per row with a clamp (9 input channels per group); a
       left pad of 2 on 23-wide rows (tiles of 12 and 11; 7 per group), batch 2; a right pad
       of 3 on 40-wide rows (three tiles, the middle one interior), no bias; a stride and
       dilation along y; a 5x3 window with 4 input channels per group; a 1x1 window with
       padding. The per-tap loop (every case on 16 registers):
       16 channels per group in 16-lane tiles of 5 pixels, batch 4; stride 2 along x; a 5x5
       window on 14-pixel tiles; dilation 2 along x with asymmetric padding; padding of 9 on
       an 8-wide image (both bounds clamped to the span: every column checked; the second
       tile starts left of the image). */
    {"tiled_nhwc_edges_28_wide", 1, 36, 9, 28, 32, 4, 3, 3, 1, 1, 1, 1, 1, 1, .nhwc = 1,
     .clamp = TEST_CLAMP_RELU6, .cpu_paths = 1},
    {"tiled_nhwc_edges_left_pad2_batch2", 2, 14, 8, 23, 16, 2, 3, 3, 1, 1, 0, 2, 1, 0, .nhwc = 1,
     .cpu_paths = 1},
    {"tiled_nhwc_edges_right_pad3_three_tiles", 1, 16, 6, 38, 16, 2, 3, 3, 1, 1, 1, 1, 1, 3,
     .nhwc = 1, .no_bias = 1, .cpu_paths = 1},
    {"tiled_nhwc_edges_stride_dilation_y", 1, 16, 12, 20, 16, 2, 3, 3, 2, 1, 2, 1, 2, 1, 2, 1,
     .nhwc = 1, .cpu_paths = 1},
    {"tiled_nhwc_edges_5x3_cpg4", 1, 8, 10, 18, 16, 2, 5, 3, 1, 1, 2, 1, 2, 1, .nhwc = 1,
     .clamp = TEST_CLAMP_NARROW, .cpu_paths = 1},
    {"tiled_nhwc_edges_1x1_padded", 1, 16, 5, 17, 16, 2, 1, 1, 1, 1, 1, 1, 1, 1, .nhwc = 1,
     .cpu_paths = 1},
    {"tiled_nhwc_edges_cpg16_batch4", 4, 32, 5, 20, 32, 2, 3, 3, 1, 1, 1, 1, 1, 1, .nhwc = 1,
     .cpu_paths = 1},
    {"tiled_nhwc_edges_stride2", 1, 16, 7, 35, 16, 2, 3, 3, 2, 2, 1, 1, 1, 1, .nhwc = 1,
     .clamp = TEST_CLAMP_RELU6, .cpu_paths = 1},
    {"tiled_nhwc_edges_5x5_28_wide", 1, 16, 6, 28, 16, 2, 5, 5, 1, 1, 2, 2, 2, 2, .nhwc = 1,
     .no_bias = 1, .cpu_paths = 1},
    {"tiled_nhwc_edges_dilated_x", 1, 16, 7, 19, 16, 2, 3, 3, 1, 1, 1, 3, 1, 1, 1, 2, .nhwc = 1,
     .cpu_paths = 1},
    {"tiled_nhwc_edges_pad9_narrow_image", 1, 32, 5, 8, 32, 2, 3, 3, 1, 1, 1, 9, 1, 9,
     .nhwc = 1, .clamp = TEST_CLAMP_RELU6, .cpu_paths = 1},
    /* edge rows of two channel vectors (-DCLG_KV=2): 2 groups of 32, 28-wide rows in tiles of
       7, a 5x3 window */
    {"tiled_nhwc_edges_kv2_28_wide", 1, 64, 6, 28, 64, 2, 5, 3, 1, 1, 2, 1, 2, 1, .nhwc = 1,
     .cpu_paths = 1},
    /* Small groups with constant channel counts (CPU builds for 2+ input and 3+ output
       channels per group): 4 x 4 per group on 28-wide rows (16-lane two-vector tiles, edge
       rows, batch 2); 2 -> 3 NHWC with a clamp; 3 -> 5 with a 5x5 window, stride 2 and
       asymmetric padding; 6 -> 4 on a 7x7 NHWC image (pitched tiles); 4 -> 6 on a 7x7 NCHW
       image (pitched blocks on the padded copy); 5 -> 3 dilated, batch 2, no bias; 2 -> 7 with
       a 1x3 window on 40-wide rows. */
    {"tiled_small_groups_4x4_28_wide_batch2", 2, 16, 5, 28, 16, 4, 3, 3, 1, 1, 1, 1, 1, 1},
    {"tiled_small_groups_2_to_3_nhwc", 1, 8, 9, 13, 12, 4, 3, 3, 1, 1, 1, 1, 1, 1, .nhwc = 1,
     .clamp = TEST_CLAMP_RELU6},
    {"tiled_small_groups_3_to_5_5x5_s2", 1, 9, 13, 14, 15, 3, 5, 5, 2, 2, 2, 1, 2, 2},
    {"tiled_small_groups_6_to_4_pitched_nhwc", 1, 12, 7, 7, 8, 2, 3, 3, 1, 1, 1, 1, 1, 1,
     .nhwc = 1},
    {"tiled_small_groups_4_to_6_pitched_nchw", 1, 8, 7, 7, 12, 2, 3, 3, 1, 1, 1, 1, 1, 1},
    {"tiled_small_groups_5_to_3_dilated_batch2", 2, 15, 11, 20, 9, 3, 3, 3, 1, 1, 2, 2, 2, 2,
     2, 2, .no_bias = 1},
    {"tiled_small_groups_2_to_7_1x3_40_wide", 1, 6, 4, 40, 21, 3, 1, 3, 1, 1, 0, 1, 0, 1},
    /* NHWC, rows under 16 pixels and a reduction over 576 terms: tiled runs it through the
       NCHW kernel's pitched blocks by default on CPUs (batch 2, 9-wide rows, a clamp). */
    {"tiled_nhwc_small_image_long_reduction", 2, 72, 7, 9, 80, 1, 3, 3, 1, 1, 1, 1, 1, 1,
     .nhwc = 1, .clamp = TEST_CLAMP_RELU6, .cpu_paths = 1},
    /* CPU register tiles sized for 32 registers (cpu_registers; the differential suite also
       runs every named case with the other register file): NHWC row tiles of one 8-lane
       channel vector up to 16 pixels (23 columns: tiles of 12, the second overlapping; 16
       columns: one full-row tile), and NCHW two-vector tiles of 8 channels on 20-pixel rows
       (the row's second block moved back to end at OW). */
    {"tiled_nhwc_8ch_rows_23_wide", 2, 16, 9, 23, 16, 2, 3, 3, 1, 1, 1, 1, 1, 1, .nhwc = 1,
     .cpu_paths = 1},
    {"tiled_nhwc_8ch_rows_16_wide", 1, 8, 5, 16, 8, 1, 3, 3, 1, 1, 1, 1, 1, 1, .nhwc = 1,
     .cpu_paths = 1},
    /* NHWC 8-lane row tiles with stride 1 along x share each broadcast input between a row's
       KW taps (CLG_ROW_SHARE; CPUs with 32 registers; groups of 8, 24, ... output channels
       with odd input channel counts, even ones taking input channel pairs): 9 input channels
       per group on 40-wide rows, 24 output channels per group (three channel vectors; 23
       input channels), a 2x4 window with vertical stride 2, dilation 3 and asymmetric
       padding (9 per group), and 5x5 on 20-wide rows (tiles of 10; 7 per group). */
    {"tiled_nhwc_row_share_3x3_40_wide", 1, 27, 7, 40, 24, 3, 3, 3, 1, 1, 1, 1, 1, 1,
     .nhwc = 1, .cpu_paths = 1},
    {"tiled_nhwc_row_share_24_per_group", 1, 46, 6, 33, 48, 2, 3, 3, 1, 1, 1, 1, 1, 1,
     .nhwc = 1, .cpu_paths = 1},
    {"tiled_nhwc_row_share_2x4_dilated_rows", 2, 18, 12, 24, 16, 2, 2, 4, 2, 1, 1, 2, 0, 1, 3,
     1, .nhwc = 1, .cpu_paths = 1},
    {"tiled_nhwc_row_share_5x5", 1, 14, 9, 20, 16, 2, 5, 5, 1, 1, 2, 2, 2, 2, .nhwc = 1,
     .cpu_paths = 1, .clamp = TEST_CLAMP_RELU},
    {"tiled_nchw_8ch_two_vectors_20_wide", 1, 16, 6, 20, 16, 2, 3, 3, 1, 1, 1, 1, 1, 1,
     .cpu_paths = 1},
    /* 32 registers, NCHW channel tiles under 8: blocks of up to 16 accumulators along the
       row (4 channels x 4 vectors on 61-pixel output rows, the second block moved back; 2
       channels x 8 vectors on 64-pixel rows, one block), with asymmetric padding and a clamp. */
    {"tiled_nchw_4ch_long_blocks_60_wide", 2, 8, 5, 60, 8, 2, 3, 3, 1, 1, 1, 2, 0, 1,
     .clamp = TEST_CLAMP_RELU6, .cpu_paths = 1},
    {"tiled_nchw_2ch_long_blocks_64_wide", 1, 4, 4, 64, 4, 2, 3, 3, 1, 1, 1, 1, 1, 1,
     .no_bias = 1, .cpu_paths = 1},
    /* An NCHW image per group larger than a sixteenth of the device cache (2 x 520 x 520
       floats: caches up to 34 MB, PoCL's 32 MiB among them): there tiled's work-groups span
       the channel tiles (17 tiles of 8 channels in two work-groups of 9, the last tile past
       the channels), with stride 2 and asymmetric padding. */
    {"tiled_nchw_image_beyond_cache", 1, 2, 520, 520, 136, 1, 3, 3, 2, 2, 1, 0, 0, 1,
     .cpu_paths = 1},
    /* GEMM-sized dense layer: CLBlast 1.5.3's strided-batched SGEMM returned wrong products
       for it (m 128, n 1600, k 1152 with the im2col matrix at a nonzero workspace offset) with
       the parameters it picks for an Intel Xeon under PoCL; src/algo_clblast.c, sgemm_batched
       (the im2col matrices now start at offset 0). */
    {"gemm_sized_dense_128ch_40x40", 1, 128, 40, 40, 128, 1, 3, 3, 1, 1, 1, 1, 1, 1},
    /* The same GEMM size per group, two images: each image's group batch is its own chunk
       whose im2col matrices start at offset 0 (chunk_pairs), the second image's included. */
    {"gemm_sized_grouped_batch2_40x40", 2, 256, 40, 40, 256, 2, 3, 3, 1, 1, 1, 1, 1, 1},
    /* the same GEMM size read straight from the input (1x1): one strided batch over both
       images, the first starting at offset 0, which that bug did not reach */
    {"gemm_sized_1x1_batch2_1152ch", 2, 1152, 40, 40, 128, 1, 1, 1},
    /* Input coordinates near or past 2^31 (found by fuzz_plan: the tiled kernel's lane
       coordinates wrapped and read out of bounds). Every algorithm must run these exactly or
       refuse them as UNSUPPORTED; direct switches to 64-bit coordinates. */
    {"huge_stride_w_dilation_pad", 1, 4, 8, 8, 4, 1, 3, 3, 1, (1 << 30) + 1, 16384, 16384, 16384,
     16384, 16384, 16384},
    {"padded_width_past_2_31", 1, 2, 1, 1, 2, 2, 1, 1, 1, 1 << 30, 0, 1 << 30, 0, 1 << 30},
    {"padded_height_past_2_31_nhwc", 1, 3, 1, 2, 3, 3, 1, 2, 1 << 30, 1, 1 << 30, 0, 1 << 30, 0,
     .nhwc = 1},
    {"stride_past_2_30_grouped", 2, 4, 3, 5, 4, 2, 2, 2, 1 << 30, 1 << 30, 0, 0, 0, 0},
};
const size_t test_named_case_count = sizeof test_named_cases / sizeof test_named_cases[0];

void test_case_desc(const test_case *tc, clgconv_conv2d_desc *d)
{
    clgconv_conv2d_desc_init(d);
    d->batch = tc->n, d->in_channels = tc->c, d->in_height = tc->h, d->in_width = tc->w;
    d->out_channels = tc->k, d->groups = tc->g;
    d->kernel_h = tc->kh, d->kernel_w = tc->kw;
    d->stride_h = tc->sh ? tc->sh : 1, d->stride_w = tc->sw ? tc->sw : 1;
    d->pad_top = tc->pt, d->pad_left = tc->pl, d->pad_bottom = tc->pb, d->pad_right = tc->pr;
    d->dilation_h = tc->dh ? tc->dh : 1, d->dilation_w = tc->dw ? tc->dw : 1;
    d->layout = tc->nhwc ? CLGCONV_LAYOUT_NHWC : CLGCONV_LAYOUT_NCHW;
    switch (tc->clamp) {
    case TEST_CLAMP_RELU: d->output_min = 0, d->output_max = INFINITY; break;
    case TEST_CLAMP_RELU6: d->output_min = 0, d->output_max = 6; break;
    case TEST_CLAMP_NARROW: d->output_min = -0.25f, d->output_max = 0.25f; break;
    default: break;
    }
}

/* Grows the padding (randomly at either end) until the dilated kernel fits in the input. */
static void pad_to_fit(test_rng *r, int in, int k, int dil, int *pa, int *pb)
{
    while (dil * (k - 1) + 1 > in + *pa + *pb) {
        if (test_rng_int(r, 0, 1))
            ++*pa;
        else
            ++*pb;
    }
}

/* Kernel geometries of the random sweep. Specialising algorithms build one OpenCL program per
   kernel size, stride, dilation and channels per group, and a cold build costs seconds on a CPU
   device, so by default the sweep draws these from small palettes (every other field is free):
   they still cover 1x1 and 3x3 kernels, strides larger than the kernel, dilation, grouped
   widths and depthwise multipliers; the named cases cover the rest (5x5, 7x7, 1xN, ...).
   CLGCONV_TEST_WIDE=1 draws them freely instead (kernels 1-7, strides 1-4, dilations 1-3,
   1-6 channels per group): slow with cold program caches. */
static const struct {
    int kh, kw, sh, sw, dh, dw;
} geometries[] = {
    {1, 1, 1, 1, 1, 1}, {1, 1, 2, 2, 1, 1}, {3, 3, 1, 1, 1, 1},
    {3, 3, 2, 2, 1, 1}, {3, 3, 1, 1, 2, 2}, {2, 2, 3, 3, 1, 1},
};
/* Input and output channels per group of non-depthwise draws. */
static const struct {
    int cpg, kpg;
} group_widths[] = {{2, 2}, {3, 2}, {4, 4}};

static bool wide_sweep(void)
{
    const char *s = getenv("CLGCONV_TEST_WIDE");
    return s && *s && strcmp(s, "0") != 0;
}

void test_random_desc(test_rng *r, clgconv_conv2d_desc *d, bool *with_bias)
{
    const bool wide = wide_sweep();
    clgconv_conv2d_desc_init(d);
    int g, cpg, kpg;
    switch (test_rng_int(r, 0, 6)) {
    case 0: g = 1; break;
    case 1: g = 2; break;
    case 2: g = 3; break;
    case 3: g = 4; break;
    case 4: g = test_rng_int(r, 5, 12); break;
    default: g = -1; break; /* depthwise: g = C */
    }
    if (g < 0) {
        g = test_rng_int(r, 1, 16);
        cpg = 1;
        /* channel multiplier */
        kpg = test_rng_int(r, 1, 3) == 1 ? (wide ? test_rng_int(r, 2, 4) : 2) : 1;
    } else if (wide && test_rng_int(r, 1, 8) == 1) {
        /* NHWC narrow groups (2 or 4 channels in and out, K a multiple of 8: the depthwise
           algorithm's grouped kernel), which the free widths below almost never produce: 250
           wide shapes of seed 20261126 had none. */
        cpg = kpg = test_rng_int(r, 0, 1) ? 2 : 4;
        g = 8 / cpg * test_rng_int(r, 1, 2);
    } else if (wide) {
        cpg = test_rng_int(r, 1, g >= 5 ? 3 : 6);
        kpg = test_rng_int(r, 1, g >= 5 ? 3 : 6);
    } else {
        int i = test_rng_int(r, 0, (int)(sizeof group_widths / sizeof group_widths[0]) - 1);
        cpg = group_widths[i].cpg, kpg = group_widths[i].kpg;
    }
    d->groups = g, d->in_channels = g * cpg, d->out_channels = g * kpg;
    d->batch = test_rng_int(r, 1, 4) == 1 ? test_rng_int(r, 2, 3) : 1;
    if (test_rng_int(r, 1, 10) == 1) {
        d->in_height = d->in_width = 1; /* 1x1 image */
    } else {
        d->in_height = test_rng_int(r, 1, 13), d->in_width = test_rng_int(r, 1, 13);
    }
    if (wide) {
        d->kernel_h = test_rng_int(r, 1, 7);
        d->kernel_w = test_rng_int(r, 1, 3) == 1 ? test_rng_int(r, 1, 7) : d->kernel_h;
        d->stride_h = test_rng_int(r, 1, 3) == 1 ? test_rng_int(r, 2, 4) : 1;
        d->stride_w = test_rng_int(r, 1, 3) == 1 ? test_rng_int(r, 2, 4) : d->stride_h;
        d->dilation_h = test_rng_int(r, 1, 4) == 1 ? test_rng_int(r, 2, 3) : 1;
        d->dilation_w = test_rng_int(r, 1, 4) == 1 ? test_rng_int(r, 2, 3) : d->dilation_h;
    } else {
        int gi = test_rng_int(r, 0, (int)(sizeof geometries / sizeof geometries[0]) - 1);
        d->kernel_h = geometries[gi].kh, d->kernel_w = geometries[gi].kw;
        d->stride_h = geometries[gi].sh, d->stride_w = geometries[gi].sw;
        d->dilation_h = geometries[gi].dh, d->dilation_w = geometries[gi].dw;
    }
    if (test_rng_int(r, 0, 1)) { /* "same"-style symmetric padding */
        d->pad_top = d->pad_bottom = d->dilation_h * (d->kernel_h - 1) / 2;
        d->pad_left = d->pad_right = d->dilation_w * (d->kernel_w - 1) / 2;
    } else { /* arbitrary, usually asymmetric */
        d->pad_top = test_rng_int(r, 0, 3), d->pad_bottom = test_rng_int(r, 0, 3);
        d->pad_left = test_rng_int(r, 0, 3), d->pad_right = test_rng_int(r, 0, 3);
    }
    /* Small images: grow the padding until the kernel fits. */
    pad_to_fit(r, d->in_height, d->kernel_h, d->dilation_h, &d->pad_top, &d->pad_bottom);
    pad_to_fit(r, d->in_width, d->kernel_w, d->dilation_w, &d->pad_left, &d->pad_right);
    d->layout = test_rng_int(r, 0, 2) == 0 ? CLGCONV_LAYOUT_NHWC : CLGCONV_LAYOUT_NCHW;
    switch (test_rng_int(r, 0, 7)) {
    case 0: d->output_min = 0, d->output_max = 6; break;
    case 1: d->output_min = 0; break;
    case 2:
        d->output_min = -0.5f + test_rng_float(r) * 0.25f;
        d->output_max = d->output_min + 0.5f + test_rng_float(r) * 0.25f;
        break;
    default: break;
    }
    *with_bias = test_rng_int(r, 0, 3) != 0;
}

void test_random_medium_desc(test_rng *r, clgconv_conv2d_desc *d, bool *with_bias)
{
    typedef struct {
        int kh, kw, sh, sw, dh, dw;
    } geometry;
    static const geometry geoms[] = {
        {1, 1, 1, 1, 1, 1}, {3, 3, 1, 1, 1, 1}, {3, 3, 2, 2, 1, 1}, {5, 5, 1, 1, 1, 1},
        {7, 7, 2, 2, 1, 1}, {1, 1, 2, 2, 1, 1}, {3, 3, 1, 1, 2, 2}, {2, 2, 2, 2, 1, 1},
        {1, 5, 1, 1, 1, 1}, {3, 3, 3, 3, 1, 1},
    };
    static const int widths[] = {4, 8, 12, 16, 17, 24, 32, 33};
    static const int group_counts[] = {1, 2, 3, 4, 8, 32};
    clgconv_conv2d_desc_init(d);
    const geometry *gm = &geoms[test_rng_int(r, 0, (int)(sizeof geoms / sizeof geoms[0]) - 1)];
    d->kernel_h = gm->kh, d->kernel_w = gm->kw, d->stride_h = gm->sh, d->stride_w = gm->sw;
    d->dilation_h = gm->dh, d->dilation_w = gm->dw;
    if (test_rng_int(r, 0, 4) == 0) { /* depthwise */
        d->groups = d->in_channels = test_rng_int(r, 8, 96);
        d->out_channels = d->in_channels * (test_rng_int(r, 0, 2) == 0 ? 2 : 1);
    } else {
        d->groups = group_counts[test_rng_int(r, 0, 5)];
        d->in_channels = d->groups * widths[test_rng_int(r, 0, 7)];
        d->out_channels = d->groups * widths[test_rng_int(r, 0, 7)];
    }
    d->batch = test_rng_int(r, 1, 3) == 1 ? 2 : 1;
    d->in_height = test_rng_int(r, 9, 40), d->in_width = test_rng_int(r, 9, 40);
    if (test_rng_int(r, 0, 1)) {
        d->pad_top = d->pad_bottom = d->dilation_h * (d->kernel_h - 1) / 2;
        d->pad_left = d->pad_right = d->dilation_w * (d->kernel_w - 1) / 2;
    } else {
        d->pad_top = test_rng_int(r, 0, 3), d->pad_bottom = test_rng_int(r, 0, 3);
        d->pad_left = test_rng_int(r, 0, 3), d->pad_right = test_rng_int(r, 0, 3);
    }
    d->layout = test_rng_int(r, 0, 1) ? CLGCONV_LAYOUT_NHWC : CLGCONV_LAYOUT_NCHW;
    if (test_rng_int(r, 0, 3) == 0) d->output_min = 0, d->output_max = 6;
    /* Shrink the image until the work is at most about 4M multiply-adds. */
    for (;;) {
        int oh, ow;
        if (clgconv_conv2d_output_size(d, &oh, &ow) != CLGCONV_SUCCESS) abort();
        double macs = (double)d->batch * d->out_channels * oh * ow *
                      (double)(d->in_channels / d->groups) * d->kernel_h * d->kernel_w;
        if (macs <= 4e6 || (d->in_height <= 9 && d->in_width <= 9)) break;
        d->in_height = d->in_height * 3 / 4 > 9 ? d->in_height * 3 / 4 : 9;
        d->in_width = d->in_width * 3 / 4 > 9 ? d->in_width * 3 / 4 : 9;
    }
    *with_bias = test_rng_int(r, 0, 3) != 0;
}

uint64_t test_seed(uint64_t default_seed)
{
    const char *s = getenv("CLGCONV_TEST_SEED");
    if (s && *s) return strtoull(s, NULL, 0);
    return default_seed;
}
