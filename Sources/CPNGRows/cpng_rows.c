#include "cpng_rows.h"

#include <png.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const uint8_t *data;
    size_t size;
    size_t offset;
    char *message;
    size_t message_size;
} source;

static void on_error(png_structp png, png_const_charp text) {
    source *s = (source *)png_get_io_ptr(png);
    if (s && s->message && s->message_size) snprintf(s->message, s->message_size, "PNG: %s", text);
    png_longjmp(png, 1);
}

static void on_warning(png_structp png, png_const_charp text) {
    (void)png;
    (void)text;
}

static void on_read(png_structp png, png_bytep out, png_size_t length) {
    source *s = (source *)png_get_io_ptr(png);
    if (s->offset + length > s->size || s->offset + length < s->offset) {
        png_error(png, "the file ends before the image does");
        return;
    }
    memcpy(out, s->data + s->offset, length);
    s->offset += length;
}

// Adam7: where each pass's pixels sit.
static const int pass_x0[7] = {0, 4, 0, 2, 0, 1, 0}, pass_dx[7] = {8, 8, 4, 4, 2, 2, 1};
static const int pass_y0[7] = {0, 0, 4, 0, 2, 0, 1}, pass_dy[7] = {8, 8, 8, 4, 4, 2, 2};

int cpng_decode_reduced(const uint8_t *data, size_t size, uint32_t min_width, uint32_t min_height, uint32_t max_side,
                        uint64_t max_pixels, cpng_reduced *out, char *message, size_t message_size) {
    memset(out, 0, sizeof(*out));
    if (message_size) message[0] = 0;
    if (size < 8 || png_sig_cmp(data, 0, 8) != 0) {
        snprintf(message, message_size, "PNG: not a PNG file");
        return 1;
    }
    source s = {data, size, 0, message, message_size};
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &s, on_error, on_warning);
    if (!png) {
        snprintf(message, message_size, "PNG: out of memory");
        return 1;
    }
    png_infop info = png_create_info_struct(png);
    // Everything that may longjmp lives until the end of this function; `volatile` for what
    // changes after setjmp and is read after a jump.
    uint8_t *volatile row = NULL;
    uint32_t *volatile sums = NULL;
    uint32_t *volatile counts = NULL;
    uint8_t *volatile pixels = NULL;
    if (!info || setjmp(png_jmpbuf(png))) {
        free(row);
        free(sums);
        free(counts);
        free(pixels);
        png_destroy_read_struct(&png, info ? &info : NULL, NULL);
        if (message_size && !message[0]) snprintf(message, message_size, "PNG: cannot be read");
        return 1;
    }
    png_set_read_fn(png, &s, on_read);
    png_set_user_limits(png, max_side, max_side);
    png_set_chunk_malloc_max(png, 8u << 20);
    png_read_info(png, info);
    png_uint_32 width = png_get_image_width(png, info), height = png_get_image_height(png, info);
    if ((uint64_t)width * height > max_pixels) png_error(png, "the image has more pixels than allowed");
    int color = png_get_color_type(png, info), depth = png_get_bit_depth(png, info);
    // Everything to 8-bit gray, gray+alpha, RGB or RGBA.
    if (color == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
    if (color == PNG_COLOR_TYPE_GRAY && depth < 8) png_set_expand_gray_1_2_4_to_8(png);
    if (png_get_valid(png, info, PNG_INFO_tRNS)) png_set_tRNS_to_alpha(png);
    if (depth == 16) png_set_strip_16(png);
    int passes = png_set_interlace_handling(png);
    png_read_update_info(png, info);
    uint32_t channels = png_get_channels(png, info);
    size_t rowbytes = png_get_rowbytes(png, info);
    if (channels < 1 || channels > 4 || rowbytes != (size_t)width * channels) png_error(png, "unexpected row layout");

    uint32_t factor = 1;
    if (min_width > 0 && min_height > 0) {
        uint32_t fx = width / min_width, fy = height / min_height;
        factor = fx < fy ? fx : fy;
        if (factor < 1) factor = 1;
    }
    uint32_t ow = (width + factor - 1) / factor, oh = (height + factor - 1) / factor;
    row = malloc(rowbytes);
    sums = calloc((size_t)ow * oh * channels, sizeof(uint32_t));
    counts = calloc((size_t)ow * oh, sizeof(uint32_t));
    if (!row || !sums || !counts) png_error(png, "out of memory");

    // With interlace handling libpng is called `height` times per pass; for rows outside the pass
    // it returns without touching `row`, and a row of the pass gets only that pass's pixels.
    for (int pass = 0; pass < passes; pass++) {
        uint32_t x0 = passes > 1 ? pass_x0[pass] : 0, dx = passes > 1 ? pass_dx[pass] : 1;
        uint32_t y0 = passes > 1 ? pass_y0[pass] : 0, dy = passes > 1 ? pass_dy[pass] : 1;
        for (uint32_t y = 0; y < height; y++) {
            png_read_row(png, row, NULL);
            if (y < y0 || (y - y0) % dy != 0) continue;
            uint32_t oy = y / factor;
            for (uint32_t x = x0; x < width; x += dx) {
                size_t cell = (size_t)oy * ow + x / factor;
                const uint8_t *p = row + (size_t)x * channels;
                for (uint32_t c = 0; c < channels; c++) sums[cell * channels + c] += p[c];
                counts[cell] += 1;
            }
        }
    }
    png_read_end(png, NULL);

    pixels = malloc((size_t)ow * oh * channels);
    if (!pixels) png_error(png, "out of memory");
    for (size_t cell = 0; cell < (size_t)ow * oh; cell++) {
        uint32_t n = counts[cell] ? counts[cell] : 1;
        for (uint32_t c = 0; c < channels; c++) pixels[cell * channels + c] = (uint8_t)((sums[cell * channels + c] + n / 2) / n);
    }
    out->width = ow;
    out->height = oh;
    out->channels = channels;
    out->source_width = width;
    out->source_height = height;
    out->pixels = pixels;
    free(row);
    free(sums);
    free(counts);
    png_destroy_read_struct(&png, &info, NULL);
    return 0;
}

void cpng_free(uint8_t *pixels) { free(pixels); }

typedef struct {
    uint8_t *data;
    size_t size;
    size_t capacity;
    int failed;
} sink;

static void on_write(png_structp png, png_bytep bytes, png_size_t length) {
    sink *s = (sink *)png_get_io_ptr(png);
    if (s->failed) return;
    if (s->size + length > s->capacity) {
        size_t capacity = s->capacity ? s->capacity : 65536;
        while (capacity < s->size + length) capacity *= 2;
        uint8_t *grown = realloc(s->data, capacity);
        if (!grown) {
            s->failed = 1;
            png_error(png, "out of memory for the encoded image");
            return;
        }
        s->data = grown;
        s->capacity = capacity;
    }
    memcpy(s->data + s->size, bytes, length);
    s->size += length;
}

static void on_flush(png_structp png) { (void)png; }

static void on_write_error(png_structp png, png_const_charp text) {
    char *message = (char *)png_get_error_ptr(png);
    if (message) snprintf(message, 256, "PNG: %s", text);
    png_longjmp(png, 1);
}

int cpng_filters_all(void) { return PNG_ALL_FILTERS; }

int cpng_encode(const void *pixels, uint32_t width, uint32_t height, uint32_t channels, uint32_t bit_depth, int level, int filters,
                uint8_t **out, size_t *size, char *message, size_t message_size) {
    static const int types[5] = {0, PNG_COLOR_TYPE_GRAY, PNG_COLOR_TYPE_GRAY_ALPHA, PNG_COLOR_TYPE_RGB, PNG_COLOR_TYPE_RGB_ALPHA};
    char error[256] = "";
    *out = NULL;
    *size = 0;
    if (channels < 1 || channels > 4 || (bit_depth != 8 && bit_depth != 16) || width == 0 || height == 0) {
        snprintf(message, message_size, "PNG: cannot encode %u x %u with %u channels of %u bits", width, height, channels, bit_depth);
        return 1;
    }
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, error, on_write_error, on_warning);
    if (!png) {
        snprintf(message, message_size, "PNG: cannot create a writer");
        return 1;
    }
    png_infop info = png_create_info_struct(png);
    // Volatile: changes after setjmp and is read after a jump.
    sink *volatile target = calloc(1, sizeof(sink));
    if (!info || !target || setjmp(png_jmpbuf(png))) {
        snprintf(message, message_size, "%s", error[0] ? error : "PNG: cannot encode the image");
        png_destroy_write_struct(&png, &info);
        if (target) free(target->data);
        free(target);
        return 1;
    }
    png_set_write_fn(png, target, on_write, on_flush);
    png_set_compression_level(png, level);
    png_set_filter(png, PNG_FILTER_TYPE_BASE, filters);
    png_set_IHDR(png, info, width, height, (int)bit_depth, types[channels], PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_BASE,
                 PNG_FILTER_TYPE_BASE);
    if (bit_depth == 8) {
        png_set_sRGB(png, info, PNG_sRGB_INTENT_PERCEPTUAL);
    } else {
        png_set_gAMA_fixed(png, info, PNG_GAMMA_LINEAR);
        png_set_cHRM_fixed(png, info, 31270, 32900, 64000, 33000, 30000, 60000, 15000, 6000);
    }
    png_write_info(png, info);
    if (bit_depth == 16) png_set_swap(png);
    const size_t stride = (size_t)width * channels * (bit_depth / 8);
    for (uint32_t y = 0; y < height; y++) png_write_row(png, (png_const_bytep)pixels + (size_t)y * stride);
    png_write_end(png, info);
    png_destroy_write_struct(&png, &info);
    *out = target->data;
    *size = target->size;
    free(target);
    return 0;
}
