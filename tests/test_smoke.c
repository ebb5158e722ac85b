/* test_smoke.c: one grouped convolution per algorithm through the plan API and the host API, against the reference. */
#include "test_util.h"

#include <string.h>

int main(void)
{
    cl_command_queue q;
    clgconv_context *ctx = test_open_context(&q);
    printf("device: %s\n", clgconv_context_device_name(ctx));
    clgconv_conv2d_desc d;
    clgconv_conv2d_desc_init(&d);
    d.batch = 2, d.in_channels = 8, d.in_height = 9, d.in_width = 7, d.out_channels = 12;
    d.groups = 4, d.kernel_h = 3, d.kernel_w = 3, d.pad_top = d.pad_left = d.pad_bottom = d.pad_right = 1;
    size_t in_b, w_b, b_b, out_b;
    CHECK_OK(clgconv_conv2d_tensor_bytes(&d, &in_b, &w_b, &b_b, &out_b));
    test_rng r;
    test_rng_seed(&r, 1);
    float *x = test_random_tensor(&r, in_b / 4), *w = test_random_tensor(&r, w_b / 4),
          *b = test_random_tensor(&r, b_b / 4), *y = malloc(out_b);
    for (int a = 1; a < CLGCONV_ALGO_COUNT_; ++a) {
        clgconv_status st = test_run_plan(ctx, q, &d, (clgconv_algo)a, x, w, b, y);
        if (st == CLGCONV_ERROR_UNSUPPORTED) {
            printf("%-10s unsupported: %s\n", clgconv_algo_name((clgconv_algo)a), clgconv_last_error());
            continue;
        }
        CHECK_OK(st);
        double err;
        CHECK(test_compare_with_reference(&d, x, w, b, y, clgconv_algo_name((clgconv_algo)a), &err));
        printf("%-10s max error %.3g\n", clgconv_algo_name((clgconv_algo)a), err);
    }
    memset(y, 0, out_b);
    CHECK_OK(clgconv_conv2d_forward_host(ctx, &d, x, w, NULL, y));
    CHECK(test_compare_with_reference(&d, x, w, NULL, y, "host", NULL));
    free(x), free(w), free(b), free(y);
    clReleaseCommandQueue(q);
    clgconv_context_release(ctx);
    return test_summary("smoke"); /* the packed-weights runs' EXPECTs */
}
