/* layers.c: clgconv-bench's layer suite (real network layers), the --layer parser, groups sweeps and dense twins. */
#include "bench.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

bool bench_layers_add(bench_layer_list *list, const bench_layer *layer)
{
    if (list->count == list->cap) {
        int cap = list->cap ? list->cap * 2 : 16;
        bench_layer *items = realloc(list->items, (size_t)cap * sizeof *items);
        if (!items) return false;
        list->items = items, list->cap = cap;
    }
    list->items[list->count++] = *layer;
    return true;
}

void bench_layers_free(bench_layer_list *list)
{
    free(list->items);
    list->items = NULL;
    list->count = list->cap = 0;
}

static bench_layer make_layer(const char *name, const char *family, int n, int c, int h, int w,
                              int k, int g, int kh, int kw, int stride, int pad, int dilation)
{
    bench_layer l;
    memset(&l, 0, sizeof l);
    snprintf(l.name, sizeof l.name, "%s", name);
    snprintf(l.family, sizeof l.family, "%s", family);
    l.n = n, l.c = c, l.h = h, l.w = w, l.k = k, l.g = g;
    l.kh = kh, l.kw = kw, l.stride = stride, l.pad = pad, l.dilation = dilation;
    return l;
}

/* Appends count layers to list; false when out of memory. */
static bool add_layers(bench_layer_list *list, const bench_layer *layers, size_t count)
{
    for (size_t i = 0; i < count; ++i)
        if (!bench_layers_add(list, &layers[i])) return false;
    return true;
}

/* The suite, batch 1 (--batch overrides). Sources: AlexNet (Krizhevsky et al. 2012) conv2 split
   over two GPUs; ResNeXt-50 32x4d (Xie et al. 2017), the 3x3 grouped conv of each stage at its
   stride-1 blocks; MobileNetV2 (Sandler et al. 2018) 3x3 depthwise convs at five resolutions
   (one with stride 2); ShuffleNet v1 g=3 (Zhang et al. 2018) 1x1 group convs of stages 2-4. */
bool bench_layers_default_suite(bench_layer_list *list, bool quick)
{
    bench_layer full[] = {
        make_layer("alexnet-conv2", "alexnet", 1, 96, 27, 27, 256, 2, 5, 5, 1, 2, 1),
        make_layer("resnext50-conv2", "resnext50", 1, 128, 56, 56, 128, 32, 3, 3, 1, 1, 1),
        make_layer("resnext50-conv3", "resnext50", 1, 256, 28, 28, 256, 32, 3, 3, 1, 1, 1),
        make_layer("resnext50-conv4", "resnext50", 1, 512, 14, 14, 512, 32, 3, 3, 1, 1, 1),
        make_layer("resnext50-conv5", "resnext50", 1, 1024, 7, 7, 1024, 32, 3, 3, 1, 1, 1),
        make_layer("mobilenetv2-dw32", "mobilenetv2", 1, 32, 112, 112, 32, 32, 3, 3, 1, 1, 1),
        make_layer("mobilenetv2-dw96s2", "mobilenetv2", 1, 96, 112, 112, 96, 96, 3, 3, 2, 1, 1),
        make_layer("mobilenetv2-dw192", "mobilenetv2", 1, 192, 28, 28, 192, 192, 3, 3, 1, 1, 1),
        make_layer("mobilenetv2-dw384", "mobilenetv2", 1, 384, 14, 14, 384, 384, 3, 3, 1, 1, 1),
        make_layer("mobilenetv2-dw960", "mobilenetv2", 1, 960, 7, 7, 960, 960, 3, 3, 1, 1, 1),
        make_layer("shufflenet-s2-1x1a", "shufflenet", 1, 240, 28, 28, 60, 3, 1, 1, 1, 0, 1),
        make_layer("shufflenet-s2-1x1b", "shufflenet", 1, 60, 28, 28, 240, 3, 1, 1, 1, 0, 1),
        make_layer("shufflenet-s3-1x1a", "shufflenet", 1, 480, 14, 14, 120, 3, 1, 1, 1, 0, 1),
        make_layer("shufflenet-s4-1x1b", "shufflenet", 1, 240, 7, 7, 960, 3, 1, 1, 1, 0, 1),
    };
    /* Small shapes of the same kinds, for a CI smoke run that takes seconds. */
    bench_layer small[] = {
        make_layer("quick-grouped", "custom", 1, 32, 14, 14, 32, 8, 3, 3, 1, 1, 1),
        make_layer("quick-depthwise", "custom", 1, 32, 16, 16, 32, 32, 3, 3, 2, 1, 1),
        make_layer("quick-1x1-g3", "custom", 1, 24, 8, 8, 48, 3, 1, 1, 1, 0, 1),
    };
    return quick ? add_layers(list, small, sizeof small / sizeof small[0])
                 : add_layers(list, full, sizeof full / sizeof full[0]);
}

/* Layers off the common path, batch 1: the shapes other libraries run many times slower than
   their FLOPs promise (a depthwise channel multiplier, a 9x9 window, a large dilation, a stride-2
   grouped layer, 1x7 / 7x1 windows, a 2x2 stride-2 patch layer). Sources: MobileNet-style
   depthwise with multiplier 2 and 3; MixNet (Tan & Le 2019) 9x9 depthwise; DeepLabv3 (Chen et
   al. 2017) atrous depthwise, rate 12 on 33x33; ResNeXt-50 conv3's first (stride-2) block;
   Inception-v3 (Szegedy et al. 2016) 17x17 factorised 1x7 and 7x1; ConvNeXt (Liu et al. 2022)
   2x2 stride-2 downsampling. */
bool bench_layers_unusual(bench_layer_list *list)
{
    bench_layer layers[] = {
        make_layer("dw-multiplier2", "unusual", 1, 32, 56, 56, 64, 32, 3, 3, 1, 1, 1),
        make_layer("dw-multiplier3", "unusual", 1, 32, 56, 56, 96, 32, 3, 3, 1, 1, 1),
        make_layer("mixnet-dw9x9", "unusual", 1, 64, 28, 28, 64, 64, 9, 9, 1, 4, 1),
        make_layer("deeplab-dw-dilation12", "unusual", 1, 256, 33, 33, 256, 256, 3, 3, 1, 12, 12),
        make_layer("resnext50-conv3-s2", "unusual", 1, 256, 56, 56, 256, 32, 3, 3, 2, 1, 1),
        make_layer("inception-1x7", "unusual", 1, 128, 17, 17, 128, 1, 1, 7, 1, 0, 1),
        make_layer("inception-7x1", "unusual", 1, 128, 17, 17, 128, 1, 7, 1, 1, 0, 1),
        make_layer("convnext-down2x2", "unusual", 1, 96, 56, 56, 192, 1, 2, 2, 2, 0, 1),
    };
    return add_layers(list, layers, sizeof layers / sizeof layers[0]);
}

/* Parses a non-negative decimal int at *p, advancing past it. */
static bool parse_int(const char **p, int *out)
{
    char *end;
    errno = 0;
    long v = strtol(*p, &end, 10);
    if (end == *p || errno || v < 0 || v > 1000000000) return false;
    *out = (int)v;
    *p = end;
    return true;
}

bool bench_layer_parse(const char *text, bench_layer *out, char *err, size_t err_size)
{
    static const char *const field_names[] = {"N", "C", "H", "W", "K", "g", "kh", "kw",
                                              "stride", "pad", "dilation"};
    memset(out, 0, sizeof *out);
    snprintf(out->family, sizeof out->family, "custom");
    const char *p = text;
    const char *colon = strchr(text, ':');
    if (colon) {
        size_t len = (size_t)(colon - text);
        if (len == 0 || len >= sizeof out->name) {
            snprintf(err, err_size, "layer name in \"%s\" must be 1-%zu characters", text,
                     sizeof out->name - 1);
            return false;
        }
        memcpy(out->name, text, len);
        out->name[len] = 0;
        p = colon + 1;
    }
    int v[11] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1};
    int got = 0;
    while (got < 11) {
        while (*p == ' ') ++p;
        if (!parse_int(&p, &v[got])) {
            snprintf(err, err_size,
                     "--layer \"%s\": field %d (%s) is not a non-negative integer; expected "
                     "[name:]N,C,H,W,K,g,kh,kw[,stride[,pad[,dilation]]]",
                     text, got + 1, field_names[got]);
            return false;
        }
        ++got;
        while (*p == ' ') ++p;
        if (*p == 0) break;
        if (*p != ',' || got == 11) {
            snprintf(err, err_size, "--layer \"%s\": unexpected \"%s\" after field %s", text, p,
                     field_names[got - 1]);
            return false;
        }
        ++p;
    }
    if (got < 8) {
        snprintf(err, err_size,
                 "--layer \"%s\": %d fields given, at least 8 needed (N,C,H,W,K,g,kh,kw)", text, got);
        return false;
    }
    out->n = v[0], out->c = v[1], out->h = v[2], out->w = v[3], out->k = v[4], out->g = v[5];
    out->kh = v[6], out->kw = v[7], out->stride = v[8], out->pad = v[9], out->dilation = v[10];
    clgconv_conv2d_desc d;
    bench_layer_to_desc(out, CLGCONV_LAYOUT_NCHW, &d);
    if (clgconv_conv2d_output_size(&d, NULL, NULL) != CLGCONV_SUCCESS) {
        snprintf(err, err_size, "--layer \"%s\": %s", text, clgconv_last_error());
        return false;
    }
    if (!out->name[0])
        snprintf(out->name, sizeof out->name, "C%d-%dx%d-K%d-k%dx%d", out->c, out->h, out->w,
                 out->k, out->kh, out->kw);
    return true;
}

bool bench_layers_sweep(bench_layer_list *list, const bench_layer *base)
{
    int last = 0;
    for (int g = 1; g <= base->c; g *= 2) {
        if (base->c % g != 0 || base->k % g != 0) break;
        bench_layer l = *base;
        l.g = g;
        snprintf(l.family, sizeof l.family, "sweep");
        snprintf(l.name, sizeof l.name, "sweep-g%d", g);
        if (!bench_layers_add(list, &l)) return false;
        last = g;
        if (g > base->c / 2) break;
    }
    if (last != base->c && base->k % base->c == 0) {
        bench_layer l = *base;
        l.g = base->c;
        snprintf(l.family, sizeof l.family, "sweep");
        snprintf(l.name, sizeof l.name, "sweep-g%d", l.g);
        if (!bench_layers_add(list, &l)) return false;
    }
    return true;
}

bool bench_layer_same_shape(const bench_layer *a, const bench_layer *b)
{
    return a->n == b->n && a->c == b->c && a->h == b->h && a->w == b->w && a->k == b->k &&
           a->kh == b->kh && a->kw == b->kw && a->stride == b->stride && a->pad == b->pad &&
           a->dilation == b->dilation;
}

bool bench_layers_add_dense_counterparts(bench_layer_list *list)
{
    bench_layer_list out = {0};
    for (int i = 0; i < list->count; ++i) {
        const bench_layer *l = &list->items[i];
        if (l->g > 1) {
            bool have = false;
            for (int j = 0; j < list->count && !have; ++j)
                have = list->items[j].g == 1 && bench_layer_same_shape(&list->items[j], l);
            for (int j = 0; j < out.count && !have; ++j)
                have = out.items[j].g == 1 && bench_layer_same_shape(&out.items[j], l);
            if (!have) {
                bench_layer dense = *l;
                dense.g = 1;
                /* Names are short; a long one is cut to leave room for the suffix. */
                snprintf(dense.name, sizeof dense.name, "%.*s-dense",
                         (int)(sizeof dense.name - 7), l->name);
                if (!bench_layers_add(&out, &dense)) {
                    bench_layers_free(&out);
                    return false;
                }
            }
        }
        if (!bench_layers_add(&out, l)) {
            bench_layers_free(&out);
            return false;
        }
    }
    bench_layers_free(list);
    *list = out;
    return true;
}

void bench_layer_to_desc(const bench_layer *l, clgconv_layout layout, clgconv_conv2d_desc *d)
{
    clgconv_conv2d_desc_init(d);
    d->batch = l->n;
    d->in_channels = l->c;
    d->in_height = l->h;
    d->in_width = l->w;
    d->out_channels = l->k;
    d->groups = l->g;
    d->kernel_h = l->kh;
    d->kernel_w = l->kw;
    d->stride_h = d->stride_w = l->stride;
    d->pad_top = d->pad_left = d->pad_bottom = d->pad_right = l->pad;
    d->dilation_h = d->dilation_w = l->dilation;
    d->layout = layout;
}

const char *bench_layer_shape_str(const bench_layer *l, char *buf, size_t size)
{
    if (l->dilation == 1)
        snprintf(buf, size, "N%d C%d %dx%d K%d k%dx%d s%d p%d", l->n, l->c, l->h, l->w, l->k,
                 l->kh, l->kw, l->stride, l->pad);
    else
        snprintf(buf, size, "N%d C%d %dx%d K%d k%dx%d s%d p%d d%d", l->n, l->c, l->h, l->w, l->k,
                 l->kh, l->kw, l->stride, l->pad, l->dilation);
    return buf;
}
