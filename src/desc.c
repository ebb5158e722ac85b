/* desc.c: descriptor defaults, validation with named-field messages, and 64-bit derived sizes. */
#include "internal.h"

#include <math.h>
#include <string.h>

void clgconv_conv2d_desc_init(clgconv_conv2d_desc *desc)
{
    if (!desc) return;
    memset(desc, 0, sizeof *desc);
    desc->groups = 1;
    desc->stride_h = desc->stride_w = 1;
    desc->dilation_h = desc->dilation_w = 1;
    desc->output_min = -INFINITY;
    desc->output_max = INFINITY;
    desc->layout = CLGCONV_LAYOUT_NCHW;
}

bool clg_desc_equal(const clgconv_conv2d_desc *a, const clgconv_conv2d_desc *b)
{
    return a->batch == b->batch && a->in_channels == b->in_channels &&
           a->in_height == b->in_height && a->in_width == b->in_width &&
           a->out_channels == b->out_channels && a->groups == b->groups &&
           a->kernel_h == b->kernel_h && a->kernel_w == b->kernel_w &&
           a->stride_h == b->stride_h && a->stride_w == b->stride_w &&
           a->pad_top == b->pad_top && a->pad_left == b->pad_left &&
           a->pad_bottom == b->pad_bottom && a->pad_right == b->pad_right &&
           a->dilation_h == b->dilation_h && a->dilation_w == b->dilation_w &&
           a->output_min == b->output_min && a->output_max == b->output_max &&
           a->layout == b->layout;
}

/* Largest element count any tensor may have: its byte size must fit in int64 and size_t, and
   kernels index with 64-bit arithmetic on the host but may use 32-bit size_t on the device. */
#define CLG_MAX_ELEMS ((int64_t)1 << 60)

/* a*b into *r; false on overflow past CLG_MAX_ELEMS (a, b >= 0). */
static bool mul_ok(int64_t a, int64_t b, int64_t *r)
{
    if (a != 0 && b > CLG_MAX_ELEMS / a) return false;
    *r = a * b;
    return true;
}

static bool mul4(int64_t a, int64_t b, int64_t c, int64_t d, int64_t *r)
{
    int64_t t;
    return mul_ok(a, b, &t) && mul_ok(t, c, &t) && mul_ok(t, d, r);
}

#define REQUIRE_POSITIVE(field)                                                                 \
    do {                                                                                        \
        if (desc->field <= 0)                                                                   \
            return clg_fail(CLGCONV_ERROR_INVALID_ARGUMENT, #field " (%d) must be positive",    \
                            desc->field);                                                       \
    } while (0)
#define REQUIRE_NONNEGATIVE(field)                                                              \
    do {                                                                                        \
        if (desc->field < 0)                                                                    \
            return clg_fail(CLGCONV_ERROR_INVALID_ARGUMENT, #field " (%d) must not be negative",\
                            desc->field);                                                       \
    } while (0)

clgconv_status clg_shape_from_desc(const clgconv_conv2d_desc *desc, clg_shape *s)
{
    if (!desc) return clg_fail(CLGCONV_ERROR_INVALID_ARGUMENT, "desc is NULL");
    REQUIRE_POSITIVE(batch);
    REQUIRE_POSITIVE(in_channels);
    REQUIRE_POSITIVE(in_height);
    REQUIRE_POSITIVE(in_width);
    REQUIRE_POSITIVE(out_channels);
    REQUIRE_POSITIVE(groups);
    REQUIRE_POSITIVE(kernel_h);
    REQUIRE_POSITIVE(kernel_w);
    REQUIRE_POSITIVE(stride_h);
    REQUIRE_POSITIVE(stride_w);
    REQUIRE_POSITIVE(dilation_h);
    REQUIRE_POSITIVE(dilation_w);
    REQUIRE_NONNEGATIVE(pad_top);
    REQUIRE_NONNEGATIVE(pad_left);
    REQUIRE_NONNEGATIVE(pad_bottom);
    REQUIRE_NONNEGATIVE(pad_right);
    if (desc->in_channels % desc->groups != 0)
        return clg_fail(CLGCONV_ERROR_INVALID_ARGUMENT,
                        "in_channels (%d) is not divisible by groups (%d)", desc->in_channels,
                        desc->groups);
    if (desc->out_channels % desc->groups != 0)
        return clg_fail(CLGCONV_ERROR_INVALID_ARGUMENT,
                        "out_channels (%d) is not divisible by groups (%d)", desc->out_channels,
                        desc->groups);
    if (isnan(desc->output_min))
        return clg_fail(CLGCONV_ERROR_INVALID_ARGUMENT, "output_min (nan) must not be NaN");
    if (isnan(desc->output_max))
        return clg_fail(CLGCONV_ERROR_INVALID_ARGUMENT, "output_max (nan) must not be NaN");
    if (desc->output_min > desc->output_max)
        return clg_fail(CLGCONV_ERROR_INVALID_ARGUMENT,
                        "output_min (%g) is greater than output_max (%g)",
                        (double)desc->output_min, (double)desc->output_max);
    if (desc->layout != CLGCONV_LAYOUT_NCHW && desc->layout != CLGCONV_LAYOUT_NHWC)
        return clg_fail(CLGCONV_ERROR_INVALID_ARGUMENT,
                        "layout (%d) is not CLGCONV_LAYOUT_NCHW (0) or CLGCONV_LAYOUT_NHWC (1)",
                        (int)desc->layout);

    memset(s, 0, sizeof *s);
    s->d = *desc;
    s->N = desc->batch, s->C = desc->in_channels, s->H = desc->in_height, s->W = desc->in_width;
    s->K = desc->out_channels, s->G = desc->groups;
    s->KH = desc->kernel_h, s->KW = desc->kernel_w, s->SH = desc->stride_h, s->SW = desc->stride_w;
    s->PT = desc->pad_top, s->PL = desc->pad_left, s->PB = desc->pad_bottom,
    s->PR = desc->pad_right;
    s->DH = desc->dilation_h, s->DW = desc->dilation_w;
    s->CPG = s->C / s->G;
    s->KPG = s->K / s->G;

    /* All of these are at most about 2^33 since every field is an int: no overflow in int64. */
    int64_t padded_h = s->H + s->PT + s->PB, padded_w = s->W + s->PL + s->PR;
    int64_t span_h = s->DH * (s->KH - 1) + 1, span_w = s->DW * (s->KW - 1) + 1;
    if (span_h > padded_h)
        return clg_fail(CLGCONV_ERROR_INVALID_ARGUMENT,
                        "kernel_h (%d) with dilation_h (%d) spans %lld rows, more than the padded "
                        "input height (%lld = in_height %d + pad_top %d + pad_bottom %d)",
                        desc->kernel_h, desc->dilation_h, (long long)span_h, (long long)padded_h,
                        desc->in_height, desc->pad_top, desc->pad_bottom);
    if (span_w > padded_w)
        return clg_fail(CLGCONV_ERROR_INVALID_ARGUMENT,
                        "kernel_w (%d) with dilation_w (%d) spans %lld columns, more than the "
                        "padded input width (%lld = in_width %d + pad_left %d + pad_right %d)",
                        desc->kernel_w, desc->dilation_w, (long long)span_w, (long long)padded_w,
                        desc->in_width, desc->pad_left, desc->pad_right);
    s->OH = (padded_h - span_h) / s->SH + 1;
    s->OW = (padded_w - span_w) / s->SW + 1;
    if (s->OH > INT32_MAX)
        return clg_fail(CLGCONV_ERROR_INVALID_ARGUMENT,
                        "output height (%lld, from in_height %d + pad_top %d + pad_bottom %d) "
                        "does not fit in int",
                        (long long)s->OH, desc->in_height, desc->pad_top, desc->pad_bottom);
    if (s->OW > INT32_MAX)
        return clg_fail(CLGCONV_ERROR_INVALID_ARGUMENT,
                        "output width (%lld, from in_width %d + pad_left %d + pad_right %d) "
                        "does not fit in int",
                        (long long)s->OW, desc->in_width, desc->pad_left, desc->pad_right);

    if (!mul4(s->N, s->C, s->H, s->W, &s->input_elems))
        return clg_fail(CLGCONV_ERROR_INVALID_ARGUMENT,
                        "input tensor size batch*in_channels*in_height*in_width (%d*%d*%d*%d) "
                        "overflows",
                        desc->batch, desc->in_channels, desc->in_height, desc->in_width);
    if (!mul4(s->K, s->CPG, s->KH, s->KW, &s->weight_elems))
        return clg_fail(CLGCONV_ERROR_INVALID_ARGUMENT,
                        "weight tensor size out_channels*(in_channels/groups)*kernel_h*kernel_w "
                        "(%d*%lld*%d*%d) overflows",
                        desc->out_channels, (long long)s->CPG, desc->kernel_h, desc->kernel_w);
    if (!mul4(s->N, s->K, s->OH, s->OW, &s->output_elems))
        return clg_fail(CLGCONV_ERROR_INVALID_ARGUMENT,
                        "output tensor size batch*out_channels*out_h*out_w (%d*%d*%lld*%lld) "
                        "overflows",
                        desc->batch, desc->out_channels, (long long)s->OH, (long long)s->OW);
    if (!mul4(s->CPG, s->KH, s->KW, 1, &s->reduction))
        return clg_fail(CLGCONV_ERROR_INVALID_ARGUMENT,
                        "reduction length (in_channels/groups)*kernel_h*kernel_w overflows");
    /* Byte sizes must fit in size_t (matters on 32-bit hosts). */
    int64_t biggest = s->input_elems;
    if (s->weight_elems > biggest) biggest = s->weight_elems;
    if (s->output_elems > biggest) biggest = s->output_elems;
    if ((uint64_t)biggest > (uint64_t)(SIZE_MAX / sizeof(float)))
        return clg_fail(CLGCONV_ERROR_INVALID_ARGUMENT,
                        "a tensor of %lld elements does not fit in this host's size_t",
                        (long long)biggest);
    s->macs = (double)s->output_elems * (double)s->reduction;

    if (desc->layout == CLGCONV_LAYOUT_NCHW) {
        s->in_sX = 1, s->in_sY = s->W, s->in_sC = s->H * s->W, s->in_sN = s->C * s->H * s->W;
        s->out_sX = 1, s->out_sY = s->OW, s->out_sC = s->OH * s->OW,
        s->out_sN = s->K * s->OH * s->OW;
    } else {
        s->in_sC = 1, s->in_sX = s->C, s->in_sY = s->W * s->C, s->in_sN = s->H * s->W * s->C;
        s->out_sC = 1, s->out_sX = s->K, s->out_sY = s->OW * s->K,
        s->out_sN = s->OH * s->OW * s->K;
    }
    return CLGCONV_SUCCESS;
}

/* Computed in double: each product may approach 2^62, their sum would overflow int64; the
   comparison against 2^31 needs no more precision than double has. */
static double coordinate_bound_1d(int64_t out, int64_t overhang, int64_t stride, int64_t kernel,
                                  int64_t dilation, int64_t pad0, int64_t pad1, int64_t in)
{
    return ((double)out + (double)overhang + 1.0) * (double)stride +
           (double)(kernel - 1) * (double)dilation + (double)pad0 + (double)pad1 + (double)in;
}

static void coordinate_bounds(const clg_shape *s, int64_t overhang, double *y, double *x)
{
    *y = coordinate_bound_1d(s->OH, overhang, s->SH, s->KH, s->DH, s->PT, s->PB, s->H);
    *x = coordinate_bound_1d(s->OW, overhang, s->SW, s->KW, s->DW, s->PL, s->PR, s->W);
}

double clg_coordinate_bound(const clg_shape *s, int64_t overhang)
{
    double y, x;
    coordinate_bounds(s, overhang, &y, &x);
    return y > x ? y : x;
}

clgconv_status clg_check_coordinates(const clg_shape *s, int64_t overhang, const char *algo)
{
    double y, x;
    coordinate_bounds(s, overhang, &y, &x);
    if (y > (double)INT32_MAX)
        return clg_fail(CLGCONV_ERROR_UNSUPPORTED,
                        "%s: input row coordinates (up to about %.3g, from stride_h %d, "
                        "dilation_h %d, pad_top %d, pad_bottom %d, in_height %d) exceed 2^31 - 1",
                        algo, y, s->d.stride_h, s->d.dilation_h, s->d.pad_top, s->d.pad_bottom,
                        s->d.in_height);
    if (x > (double)INT32_MAX)
        return clg_fail(CLGCONV_ERROR_UNSUPPORTED,
                        "%s: input column coordinates (up to about %.3g, from stride_w %d, "
                        "dilation_w %d, pad_left %d, pad_right %d, in_width %d) exceed 2^31 - 1",
                        algo, x, s->d.stride_w, s->d.dilation_w, s->d.pad_left, s->d.pad_right,
                        s->d.in_width);
    return CLGCONV_SUCCESS;
}

clgconv_status clgconv_conv2d_output_size(const clgconv_conv2d_desc *desc, int *out_height,
                                          int *out_width)
{
    clg_shape s;
    clgconv_status st = clg_shape_from_desc(desc, &s);
    if (st != CLGCONV_SUCCESS) return st;
    if (out_height) *out_height = (int)s.OH;
    if (out_width) *out_width = (int)s.OW;
    return CLGCONV_SUCCESS;
}

clgconv_status clgconv_conv2d_tensor_bytes(const clgconv_conv2d_desc *desc, size_t *input_bytes,
                                           size_t *weight_bytes, size_t *bias_bytes,
                                           size_t *output_bytes)
{
    clg_shape s;
    clgconv_status st = clg_shape_from_desc(desc, &s);
    if (st != CLGCONV_SUCCESS) return st;
    if (input_bytes) *input_bytes = (size_t)s.input_elems * sizeof(float);
    if (weight_bytes) *weight_bytes = (size_t)s.weight_elems * sizeof(float);
    if (bias_bytes) *bias_bytes = (size_t)s.K * sizeof(float);
    if (output_bytes) *output_bytes = (size_t)s.output_elems * sizeof(float);
    return CLGCONV_SUCCESS;
}

double clgconv_conv2d_macs(const clgconv_conv2d_desc *desc)
{
    clg_shape s;
    if (clg_shape_from_desc(desc, &s) != CLGCONV_SUCCESS) return 0.0;
    return s.macs;
}
