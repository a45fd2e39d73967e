// PNG decoded row by row and reduced by an integer factor as it is read, so the memory a
// preview takes is bounded by its output (plus one row), not by the image: a 16384 x 16384 PNG
// previews in a few megabytes. And PNG encoded at a chosen zlib level, which libpng's simplified
// API does not offer. Uses libpng's full API; every setjmp-protected call is inside
// cpng_decode_reduced or cpng_encode (INTEROP.md item 6): a longjmp never crosses a Swift frame.
#ifndef CPNG_ROWS_H
#define CPNG_ROWS_H
#include <stddef.h>
#include <stdint.h>

/// What cpng_decode_reduced returns: 8-bit samples, `channels` (1 gray, 2 gray+alpha, 3 RGB,
/// 4 RGBA) interleaved, `width` x `height`, row-major, in `pixels` (free with cpng_free).
typedef struct {
    uint32_t width;
    uint32_t height;
    uint32_t channels;
    uint32_t source_width;
    uint32_t source_height;
    uint8_t *pixels;
} cpng_reduced;

/// Decodes the PNG in `data` reduced by the largest integer factor that keeps the result at
/// least `min_width` x `min_height` (each output pixel the mean of a factor x factor block).
/// Images larger than `max_side` on a side, or with more than `max_pixels`, are refused before
/// any row is read. Returns 0 on success; otherwise 1 and a message in `message`.
int cpng_decode_reduced(const uint8_t *data, size_t size, uint32_t min_width, uint32_t min_height, uint32_t max_side,
                        uint64_t max_pixels, cpng_reduced *out, char *message, size_t message_size);

void cpng_free(uint8_t *pixels);

/// Encodes `width` x `height` pixels of `channels` interleaved samples (`bit_depth` 8, or 16
/// with samples in the machine's byte order) as a PNG at zlib `level` (0-9) with `filters`
/// (libpng's PNG_FILTER_* bits; PNG_ALL_FILTERS lets it choose per row). 8-bit images are marked
/// sRGB, 16-bit ones linear (gAMA 1.0 with sRGB primaries), as libpng's simplified API marks
/// them. On success returns 0 with the bytes in `*out` (free with cpng_free) and their count in
/// `*size`; otherwise 1 and a message. Every setjmp-protected call stays in this function.
int cpng_encode(const void *pixels, uint32_t width, uint32_t height, uint32_t channels, uint32_t bit_depth, int level, int filters,
                uint8_t **out, size_t *size, char *message, size_t message_size);

/// libpng's "choose per row" filter choice, for `cpng_encode`.
int cpng_filters_all(void);

#endif
