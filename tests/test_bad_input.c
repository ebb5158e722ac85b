/* test_bad_input.c: every invalid argument is rejected with CLGCONV_ERROR_INVALID_ARGUMENT, a message naming it, no output written and nothing enqueued; shapes outside the depthwise algorithm's domain get UNSUPPORTED with a message naming them; malformed CLGCONV_CPU_REGISTERS values are ignored. */
#include "test_util.h"
#include "testing.h"

#include <limits.h>
#include <math.h>
#include <string.h>

/* A message no library call produces: set before each checked call so that a stale last error
   cannot pass for the call's own message. */
#define MARKER "zz-marker-not-an-algorithm"

static void set_marker(void)
{
    clgconv_algo a;
    CHECK(clgconv_algo_from_name(MARKER, &a) == CLGCONV_ERROR_INVALID_ARGUMENT);
    CHECK(strstr(clgconv_last_error(), MARKER) != NULL);
}

/* The last error names every one of words (NULL-terminated list) and is not the marker. */
static bool message_names(const char *const *words, char *missing, size_t size)
{
    const char *msg = clgconv_last_error();
    if (strstr(msg, MARKER)) {
        snprintf(missing, size, "no new message (stale marker)");
        return false;
    }
    for (size_t i = 0; words[i]; ++i)
        if (!strstr(msg, words[i])) {
            snprintf(missing, size, "\"%s\" missing", words[i]);
            return false;
        }
    return true;
}

#define WORDS(...) ((const char *const[]){__VA_ARGS__, NULL})

static clgconv_context *g_ctx;
static cl_command_queue g_queue;
static cl_context g_cl;
static cl_device_id g_dev;

static clgconv_conv2d_desc valid_desc(void)
{
    clgconv_conv2d_desc d;
    clgconv_conv2d_desc_init(&d);
    d.batch = 1, d.in_channels = 8, d.in_height = 6, d.in_width = 5, d.out_channels = 12;
    d.groups = 4, d.kernel_h = 3, d.kernel_w = 3;
    d.pad_top = d.pad_left = d.pad_bottom = d.pad_right = 1;
    return d;
}

/* Every desc-taking entry point rejects d with INVALID_ARGUMENT and a message holding words;
   reference and forward_host leave the output array alone. */
static void expect_bad_desc(const char *label, const clgconv_conv2d_desc *d,
                            const char *const *words)
{
    char why[200];
    int oh = -7, ow = -7;
    set_marker();
    clgconv_status st = clgconv_conv2d_output_size(d, &oh, &ow);
    EXPECT(st == CLGCONV_ERROR_INVALID_ARGUMENT && message_names(words, why, sizeof why),
           "%s: output_size gave %s (%s): \"%s\"", label, clgconv_status_string(st), why,
           clgconv_last_error());
    EXPECT(oh == -7 && ow == -7, "%s: output_size wrote its results on failure", label);

    set_marker();
    size_t in_b = 0;
    st = clgconv_conv2d_tensor_bytes(d, &in_b, NULL, NULL, NULL);
    EXPECT(st == CLGCONV_ERROR_INVALID_ARGUMENT && message_names(words, why, sizeof why),
           "%s: tensor_bytes gave %s (%s)", label, clgconv_status_string(st), why);
    EXPECT(clgconv_conv2d_macs(d) == 0.0, "%s: macs of an invalid desc is not 0", label);

    set_marker();
    clgconv_plan *plan = NULL;
    st = clgconv_conv2d_plan_create(g_ctx, d, CLGCONV_ALGO_DIRECT, &plan);
    EXPECT(st == CLGCONV_ERROR_INVALID_ARGUMENT && message_names(words, why, sizeof why),
           "%s: plan_create gave %s (%s): \"%s\"", label, clgconv_status_string(st), why,
           clgconv_last_error());
    EXPECT(plan == NULL, "%s: plan_create returned a plan on failure", label);
    clgconv_plan_release(plan);
    set_marker();
    st = clgconv_conv2d_plan_create(g_ctx, d, CLGCONV_ALGO_AUTO, &plan);
    EXPECT(st == CLGCONV_ERROR_INVALID_ARGUMENT && message_names(words, why, sizeof why),
           "%s: plan_create(AUTO) gave %s (%s)", label, clgconv_status_string(st), why);
    clgconv_plan_release(plan);

    /* Arrays big enough for the valid base shape; the functions must fail before touching any. */
    enum { ARRAY = 4096 };
    static float x[ARRAY], w[ARRAY], b[ARRAY], y[ARRAY];
    for (int i = 0; i < ARRAY; ++i) y[i] = 12345.0f;
    set_marker();
    st = clgconv_conv2d_reference(d, x, w, b, y);
    EXPECT(st == CLGCONV_ERROR_INVALID_ARGUMENT && message_names(words, why, sizeof why),
           "%s: reference gave %s (%s): \"%s\"", label, clgconv_status_string(st), why,
           clgconv_last_error());
    set_marker();
    st = clgconv_conv2d_forward_host(g_ctx, d, x, w, b, y);
    EXPECT(st == CLGCONV_ERROR_INVALID_ARGUMENT && message_names(words, why, sizeof why),
           "%s: forward_host gave %s (%s): \"%s\"", label, clgconv_status_string(st), why,
           clgconv_last_error());
    int written = 0;
    for (int i = 0; i < ARRAY; ++i) written += y[i] != 12345.0f;
    EXPECT(written == 0, "%s: %d output elements written on failure", label, written);
}

/* Field setters for the zero/negative sweep. */
typedef struct int_field {
    const char *name;
    size_t offset;
    bool may_be_zero; /* pads */
} int_field;

#define FIELD(f, z) {#f, offsetof(clgconv_conv2d_desc, f), z}

static void bad_descriptors(void)
{
    static const int_field fields[] = {
        FIELD(batch, false),      FIELD(in_channels, false), FIELD(in_height, false),
        FIELD(in_width, false),   FIELD(out_channels, false), FIELD(groups, false),
        FIELD(kernel_h, false),   FIELD(kernel_w, false),    FIELD(stride_h, false),
        FIELD(stride_w, false),   FIELD(dilation_h, false),  FIELD(dilation_w, false),
        FIELD(pad_top, true),     FIELD(pad_left, true),     FIELD(pad_bottom, true),
        FIELD(pad_right, true),
    };
    const int bad_values[] = {0, -1, -3, INT_MIN};
    char label[160], value[32];
    for (size_t f = 0; f < sizeof fields / sizeof fields[0]; ++f)
        for (size_t v = 0; v < sizeof bad_values / sizeof bad_values[0]; ++v) {
            if (bad_values[v] == 0 && fields[f].may_be_zero) continue;
            clgconv_conv2d_desc d = valid_desc();
            *(int *)((char *)&d + fields[f].offset) = bad_values[v];
            snprintf(label, sizeof label, "%s = %d", fields[f].name, bad_values[v]);
            snprintf(value, sizeof value, "(%d)", bad_values[v]);
            expect_bad_desc(label, &d, WORDS(fields[f].name, value));
        }

    clgconv_conv2d_desc d = valid_desc();
    d.in_channels = 30, d.out_channels = 32, d.groups = 4;
    expect_bad_desc("groups not dividing in_channels", &d,
                    WORDS("in_channels (30)", "groups (4)"));
    d = valid_desc();
    d.out_channels = 6; /* groups 4 */
    expect_bad_desc("groups not dividing out_channels", &d,
                    WORDS("out_channels (6)", "groups (4)"));
    d = valid_desc();
    d.groups = 16; /* more groups than channels */
    expect_bad_desc("groups larger than in_channels", &d, WORDS("in_channels (8)", "groups (16)"));

    /* Kernel larger than the padded input: height 6 + 1 + 1 = 8. */
    d = valid_desc();
    d.kernel_h = 9;
    expect_bad_desc("kernel_h larger than the padded input", &d, WORDS("kernel_h (9)"));
    d = valid_desc();
    d.kernel_w = 8; /* width 5 + 2 = 7 */
    expect_bad_desc("kernel_w larger than the padded input", &d, WORDS("kernel_w (8)"));
    d = valid_desc();
    d.dilation_h = 4; /* spans 9 rows > 8 */
    expect_bad_desc("dilated kernel taller than the padded input", &d, WORDS("dilation_h (4)"));
    d = valid_desc();
    d.dilation_w = 4; /* spans 9 columns > 7 */
    expect_bad_desc("dilated kernel wider than the padded input", &d, WORDS("dilation_w (4)"));
    d = valid_desc();
    d.pad_top = d.pad_bottom = 0, d.kernel_h = 7; /* 7 > 6 without padding */
    expect_bad_desc("kernel_h larger than the unpadded input", &d, WORDS("kernel_h (7)"));

    d = valid_desc();
    d.output_min = 7, d.output_max = 3;
    expect_bad_desc("output_min > output_max", &d, WORDS("output_min (7)", "output_max (3)"));
    d = valid_desc();
    d.output_min = INFINITY, d.output_max = -INFINITY;
    expect_bad_desc("output_min +inf > output_max -inf", &d, WORDS("output_min", "output_max"));
    d = valid_desc();
    d.output_min = NAN;
    expect_bad_desc("output_min NaN", &d, WORDS("output_min", "nan"));
    d = valid_desc();
    d.output_max = NAN;
    expect_bad_desc("output_max NaN", &d, WORDS("output_max", "nan"));
    d = valid_desc();
    d.output_min = d.output_max = NAN;
    expect_bad_desc("output_min and output_max NaN", &d, WORDS("nan"));

    d = valid_desc();
    d.layout = (clgconv_layout)7;
    expect_bad_desc("layout 7", &d, WORDS("layout (7)"));
    d = valid_desc();
    d.layout = (clgconv_layout)-1;
    expect_bad_desc("layout -1", &d, WORDS("layout (-1)"));

    /* Products that overflow 64-bit element/byte counts. */
    const int big = 1 << 30;
    d = valid_desc();
    d.batch = d.in_channels = d.in_height = d.in_width = big;
    d.groups = 1;
    expect_bad_desc("input size overflow", &d, WORDS("batch", "in_channels", "1073741824"));
    d = valid_desc();
    d.in_channels = d.out_channels = big, d.groups = 1, d.in_height = d.in_width = 2;
    d.kernel_h = d.kernel_w = 2, d.pad_top = d.pad_left = d.pad_bottom = d.pad_right = 0;
    expect_bad_desc("weight size overflow", &d, WORDS("out_channels", "1073741824"));
    d = valid_desc();
    d.batch = d.out_channels = big, d.in_channels = 1, d.groups = 1;
    d.in_height = d.in_width = 2, d.kernel_h = d.kernel_w = 1;
    d.pad_top = d.pad_left = d.pad_bottom = d.pad_right = 0;
    expect_bad_desc("output size overflow", &d, WORDS("batch", "out_channels", "1073741824"));
    d = valid_desc();
    d.batch = d.in_channels = d.in_height = d.in_width = d.out_channels = INT_MAX;
    d.groups = 1;
    expect_bad_desc("INT_MAX sizes", &d, WORDS("2147483647"));
    /* An output plane taller than INT_MAX rows: (INT_MAX + 2*INT_MAX - 1) / 1 + 1.
       CONTRACT CHECK (clgconv.h: "Returns CLGCONV_ERROR_INVALID_ARGUMENT with the field named"):
       src/desc.c reports "output size 6442450941x5 does not fit in int", naming no field; this
       expects in_height (and its value) in the message, as for every other descriptor error. */
    d = valid_desc();
    d.in_height = d.pad_top = d.pad_bottom = INT_MAX, d.kernel_h = 1;
    expect_bad_desc("output height beyond int", &d, WORDS("in_height", "2147483647"));

    /* NULL desc. */
    expect_bad_desc("NULL desc", NULL, WORDS("desc"));
}

/* Valid edge descriptors are accepted. */
static void good_descriptors(void)
{
    struct {
        const char *label;
        float lo, hi;
    } clamps[] = {{"clamp [0,6]", 0, 6}, {"clamp [5,5]", 5, 5},
                  {"clamp [-inf,inf]", -INFINITY, INFINITY}, {"clamp [0,inf]", 0, INFINITY},
                  {"clamp [-inf,-inf]", -INFINITY, -INFINITY}};
    for (size_t i = 0; i < sizeof clamps / sizeof clamps[0]; ++i) {
        clgconv_conv2d_desc d = valid_desc();
        d.output_min = clamps[i].lo, d.output_max = clamps[i].hi;
        int oh = 0, ow = 0;
        EXPECT(clgconv_conv2d_output_size(&d, &oh, &ow) == CLGCONV_SUCCESS && oh == 6 && ow == 5,
               "%s rejected", clamps[i].label);
        clgconv_plan *plan = NULL;
        EXPECT(clgconv_conv2d_plan_create(g_ctx, &d, CLGCONV_ALGO_DIRECT, &plan) ==
                   CLGCONV_SUCCESS,
               "%s: plan_create rejected it", clamps[i].label);
        clgconv_plan_release(plan);
    }
    clgconv_conv2d_desc d = valid_desc();
    d.layout = CLGCONV_LAYOUT_NHWC;
    EXPECT(clgconv_conv2d_output_size(&d, NULL, NULL) == CLGCONV_SUCCESS, "NHWC rejected");
    /* Huge but valid sizes still validate (no allocation happens in output_size). */
    d = valid_desc();
    d.batch = 1 << 20, d.in_height = d.in_width = 1 << 10;
    EXPECT(clgconv_conv2d_output_size(&d, NULL, NULL) == CLGCONV_SUCCESS,
           "2^20 x 8 x 2^10 x 2^10 rejected");
}

/* CLGCONV_ALGO_DEPTHWISE's domain: groups == in_channels, or groups of 2 or 4 input and as
   many output channels (narrow groups): NHWC with out_channels a multiple of 8, NCHW on CPU
   devices for specialised windows (up to 11x11), stride_w up to 2 and planes of up to 1024
   outputs. Shapes inside get a plan (specialised and generic geometries); the others get
   UNSUPPORTED, no plan, and a message naming the channels per group, the channel counts and
   the layout. */
static void depthwise_domain(void)
{
    cl_device_type type = 0;
    CHECK(clGetDeviceInfo(g_dev, CL_DEVICE_TYPE, sizeof type, &type, NULL) == CL_SUCCESS);
    const bool cpu = (type & CL_DEVICE_TYPE_CPU) != 0;
    static const char *const nchw_groups_of_4[] = {
        "depthwise", "got 4 input and 4 output channels per group", "in_channels 16",
        "out_channels 16", "groups 4", "NCHW", NULL};
    struct {
        const char *label;
        int c, k, g, dilation, hw, kernel; /* hw, kernel: 0 for valid_desc's */
        clgconv_layout layout;
        const char *const *words; /* NULL: supported */
    } cases[] = {
        {"depthwise NCHW", 8, 16, 8, 1, 0, 0, CLGCONV_LAYOUT_NCHW, NULL},
        {"narrow groups of 2 NHWC", 16, 16, 8, 1, 0, 0, CLGCONV_LAYOUT_NHWC, NULL},
        {"narrow groups of 4 NHWC", 32, 32, 8, 1, 0, 0, CLGCONV_LAYOUT_NHWC, NULL},
        {"narrow groups of 4 NHWC dilated (generic build)", 16, 16, 4, 2, 0, 0,
         CLGCONV_LAYOUT_NHWC, NULL},
        {"groups of 4 in NCHW (CPU devices only)", 16, 16, 4, 1, 0, 0, CLGCONV_LAYOUT_NCHW,
         cpu ? NULL : nchw_groups_of_4},
        {"groups of 4 in NCHW, 40x40 outputs", 16, 16, 4, 1, 40, 0, CLGCONV_LAYOUT_NCHW,
         WORDS("depthwise", "got 4 input and 4 output channels per group", "NCHW",
               "40x40 outputs")},
        {"groups of 2 in NCHW, 13x13 window", 16, 16, 8, 1, 0, 13, CLGCONV_LAYOUT_NCHW,
         WORDS("depthwise", "got 2 input and 2 output channels per group", "in_channels 16",
               "groups 8", "NCHW", "up to 11x11")},
        {"groups of 3 in NHWC", 24, 24, 8, 1, 0, 0, CLGCONV_LAYOUT_NHWC,
         WORDS("depthwise", "got 3 input and 3 output channels per group", "in_channels 24",
               "groups 8", "NHWC")},
        {"2 input, 4 output channels per group", 16, 32, 8, 1, 0, 0, CLGCONV_LAYOUT_NHWC,
         WORDS("depthwise", "got 2 input and 4 output channels per group", "out_channels 32")},
        {"groups of 4 with out_channels 12", 12, 12, 3, 1, 0, 0, CLGCONV_LAYOUT_NHWC,
         WORDS("depthwise", "got 4 input and 4 output channels per group", "out_channels 12",
               "multiple of 8")},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; ++i) {
        clgconv_conv2d_desc d = valid_desc();
        d.in_channels = cases[i].c, d.out_channels = cases[i].k, d.groups = cases[i].g;
        d.dilation_h = d.dilation_w = cases[i].dilation;
        d.pad_top = d.pad_left = d.pad_bottom = d.pad_right = cases[i].dilation;
        if (cases[i].hw) d.in_height = d.in_width = cases[i].hw;
        if (cases[i].kernel) {
            d.kernel_h = d.kernel_w = cases[i].kernel;
            d.pad_top = d.pad_left = d.pad_bottom = d.pad_right = cases[i].kernel / 2;
        }
        d.layout = cases[i].layout;
        clgconv_plan *plan = NULL;
        set_marker();
        clgconv_status st = clgconv_conv2d_plan_create(g_ctx, &d, CLGCONV_ALGO_DEPTHWISE, &plan);
        if (!cases[i].words) {
            EXPECT(st == CLGCONV_SUCCESS && plan != NULL, "%s: depthwise gave %s (%s)",
                   cases[i].label, clgconv_status_string(st), clgconv_last_error());
        } else {
            char why[200] = "";
            EXPECT(st == CLGCONV_ERROR_UNSUPPORTED && plan == NULL &&
                       message_names(cases[i].words, why, sizeof why),
                   "%s: depthwise gave %s, plan %p, %s: \"%s\"", cases[i].label,
                   clgconv_status_string(st), (void *)plan, why, clgconv_last_error());
        }
        clgconv_plan_release(plan);
    }
}

/* NULL pointers to the desc-taking functions and the other API entry points. */
static void null_arguments(void)
{
    clgconv_conv2d_desc d = valid_desc();
    char why[200];
    clgconv_status st;
    clgconv_plan *plan = NULL;

    set_marker();
    st = clgconv_conv2d_plan_create(g_ctx, &d, CLGCONV_ALGO_DIRECT, NULL);
    EXPECT(st == CLGCONV_ERROR_INVALID_ARGUMENT && message_names(WORDS("out"), why, sizeof why),
           "plan_create(out NULL) gave %s (%s)", clgconv_status_string(st), why);
    set_marker();
    st = clgconv_conv2d_plan_create(NULL, &d, CLGCONV_ALGO_DIRECT, &plan);
    EXPECT(st == CLGCONV_ERROR_INVALID_ARGUMENT && message_names(WORDS("ctx"), why, sizeof why) &&
               plan == NULL,
           "plan_create(ctx NULL) gave %s (%s)", clgconv_status_string(st), why);
    const int bad_algos[] = {99, -1, CLGCONV_ALGO_COUNT_, INT_MAX};
    for (size_t i = 0; i < sizeof bad_algos / sizeof bad_algos[0]; ++i) {
        char value[32];
        snprintf(value, sizeof value, "(%d)", bad_algos[i]);
        set_marker();
        st = clgconv_conv2d_plan_create(g_ctx, &d, (clgconv_algo)bad_algos[i], &plan);
        EXPECT(st == CLGCONV_ERROR_INVALID_ARGUMENT &&
                   message_names(WORDS("algo", value), why, sizeof why) && plan == NULL,
               "plan_create(algo %d) gave %s (%s)", bad_algos[i], clgconv_status_string(st), why);
    }

    enum { ARRAY = 4096 };
    static float x[ARRAY], w[ARRAY], b[ARRAY], y[ARRAY];
    struct {
        const char *name;
        const float *x, *w;
        float *y;
    } nulls[] = {{"input", NULL, w, y}, {"weights", x, NULL, y}, {"output", x, w, NULL}};
    for (size_t i = 0; i < 3; ++i) {
        for (int j = 0; j < ARRAY; ++j) y[j] = 12345.0f;
        set_marker();
        st = clgconv_conv2d_reference(&d, nulls[i].x, nulls[i].w, b, nulls[i].y);
        EXPECT(st == CLGCONV_ERROR_INVALID_ARGUMENT &&
                   message_names(WORDS(nulls[i].name), why, sizeof why),
               "reference(%s NULL) gave %s (%s)", nulls[i].name, clgconv_status_string(st), why);
        set_marker();
        st = clgconv_conv2d_forward_host(g_ctx, &d, nulls[i].x, nulls[i].w, b, nulls[i].y);
        EXPECT(st == CLGCONV_ERROR_INVALID_ARGUMENT &&
                   message_names(WORDS(nulls[i].name), why, sizeof why),
               "forward_host(%s NULL) gave %s (%s)", nulls[i].name, clgconv_status_string(st),
               why);
        int written = 0;
        for (int j = 0; j < ARRAY; ++j) written += y[j] != 12345.0f;
        EXPECT(written == 0, "%s NULL: %d output elements written", nulls[i].name, written);
    }
    set_marker();
    st = clgconv_conv2d_forward_host(NULL, &d, x, w, b, y);
    EXPECT(st == CLGCONV_ERROR_INVALID_ARGUMENT && message_names(WORDS("ctx"), why, sizeof why),
           "forward_host(ctx NULL) gave %s (%s)", clgconv_status_string(st), why);

    set_marker();
    st = clgconv_context_create(NULL, NULL, NULL);
    EXPECT(st == CLGCONV_ERROR_INVALID_ARGUMENT, "context_create(NULL...) gave %s",
           clgconv_status_string(st));
    set_marker();
    st = clgconv_context_get_cl(NULL, NULL, NULL);
    EXPECT(st == CLGCONV_ERROR_INVALID_ARGUMENT, "context_get_cl(NULL) gave %s",
           clgconv_status_string(st));
    clgconv_algo algo = CLGCONV_ALGO_DIRECT;
    EXPECT(clgconv_algo_from_name(NULL, &algo) == CLGCONV_ERROR_INVALID_ARGUMENT,
           "algo_from_name(NULL)");
    EXPECT(clgconv_algo_from_name("direct", NULL) == CLGCONV_ERROR_INVALID_ARGUMENT,
           "algo_from_name(out NULL)");
    /* NULL releases are no-ops. */
    clgconv_plan_release(NULL);
    clgconv_context_release(NULL);
}

/* clgconv_testing_auto_estimates (tests/auto_replay's hook): NULL arguments named, a bad
   descriptor refused with its own message, nothing written to seconds or pick. */
static void auto_estimates_bad_input(void)
{
    clgconv_conv2d_desc d = valid_desc(), bad = valid_desc();
    bad.in_channels = 30, bad.groups = 4;
    double seconds[CLGCONV_ALGO_COUNT_];
    clgconv_algo pick = CLGCONV_ALGO_TILED;
    char why[200];
    struct {
        const char *name;
        const clgconv_context *ctx;
        const clgconv_conv2d_desc *desc;
        double *seconds;
        clgconv_algo *pick;
        clgconv_status want;
    } cases[] = {{"ctx", NULL, &d, seconds, &pick, CLGCONV_ERROR_INVALID_ARGUMENT},
                 {"desc", g_ctx, NULL, seconds, &pick, CLGCONV_ERROR_INVALID_ARGUMENT},
                 {"seconds", g_ctx, &d, NULL, &pick, CLGCONV_ERROR_INVALID_ARGUMENT},
                 {"pick", g_ctx, &d, seconds, NULL, CLGCONV_ERROR_INVALID_ARGUMENT},
                 {"in_channels", g_ctx, &bad, seconds, &pick, CLGCONV_ERROR_INVALID_ARGUMENT}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; ++i) {
        for (int a = 0; a < CLGCONV_ALGO_COUNT_; ++a) seconds[a] = 12345.0;
        set_marker();
        clgconv_status st = clgconv_testing_auto_estimates(cases[i].ctx, cases[i].desc,
                                                           cases[i].seconds, cases[i].pick);
        int written = 0;
        for (int a = 0; a < CLGCONV_ALGO_COUNT_; ++a) written += seconds[a] != 12345.0;
        EXPECT(st == cases[i].want && message_names(WORDS(cases[i].name), why, sizeof why) &&
                   written == 0 && pick == CLGCONV_ALGO_TILED,
               "auto_estimates(bad %s) gave %s (%s), %d estimates written", cases[i].name,
               clgconv_status_string(st), why, written);
    }
    /* and a valid descriptor: a pick, the picked algorithm's estimate the smallest */
    CHECK_OK(clgconv_testing_auto_estimates(g_ctx, &d, seconds, &pick));
    for (int a = 1; a < CLGCONV_ALGO_COUNT_; ++a)
        EXPECT(seconds[a] < 0 || seconds[a] >= seconds[pick],
               "auto_estimates: %s estimated %.3g s, below the pick %s (%.3g s)",
               clgconv_algo_name((clgconv_algo)a), seconds[a], clgconv_algo_name(pick),
               seconds[pick]);
    EXPECT(seconds[CLGCONV_ALGO_AUTO] < 0 && seconds[pick] >= 0,
           "auto_estimates: AUTO's entry %.3g, the pick's %.3g", seconds[CLGCONV_ALGO_AUTO],
           seconds[pick]);
}

/* Status strings and algorithm names. */
static void names(void)
{
    static const char *const status_names[] = {
        "CLGCONV_SUCCESS",           "CLGCONV_ERROR_INVALID_ARGUMENT", "CLGCONV_ERROR_UNSUPPORTED",
        "CLGCONV_ERROR_OUT_OF_MEMORY", "CLGCONV_ERROR_BUILD_FAILED",   "CLGCONV_ERROR_OPENCL",
        "CLGCONV_ERROR_NO_DEVICE"};
    const int count = (int)(sizeof status_names / sizeof status_names[0]);
    EXPECT(count == CLGCONV_ERROR_NO_DEVICE + 1, "status list out of date");
    for (int i = 0; i < count; ++i) {
        const char *s = clgconv_status_string((clgconv_status)i);
        if (!EXPECT(s != NULL, "status %d has a NULL string", i)) continue;
        EXPECT(strncmp(s, status_names[i], strlen(status_names[i])) == 0 &&
                   strcmp(s, "unknown status") != 0,
               "status %d string \"%s\" does not start with %s", i, s, status_names[i]);
        for (int j = 0; j < i; ++j)
            EXPECT(strcmp(s, clgconv_status_string((clgconv_status)j)) != 0,
                   "statuses %d and %d share the string \"%s\"", i, j, s);
    }
    const int unknown[] = {count, 99, -1, INT_MAX};
    for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; ++i) {
        const char *s = clgconv_status_string((clgconv_status)unknown[i]);
        EXPECT(s && strcmp(s, "unknown status") == 0, "status %d gives \"%s\"", unknown[i],
               s ? s : "(null)");
    }

    static const char *const algo_names[] = {"auto", "direct", "tiled", "depthwise", "gemm",
                                             "clblast"};
    EXPECT(sizeof algo_names / sizeof algo_names[0] == CLGCONV_ALGO_COUNT_,
           "algo list out of date");
    for (int a = 0; a < CLGCONV_ALGO_COUNT_; ++a) {
        const char *n = clgconv_algo_name((clgconv_algo)a);
        EXPECT(n && strcmp(n, algo_names[a]) == 0, "algo %d is named \"%s\"", a, n ? n : "(null)");
        clgconv_algo back = (clgconv_algo)-5;
        EXPECT(n && clgconv_algo_from_name(n, &back) == CLGCONV_SUCCESS && (int)back == a,
               "algo \"%s\" does not round-trip", n ? n : "(null)");
    }
    const int bad_algos[] = {CLGCONV_ALGO_COUNT_, 99, -1};
    for (size_t i = 0; i < 3; ++i)
        EXPECT(clgconv_algo_name((clgconv_algo)bad_algos[i]) == NULL, "algo %d has a name",
               bad_algos[i]);
    const char *bad_names[] = {"", "Direct", "DIRECT", "direct ", "unknown", "gem"};
    for (size_t i = 0; i < sizeof bad_names / sizeof bad_names[0]; ++i) {
        clgconv_algo a = CLGCONV_ALGO_TILED;
        set_marker();
        EXPECT(clgconv_algo_from_name(bad_names[i], &a) == CLGCONV_ERROR_INVALID_ARGUMENT &&
                   a == CLGCONV_ALGO_TILED && !strstr(clgconv_last_error(), MARKER),
               "algo_from_name(\"%s\") accepted or left no message", bad_names[i]);
    }
}

/* ---------------------------------------------------------------- forward */

#define SENTINEL 4242.5f

typedef struct forward_setup {
    clgconv_plan *plan;
    size_t in_b, w_b, b_b, out_b, ws_b;
    cl_mem input, weights, bias, output, workspace;
} forward_setup;

static cl_mem sentinel_buffer(cl_context c, cl_mem_flags flags, size_t bytes)
{
    float *fill = test_filled(bytes / 4 + 1, SENTINEL);
    cl_mem m = test_buffer(c, flags, bytes, fill);
    free(fill);
    return m;
}

/* True when mem (bytes long) still holds only the sentinel, read through queue. */
static bool untouched(cl_command_queue q, cl_mem mem, size_t bytes)
{
    CHECK(clFinish(q) == CL_SUCCESS);
    float *p = test_read_buffer(q, mem, bytes);
    size_t changed = 0;
    for (size_t i = 0; i < bytes / 4; ++i) changed += p[i] != SENTINEL;
    free(p);
    return changed == 0;
}

/* A second cl_context on the test device (*other) and an in-order queue of it: objects of the
   plan's device that belong to another context. */
static cl_command_queue queue_in_new_context(cl_context *other)
{
    cl_int e;
    *other = clCreateContext(NULL, 1, &g_dev, NULL, NULL, &e);
    CHECK(*other != NULL);
#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
#endif
    cl_command_queue q = clCreateCommandQueue(*other, g_dev, 0, &e);
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif
    CHECK(q != NULL);
    return q;
}

/* The forward call under test: clgconv_conv2d_forward with the weights, or
   clgconv_conv2d_forward_packed with packed weights (the same signature and checks; the weights
   argument is named packed_weights and sized by the packed layout). */
typedef clgconv_status (*forward_call)(const clgconv_plan *, cl_command_queue, cl_mem, cl_mem,
                                       cl_mem, cl_mem, cl_mem, cl_uint, const cl_event *,
                                       cl_event *);
static forward_call g_forward = clgconv_conv2d_forward;
static const char *g_forward_name = "forward", *g_weights_name = "weights";

/* Calls the forward under test with the given arguments and expects INVALID_ARGUMENT naming
   words, *event set to NULL, and check_mem (checked_bytes long; usually the output) unchanged
   after clFinish. */
static void expect_bad_forward(const char *label, const clgconv_plan *plan, cl_command_queue q,
                               cl_mem in, cl_mem w, cl_mem b, cl_mem out, cl_mem ws,
                               cl_uint nwait, const cl_event *wait, const char *const *words,
                               cl_mem check_mem, size_t checked_bytes)
{
    char why[200];
    const char *call = g_forward_name;
    cl_event ev = (cl_event)(uintptr_t)0x1234; /* must come back NULL */
    set_marker();
    clgconv_status st = g_forward(plan, q, in, w, b, out, ws, nwait, wait, &ev);
    EXPECT(st == CLGCONV_ERROR_INVALID_ARGUMENT && message_names(words, why, sizeof why),
           "%s with %s gave %s (%s): \"%s\"", call, label, clgconv_status_string(st), why,
           clgconv_last_error());
    EXPECT(ev == NULL, "%s with %s: *event is %p, not NULL", call, label, (void *)ev);
    if (ev && ev != (cl_event)(uintptr_t)0x1234) clReleaseEvent(ev);
    EXPECT(untouched(g_queue, check_mem, checked_bytes), "%s with %s wrote its output", call,
           label);
    /* The same call without an event pointer fails the same way. */
    set_marker();
    st = g_forward(plan, q, in, w, b, out, ws, nwait, wait, NULL);
    EXPECT(st == CLGCONV_ERROR_INVALID_ARGUMENT, "%s with %s and event NULL gave %s", call, label,
           clgconv_status_string(st));
    EXPECT(untouched(g_queue, check_mem, checked_bytes),
           "%s with %s (event NULL) wrote its output", call, label);
}

/* Packs weights (a buffer holding w) for plan into a new buffer and waits. */
static cl_mem packed_buffer(const clgconv_plan *plan, cl_mem weights)
{
    cl_mem packed =
        test_buffer(g_cl, CL_MEM_READ_WRITE, clgconv_plan_packed_weights_size(plan), NULL);
    CHECK_OK(clgconv_conv2d_pack_weights(plan, g_queue, weights, packed, 0, NULL, NULL));
    CHECK(clFinish(g_queue) == CL_SUCCESS);
    return packed;
}

/* Every argument check of clgconv_conv2d_forward (packed false) or
   clgconv_conv2d_forward_packed (packed true) on a plan of algo for d; then valid calls work. */
static void bad_forward(const clgconv_conv2d_desc *desc, clgconv_algo algo, bool packed)
{
    const clgconv_conv2d_desc d = *desc;
    forward_setup s = {0};
    g_forward = packed ? clgconv_conv2d_forward_packed : clgconv_conv2d_forward;
    g_forward_name = packed ? "forward_packed" : "forward";
    g_weights_name = packed ? "packed_weights" : "weights";
    clgconv_status st = clgconv_conv2d_plan_create(g_ctx, &d, algo, &s.plan);
    char label[240];
    snprintf(label, sizeof label, "%s checks, %s %s", g_forward_name, clgconv_algo_name(algo),
             d.layout == CLGCONV_LAYOUT_NHWC ? "NHWC" : "NCHW");
    if (!test_algo_ran(algo, st, label)) return;
    CHECK_OK(clgconv_conv2d_tensor_bytes(&d, &s.in_b, &s.w_b, &s.b_b, &s.out_b));
    s.ws_b = packed ? clgconv_plan_packed_workspace_size(s.plan)
                    : clgconv_plan_workspace_size(s.plan);
    printf("%s (workspace %zu bytes, packed weights %zu)\n", label, s.ws_b,
           clgconv_plan_packed_weights_size(s.plan));
    test_rng r;
    test_rng_seed(&r, 5);
    float *x = test_random_tensor(&r, s.in_b / 4), *w = test_random_tensor(&r, s.w_b / 4),
          *b = test_random_tensor(&r, s.b_b / 4);
    s.input = test_buffer(g_cl, CL_MEM_READ_ONLY, s.in_b, x);
    s.weights = test_buffer(g_cl, CL_MEM_READ_ONLY, s.w_b, w);
    if (packed) { /* the weights argument is the packed buffer from here on */
        cl_mem raw = s.weights;
        s.weights = packed_buffer(s.plan, raw);
        s.w_b = clgconv_plan_packed_weights_size(s.plan);
        clReleaseMemObject(raw);
    }
    s.bias = test_buffer(g_cl, CL_MEM_READ_ONLY, s.b_b, b);
    s.output = sentinel_buffer(g_cl, CL_MEM_READ_WRITE, s.out_b);
    s.workspace = s.ws_b ? test_buffer(g_cl, CL_MEM_READ_WRITE, s.ws_b, NULL) : NULL;
    const clgconv_plan *P = s.plan;
    cl_command_queue Q = g_queue;
    cl_mem I = s.input, W = s.weights, B = s.bias, O = s.output, S = s.workspace;
    size_t OB = s.out_b;
    const char *wn = g_weights_name;

    expect_bad_forward("plan NULL", NULL, Q, I, W, B, O, S, 0, NULL, WORDS("plan"), O, OB);
    expect_bad_forward("queue NULL", P, NULL, I, W, B, O, S, 0, NULL, WORDS("queue"), O, OB);
    expect_bad_forward("input NULL", P, Q, NULL, W, B, O, S, 0, NULL, WORDS("input"), O, OB);
    expect_bad_forward("weights NULL", P, Q, I, NULL, B, O, S, 0, NULL, WORDS(wn), O, OB);
    expect_bad_forward("output NULL", P, Q, I, W, B, NULL, S, 0, NULL, WORDS("output"), O, OB);
    expect_bad_forward("num_wait_events 2 with a NULL list", P, Q, I, W, B, O, S, 2, NULL,
                       WORDS("num_wait_events (2)"), O, OB);
    cl_int e;
    cl_event user = clCreateUserEvent(g_cl, &e);
    CHECK(user != NULL);
    CHECK(clSetUserEventStatus(user, CL_COMPLETE) == CL_SUCCESS);
    expect_bad_forward("a wait list with count 0", P, Q, I, W, B, O, S, 0, &user,
                       WORDS("wait_events", "num_wait_events"), O, OB);
    cl_event with_null[2] = {user, NULL};
    expect_bad_forward("a NULL entry in the wait list", P, Q, I, W, B, O, S, 2, with_null,
                       WORDS("wait_events[1]"), O, OB);

    /* Buffers one byte short (and one float short). */
    struct {
        const char *name;
        size_t bytes;
        int slot; /* 0 input, 1 weights, 2 bias, 3 output, 4 workspace */
    } shorts[] = {{"input", s.in_b, 0}, {wn, s.w_b, 1}, {"bias", s.b_b, 2},
                  {"output", s.out_b, 3}, {"workspace", s.ws_b, 4}};
    for (size_t i = 0; i < sizeof shorts / sizeof shorts[0]; ++i) {
        if (shorts[i].bytes == 0) continue; /* no workspace needed */
        for (size_t cut = 1; cut <= 4; cut += 3) {
            cl_mem small = sentinel_buffer(g_cl, CL_MEM_READ_WRITE, shorts[i].bytes - cut);
            cl_mem a[5] = {I, W, B, O, S};
            a[shorts[i].slot] = small;
            char what[120];
            snprintf(what, sizeof what, "the %s buffer %zu byte(s) short", shorts[i].name, cut);
            bool out_slot = shorts[i].slot == 3;
            expect_bad_forward(what, P, Q, a[0], a[1], a[2], a[3], a[4], 0, NULL,
                               WORDS(shorts[i].name), out_slot ? small : O,
                               out_slot ? shorts[i].bytes - cut : OB);
            clReleaseMemObject(small);
        }
    }
    if (s.ws_b) {
        expect_bad_forward("workspace NULL", P, Q, I, W, B, O, NULL, 0, NULL,
                           WORDS("workspace"), O, OB);
        expect_bad_forward("output aliasing the workspace", P, Q, I, W, B, S, S, 0, NULL,
                           WORDS("workspace"), O, OB);
        /* The workspace aliasing a read argument: a writable buffer big enough for both roles
           (the plan would write its pre-pass results over what it reads). */
        size_t wbig = s.ws_b;
        if (s.in_b > wbig) wbig = s.in_b;
        if (s.w_b > wbig) wbig = s.w_b;
        if (s.b_b > wbig) wbig = s.b_b;
        cl_mem ws_both = sentinel_buffer(g_cl, CL_MEM_READ_WRITE, wbig);
        expect_bad_forward("the workspace aliasing input", P, Q, ws_both, W, B, O, ws_both, 0,
                           NULL, WORDS("workspace", "input"), ws_both, wbig);
        expect_bad_forward("the workspace aliasing the weights", P, Q, I, ws_both, B, O, ws_both,
                           0, NULL, WORDS("workspace", wn), ws_both, wbig);
        expect_bad_forward("the workspace aliasing bias", P, Q, I, W, ws_both, O, ws_both, 0,
                           NULL, WORDS("workspace", "bias"), ws_both, wbig);
        clReleaseMemObject(ws_both);
    }

    /* Output aliasing another argument: a buffer big enough for both roles, holding the
       sentinel; it must stay untouched. */
    size_t big = s.in_b > s.out_b ? s.in_b : s.out_b;
    if (s.w_b > big) big = s.w_b;
    cl_mem both = sentinel_buffer(g_cl, CL_MEM_READ_WRITE, big);
    expect_bad_forward("output aliasing input", P, Q, both, W, B, both, S, 0, NULL,
                       WORDS("output", "input"), both, big);
    expect_bad_forward("output aliasing weights", P, Q, I, both, B, both, S, 0, NULL,
                       WORDS("output", wn), both, big);
    cl_mem both_b = sentinel_buffer(g_cl, CL_MEM_READ_WRITE, s.out_b > s.b_b ? s.out_b : s.b_b);
    expect_bad_forward("output aliasing bias", P, Q, I, W, both_b, both_b, S, 0, NULL,
                       WORDS("output", "bias"), both_b, s.out_b > s.b_b ? s.out_b : s.b_b);
    clReleaseMemObject(both), clReleaseMemObject(both_b);

    cl_mem ro = sentinel_buffer(g_cl, CL_MEM_READ_ONLY, s.out_b);
    expect_bad_forward("a read-only output buffer", P, Q, I, W, B, ro, S, 0, NULL,
                       WORDS("output", "READ_ONLY"), ro, s.out_b);
    clReleaseMemObject(ro);

    /* Buffers whose flags forbid the kernels' access (OpenCL leaves a kernel reading a
       CL_MEM_WRITE_ONLY buffer undefined): what is read must not be write-only, and the
       workspace, written and read back, must be neither write-only nor read-only. */
    struct {
        const char *name;
        size_t bytes;
        int slot; /* as in shorts */
        cl_mem_flags flags;
        const char *flag_word;
    } flagged[] = {{"input", s.in_b, 0, CL_MEM_WRITE_ONLY, "WRITE_ONLY"},
                   {wn, s.w_b, 1, CL_MEM_WRITE_ONLY, "WRITE_ONLY"},
                   {"bias", s.b_b, 2, CL_MEM_WRITE_ONLY, "WRITE_ONLY"},
                   {"workspace", s.ws_b, 4, CL_MEM_WRITE_ONLY, "WRITE_ONLY"},
                   {"workspace", s.ws_b, 4, CL_MEM_READ_ONLY, "READ_ONLY"}};
    for (size_t i = 0; i < sizeof flagged / sizeof flagged[0]; ++i) {
        if (flagged[i].bytes == 0) continue; /* no workspace needed */
        cl_mem m = sentinel_buffer(g_cl, flagged[i].flags, flagged[i].bytes);
        cl_mem a[5] = {I, W, B, O, S};
        a[flagged[i].slot] = m;
        char what[120];
        snprintf(what, sizeof what, "a %s %s buffer", flagged[i].flag_word, flagged[i].name);
        expect_bad_forward(what, P, Q, a[0], a[1], a[2], a[3], a[4], 0, NULL,
                           WORDS(flagged[i].name, flagged[i].flag_word), O, OB);
        clReleaseMemObject(m);
    }
    /* A write-only output is what it should be: accepted, and given the values a read-write
       one gets (not O, whose sentinel the checks below expect untouched). */
    {
        cl_mem wo = sentinel_buffer(g_cl, CL_MEM_WRITE_ONLY, s.out_b);
        cl_mem rw = sentinel_buffer(g_cl, CL_MEM_READ_WRITE, s.out_b);
        EXPECT(g_forward(P, Q, I, W, B, rw, S, 0, NULL, NULL) == CLGCONV_SUCCESS, "%s",
               g_forward_name);
        EXPECT(g_forward(P, Q, I, W, B, wo, S, 0, NULL, NULL) == CLGCONV_SUCCESS,
               "%s into a CL_MEM_WRITE_ONLY output", g_forward_name);
        float *want = test_read_buffer(Q, rw, s.out_b), *got = test_read_buffer(Q, wo, s.out_b);
        EXPECT(memcmp(want, got, s.out_b) == 0, "%s: a CL_MEM_WRITE_ONLY output differs",
               g_forward_name);
        free(want), free(got);
        clReleaseMemObject(wo), clReleaseMemObject(rw);
    }

    /* A second cl_context on the same device: its queue and its buffers are foreign. */
    cl_context other;
    cl_command_queue other_q = queue_in_new_context(&other);
    expect_bad_forward("a queue of another cl_context", P, other_q, I, W, B, O, S, 0, NULL,
                       WORDS("queue", "context"), O, OB);
    cl_mem foreign_in = test_buffer(other, CL_MEM_READ_ONLY, s.in_b, x);
    cl_mem foreign_out = sentinel_buffer(other, CL_MEM_READ_WRITE, s.out_b);
    expect_bad_forward("an input buffer of another cl_context", P, Q, foreign_in, W, B, O, S, 0,
                       NULL, WORDS("input", "context"), O, OB);
    cl_mem foreign_b = test_buffer(other, CL_MEM_READ_ONLY, s.b_b, b);
    expect_bad_forward("a bias buffer of another cl_context", P, Q, I, W, foreign_b, O, S, 0,
                       NULL, WORDS("bias", "context"), O, OB);
    {
        cl_event ev = (cl_event)(uintptr_t)0x1234;
        set_marker();
        st = g_forward(P, Q, I, W, B, foreign_out, S, 0, NULL, &ev);
        char why[200];
        EXPECT(st == CLGCONV_ERROR_INVALID_ARGUMENT &&
                   message_names(WORDS("output", "context"), why, sizeof why) && ev == NULL,
               "%s with an output buffer of another cl_context gave %s (%s)", g_forward_name,
               clgconv_status_string(st), why);
        EXPECT(untouched(other_q, foreign_out, s.out_b), "foreign output buffer was written");
    }
    /* A wait-list event of another context is refused up front, naming the event. */
    {
        cl_int ev_err;
        cl_event foreign_ev = clCreateUserEvent(other, &ev_err);
        CHECK(foreign_ev != NULL);
        expect_bad_forward("a wait event of another cl_context", P, Q, I, W, B, O, S, 1,
                           &foreign_ev, WORDS("wait_events[0]", "context"), O, OB);
        clSetUserEventStatus(foreign_ev, CL_COMPLETE);
        clReleaseEvent(foreign_ev);
    }
    clReleaseMemObject(foreign_in), clReleaseMemObject(foreign_out), clReleaseMemObject(foreign_b);
    clReleaseCommandQueue(other_q);
    clReleaseContext(other);

    /* After all that, a correct call works and writes the right result. */
    cl_event ev = NULL;
    st = g_forward(P, Q, I, W, B, O, S, 0, NULL, &ev);
    EXPECT(st == CLGCONV_SUCCESS && ev != NULL, "valid forward after the bad ones gave %s",
           clgconv_status_string(st));
    if (ev) {
        CHECK(clWaitForEvents(1, &ev) == CL_SUCCESS);
        clReleaseEvent(ev);
    }
    float *y = test_read_buffer(Q, O, s.out_b);
    EXPECT(test_compare_with_reference(&d, x, w, b, y, label, NULL),
           "%s: valid forward is wrong", label);
    free(y);
    /* The buffer of the right size works with bias NULL too, and a wait list of one completed
       user event. */
    st = g_forward(P, Q, I, W, NULL, O, S, 1, &user, NULL);
    EXPECT(st == CLGCONV_SUCCESS, "valid forward without bias gave %s", clgconv_status_string(st));
    CHECK(clFinish(Q) == CL_SUCCESS);
    y = test_read_buffer(Q, O, s.out_b);
    EXPECT(test_compare_with_reference(&d, x, w, NULL, y, label, NULL),
           "%s: valid forward without bias is wrong", label);
    free(y);

    clReleaseEvent(user);
    clReleaseMemObject(I), clReleaseMemObject(W), clReleaseMemObject(B), clReleaseMemObject(O);
    if (S) clReleaseMemObject(S);
    clgconv_plan_release(s.plan);
    free(x), free(w), free(b);
}

/* Calls clgconv_conv2d_pack_weights and expects INVALID_ARGUMENT naming words, *event NULL, and
   check_mem (checked_bytes long; usually the packed buffer) unchanged, with and without an event
   pointer. */
static void expect_bad_pack(const char *label, const clgconv_plan *plan, cl_command_queue q,
                            cl_mem w, cl_mem packed, cl_uint nwait, const cl_event *wait,
                            const char *const *words, cl_mem check_mem, size_t checked_bytes)
{
    char why[200];
    for (int with_event = 1; with_event >= 0; --with_event) {
        cl_event ev = (cl_event)(uintptr_t)0x1234; /* must come back NULL */
        set_marker();
        clgconv_status st =
            clgconv_conv2d_pack_weights(plan, q, w, packed, nwait, wait, with_event ? &ev : NULL);
        EXPECT(st == CLGCONV_ERROR_INVALID_ARGUMENT && message_names(words, why, sizeof why),
               "pack_weights with %s%s gave %s (%s): \"%s\"", label,
               with_event ? "" : " (event NULL)", clgconv_status_string(st), why,
               clgconv_last_error());
        if (with_event) {
            EXPECT(ev == NULL, "pack_weights with %s: *event is %p, not NULL", label, (void *)ev);
            if (ev && ev != (cl_event)(uintptr_t)0x1234) clReleaseEvent(ev);
        }
        EXPECT(untouched(g_queue, check_mem, checked_bytes), "pack_weights with %s wrote %s",
               label, with_event ? "its output" : "its output (event NULL)");
    }
}

/* Every argument check of clgconv_conv2d_pack_weights on a plan of algo for d. */
static void bad_pack(const clgconv_conv2d_desc *d, clgconv_algo algo)
{
    clgconv_plan *plan = NULL;
    clgconv_status st = clgconv_conv2d_plan_create(g_ctx, d, algo, &plan);
    char label[200];
    snprintf(label, sizeof label, "pack_weights checks, %s %s", clgconv_algo_name(algo),
             d->layout == CLGCONV_LAYOUT_NHWC ? "NHWC" : "NCHW");
    if (!test_algo_ran(algo, st, label)) return;
    size_t in_b, w_b, b_b, out_b;
    CHECK_OK(clgconv_conv2d_tensor_bytes(d, &in_b, &w_b, &b_b, &out_b));
    const size_t pw_b = clgconv_plan_packed_weights_size(plan);
    EXPECT(pw_b >= w_b, "%s: packed size %zu below the weights' %zu", label, pw_b, w_b);
    test_rng r;
    test_rng_seed(&r, 6);
    float *w = test_random_tensor(&r, w_b / 4);
    cl_mem W = test_buffer(g_cl, CL_MEM_READ_ONLY, w_b, w);
    cl_mem PW = sentinel_buffer(g_cl, CL_MEM_READ_WRITE, pw_b);
    cl_command_queue Q = g_queue;

    expect_bad_pack("plan NULL", NULL, Q, W, PW, 0, NULL, WORDS("plan"), PW, pw_b);
    expect_bad_pack("queue NULL", plan, NULL, W, PW, 0, NULL, WORDS("queue"), PW, pw_b);
    expect_bad_pack("weights NULL", plan, Q, NULL, PW, 0, NULL, WORDS("weights"), PW, pw_b);
    expect_bad_pack("packed_weights NULL", plan, Q, W, NULL, 0, NULL, WORDS("packed_weights"),
                    PW, pw_b);
    expect_bad_pack("num_wait_events 2 with a NULL list", plan, Q, W, PW, 2, NULL,
                    WORDS("num_wait_events (2)"), PW, pw_b);
    cl_int e;
    cl_event user = clCreateUserEvent(g_cl, &e);
    CHECK(user != NULL);
    CHECK(clSetUserEventStatus(user, CL_COMPLETE) == CL_SUCCESS);
    expect_bad_pack("a wait list with count 0", plan, Q, W, PW, 0, &user,
                    WORDS("wait_events", "num_wait_events"), PW, pw_b);
    cl_event with_null[2] = {user, NULL};
    expect_bad_pack("a NULL entry in the wait list", plan, Q, W, PW, 2, with_null,
                    WORDS("wait_events[1]"), PW, pw_b);
    for (size_t cut = 1; cut <= 4; cut += 3) {
        char what[120];
        cl_mem small_w = sentinel_buffer(g_cl, CL_MEM_READ_WRITE, w_b - cut);
        snprintf(what, sizeof what, "the weights buffer %zu byte(s) short", cut);
        expect_bad_pack(what, plan, Q, small_w, PW, 0, NULL, WORDS("weights"), PW, pw_b);
        cl_mem small_p = sentinel_buffer(g_cl, CL_MEM_READ_WRITE, pw_b - cut);
        snprintf(what, sizeof what, "the packed_weights buffer %zu byte(s) short", cut);
        expect_bad_pack(what, plan, Q, W, small_p, 0, NULL, WORDS("packed_weights"), small_p,
                        pw_b - cut);
        clReleaseMemObject(small_w), clReleaseMemObject(small_p);
    }
    cl_mem both = sentinel_buffer(g_cl, CL_MEM_READ_WRITE, pw_b);
    expect_bad_pack("packed_weights aliasing weights", plan, Q, both, both, 0, NULL,
                    WORDS("packed_weights", "weights"), both, pw_b);
    clReleaseMemObject(both);
    cl_mem ro = sentinel_buffer(g_cl, CL_MEM_READ_ONLY, pw_b);
    expect_bad_pack("a read-only packed_weights buffer", plan, Q, W, ro, 0, NULL,
                    WORDS("packed_weights", "READ_ONLY"), ro, pw_b);
    clReleaseMemObject(ro);
    cl_mem wo = sentinel_buffer(g_cl, CL_MEM_WRITE_ONLY, w_b);
    expect_bad_pack("a write-only weights buffer", plan, Q, wo, PW, 0, NULL,
                    WORDS("weights", "WRITE_ONLY"), PW, pw_b);
    clReleaseMemObject(wo);

    cl_context other;
    cl_command_queue other_q = queue_in_new_context(&other);
    expect_bad_pack("a queue of another cl_context", plan, other_q, W, PW, 0, NULL,
                    WORDS("queue", "context"), PW, pw_b);
    cl_mem foreign_w = test_buffer(other, CL_MEM_READ_ONLY, w_b, w);
    expect_bad_pack("a weights buffer of another cl_context", plan, Q, foreign_w, PW, 0, NULL,
                    WORDS("weights", "context"), PW, pw_b);
    cl_mem foreign_p = sentinel_buffer(other, CL_MEM_READ_WRITE, pw_b);
    set_marker();
    st = clgconv_conv2d_pack_weights(plan, Q, W, foreign_p, 0, NULL, NULL);
    char why[200];
    EXPECT(st == CLGCONV_ERROR_INVALID_ARGUMENT &&
               message_names(WORDS("packed_weights", "context"), why, sizeof why),
           "pack_weights into a buffer of another cl_context gave %s (%s)",
           clgconv_status_string(st), why);
    EXPECT(untouched(other_q, foreign_p, pw_b), "a foreign packed_weights buffer was written");
    cl_event foreign_ev = clCreateUserEvent(other, &e);
    CHECK(foreign_ev != NULL);
    expect_bad_pack("a wait event of another cl_context", plan, Q, W, PW, 1, &foreign_ev,
                    WORDS("wait_events[0]", "context"), PW, pw_b);
    clSetUserEventStatus(foreign_ev, CL_COMPLETE);
    clReleaseEvent(foreign_ev);
    clReleaseMemObject(foreign_w), clReleaseMemObject(foreign_p);
    clReleaseCommandQueue(other_q);
    clReleaseContext(other);

    /* Then a valid call (after a completed user event) packs: every packed byte written. */
    cl_event ev = NULL;
    st = clgconv_conv2d_pack_weights(plan, Q, W, PW, 1, &user, &ev);
    EXPECT(st == CLGCONV_SUCCESS && ev != NULL, "%s: a valid pack gave %s", label,
           clgconv_status_string(st));
    if (ev) {
        CHECK(clWaitForEvents(1, &ev) == CL_SUCCESS);
        clReleaseEvent(ev);
    }
    float *p = test_read_buffer(Q, PW, pw_b);
    size_t left = 0;
    for (size_t i = 0; i < pw_b / 4; ++i) left += p[i] == SENTINEL;
    EXPECT(left == 0, "%s: a valid pack left %zu of %zu packed floats unwritten", label, left,
           pw_b / 4);
    free(p);
    clReleaseEvent(user);
    clReleaseMemObject(W), clReleaseMemObject(PW);
    clgconv_plan_release(plan);
    free(w);
}

/* Sub-buffers of one buffer: forward refuses an output that overlaps its input, and
   pack_weights packed weights that overlap the weights, naming both (nothing written); with the
   ranges apart, the same parent works. Sub-buffer origins are multiples of the device's
   CL_DEVICE_MEM_BASE_ADDR_ALIGN. */
static void overlapping_sub_buffers(const clgconv_conv2d_desc *d, clgconv_algo algo)
{
    clgconv_plan *plan = NULL;
    char label[160];
    snprintf(label, sizeof label, "overlapping sub-buffers, %s %s", clgconv_algo_name(algo),
             d->layout == CLGCONV_LAYOUT_NHWC ? "NHWC" : "NCHW");
    if (!test_algo_ran(algo, clgconv_conv2d_plan_create(g_ctx, d, algo, &plan), label)) return;
    cl_uint align_bits = 0;
    CHECK(clGetDeviceInfo(g_dev, CL_DEVICE_MEM_BASE_ADDR_ALIGN, sizeof align_bits, &align_bits,
                          NULL) == CL_SUCCESS);
    const size_t align = align_bits / 8 ? align_bits / 8 : 4;
    size_t in_b, w_b, b_b, out_b;
    CHECK_OK(clgconv_conv2d_tensor_bytes(d, &in_b, &w_b, &b_b, &out_b));
    const size_t pw_b = clgconv_plan_packed_weights_size(plan);
    const size_t ws_b = clgconv_plan_workspace_size(plan);
    const size_t round_in = (in_b + align - 1) / align * align;
    const size_t round_w = (w_b + align - 1) / align * align;
    const size_t span = round_in + round_w + out_b + pw_b + 4 * align;
    test_rng r;
    test_rng_seed(&r, 7);
    float *x = test_random_tensor(&r, in_b / 4), *w = test_random_tensor(&r, w_b / 4);
    float *fill = test_filled(span / 4 + 1, SENTINEL);
    memcpy(fill, x, in_b);
    memcpy((char *)fill + round_in, w, w_b);
    cl_mem parent = test_buffer(g_cl, CL_MEM_READ_WRITE, span, fill);
    cl_mem ws = ws_b ? test_buffer(g_cl, CL_MEM_READ_WRITE, ws_b, NULL) : NULL;
    cl_mem weights = test_buffer(g_cl, CL_MEM_READ_ONLY, w_b, w);
    cl_int e;
    cl_buffer_region in_region = {0, in_b}, out_region = {align, out_b};
    cl_mem sub_in = clCreateSubBuffer(parent, 0, CL_BUFFER_CREATE_TYPE_REGION, &in_region, &e);
    cl_mem sub_out = clCreateSubBuffer(parent, 0, CL_BUFFER_CREATE_TYPE_REGION, &out_region, &e);
    CHECK(sub_in && sub_out);
    g_forward = clgconv_conv2d_forward, g_forward_name = "forward", g_weights_name = "weights";
    cl_mem nothing = sentinel_buffer(g_cl, CL_MEM_READ_WRITE, 4); /* the parent is compared */
    if (align < in_b) { /* the output starts inside the input */
        float *before = test_read_buffer(g_queue, parent, span);
        expect_bad_forward("an output sub-buffer overlapping the input sub-buffer", plan, g_queue,
                           sub_in, weights, NULL, sub_out, ws, 0, NULL,
                           WORDS("output", "input", "overlap"), nothing, 4);
        float *after = test_read_buffer(g_queue, parent, span);
        EXPECT(memcmp(before, after, span) == 0, "%s: a refused forward wrote the parent buffer",
               label);
        free(before), free(after);
    }
    /* The weights and packed weights overlapping: packing is refused, nothing written. */
    cl_buffer_region w_region = {round_in, w_b}, p_region = {round_in + align, pw_b};
    cl_mem sub_w = clCreateSubBuffer(parent, 0, CL_BUFFER_CREATE_TYPE_REGION, &w_region, &e);
    cl_mem sub_p = clCreateSubBuffer(parent, 0, CL_BUFFER_CREATE_TYPE_REGION, &p_region, &e);
    CHECK(sub_w && sub_p);
    if (align < w_b) {
        float *before = test_read_buffer(g_queue, parent, span);
        expect_bad_pack("packed_weights overlapping the weights (sub-buffers)", plan, g_queue,
                        sub_w, sub_p, 0, NULL, WORDS("packed_weights", "weights", "overlap"),
                        nothing, 4);
        float *after = test_read_buffer(g_queue, parent, span);
        EXPECT(memcmp(before, after, span) == 0, "%s: a refused pack wrote the parent buffer",
               label);
        free(before), free(after);
    }
    /* Apart: input at 0, output after the input and the weights: a valid call, right result. */
    cl_buffer_region apart = {round_in + round_w + 2 * align, out_b};
    cl_mem sub_out2 = clCreateSubBuffer(parent, 0, CL_BUFFER_CREATE_TYPE_REGION, &apart, &e);
    CHECK(sub_out2);
    clgconv_status st = clgconv_conv2d_forward(plan, g_queue, sub_in, weights, NULL, sub_out2, ws,
                                               0, NULL, NULL);
    EXPECT(st == CLGCONV_SUCCESS, "%s: sub-buffers apart gave %s (%s)", label,
           clgconv_status_string(st), clgconv_last_error());
    if (st == CLGCONV_SUCCESS) {
        float *y = test_read_buffer(g_queue, sub_out2, out_b);
        EXPECT(test_compare_with_reference(d, x, w, NULL, y, label, NULL),
               "%s: the result through sub-buffers is wrong", label);
        free(y);
    }
    clReleaseMemObject(sub_in), clReleaseMemObject(sub_out), clReleaseMemObject(sub_out2);
    clReleaseMemObject(sub_w), clReleaseMemObject(sub_p), clReleaseMemObject(parent);
    clReleaseMemObject(weights), clReleaseMemObject(nothing);
    if (ws) clReleaseMemObject(ws);
    free(x), free(w), free(fill);
    clgconv_plan_release(plan);
}

/* CLGCONV_CPU_REGISTERS: 16 and 32 override the register file CPU tiles are sized for; any
   other value is ignored (the device's own: 32 where its native float vector has 16 lanes,
   else 16); the test hook wins over both. Contexts on the same cl_context, one per value. */
static void cpu_registers_override(void)
{
    cl_device_type type = 0;
    cl_uint width = 0;
    CHECK(clGetDeviceInfo(g_dev, CL_DEVICE_TYPE, sizeof type, &type, NULL) == CL_SUCCESS);
    CHECK(clGetDeviceInfo(g_dev, CL_DEVICE_NATIVE_VECTOR_WIDTH_FLOAT, sizeof width, &width,
                          NULL) == CL_SUCCESS);
    const int own = (type & CL_DEVICE_TYPE_CPU) ? (width >= 16 ? 32 : 16) : 0;
    static const struct {
        const char *value; /* NULL: unset */
        int hook;          /* clgconv_testing_cpu_registers before the context */
        int cpu;           /* expected on a CPU device; 0: the device's own */
    } cases[] = {{NULL, 0, 0},   {"16", 0, 16}, {"32", 0, 32},  {"", 0, 0},     {"7", 0, 0},
                 {"64", 0, 0},   {"-16", 0, 0}, {"16x", 0, 0},  {" 32", 0, 0},  {"sixteen", 0, 0},
                 {"32", 16, 16}, {"16", 32, 32}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; ++i) {
        if (cases[i].value)
            setenv("CLGCONV_CPU_REGISTERS", cases[i].value, 1);
        else
            unsetenv("CLGCONV_CPU_REGISTERS");
        clgconv_testing_cpu_registers(cases[i].hook);
        clgconv_context *ctx = NULL;
        const clgconv_status st = clgconv_context_create(g_cl, g_dev, &ctx);
        clgconv_testing_cpu_registers(0);
        unsetenv("CLGCONV_CPU_REGISTERS");
        if (!EXPECT(st == CLGCONV_SUCCESS, "CLGCONV_CPU_REGISTERS=\"%s\": context: %s",
                    cases[i].value ? cases[i].value : "(unset)", clgconv_status_string(st)))
            continue;
        const int want = own && cases[i].cpu ? cases[i].cpu : own;
        const int got = clgconv_testing_context_cpu_registers(ctx);
        EXPECT(got == want, "CLGCONV_CPU_REGISTERS=\"%s\" (hook %d): %d registers, expected %d",
               cases[i].value ? cases[i].value : "(unset)", cases[i].hook, got, want);
        clgconv_context_release(ctx);
    }
}

int main(void)
{
    names();
    g_ctx = test_open_context(&g_queue);
    CHECK_OK(clgconv_context_get_cl(g_ctx, &g_cl, &g_dev));
    bad_descriptors();
    good_descriptors();
    depthwise_domain();
    null_arguments();
    auto_estimates_bad_input();
    cpu_registers_override();
    const clgconv_conv2d_desc nchw = valid_desc();
    clgconv_conv2d_desc nhwc = valid_desc();
    nhwc.layout = CLGCONV_LAYOUT_NHWC; /* TILED (NHWC kernel) and GEMM pack for real */
    nhwc.in_channels = nhwc.out_channels = 16, nhwc.groups = 2;
    for (int a = CLGCONV_ALGO_DIRECT; a < CLGCONV_ALGO_COUNT_; ++a) {
        bad_forward(&nchw, (clgconv_algo)a, false);
        bad_forward(&nchw, (clgconv_algo)a, true);
        bad_forward(&nhwc, (clgconv_algo)a, true);
        bad_pack(&nhwc, (clgconv_algo)a);
    }
    bad_pack(&nchw, CLGCONV_ALGO_DIRECT); /* a plan whose packing is a copy */
    overlapping_sub_buffers(&nchw, CLGCONV_ALGO_DIRECT);
    overlapping_sub_buffers(&nhwc, CLGCONV_ALGO_TILED);
    /* The new size queries on a NULL plan. */
    EXPECT(clgconv_plan_packed_weights_size(NULL) == 0 &&
               clgconv_plan_packed_workspace_size(NULL) == 0 &&
               clgconv_plan_packs_weights(NULL) == 0,
           "the packed-weights queries of a NULL plan are not 0");
    clReleaseCommandQueue(g_queue);
    clgconv_context_release(g_ctx);
    return test_summary("test_bad_input");
}
