/* algo_registry.c: the table of algorithms built into the library, indexed by clgconv_algo. */
#include "internal.h"

const clg_algo_impl *clg_algo_get(clgconv_algo algo)
{
    switch (algo) {
    case CLGCONV_ALGO_DIRECT: return &clg_algo_direct;
    case CLGCONV_ALGO_GEMM: return &clg_algo_gemm;
#ifdef CLGCONV_HAVE_CLBLAST
    case CLGCONV_ALGO_CLBLAST: return &clg_algo_clblast;
#endif
    case CLGCONV_ALGO_TILED: return &clg_algo_tiled;
    case CLGCONV_ALGO_DEPTHWISE: return &clg_algo_depthwise;
    default: return NULL;
    }
}
