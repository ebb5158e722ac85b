/* algo_registry.c: the table of algorithms built into the library, indexed by clgconv_algo. */
#include "internal.h"

const clg_algo_impl *clg_algo_get(clgconv_algo algo)
{
    switch (algo) {
    case CLGCONV_ALGO_DIRECT: return &clg_algo_direct;
    default: return NULL;
    }
}
