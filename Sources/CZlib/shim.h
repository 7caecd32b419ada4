#include <zlib.h>

// deflateInit2 and inflateInit2 are macros, which Swift cannot call.
static inline int roost_deflate_init_gzip(z_stream *s, int level) {
    return deflateInit2(s, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
}
static inline int roost_inflate_init_gzip(z_stream *s) { return inflateInit2(s, 15 + 16); }
