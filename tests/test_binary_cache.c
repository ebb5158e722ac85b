/* test_binary_cache.c: which program binaries the on-disk cache stores under CLGCONV_CACHE_BINARIES (auto, always, never), and that plans built with a stored binary compute the same results. */
#define _POSIX_C_SOURCE 200809L
#include "test_util.h"
#include "testing.h"

#include <dirent.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>

static char g_dir[1024];

/* Files in the cache directory whose names start with prefix. */
static int count_files(const char *prefix)
{
    int n = 0;
    DIR *d = opendir(g_dir);
    CHECK(d != NULL);
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        n += strncmp(e->d_name, prefix, strlen(prefix)) == 0;
    closedir(d);
    return n;
}

/* Builds a plan of algo on a fresh context (so its program comes from the disk cache or from
   source, never from a context's memory), runs it and compares with the reference. Returns
   false when the algorithm does not support the layer. */
static bool run_fresh(const clgconv_conv2d_desc *d, clgconv_algo algo, const float *x,
                      const float *w, const float *b, float *y)
{
    cl_command_queue q;
    clgconv_context *ctx = test_open_context(&q);
    const clgconv_status st = test_run_plan(ctx, q, d, algo, x, w, b, y);
    clReleaseCommandQueue(q);
    clgconv_context_release(ctx);
    if (st == CLGCONV_ERROR_UNSUPPORTED) return false;
    CHECK_OK(st);
    CHECK(test_compare_with_reference(d, x, w, b, y, clgconv_algo_name(algo), NULL));
    return true;
}

int main(void)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(g_dir, sizeof g_dir, "%s/clgconv-bincache-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    CHECK(mkdtemp(g_dir) != NULL);
    setenv("CLGCONV_CACHE_DIR", g_dir, 1);
    unsetenv("CLGCONV_CACHE_BINARIES");

    clgconv_conv2d_desc d;
    clgconv_conv2d_desc_init(&d);
    d.batch = 2, d.in_channels = 8, d.in_height = 9, d.in_width = 7, d.out_channels = 12;
    d.groups = 4, d.kernel_h = 3, d.kernel_w = 3;
    d.pad_top = d.pad_left = d.pad_bottom = d.pad_right = 1;
    size_t in_b, w_b, b_b, out_b;
    CHECK_OK(clgconv_conv2d_tensor_bytes(&d, &in_b, &w_b, &b_b, &out_b));
    test_rng r;
    test_rng_seed(&r, 7);
    float *x = test_random_tensor(&r, in_b / 4), *w = test_random_tensor(&r, w_b / 4),
          *b = test_random_tensor(&r, b_b / 4), *y = malloc(out_b);
    CHECK(y != NULL);
    int checks = 0;

    /* auto, empty cache: the first program built from source is stored (that is how the
       device's binaries are measured; more when they are cheap); a marker may say that they
       cost too much. */
    CHECK(run_fresh(&d, CLGCONV_ALGO_DIRECT, x, w, b, y));
    const int n1 = count_files("program-"), m1 = count_files("slow-binaries-");
    printf("auto, first program: %d binary, %d marker\n", n1, m1);
    CHECK(n1 >= 1);
    ++checks;

    /* auto, another program on a fresh context: with the marker (read from the directory by
       the new context) nothing more is stored; without it, the binary is. */
    CHECK(run_fresh(&d, CLGCONV_ALGO_TILED, x, w, b, y));
    const int n2 = count_files("program-"), m2 = count_files("slow-binaries-");
    printf("auto, second program: %d binaries, %d marker\n", n2, m2);
    CHECK(m1 == 1 ? n2 == n1 && m2 == 1 : n2 > n1);
    ++checks;

    /* always: stored whatever the marker says. */
    setenv("CLGCONV_CACHE_BINARIES", "always", 1);
    CHECK(run_fresh(&d, CLGCONV_ALGO_GEMM, x, w, b, y));
    const int n3 = count_files("program-");
    printf("always: %d binaries\n", n3);
    CHECK(n3 > n2);
    ++checks;

    /* never: nothing stored (NHWC builds another tiled program). */
    setenv("CLGCONV_CACHE_BINARIES", "never", 1);
    clgconv_conv2d_desc nhwc = d;
    nhwc.layout = CLGCONV_LAYOUT_NHWC;
    CHECK(run_fresh(&nhwc, CLGCONV_ALGO_TILED, x, w, b, y));
    const int n4 = count_files("program-");
    printf("never: %d binaries\n", n4);
    CHECK(n4 == n3);
    ++checks;

    /* Plans whose programs now load from the stored binaries compute the same results. */
    unsetenv("CLGCONV_CACHE_BINARIES");
    CHECK(run_fresh(&d, CLGCONV_ALGO_DIRECT, x, w, b, y));
    CHECK(run_fresh(&d, CLGCONV_ALGO_GEMM, x, w, b, y));
    CHECK(count_files("program-") == n4);
    checks += 3;

    /* A device whose binaries cost more than a build, in a fresh directory: the first binary
       is stored and the device marked; a fresh context reads the marker and stores no more. */
    test_remove_dir(g_dir);
    CHECK(mkdir(g_dir, 0700) == 0);
    clgconv_testing_slow_binaries(1);
    CHECK(run_fresh(&d, CLGCONV_ALGO_DIRECT, x, w, b, y));
    clgconv_testing_slow_binaries(0);
    const int n5 = count_files("program-"), m5 = count_files("slow-binaries-");
    CHECK(run_fresh(&d, CLGCONV_ALGO_TILED, x, w, b, y));
    CHECK(run_fresh(&d, CLGCONV_ALGO_GEMM, x, w, b, y));
    const int n6 = count_files("program-"), m6 = count_files("slow-binaries-");
    printf("slow device: %d binary and %d marker, then %d and %d\n", n5, m5, n6, m6);
    CHECK(n5 == 1 && m5 == 1);
    CHECK(n6 == n5 && m6 == 1);
    checks += 2;

    /* A value CLGCONV_CACHE_BINARIES does not know ("ALWAYS": the names are lower case) is
       auto: with the marker there, nothing is stored (NHWC builds another tiled program). */
    setenv("CLGCONV_CACHE_BINARIES", "ALWAYS", 1);
    clgconv_conv2d_desc nhwc_d = d;
    nhwc_d.layout = CLGCONV_LAYOUT_NHWC;
    CHECK(run_fresh(&nhwc_d, CLGCONV_ALGO_TILED, x, w, b, y));
    printf("unknown policy value: %d binaries\n", count_files("program-"));
    CHECK(count_files("program-") == n6);
    ++checks;
    unsetenv("CLGCONV_CACHE_BINARIES");

    free(x), free(w), free(b), free(y);
    test_remove_dir(g_dir);
    printf("test_binary_cache: %d passed, 0 failed\n", checks);
    return 0;
}
