// Thin shim over libpng's simplified API (png_image_*). Accessors for the macros Swift cannot import.
#ifndef CLIBPNG_SHIM_H
#define CLIBPNG_SHIM_H
#include <png.h>

static inline png_uint_32 clibpng_image_version(void) { return PNG_IMAGE_VERSION; }
static inline png_uint_32 clibpng_format_gray(void) { return PNG_FORMAT_GRAY; }
static inline png_uint_32 clibpng_format_ga(void) { return PNG_FORMAT_GA; }
static inline png_uint_32 clibpng_format_rgb(void) { return PNG_FORMAT_RGB; }
static inline png_uint_32 clibpng_format_rgba(void) { return PNG_FORMAT_RGBA; }
static inline png_uint_32 clibpng_format_linear_y(void) { return PNG_FORMAT_LINEAR_Y; }
static inline png_uint_32 clibpng_format_linear_y_alpha(void) { return PNG_FORMAT_LINEAR_Y_ALPHA; }
static inline png_uint_32 clibpng_format_linear_rgb(void) { return PNG_FORMAT_LINEAR_RGB; }
static inline png_uint_32 clibpng_format_linear_rgb_alpha(void) { return PNG_FORMAT_LINEAR_RGB_ALPHA; }
static inline png_uint_32 clibpng_format_flag_alpha(void) { return PNG_FORMAT_FLAG_ALPHA; }
static inline png_uint_32 clibpng_format_flag_color(void) { return PNG_FORMAT_FLAG_COLOR; }
static inline png_uint_32 clibpng_format_flag_linear(void) { return PNG_FORMAT_FLAG_LINEAR; }
static inline png_uint_32 clibpng_format_flag_colormap(void) { return PNG_FORMAT_FLAG_COLORMAP; }
static inline int clibpng_image_failed(const png_image *image) { return PNG_IMAGE_FAILED(*image); }
static inline size_t clibpng_image_size(const png_image *image) { return PNG_IMAGE_SIZE(*image); }
static inline size_t clibpng_image_png_size_max(const png_image *image) { return PNG_IMAGE_PNG_SIZE_MAX(*image); }
#endif
