/* grouped_conv.c: minimal clgconv user: a ResNeXt-style grouped 3x3 layer through a plan on caller-owned OpenCL objects, checked against the CPU reference. */
#include <clgconv.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TRY(expr)                                                                               \
    do {                                                                                        \
        clgconv_status st_ = (expr);                                                            \
        if (st_ != CLGCONV_SUCCESS) {                                                           \
            fprintf(stderr, "%s: %s\n  %s\n", #expr, clgconv_status_string(st_),                \
                    clgconv_last_error());                                                      \
            return st_ == CLGCONV_ERROR_NO_DEVICE ? 77 : 1;                                     \
        }                                                                                       \
    } while (0)

int main(void)
{
    /* 64 -> 64 channels in 8 groups of 8, 3x3, padding 1, ReLU fused. */
    clgconv_conv2d_desc desc;
    clgconv_conv2d_desc_init(&desc);
    desc.batch = 1, desc.in_channels = 64, desc.in_height = 14, desc.in_width = 14;
    desc.out_channels = 64, desc.groups = 8, desc.kernel_h = desc.kernel_w = 3;
    desc.pad_top = desc.pad_left = desc.pad_bottom = desc.pad_right = 1;
    desc.output_min = 0.0f; /* ReLU */
    desc.layout = CLGCONV_LAYOUT_NHWC; /* where TILED and GEMM pack the weights for real */

    size_t in_bytes, w_bytes, b_bytes, out_bytes;
    TRY(clgconv_conv2d_tensor_bytes(&desc, &in_bytes, &w_bytes, &b_bytes, &out_bytes));
    float *x = malloc(in_bytes), *w = malloc(w_bytes), *b = malloc(b_bytes);
    float *y = malloc(out_bytes), *ref = malloc(out_bytes);
    if (!x || !w || !b || !y || !ref) return 1;
    for (size_t i = 0; i < in_bytes / 4; ++i) x[i] = (float)((i * 7919) % 17) / 17.0f - 0.5f;
    for (size_t i = 0; i < w_bytes / 4; ++i) w[i] = (float)((i * 104729) % 13) / 13.0f - 0.5f;
    for (size_t i = 0; i < b_bytes / 4; ++i) b[i] = 0.01f * (float)i;

    /* The application owns the OpenCL context and queue; clgconv wraps them. */
    clgconv_context *ctx;
    TRY(clgconv_context_create_default(&ctx));
    cl_context cl_ctx;
    cl_device_id dev;
    TRY(clgconv_context_get_cl(ctx, &cl_ctx, &dev));
    printf("device: %s\n", clgconv_context_device_name(ctx));
    cl_int err;
    cl_command_queue queue = clCreateCommandQueue(cl_ctx, dev, 0, &err);
    cl_mem bx = clCreateBuffer(cl_ctx, CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR, in_bytes, x, &err);
    cl_mem bw = clCreateBuffer(cl_ctx, CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR, w_bytes, w, &err);
    cl_mem bb = clCreateBuffer(cl_ctx, CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR, b_bytes, b, &err);
    cl_mem by = clCreateBuffer(cl_ctx, CL_MEM_WRITE_ONLY, out_bytes, NULL, &err);

    /* Plan once (compiles kernels), run many times (only enqueues). */
    clgconv_plan *plan;
    TRY(clgconv_conv2d_plan_create(ctx, &desc, CLGCONV_ALGO_AUTO, &plan));
    cl_mem ws = NULL;
    if (clgconv_plan_workspace_size(plan) > 0)
        ws = clCreateBuffer(cl_ctx, CL_MEM_READ_WRITE, clgconv_plan_workspace_size(plan), NULL, &err);
    cl_event done;
    TRY(clgconv_conv2d_forward(plan, queue, bx, bw, bb, by, ws, 0, NULL, &done));
    clEnqueueReadBuffer(queue, by, CL_TRUE, 0, out_bytes, y, 1, &done, NULL);
    clReleaseEvent(done);

    /* Weights that stay fixed (inference): pack them once; forward_packed then skips the
       weight rearrangement some plans do in every call. The workspace above is large enough for
       both calls (clgconv_plan_packed_workspace_size is never more). */
    cl_mem packed = clCreateBuffer(cl_ctx, CL_MEM_READ_WRITE,
                                   clgconv_plan_packed_weights_size(plan), NULL, &err);
    cl_mem by2 = clCreateBuffer(cl_ctx, CL_MEM_WRITE_ONLY, out_bytes, NULL, &err);
    cl_event packed_ev;
    TRY(clgconv_conv2d_pack_weights(plan, queue, bw, packed, 0, NULL, &packed_ev));
    TRY(clgconv_conv2d_forward_packed(plan, queue, bx, packed, bb, by2, ws, 1, &packed_ev, &done));
    clEnqueueReadBuffer(queue, by2, CL_TRUE, 0, out_bytes, ref, 1, &done, NULL);
    clReleaseEvent(done), clReleaseEvent(packed_ev);
    const int packed_same = memcmp(y, ref, out_bytes) == 0;
    clReleaseMemObject(packed), clReleaseMemObject(by2);

    TRY(clgconv_conv2d_reference(&desc, x, w, b, ref));
    double max_err = 0;
    for (size_t i = 0; i < out_bytes / 4; ++i) max_err = fmax(max_err, fabs(y[i] - ref[i]));
    printf("algorithm %s, max |error| vs reference %.3g, packed weights: %s\n",
           clgconv_algo_name(clgconv_plan_algo(plan)), max_err,
           packed_same ? "the same output" : "A DIFFERENT OUTPUT");

    clgconv_plan_release(plan);
    if (ws) clReleaseMemObject(ws);
    clReleaseMemObject(bx), clReleaseMemObject(bw), clReleaseMemObject(bb), clReleaseMemObject(by);
    clReleaseCommandQueue(queue);
    clgconv_context_release(ctx);
    free(x), free(w), free(b), free(y), free(ref);
    return max_err < 1e-4 && packed_same ? 0 : 1;
}
