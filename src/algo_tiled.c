/* algo_tiled.c: CLGCONV_ALGO_TILED, the register-tiled direct kernel specialised per shape (cl/tiled.cl). */
#include "internal.h"

static clgconv_status tiled_supports(const clgconv_context *ctx, const clg_shape *s)
{
    (void)ctx, (void)s;
    return clg_fail(CLGCONV_ERROR_UNSUPPORTED, "tiled: not implemented yet");
}

static double tiled_estimate(const clgconv_context *ctx, const clg_shape *s)
{
    (void)ctx, (void)s;
    return 1e30;
}

static clgconv_status tiled_create(clgconv_plan *plan)
{
    (void)plan;
    return clg_fail(CLGCONV_ERROR_UNSUPPORTED, "tiled: not implemented yet");
}

static clgconv_status tiled_enqueue(const clgconv_plan *plan, cl_command_queue queue,
                                    const clg_forward_args *a, cl_uint num_wait,
                                    const cl_event *wait, cl_event *event)
{
    (void)plan, (void)queue, (void)a, (void)num_wait, (void)wait, (void)event;
    return clg_fail(CLGCONV_ERROR_UNSUPPORTED, "tiled: not implemented yet");
}

static void tiled_destroy(clgconv_plan *plan) { (void)plan; }

const clg_algo_impl clg_algo_tiled = {CLGCONV_ALGO_TILED, tiled_supports, tiled_estimate,
                                      tiled_create, tiled_enqueue, tiled_destroy};
