/* rel_util.h: helpers shared by the reliability tests: device buffers for one convolution, sentinel-filled outputs, random valid and invalid descriptors, process RSS. */
#ifndef CLGCONV_REL_UTIL_H
#define CLGCONV_REL_UTIL_H

#include "test_util.h"
#include "testing.h"

#include <stdbool.h>
#include <stdint.h>

/* The bit pattern written into outputs before a call that must not touch them (a quiet NaN with a
   payload no kernel produces). */
#define REL_SENTINEL_BITS 0x7FC0DEADu

/* Host tensors and device buffers of one convolution. The buffers are created with plain OpenCL
   calls (not through the library), so they are not counted by clgconv_testing_live_objects(). */
typedef struct rel_problem {
    clgconv_conv2d_desc desc;
    size_t in_bytes, w_bytes, b_bytes, out_bytes;
    float *x, *w, *b; /* b is NULL when the problem has no bias */
    float *y;         /* host space for a result */
    cl_context cl_ctx;
    cl_mem bx, bw, bb, by, ws; /* bb NULL without bias; ws NULL when no workspace is needed */
    size_t ws_bytes;
} rel_problem;

/* Creates tensors with random values from seed (and a bias when with_bias) and, when cl_ctx is
   not NULL, device buffers holding them; the output buffer is CL_MEM_READ_WRITE. */
void rel_problem_init(rel_problem *p, const clgconv_conv2d_desc *desc, bool with_bias,
                      uint64_t seed, cl_context cl_ctx);
/* (Re)creates the workspace buffer for a plan (none when the plan needs none). */
void rel_problem_workspace(rel_problem *p, const clgconv_plan *plan);
void rel_problem_free(rel_problem *p);

/* Fills the device output with the sentinel (blocking). */
void rel_fill_output_sentinel(rel_problem *p, cl_command_queue q);
/* True when every element of the device output still holds the sentinel (reads it into p->y). */
bool rel_output_is_sentinel(rel_problem *p, cl_command_queue q);
/* Reads the device output into p->y (blocking) and compares it with the reference. */
bool rel_output_matches_reference(rel_problem *p, cl_command_queue q, const char *label);
/* The reference result of a problem computed once, for checking many results of it with the
   tolerance of test_compare_with_reference (see test_util.h). */
typedef struct rel_expected {
    float *ref, *abs_ref; /* the reference, and the reference run on |x|, |w|, |b| unclamped */
    size_t count;
    double reduction;
} rel_expected;
void rel_expected_init(rel_expected *e, const rel_problem *p);
/* Compares got (count floats) with the expected result; prints the first mismatches. */
bool rel_expected_check(const rel_expected *e, const float *got, const char *label);
void rel_expected_free(rel_expected *e);

/* Fills n floats with the sentinel / tells whether they all still hold it. */
void rel_fill_sentinel(float *a, size_t n);
bool rel_is_sentinel(const float *a, size_t n);

/* An in-order queue on the context's device (plain OpenCL, not counted). */
cl_command_queue rel_create_queue(clgconv_context *ctx, cl_command_queue_properties props);

/* A random valid descriptor with every tensor small (at most a few thousand elements). */
void rel_random_valid_desc(test_rng *r, clgconv_conv2d_desc *d);
/* A random descriptor that breaks exactly one documented rule; the rule is described in
   *what (a static string). */
void rel_random_invalid_desc(test_rng *r, clgconv_conv2d_desc *d, const char **what);

/* False for algorithms listed in env CLGCONV_TEST_SKIP_ALGOS (comma-separated names), a local
   debugging aid for isolating one algorithm's failure; CI never sets it. */
bool rel_algo_enabled(clgconv_algo algo);

/* Resident set size of this process in KiB (0 where /proc is unavailable). */
long rel_rss_kib(void);

/* The name of a cl error code, e.g. "CL_OUT_OF_RESOURCES", for the codes the tests inject. */
const char *rel_cl_error_name(cl_int err);

#endif /* CLGCONV_REL_UTIL_H */
