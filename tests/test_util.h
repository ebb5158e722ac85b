/* test_util.h: shared helpers for clgconv's tests: device setup (skip or fail), random tensors, tolerance-checked comparison. */
#ifndef CLGCONV_TEST_UTIL_H
#define CLGCONV_TEST_UTIL_H

#include "clgconv.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* Exit code ctest treats as "skipped" (SKIP_RETURN_CODE). */
#define TEST_SKIP 77

/* Fails the test (with file, line and the last clgconv error) when cond is false. */
#define CHECK(cond)                                                                             \
    do {                                                                                        \
        if (!(cond)) {                                                                          \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n  last error: %s\n", __FILE__, __LINE__,  \
                    #cond, clgconv_last_error());                                               \
            exit(1);                                                                            \
        }                                                                                       \
    } while (0)

/* Fails unless expr returns CLGCONV_SUCCESS. */
#define CHECK_OK(expr)                                                                          \
    do {                                                                                        \
        clgconv_status check_ok_st_ = (expr);                                                   \
        if (check_ok_st_ != CLGCONV_SUCCESS) {                                                  \
            fprintf(stderr, "%s:%d: %s returned %s\n  last error: %s\n", __FILE__, __LINE__,    \
                    #expr, clgconv_status_string(check_ok_st_), clgconv_last_error());          \
            exit(1);                                                                            \
        }                                                                                       \
    } while (0)

/* Opens the default device (clgconv_context_create_default). When none exists, exits with
   TEST_SKIP, unless CLGCONV_REQUIRE_DEVICE=1, when it fails. Also returns an in-order queue
   (and the raw OpenCL objects) when the pointers are not NULL. */
clgconv_context *test_open_context(cl_command_queue *queue);

/* Deterministic xorshift random numbers. */
typedef struct test_rng { uint64_t s; } test_rng;
void test_rng_seed(test_rng *r, uint64_t seed);
uint32_t test_rng_u32(test_rng *r);
int test_rng_int(test_rng *r, int lo, int hi); /* inclusive */
float test_rng_float(test_rng *r);             /* uniform in [-1, 1) */
float *test_random_tensor(test_rng *r, size_t n); /* malloc'd; n >= 1 */

/* Seconds on the C11 clock (for timing test phases and plans; differences only). */
double test_now_seconds(void);

/* Compares got against the reference for desc (with bias possibly NULL). The tolerance per
   element is (reduction + 2) * FLT_EPSILON * sum_abs + 1e-6, where sum_abs is the reference
   convolution of |input|, |weights|, |bias| (the sum of absolute values of the terms). Worst-case
   error of any float32 summation order of L terms is about L * 2^-24 * sum_abs (Higham, recursive
   summation; FMA contraction only lowers it), and FLT_EPSILON = 2^-23 gives a factor 2 margin;
   +2 covers the bias add and the final rounding; 1e-6 absorbs results near zero. A wrong index or
   a missing term produces errors of order |x*w| ~ 0.1-1, far above this bound for the sizes
   tested. Returns the max abs error via max_err; prints the first mismatches with label. */
bool test_compare_with_reference(const clgconv_conv2d_desc *desc, const float *input,
                                 const float *weights, const float *bias, const float *got,
                                 const char *label, double *max_err);

/* A one-line description of desc, e.g. "N1 C8 H5x7 K8 g4 k3x3 s1x1 p1,1,1,1 d1x1 NCHW". */
const char *test_desc_str(const clgconv_conv2d_desc *desc, char *buf, size_t size);

/* Runs desc with algo through the plan API on the given context/queue (buffers created here),
   writing the output to out (whose prior content must be overwritten). Then runs the plan again
   with packed weights (clgconv_conv2d_pack_weights + clgconv_conv2d_forward_packed) and EXPECTs
   a bit-identical output. Returns the status of plan creation (UNSUPPORTED is passed back for
   the caller to skip). */
clgconv_status test_run_plan(clgconv_context *ctx, cl_command_queue queue,
                             const clgconv_conv2d_desc *desc, clgconv_algo algo,
                             const float *input, const float *weights, const float *bias,
                             float *out);

/* ---------------------------------------------------------------- soft checks and summaries */

/* Counters of EXPECT results in this process. */
extern int test_passed, test_failed;

/* Records one check: counts it as passed, or prints the message (with file, line and the last
   clgconv error) and counts it as failed, and carries on. Evaluates to cond. */
#define EXPECT(cond, ...) test_expect_((cond) ? 1 : 0, __FILE__, __LINE__, #cond, __VA_ARGS__)
#if defined(__GNUC__) || defined(__clang__)
__attribute__((format(printf, 5, 6)))
#endif
bool test_expect_(int ok, const char *file, int line, const char *cond, const char *fmt, ...);

/* Prints "NAME: N passed, M failed" and returns the process exit code (0 when none failed). */
int test_summary(const char *name);

/* ---------------------------------------------------------------- algorithms */

/* Interprets plan creation's status for algorithm algo in the "every supported algorithm"
   loops (CLGCONV_ALGO_DIRECT .. CLGCONV_ALGO_COUNT_-1): true when the algorithm ran (SUCCESS),
   false when it is to be skipped (UNSUPPORTED). A failing status, and DIRECT being
   unsupported (it must run every valid shape), are recorded as failures (label says where). */
bool test_algo_ran(clgconv_algo algo, clgconv_status st, const char *label);

/* ---------------------------------------------------------------- tensors and buffers */

/* malloc'd array of n floats, all value. */
float *test_filled(size_t n, float value);

/* Element index of (n, c, y, x) in a [N][C][H][W] (NCHW) or [N][H][W][C] (NHWC) tensor. */
size_t test_index(clgconv_layout layout, int C, int H, int W, int n, int c, int y, int x);

/* A buffer of cl_ctx of bytes (>= 1) with flags, initialised from host when not NULL. */
cl_mem test_buffer(cl_context cl_ctx, cl_mem_flags flags, size_t bytes, const void *host);

/* Reads a whole buffer back (blocking) into a malloc'd array of bytes. */
void *test_read_buffer(cl_command_queue queue, cl_mem mem, size_t bytes);

/* Compares two results a and b of desc that should agree up to float rounding: both are
   computations of the same exact sums with at most `terms` products each (some possibly
   multiplied by zero), so each is within (terms + 2) * FLT_EPSILON * sum_abs of the exact value
   (see test_compare_with_reference) and they are within twice that of each other. sum_abs comes
   from the reference run on |input|, |weights|, |bias|. NaN anywhere fails. */
bool test_compare_results(const clgconv_conv2d_desc *desc, const float *input,
                          const float *weights, const float *bias, const float *a,
                          const float *b, double terms, const char *label);

/* Removes the files of a flat directory (one level, as the cache directories of the tests are)
   and then the directory; silently does nothing where it does not exist. */
void test_remove_dir(const char *path);

#endif /* CLGCONV_TEST_UTIL_H */
