#ifndef FLEETD_CZLIB_SHIM_H
#define FLEETD_CZLIB_SHIM_H
#include <zlib.h>

/* deflateInit2 and inflateInit2 are macros, which Swift cannot call. 16+MAX_WBITS selects gzip. */
static inline int fleetd_deflate_init_gzip(z_stream *s, int level) {
    return deflateInit2(s, level, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
}
static inline int fleetd_inflate_init_gzip(z_stream *s) {
    return inflateInit2(s, 16 + MAX_WBITS);
}
#endif
