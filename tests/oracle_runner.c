/* oracle_runner.c: runs the cases of tools/torch_oracle_check.py's manifest through clgconv (public API only) and writes each output for the independent PyTorch comparison. */
#include <clgconv.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * Usage: oracle_runner DIR
 * DIR/manifest holds one case per line:
 *   id N C H W K groups kh kw sh sw pt pl pb pr dh dw nhwc has_bias output_min output_max
 * with the case's input, weights and bias as raw float32 files DIR/<id>.x, DIR/<id>.w and
 * DIR/<id>.b (input in the layout nhwc names; weights [K][C/g][kh][kw]). For every algorithm
 * (AUTO and each forced one) that plans the case, and for forward and forward_packed, the
 * output goes to DIR/<id>.<algo>.<raw|packed>.y and one line to stdout:
 *   <id> <algo requested> <raw|packed> ok <algo run> | <id> <algo> - unsupported (a forced
 *   algorithm that declines the shape) | ... error <message> (a failed plan or run)
 * Exit status: 0 when every supported run succeeded, 1 otherwise, 2 on a usage or file error.
 */

static void *read_file(const char *dir, const char *id, const char *ext, size_t bytes)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s.%s", dir, id, ext);
    FILE *f = fopen(path, "rb");
    void *buf = malloc(bytes ? bytes : 1);
    if (!f || !buf || (bytes && fread(buf, 1, bytes, f) != bytes)) {
        fprintf(stderr, "oracle_runner: cannot read %zu bytes from %s\n", bytes, path);
        exit(2);
    }
    fclose(f);
    return buf;
}

static void write_file(const char *dir, const char *id, const char *algo, const char *mode,
                       const void *data, size_t bytes)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s.%s.%s.y", dir, id, algo, mode);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, bytes, f) != bytes || fclose(f) != 0) {
        fprintf(stderr, "oracle_runner: cannot write %s: %s\n", path, strerror(errno));
        exit(2);
    }
}

static cl_mem buffer(cl_context c, cl_mem_flags flags, size_t bytes, void *host)
{
    cl_int e;
    if (bytes == 0) host = NULL; /* nothing to copy; a 4-byte placeholder buffer */
    cl_mem m = clCreateBuffer(c, flags | (host ? CL_MEM_COPY_HOST_PTR : 0), bytes ? bytes : 4,
                              host, &e);
    if (e != CL_SUCCESS) {
        fprintf(stderr, "oracle_runner: clCreateBuffer (%zu bytes) failed: %d\n", bytes, e);
        exit(2);
    }
    return m;
}

/* One plan run, forward or forward_packed; returns the status (the message in
   clgconv_last_error, or on stderr for the read-back), output in y. */
static clgconv_status run(const clgconv_plan *plan, cl_context c, cl_command_queue q,
                          cl_mem x, cl_mem w, cl_mem b, size_t out_bytes, int packed, float *y)
{
    clgconv_status st;
    cl_mem out = buffer(c, CL_MEM_WRITE_ONLY, out_bytes, NULL);
    size_t ws_bytes =
        packed ? clgconv_plan_packed_workspace_size(plan) : clgconv_plan_workspace_size(plan);
    cl_mem ws = ws_bytes ? buffer(c, CL_MEM_READ_WRITE, ws_bytes, NULL) : NULL;
    cl_mem pw = NULL;
    if (packed) {
        pw = buffer(c, CL_MEM_READ_WRITE, clgconv_plan_packed_weights_size(plan), NULL);
        st = clgconv_conv2d_pack_weights(plan, q, w, pw, 0, NULL, NULL);
        if (st == CLGCONV_SUCCESS)
            st = clgconv_conv2d_forward_packed(plan, q, x, pw, b, out, ws, 0, NULL, NULL);
    } else {
        st = clgconv_conv2d_forward(plan, q, x, w, b, out, ws, 0, NULL, NULL);
    }
    if (st == CLGCONV_SUCCESS) {
        cl_int e = clEnqueueReadBuffer(q, out, CL_TRUE, 0, out_bytes, y, 0, NULL, NULL);
        if (e != CL_SUCCESS) {
            fprintf(stderr, "oracle_runner: reading the output back failed: %d\n", e);
            st = CLGCONV_ERROR_OPENCL;
        }
    }
    clReleaseMemObject(out);
    if (ws) clReleaseMemObject(ws);
    if (pw) clReleaseMemObject(pw);
    return st;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: oracle_runner DIR (see the comment at the top of the source)\n");
        return 2;
    }
    const char *dir = argv[1];
    char path[1024];
    snprintf(path, sizeof path, "%s/manifest", dir);
    FILE *manifest = fopen(path, "r");
    if (!manifest) {
        fprintf(stderr, "oracle_runner: cannot open %s: %s\n", path, strerror(errno));
        return 2;
    }
    clgconv_context *ctx;
    if (clgconv_context_create_default(&ctx) != CLGCONV_SUCCESS) {
        fprintf(stderr, "oracle_runner: %s\n", clgconv_last_error());
        return 2;
    }
    cl_context c;
    cl_device_id dev;
    if (clgconv_context_get_cl(ctx, &c, &dev) != CLGCONV_SUCCESS) {
        fprintf(stderr, "oracle_runner: %s\n", clgconv_last_error());
        return 2;
    }
    cl_int e;
    cl_command_queue q = clCreateCommandQueue(c, dev, 0, &e);
    if (e != CL_SUCCESS) {
        fprintf(stderr, "oracle_runner: clCreateCommandQueue failed: %d\n", e);
        return 2;
    }

    static const clgconv_algo algos[] = {CLGCONV_ALGO_AUTO,      CLGCONV_ALGO_DIRECT,
                                         CLGCONV_ALGO_TILED,     CLGCONV_ALGO_DEPTHWISE,
                                         CLGCONV_ALGO_GEMM,      CLGCONV_ALGO_CLBLAST};
    int failures = 0;
    char line[512];
    while (fgets(line, sizeof line, manifest)) {
        char id[64];
        int v[20];
        float lo, hi;
        if (sscanf(line, "%63s %d %d %d %d %d %d %d %d %d %d %d %d %d %d %d %d %d %d %f %f", id,
                   &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8], &v[9], &v[10],
                   &v[11], &v[12], &v[13], &v[14], &v[15], &v[16], &v[17], &lo, &hi) != 21) {
            fprintf(stderr, "oracle_runner: bad manifest line: %s", line);
            return 2;
        }
        clgconv_conv2d_desc d;
        clgconv_conv2d_desc_init(&d);
        d.batch = v[0], d.in_channels = v[1], d.in_height = v[2], d.in_width = v[3];
        d.out_channels = v[4], d.groups = v[5], d.kernel_h = v[6], d.kernel_w = v[7];
        d.stride_h = v[8], d.stride_w = v[9], d.pad_top = v[10], d.pad_left = v[11];
        d.pad_bottom = v[12], d.pad_right = v[13], d.dilation_h = v[14], d.dilation_w = v[15];
        d.layout = v[16] ? CLGCONV_LAYOUT_NHWC : CLGCONV_LAYOUT_NCHW;
        d.output_min = lo, d.output_max = hi;
        const int has_bias = v[17];
        size_t xb, wb, bb, ob;
        if (clgconv_conv2d_tensor_bytes(&d, &xb, &wb, &bb, &ob) != CLGCONV_SUCCESS) {
            printf("%s - - error %s\n", id, clgconv_last_error());
            ++failures;
            continue;
        }
        float *hx = read_file(dir, id, "x", xb), *hw = read_file(dir, id, "w", wb);
        float *hb = read_file(dir, id, "b", bb), *y = malloc(ob ? ob : 1);
        if (!y) {
            fprintf(stderr, "oracle_runner: out of memory\n");
            return 2;
        }
        cl_mem x = buffer(c, CL_MEM_READ_ONLY, xb, hx), w = buffer(c, CL_MEM_READ_ONLY, wb, hw);
        cl_mem b = buffer(c, CL_MEM_READ_ONLY, bb, hb);
        for (size_t a = 0; a < sizeof algos / sizeof algos[0]; ++a) {
            const char *name = clgconv_algo_name(algos[a]);
            clgconv_plan *plan;
            const clgconv_status pst = clgconv_conv2d_plan_create(ctx, &d, algos[a], &plan);
            /* Only a forced algorithm may decline a shape; AUTO plans every valid one, and a
               failed build or any other status is an error, not a skip. */
            if (pst == CLGCONV_ERROR_UNSUPPORTED && algos[a] != CLGCONV_ALGO_AUTO) {
                printf("%s %s - unsupported\n", id, name);
                continue;
            }
            if (pst != CLGCONV_SUCCESS) {
                printf("%s %s - error %s\n", id, name, clgconv_last_error());
                ++failures;
                continue;
            }
            for (int packed = 0; packed <= 1; ++packed) {
                const char *mode = packed ? "packed" : "raw";
                clgconv_status st = run(plan, c, q, x, w, has_bias ? b : NULL, ob, packed, y);
                if (st != CLGCONV_SUCCESS) {
                    printf("%s %s %s error %s\n", id, name, mode, clgconv_last_error());
                    ++failures;
                    continue;
                }
                write_file(dir, id, name, mode, y, ob);
                printf("%s %s %s ok %s\n", id, name, mode,
                       clgconv_algo_name(clgconv_plan_algo(plan)));
            }
            clgconv_plan_release(plan);
        }
        fflush(stdout);
        clReleaseMemObject(x), clReleaseMemObject(w), clReleaseMemObject(b);
        free(hx), free(hw), free(hb), free(y);
    }
    fclose(manifest);
    clReleaseCommandQueue(q);
    clgconv_context_release(ctx);
    return failures ? 1 : 0;
}
