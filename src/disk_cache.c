/* disk_cache.c: the on-disk cache directory, shared by compiled program binaries (keyed by source, options, device, driver and library version) and tuning results. */
#include "internal.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#ifdef _WIN32
#include <direct.h>
#include <process.h>
#define clg_mkdir(p) _mkdir(p)
#define clg_getpid() _getpid()
#else
#include <unistd.h>
#define clg_mkdir(p) mkdir(p, 0755)
#define clg_getpid() getpid()
#endif

uint64_t clg_hash64(const void *data, size_t size, uint64_t h)
{
    const unsigned char *p = data;
    if (h == 0) h = 1469598103934665603ull; /* FNV-1a 64 */
    for (size_t i = 0; i < size; ++i) {
        h ^= p[i];
        h *= 1099511628211ull;
    }
    return h;
}

uint64_t clg_hash_string(const char *s, uint64_t h)
{
    /* Include the terminator so ("ab","c") and ("a","bc") differ. */
    return clg_hash64(s, strlen(s) + 1, h);
}

/* Creates every missing directory of path (like mkdir -p); true when it exists afterwards. */
static bool make_dirs(char *path)
{
    for (char *p = path + 1; *p; ++p) {
        if (*p != '/') continue;
        *p = 0;
        int r = clg_mkdir(path);
        *p = '/';
        if (r != 0 && errno != EEXIST) return false;
    }
    return clg_mkdir(path) == 0 || errno == EEXIST;
}

const char *clg_cache_dir(char *buf, size_t size)
{
    const char *env = getenv("CLGCONV_CACHE_DIR");
    if (env && (strcmp(env, "0") == 0 || strcmp(env, "off") == 0 || strcmp(env, "OFF") == 0))
        return NULL;
    if (env && *env) {
        snprintf(buf, size, "%s", env);
    } else {
        const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
        if (xdg && *xdg)
            snprintf(buf, size, "%s/clgconv", xdg);
        else if (home && *home)
            snprintf(buf, size, "%s/.cache/clgconv", home);
        else
            return NULL;
    }
    return make_dirs(buf) ? buf : NULL;
}

/* Binary file layout: magic, 8-byte check hash of the key, 8-byte length, 8-byte hash of the
   binary itself (a torn or corrupted file is never handed to the driver: some drivers abort on a
   bad binary instead of failing), the device binary. */
static const char g_magic[8] = {'C', 'L', 'G', 'C', 'B', 'I', 'N', '2'};
static atomic_ulong g_tmp_counter; /* unique temporary names within a process */

static void binary_path(char *path, size_t size, const char *dir, uint64_t key)
{
    snprintf(path, size, "%s/program-%016llx.bin", dir, (unsigned long long)key);
}

static void marker_path(char *path, size_t size, const char *dir, uint64_t key)
{
    snprintf(path, size, "%s/slow-binaries-%016llx", dir, (unsigned long long)key);
}

bool clg_slow_binaries_marked(uint64_t key)
{
    char dir[2048], path[2300];
    if (!clg_cache_dir(dir, sizeof dir)) return false;
    marker_path(path, sizeof path, dir, key);
    FILE *f = fopen(path, "rb");
    if (!f) return false;
    fclose(f);
    return true;
}

void clg_slow_binaries_mark(uint64_t key, const char *why)
{
    char dir[2048], path[2300];
    if (!clg_cache_dir(dir, sizeof dir)) return;
    marker_path(path, sizeof path, dir, key);
    FILE *f = fopen(path, "w"); /* its name is the message; the text says what was measured */
    if (!f) return;
    fputs(why, f);
    fclose(f);
}

bool clg_binary_cache_load(uint64_t key, uint64_t check, unsigned char **binary, size_t *size)
{
    char dir[2048], path[2300];
    if (!clg_cache_dir(dir, sizeof dir)) return false;
    binary_path(path, sizeof path, dir, key);
    FILE *f = fopen(path, "rb");
    if (!f) return false;
    char magic[8];
    uint64_t file_check = 0, len = 0, content_hash = 0;
    bool ok = fread(magic, 1, 8, f) == 8 && memcmp(magic, g_magic, 8) == 0 &&
              fread(&file_check, sizeof file_check, 1, f) == 1 && file_check == check &&
              fread(&len, sizeof len, 1, f) == 1 && len > 0 && len < ((uint64_t)1 << 31) &&
              fread(&content_hash, sizeof content_hash, 1, f) == 1;
    unsigned char *buf = ok ? malloc((size_t)len) : NULL;
    ok = buf && fread(buf, 1, (size_t)len, f) == (size_t)len && fgetc(f) == EOF &&
         clg_hash64(buf, (size_t)len, 0) == content_hash;
    fclose(f);
    if (!ok) {
        free(buf);
        return false;
    }
    *binary = buf;
    *size = (size_t)len;
    return true;
}

double clg_binary_cache_store(cl_program program, uint64_t key, uint64_t check)
{
    char dir[2048], path[2300], tmp[2400];
    if (!clg_cache_dir(dir, sizeof dir)) return 0.0;
    size_t len = 0;
    /* Best effort: a program whose binary cannot be queried is simply not cached. */
    const double t0 = clg_now_seconds();
    if (clg_clGetProgramInfo(program, CL_PROGRAM_BINARY_SIZES, sizeof len, &len, NULL) !=
            CL_SUCCESS ||
        len == 0)
        return clg_now_seconds() - t0;
    unsigned char *buf = malloc(len);
    if (!buf) return clg_now_seconds() - t0;
    if (clg_clGetProgramInfo(program, CL_PROGRAM_BINARIES, sizeof buf, &buf, NULL) != CL_SUCCESS) {
        free(buf);
        return clg_now_seconds() - t0;
    }
    const double fetch_seconds = clg_now_seconds() - t0;
    binary_path(path, sizeof path, dir, key);
    /* Write a private temporary file (unique per process and call: threads of one process may
       store the same program at once), then rename: readers never see a partial file. */
    snprintf(tmp, sizeof tmp, "%s.%ld.%lu.tmp", path, (long)clg_getpid(),
             (unsigned long)atomic_fetch_add(&g_tmp_counter, 1));
    FILE *f = fopen(tmp, "wb");
    if (f) {
        uint64_t l = len, content_hash = clg_hash64(buf, len, 0);
        bool ok = fwrite(g_magic, 1, 8, f) == 8 && fwrite(&check, sizeof check, 1, f) == 1 &&
                  fwrite(&l, sizeof l, 1, f) == 1 &&
                  fwrite(&content_hash, sizeof content_hash, 1, f) == 1 &&
                  fwrite(buf, 1, len, f) == len;
        ok = fclose(f) == 0 && ok;
        if (!ok || rename(tmp, path) != 0) remove(tmp);
    }
    free(buf);
    return fetch_seconds;
}
